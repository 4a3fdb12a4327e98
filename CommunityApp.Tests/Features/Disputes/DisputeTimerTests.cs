using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Disputes;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Settings;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;
using static CommunityApp.Tests.Features.Disputes.DisputeWorld;

namespace CommunityApp.Tests.Features.Disputes;

/// <summary>
/// The timers of docs/SPEC.md §12 on fake clocks, with two app instances: the request-confirm ask after
/// <c>requestConfirmDays</c>, and the reminder of a mediation quiet for 30 days (re-armed by new activity). A database of its
/// own: the jobs see every row.
/// </summary>
public sealed class DisputeTimerTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private async Task<List<Notification>> NotificationsAsync(NotificationKind kind, string link)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Notifications.Where(n => n.Kind == kind && n.Link == link).ToListAsync();
    }

    private static void Advance(TimeSpan by, params FakeClockServices[] apps)
    {
        foreach (var app in apps) app.Clock.Advance(by);
    }

    [Fact]
    public async Task Two_instances_ask_both_parties_to_confirm_once_after_the_communitys_confirm_period()
    {
        await using var first = new FakeClockServices(fixture);
        await using var second = new FakeClockServices(fixture);
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        await fixture.Get<SettingsService>().SaveAsync(admin, communityId, new SettingsPatch { RequestConfirmDays = 3 });
        var requester = await fixture.AddMemberAsync(communityId, score: 10);
        var owner = await fixture.AddMemberAsync(communityId);
        var shares = first.Get<ShareService>();
        var shareId = await shares.CreateAsync(owner, communityId, new ShareInput("Ladder", null, WealthKind.Object, 20));
        var requests = new List<Guid>();
        for (var i = 0; i < 10; i++)
        {
            var id = await shares.RequestAsync(requester, shareId, 1, null);
            await shares.AcceptAsync(owner, id);
            requests.Add(id);
        }
        var fulfilled = requests[^1];
        await shares.FulfilAsync(requester, fulfilled);
        var link = CommunityApp.Components.CommunityUrls.For(communityId).Share(shareId);

        Advance(TimeSpan.FromDays(2), first, second);
        (await first.Get<DisputeService>().AskToConfirmDueAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        Advance(TimeSpan.FromDays(1).Add(TimeSpan.FromMinutes(1)), first, second);
        var runs = await Task.WhenAll(first.Get<DisputeService>().AskToConfirmDueAsync(TestContext.Current.CancellationToken),
            second.Get<DisputeService>().AskToConfirmDueAsync(TestContext.Current.CancellationToken));

        runs.Sum().ShouldBe(9, $"each due request is asked about in one of the two runs ({runs[0]} and {runs[1]})");
        var sent = await NotificationsAsync(NotificationKind.RequestConfirmDue, link);
        sent.Count(n => n.UserId == requester).ShouldBe(9);
        sent.Count(n => n.UserId == owner).ShouldBe(9);
        (await second.Get<DisputeService>().AskToConfirmDueAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        await using var db = await fixture.NewContextAsync();
        (await db.ShareRequests.SingleAsync(r => r.Id == fulfilled)).ConfirmAskedAt.ShouldBeNull();
        // Asked, the parties may now open a dispute about it (the clock of the app that asked).
        (await first.Get<DisputeService>().ForRequestsAsync(owner, communityId, [requests[0]]))[requests[0]].MayOpen.ShouldBeTrue();
    }

    [Fact]
    public async Task On_their_timers_two_job_instances_ask_once()
    {
        var settings = new Dictionary<string, string?> { ["Disputes:ConfirmJobInterval"] = TimeSpan.FromMinutes(5).ToString() };
        await using var first = new FakeClockServices(fixture, settings);
        await using var second = new FakeClockServices(fixture, settings);
        var world = await CreateAsync(fixture, failed: false);
        var link = CommunityApp.Components.CommunityUrls.For(world.CommunityId).Share(world.ShareId);
        var jobs = new[] { first.Job<RequestConfirmJob>(), second.Job<RequestConfirmJob>() };
        foreach (var job in jobs) await job.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            Advance(TimeSpan.FromDays(14), first, second);
            await Eventually.UntilAsync(async () => (await NotificationsAsync(NotificationKind.RequestConfirmDue, link)).Count >= 2, "the confirm ask to be sent",
                between: () => Advance(TimeSpan.FromMinutes(5), first, second));
            for (var i = 0; i < 5; i++) Advance(TimeSpan.FromMinutes(5), first, second);
            (await NotificationsAsync(NotificationKind.RequestConfirmDue, link)).Select(n => n.UserId).ShouldBe([world.Requester, world.Owner], ignoreOrder: true);
        }
        finally
        {
            foreach (var job in jobs) await job.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_quiet_mediation_reminds_its_mediators_and_admins_once_per_quiet_period_and_new_activity_rearms_it()
    {
        await using var first = new FakeClockServices(fixture);
        await using var second = new FakeClockServices(fixture);
        var world = await CreateAsync(fixture);
        var disputes = first.Get<DisputeService>();
        var id = await disputes.OpenForRequestAsync(world.Requester, world.RequestId, Input);
        await disputes.OfferToMediateAsync(world.Handler, id);
        var mediatorId = (await disputes.GetAsync(world.Requester, id)).Mediators.Single().Id;
        await disputes.AnswerMediatorAsync(world.Requester, mediatorId, true);
        await disputes.AnswerMediatorAsync(world.Owner, mediatorId, true);
        var link = CommunityApp.Components.CommunityUrls.For(world.CommunityId).Dispute(id);
        async Task<int> RunBothAsync() => (await Task.WhenAll(first.Get<DisputeService>().RemindQuietMediationsAsync(TestContext.Current.CancellationToken),
            second.Get<DisputeService>().RemindQuietMediationsAsync(TestContext.Current.CancellationToken))).Sum();

        Advance(TimeSpan.FromDays(29), first, second);
        (await RunBothAsync()).ShouldBe(0);
        Advance(TimeSpan.FromDays(1).Add(TimeSpan.FromMinutes(1)), first, second);
        (await RunBothAsync()).ShouldBe(1);
        (await NotificationsAsync(NotificationKind.DisputeMediationQuiet, link)).Select(n => n.UserId).ShouldBe([world.Handler, world.Admin], ignoreOrder: true);

        // Still quiet: no second reminder for the same quiet period.
        Advance(TimeSpan.FromDays(40), first, second);
        (await RunBothAsync()).ShouldBe(0);

        // New activity re-arms it: 30 quiet days after the message, one more reminder.
        await first.Get<DisputeService>().PostMessageAsync(world.Requester, id, "Any news?");
        Advance(TimeSpan.FromDays(30).Add(TimeSpan.FromMinutes(1)), first, second);
        (await RunBothAsync()).ShouldBe(1);
        (await NotificationsAsync(NotificationKind.DisputeMediationQuiet, link)).Count.ShouldBe(4);

        // A resolved dispute is never reminded of.
        await first.Get<DisputeService>().ResolveAsync(world.Handler, id, "Done", false);
        Advance(TimeSpan.FromDays(31), first, second);
        (await RunBothAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task An_open_dispute_without_a_mediator_is_not_a_quiet_mediation()
    {
        await using var app = new FakeClockServices(fixture);
        var world = await CreateAsync(fixture);
        await app.Get<DisputeService>().OpenForRequestAsync(world.Requester, world.RequestId, Input);
        app.Clock.Advance(TimeSpan.FromDays(60));
        (await app.Get<DisputeService>().RemindQuietMediationsAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
    }
}
