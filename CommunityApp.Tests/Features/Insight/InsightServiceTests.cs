using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Insight;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Insight;

/// <summary>
/// Member statistics and non-contributors (docs/SPEC.md §13) on PostgreSQL, on a history written at known moments through
/// the fixture's clock (the audit interceptor stamps rows from it).
/// </summary>
public sealed class InsightServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private static readonly DateTime Now = new(2026, 6, 15, 12, 0, 0, DateTimeKind.Utc);

    private InsightService Insight => fixture.Get<InsightService>();

    private async Task AtAsync(DateTime at, Action<AppDbContext> add)
    {
        fixture.Clock.Set(at);
        await using var db = await fixture.NewContextAsync();
        add(db);
        await db.SaveChangesAsync();
    }

    private async Task<string> MemberJoinedAsync(Guid communityId, DateTime joined, string? name = null)
    {
        fixture.Clock.Set(joined);
        var user = await fixture.CreateUserAsync(name);
        await fixture.AddMemberAsync(communityId, userId: user);
        return user;
    }

    private static Share NewShare(Guid communityId, string owner, string title = "Soup") =>
        new() { CommunityId = communityId, OwnerId = owner, Title = title, Kind = WealthKind.Object, UnitsOffered = 5, Status = ShareStatus.Active };

    private static Need NewNeed(Guid communityId, string owner, DateTime at) =>
        new() { CommunityId = communityId, OwnerId = owner, Title = "Ladder", Units = 1, PeriodStart = at };

    [Fact]
    public async Task Member_statistics_count_a_known_history_exactly()
    {
        fixture.Clock.Set(Now.AddYears(-2));
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await MemberJoinedAsync(communityId, Now.AddYears(-2));
        var other = await MemberJoinedAsync(communityId, Now.AddYears(-2));
        var third = await MemberJoinedAsync(communityId, Now.AddYears(-2));

        // Shares: one in May 2025 (before the 12-month window, July 2025 – June 2026), two in March 2026, one in June 2026.
        await AtAsync(new DateTime(2025, 5, 10, 0, 0, 0, DateTimeKind.Utc), db => db.Shares.Add(NewShare(communityId, member)));
        var march = new DateTime(2026, 3, 3, 0, 0, 0, DateTimeKind.Utc);
        var shareA = NewShare(communityId, member, "A");
        await AtAsync(march, db => db.Shares.AddRange(shareA, NewShare(communityId, member, "B")));
        await AtAsync(new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc), db => db.Shares.Add(NewShare(communityId, member, "C")));
        // Someone else's share and its fulfilled request count for them, not for the member.
        var theirs = NewShare(communityId, other, "Theirs");
        await AtAsync(march, db => db.Shares.Add(theirs));

        // Requests to the member's shares: fulfilled in April, twice in June; one rejected, one pending, one cancelled.
        ShareRequest Request(Share share, RequestStatus status) => new() { ShareId = share.Id, RequesterId = other, Units = 1, Status = status };
        await AtAsync(new DateTime(2026, 4, 20, 0, 0, 0, DateTimeKind.Utc), db => db.ShareRequests.Add(Request(shareA, RequestStatus.Fulfilled)));
        await AtAsync(new DateTime(2026, 6, 2, 0, 0, 0, DateTimeKind.Utc), db => db.ShareRequests.AddRange(
            Request(shareA, RequestStatus.Fulfilled), Request(shareA, RequestStatus.Fulfilled), Request(shareA, RequestStatus.Rejected),
            Request(shareA, RequestStatus.Pending), Request(shareA, RequestStatus.Cancelled)));
        await AtAsync(new DateTime(2026, 6, 2, 0, 0, 0, DateTimeKind.Utc), db => db.ShareRequests.Add(new ShareRequest { ShareId = theirs.Id, RequesterId = member, Units = 1, Status = RequestStatus.Fulfilled }));

        // Trust: the member gives to other and third (active) and gave to admin (removed); other gives to the member.
        await AtAsync(Now.AddDays(-1), db =>
        {
            db.TrustAwards.AddRange(
                new TrustAward { CommunityId = communityId, GiverId = member, ReceiverId = other, RenewedAt = Now },
                new TrustAward { CommunityId = communityId, GiverId = member, ReceiverId = third, RenewedAt = Now },
                new TrustAward { CommunityId = communityId, GiverId = member, ReceiverId = admin, RenewedAt = Now, DeletedAt = Now },
                new TrustAward { CommunityId = communityId, GiverId = other, ReceiverId = member, RenewedAt = Now });
            TrustHistoryEntry Line(string actor, string subject, DateTime at, TrustHistoryAction action = TrustHistoryAction.Awarded) =>
                new() { CommunityId = communityId, ActorId = actor, SubjectId = subject, Action = action, Points = 1, CreatedAt = at };
            db.TrustHistory.AddRange(
                Line(member, other, new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc)),
                Line(member, third, new DateTime(2026, 6, 5, 0, 0, 0, DateTimeKind.Utc)),
                Line(member, admin, new DateTime(2026, 6, 6, 0, 0, 0, DateTimeKind.Utc)),
                Line(member, admin, new DateTime(2026, 6, 7, 0, 0, 0, DateTimeKind.Utc), TrustHistoryAction.Removed),
                Line(other, member, new DateTime(2026, 6, 8, 0, 0, 0, DateTimeKind.Utc)),
                Line(other, member, new DateTime(2025, 1, 8, 0, 0, 0, DateTimeKind.Utc)));
        });
        fixture.Clock.Set(Now);

        var stats = await Insight.MemberStatsAsync(other, communityId, member);

        stats.SharesPublished.ShouldBe(4);
        stats.RequestsFulfilled.ShouldBe(3);
        stats.FulfilmentRate.ShouldBe(3.0 / 4); // fulfilled ÷ (fulfilled + rejected + failed): pending and cancelled do not count
        stats.TrustGiven.ShouldBe(2);
        stats.TrustReceived.ShouldBe(1);
        stats.Months.Select(m => m.Month).ShouldBe(Enumerable.Range(0, 12).Select(i => new DateTime(2025, 7, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(i)));
        //                                       Jul Aug Sep Oct Nov Dec Jan Feb Mar Apr May Jun
        stats.Months.Select(m => m.Shares).ShouldBe([0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 1]);
        stats.Months.Select(m => m.Fulfilled).ShouldBe([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2]);
        stats.Months.Select(m => m.TrustGiven).ShouldBe([0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2]);
        stats.Months.Select(m => m.TrustReceived).ShouldBe([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        stats.IsEmpty.ShouldBeFalse();

        var empty = await Insight.MemberStatsAsync(member, communityId, third);
        (empty.SharesPublished, empty.RequestsFulfilled, empty.FulfilmentRate, empty.TrustReceived).ShouldBe((0, 0, (double?)null, 1));
        var outsider = await fixture.CreateUserAsync();
        await Should.ThrowAsync<ForbiddenException>(() => Insight.MemberStatsAsync(outsider, communityId, member));
        await Should.ThrowAsync<NotFoundException>(() => Insight.MemberStatsAsync(member, communityId, outsider));
    }

    [Fact]
    public async Task Non_contributors_are_members_silent_for_the_threshold_with_exact_edges()
    {
        // The default threshold: 30 days. The window starts at Now − 30 days; a contribution at that instant still counts.
        var since = Now.AddDays(-30);
        fixture.Clock.Set(Now.AddDays(-100));
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var atEdge = await MemberJoinedAsync(communityId, Now.AddDays(-90), "edge");
        var justBefore = await MemberJoinedAsync(communityId, Now.AddDays(-80), "before");
        var needer = await MemberJoinedAsync(communityId, Now.AddDays(-70), "needer");
        var giver = await MemberJoinedAsync(communityId, Now.AddDays(-60), "giver");
        var joinedAtSince = await MemberJoinedAsync(communityId, since, "joinedatsince");
        var newcomer = await MemberJoinedAsync(communityId, since.AddSeconds(1), "newcomer");

        await AtAsync(since, db => db.Shares.Add(NewShare(communityId, atEdge)));
        await AtAsync(since.AddSeconds(-1), db => db.Shares.Add(NewShare(communityId, justBefore)));
        await AtAsync(Now.AddDays(-50), db => db.Needs.Add(NewNeed(communityId, needer, Now.AddDays(-50))));
        await AtAsync(Now.AddDays(-10), db => db.Needs.Add(NewNeed(communityId, needer, Now.AddDays(-10))));
        var old = NewShare(communityId, giver);
        await AtAsync(Now.AddDays(-59), db => db.Shares.Add(old));
        await AtAsync(Now.AddDays(-5), db => db.ShareRequests.Add(new ShareRequest { ShareId = old.Id, RequesterId = admin, Units = 1, Status = RequestStatus.Fulfilled }));
        fixture.Clock.Set(Now);

        var page = await Insight.NonContributorsAsync(admin, communityId, new NonContributorQuery(NonContributorSort.LastContribution));

        page.ThresholdDays.ShouldBe(30);
        page.Since.ShouldBe(since);
        // Never contributed first (the admin, and the member who joined exactly at the start of the window), then the oldest.
        page.Page.Items.Select(r => r.UserId).ShouldBe([.. new[] { admin, joinedAtSince }.Order(StringComparer.Ordinal), justBefore]);
        page.Page.Items.Single(r => r.UserId == justBefore).LastContribution.ShouldBe(since.AddSeconds(-1));
        page.Page.Items.ShouldNotContain(r => r.UserId == atEdge || r.UserId == needer || r.UserId == giver || r.UserId == newcomer);

        // One second later the share at the edge falls out of the window.
        fixture.Clock.Set(Now.AddSeconds(1));
        var later = await Insight.NonContributorsAsync(admin, communityId, new NonContributorQuery(NonContributorSort.LastContributionDescending));
        later.Page.Items.Select(r => r.UserId).Take(2).ShouldBe([atEdge, justBefore]);
        later.Page.Total.ShouldBe(5); // and the newcomer has now been a member for the whole window
        fixture.Clock.Set(Now);

        var byName = await Insight.NonContributorsAsync(admin, communityId, new NonContributorQuery(NonContributorSort.Name, PageSize: 2));
        var second = await Insight.NonContributorsAsync(admin, communityId, new NonContributorQuery(NonContributorSort.Name, PageIndex: 1, PageSize: 2));
        byName.Page.Total.ShouldBe(3);
        byName.Page.Items.Concat(second.Page.Items).Select(r => r.DisplayName).ShouldBe(new[] { admin, joinedAtSince, justBefore }
            .Select(id => byName.Page.Items.Concat(second.Page.Items).Single(r => r.UserId == id).DisplayName).Order(StringComparer.Ordinal));
        var joined = await Insight.NonContributorsAsync(admin, communityId, new NonContributorQuery(NonContributorSort.JoinedDescending));
        joined.Page.Items.Select(r => r.UserId).ShouldBe([joinedAtSince, justBefore, admin]);
    }

    [Fact]
    public async Task Non_contributors_need_admin_or_the_analytics_permission_and_follow_the_setting()
    {
        fixture.Clock.Set(Now.AddDays(-100));
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId);
        var viewer = await fixture.AddMemberAsync(communityId, featureRoles: CommunityApp.Auth.FeatureRole.AnalyticsViewer);
        fixture.Clock.Set(Now);

        var refusal = await Should.ThrowAsync<ForbiddenException>(() => Insight.NonContributorsAsync(member, communityId, new NonContributorQuery()));
        refusal.Message.ShouldContain("health analytics", Case.Insensitive);
        (await Insight.NonContributorsAsync(viewer, communityId, new NonContributorQuery())).Page.Total.ShouldBe(3);

        await fixture.Get<CommunityApp.Features.Settings.SettingsService>().SaveAsync(admin, communityId, new CommunityApp.Features.Settings.SettingsPatch { NonContributionThresholdDays = 120 });
        // 120 days: nobody has been a member that long, so nobody is listed.
        var page = await Insight.NonContributorsAsync(admin, communityId, new NonContributorQuery());
        (page.ThresholdDays, page.Page.Total).ShouldBe((120, 0));
    }
}
