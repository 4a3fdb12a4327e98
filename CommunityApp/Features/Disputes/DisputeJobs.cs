using CommunityApp.Data.Jobs;

namespace CommunityApp.Features.Disputes;

/// <summary>
/// Asks both parties of a request accepted <c>requestConfirmDays</c> ago and neither fulfilled nor failed to confirm it
/// (docs/SPEC.md §12). Safe with several app instances: each request is claimed by a conditional UPDATE.
/// </summary>
public sealed class RequestConfirmJob(JobRunner runner, IConfiguration configuration, TimeProvider clock, ILogger<RequestConfirmJob> logger)
    : DisputeTimer(runner, "disputes.request-confirm", configuration.GetValue("Disputes:ConfirmJobInterval", TimeSpan.FromMinutes(15)), clock, logger,
        "requests asked to confirm", (service, ct) => service.AskToConfirmDueAsync(ct));

/// <summary>
/// Reminds the mediators and admins of a dispute in mediation with no activity for 30 days (docs/SPEC.md §12), once per
/// quiet period. Safe with several app instances: each reminder is claimed by a conditional UPDATE.
/// </summary>
public sealed class MediationReminderJob(JobRunner runner, IConfiguration configuration, TimeProvider clock, ILogger<MediationReminderJob> logger)
    : DisputeTimer(runner, "disputes.mediation-reminder", configuration.GetValue("Disputes:ReminderJobInterval", TimeSpan.FromMinutes(15)), clock, logger,
        "quiet mediations reminded", (service, ct) => service.RemindQuietMediationsAsync(ct));

/// <summary>A periodic run of one <see cref="DisputeService"/> timer through the <see cref="JobRunner"/>.</summary>
public abstract class DisputeTimer(JobRunner runner, string name, TimeSpan interval, TimeProvider clock, ILogger logger, string what,
    Func<DisputeService, CancellationToken, Task<int>> run) : PeriodicJob(runner, clock)
{
    public override string Name => name;

    public override TimeSpan Period => interval;

    protected override async Task RunOnceAsync(IServiceProvider services, CancellationToken ct)
    {
        var done = await run(services.GetRequiredService<DisputeService>(), ct);
        if (done > 0) logger.LogInformation("{Count} {What}", done, what);
    }
}
