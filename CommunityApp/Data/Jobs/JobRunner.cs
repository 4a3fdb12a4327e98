using System.Diagnostics;
using Microsoft.EntityFrameworkCore;

namespace CommunityApp.Data.Jobs;

/// <summary>How one tick of a job ended.</summary>
public enum JobOutcome
{
    /// <summary>This instance ran the job and it finished.</summary>
    Succeeded,
    /// <summary>This instance ran the job and it threw; the failure is recorded and the next period runs it again.</summary>
    Failed,
    /// <summary>Another instance already ran (or is running) this period's run.</summary>
    ClaimedElsewhere,
}

/// <summary>
/// Runs one background job's run-once body (docs/ARCHITECTURE.md, "Background jobs"). On PostgreSQL each period's run is
/// claimed first by a conditional UPDATE of the job's <c>job_runs</c> row: the periods are fixed slots of the job's
/// interval on the app's clock (days from midnight UTC for a daily job), a row started inside the current slot or still
/// leased by a running instance refuses the claim, so however many instances tick, one of them runs the slot. On SQLite
/// (one instance) it just runs. Either way the run is recorded on the row (start, success or failure and its error) and
/// counted in <see cref="AppMetrics"/>.
/// </summary>
public sealed class JobRunner(IServiceScopeFactory scopes, IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock, ILogger<JobRunner> logger)
{
    /// <summary>Who holds a claim: this runner (one per app instance).</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Claims this period's run of <paramref name="name"/> and, when claimed, runs <paramref name="body"/> in a scope of its own.</summary>
    public async Task<JobOutcome> RunAsync(string name, TimeSpan period, Func<IServiceProvider, CancellationToken, Task> body, CancellationToken ct)
    {
        if (!await ClaimAsync(name, period, ct))
        {
            AppMetrics.JobSkipped(name);
            logger.LogDebug("Job {Job}: this period's run is claimed by another instance", name);
            return JobOutcome.ClaimedElsewhere;
        }
        var started = Stopwatch.GetTimestamp();
        Exception? failure = null;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await body(scope.ServiceProvider, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            failure = ex;
        }
        finally
        {
            // Recorded even when stopped mid-run (the lease is let go and the period opened again).
            await FinishAsync(name, failure, ct.IsCancellationRequested && failure is null);
        }
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (failure is not null)
        {
            AppMetrics.JobFinished(name, failed: true, seconds);
            logger.LogError(failure, "The job {Job} failed; it runs again next period", name);
            return JobOutcome.Failed;
        }
        AppMetrics.JobFinished(name, failed: false, seconds);
        return JobOutcome.Succeeded;
    }

    /// <summary>The slot of <paramref name="period"/> that <paramref name="now"/> falls in: [start, end).</summary>
    public static (DateTime Start, DateTime End) Slot(DateTime now, TimeSpan period)
    {
        var start = new DateTime(now.Ticks - now.Ticks % period.Ticks, DateTimeKind.Utc);
        return (start, start + period);
    }

    private async Task<bool> ClaimAsync(string name, TimeSpan period, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var (slotStart, slotEnd) = Slot(now, period);
        var leaseUntil = now + period;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Database.ExecuteSqlAsync($"INSERT INTO job_runs (name, runs, failures) VALUES ({name}, 0, 0) ON CONFLICT (name) DO NOTHING", ct);
        // On PostgreSQL: not yet started in this slot (a start outside it, before or after: a clock set back in tests, too),
        // and no other instance still holding the lease of a run that outlasted its period. SQLite (one instance) just runs.
        var shared = db.Database.IsNpgsql();
        var owner = Owner;
        return await db.JobRuns
            .Where(j => j.Name == name)
            .Where(j => !shared || ((j.LastStartedAt == null || j.LastStartedAt < slotStart || j.LastStartedAt >= slotEnd)
                && (j.LeaseUntil == null || j.LeaseUntil <= now)))
            .ExecuteUpdateAsync(s => s
            .SetProperty(j => j.LastStartedAt, now)
            .SetProperty(j => j.LeaseUntil, leaseUntil)
            .SetProperty(j => j.Owner, owner)
            .SetProperty(j => j.Runs, j => j.Runs + 1), ct) == 1;
    }

    private async Task FinishAsync(string name, Exception? failure, bool stopped)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var owner = Owner;
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            if (failure is not null)
            {
                var error = Truncate($"{failure.GetType().Name}: {failure.Message}", JobRun.ErrorLength);
                await db.JobRuns.Where(j => j.Name == name && j.Owner == owner).ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.LeaseUntil, (DateTime?)null)
                    .SetProperty(j => j.LastFailedAt, now)
                    .SetProperty(j => j.LastError, error)
                    .SetProperty(j => j.Failures, j => j.Failures + 1));
            }
            else if (stopped)
            {
                // Stopped before its end (the instance shutting down): the period is open again, so another instance (or
                // this one after a restart) runs it; the bodies are safe to run twice.
                await db.JobRuns.Where(j => j.Name == name && j.Owner == owner).ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.LeaseUntil, (DateTime?)null)
                    .SetProperty(j => j.LastStartedAt, (DateTime?)null));
            }
            else
            {
                await db.JobRuns.Where(j => j.Name == name && j.Owner == owner).ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.LeaseUntil, (DateTime?)null)
                    .SetProperty(j => j.LastSucceededAt, now));
            }
        }
        catch (Exception ex)
        {
            // The run itself is over; a lease left behind runs out by itself.
            logger.LogWarning(ex, "Could not record the end of the job {Job}'s run", name);
        }
    }

    internal void LogClaimFailed(string name, Exception ex)
    {
        AppMetrics.JobFinished(name, failed: true, 0);
        logger.LogError(ex, "The job {Job} could not be claimed; it is tried again at the next tick", name);
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}

/// <summary>
/// A background job: the runner owns the loop (a <see cref="PeriodicTimer"/> on the app's <see cref="TimeProvider"/>, and
/// optionally a first run shortly after start-up), the claim and the record; the job gives its name, its period and its
/// run-once body.
/// </summary>
public abstract class PeriodicJob(JobRunner runner, TimeProvider clock) : BackgroundService
{
    /// <summary>The job's name in <c>job_runs</c> and in the metrics.</summary>
    public abstract string Name { get; }

    /// <summary>How often it runs: also the length of the slot it is claimed for across instances.</summary>
    public abstract TimeSpan Period { get; }

    /// <summary>When set, the first run comes this long after start-up instead of one period later.</summary>
    protected virtual TimeSpan? FirstRunAfter => null;

    /// <summary>One run, in a scope of its own; an exception is recorded as the run's failure.</summary>
    protected abstract Task RunOnceAsync(IServiceProvider services, CancellationToken ct);

    private PeriodicTimer? timer;

    /// <summary>The timer starts with the job (not when its loop gets a thread), so the periods count from start-up.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        timer = new PeriodicTimer(Period, clock);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = this.timer ?? new PeriodicTimer(Period, clock);
        try
        {
            if (FirstRunAfter is { } first)
            {
                await Task.Delay(first, clock, stoppingToken);
                await TickAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken)) await TickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    private async Task TickAsync(CancellationToken stoppingToken)
    {
        try
        {
            await runner.RunAsync(Name, Period, RunOnceAsync, stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The claim itself failed (the database is away): the next tick tries again.
            runner.LogClaimFailed(Name, ex);
        }
    }
}

/// <summary>A run that did part of its work and failed the rest (logged as it happened): recorded as a failed run.</summary>
public sealed class JobPartlyFailedException(string message) : Exception(message);
