using Microsoft.EntityFrameworkCore;
using Npgsql;
using CommunityApp.Data;

namespace CommunityApp.Tests.Infrastructure;

/// <summary>
/// Fresh PostgreSQL databases for tests. The real migrations run once into a template database; each test class then gets
/// a database of its own: a copy of the template (CREATE DATABASE … TEMPLATE, about 0.4 s of server CPU each, most of it
/// the system catalogues), or one an earlier class was done with, emptied back to the template's state (<see cref="RecycleAsync"/>,
/// a few milliseconds). The server comes from COMMUNITYAPP_TEST_POSTGRES, which ./test.sh sets after starting a throwaway cluster.
/// </summary>
public static class TestDatabases
{
    private const string TemplateName = "communityapp_template";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool templateReady;
    private static readonly System.Collections.Concurrent.ConcurrentBag<string> Recycled = [];

    static TestDatabases() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        // A developer's own server keeps no leftovers (./test.sh throws its cluster away anyway).
        while (Recycled.TryTake(out var connectionString))
        {
            try { DropPostgresAsync(connectionString).Wait(TimeSpan.FromSeconds(5)); }
            catch (Exception) { /* the server may be gone already */ }
        }
    };

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("COMMUNITYAPP_TEST_POSTGRES")
        ?? throw new InvalidOperationException(
            "COMMUNITYAPP_TEST_POSTGRES is not set. Run the tests with ./test.sh, which starts a throwaway PostgreSQL, " +
            "or point the variable at a server where the user may create databases.");

    public static async Task<string> CreatePostgresAsync()
    {
        if (Recycled.TryTake(out var recycled)) return recycled;
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

    /// <summary>
    /// Empties a database a test class is done with and keeps it for the next class: every row of every table but the
    /// migrations history goes (foreign keys unchecked meanwhile), which leaves it as the template made it. A database
    /// that cannot be emptied at once (a lock still held) is dropped instead. Classes that change the database itself
    /// (its settings, its roles) drop theirs with <see cref="DropPostgresAsync"/>; a database given tables of its own (the
    /// <see cref="WriteCounter"/>'s) is dropped too.
    /// </summary>
    public static async Task RecycleAsync(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
            await using (var connection = new NpgsqlConnection(builder.ConnectionString))
            {
                await connection.OpenAsync();
                // Tables beyond the template's (the write counter's, with its triggers): no longer the template's schema.
                await using (var extra = new NpgsqlCommand("SELECT to_regclass('public.fuzz_writes') IS NOT NULL", connection))
                {
                    if ((bool)(await extra.ExecuteScalarAsync())!)
                    {
                        await connection.CloseAsync();
                        await DropPostgresAsync(connectionString);
                        return;
                    }
                }
            }
            if (!await EmptyAsync(connectionString))
            {
                await DropPostgresAsync(connectionString);
                return;
            }
            Recycled.Add(connectionString);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            await DropPostgresAsync(connectionString);
        }
    }

    /// <summary>
    /// Deletes every row of every table but the migrations history and <paramref name="keep"/> (foreign keys unchecked
    /// meanwhile), which leaves the database as the template made it. False when a lock held elsewhere stopped it (after 2 s).
    /// </summary>
    public static async Task<bool> EmptyAsync(string connectionString, params string[] keep)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                SET lock_timeout = '2s';
                SET session_replication_role = replica;
                DO $$ DECLARE t text; BEGIN
                  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '__ef_migrations_history'
                             AND tablename <> ALL (string_to_array(current_setting('communityapp.keep'), ',')) LOOP
                    EXECUTE format('DELETE FROM %I', t);
                  END LOOP;
                END $$;
                """, connection);
            await using (var keepSetting = new NpgsqlCommand("SELECT set_config('communityapp.keep', @keep, false)", connection))
            {
                keepSetting.Parameters.AddWithValue("keep", string.Join(',', keep));
                await keepSetting.ExecuteNonQueryAsync();
            }
            await command.ExecuteNonQueryAsync();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
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

    /// <summary>Runs one statement on the server's "postgres" database (DDL: CREATE/ALTER DATABASE, roles).</summary>
    public static async Task ExecuteAsync(string sql)
    {
        // Database names are generated by the tests, never user input; DDL cannot take parameters.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
