using System.Data.Common;
using System.Linq.Expressions;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CommunityApp.Data;

/// <summary>
/// The one way to lock rows for update: a transaction that reads, decides and writes takes the lock first, so a
/// concurrent writer of the same rows waits for it to commit and then reads what it wrote.
/// <list type="bullet">
/// <item>PostgreSQL: <c>SELECT 1 FROM … WHERE … FOR NO KEY UPDATE OF &lt;the locked table&gt;</c>. That is the lock an
/// <c>UPDATE</c> of non-key columns takes: writers of the same rows wait, but inserts elsewhere whose foreign keys point at
/// the rows (an audit entry, a share of a locked community) do not, so lock orders cannot deadlock on them. A membership
/// is the exception: its insert, soft delete or delete updates its community's kept member count, so it waits for a
/// locked community, and every membership write takes the community's row first. Only the rows of the locked entity are
/// locked, not those of tables its query filters join (a membership's community).</item>
/// <item>SQLite: nothing more is needed. Microsoft.Data.Sqlite begins every transaction with <c>BEGIN IMMEDIATE</c>,
/// which takes the database's write lock at once, so write transactions already run one at a time; the helper
/// only counts the rows.</item>
/// </list>
/// </summary>
public static class RowLocks
{
    /// <summary>The query tag that <see cref="RowLockInterceptor"/> turns into the locking clause.</summary>
    internal const string Tag = "CommunityApp: lock rows for update";

    /// <summary>
    /// Locks the rows of <typeparamref name="T"/> that match <paramref name="rows"/> (query filters apply: a soft-deleted
    /// row is not matched) until the current transaction ends, and returns how many there are.
    /// </summary>
    /// <exception cref="InvalidOperationException">No transaction is open: a lock outside one would end at once.</exception>
    public static async Task<int> LockForUpdateAsync<T>(this AppDbContext db, Expression<Func<T, bool>> rows, CancellationToken ct = default)
        where T : class
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("LockForUpdateAsync needs an open transaction: the lock lasts until it ends.");
        var query = db.Set<T>().Where(rows);
        if (db is PostgresAppDbContext) query = query.TagWith(Tag);
        return (await query.Select(_ => 1).ToListAsync(ct)).Count;
    }

    /// <summary>
    /// <see cref="LockForUpdateAsync{T}(AppDbContext, Expression{Func{T, bool}}, CancellationToken)"/> that also reads the locked
    /// rows' <paramref name="select"/> in the same statement (a score before it changes): one round trip instead of two.
    /// </summary>
    public static async Task<List<TResult>> LockAndReadAsync<T, TResult>(this AppDbContext db, Expression<Func<T, bool>> rows, Expression<Func<T, TResult>> select,
        CancellationToken ct = default)
        where T : class
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("LockAndReadAsync needs an open transaction: the lock lasts until it ends.");
        var query = db.Set<T>().Where(rows);
        if (db is PostgresAppDbContext) query = query.TagWith(Tag);
        return await query.Select(select).ToListAsync(ct);
    }

    /// <summary>
    /// <see cref="LockForUpdateAsync{T}(AppDbContext, Expression{Func{T, bool}}, CancellationToken)"/> for many rows at once,
    /// taking the locks in <paramref name="order"/>, so two writers locking overlapping sets in the same order cannot deadlock.
    /// </summary>
    public static async Task<int> LockForUpdateAsync<T, TKey>(this AppDbContext db, Expression<Func<T, bool>> rows, Expression<Func<T, TKey>> order,
        CancellationToken ct = default)
        where T : class
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("LockForUpdateAsync needs an open transaction: the lock lasts until it ends.");
        var query = db.Set<T>().Where(rows).OrderBy(order).AsQueryable();
        if (db is PostgresAppDbContext) query = query.TagWith(Tag);
        return (await query.Select(_ => 1).ToListAsync(ct)).Count;
    }
}

/// <summary>
/// Appends <c>FOR NO KEY UPDATE OF &lt;alias&gt;</c> to the queries <see cref="RowLocks.LockForUpdateAsync"/> tags (PostgreSQL only).
/// The alias is the one EF gave the queried table in the first <c>FROM</c>; nothing here comes from user input.
/// </summary>
public sealed partial class RowLockInterceptor : DbCommandInterceptor
{
    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        AddLockingClause(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        AddLockingClause(command);
        return ValueTask.FromResult(result);
    }

    internal static void AddLockingClause(DbCommand command)
    {
        if (!command.CommandText.StartsWith("-- " + RowLocks.Tag, StringComparison.Ordinal)) return;
        var from = FirstFrom().Match(command.CommandText);
        if (!from.Success) throw new InvalidOperationException("A row-lock query has no FROM … AS alias to lock: " + command.CommandText);
        command.CommandText = command.CommandText.TrimEnd() + $"\nFOR NO KEY UPDATE OF {from.Groups["alias"].Value}";
    }

    [GeneratedRegex("""^FROM\s+(?:"[^"]+"|[\w.]+)\s+AS\s+(?<alias>"[^"]+"|\w+)""", RegexOptions.Multiline)]
    private static partial Regex FirstFrom();
}
