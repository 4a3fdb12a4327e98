namespace CommunityApp.Features.Polls;

/// <summary>
/// Tells the members who have not voted that a poll closes within a day (docs/SPEC.md §9). Safe with several app
/// instances: each poll's reminder is claimed by a conditional UPDATE on the moment it was due, in the transaction that
/// writes the notifications, so it is sent once however many runs see it due.
/// </summary>
public sealed class PollClosingSoonJob(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider clock, ILogger<PollClosingSoonJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(configuration.GetValue("Polls:ClosingSoonJobInterval", TimeSpan.FromMinutes(5)), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var sent = await scope.ServiceProvider.GetRequiredService<PollService>().SendClosingSoonAsync(stoppingToken);
                    if (sent > 0) logger.LogInformation("{Count} polls announced as closing soon", sent);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "The poll closing-soon job failed; it runs again at the next interval");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
