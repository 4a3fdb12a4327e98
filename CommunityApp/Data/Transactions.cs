using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CommunityApp.Data;

/// <summary>
/// Explicit transactions through the provider's execution strategy (docs/ARCHITECTURE.md, "Transient faults"): on
/// PostgreSQL a transient fault (a restart's 57P01, a dropped connection, a deadlock or serialization failure) rolls the
/// attempt back and runs the whole unit again on a fresh connection, with the change tracker cleared so nothing of the
/// failed attempt is saved twice. On SQLite it runs once. What happens after the commit (events, mail) stays outside.
/// </summary>
public static class Transactions
{
    public static Task InTransactionAsync(this AppDbContext db, Func<Task> work, CancellationToken ct) =>
        db.InTransactionAsync(async () =>
        {
            await work();
            return true;
        }, ct);

    public static Task<T> InTransactionAsync<T>(this AppDbContext db, Func<Task<T>> work, CancellationToken ct)
    {
        var attempt = 0;
        return db.Database.CreateExecutionStrategy().ExecuteAsync(async cancel =>
        {
            if (attempt++ > 0) db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancel);
            var result = await work();
            await transaction.CommitAsync(cancel);
            return result;
        }, ct);
    }
}

/// <summary>
/// Npgsql's retrying strategy, which also retries the <see cref="ObjectDisposedException"/> a transaction throws when
/// its connection broke between two commands (a restart ends the session while the unit of work is between statements):
/// the commit was never sent, so running the unit again is safe.
/// </summary>
public sealed class PostgresRetryingStrategy(ExecutionStrategyDependencies dependencies, int maxRetries, TimeSpan maxDelay)
    : Npgsql.EntityFrameworkCore.PostgreSQL.NpgsqlRetryingExecutionStrategy(dependencies, maxRetries, maxDelay, errorCodesToAdd: null)
{
    protected override bool ShouldRetryOn(Exception? exception) =>
        base.ShouldRetryOn(exception)
        || exception is ObjectDisposedException { ObjectName: nameof(Npgsql.NpgsqlTransaction) or nameof(Npgsql.NpgsqlConnection) }
        || (exception is ObjectDisposedException && exception.InnerException is { } inner && base.ShouldRetryOn(inner));
}
