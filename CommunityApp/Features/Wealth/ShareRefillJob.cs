namespace CommunityApp.Features.Wealth;

/// <summary>
/// Refills recurring shares whose period has ended (docs/SPEC.md §5.2): a weekly basket offers its units again for the new
/// week. Safe with several app instances: each share's period moves by a conditional UPDATE on the period start it was
/// read with, so it is refilled once however many runs see it due. Requests never wait for it: the first request after
/// the boundary refills the share itself, the same way.
/// </summary>
public sealed class ShareRefillJob(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider clock, ILogger<ShareRefillJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(configuration.GetValue("Wealth:RefillJobInterval", TimeSpan.FromMinutes(15)), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var refilled = await scope.ServiceProvider.GetRequiredService<ShareService>().RefillDueAsync(stoppingToken);
                    if (refilled > 0) logger.LogInformation("{Count} recurring shares refilled for a new period", refilled);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "The share refill job failed; it runs again at the next interval");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
