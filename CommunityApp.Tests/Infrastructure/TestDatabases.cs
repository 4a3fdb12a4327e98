using Microsoft.EntityFrameworkCore;
using Npgsql;
using CommunityApp.Data;

namespace CommunityApp.Tests.Infrastructure;

/// <summary>
/// Fresh PostgreSQL databases for tests. The real migrations run once into a template database;
/// each test class then gets its own copy (CREATE DATABASE … TEMPLATE), which takes milliseconds.
/// The server comes from COMMUNITYAPP_TEST_POSTGRES, which ./test.sh sets after starting a throwaway cluster.
/// </summary>
public static class TestDatabases
{
    private const string TemplateName = "communityapp_template";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool templateReady;

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("COMMUNITYAPP_TEST_POSTGRES")
        ?? throw new InvalidOperationException(
            "COMMUNITYAPP_TEST_POSTGRES is not set. Run the tests with ./test.sh, which starts a throwaway PostgreSQL, " +
            "or point the variable at a server where the user may create databases.");

    public static async Task<string> CreatePostgresAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (!templateReady)
            {
                await ExecuteAsync($"DROP DATABASE IF EXISTS {TemplateName} WITH (FORCE)");
                await ExecuteAsync($"CREATE DATABASE {TemplateName}");
                var options = new DbContextOptionsBuilder<PostgresAppDbContext>();
                DataSetup.ConfigurePostgres(options, ConnectionStringFor(TemplateName, pooling: false)).UseApplicationServiceProvider(IdentityModel.Services);
                await using (var db = new PostgresAppDbContext(options.Options)) await db.Database.MigrateAsync();
                templateReady = true;
            }
            var name = "test_" + Guid.NewGuid().ToString("N");
            await ExecuteAsync($"CREATE DATABASE {name} TEMPLATE {TemplateName}");
            return ConnectionStringFor(name, pooling: true);
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task DropPostgresAsync(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    private static string ConnectionStringFor(string database, bool pooling) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database, Pooling = pooling, MaxPoolSize = 30 }.ConnectionString;

    private static async Task ExecuteAsync(string sql)
    {
        // Database names are generated here, never user input; DDL cannot take parameters.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
