using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Wealth;

/// <summary>
/// The refill job of recurring shares (docs/SPEC.md §5.2): at each period boundary, on its timer and the app's clock, once per
/// period, also when two app instances run it at the same moment over one database. A database of its own: the job sees
/// every share in it, and each test starts with none.
/// </summary>
public sealed class ShareRefillJobTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    private async Task<(Guid CommunityId, string Owner, string Member)> FreshCommunityAsync()
    {
        await using (var db = await fixture.NewContextAsync())
        {
            await db.RecognitionEntries.ExecuteDeleteAsync();
            await db.ShareRequests.ExecuteDeleteAsync();
            await db.Shares.ExecuteDeleteAsync();
        }
        var (communityId, _) = await fixture.CreateCommunityAsync();
        return (communityId, await fixture.AddMemberAsync(communityId), await fixture.AddMemberAsync(communityId, score: 10));
    }

    private async Task<Dictionary<Guid, Share>> LoadAsync()
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Shares.AsNoTracking().ToDictionaryAsync(s => s.Id);
    }

    private static ShareInput Basket(string title, int units, NeedRecurrence recurrence, DateTime? expiresAt = null) =>
        new(title, null, WealthKind.Object, units, ExpiresAt: expiresAt, Recurrence: recurrence);

    /// <summary>Gives one unit of the share to the member (asked, accepted, received), so the refill has something to reset.</summary>
    private static async Task GiveOneAsync(ShareService shares, string owner, string member, Guid shareId)
    {
        var request = await shares.RequestAsync(member, shareId, 1, null);
        await shares.AcceptAsync(owner, request);
        await shares.FulfilAsync(member, request);
    }

    [Fact]
    public async Task Two_instances_running_the_job_at_once_refill_each_ended_period_exactly_once()
    {
        var (communityId, owner, member) = await FreshCommunityAsync();
        await using var first = new FakeClockServices(fixture);
        await using var second = new FakeClockServices(fixture);
        var shares = first.Get<ShareService>();
        var weekly = new List<Guid>();
        for (var i = 0; i < 120; i++) weekly.Add(await shares.CreateAsync(owner, communityId, Basket($"Basket {i}", 3, NeedRecurrence.Weekly)));
        foreach (var id in weekly.Take(10)) await GiveOneAsync(shares, owner, member, id);
        var daily = await shares.CreateAsync(owner, communityId, Basket("Bread", 2, NeedRecurrence.Daily));
        var monthly = await shares.CreateAsync(owner, communityId, Basket("Honey", 2, NeedRecurrence.Monthly));
        await GiveOneAsync(shares, owner, member, monthly);
        var once = await shares.CreateAsync(owner, communityId, Basket("Chair", 1, NeedRecurrence.Once));
        var cancelled = await shares.CreateAsync(owner, communityId, Basket("Eggs", 6, NeedRecurrence.Weekly));
        await shares.CancelShareAsync(owner, cancelled);
        var expired = await shares.CreateAsync(owner, communityId, Basket("Milk", 2, NeedRecurrence.Weekly, first.Clock.GetUtcNow().UtcDateTime.AddDays(5)));
        var before = await LoadAsync();

        // Both instances are eight days on: every weekly and daily period has ended, the monthly one has not.
        first.Clock.Advance(TimeSpan.FromDays(8));
        second.Clock.Advance(TimeSpan.FromDays(8));
        var runs = await Task.WhenAll(first.Get<ShareService>().RefillDueAsync(TestContext.Current.CancellationToken),
            second.Get<ShareService>().RefillDueAsync(TestContext.Current.CancellationToken));

        runs.Sum().ShouldBe(weekly.Count + 1, $"each due share is refilled in one of the two runs (they refilled {runs[0]} and {runs[1]})");
        var after = await LoadAsync();
        foreach (var id in weekly)
        {
            after[id].PeriodStart!.Value.ShouldBe(before[id].PeriodStart!.Value.AddDays(7), TimeSpan.FromMilliseconds(1));
            after[id].PeriodEnd!.Value.ShouldBe(before[id].PeriodStart!.Value.AddDays(14), TimeSpan.FromMilliseconds(1));
            after[id].ShouldSatisfyAllConditions(s => s.UnitsGiven.ShouldBe(0), s => s.UnitsReserved.ShouldBe(0), s => s.Status.ShouldBe(ShareStatus.Active));
        }
        after[daily].PeriodStart!.Value.ShouldBe(before[daily].PeriodStart!.Value.AddDays(8), TimeSpan.FromMilliseconds(1));
        foreach (var id in new[] { monthly, once, cancelled, expired })
        {
            after[id].PeriodStart.ShouldBe(before[id].PeriodStart);
            after[id].UnitsGiven.ShouldBe(before[id].UnitsGiven);
            after[id].UpdatedAt.ShouldBe(before[id].UpdatedAt, TimeSpan.FromMilliseconds(1));
        }
        after[monthly].UnitsGiven.ShouldBe(1);

        // Either instance running again in the same period changes nothing.
        (await second.Get<ShareService>().RefillDueAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        (await first.Get<ShareService>().RefillDueAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        (await LoadAsync()).Values.Select(s => (s.Id, s.PeriodStart, s.UpdatedAt)).ShouldBe(after.Values.Select(s => (s.Id, s.PeriodStart, s.UpdatedAt)), ignoreOrder: true);
    }

    [Fact]
    public async Task A_refill_moves_the_period_only_from_the_start_it_was_read_with()
    {
        var (communityId, owner, _) = await FreshCommunityAsync();
        var shareId = await fixture.Get<ShareService>().CreateAsync(owner, communityId, Basket("Basket", 3, NeedRecurrence.Weekly));
        var start = (await LoadAsync())[shareId].PeriodStart!.Value;
        var later = start.AddDays(7).AddHours(1);

        await using var db = await fixture.NewContextAsync();
        // Two instances that both read the same old start: the first refills, the second finds it moved. Not before the boundary.
        (await SharePeriods.RefillAsync(db, shareId, NeedRecurrence.Weekly, start, start.AddDays(7).AddSeconds(-1), CancellationToken.None)).ShouldBeFalse();
        (await SharePeriods.RefillAsync(db, shareId, NeedRecurrence.Weekly, start, later, CancellationToken.None)).ShouldBeTrue();
        (await SharePeriods.RefillAsync(db, shareId, NeedRecurrence.Weekly, start, later, CancellationToken.None)).ShouldBeFalse();
        (await LoadAsync())[shareId].PeriodStart.ShouldBe(start.AddDays(7));
    }

    [Fact]
    public async Task On_their_timers_two_job_instances_refill_a_weekly_share_at_its_boundary_and_not_before()
    {
        var (communityId, owner, member) = await FreshCommunityAsync();
        var settings = new Dictionary<string, string?> { ["Wealth:RefillJobInterval"] = Interval.ToString() };
        await using var first = new FakeClockServices(fixture, settings);
        await using var second = new FakeClockServices(fixture, settings);
        var shares = first.Get<ShareService>();
        var weekly = await shares.CreateAsync(owner, communityId, Basket("Vegetable basket", 1, NeedRecurrence.Weekly));
        await GiveOneAsync(shares, owner, member, weekly);
        // A daily share shows that the timers are running: it refills every day while the weekly one waits for its week.
        var daily = await shares.CreateAsync(owner, communityId, Basket("Bread", 1, NeedRecurrence.Daily));
        var start = (await LoadAsync())[weekly].PeriodStart!.Value;
        var jobs = new[] { first.Job<ShareRefillJob>(), second.Job<ShareRefillJob>() };
        foreach (var job in jobs) await job.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            void Tick()
            {
                first.Clock.Advance(Interval);
                second.Clock.Advance(Interval);
            }

            // The first day ends: the timers run (each loop may start its timer after a move, so they tick until the daily share is refilled).
            first.Clock.Advance(TimeSpan.FromDays(1) - TimeSpan.FromMinutes(30));
            second.Clock.Advance(TimeSpan.FromDays(1) - TimeSpan.FromMinutes(30));
            await Eventually.UntilAsync(async () => (await LoadAsync())[daily].PeriodStart == start.AddDays(1), "the daily share's second day", between: Tick);

            // Six days and twenty-three hours on: the daily share has been refilled again, the weekly one not yet.
            var to = start.AddDays(7) - TimeSpan.FromHours(1);
            first.Clock.Advance(to - first.Clock.GetUtcNow().UtcDateTime);
            second.Clock.Advance(to - second.Clock.GetUtcNow().UtcDateTime);
            await Eventually.UntilAsync(async () => (await LoadAsync())[daily].PeriodStart == start.AddDays(6), "the daily share's seventh day");
            (await LoadAsync())[weekly].ShouldSatisfyAllConditions(s => s.PeriodStart.ShouldBe(start), s => s.UnitsGiven.ShouldBe(1));

            // Past the boundary: refilled once, for the second week.
            for (var i = 0; i < 6; i++) Tick();
            await Eventually.UntilAsync(async () => (await LoadAsync())[weekly].PeriodStart == start.AddDays(7), "the basket's second week", between: Tick);
            var refilled = (await LoadAsync())[weekly];
            refilled.ShouldSatisfyAllConditions(s => s.UnitsGiven.ShouldBe(0), s => s.PeriodEnd.ShouldBe(start.AddDays(14)), s => s.Status.ShouldBe(ShareStatus.Active));

            // Given again this week: both timers keep ticking inside the week, and nothing comes back until the next one.
            await GiveOneAsync(shares, owner, member, weekly);
            for (var i = 0; i < 5; i++) Tick();
            (await LoadAsync())[weekly].ShouldSatisfyAllConditions(s => s.UnitsGiven.ShouldBe(1), s => s.PeriodStart.ShouldBe(start.AddDays(7)));
        }
        finally
        {
            foreach (var job in jobs) await job.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task After_three_weeks_down_a_weekly_share_refills_once_into_this_week()
    {
        var (communityId, owner, member) = await FreshCommunityAsync();
        await using var app = new FakeClockServices(fixture);
        var shares = app.Get<ShareService>();
        var shareId = await shares.CreateAsync(owner, communityId, Basket("Basket", 1, NeedRecurrence.Weekly));
        await GiveOneAsync(shares, owner, member, shareId);
        var start = (await LoadAsync())[shareId].PeriodStart!.Value;

        app.Clock.Advance(TimeSpan.FromDays(22));
        (await shares.RefillDueAsync(TestContext.Current.CancellationToken)).ShouldBe(1);
        (await shares.RefillDueAsync(TestContext.Current.CancellationToken)).ShouldBe(0);

        (await LoadAsync())[shareId].ShouldSatisfyAllConditions(
            s => s.PeriodStart.ShouldBe(start.AddDays(21)),
            s => s.PeriodEnd.ShouldBe(start.AddDays(28)),
            s => s.UnitsGiven.ShouldBe(0));
    }
}
