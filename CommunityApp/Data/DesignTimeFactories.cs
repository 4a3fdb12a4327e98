using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.Options;

namespace CommunityApp.Data;

// `dotnet ef migrations add` uses these, so it needs no database. The Identity options must carry
// SchemaVersion 3 or the passkey table goes missing from the migrations.

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAppDbContext>
{
    public PostgresAppDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PostgresAppDbContext>();
        DataSetup.ConfigurePostgres(options, "Host=localhost;Database=communityapp_design").UseApplicationServiceProvider(DesignTimeServices.Create());
        return new PostgresAppDbContext(options.Options);
    }
}

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAppDbContext>
{
    public SqliteAppDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqliteAppDbContext>();
        DataSetup.ConfigureSqlite(options, "Data Source=design.db").UseApplicationServiceProvider(DesignTimeServices.Create());
        return new SqliteAppDbContext(options.Options);
    }
}

internal static class DesignTimeServices
{
    public static IServiceProvider Create() => new ServiceCollection()
        .Configure<IdentityOptions>(o => o.Stores.SchemaVersion = IdentitySchemaVersions.Version3)
        .BuildServiceProvider();
}
