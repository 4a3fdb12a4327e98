using Microsoft.EntityFrameworkCore;

namespace CommunityApp.Tests.Infrastructure;

/// <summary>Waits for PostgreSQL sessions to queue on a lock, so a test can prove that a service waits for one.</summary>
public static class LockWaits
{
    /// <summary>
    /// Returns once <paramref name="sessions"/> sessions of the fixture's database wait for a lock, or as soon as one of
    /// <paramref name="waiters"/> has ended (it did not wait). Polled from a session of its own, outside any transaction:
    /// PostgreSQL keeps one snapshot of pg_stat_activity per transaction.
    /// </summary>
    public static async Task UntilWaitingAsync(ServiceFixture fixture, int sessions, params Task[] waiters)
    {
        await using var db = await fixture.NewContextAsync();
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        while (!waiters.Any(w => w.IsCompleted))
        {
            var waiting = await db.Database.SqlQuery<int>(
                $"SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").SingleAsync();
            if (waiting >= sessions) return;
            if (elapsed.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"{sessions} sessions did not wait for a lock within 30 s.");
            await Task.Delay(20);
        }
    }
}
