using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

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

    /// <summary>Registers the context factory for the configured provider, the audit interceptor and the database health check.</summary>
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

        // ASP.NET Core Identity's stores need a scoped context.
        builder.Services.AddScoped<AppDbContext>(sp => sp.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext());
        builder.Services.AddHealthChecks().AddDbContextCheck<AppDbContext>("database");
        builder.Services.AddDataProtection().SetApplicationName("CommunityApp").PersistKeysToDbContext<AppDbContext>();
    }

    /// <summary>The context factory for one provider, with the audit interceptor (and the row-lock one on PostgreSQL). Tests use it too.</summary>
    public static IServiceCollection AddAppDatabase(this IServiceCollection services, DatabaseProvider provider, string connectionString)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AuditInterceptor>();
        if (provider == DatabaseProvider.Postgres)
        {
            services.AddDbContextFactory<PostgresAppDbContext>((sp, db) => ConfigurePostgres(db, connectionString)
                .AddInterceptors(sp.GetRequiredService<AuditInterceptor>(), new RowLockInterceptor()));
            services.AddSingleton<IDbContextFactory<AppDbContext>, ProviderContextFactory<PostgresAppDbContext>>();
        }
        else
        {
            services.AddDbContextFactory<SqliteAppDbContext>((sp, db) => ConfigureSqlite(db, connectionString).AddInterceptors(sp.GetRequiredService<AuditInterceptor>()));
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
        db.UseNpgsql(connectionString, npgsql =>
            {
                npgsql.MigrationsHistoryTable("__ef_migrations_history");
                if (retryOnFailure) npgsql.ExecutionStrategy(dependencies => new PostgresRetryingStrategy(dependencies, MaxRetries, TimeSpan.FromSeconds(5)));
            })
          .UseSnakeCaseNamingConvention()
          .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning).Log(CoreEventId.FirstWithoutOrderByAndFilterWarning));

    public static DbContextOptionsBuilder ConfigureSqlite(DbContextOptionsBuilder db, string connectionString) =>
        db.UseSqlite(connectionString, sqlite => sqlite.MigrationsHistoryTable("__ef_migrations_history"))
          .UseSnakeCaseNamingConvention()
          .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));

    /// <summary>
    /// Migrates when configured to (Development by default) and checks that the database answers,
    /// failing start-up with a message that names the setting to fix.
    /// </summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<DatabaseOptions>();
        var migrate = options.MigrateOnStartup ?? app.Environment.IsDevelopment();
        var setting = $"ConnectionStrings:{ConnectionName(options.Provider)}";
        try
        {
            await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
            if (migrate)
            {
                if (options.Provider == DatabaseProvider.Sqlite) EnsureSqliteFolder(db);
                await db.Database.MigrateAsync();
            }
            else if (!await db.Database.CanConnectAsync())
            {
                throw new InvalidOperationException("the database did not answer");
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"Cannot use the {options.Provider} database: {ex.Message}. Check {setting} " +
                $"(environment variable ConnectionStrings__{ConnectionName(options.Provider)}) and Database:Provider.", ex);
        }
    }

    private static void EnsureSqliteFolder(AppDbContext db)
    {
        var dataSource = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
    }

    /// <summary>Lets services ask for <see cref="AppDbContext"/> whichever provider is configured.</summary>
    private sealed class ProviderContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<AppDbContext>
        where TContext : AppDbContext
    {
        public AppDbContext CreateDbContext() => inner.CreateDbContext();
        public async Task<AppDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            await inner.CreateDbContextAsync(cancellationToken);
    }
}
