using CommunityApp.Data.Jobs;
namespace CommunityApp.Features.Needs;

/// <summary>
/// The needs job (docs/SPEC.md §8): expires needs whose "needed until" has passed, then starts the next period of
/// recurring needs whose period has ended (a fulfilled weekly need is active again for the new week). Safe with several
/// app instances: each move is a conditional UPDATE, so it happens once however many runs see it due.
/// </summary>
public sealed class NeedRecurrenceJob(JobRunner runner, IConfiguration configuration, TimeProvider clock, ILogger<NeedRecurrenceJob> logger) : PeriodicJob(runner, clock)
{
    public override string Name => "needs.recurrence";

    public override TimeSpan Period { get; } = configuration.GetValue("Needs:RecurrenceJobInterval", TimeSpan.FromMinutes(15));

    protected override async Task RunOnceAsync(IServiceProvider services, CancellationToken ct)
    {
        var needs = services.GetRequiredService<NeedService>();
        var expired = await needs.ExpireDueAsync(ct);
        if (expired > 0) logger.LogInformation("{Count} needs expired", expired);
        var started = await needs.ReplenishDueAsync(ct);
        if (started > 0) logger.LogInformation("{Count} recurring needs started a new period", started);
    }
}
