using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using CommunityApp.Data;
using CommunityApp.Features;

namespace CommunityApp.Tests.Infrastructure;

/// <summary>The app's feature services over a real database of their own: PostgreSQL by default, SQLite for the smoke subset.</summary>
public class ServiceFixture : IAsyncLifetime
{
    private readonly DatabaseProvider provider;
    private string connectionString = "";
    private string? sqliteFile;
    private ServiceProvider? services;

    public ServiceFixture() : this(DatabaseProvider.Postgres) { }

    protected ServiceFixture(DatabaseProvider provider) => this.provider = provider;

    public IServiceProvider Services => services ?? throw new InvalidOperationException("Fixture not initialised.");

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public async ValueTask InitializeAsync()
    {
        if (provider == DatabaseProvider.Postgres)
        {
            connectionString = await TestDatabases.CreatePostgresAsync();
        }
        else
        {
            sqliteFile = Path.Combine(Path.GetTempPath(), $"communityapp-test-{Guid.NewGuid():N}.db");
            connectionString = $"Data Source={sqliteFile}";
        }

        var collection = new ServiceCollection()
            .AddLogging()
            .Configure<IdentityOptions>(IdentityModel.UseSchemaVersion)
            .AddSingleton<ILookupNormalizer, UpperInvariantLookupNormalizer>()
            .AddAppDatabase(provider, connectionString)
            .AddFeatures();
        services = collection.BuildServiceProvider();
        if (provider == DatabaseProvider.Sqlite)
        {
            await using var db = await NewContextAsync();
            await db.Database.MigrateAsync();
        }
    }

    public async Task<AppDbContext> NewContextAsync() =>
        await Get<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();

    /// <summary>Adds a user row as registration would (the tests do not need a password).</summary>
    public async Task<string> CreateUserAsync(string? userName = null)
    {
        userName ??= "user" + Guid.NewGuid().ToString("N")[..10];
        await using var db = await NewContextAsync();
        var user = new ApplicationUser
        {
            UserName = userName,
            NormalizedUserName = userName.ToUpperInvariant(),
            Email = $"{userName}@example.test",
            NormalizedEmail = $"{userName}@example.test".ToUpperInvariant(),
            DisplayName = $"Display {userName}",
            SecurityStamp = Guid.NewGuid().ToString(),
        };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    public async ValueTask DisposeAsync()
    {
        if (services is not null) await services.DisposeAsync();
        if (provider == DatabaseProvider.Postgres) await TestDatabases.DropPostgresAsync(connectionString);
        else if (sqliteFile is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(sqliteFile);
        }
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteServiceFixture : ServiceFixture
{
    public SqliteServiceFixture() : base(DatabaseProvider.Sqlite) { }
}
