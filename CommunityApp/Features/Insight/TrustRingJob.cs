using CommunityApp.Data.Jobs;
namespace CommunityApp.Features.Insight;

/// <summary>
/// Recomputes the trust-ring signal (docs/SPEC.md §13) of each community once per <c>Insight:TrustRingEvery</c> (a day),
/// looking every <c>Insight:TrustRingJobInterval</c> (an hour). Safe with several app instances: each community's run is
/// claimed by a conditional UPDATE on the time of its last run (<see cref="TrustRingService.ScanAsync"/>), so it is
/// computed once however many instances see it due.
/// </summary>
public sealed class TrustRingJob(JobRunner runner, IConfiguration configuration, TimeProvider clock, ILogger<TrustRingJob> logger) : PeriodicJob(runner, clock)
{
    public override string Name => "insight.trust-ring";

    public override TimeSpan Period { get; } = configuration.GetValue("Insight:TrustRingJobInterval", TimeSpan.FromHours(1));

    protected override async Task RunOnceAsync(IServiceProvider services, CancellationToken ct)
    {
        var ran = await services.GetRequiredService<TrustRingService>().ScanDueAsync(ct);
        if (ran > 0) logger.LogInformation("Trust-ring signal computed for {Count} communities", ran);
    }
}
