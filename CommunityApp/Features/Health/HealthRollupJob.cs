using CommunityApp.Data.Jobs;

namespace CommunityApp.Features.Health;

/// <summary>
/// Rolls up the health dashboard's days as they close (<see cref="HealthRollups"/>), for every community, once per period
/// across instances (the job runner's claim; the roll itself also holds each community's row, so it is never doubled).
/// Views roll what is missing anyway; this keeps the first view of a day from waiting.
/// </summary>
public sealed class HealthRollupJob(JobRunner runner, IConfiguration configuration, TimeProvider clock, ILogger<HealthRollupJob> logger) : PeriodicJob(runner, clock)
{
    public override string Name => "health.rollup";

    public override TimeSpan Period { get; } = configuration.GetValue("Health:RollupJobInterval", TimeSpan.FromHours(1));

    protected override TimeSpan? FirstRunAfter => TimeSpan.FromMinutes(2);

    protected override async Task RunOnceAsync(IServiceProvider services, CancellationToken ct)
    {
        var rolled = await services.GetRequiredService<HealthService>().RollAllAsync(ct);
        if (rolled > 0) logger.LogInformation("Rolled up the health dashboard's closed days for {Count} communities", rolled);
    }
}
