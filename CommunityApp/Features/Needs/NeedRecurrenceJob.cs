namespace CommunityApp.Features.Needs;

/// <summary>
/// The needs job (docs/SPEC.md §8): expires needs whose "needed until" has passed, then starts the next period of
/// recurring needs whose period has ended (a fulfilled weekly need is active again for the new week). Safe with several
/// app instances: each move is a conditional UPDATE, so it happens once however many runs see it due.
/// </summary>
public sealed class NeedRecurrenceJob(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider clock, ILogger<NeedRecurrenceJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(configuration.GetValue("Needs:RecurrenceJobInterval", TimeSpan.FromMinutes(15)), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var needs = scope.ServiceProvider.GetRequiredService<NeedService>();
                    var expired = await needs.ExpireDueAsync(stoppingToken);
                    if (expired > 0) logger.LogInformation("{Count} needs expired", expired);
                    var started = await needs.ReplenishDueAsync(stoppingToken);
                    if (started > 0) logger.LogInformation("{Count} recurring needs started a new period", started);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "The need recurrence job failed; it runs again at the next interval");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
