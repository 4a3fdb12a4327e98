using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using CommunityApp.Events;

namespace CommunityApp.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Settings under <c>Database:</c>; every key can be overridden by an environment variable (<c>Database__Provider</c>).</summary>
public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations at start-up. On in Development; production runs the idempotent script or a bundle instead.</summary>
    public bool? MigrateOnStartup { get; set; }
}

public static class DataSetup
{
    public const string SqliteConnectionName = "Sqlite";
    public const string PostgresConnectionName = "Postgres";

    /// <summary>Registers the context factory for the configured provider, the audit interceptor, the database health check and the data-protection key storage.</summary>
    public static void AddData(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Database").Get<DatabaseOptions>() ?? new();
        builder.Services.AddSingleton(options);
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName(options.Provider));
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"Database:Provider is {options.Provider} but ConnectionStrings:{ConnectionName(options.Provider)} is empty. " +
                $"Set it in appsettings.json or the environment variable ConnectionStrings__{ConnectionName(options.Provider)}.");
        }
        builder.Services.AddAppDatabase(options.Provider, connectionString);
        // Live updates reach pages on every instance on the same PostgreSQL; SQLite (one instance) keeps the in-process hub.
        if (options.Provider == DatabaseProvider.Postgres) builder.Services.AddPostgresEventHub(connectionString);

        // ASP.NET Core Identity's stores need a scoped context.
        builder.Services.AddScoped<AppDbContext>(sp => sp.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext());
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [Telemetry.ReadyTag]);
        builder.AddKeyStorage();
    }

    /// <summary>
    /// The context factory for one provider, with the audit interceptor (and the row-lock one on PostgreSQL). Tests use it too.
    /// Contexts are pooled: a service's "new" context is a reset one from the pool, which saves building the context's
    /// services on every call; <see cref="ProviderContextFactory{TContext}"/> clears the app's own state (<see cref="AppDbContext.ActorId"/>).
    /// </summary>
    public static IServiceCollection AddAppDatabase(this IServiceCollection services, DatabaseProvider provider, string connectionString)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AuditInterceptor>();
        if (provider == DatabaseProvider.Postgres)
        {
            services.AddPooledDbContextFactory<PostgresAppDbContext>((sp, db) => ConfigurePostgres(db, connectionString)
                .AddInterceptors(sp.GetRequiredService<AuditInterceptor>(), new RowLockInterceptor()));
            services.AddSingleton<IDbContextFactory<AppDbContext>, ProviderContextFactory<PostgresAppDbContext>>();
        }
        else
        {
            services.AddPooledDbContextFactory<SqliteAppDbContext>((sp, db) => ConfigureSqlite(db, connectionString).AddInterceptors(sp.GetRequiredService<AuditInterceptor>()));
            services.AddSingleton<IDbContextFactory<AppDbContext>, ProviderContextFactory<SqliteAppDbContext>>();
        }
        return services;
    }

    public const int MaxRetries = 6;

    public static string ConnectionName(DatabaseProvider provider) =>
        provider == DatabaseProvider.Postgres ? PostgresConnectionName : SqliteConnectionName;

    /// <summary>
    /// PostgreSQL with Npgsql's retrying execution strategy: a transient fault (a restart, a dropped connection, a deadlock
    /// or serialization failure) is retried up to <see cref="MaxRetries"/> times over about 20 s, so the first command after
    /// a restart does not fail a user's action. Explicit transactions go through <see cref="Transactions"/>.
    /// </summary>
    public static DbContextOptionsBuilder ConfigurePostgres(DbContextOptionsBuilder db, string connectionString, bool retryOnFailure = true) =>
        db.UseNpgsql(WithoutJit(connectionString), npgsql =>
            {
                npgsql.MigrationsHistoryTable("__ef_migrations_history");
                if (retryOnFailure) npgsql.ExecutionStrategy(dependencies => new PostgresRetryingStrategy(dependencies, MaxRetries, TimeSpan.FromSeconds(5)));
            })
          .UseSnakeCaseNamingConvention()
          .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning).Log(CoreEventId.FirstWithoutOrderByAndFilterWarning));

    /// <summary>
    /// The connection string with PostgreSQL's JIT compiler off for the app's sessions (<c>Options=-c jit=off</c>), unless
    /// the string already says what to do with it. The app's statements are short; JIT compiles for any plan whose estimated
    /// cost passes <c>jit_above_cost</c>, and a misestimated join then spends half a second compiling a query that runs in
    /// milliseconds (measured on the health dashboard's path of new members over a year: 850 ms with JIT, 250 ms without).
    /// </summary>
    public static string WithoutJit(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Options?.Contains("jit", StringComparison.OrdinalIgnoreCase) == true) return connectionString;
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? "-c jit=off" : $"{builder.Options} -c jit=off";
        return builder.ConnectionString;
    }

    public static DbContextOptionsBuilder ConfigureSqlite(DbContextOptionsBuilder db, string connectionString) =>
        db.UseSqlite(connectionString, sqlite => sqlite.MigrationsHistoryTable("__ef_migrations_history"))
          .UseSnakeCaseNamingConvention()
          .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));

    /// <summary>
    /// Checks that the database answers and accepts writes, migrating first when configured to (Development by default).
    /// Fails start-up with a <see cref="DatabaseStartupException"/> naming the real cause (refused, host not found, timed out,
    /// authentication failed, no such database, read-only …) and the setting to check.
    /// </summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<DatabaseOptions>();
        var migrate = options.MigrateOnStartup ?? app.Environment.IsDevelopment();
        var name = ConnectionName(options.Provider);
        DatabaseStartupException Failure(DatabaseState state, Exception? ex = null) => new(state.Problem!.Value,
            $"Cannot use the {options.Provider} database: {state.Describe()}. Check ConnectionStrings:{name} " +
            $"(environment variable ConnectionStrings__{name}) and Database:Provider.", ex);

        try
        {
            await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
            if (options.Provider == DatabaseProvider.Sqlite)
            {
                // Opening a missing SQLite file creates an empty one: without migrations it would then have no tables.
                if (migrate) EnsureSqliteFolder(db);
                else if (MissingSqliteFile(db) is { } missing)
                    throw Failure(new(DatabaseProblem.NoSuchDatabase, $"{missing} does not exist and Database:MigrateOnStartup is off"));
            }
            // Connect and probe writes before migrating, so a refusal is reported as its cause rather than as a failed migration.
            var state = await DatabaseReadiness.CheckAsync(db);
            if (!state.Ready) throw Failure(state);
            if (migrate) await db.Database.MigrateAsync();
            await DataProtectionSetup.EnsureSharedKeyAsync(app.Services);
        }
        catch (Exception ex) when (ex is not DatabaseStartupException && DatabaseReadiness.Classify(ex) is { } state)
        {
            throw Failure(state, ex);
        }
    }

    private static string? MissingSqliteFile(AppDbContext db)
    {
        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.Database.GetConnectionString());
        if (builder.Mode == Microsoft.Data.Sqlite.SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:") return null;
        var path = Path.GetFullPath(builder.DataSource);
        return File.Exists(path) ? null : path;
    }

    private static void EnsureSqliteFolder(AppDbContext db)
    {
        var dataSource = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
    }

    /// <summary>
    /// Lets services ask for <see cref="AppDbContext"/> whichever provider is configured. A pooled context keeps the
    /// properties of the app's own that EF Core does not know about, so they are cleared here: a context never writes
    /// as the previous user of the same instance.
    /// </summary>
    private sealed class ProviderContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<AppDbContext>
        where TContext : AppDbContext
    {
        public AppDbContext CreateDbContext() => Reset(inner.CreateDbContext());
        public async Task<AppDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            Reset(await inner.CreateDbContextAsync(cancellationToken));

        private static AppDbContext Reset(AppDbContext db)
        {
            db.ActorId = null;
            return db;
        }
    }
}
