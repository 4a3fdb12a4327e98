using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Polls;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Polls;

/// <summary>
/// The "closing soon" notification (docs/SPEC.md §9): 24 h before the end, to the members who have not voted, once, also
/// with two app instances running the job at the same moment on fake clocks. A database of its own: the job sees every poll.
/// </summary>
public sealed class PollClosingSoonJobTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private async Task<List<Notification>> ClosingSoonAsync(Guid pollId)
    {
        await using var db = await fixture.NewContextAsync();
        var link = $"/polls/{pollId}";
        return await db.Notifications.Where(n => n.Kind == NotificationKind.PollClosingSoon && n.Link.EndsWith(link)).ToListAsync();
    }

    [Fact]
    public async Task Two_instances_running_the_job_at_once_send_it_once_and_only_to_members_who_have_not_voted()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var voter = await fixture.AddMemberAsync(communityId);
        var waiting = await fixture.AddMemberAsync(communityId);
        var alsoWaiting = await fixture.AddMemberAsync(communityId);
        await using var first = new FakeClockServices(fixture);
        await using var second = new FakeClockServices(fixture);
        var polls = first.Get<PollService>();
        var ids = new List<Guid>();
        for (var i = 0; i < 20; i++) ids.Add(await polls.CreateAsync(admin, communityId, new PollInput($"Question {i}", null, ["Yes", "No"], DurationHours: 48)));
        var later = await polls.CreateAsync(admin, communityId, new PollInput("Later", null, ["Yes", "No"], DurationHours: 200));
        var shortPoll = await polls.CreateAsync(admin, communityId, new PollInput("Short", null, ["Yes", "No"], DurationHours: 10));
        await using (var db = await fixture.NewContextAsync())
        {
            var options = await db.PollOptions.Where(o => ids.Contains(o.PollId) && o.Position == 0).ToDictionaryAsync(o => o.PollId, o => o.Id);
            foreach (var id in ids) await polls.VoteAsync(voter, id, new VoteInput(options[id]));
        }

        // 23 hours before the end of the 48-hour polls: due. Not yet for the 200-hour one; never for the 10-hour one.
        (await polls.SendClosingSoonAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        first.Clock.Advance(TimeSpan.FromHours(25));
        second.Clock.Advance(TimeSpan.FromHours(25));
        var runs = await Task.WhenAll(first.Get<PollService>().SendClosingSoonAsync(TestContext.Current.CancellationToken),
            second.Get<PollService>().SendClosingSoonAsync(TestContext.Current.CancellationToken));

        runs.Sum().ShouldBe(ids.Count, $"each due poll is announced in one of the two runs (they announced {runs[0]} and {runs[1]})");
        foreach (var id in ids)
        {
            var sent = await ClosingSoonAsync(id);
            sent.Select(n => n.UserId).ShouldBe([admin, waiting, alsoWaiting], ignoreOrder: true);
        }
        (await ClosingSoonAsync(later)).ShouldBeEmpty();
        (await ClosingSoonAsync(shortPoll)).ShouldBeEmpty();
        (await second.Get<PollService>().SendClosingSoonAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        (await first.Get<PollService>().SendClosingSoonAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
    }

    [Fact]
    public async Task Extending_a_poll_announces_the_new_end_and_a_poll_closed_early_is_not_announced()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId);
        await using var app = new FakeClockServices(fixture);
        var polls = app.Get<PollService>();
        var extended = await polls.CreateAsync(admin, communityId, new PollInput("Extended", null, ["Yes", "No"], DurationHours: 30));
        var closed = await polls.CreateAsync(admin, communityId, new PollInput("Closed", null, ["Yes", "No"], DurationHours: 30));
        await polls.CloseAsync(admin, closed);

        app.Clock.Advance(TimeSpan.FromHours(7));
        (await polls.SendClosingSoonAsync(TestContext.Current.CancellationToken)).ShouldBe(1);
        (await ClosingSoonAsync(extended)).Select(n => n.UserId).ShouldBe([admin, member], ignoreOrder: true);
        (await ClosingSoonAsync(closed)).ShouldBeEmpty();

        await polls.ExtendAsync(admin, extended, app.Clock.GetUtcNow().UtcDateTime.AddHours(48));
        app.Clock.Advance(TimeSpan.FromHours(25));
        (await polls.SendClosingSoonAsync(TestContext.Current.CancellationToken)).ShouldBe(1);
        (await ClosingSoonAsync(extended)).Count.ShouldBe(4);
    }

    [Fact]
    public async Task On_their_timers_two_job_instances_send_the_reminder_once()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId);
        var settings = new Dictionary<string, string?> { ["Polls:ClosingSoonJobInterval"] = TimeSpan.FromMinutes(5).ToString() };
        await using var first = new FakeClockServices(fixture, settings);
        await using var second = new FakeClockServices(fixture, settings);
        var pollId = await first.Get<PollService>().CreateAsync(admin, communityId, new PollInput("Timers", null, ["Yes", "No"], DurationHours: 30));
        var jobs = new[] { first.Job<PollClosingSoonJob>(), second.Job<PollClosingSoonJob>() };
        foreach (var job in jobs) await job.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            first.Clock.Advance(TimeSpan.FromHours(6));
            second.Clock.Advance(TimeSpan.FromHours(6));
            await Eventually.UntilAsync(async () => (await ClosingSoonAsync(pollId)).Count > 0, "the reminder to be sent", between: () =>
            {
                first.Clock.Advance(TimeSpan.FromMinutes(5));
                second.Clock.Advance(TimeSpan.FromMinutes(5));
            });
            for (var i = 0; i < 5; i++)
            {
                first.Clock.Advance(TimeSpan.FromMinutes(5));
                second.Clock.Advance(TimeSpan.FromMinutes(5));
            }
            (await ClosingSoonAsync(pollId)).Select(n => n.UserId).ShouldBe([admin, member], ignoreOrder: true);
        }
        finally
        {
            foreach (var job in jobs) await job.StopAsync(CancellationToken.None);
        }
    }
}
