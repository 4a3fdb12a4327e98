using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Wealth;
using CommunityApp.Resources;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Wealth;

/// <summary>
/// Recurring shares (docs/SPEC.md §5.2): units per period, requests and the per-member cap counted in the current period,
/// requests accepted in a period counting there after the refill, and no refill once a share is cancelled or expired.
/// On the fixture's clock, which each test sets.
/// </summary>
public sealed class RecurringShareTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private static readonly DateTimeOffset Start = new(2031, 5, 5, 9, 0, 0, TimeSpan.Zero);

    private ShareService Shares => fixture.Get<ShareService>();

    private async Task<(Guid CommunityId, string Owner, Guid ShareId)> WeeklyAsync(int units, int? maxPerMember = null, DateTime? expiresAt = null)
    {
        fixture.Clock.Set(Start);
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var shareId = await Shares.CreateAsync(owner, communityId,
            new ShareInput("Vegetable basket", "From the allotment", WealthKind.Object, units, maxPerMember, expiresAt, Recurrence: NeedRecurrence.Weekly));
        return (communityId, owner, shareId);
    }

    private async Task<Share> LoadAsync(Guid shareId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Shares.AsNoTracking().SingleAsync(s => s.Id == shareId);
    }

    private async Task<ShareRequest> RequestRowAsync(Guid requestId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.ShareRequests.AsNoTracking().SingleAsync(r => r.Id == requestId);
    }

    private async Task<Guid> GivenAsync(string owner, string requester, Guid shareId, int units)
    {
        var requestId = await Shares.RequestAsync(requester, shareId, units, null);
        await Shares.AcceptAsync(owner, requestId);
        await Shares.FulfilAsync(requester, requestId);
        return requestId;
    }

    [Fact]
    public async Task A_weekly_share_starts_its_first_week_when_published()
    {
        var (_, _, shareId) = await WeeklyAsync(5);

        var share = await LoadAsync(shareId);
        share.ShouldSatisfyAllConditions(
            s => s.Recurrence.ShouldBe(NeedRecurrence.Weekly),
            s => s.PeriodStart.ShouldBe(Start.UtcDateTime),
            s => s.PeriodEnd.ShouldBe(Start.UtcDateTime.AddDays(7)),
            s => s.UnitsOffered.ShouldBe(5));
    }

    [Fact]
    public async Task Requests_beyond_this_weeks_units_are_refused_with_the_reason_and_the_share_stays_active()
    {
        var (communityId, owner, shareId) = await WeeklyAsync(3);
        var ana = await fixture.AddMemberAsync(communityId, score: 10);
        var ben = await fixture.AddMemberAsync(communityId, score: 10);
        var carla = await fixture.AddMemberAsync(communityId, score: 10);
        await GivenAsync(owner, ana, shareId, 2);

        // One left this week: asking for two names what is left.
        var tooMany = await Should.ThrowAsync<ValidationFailedException>(() => Shares.RequestAsync(ben, shareId, 2, null));
        tooMany.Errors["units"].ShouldBe(Text.Get("Error.UnitsRange", 1));
        var benRequest = await Shares.RequestAsync(ben, shareId, 1, null);
        var carlaRequest = await Shares.RequestAsync(carla, shareId, 1, null);
        await Shares.AcceptAsync(owner, benRequest);

        // Every unit of this week is taken: accepting more is refused, and so is asking, with the week's refill date.
        (await Should.ThrowAsync<AppException>(() => Shares.AcceptAsync(owner, carlaRequest))).Message.ShouldBe(Text.Get("Error.NotEnoughUnitsThisPeriod"));
        var refused = await Should.ThrowAsync<AppException>(() => Shares.RequestAsync(carla, shareId, 1, null));
        refused.Message.ShouldBe(Text.Get("Wealth.NoneLeftThisPeriod.Weekly", SharePeriods.RefillText(Start.UtcDateTime.AddDays(7))));
        refused.Message.ShouldStartWith("None left this week — refills on ");

        await Shares.FulfilAsync(ben, benRequest);
        (await LoadAsync(shareId)).ShouldSatisfyAllConditions(
            s => s.UnitsGiven.ShouldBe(3),
            s => s.UnitsReserved.ShouldBe(0),
            s => s.Status.ShouldBe(ShareStatus.Active, "a recurring share is not fulfilled for good when a week's units are given"));
        (await RequestRowAsync(carlaRequest)).Status.ShouldBe(RequestStatus.Pending);
    }

    [Fact]
    public async Task After_the_boundary_the_share_offers_its_units_again_and_requests_accepted_last_week_keep_counting_there()
    {
        var (communityId, owner, shareId) = await WeeklyAsync(2);
        var ana = await fixture.AddMemberAsync(communityId, score: 10);
        var ben = await fixture.AddMemberAsync(communityId, score: 10);
        var carla = await fixture.AddMemberAsync(communityId, score: 10);
        var anaLastWeek = await Shares.RequestAsync(ana, shareId, 1, null);
        await Shares.AcceptAsync(owner, anaLastWeek);
        var benLastWeek = await Shares.RequestAsync(ben, shareId, 1, null);
        var carlaPending = await Shares.RequestAsync(carla, shareId, 1, "Whenever there is one");
        await Shares.AcceptAsync(owner, benLastWeek);
        await Should.ThrowAsync<AppException>(() => Shares.AcceptAsync(owner, carlaPending));

        // A minute before the boundary nothing is free yet; a minute after, the week's two units are (the job has not run).
        fixture.Clock.Set(Start.AddDays(7).AddMinutes(-1));
        await Should.ThrowAsync<AppException>(() => Shares.RequestAsync(carla, shareId, 1, null));
        fixture.Clock.Set(Start.AddDays(7).AddMinutes(1));
        (await fixture.Get<WealthQueries>().GetAsync(carla, communityId, shareId)).Share.ShouldSatisfyAllConditions(
            s => s.UnitsFree.ShouldBe(2), s => s.PeriodEnd.ShouldBe(Start.UtcDateTime.AddDays(14)));
        // Carla's request from last week is accepted this week and counts here.
        await Shares.AcceptAsync(owner, carlaPending);

        var share = await LoadAsync(shareId);
        share.ShouldSatisfyAllConditions(
            s => s.PeriodStart.ShouldBe(Start.UtcDateTime.AddDays(7)),
            s => s.PeriodEnd.ShouldBe(Start.UtcDateTime.AddDays(14)),
            s => s.UnitsReserved.ShouldBe(1, "only this week's accept; last week's two are not carried over"),
            s => s.UnitsGiven.ShouldBe(0));
        (await RequestRowAsync(carlaPending)).PeriodStart.ShouldBe(Start.UtcDateTime.AddDays(7));

        // Last week's accepted requests end this week and change nothing here: Ana's fulfilled, Ben's cancelled.
        await Shares.FulfilAsync(ana, anaLastWeek);
        await Shares.CancelAsync(ben, benLastWeek);
        (await LoadAsync(shareId)).ShouldSatisfyAllConditions(s => s.UnitsReserved.ShouldBe(1), s => s.UnitsGiven.ShouldBe(0));
        (await RequestRowAsync(anaLastWeek)).ShouldSatisfyAllConditions(r => r.Status.ShouldBe(RequestStatus.Fulfilled), r => r.PeriodStart.ShouldBe(Start.UtcDateTime));

        // This week still has one unit for Ana.
        var anaThisWeek = await Shares.RequestAsync(ana, shareId, 1, null);
        await Shares.AcceptAsync(owner, anaThisWeek);
        await Shares.FulfilAsync(owner, anaThisWeek);
        (await LoadAsync(shareId)).ShouldSatisfyAllConditions(s => s.UnitsReserved.ShouldBe(1), s => s.UnitsGiven.ShouldBe(1), s => s.Status.ShouldBe(ShareStatus.Active));
    }

    [Fact]
    public async Task The_per_member_cap_counts_this_weeks_requests_given_ones_included()
    {
        var (communityId, owner, shareId) = await WeeklyAsync(10, maxPerMember: 2);
        var ana = await fixture.AddMemberAsync(communityId, score: 10);
        await GivenAsync(owner, ana, shareId, 2);

        var capped = await Should.ThrowAsync<ValidationFailedException>(() => Shares.RequestAsync(ana, shareId, 1, null));
        capped.Errors["units"].ShouldBe(Text.Get("Error.MaxPerMemberPerPeriod.Weekly", 2, 2));
        capped.Errors["units"].ShouldBe("Each member may have at most 2 units of this share a week; you already have 2 this week.");

        // Next week Ana may have two again, and no more.
        fixture.Clock.Set(Start.AddDays(7).AddHours(2));
        var next = await Shares.RequestAsync(ana, shareId, 2, null);
        (await Should.ThrowAsync<ValidationFailedException>(() => Shares.RequestAsync(ana, shareId, 1, null))).Errors["units"]
            .ShouldBe(Text.Get("Error.MaxPerMemberPerPeriod.Weekly", 2, 2));
        await Shares.AcceptAsync(owner, next);
        (await LoadAsync(shareId)).UnitsReserved.ShouldBe(2);
    }

    [Fact]
    public async Task Twenty_parallel_accepts_in_one_week_and_twenty_in_the_next_racing_two_refills_never_pass_the_weeks_units()
    {
        var (communityId, owner, shareId) = await WeeklyAsync(5);
        var members = new List<string>();
        for (var i = 0; i < 20; i++) members.Add(await fixture.AddMemberAsync(communityId, score: 10));
        // Forty requests in parallel, two per member, all pending: asking reserves nothing.
        var requests = await Task.WhenAll(members.Concat(members).Select(m => Shares.RequestAsync(m, shareId, 1, null)));

        var firstWeek = await Task.WhenAll(requests[..20].Select(r => Race.Attempt(() => Shares.AcceptAsync(owner, r))));
        firstWeek.Count(won => won).ShouldBe(5, "the first week's five units");

        // The second week: the other twenty accepts race two runs of the refill job; the week is refilled once, and five win.
        fixture.Clock.Set(Start.AddDays(7).AddHours(1));
        var refills = new[] { Shares.RefillDueAsync(), Shares.RefillDueAsync() };
        var secondWeek = await Task.WhenAll(requests[20..].Select(r => Race.Attempt(() => Shares.AcceptAsync(owner, r))));
        await Task.WhenAll(refills);
        secondWeek.Count(won => won).ShouldBe(5, "the second week's five units");

        var share = await LoadAsync(shareId);
        share.ShouldSatisfyAllConditions(
            s => s.PeriodStart.ShouldBe(Start.UtcDateTime.AddDays(7)),
            s => s.UnitsReserved.ShouldBe(5),
            s => s.UnitsGiven.ShouldBe(0));
        await using var db = await fixture.NewContextAsync();
        var accepted = await db.ShareRequests.Where(r => r.ShareId == shareId && r.Status == RequestStatus.Accepted).ToListAsync();
        accepted.Count(r => r.PeriodStart == Start.UtcDateTime).ShouldBe(5);
        accepted.Count(r => r.PeriodStart == Start.UtcDateTime.AddDays(7)).ShouldBe(5);
        accepted.Count.ShouldBe(10);
    }

    [Fact]
    public async Task Checkouts_take_this_weeks_units_and_the_last_one_leaves_the_share_active_until_the_refill()
    {
        var (communityId, owner, shareId) = await WeeklyAsync(2);
        var ana = await fixture.AddMemberAsync(communityId, score: 10);
        var checkout = fixture.Get<CommunityApp.Features.Checkout.CheckoutService>();
        var (_, token) = await checkout.CreateAsync(owner, shareId, new());

        var first = await checkout.CheckoutAsync(ana, communityId, token, 2);
        (await LoadAsync(shareId)).ShouldSatisfyAllConditions(s => s.UnitsGiven.ShouldBe(2), s => s.Status.ShouldBe(ShareStatus.Active));
        (await RequestRowAsync(first)).PeriodStart.ShouldBe(Start.UtcDateTime);
        (await Should.ThrowAsync<AppException>(() => checkout.CheckoutAsync(ana, communityId, token, 1))).Message
            .ShouldBe(Text.Get("Wealth.NoneLeftThisPeriod.Weekly", SharePeriods.RefillText(Start.UtcDateTime.AddDays(7))));
        // The checkout page says when it refills rather than "all gone".
        var view = await checkout.GetAsync(ana, communityId, token);
        (view.State, view.StateNote).ShouldBe((CommunityApp.Features.Checkout.CheckoutLinkState.AllGone,
            Text.Get("Wealth.NoneLeftThisPeriod.Weekly", SharePeriods.RefillText(Start.UtcDateTime.AddDays(7)))));

        // Next week the link gives again, before the job has run.
        fixture.Clock.Set(Start.AddDays(7).AddHours(3));
        (await checkout.GetAsync(ana, communityId, token)).UnitsLeft.ShouldBe(2);
        var second = await checkout.CheckoutAsync(ana, communityId, token, 1);
        (await LoadAsync(shareId)).ShouldSatisfyAllConditions(s => s.UnitsGiven.ShouldBe(1), s => s.PeriodStart.ShouldBe(Start.UtcDateTime.AddDays(7)));
        (await RequestRowAsync(second)).PeriodStart.ShouldBe(Start.UtcDateTime.AddDays(7));
    }

    [Fact]
    public async Task Cancelled_and_expired_weekly_shares_are_not_refilled()
    {
        var (communityId, owner, cancelled) = await WeeklyAsync(2);
        var expiring = await Shares.CreateAsync(owner, communityId,
            new ShareInput("Eggs", null, WealthKind.Object, 6, ExpiresAt: Start.UtcDateTime.AddDays(10), Recurrence: NeedRecurrence.Weekly));
        var ana = await fixture.AddMemberAsync(communityId, score: 10);
        await GivenAsync(owner, ana, cancelled, 2);
        await GivenAsync(owner, ana, expiring, 6);
        await Shares.CancelShareAsync(owner, cancelled);

        // The first boundary refills the eggs only; after their expiry, the second refills nothing, before or after the expiry job.
        fixture.Clock.Set(Start.AddDays(7).AddHours(1));
        // (Other tests' weekly shares in this database may be due too: the rows say what happened to these two.)
        await Shares.RefillDueAsync();
        (await LoadAsync(cancelled)).ShouldSatisfyAllConditions(s => s.PeriodStart.ShouldBe(Start.UtcDateTime), s => s.UnitsGiven.ShouldBe(2), s => s.Status.ShouldBe(ShareStatus.Cancelled));
        (await LoadAsync(expiring)).ShouldSatisfyAllConditions(s => s.PeriodStart.ShouldBe(Start.UtcDateTime.AddDays(7)), s => s.UnitsGiven.ShouldBe(0));

        fixture.Clock.Set(Start.AddDays(14).AddHours(1));
        await Shares.RefillDueAsync();
        (await Should.ThrowAsync<AppException>(() => Shares.RequestAsync(ana, expiring, 1, null))).Message.ShouldBe(Text.Get("Error.ShareExpired"));
        await Shares.ExpireDueAsync();
        await Shares.RefillDueAsync();
        (await LoadAsync(expiring)).ShouldSatisfyAllConditions(s => s.Status.ShouldBe(ShareStatus.Expired), s => s.PeriodStart.ShouldBe(Start.UtcDateTime.AddDays(7)));
    }

    [Fact]
    public async Task Changing_the_period_starts_a_new_one_now_keeping_what_is_reserved_and_given()
    {
        fixture.Clock.Set(Start);
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var ana = await fixture.AddMemberAsync(communityId, score: 10);
        var input = new ShareInput("Bread", null, WealthKind.Object, 4);
        var shareId = await Shares.CreateAsync(owner, communityId, input);
        await GivenAsync(owner, ana, shareId, 1);
        var held = await Shares.RequestAsync(ana, shareId, 2, null);
        await Shares.AcceptAsync(owner, held);

        fixture.Clock.Set(Start.AddDays(2));
        // Fewer units a week than are in use now is refused beside the field.
        (await Should.ThrowAsync<ValidationFailedException>(() => Shares.UpdateAsync(owner, shareId, input with { Units = 2, Recurrence = NeedRecurrence.Weekly })))
            .Errors["units"].ShouldBe(Text.Get("Error.UnitsInUse", 3));
        await Shares.UpdateAsync(owner, shareId, input with { Recurrence = NeedRecurrence.Weekly });

        (await LoadAsync(shareId)).ShouldSatisfyAllConditions(
            s => s.Recurrence.ShouldBe(NeedRecurrence.Weekly),
            s => s.PeriodStart.ShouldBe(Start.UtcDateTime.AddDays(2)),
            s => s.PeriodEnd.ShouldBe(Start.UtcDateTime.AddDays(9)),
            s => s.UnitsReserved.ShouldBe(2),
            s => s.UnitsGiven.ShouldBe(1));
        // The request held before the change counts in the new period: fulfilling it moves this period's units.
        await Shares.FulfilAsync(ana, held);
        (await LoadAsync(shareId)).ShouldSatisfyAllConditions(s => s.UnitsReserved.ShouldBe(0), s => s.UnitsGiven.ShouldBe(3), s => s.Status.ShouldBe(ShareStatus.Active));
    }

    [Fact]
    public async Task A_bad_period_is_refused_beside_its_field_and_nothing_is_saved()
    {
        fixture.Clock.Set(Start);
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);

        (await Should.ThrowAsync<ValidationFailedException>(() => Shares.CreateAsync(owner, communityId,
            new ShareInput("Basket", null, WealthKind.Object, 2, Recurrence: (NeedRecurrence)42)))).Errors["recurrence"].ShouldBe(Text.Get("Error.ChooseRecurrence"));
        (await Should.ThrowAsync<ValidationFailedException>(() => Shares.CreateAsync(owner, communityId,
            new ShareInput("Basket", null, WealthKind.Object, 0, Recurrence: NeedRecurrence.Weekly)))).Errors["units"].ShouldBe(Text.Get("Error.Units"));
        (await Should.ThrowAsync<ValidationFailedException>(() => Shares.CreateAsync(owner, communityId,
            new ShareInput("Basket", null, WealthKind.Object, 2, Target: ShareTarget.Council, TargetId: Guid.NewGuid(), Recurrence: NeedRecurrence.Weekly))))
            .Errors["recurrence"].ShouldBe(Text.Get("Error.RecurringContribution"));

        await using var db = await fixture.NewContextAsync();
        (await db.Shares.CountAsync(s => s.CommunityId == communityId)).ShouldBe(0);
    }

    [Fact]
    public async Task The_database_refuses_more_reserved_and_given_than_a_period_offers_and_a_period_on_a_one_time_share()
    {
        var (communityId, owner, shareId) = await WeeklyAsync(2);
        var oneTime = await Shares.CreateAsync(owner, communityId, new ShareInput("Chair", null, WealthKind.Object, 1));
        await using var db = await fixture.NewContextAsync();

        await Should.ThrowAsync<Npgsql.PostgresException>(() => db.Shares.Where(s => s.Id == shareId).ExecuteUpdateAsync(s => s.SetProperty(x => x.UnitsGiven, 3)));
        await Should.ThrowAsync<Npgsql.PostgresException>(() => db.Shares.Where(s => s.Id == oneTime)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.PeriodStart, Start.UtcDateTime)));
        await Should.ThrowAsync<Npgsql.PostgresException>(() => db.Shares.Where(s => s.Id == shareId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.PeriodEnd, (DateTime?)null)));
    }
}
