using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Demo;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Demo;

/// <summary>A clock that stands still, so two fresh seeds can be compared row by row, times included.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>Riverside Commons seeded once into a fresh PostgreSQL database; its digest is taken at once, before any test runs.</summary>
public sealed class DemoSeedFixture : ServiceFixture, IAsyncLifetime
{
    public static readonly DateTimeOffset Now = new(2026, 3, 14, 15, 30, 0, TimeSpan.Zero);

    public DemoSeedResult Result { get; private set; } = null!;
    public IReadOnlyList<string> Digest { get; private set; } = [];

    public Task<DemoSeedResult> SeedAsync() => SeedAsync(this);

    public static Task<DemoSeedResult> SeedAsync(ServiceFixture db) => DemoSeeder.RunAsync(db.Provider, db.ConnectionString, new FixedClock(Now));

    public new async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Result = await SeedAsync();
        await using var db = await NewContextAsync();
        Digest = await DemoDigest.LinesAsync(db, Now);
    }
}

/// <summary>The seeded data as sorted lines without generated ids (times relative to the seed's now): equal lines, equal data.</summary>
public static partial class DemoDigest
{
    public static async Task<Dictionary<string, int>> CountsAsync(AppDbContext db) => new()
    {
        ["users"] = await db.Users.CountAsync(),
        ["communities"] = await db.Communities.IgnoreQueryFilters().CountAsync(),
        ["memberships"] = await db.Memberships.IgnoreQueryFilters().CountAsync(),
        ["featureRoles"] = await db.MemberFeatureRoles.CountAsync(),
        ["levels"] = await db.TrustLevels.CountAsync(),
        ["invites"] = await db.Invites.IgnoreQueryFilters().CountAsync(),
        ["redemptions"] = await db.InviteRedemptions.CountAsync(),
        ["awards"] = await db.TrustAwards.IgnoreQueryFilters().CountAsync(),
        ["history"] = await db.TrustHistory.CountAsync(),
        ["categories"] = await db.ItemCategories.CountAsync(),
        ["items"] = await db.Items.IgnoreQueryFilters().CountAsync(),
        ["shares"] = await db.Shares.IgnoreQueryFilters().CountAsync(),
        ["requests"] = await db.ShareRequests.IgnoreQueryFilters().CountAsync(),
        ["messages"] = await db.RequestMessages.CountAsync(),
        ["comments"] = await db.ShareComments.IgnoreQueryFilters().CountAsync(),
        ["needs"] = await db.Needs.CountAsync(),
        ["notifications"] = await db.Notifications.CountAsync(),
        ["unread"] = await db.Notifications.CountAsync(n => n.ReadAt == null),
        ["audit"] = await db.AuditLog.CountAsync(),
        ["polls"] = await db.Polls.CountAsync(),
        ["pollVotes"] = await db.PollVotes.CountAsync(),
        ["pollComments"] = await db.PollComments.CountAsync(),
    };

    public static async Task<IReadOnlyList<string>> LinesAsync(AppDbContext db, DateTimeOffset now)
    {
        var users = await db.Users.ToDictionaryAsync(u => u.Id, u => u.UserName!);
        string U(string? id) => id is null ? "-" : users[id];
        string T(DateTime? at) => at is null ? "-" : (at.Value - now.UtcDateTime).Ticks.ToString(CultureInfo.InvariantCulture);
        var lines = new List<string>();

        foreach (var u in await db.Users.ToListAsync())
            lines.Add($"user {u.UserName} {u.Email} {u.DisplayName} | {u.Bio} | confirmed={u.EmailConfirmed} at={T(u.CreatedAt)}");
        var community = await db.Communities.IgnoreQueryFilters().SingleAsync(c => c.Name == DemoSeeder.CommunityName);
        lines.Add($"community {community.Name} | {community.Description} | deleted={T(community.DeletedAt)} at={T(community.CreatedAt)} by={U(community.CreatedBy)}");
        var levels = await db.TrustLevels.Select(l => new TrustLevelInfo(l.Id, l.Name, l.MinScore)).ToListAsync();
        lines.AddRange(levels.Select(l => $"level {l.Name} {l.MinScore}"));
        foreach (var (setting, threshold) in community.Settings.Thresholds)
            lines.Add($"threshold {setting} {(threshold.Type == ThresholdType.Number ? threshold.Value.ToString(CultureInfo.InvariantCulture) : "level " + levels.Single(l => l.Id == threshold.LevelId).Name)}");
        lines.Add($"decay {community.Settings.Decay.Enabled} {community.Settings.Decay.FullMonths} {community.Settings.Decay.ExpireMonths}");

        var memberships = await db.Memberships.IgnoreQueryFilters().Include(m => m.FeatureRoles).ToListAsync();
        foreach (var m in memberships)
            lines.Add($"member {U(m.UserId)} {m.Role} score={m.TrustScore} grant={m.AdminGrant} by={U(m.AdminGrantSetBy)} grantAt={T(m.AdminGrantSetAt)} " +
                      $"roles={string.Join(",", m.FeatureRoles.Select(r => r.Role).Order())} since={T(m.CreatedAt)} left={T(m.DeletedAt)}");
        foreach (var i in await db.Invites.IgnoreQueryFilters().ToListAsync())
            lines.Add($"invite {i.Kind} {i.Role} {U(i.InvitedUserId)} {i.Title} {i.State} uses={i.Uses}/{i.MaxUses} expires={T(i.ExpiresAt)} answered={T(i.RespondedAt)} at={T(i.CreatedAt)}");
        foreach (var r in await db.InviteRedemptions.ToListAsync())
            lines.Add($"redeemed {U(r.UserId)} at={T(r.RedeemedAt)}");

        foreach (var a in await db.TrustAwards.IgnoreQueryFilters().ToListAsync())
            lines.Add($"award {U(a.GiverId)}->{U(a.ReceiverId)} renewed={T(a.RenewedAt)} removed={T(a.DeletedAt)} at={T(a.CreatedAt)}");
        foreach (var h in await db.TrustHistory.ToListAsync())
            lines.Add($"history {U(h.ActorId)} {h.Action} {U(h.SubjectId)} {h.Points:+0;-0;0} at={T(h.CreatedAt)}");

        var categories = await db.ItemCategories.ToDictionaryAsync(c => c.Id, c => c.Name);
        string C(Guid? id) => id is null ? "-" : categories[id.Value];
        var items = await db.Items.IgnoreQueryFilters().ToDictionaryAsync(i => i.Id, i => i.Name);
        foreach (var i in await db.Items.IgnoreQueryFilters().ToListAsync())
            lines.Add($"item {i.Name} {i.Kind} {C(i.CategoryId)} points={i.ValuePoints} by={U(i.CreatedBy)} at={T(i.CreatedAt)}");
        var shares = await db.Shares.IgnoreQueryFilters().ToDictionaryAsync(s => s.Id);
        foreach (var s in shares.Values)
            lines.Add($"share {U(s.OwnerId)} {s.Title} | {s.Description} | {s.Kind} {s.Status} item={(s.ItemId is { } item ? items[item] : "-")} category={C(s.CategoryId)} " +
                      $"units={s.UnitsOffered}/{s.UnitsReserved}/{s.UnitsGiven} max={s.MaxUnitsPerMember} minTrust={s.MinTrust} expires={T(s.ExpiresAt)} at={T(s.CreatedAt)} " +
                      $"{s.Recurrence} period={T(s.PeriodStart)}..{T(s.PeriodEnd)}");
        var requests = await db.ShareRequests.ToDictionaryAsync(r => r.Id);
        string R(Guid id) => $"{shares[requests[id].ShareId].Title}/{U(requests[id].RequesterId)}/{T(requests[id].CreatedAt)}";
        foreach (var r in requests.Values)
            lines.Add($"request {R(r.Id)} units={r.Units} {r.Status} | {r.Message} | moved={T(r.UpdatedAt)} period={T(r.PeriodStart)}");
        foreach (var m in await db.RequestMessages.ToListAsync())
            lines.Add($"message {R(m.RequestId)} {U(m.AuthorId)}: {m.Body} at={T(m.CreatedAt)}");
        foreach (var c in await db.ShareComments.IgnoreQueryFilters().ToListAsync())
            lines.Add($"comment {shares[c.ShareId].Title} {U(c.AuthorId)}: {c.Body} at={T(c.CreatedAt)}");

        foreach (var n in await db.Needs.ToListAsync())
            lines.Add($"need {U(n.OwnerId)} {(n.ItemId is { } item ? items[item] : "-")} {n.Title} | {n.Description} | {n.Units} {n.Priority} {n.Recurrence} {n.Status} " +
                      $"period={T(n.PeriodStart)}..{T(n.PeriodEnd)} fulfilled={T(n.FulfilledAt)} by={(n.FulfilledByRequestId is { } by ? R(by) : "-")} at={T(n.CreatedAt)}");

        var threads = await db.ForumThreads.IgnoreQueryFilters().ToDictionaryAsync(t => t.Id);
        foreach (var t in threads.Values)
            lines.Add($"thread {t.Title} {U(t.AuthorId)} posts={t.PostCount} pinned={t.IsPinned} locked={t.IsLocked} best={t.BestAnswerPostId is not null} last={T(t.LastPostAt)} at={T(t.CreatedAt)}");
        foreach (var p in await db.ForumPosts.IgnoreQueryFilters().ToListAsync())
            lines.Add($"post {threads[p.ThreadId].Title} {U(p.AuthorId)}: {p.Body} opening={p.IsOpening} score={p.Score} at={T(p.CreatedAt)}");
        foreach (var n in await db.Notifications.ToListAsync())
            lines.Add($"notification {U(n.UserId)} {n.Kind} {n.Actor} | {n.Subject} at={T(n.CreatedAt)} read={T(n.ReadAt)}");
        foreach (var e in await db.AuditLog.ToListAsync())
            lines.Add($"audit {U(e.ActorId)} {e.Action} {U(e.TargetUserId)} {Ids().Replace(e.Details, "<id>")} at={T(e.CreatedAt)}");

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Ids();
}

/// <summary>Issue 9 §8: the Development seed builds a Riverside Commons that looks lived in, the same every time, once.</summary>
public sealed class DemoSeedTests(DemoSeedFixture fixture, ITestOutputHelper output) : IClassFixture<DemoSeedFixture>
{
    [Fact]
    public async Task At_least_twelve_members_fill_every_trust_level_and_the_readme_users_keep_their_roles_and_password()
    {
        fixture.Result.Changed.ShouldBeTrue();
        await using var db = await fixture.NewContextAsync();
        var community = await db.Communities.SingleAsync(c => c.Name == DemoSeeder.CommunityName);
        fixture.Result.CommunityId.ShouldBe(community.Id);
        var members = await db.Memberships.Where(m => m.CommunityId == community.Id)
            .Select(m => new { m.User.UserName, m.Role, m.TrustScore }).ToListAsync();
        var levels = await db.TrustLevels.Where(l => l.CommunityId == community.Id).Select(l => new TrustLevelInfo(l.Id, l.Name, l.MinScore)).ToListAsync();

        members.Count.ShouldBeGreaterThanOrEqualTo(12);
        levels.Count.ShouldBeGreaterThanOrEqualTo(3);
        foreach (var level in levels)
            members.Count(m => TrustTitles.For(levels, m.TrustScore)!.Id == level.Id).ShouldBeGreaterThan(0, $"nobody holds the level {level.Name}");

        members.Single(m => m.UserName == "ana").Role.ShouldBe(MemberRole.Admin);
        members.Single(m => m.UserName == "ben").Role.ShouldBe(MemberRole.Member);
        members.Single(m => m.UserName == "carla").Role.ShouldBe(MemberRole.Member);
        var hasher = new PasswordHasher<ApplicationUser>();
        foreach (var name in new[] { "ana", "ben", "carla" })
        {
            var user = await db.Users.SingleAsync(u => u.UserName == name);
            user.Email.ShouldBe($"{name}@example.com");
            hasher.VerifyHashedPassword(user, user.PasswordHash!, DemoSeeder.Password).ShouldBe(PasswordVerificationResult.Success);
        }
    }

    [Fact]
    public async Task Every_score_is_its_grant_plus_the_awards_the_trust_service_wrote()
    {
        await using var db = await fixture.NewContextAsync();
        var community = (await db.Communities.SingleAsync(c => c.Name == DemoSeeder.CommunityName)).Id;
        var members = await db.Memberships.Where(m => m.CommunityId == community).ToListAsync();
        var awards = await db.TrustAwards.Where(a => a.CommunityId == community).ToListAsync();
        var history = await db.TrustHistory.Where(h => h.CommunityId == community).ToListAsync();

        foreach (var m in members)
            m.TrustScore.ShouldBe(m.AdminGrant + awards.Count(a => a.ReceiverId == m.UserId), $"score of {m.UserId}");
        awards.Count.ShouldBeGreaterThanOrEqualTo(40);
        awards.Count.ShouldBeGreaterThan(members.Sum(m => m.AdminGrant), "scores come mostly from awards, not grants");
        // Each award came through TrustService: it wrote the history line with the point it added.
        foreach (var a in awards)
            history.ShouldContain(h => h.Action == TrustHistoryAction.Awarded && h.ActorId == a.GiverId && h.SubjectId == a.ReceiverId && h.Points == 1 && h.CreatedAt == a.RenewedAt);
        history.ShouldContain(h => h.Action == TrustHistoryAction.Removed && h.Points == -1);
        history.Count(h => h.Action == TrustHistoryAction.GrantChanged).ShouldBe(members.Count(m => m.AdminGrant > 0));
        // The app's own recalculation finds nothing to correct.
        (await fixture.Get<TrustRecalculator>().RecomputeCommunityAsync(community)).ShouldBe(0);
    }

    [Fact]
    public async Task Needs_and_wants_recur_add_up_by_item_and_one_was_met_by_a_fulfilled_request()
    {
        await using var db = await fixture.NewContextAsync();
        var community = (await db.Communities.SingleAsync(c => c.Name == DemoSeeder.CommunityName)).Id;
        var needs = await db.Needs.Where(n => n.CommunityId == community).ToListAsync();
        var now = DemoSeedFixture.Now.UtcDateTime;

        needs.Count.ShouldBeGreaterThanOrEqualTo(10);
        needs.Select(n => n.Recurrence).Distinct().Count().ShouldBe(Enum.GetValues<CommunityApp.Features.Needs.NeedRecurrence>().Length);
        needs.Select(n => n.Priority).Distinct().Count().ShouldBe(2);
        needs.ShouldContain(n => n.Status == CommunityApp.Features.Needs.NeedStatus.Cancelled);
        needs.ShouldContain(n => n.Status == CommunityApp.Features.Needs.NeedStatus.Fulfilled && n.FulfilledByRequestId != null);
        // The job ran: every live recurring need is in the period that holds the seed's now.
        needs.Where(n => n.PeriodEnd != null && n.Status == CommunityApp.Features.Needs.NeedStatus.Active)
            .ShouldAllBe(n => n.PeriodStart <= now && n.PeriodEnd > now);
        var groups = await fixture.Get<CommunityApp.Features.Needs.NeedQueries>().AggregateAsync(needs[0].OwnerId, community, CommunityApp.Features.Needs.NeedPriority.Need, 0, 20);
        groups.Items.ShouldContain(g => g.Name == "Apples" && g.Units == 10 && g.People == 2 && g.Recurrence == CommunityApp.Features.Needs.NeedRecurrence.Weekly);
        (await db.Notifications.CountAsync(n => n.Kind == NotificationKind.NeedMatched && n.CommunityId == community)).ShouldBe(2);
    }

    [Fact]
    public async Task Twenty_shares_span_the_catalogue_with_requests_in_every_state_and_message_threads()
    {
        await using var db = await fixture.NewContextAsync();
        var community = (await db.Communities.SingleAsync(c => c.Name == DemoSeeder.CommunityName)).Id;
        var shares = await db.Shares.Where(s => s.CommunityId == community).ToListAsync();
        var requests = await db.ShareRequests.Where(r => r.Share.CommunityId == community).ToListAsync();
        var messages = await db.RequestMessages.ToListAsync();

        shares.Count.ShouldBeGreaterThanOrEqualTo(20);
        shares.Select(s => s.Kind).Distinct().Count().ShouldBe(Enum.GetValues<WealthKind>().Length);
        shares.Select(s => s.Status).Distinct().Order().ShouldBe(Enum.GetValues<ShareStatus>());
        shares.Select(s => s.CategoryId).Distinct().Count().ShouldBeGreaterThanOrEqualTo(10);
        shares.Select(s => s.UnitsOffered).Distinct().Count().ShouldBeGreaterThanOrEqualTo(6);
        shares.ShouldContain(s => s.ExpiresAt == null);
        shares.ShouldContain(s => s.ExpiresAt > DemoSeedFixture.Now.UtcDateTime);
        shares.ShouldContain(s => s.MinTrust != null);
        shares.ShouldContain(s => s.MaxUnitsPerMember != null);

        requests.Select(r => r.Status).Distinct().Order().ShouldBe(Enum.GetValues<RequestStatus>());
        // Units moved with the requests, as the state machine moves them: a recurring share's in its current period.
        foreach (var s in shares.Where(s => s.Status != ShareStatus.Cancelled && s.Target == ShareTarget.Community))
        {
            var counted = requests.Where(r => r.ShareId == s.Id && r.PeriodStart == s.PeriodStart).ToList();
            s.UnitsReserved.ShouldBe(counted.Where(r => r.Status == RequestStatus.Accepted).Sum(r => r.Units), s.Title);
            s.UnitsGiven.ShouldBe(counted.Where(r => r.Status == RequestStatus.Fulfilled).Sum(r => r.Units), s.Title);
        }

        // Ben's weekly basket is in its third week, refilled at each boundary: one held this week, one asked, the earlier weeks given.
        var basket = shares.Single(s => s.Recurrence != CommunityApp.Features.Needs.NeedRecurrence.Once);
        var weekStart = DemoSeedFixture.Now.UtcDateTime.Date.AddDays(-6).AddHours(8);
        basket.ShouldSatisfyAllConditions(
            b => b.Title.ShouldBe("Vegetable basket from the allotment"),
            b => b.Recurrence.ShouldBe(CommunityApp.Features.Needs.NeedRecurrence.Weekly),
            b => b.Status.ShouldBe(ShareStatus.Active),
            b => b.PeriodStart.ShouldBe(weekStart),
            b => b.PeriodEnd.ShouldBe(weekStart.AddDays(7)),
            b => b.UnitsReserved.ShouldBe(1),
            b => b.UnitsGiven.ShouldBe(0));
        var basketRequests = requests.Where(r => r.ShareId == basket.Id).ToList();
        basketRequests.Count(r => r.Status == RequestStatus.Pending).ShouldBe(1);
        basketRequests.Where(r => r.Status == RequestStatus.Fulfilled).Select(r => r.PeriodStart!.Value).Distinct().Order().ToList()
            .ShouldBe([weekStart.AddDays(-14), weekStart.AddDays(-7)], "given in each earlier week, the late collection counted in its own week");

        var threads = messages.GroupBy(m => m.RequestId).Where(g => g.Count() >= 2).ToList();
        threads.Count.ShouldBeGreaterThanOrEqualTo(8);
        foreach (var thread in messages.GroupBy(m => m.RequestId))
        {
            var request = requests.Single(r => r.Id == thread.Key);
            var owner = shares.Single(s => s.Id == request.ShareId).OwnerId;
            thread.ShouldAllBe(m => m.AuthorId == request.RequesterId || m.AuthorId == owner);
        }
        threads.ShouldContain(t => t.Select(m => m.AuthorId).Distinct().Count() == 2);
        (await db.ShareComments.CountAsync()).ShouldBeGreaterThanOrEqualTo(5);
    }

    [Fact]
    public async Task One_dispute_is_resolved_in_public_and_one_is_in_mediation_with_messages()
    {
        await using var db = await fixture.NewContextAsync();
        var disputes = await db.Disputes.OrderBy(d => d.CreatedAt).ToListAsync();
        disputes.Select(d => d.Status).ShouldBe([CommunityApp.Features.Disputes.DisputeStatus.Resolved, CommunityApp.Features.Disputes.DisputeStatus.InMediation]);
        disputes[0].OutcomePublic.ShouldBe(true);
        foreach (var dispute in disputes)
        {
            (await db.DisputeMediators.CountAsync(m => m.DisputeId == dispute.Id && m.Status == CommunityApp.Features.Disputes.MediatorStatus.Accepted)).ShouldBe(1);
            (await db.DisputeEvents.CountAsync(e => e.DisputeId == dispute.Id && e.Kind == CommunityApp.Features.Disputes.DisputeEventKind.Message)).ShouldBe(2);
        }
    }

    [Fact]
    public async Task The_pantry_has_a_report_and_two_initiatives_whose_scores_match_their_votes_with_comments_and_progress()
    {
        await using var db = await fixture.NewContextAsync();
        var pantry = await db.Councils.SingleAsync(c => c.Name == "Riverside Pantry");
        (await db.CouncilReports.CountAsync(r => r.CouncilId == pantry.Id)).ShouldBe(1);
        var initiatives = await db.Initiatives.Where(i => i.CouncilId == pantry.Id).ToListAsync();
        initiatives.Count.ShouldBe(2);
        foreach (var initiative in initiatives)
        {
            var votes = await db.InitiativeVotes.Where(v => v.InitiativeId == initiative.Id).Select(v => v.Direction).ToListAsync();
            initiative.UpVotes.ShouldBe(votes.Count(v => v == CommunityApp.Features.Councils.VoteDirection.Up));
            initiative.DownVotes.ShouldBe(votes.Count(v => v == CommunityApp.Features.Councils.VoteDirection.Down));
            initiative.Score.ShouldBe(initiative.UpVotes - initiative.DownVotes);
            votes.ShouldNotBeEmpty();
            (await db.InitiativeComments.CountAsync(c => c.InitiativeId == initiative.Id)).ShouldBeGreaterThan(0);
        }
        (await db.InitiativeProgress.CountAsync(p => initiatives.Select(i => i.Id).Contains(p.InitiativeId))).ShouldBe(1);
    }

    [Fact]
    public async Task Two_councils_have_managers_trust_confirmed_contributions_a_waiting_one_and_inventories_that_match_their_ledgers()
    {
        await using var db = await fixture.NewContextAsync();
        var community = (await db.Communities.SingleAsync(c => c.Name == DemoSeeder.CommunityName)).Id;
        var councils = await db.Councils.Where(c => c.CommunityId == community).ToListAsync();
        councils.Select(c => c.Name).Order().ShouldBe(["Riverside Pantry", "Tool Library"]);
        councils.ShouldAllBe(c => c.TrustCount > 0);
        foreach (var council in councils)
        {
            (await db.CouncilManagers.CountAsync(m => m.CouncilId == council.Id)).ShouldBeGreaterThanOrEqualTo(1);
            (await db.CouncilTrusts.CountAsync(t => t.CouncilId == council.Id)).ShouldBe(council.TrustCount);
            var balances = await db.InventoryBalances.Where(b => b.HolderId == council.Id).ToListAsync();
            balances.ShouldNotBeEmpty();
            foreach (var balance in balances)
                balance.Units.ShouldBe(await db.InventoryEntries.Where(e => e.CouncilId == council.Id && e.PoolId == null && e.ItemId == balance.ItemId).SumAsync(e => e.Units));
        }
        var contributions = await db.Contributions.Where(c => c.CommunityId == community).ToListAsync();
        contributions.Select(c => c.Status).Distinct().Order().ShouldBe([CommunityApp.Features.Councils.ContributionStatus.Pending, CommunityApp.Features.Councils.ContributionStatus.Confirmed]);
        (await db.InventoryEntries.Where(e => e.CommunityId == community).Select(e => e.Kind).Distinct().CountAsync()).ShouldBeGreaterThanOrEqualTo(3);
        (await db.Shares.CountAsync(s => s.SourceCouncilId != null && s.UnitsGiven > 0)).ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task Ana_has_unread_notifications_and_the_admins_work_is_in_the_audit_log()
    {
        await using var db = await fixture.NewContextAsync();
        var community = (await db.Communities.SingleAsync(c => c.Name == DemoSeeder.CommunityName)).Id;
        var ana = await db.Users.Where(u => u.UserName == "ana").Select(u => u.Id).SingleAsync();
        var notifications = await db.Notifications.Where(n => n.UserId == ana).ToListAsync();
        var unread = notifications.Where(n => n.ReadAt == null).ToList();

        unread.Count.ShouldBeGreaterThanOrEqualTo(3);
        unread.Select(n => n.Kind).ShouldContain(NotificationKind.TrustReceived);
        unread.Select(n => n.Kind).ShouldContain(NotificationKind.RequestReceived);
        notifications.Count(n => n.ReadAt != null).ShouldBeGreaterThan(unread.Count, "older ones were read");
        unread.ShouldAllBe(n => n.CreatedAt >= DemoSeedFixture.Now.UtcDateTime.Date.AddDays(-InboxDemo.UnreadDays));

        var audit = await db.AuditLog.Where(e => e.CommunityId == community).Select(e => e.Action).ToListAsync();
        audit.Count.ShouldBeGreaterThanOrEqualTo(20);
        audit.Distinct().ShouldBe([
            AuditAction.SettingsChanged, AuditAction.TrustLevelAdded, AuditAction.TrustLevelChanged, AuditAction.RoleChanged, AuditAction.FeatureRoleGranted,
            AuditAction.InviteCreated, AuditAction.InviteRedeemed, AuditAction.TrustGrantChanged, AuditAction.ItemAdded, AuditAction.CheckoutLinkCreated,
            AuditAction.CouncilCreated, AuditAction.CouncilManagerAdded, AuditAction.ContributionConfirmed, AuditAction.InventoryUsed, AuditAction.InventoryShared,
            AuditAction.CouncilReportPublished, AuditAction.InitiativeCreated, AuditAction.InitiativeProgressAdded,
            AuditAction.PoolCreated, AuditAction.PoolDistributed, AuditAction.PollCreated,
            AuditAction.ForumCategoryCreated, AuditAction.ForumThreadPinned,
            AuditAction.ForumPostHiddenByFlags, AuditAction.ItemValueChanged,
            AuditAction.DisputeMediationOffered, AuditAction.DisputeMessagePosted, AuditAction.DisputeResolved,
        ], ignoreOrder: true);
    }

    [Fact]
    public async Task The_pantrys_fruit_pool_received_mateos_apples_and_gave_them_out_for_needs()
    {
        await using var db = await fixture.NewContextAsync();
        var community = (await db.Communities.SingleAsync(c => c.Name == DemoSeeder.CommunityName)).Id;
        var pool = await db.Pools.Include(p => p.Council).SingleAsync(p => p.CommunityId == community);
        (pool.Name, pool.Council.Name).ShouldBe(("Fruit pool", "Riverside Pantry"));
        (await db.PoolItems.CountAsync(i => i.PoolId == pool.Id)).ShouldBe(2);
        (await db.Contributions.SingleAsync(c => c.PoolId == pool.Id)).Status.ShouldBe(CommunityApp.Features.Councils.ContributionStatus.Confirmed);
        var allocations = await db.PoolAllocations.Where(a => a.PoolId == pool.Id).ToListAsync();
        allocations.Count.ShouldBeGreaterThanOrEqualTo(2);
        allocations.Sum(a => a.Units).ShouldBe(6);
        (await db.Needs.CountAsync(n => allocations.Select(a => a.NeedId).Contains(n.Id) && n.Status == CommunityApp.Features.Needs.NeedStatus.Active)).ShouldBe(allocations.Count, "served in part, still needed");
        var balance = await db.InventoryBalances.Where(b => b.HolderId == pool.Id).SumAsync(b => b.Units);
        balance.ShouldBe(await db.InventoryEntries.Where(e => e.PoolId == pool.Id).SumAsync(e => e.Units));
        balance.ShouldBe(0);
        (await db.Notifications.CountAsync(n => n.Kind == NotificationKind.PoolAllocated && n.CommunityId == community)).ShouldBe(allocations.Count);
    }

    [Fact]
    public async Task An_open_dot_vote_for_the_fruit_pool_has_points_and_reasons_and_the_clean_up_poll_has_closed()
    {
        await using var db = await fixture.NewContextAsync();
        var community = (await db.Communities.SingleAsync(c => c.Name == DemoSeeder.CommunityName)).Id;
        var polls = await db.Polls.Include(p => p.Pool).Where(p => p.CommunityId == community).OrderBy(p => p.CreatedAt).ToListAsync();
        polls.Count.ShouldBe(2);
        var (closed, open) = (polls[0], polls[1]);
        closed.EndsAt.ShouldBeLessThan(DemoSeedFixture.Now.UtcDateTime);
        (await db.PollVotes.CountAsync(v => v.PollId == closed.Id && v.Reason != null)).ShouldBeGreaterThanOrEqualTo(2);
        (open.Kind, open.Points, open.Pool!.Name).ShouldBe((CommunityApp.Features.Polls.PollKind.DotVoting, 10, "Fruit pool"));
        open.EndsAt.ShouldBeGreaterThan(DemoSeedFixture.Now.UtcDateTime);
        var voters = await db.PollVotes.Where(v => v.PollId == open.Id).Select(v => v.UserId).ToListAsync();
        voters.Count.ShouldBe(5);
        (await db.PollVotePoints.Where(v => v.PollId == open.Id).SumAsync(v => v.Points)).ShouldBe(50, "each ballot spreads exactly 10 points");
        (await db.PollVotes.CountAsync(v => v.PollId == open.Id && v.Reason != null)).ShouldBeGreaterThanOrEqualTo(3);
        (await db.PollComments.CountAsync(c => c.PollId == open.Id)).ShouldBe(2);
    }

    [Fact]
    public async Task Elifs_jam_has_a_checkout_link_that_kwame_and_ben_used()
    {
        await using var db = await fixture.NewContextAsync();
        var community = (await db.Communities.SingleAsync(c => c.Name == DemoSeeder.CommunityName)).Id;
        var link = await db.CheckoutLinks.Include(l => l.Share).SingleAsync(l => l.CommunityId == community);
        (link.Share!.Title, link.Title, link.CapPerCheckout, link.UnitsGiven, link.CheckoutCount).ShouldBe((CheckoutDemo.JamTitle, "Saturday market table", 2, 3, 2));
        var takers = await db.Checkouts.Where(c => c.LinkId == link.Id).OrderBy(c => c.CreatedAt).Select(c => c.User.UserName).ToListAsync();
        takers.ShouldBe(["kwame", "ben"]);
    }

    [Fact]
    public async Task A_second_run_on_a_seeded_database_adds_nothing()
    {
        await using var db = await fixture.NewContextAsync();
        var counts = await DemoDigest.CountsAsync(db);
        var lines = await DemoDigest.LinesAsync(db, DemoSeedFixture.Now);

        var again = await fixture.SeedAsync();

        again.Changed.ShouldBeFalse();
        again.CommunityId.ShouldBe(fixture.Result.CommunityId);
        (await DemoDigest.CountsAsync(db)).ShouldBe(counts);
        (await DemoDigest.LinesAsync(db, DemoSeedFixture.Now)).ShouldBe(lines);
        lines.ShouldBe(fixture.Digest);
    }

    [Fact]
    public async Task A_database_from_the_old_three_member_seed_gets_the_rest_of_the_story_without_duplicates()
    {
        await using var old = new ServiceFixture();
        await old.InitializeAsync();
        var ids = new Dictionary<string, string>();
        foreach (var name in new[] { "ana", "ben", "carla" }) ids[name] = await old.CreateUserAsync(name);
        var community = await old.Get<CommunityService>().CreateAsync(ids["ana"], new(DemoSeeder.CommunityName, DemoSeeder.CommunityDescription));
        await old.AddMemberAsync(community, userId: ids["ben"]);
        await old.AddMemberAsync(community, userId: ids["carla"]);

        var result = await DemoSeedFixture.SeedAsync(old);

        result.Changed.ShouldBeTrue();
        result.CommunityId.ShouldBe(community);
        await using var db = await old.NewContextAsync();
        (await db.Communities.CountAsync()).ShouldBe(1);
        foreach (var (name, id) in ids) (await db.Users.SingleAsync(u => u.UserName == name)).Id.ShouldBe(id);
        var scores = await db.Memberships.Where(m => m.CommunityId == community).Select(m => new { m.User.UserName, m.TrustScore }).ToListAsync();
        await using var fresh = await fixture.NewContextAsync();
        var freshScores = await fresh.Memberships.Select(m => new { m.User.UserName, m.TrustScore }).ToListAsync();
        scores.OrderBy(m => m.UserName).ShouldBe(freshScores.OrderBy(m => m.UserName));
        (await db.Shares.CountAsync()).ShouldBe(await fresh.Shares.CountAsync());
        (await db.ShareRequests.CountAsync()).ShouldBe(await fresh.ShareRequests.CountAsync());
    }

    [Fact]
    public async Task The_forum_has_two_categories_threads_with_replies_a_best_answer_and_a_mention()
    {
        await using var db = await fixture.NewContextAsync();
        var community = (await db.Communities.SingleAsync(c => c.Name == DemoSeeder.CommunityName)).Id;
        (await db.ForumCategories.CountAsync(c => c.CommunityId == community)).ShouldBe(2);
        var threads = await db.ForumThreads.Where(t => t.CommunityId == community).ToListAsync();
        threads.Count.ShouldBeGreaterThanOrEqualTo(2);
        threads.ShouldAllBe(t => t.PostCount >= 3);
        threads.Count(t => t.BestAnswerPostId != null).ShouldBe(1);
        threads.Count(t => t.IsPinned).ShouldBe(1);
        var ben = await db.Users.Where(u => u.UserName == "ben").Select(u => u.Id).SingleAsync();
        (await db.ForumMentions.CountAsync(m => m.UserId == ben)).ShouldBe(1);
        (await db.Notifications.CountAsync(n => n.UserId == ben && n.Kind == CommunityApp.Features.Notifications.NotificationKind.ForumMentioned)).ShouldBe(1);
    }

    [Fact]
    public async Task Two_fresh_databases_get_the_same_data_on_sqlite_and_postgresql_within_seconds()
    {
        await using var sqlite = new SqliteServiceFixture();
        await sqlite.InitializeAsync();

        var result = await DemoSeedFixture.SeedAsync(sqlite);

        output.WriteLine($"Seed on SQLite: {result.Elapsed.TotalSeconds:0.0} s; on PostgreSQL: {fixture.Result.Elapsed.TotalSeconds:0.0} s");
        await using var db = await sqlite.NewContextAsync();
        var lines = await DemoDigest.LinesAsync(db, DemoSeedFixture.Now);
        lines.Count.ShouldBeGreaterThan(400);
        lines.ShouldBe(fixture.Digest);
        result.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_flagged_advert_waits_in_the_review_queue()
    {
        await using var db = await fixture.NewContextAsync();
        var community = (await db.Communities.SingleAsync(c => c.Name == DemoSeeder.CommunityName)).Id;
        var ana = await db.Users.Where(u => u.UserName == "ana").Select(u => u.Id).SingleAsync();

        var queue = await fixture.Get<CommunityApp.Features.Forum.ModerationService>().QueueAsync(ana, community, 0, 20);

        var item = queue.Items.ShouldHaveSingleItem();
        item.AuthorName.ShouldBe("Nora Quinn");
        item.Flags.Select(f => f.FlaggerName).ShouldBe(["Carla Nilsen", "Ben Okafor"]);
        item.FlagWeight.ShouldBe(item.Flags.Sum(f => f.Weight));
        // Carla is New (weight 1), Ben Trusted (weight 4): together they reach the five that hide it.
        item.Flags.Select(f => f.Weight).ShouldBe([1, 4]);
        item.HiddenAt.ShouldNotBeNull();
    }

    [Fact]
    public async Task Neighbours_list_endorsed_skills_items_carry_values_and_recognition_is_logged()
    {
        await using var db = await fixture.NewContextAsync();
        var community = fixture.Result.CommunityId!.Value;
        var carpentry = await fixture.Get<CommunityApp.Features.Skills.SkillService>()
            .SearchAsync(await db.Users.Where(u => u.UserName == "ana").Select(u => u.Id).SingleAsync(), community, "carpentry", 0, 10);
        carpentry.Items.Select(r => (r.DisplayName, r.Endorsements)).ShouldBe([("Ben Okafor", 4), ("Dmitri Volkov", 2)]);
        (await db.Items.CountAsync(i => i.CommunityId == community && i.ValuePoints != null)).ShouldBeGreaterThan(3);
        var entries = await db.RecognitionEntries.Where(e => e.CommunityId == community).ToListAsync();
        entries.Count(e => e.Kind == CommunityApp.Features.Recognition.RecognitionKind.Peer).ShouldBe(7);
        entries.Select(e => e.Kind).Distinct().Count().ShouldBe(3, "peer grants, fulfilled requests and confirmed contributions");
        entries.ShouldContain(e => e.Kind != CommunityApp.Features.Recognition.RecognitionKind.Peer && e.Value > 0);
        entries.ShouldAllBe(e => e.At <= DemoSeedFixture.Now.UtcDateTime);
    }
}

/// <summary>The start-up path: Development with <c>Demo:Seed</c> on seeds through the app's configuration, and the demo users sign in.</summary>
public sealed class DemoStartupTests
{
    [Fact]
    public async Task Start_up_seeds_riverside_and_the_demo_users_sign_in_with_the_readme_password()
    {
        await using var app = new AppFactory();
        await app.InitializeAsync();
        app.Settings["Demo:Seed"] = "true";

        using var client = app.CreateClient();

        app.Logs.ShouldContain(l => l.StartsWith($"Seeded the demo community '{DemoSeeder.CommunityName}'"));
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        foreach (var person in DemoSeeder.People)
        {
            var user = (await users.FindByNameAsync(person.UserName)).ShouldNotBeNull(person.UserName);
            (await users.CheckPasswordAsync(user, DemoSeeder.Password)).ShouldBeTrue(person.UserName);
        }
        (await users.FindByEmailAsync("ana@example.com")).ShouldNotBeNull();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        (await db.Memberships.CountAsync(m => m.Community.Name == DemoSeeder.CommunityName)).ShouldBeGreaterThanOrEqualTo(12);
    }
}
