using CommunityApp.Data.Jobs;
namespace CommunityApp.Features.Wealth;

/// <summary>
/// Refills recurring shares whose period has ended (docs/SPEC.md §5.2): a weekly basket offers its units again for the new
/// week. Safe with several app instances: each share's period moves by a conditional UPDATE on the period start it was
/// read with, so it is refilled once however many runs see it due. Requests never wait for it: the first request after
/// the boundary refills the share itself, the same way.
/// </summary>
public sealed class ShareRefillJob(JobRunner runner, IConfiguration configuration, TimeProvider clock, ILogger<ShareRefillJob> logger) : PeriodicJob(runner, clock)
{
    public override string Name => "wealth.share-refill";

    public override TimeSpan Period { get; } = configuration.GetValue("Wealth:RefillJobInterval", TimeSpan.FromMinutes(15));

    protected override async Task RunOnceAsync(IServiceProvider services, CancellationToken ct)
    {
        var refilled = await services.GetRequiredService<ShareService>().RefillDueAsync(ct);
        if (refilled > 0) logger.LogInformation("{Count} recurring shares refilled for a new period", refilled);
    }
}
