using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using CommunityApp.Data;
using CommunityApp.Data.Jobs;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Data;

/// <summary>
/// The one job runner (docs/ARCHITECTURE.md, "Background jobs"): two app instances on one PostgreSQL, each with its own
/// runner and its own (fake) clock, run a job once per period between them, and a failed run is recorded and tried again
/// the next period.
/// </summary>
public sealed class JobRunnerTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task Two_instances_ticking_together_run_each_period_once()
    {
        await using var first = new FakeClockServices(fixture);
        await using var second = new FakeClockServices(fixture);
        Sync(first, second);
        var name = "test." + Guid.NewGuid().ToString("N");
        var ran = new ConcurrentBag<string>();
        var outcomes = new List<JobOutcome>();

        for (var period = 0; period < 4; period++)
        {
            var both = await Task.WhenAll(new[] { first, second }.Select(app => Task.Run(() => app.Get<JobRunner>().RunAsync(name, Period,
                (_, _) => { ran.Add(app.Get<JobRunner>().Owner); return Task.CompletedTask; }, TestContext.Current.CancellationToken))));
            both.ShouldBe([JobOutcome.Succeeded, JobOutcome.ClaimedElsewhere], ignoreOrder: true, $"period {period}: one instance runs, the other is refused");
            outcomes.AddRange(both);
            // A later tick inside the same period runs nothing on either instance.
            (await first.Get<JobRunner>().RunAsync(name, Period, (_, _) => throw new InvalidOperationException("ran twice"), TestContext.Current.CancellationToken))
                .ShouldBe(JobOutcome.ClaimedElsewhere);
            Advance(Period, first, second);
        }

        ran.Count.ShouldBe(4);
        var row = await RowAsync(name);
        row.ShouldSatisfyAllConditions(
            r => r.Runs.ShouldBe(4),
            r => r.Failures.ShouldBe(0),
            r => r.LeaseUntil.ShouldBeNull("a finished run lets its lease go"),
            r => r.LastSucceededAt.ShouldNotBeNull(),
            r => new[] { first.Get<JobRunner>().Owner, second.Get<JobRunner>().Owner }.ShouldContain(r.Owner));
    }

    [Fact]
    public async Task On_their_own_timers_two_instances_run_a_job_once_per_period()
    {
        await using var first = new FakeClockServices(fixture);
        await using var second = new FakeClockServices(fixture);
        Sync(first, second);
        var name = "test." + Guid.NewGuid().ToString("N");
        using var ticks = new TickCounter(name);
        var runs = 0;
        var jobs = new[] { first, second }.Select(app => new CountingJob(app.Get<JobRunner>(), app.Clock, name, () => Interlocked.Increment(ref runs))).ToArray();
        foreach (var job in jobs) await job.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            // Starting a job creates its timer at once, so each move of both clocks by a period ticks both instances once.
            for (var period = 1; period <= 3; period++)
            {
                Advance(Period, first, second);
                await Eventually.UntilAsync(() => ticks.Count >= 2 * period, $"both instances to tick in period {period}");
                ticks.Succeeded.ShouldBe(period, $"period {period} ran once");
                ticks.Skipped.ShouldBe(period, $"period {period} was refused to the other instance");
            }
            runs.ShouldBe(3);
            ticks.Failed.ShouldBe(0);
            (await RowAsync(name)).Runs.ShouldBe(3);
        }
        finally
        {
            foreach (var job in jobs) await job.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_failed_run_is_recorded_and_the_next_period_runs_again()
    {
        await using var first = new FakeClockServices(fixture);
        await using var second = new FakeClockServices(fixture);
        Sync(first, second);
        var name = "test." + Guid.NewGuid().ToString("N");
        using var ticks = new TickCounter(name);

        (await first.Get<JobRunner>().RunAsync(name, Period, (_, _) => throw new InvalidOperationException("the mail server is away"), TestContext.Current.CancellationToken))
            .ShouldBe(JobOutcome.Failed);
        var failed = await RowAsync(name);
        failed.ShouldSatisfyAllConditions(
            r => r.LastError.ShouldBe("InvalidOperationException: the mail server is away"),
            r => r.LastFailedAt!.Value.ShouldBe(first.Clock.GetUtcNow().UtcDateTime, TimeSpan.FromMilliseconds(1)),
            r => r.LastSucceededAt.ShouldBeNull(),
            r => r.Failures.ShouldBe(1),
            r => r.LeaseUntil.ShouldBeNull("a failed run lets its lease go"));
        ticks.Failed.ShouldBe(1, "the failure is counted in the metrics");
        // The failed period is not run again by the other instance …
        (await second.Get<JobRunner>().RunAsync(name, Period, (_, _) => Task.CompletedTask, TestContext.Current.CancellationToken)).ShouldBe(JobOutcome.ClaimedElsewhere);

        // … the next one is, by whichever instance ticks first.
        Advance(Period, first, second);
        (await second.Get<JobRunner>().RunAsync(name, Period, (_, _) => Task.CompletedTask, TestContext.Current.CancellationToken)).ShouldBe(JobOutcome.Succeeded);
        (await RowAsync(name)).ShouldSatisfyAllConditions(
            r => r.LastSucceededAt!.Value.ShouldBe(second.Clock.GetUtcNow().UtcDateTime, TimeSpan.FromMilliseconds(1)),
            r => r.LastError.ShouldBe("InvalidOperationException: the mail server is away", "the last error stays for the record"),
            r => r.Runs.ShouldBe(2),
            r => r.Failures.ShouldBe(1));
        ticks.Succeeded.ShouldBe(1);
    }

    [Fact]
    public async Task A_run_still_going_past_its_period_keeps_the_next_period_from_starting_beside_it()
    {
        await using var first = new FakeClockServices(fixture);
        await using var second = new FakeClockServices(fixture);
        Sync(first, second);
        var name = "test." + Guid.NewGuid().ToString("N");
        var release = new TaskCompletionSource();
        var started = new TaskCompletionSource();
        var slow = first.Get<JobRunner>().RunAsync(name, Period, async (_, _) => { started.SetResult(); await release.Task; }, TestContext.Current.CancellationToken);
        await started.Task;

        // The next period on both clocks, but the first run (started a minute into the last one) holds its lease for a period.
        Advance(Period - TimeSpan.FromSeconds(30), first, second);
        (await second.Get<JobRunner>().RunAsync(name, Period, (_, _) => Task.CompletedTask, TestContext.Current.CancellationToken)).ShouldBe(JobOutcome.ClaimedElsewhere);

        release.SetResult();
        (await slow).ShouldBe(JobOutcome.Succeeded);
        (await second.Get<JobRunner>().RunAsync(name, Period, (_, _) => Task.CompletedTask, TestContext.Current.CancellationToken)).ShouldBe(JobOutcome.Succeeded,
            "the lease let go, the new period runs");
    }

    /// <summary>Both clocks at one moment a minute into a period (they start at the real time, a few milliseconds apart).</summary>
    private static void Sync(params FakeClockServices[] apps)
    {
        var latest = apps.Max(a => a.Clock.GetUtcNow().UtcDateTime);
        var at = JobRunner.Slot(latest, Period).End + TimeSpan.FromMinutes(1);
        foreach (var app in apps) app.Clock.SetUtcNow(new DateTimeOffset(at));
    }

    [Fact]
    public async Task A_run_stopped_by_its_instance_shutting_down_leaves_the_period_to_another_instance()
    {
        await using var first = new FakeClockServices(fixture);
        await using var second = new FakeClockServices(fixture);
        Sync(first, second);
        var name = "test." + Guid.NewGuid().ToString("N");
        using var shutdown = new CancellationTokenSource();
        var started = new TaskCompletionSource();
        var stopped = first.Get<JobRunner>().RunAsync(name, Period, async (_, ct) => { started.SetResult(); await Task.Delay(Timeout.Infinite, ct); }, shutdown.Token);
        await started.Task;
        await shutdown.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => stopped);

        (await RowAsync(name)).ShouldSatisfyAllConditions(r => r.LeaseUntil.ShouldBeNull(), r => r.LastStartedAt.ShouldBeNull(), r => r.Failures.ShouldBe(0));
        (await second.Get<JobRunner>().RunAsync(name, Period, (_, _) => Task.CompletedTask, TestContext.Current.CancellationToken)).ShouldBe(JobOutcome.Succeeded,
            "the same period runs on the other instance");
    }

    private static void Advance(TimeSpan by, params FakeClockServices[] apps)
    {
        foreach (var app in apps) app.Clock.Advance(by);
    }

    private async Task<JobRun> RowAsync(string name)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.JobRuns.AsNoTracking().SingleAsync(j => j.Name == name);
    }

    private sealed class CountingJob(JobRunner runner, FakeTimeProvider clock, string name, Action ran) : PeriodicJob(runner, clock)
    {
        public override string Name => name;
        public override TimeSpan Period => JobRunnerTests.Period;
        protected override Task RunOnceAsync(IServiceProvider services, CancellationToken ct)
        {
            ran();
            return Task.CompletedTask;
        }
    }
}

/// <summary>Reads the runner's metrics for one job name: succeeded, failed and skipped (claimed elsewhere) ticks.</summary>
public sealed class TickCounter : IDisposable
{
    private readonly MeterListener listener = new();
    private int succeeded, failed, skipped;

    public TickCounter(string job)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == AppMetrics.MeterName && instrument.Name is "communityapp.jobs.runs" or "communityapp.jobs.skipped") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? name = null, outcome = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "job") name = tag.Value as string;
                if (tag.Key == "outcome") outcome = tag.Value as string;
            }
            if (name != job) return;
            if (instrument.Name == "communityapp.jobs.skipped") Interlocked.Increment(ref skipped);
            else if (outcome == "failed") Interlocked.Increment(ref failed);
            else Interlocked.Increment(ref succeeded);
        });
        listener.Start();
    }

    public int Succeeded => Volatile.Read(ref succeeded);
    public int Failed => Volatile.Read(ref failed);
    public int Skipped => Volatile.Read(ref skipped);
    public int Count => Succeeded + Failed + Skipped;

    public void Dispose() => listener.Dispose();
}

/// <summary>On SQLite (one instance) the runner does not claim: every tick runs, and the run is still recorded.</summary>
public sealed class JobRunnerSqliteTests(SqliteServiceFixture fixture) : IClassFixture<SqliteServiceFixture>
{
    [Fact]
    public async Task Every_tick_runs_and_is_recorded()
    {
        await using var app = new FakeClockServices(fixture);
        var name = "test." + Guid.NewGuid().ToString("N");
        var runner = app.Get<JobRunner>();
        for (var i = 0; i < 2; i++)
            (await runner.RunAsync(name, TimeSpan.FromHours(1), (_, _) => Task.CompletedTask, TestContext.Current.CancellationToken)).ShouldBe(JobOutcome.Succeeded);

        await using var db = await fixture.NewContextAsync();
        var row = await db.JobRuns.AsNoTracking().SingleAsync(j => j.Name == name);
        row.Runs.ShouldBe(2);
        row.LastSucceededAt.ShouldNotBeNull();
    }
}
