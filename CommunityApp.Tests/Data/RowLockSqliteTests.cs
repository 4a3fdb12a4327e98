using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Data;

/// <summary>On SQLite <see cref="RowLocks.LockForUpdateAsync"/> only counts: every transaction already holds the write lock.</summary>
public sealed class RowLockSqliteTests(SqliteServiceFixture fixture) : IClassFixture<SqliteServiceFixture>
{
    [Fact]
    public async Task A_transaction_holds_the_write_lock_from_its_start_so_locking_needs_no_statement_of_its_own()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        await using var db = await fixture.NewContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();

        (await db.LockForUpdateAsync<Community>(c => c.Id == communityId)).ShouldBe(1);
        var missing = Guid.NewGuid();
        (await db.LockForUpdateAsync<Community>(c => c.Id == missing)).ShouldBe(0);

        // BEGIN IMMEDIATE: a second writer cannot even begin while the first transaction is open.
        await using var other = new SqliteConnection(new SqliteConnectionStringBuilder(db.Database.GetConnectionString()) { DefaultTimeout = 1, Pooling = false }.ConnectionString);
        await other.OpenAsync();
        Should.Throw<SqliteException>(() => other.BeginTransaction()).SqliteErrorCode.ShouldBe(5); // SQLITE_BUSY
        await transaction.CommitAsync();
        using var afterwards = other.BeginTransaction();
    }
}
