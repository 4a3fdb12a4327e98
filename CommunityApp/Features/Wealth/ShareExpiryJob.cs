namespace CommunityApp.Features.Wealth;

/// <summary>Marks expired shares every few minutes (they already refuse requests the moment they expire).</summary>
public sealed class ShareExpiryJob(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider clock, ILogger<ShareExpiryJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(configuration.GetValue("Wealth:ExpiryJobInterval", TimeSpan.FromMinutes(5)), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var expired = await scope.ServiceProvider.GetRequiredService<ShareService>().ExpireDueAsync(stoppingToken);
                    if (expired > 0) logger.LogInformation("{Count} shares expired", expired);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "The share expiry job failed; it runs again at the next interval");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
