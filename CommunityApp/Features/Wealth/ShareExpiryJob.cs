using CommunityApp.Data.Jobs;
namespace CommunityApp.Features.Wealth;

/// <summary>Marks expired shares every few minutes (they already refuse requests the moment they expire).</summary>
public sealed class ShareExpiryJob(JobRunner runner, IConfiguration configuration, TimeProvider clock, ILogger<ShareExpiryJob> logger) : PeriodicJob(runner, clock)
{
    public override string Name => "wealth.share-expiry";

    public override TimeSpan Period { get; } = configuration.GetValue("Wealth:ExpiryJobInterval", TimeSpan.FromMinutes(5));

    protected override async Task RunOnceAsync(IServiceProvider services, CancellationToken ct)
    {
        var expired = await services.GetRequiredService<ShareService>().ExpireDueAsync(ct);
        if (expired > 0) logger.LogInformation("{Count} shares expired", expired);
    }
}
