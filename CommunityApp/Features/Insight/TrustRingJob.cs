namespace CommunityApp.Features.Insight;

/// <summary>
/// Recomputes the trust-ring signal (docs/SPEC.md §13) of each community once per <c>Insight:TrustRingEvery</c> (a day),
/// looking every <c>Insight:TrustRingJobInterval</c> (an hour). Safe with several app instances: each community's run is
/// claimed by a conditional UPDATE on the time of its last run (<see cref="TrustRingService.ScanAsync"/>), so it is
/// computed once however many instances see it due.
/// </summary>
public sealed class TrustRingJob(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider clock, ILogger<TrustRingJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(configuration.GetValue("Insight:TrustRingJobInterval", TimeSpan.FromHours(1)), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var ran = await scope.ServiceProvider.GetRequiredService<TrustRingService>().ScanDueAsync(stoppingToken);
                    if (ran > 0) logger.LogInformation("Trust-ring signal computed for {Count} communities", ran);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "The trust-ring job failed; it runs again at the next interval");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
