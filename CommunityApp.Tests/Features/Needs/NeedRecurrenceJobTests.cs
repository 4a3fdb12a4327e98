using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Needs;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Needs;

/// <summary>
/// Recurring needs start a new period once per period (docs/SPEC.md §8), on the job's timer and the app's clock, also
/// when two app instances run the job at the same moment over one database. A database of its own: the job sees every need in it.
/// </summary>
public sealed class NeedRecurrenceJobTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    private async Task<(Guid CommunityId, string Owner)> FreshCommunityAsync()
    {
        await using (var db = await fixture.NewContextAsync()) await db.Needs.ExecuteDeleteAsync();
        var (communityId, _) = await fixture.CreateCommunityAsync();
        return (communityId, await fixture.AddMemberAsync(communityId, score: 5));
    }

    private async Task<Dictionary<Guid, Need>> LoadAsync()
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Needs.AsNoTracking().ToDictionaryAsync(n => n.Id);
    }

    [Fact]
    public async Task Two_instances_running_the_job_at_once_start_each_ended_period_exactly_once()
    {
        var (communityId, owner) = await FreshCommunityAsync();
        await using var first = new FakeClockServices(fixture);
        await using var second = new FakeClockServices(fixture);
        var needs = first.Get<NeedService>();
        var weekly = new List<Guid>();
        for (var i = 0; i < 150; i++) weekly.Add(await needs.CreateAsync(owner, communityId, new NeedInput(null, $"Bread {i}", null, 1, NeedPriority.Need, NeedRecurrence.Weekly)));
        var fulfilled = await needs.CreateAsync(owner, communityId, new NeedInput(null, "Milk", null, 2, NeedPriority.Need, NeedRecurrence.Weekly));
        await needs.FulfilAsync(owner, fulfilled);
        var daily = await needs.CreateAsync(owner, communityId, new NeedInput(null, "Paper", null, 1, NeedPriority.Want, NeedRecurrence.Daily));
        var monthly = await needs.CreateAsync(owner, communityId, new NeedInput(null, "Rice", null, 1, NeedPriority.Need, NeedRecurrence.Monthly));
        var once = await needs.CreateAsync(owner, communityId, new NeedInput(null, "Chair", null, 1));
        var cancelled = await needs.CreateAsync(owner, communityId, new NeedInput(null, "Oil", null, 1, NeedPriority.Need, NeedRecurrence.Weekly));
        await needs.CancelAsync(owner, cancelled);
        var before = await LoadAsync();

        // Both instances are eight days on: every weekly and daily period has ended, the monthly one has not.
        first.Clock.Advance(TimeSpan.FromDays(8));
        second.Clock.Advance(TimeSpan.FromDays(8));
        var runs = await Task.WhenAll(first.Get<NeedService>().ReplenishDueAsync(TestContext.Current.CancellationToken),
            second.Get<NeedService>().ReplenishDueAsync(TestContext.Current.CancellationToken));

        runs.Sum().ShouldBe(weekly.Count + 2, $"each due need starts its period in one of the two runs (they started {runs[0]} and {runs[1]})");
        var after = await LoadAsync();
        foreach (var id in weekly.Append(fulfilled))
        {
            after[id].PeriodStart.ShouldBe(before[id].PeriodStart.AddDays(7), TimeSpan.FromMilliseconds(1));
            after[id].PeriodEnd!.Value.ShouldBe(before[id].PeriodStart.AddDays(14), TimeSpan.FromMilliseconds(1));
            after[id].Status.ShouldBe(NeedStatus.Active);
        }
        after[fulfilled].FulfilledAt.ShouldBeNull();
        after[daily].PeriodStart.ShouldBe(before[daily].PeriodStart.AddDays(8), TimeSpan.FromMilliseconds(1));
        foreach (var id in new[] { monthly, once, cancelled })
        {
            after[id].PeriodStart.ShouldBe(before[id].PeriodStart, TimeSpan.FromMilliseconds(1));
            after[id].Status.ShouldBe(before[id].Status);
            after[id].UpdatedAt.ShouldBe(before[id].UpdatedAt, TimeSpan.FromMilliseconds(1));
        }

        // Either instance running again in the same period changes nothing.
        (await second.Get<NeedService>().ReplenishDueAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        (await first.Get<NeedService>().ReplenishDueAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        (await LoadAsync()).Values.Select(n => (n.Id, n.PeriodStart, n.UpdatedAt)).ShouldBe(after.Values.Select(n => (n.Id, n.PeriodStart, n.UpdatedAt)), ignoreOrder: true);
    }

    [Fact]
    public async Task A_period_is_started_only_from_the_start_it_was_read_with()
    {
        var (communityId, owner) = await FreshCommunityAsync();
        var needId = await fixture.Get<NeedService>().CreateAsync(owner, communityId, new NeedInput(null, "Eggs", null, 6, NeedPriority.Need, NeedRecurrence.Weekly));
        var start = (await LoadAsync())[needId].PeriodStart;
        var later = start.AddDays(7).AddHours(1);

        await using var db = await fixture.NewContextAsync();
        // Two instances that both read the same old start: the first moves it, the second finds it moved.
        (await NeedService.StartPeriodAsync(db, needId, NeedRecurrence.Weekly, start, later, CancellationToken.None)).ShouldBeTrue();
        (await NeedService.StartPeriodAsync(db, needId, NeedRecurrence.Weekly, start, later, CancellationToken.None)).ShouldBeFalse();
        (await LoadAsync())[needId].PeriodStart.ShouldBe(start.AddDays(7), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task After_three_weeks_down_a_weekly_need_starts_this_weeks_period_once()
    {
        var (communityId, owner) = await FreshCommunityAsync();
        await using var app = new FakeClockServices(fixture);
        var needId = await app.Get<NeedService>().CreateAsync(owner, communityId, new NeedInput(null, "Eggs", null, 6, NeedPriority.Need, NeedRecurrence.Weekly));
        var start = (await LoadAsync())[needId].PeriodStart;

        app.Clock.Advance(TimeSpan.FromDays(22));
        (await app.Get<NeedService>().ReplenishDueAsync(TestContext.Current.CancellationToken)).ShouldBe(1);
        (await app.Get<NeedService>().ReplenishDueAsync(TestContext.Current.CancellationToken)).ShouldBe(0);

        var need = (await LoadAsync())[needId];
        need.PeriodStart.ShouldBe(start.AddDays(21), TimeSpan.FromMilliseconds(1));
        need.PeriodEnd!.Value.ShouldBe(start.AddDays(28), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task On_their_timers_two_job_instances_bring_a_fulfilled_weekly_need_back_once_a_week()
    {
        var (communityId, owner) = await FreshCommunityAsync();
        var settings = new Dictionary<string, string?> { ["Needs:RecurrenceJobInterval"] = Interval.ToString() };
        await using var first = new FakeClockServices(fixture, settings);
        await using var second = new FakeClockServices(fixture, settings);
        var needs = first.Get<NeedService>();
        var needId = await needs.CreateAsync(owner, communityId, new NeedInput(null, "Vegetable box", null, 1, NeedPriority.Need, NeedRecurrence.Weekly));
        await needs.FulfilAsync(owner, needId);
        var start = (await LoadAsync())[needId].PeriodStart;
        var jobs = new[] { first.Job<NeedRecurrenceJob>(), second.Job<NeedRecurrenceJob>() };
        foreach (var job in jobs) await job.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            (await LoadAsync())[needId].Status.ShouldBe(NeedStatus.Fulfilled);
            void Tick()
            {
                first.Clock.Advance(Interval);
                second.Clock.Advance(Interval);
            }

            first.Clock.Advance(TimeSpan.FromDays(7));
            second.Clock.Advance(TimeSpan.FromDays(7));
            await Eventually.UntilAsync(async () => (await LoadAsync())[needId].Status == NeedStatus.Active, "the need to come back for its second week", between: Tick);
            var need = (await LoadAsync())[needId];
            need.PeriodStart.ShouldBe(start.AddDays(7), TimeSpan.FromMilliseconds(1));

            // Fulfilled again this week: both timers keep ticking inside the week, and it stays fulfilled until the next one.
            await needs.FulfilAsync(owner, needId);
            for (var i = 0; i < 5; i++) Tick();
            (await LoadAsync())[needId].ShouldSatisfyAllConditions(n => n.Status.ShouldBe(NeedStatus.Fulfilled), n => n.PeriodStart.ShouldBe(start.AddDays(7), TimeSpan.FromMilliseconds(1)));
        }
        finally
        {
            foreach (var job in jobs) await job.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Needs_past_their_date_expire_once_with_two_instances_and_a_recurring_one_stops_recurring()
    {
        var (communityId, owner) = await FreshCommunityAsync();
        await using var first = new FakeClockServices(fixture);
        await using var second = new FakeClockServices(fixture);
        var needs = first.Get<NeedService>();
        var now = first.Clock.GetUtcNow().UtcDateTime;
        var soon = new List<Guid>();
        for (var i = 0; i < 40; i++) soon.Add(await needs.CreateAsync(owner, communityId, new NeedInput(null, $"Jar {i}", null, 1, ExpiresAt: now.AddDays(3))));
        var weekly = await needs.CreateAsync(owner, communityId, new NeedInput(null, "Bread", null, 1, NeedPriority.Need, NeedRecurrence.Weekly, ExpiresAt: now.AddDays(5)));
        var fulfilled = await needs.CreateAsync(owner, communityId, new NeedInput(null, "Milk", null, 1, ExpiresAt: now.AddDays(3)));
        await needs.FulfilAsync(owner, fulfilled);
        var later = await needs.CreateAsync(owner, communityId, new NeedInput(null, "Chair", null, 1, ExpiresAt: now.AddDays(30)));
        var open = await needs.CreateAsync(owner, communityId, new NeedInput(null, "Table", null, 1));

        first.Clock.Advance(TimeSpan.FromDays(8));
        second.Clock.Advance(TimeSpan.FromDays(8));
        var runs = await Task.WhenAll(first.Get<NeedService>().ExpireDueAsync(TestContext.Current.CancellationToken),
            second.Get<NeedService>().ExpireDueAsync(TestContext.Current.CancellationToken));
        (await first.Get<NeedService>().ReplenishDueAsync(TestContext.Current.CancellationToken)).ShouldBe(0, "an expired weekly need starts no new week");

        runs.Sum().ShouldBe(soon.Count + 1, $"each need past its date expires in one of the two runs (they expired {runs[0]} and {runs[1]})");
        var after = await LoadAsync();
        foreach (var id in soon.Append(weekly)) after[id].Status.ShouldBe(NeedStatus.Expired);
        after[fulfilled].Status.ShouldBe(NeedStatus.Fulfilled);
        after[later].Status.ShouldBe(NeedStatus.Active);
        after[open].Status.ShouldBe(NeedStatus.Active);
        (await first.Get<NeedService>().ExpireDueAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
    }

    [Theory]
    [InlineData(0, "Choose an expiry in the future.")]
    [InlineData(-2, "Choose an expiry in the future.")]
    [InlineData(366, "Choose an expiry within 365 days.")]
    public async Task A_date_in_the_past_or_beyond_a_year_is_a_field_message_and_nothing_is_saved(int days, string message)
    {
        var (communityId, owner) = await FreshCommunityAsync();
        var now = fixture.Clock.GetUtcNow().UtcDateTime;

        var refusal = await Should.ThrowAsync<ValidationFailedException>(() =>
            fixture.Get<NeedService>().CreateAsync(owner, communityId, new NeedInput(null, "Chair", null, 1, ExpiresAt: now.AddDays(days))));

        refusal.Errors.ShouldBe(new Dictionary<string, string> { ["expiresAt"] = message });
        (await LoadAsync()).ShouldBeEmpty();
    }
}
