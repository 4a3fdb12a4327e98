namespace CommunityApp.Features.Disputes;

/// <summary>
/// Asks both parties of a request accepted <c>requestConfirmDays</c> ago and neither fulfilled nor failed to confirm it
/// (docs/SPEC.md §12). Safe with several app instances: each request is claimed by a conditional UPDATE.
/// </summary>
public sealed class RequestConfirmJob(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider clock, ILogger<RequestConfirmJob> logger)
    : DisputeTimer(scopes, configuration.GetValue("Disputes:ConfirmJobInterval", TimeSpan.FromMinutes(15)), clock, logger, "requests asked to confirm",
        (service, ct) => service.AskToConfirmDueAsync(ct));

/// <summary>
/// Reminds the mediators and admins of a dispute in mediation with no activity for 30 days (docs/SPEC.md §12), once per
/// quiet period. Safe with several app instances: each reminder is claimed by a conditional UPDATE.
/// </summary>
public sealed class MediationReminderJob(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider clock, ILogger<MediationReminderJob> logger)
    : DisputeTimer(scopes, configuration.GetValue("Disputes:ReminderJobInterval", TimeSpan.FromMinutes(15)), clock, logger, "quiet mediations reminded",
        (service, ct) => service.RemindQuietMediationsAsync(ct));

/// <summary>A periodic run of one <see cref="DisputeService"/> timer on the app's clock; a failed run is logged and tried again at the next tick.</summary>
public abstract class DisputeTimer(IServiceScopeFactory scopes, TimeSpan interval, TimeProvider clock, ILogger logger, string what,
    Func<DisputeService, CancellationToken, Task<int>> run) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var done = await run(scope.ServiceProvider.GetRequiredService<DisputeService>(), stoppingToken);
                    if (done > 0) logger.LogInformation("{Count} {What}", done, what);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "The dispute timer ({What}) failed; it runs again at the next interval", what);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
