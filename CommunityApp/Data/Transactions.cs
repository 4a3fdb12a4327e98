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
            var transaction = await db.Database.BeginTransactionAsync(cancel);
            var committing = false;
            // A broken connection is reopened by the next command, so afterwards nothing shows it; watch for it instead.
            var connection = db.Database.GetDbConnection();
            var lost = false;
            void Watch(object _, System.Data.StateChangeEventArgs change) => lost |= change.CurrentState is System.Data.ConnectionState.Closed or System.Data.ConnectionState.Broken;
            connection.StateChange += Watch;
            try
            {
                var result = await work();
                committing = true;
                await transaction.CommitAsync(cancel);
                return result;
            }
            // The connection broke under the unit of work (a restart ended the session between two commands): the
            // transaction was completed under it, so whatever this attempt says next ("already completed", "disposed")
            // hides the one thing that matters, that nothing was committed and the unit can run again. A failure during
            // the commit itself is left to the strategy's own judgement (a lost answer to a commit is ambiguous).
            catch (Exception ex) when (!committing && ex is not ConnectionLostException && (lost || transaction.GetDbTransaction().Connection is null || DatabaseFailures.IsBrokenTransaction(ex)))
            {
                throw new ConnectionLostException(ex);
            }
            finally
            {
                connection.StateChange -= Watch;
                try
                {
                    await transaction.DisposeAsync();
                }
                catch (Exception disposal) when (disposal is ObjectDisposedException or InvalidOperationException or System.Data.Common.DbException)
                {
                    // The connection is gone and the server rolled the transaction back; the exception above is the report.
                }
            }
        }, ct);
    }
}

/// <summary>The connection broke while a transaction was open and before its commit: safe to run the unit of work again.</summary>
public sealed class ConnectionLostException(Exception inner) : Exception("The database connection was lost before the transaction committed.", inner);

/// <summary>
/// Npgsql's retrying strategy, which also retries a <see cref="ConnectionLostException"/>: the connection broke between
/// two commands of a unit of work (a restart ends the session while it is between statements), the commit was never
/// sent, so running the unit again is safe.
/// </summary>
public sealed class PostgresRetryingStrategy(ExecutionStrategyDependencies dependencies, int maxRetries, TimeSpan maxDelay)
    : Npgsql.EntityFrameworkCore.PostgreSQL.NpgsqlRetryingExecutionStrategy(dependencies, maxRetries, maxDelay, errorCodesToAdd: null)
{
    protected override bool ShouldRetryOn(Exception? exception) =>
        base.ShouldRetryOn(exception) || exception is ConnectionLostException
        // The transaction was disposed by its broken connection before the command (or the commit) was sent.
        || (exception is ObjectDisposedException && exception.InnerException is { } inner && base.ShouldRetryOn(inner));
}
