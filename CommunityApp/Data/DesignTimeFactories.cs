using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CommunityApp.Data;

// `dotnet ef migrations add` uses these, so it needs no database and no configuration.

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAppDbContext>
{
    public PostgresAppDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PostgresAppDbContext>();
        DataSetup.ConfigurePostgres(options, "Host=localhost;Database=communityapp_design").UseApplicationServiceProvider(IdentityModel.Services);
        return new PostgresAppDbContext(options.Options);
    }
}

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAppDbContext>
{
    public SqliteAppDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqliteAppDbContext>();
        DataSetup.ConfigureSqlite(options, "Data Source=design.db").UseApplicationServiceProvider(IdentityModel.Services);
        return new SqliteAppDbContext(options.Options);
    }
}

/// <summary>
/// Identity builds its part of the model from IdentityOptions found in the application's services.
/// Contexts made outside the web host (design time, tests) use these so that the model always has
/// Identity schema version 3 (with the passkey table), exactly as the app does.
/// </summary>
public static class IdentityModel
{
    public static void UseSchemaVersion(IdentityOptions options) => options.Stores.SchemaVersion = IdentitySchemaVersions.Version3;

    public static readonly IServiceProvider Services = new ServiceCollection().Configure<IdentityOptions>(UseSchemaVersion).BuildServiceProvider();
}
