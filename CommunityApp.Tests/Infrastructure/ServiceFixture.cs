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

    public DatabaseProvider Provider => provider;

    /// <summary>The fixture's own database, for code that opens its own connections (the demo seed).</summary>
    public string ConnectionString => connectionString;

    /// <summary>The services' <c>App:PublicBaseUrl</c>: links they write (the invite mail) start with it.</summary>
    public const string PublicBaseUrl = "http://app.test/";

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>The services' <see cref="TimeProvider"/>: real time unless a test sets or moves it.</summary>
    public TestClock Clock { get; } = new();

    public async ValueTask InitializeAsync()
    {
        if (provider == DatabaseProvider.Postgres)
        {
            connectionString = await CreatePostgresAsync();
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
            .AddSingleton<MailOutbox>()
            .AddSingleton<CommunityApp.Auth.IMailSender>(sp => sp.GetRequiredService<MailOutbox>())
            .Configure<CommunityApp.Auth.PublicUrlOptions>(o => o.PublicBaseUrl = PublicBaseUrl)
            .AddSingleton<TimeProvider>(Clock)
            .AddAppDatabase(provider, connectionString)
            .AddFeatures();
        services = collection.BuildServiceProvider();
        if (provider == DatabaseProvider.Sqlite)
        {
            await using var db = await NewContextAsync();
            await db.Database.MigrateAsync();
        }
    }

    /// <summary>A database of its own on the tests' PostgreSQL server, migrated; a fixture with a server of its own overrides these.</summary>
    protected virtual Task<string> CreatePostgresAsync() => TestDatabases.CreatePostgresAsync();

    /// <summary>Hands the database back for the next class (emptied), or, with a server of its own, drops it.</summary>
    protected virtual Task DropPostgresAsync(string connectionString) => TestDatabases.RecycleAsync(connectionString);

    public async Task<AppDbContext> NewContextAsync() =>
        await Get<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();

    /// <summary>
    /// A context without the retrying execution strategy, for a test that holds a transaction of its own open across
    /// steps (the strategy allows explicit transactions only inside its <c>ExecuteAsync</c>); on SQLite the usual one.
    /// </summary>
    public async Task<AppDbContext> NewContextWithoutRetriesAsync()
    {
        if (provider != DatabaseProvider.Postgres) return await NewContextAsync();
        var options = new DbContextOptionsBuilder<PostgresAppDbContext>();
        DataSetup.ConfigurePostgres(options, connectionString, retryOnFailure: false)
            .AddInterceptors(Get<AuditInterceptor>(), new RowLockInterceptor())
            .UseApplicationServiceProvider(IdentityModel.Services);
        return new PostgresAppDbContext(options.Options);
    }

    /// <summary>Adds a user row as registration and its confirmation mail would (the tests do not need a password).</summary>
    public async Task<string> CreateUserAsync(string? userName = null, bool emailConfirmed = true)
    {
        userName ??= "user" + Guid.NewGuid().ToString("N")[..10];
        await using var db = await NewContextAsync();
        var user = new ApplicationUser
        {
            UserName = userName,
            NormalizedUserName = userName.ToUpperInvariant(),
            Email = $"{userName}@example.test",
            NormalizedEmail = $"{userName}@example.test".ToUpperInvariant(),
            EmailConfirmed = emailConfirmed,
            DisplayName = $"Display {userName}",
            SecurityStamp = Guid.NewGuid().ToString(),
        };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    /// <summary>A community created through the real service, with its creator as admin (and the starter catalogue, docs/SPEC.md §5.1).</summary>
    public async Task<(Guid CommunityId, string AdminId)> CreateCommunityAsync(string name = "Test community")
    {
        var admin = await CreateUserAsync();
        var id = await Get<CommunityApp.Features.Communities.CommunityService>().CreateAsync(admin, new(name, null));
        return (id, admin);
    }

    /// <summary>The id of the community's item with this English name, such as a starter item ("Carrots", "Drill").</summary>
    public async Task<Guid> ItemIdAsync(Guid communityId, string name)
    {
        await using var db = await NewContextAsync();
        return await db.Items.Where(i => i.CommunityId == communityId && i.Name == name).Select(i => i.Id).SingleAsync();
    }

    /// <summary>
    /// Adds a member directly (invites are tested on their own). <paramref name="score"/> is always an admin grant: the
    /// maintained score equals it and a recompute keeps it, and awards the test makes add to it, as in the app.
    /// </summary>
    public async Task<string> AddMemberAsync(Guid communityId, CommunityApp.Features.Communities.MemberRole role = CommunityApp.Features.Communities.MemberRole.Member,
        int score = 0, string? userId = null, params CommunityApp.Auth.FeatureRole[] featureRoles)
    {
        userId ??= await CreateUserAsync();
        await using var db = await NewContextAsync();
        var membership = new CommunityApp.Features.Communities.Membership { CommunityId = communityId, UserId = userId, Role = role, AdminGrant = score, TrustScore = score };
        membership.FeatureRoles.AddRange(featureRoles.Select(r => new CommunityApp.Features.Communities.MemberFeatureRole { Role = r }));
        db.Memberships.Add(membership);
        await db.SaveChangesAsync();
        return userId;
    }

    /// <summary>Sets the member's admin grant and, with no awards received, the score: the same meaning as <c>AddMemberAsync(score:)</c>.</summary>
    public async Task SetScoreAsync(Guid communityId, string userId, int score)
    {
        await using var db = await NewContextAsync();
        await db.Memberships.Where(m => m.CommunityId == communityId && m.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.AdminGrant, score).SetProperty(m => m.TrustScore, score));
    }

    public async ValueTask DisposeAsync()
    {
        if (services is not null) await services.DisposeAsync();
        if (provider == DatabaseProvider.Postgres) await DropPostgresAsync(connectionString);
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
