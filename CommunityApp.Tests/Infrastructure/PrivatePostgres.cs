using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using CommunityApp.Data;

namespace CommunityApp.Tests.Infrastructure;

/// <summary>
/// The feature services over a PostgreSQL server of their own (initdb in a temporary folder, on a free loopback port),
/// for a test that restarts or stops the server: the tests' shared server must stay up for everyone else.
/// </summary>
public sealed class PrivatePostgresFixture : ServiceFixture
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "communityapp-private-pg-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly int port = AppFactory.FreePort();
    private static readonly string Bin = Directory.GetDirectories("/usr/lib/postgresql")
        .OrderBy(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).Last() + "/bin";
    private static readonly bool Root = Environment.UserName == "root";

    private string Data => Path.Combine(folder, "data");

    protected override async Task<string> CreatePostgresAsync()
    {
        Directory.CreateDirectory(folder);
        if (Root) await RunAsync("chown", $"postgres {folder}");
        await PgAsync("initdb", $"-D {Data} -U postgres --auth=trust -E UTF8");
        await StartAsync();
        var server = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE restart_test", connection);
            await create.ExecuteNonQueryAsync();
        }
        var database = $"Host=127.0.0.1;Port={port};Username=postgres;Database=restart_test;Maximum Pool Size=60";
        var options = new DbContextOptionsBuilder<PostgresAppDbContext>();
        DataSetup.ConfigurePostgres(options, database, retryOnFailure: false).UseApplicationServiceProvider(IdentityModel.Services);
        await using (var db = new PostgresAppDbContext(options.Options)) await db.Database.MigrateAsync();
        return database;
    }

    protected override async Task DropPostgresAsync(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        await PgAsync("pg_ctl", $"-D {Data} -m immediate stop", check: false);
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>A fast restart, as an operator's or a failover's: every session is ended (57P01), open transactions roll back.</summary>
    public Task RestartAsync() => PgAsync("pg_ctl", $"-D {Data} -m fast -w restart -o \"{ServerOptions}\" -l {folder}/log");

    private string ServerOptions => $"-c listen_addresses=127.0.0.1 -p {port} -c fsync=off -c max_connections=200 -k {folder}";

    private Task StartAsync() => PgAsync("pg_ctl", $"-D {Data} -w start -o \"{ServerOptions}\" -l {folder}/log");

    private static Task PgAsync(string tool, string arguments, bool check = true) =>
        Root ? RunAsync("runuser", $"-u postgres -- {Bin}/{tool} {arguments}", check) : RunAsync($"{Bin}/{tool}", arguments, check);

    private static async Task RunAsync(string file, string arguments, bool check = true)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (check && process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {arguments} exited {process.ExitCode}: {await output}{await error}");
    }
}
