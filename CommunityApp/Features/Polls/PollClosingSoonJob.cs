using CommunityApp.Data.Jobs;
namespace CommunityApp.Features.Polls;

/// <summary>
/// Tells the members who have not voted that a poll closes within a day (docs/SPEC.md §9). Safe with several app
/// instances: each poll's reminder is claimed by a conditional UPDATE on the moment it was due, in the transaction that
/// writes the notifications, so it is sent once however many runs see it due.
/// </summary>
public sealed class PollClosingSoonJob(JobRunner runner, IConfiguration configuration, TimeProvider clock, ILogger<PollClosingSoonJob> logger) : PeriodicJob(runner, clock)
{
    public override string Name => "polls.closing-soon";

    public override TimeSpan Period { get; } = configuration.GetValue("Polls:ClosingSoonJobInterval", TimeSpan.FromMinutes(5));

    protected override async Task RunOnceAsync(IServiceProvider services, CancellationToken ct)
    {
        var sent = await services.GetRequiredService<PollService>().SendClosingSoonAsync(ct);
        if (sent > 0) logger.LogInformation("{Count} polls announced as closing soon", sent);
    }
}
