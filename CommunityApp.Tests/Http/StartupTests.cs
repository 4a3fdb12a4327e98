using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using CommunityApp.Data;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Http;

public sealed class StartupTests
{
    /// <summary>scripts/postgres.sh makes the tests' server ask this role (and only it) for its password.</summary>
    private const string PasswordRole = "communityapp_password_check";

    [Fact]
    public async Task An_unreachable_database_stops_start_up_with_a_message_naming_the_setting()
    {
        await using var app = new AppFactory();
        await app.InitializeAsync();
        app.Settings["ConnectionStrings:Postgres"] = $"Host=127.0.0.1;Port={AppFactory.FreePort()};Database=nowhere;Username=x;Password=y;Timeout=2";

        var ex = Should.Throw<DatabaseStartupException>(() => app.CreateClient());

        ex.Problem.ShouldBe(DatabaseProblem.Refused);
        ex.Message.ShouldContain("the connection was refused");
        ex.Message.ShouldContain("ConnectionStrings:Postgres");
        ex.Message.ShouldContain("ConnectionStrings__Postgres");
    }

    [Fact]
    public async Task A_wrong_password_ends_the_process_with_exit_code_1_and_one_line_saying_authentication_failed()
    {
        await TestDatabases.ExecuteAsync(
            $"DO $$ BEGIN CREATE ROLE {PasswordRole} LOGIN PASSWORD 'right-password'; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
        var wrong = Server(database: "postgres", user: PasswordRole, password: "wrong-password");
        await using (var probe = new NpgsqlConnection(wrong))
        {
            var refused = await Should.ThrowAsync<PostgresException>(() => probe.OpenAsync(),
                $"the test server must check {PasswordRole}'s password (scripts/postgres.sh adds that pg_hba.conf line)");
            refused.SqlState.ShouldBe(PostgresErrorCodes.InvalidPassword);
        }

        var result = await AppProcess.RunUntilExitAsync(Postgres(wrong));

        ShouldRefuseInOneLine(result, "authentication failed", "28P01", "ConnectionStrings:Postgres");
    }

    [Fact]
    public async Task A_database_that_does_not_exist_ends_the_process_saying_no_such_database()
    {
        var result = await AppProcess.RunUntilExitAsync(Postgres(Server(database: "nowhere_" + Guid.NewGuid().ToString("N"))));

        ShouldRefuseInOneLine(result, "no such database", "3D000", "ConnectionStrings:Postgres");
    }

    [Fact]
    public async Task A_closed_port_ends_the_process_saying_the_connection_was_refused()
    {
        var closed = new NpgsqlConnectionStringBuilder(Server(database: "postgres")) { Port = AppFactory.FreePort() }.ConnectionString;

        var result = await AppProcess.RunUntilExitAsync(Postgres(closed));

        ShouldRefuseInOneLine(result, "the connection was refused", "ConnectionStrings:Postgres");
    }

    [Fact]
    public async Task A_read_only_PostgreSQL_database_ends_the_process_saying_read_only()
    {
        var connectionString = await TestDatabases.CreatePostgresAsync();
        try
        {
            await TestDatabases.ExecuteAsync($"ALTER DATABASE {DatabaseName(connectionString)} SET default_transaction_read_only = on");

            var result = await AppProcess.RunUntilExitAsync(Postgres(connectionString));

            ShouldRefuseInOneLine(result, "the database is read-only", "default_transaction_read_only", "ConnectionStrings:Postgres");
        }
        finally
        {
            await TestDatabases.DropPostgresAsync(connectionString);
        }
    }

    /// <summary>
    /// The file and its folder are made read-only. Root writes through file modes, so as root (CI) the connection string
    /// also opens the file with Mode=ReadOnly, the same refusal seen from SQLite.
    /// </summary>
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes; the tests run on Linux
    public async Task A_read_only_SQLite_file_ends_the_process_saying_read_only()
    {
        var folder = Directory.CreateTempSubdirectory("communityapp-readonly-");
        var file = Path.Combine(folder.FullName, "app.db");
        try
        {
            var options = new DbContextOptionsBuilder<SqliteAppDbContext>();
            DataSetup.ConfigureSqlite(options, $"Data Source={file};Pooling=false").UseApplicationServiceProvider(IdentityModel.Services);
            await using (var db = new SqliteAppDbContext(options.Options)) await db.Database.MigrateAsync();
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            File.SetUnixFileMode(folder.FullName, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
            var connectionString = $"Data Source={file}" + (Environment.IsPrivilegedProcess ? ";Mode=ReadOnly" : "");

            var result = await AppProcess.RunUntilExitAsync(new Dictionary<string, string>
            {
                ["Database:Provider"] = "Sqlite",
                ["ConnectionStrings:Sqlite"] = connectionString,
            });

            ShouldRefuseInOneLine(result, "the database is read-only", "ConnectionStrings:Sqlite");
        }
        finally
        {
            File.SetUnixFileMode(folder.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Health_is_unhealthy_while_the_database_refuses_writes_and_healthy_again_once_it_accepts_them()
    {
        await using var app = new AppFactory();
        await app.InitializeAsync();
        var client = app.CreateClient();
        var name = DatabaseName(app.ConnectionString);
        (await client.GetAsync("/health", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Applies to new sessions, as after a fail-over to a standby: the pooled ones are dropped.
        await TestDatabases.ExecuteAsync($"ALTER DATABASE {name} SET default_transaction_read_only = on");
        NpgsqlConnection.ClearAllPools();

        var readOnly = await client.GetAsync("/health", TestContext.Current.CancellationToken);
        readOnly.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await readOnly.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe("Unhealthy");
        var report = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);
        report.Entries["database"].Status.ShouldBe(HealthStatus.Unhealthy);
        report.Entries["database"].Description.ShouldNotBeNull().ShouldContain("the database is read-only");

        await TestDatabases.ExecuteAsync($"ALTER DATABASE {name} RESET default_transaction_read_only");
        NpgsqlConnection.ClearAllPools();

        var writable = await client.GetAsync("/health", TestContext.Current.CancellationToken);
        writable.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await writable.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe("Healthy");
    }

    /// <summary>Exit code 1 and one line on stderr with the cause and the setting: no unhandled-exception abort (134), no stack trace.</summary>
    private static void ShouldRefuseInOneLine(AppProcess.Result result, params string[] says)
    {
        result.ExitCode.ShouldBe(1, result.ToString());
        var line = result.ErrorLines.ShouldHaveSingleItem(result.ToString());
        line.ShouldStartWith("CommunityApp could not start: Cannot use the ");
        foreach (var text in says) line.ShouldContain(text, Case.Sensitive, result.ToString());
        (result.StandardOutput + result.StandardError).ShouldNotContain("Unhandled exception");
        (result.StandardOutput + result.StandardError).ShouldNotContain("   at ");
    }

    private static Dictionary<string, string> Postgres(string connectionString) => new()
    {
        ["Database:Provider"] = "Postgres",
        ["ConnectionStrings:Postgres"] = connectionString,
    };

    private static string Server(string database, string? user = null, string? password = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(TestDatabases.ServerConnectionString) { Database = database, Timeout = 5, Pooling = false };
        if (user is not null) builder.Username = user;
        if (password is not null) builder.Password = password;
        return builder.ConnectionString;
    }

    private static string DatabaseName(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Database!;

    [Fact]
    public async Task A_missing_connection_string_names_the_setting()
    {
        await using var app = new AppFactory();
        await app.InitializeAsync();
        app.Settings["Database:Provider"] = "Sqlite";
        app.Settings["ConnectionStrings:Sqlite"] = "";

        var ex = Should.Throw<InvalidOperationException>(() => app.CreateClient());

        ex.Message.ShouldContain("ConnectionStrings:Sqlite is empty");
    }

    [Theory]
    [InlineData(null, "App:PublicBaseUrl is not set")]
    [InlineData("", "App:PublicBaseUrl is not set")]
    [InlineData("community.example", "App:PublicBaseUrl must be an absolute http or https URL")]
    [InlineData("/community", "App:PublicBaseUrl must be an absolute http or https URL")]
    [InlineData("ftp://community.example/", "App:PublicBaseUrl must be an absolute http or https URL")]
    [InlineData("https://community.example/?a=1", "App:PublicBaseUrl must be an absolute http or https URL")]
    public async Task Outside_Development_start_up_fails_without_an_absolute_public_address_and_names_the_setting(string? value, string reason)
    {
        await using var app = new AppFactory { EnvironmentName = "Production" };
        await app.InitializeAsync();
        app.Settings["Email:Enabled"] = "false";
        app.Settings["App:PublicBaseUrl"] = value;

        var ex = Should.Throw<OptionsValidationException>(() => app.CreateClient());

        ex.Message.ShouldContain(reason);
        ex.Message.ShouldContain("App__PublicBaseUrl");
    }

    [Fact]
    public async Task In_Development_a_public_address_that_is_set_must_still_be_absolute()
    {
        await using var app = new AppFactory();
        await app.InitializeAsync();
        app.Settings["App:PublicBaseUrl"] = "community.example";

        var ex = Should.Throw<OptionsValidationException>(() => app.CreateClient());

        ex.Message.ShouldContain("App:PublicBaseUrl must be an absolute http or https URL");
    }

    [Theory]
    [InlineData("ForwardedHeaders:KnownProxies", "proxy.example", "ForwardedHeaders:KnownProxies has \"proxy.example\", which is not an IP address")]
    [InlineData("ForwardedHeaders:KnownNetworks", "10.0.0.0/33", "ForwardedHeaders:KnownNetworks has \"10.0.0.0/33\", which is not a network in CIDR form")]
    public async Task A_proxy_setting_that_does_not_parse_stops_start_up_with_its_name(string key, string value, string reason)
    {
        await using var app = new AppFactory();
        await app.InitializeAsync();
        app.Settings[key] = value;

        var ex = Should.Throw<InvalidOperationException>(() => app.CreateClient());

        ex.Message.ShouldContain(reason);
    }
}
