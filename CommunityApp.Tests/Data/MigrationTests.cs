using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using CommunityApp.Data;

namespace CommunityApp.Tests.Data;

public sealed class MigrationTests
{
    // Same check as `dotnet ef migrations has-pending-model-changes`, for both contexts:
    // a model change without a migration fails the test run.
    [Fact]
    public void The_PostgreSQL_migrations_match_the_model()
    {
        using var db = ((IDesignTimeDbContextFactory<PostgresAppDbContext>)new PostgresDesignTimeFactory()).CreateDbContext([]);
        db.Database.HasPendingModelChanges().ShouldBeFalse("Run: dotnet ef migrations add <Name> --context PostgresAppDbContext --output-dir Data/Migrations/Postgres");
    }

    [Fact]
    public void The_SQLite_migrations_match_the_model()
    {
        using var db = ((IDesignTimeDbContextFactory<SqliteAppDbContext>)new SqliteDesignTimeFactory()).CreateDbContext([]);
        db.Database.HasPendingModelChanges().ShouldBeFalse("Run: dotnet ef migrations add <Name> --context SqliteAppDbContext --output-dir Data/Migrations/Sqlite");
    }

    [Fact]
    public void Both_providers_have_the_same_migrations()
    {
        static IEnumerable<string> Names(DbContext db) => db.Database.GetMigrations().Select(m => m[(m.IndexOf('_') + 1)..]);
        using var postgres = ((IDesignTimeDbContextFactory<PostgresAppDbContext>)new PostgresDesignTimeFactory()).CreateDbContext([]);
        using var sqlite = ((IDesignTimeDbContextFactory<SqliteAppDbContext>)new SqliteDesignTimeFactory()).CreateDbContext([]);

        Names(postgres).ShouldBe(Names(sqlite));
    }

    [Fact]
    public void Every_foreign_key_and_soft_delete_column_is_indexed()
    {
        using var db = ((IDesignTimeDbContextFactory<PostgresAppDbContext>)new PostgresDesignTimeFactory()).CreateDbContext([]);
        foreach (var entity in db.Model.GetEntityTypes())
        {
            foreach (var fk in entity.GetForeignKeys())
            {
                var covered = entity.GetIndexes().Any(i => i.Properties.Take(fk.Properties.Count).SequenceEqual(fk.Properties))
                              || entity.GetKeys().Any(k => k.Properties.Take(fk.Properties.Count).SequenceEqual(fk.Properties));
                covered.ShouldBeTrue($"{entity.DisplayName()}.{string.Join(",", fk.Properties.Select(p => p.Name))} has no index");
            }
        }
    }
}
