using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Members;
using CommunityApp.Features.Settings;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Members;

/// <summary>
/// Issue #14, part 2: keyset pages of members and of the audit log (ties included), the infix member search from trigram
/// indexes, the per-community settings cache, and the batched decay pass giving the scores the per-member one gave.
/// </summary>
public sealed class PagesAtScaleTests(ServiceFixture fixture) : MemberPagingCases(fixture), IClassFixture<ServiceFixture>
{

    [Fact]
    public async Task Keyset_pages_of_the_audit_log_go_newest_first_through_entries_of_the_same_moment()
    {
        var (communityId, admin) = await Fixture.CreateCommunityAsync();
        var at = new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        await using (var db = await Fixture.NewContextAsync())
        {
            // Seven entries, in three moments: ties decided by the id.
            for (var i = 0; i < 7; i++)
            {
                db.AuditLog.Add(AuditEntry.Record(communityId, admin, AuditAction.RoleChanged, new { n = i }, admin, at.AddSeconds(-(i / 3))));
            }
            await db.SaveChangesAsync();
        }
        var audit = Fixture.Get<AuditService>();
        var whole = (await audit.ListAsync(admin, communityId, new AuditFilter(From: at.AddMinutes(-1), To: at.AddMinutes(1), PageSize: 100))).Items;
        whole.Count.ShouldBe(7);

        var paged = new List<AuditRow>();
        AuditCursor? after = null;
        while (true)
        {
            var page = await audit.ListAsync(admin, communityId, new AuditFilter(From: at.AddMinutes(-1), To: at.AddMinutes(1), PageSize: 2, After: after));
            page.Total.ShouldBe(7);
            if (page.Items.Count == 0) break;
            paged.AddRange(page.Items);
            after = new AuditCursor(page.Items[^1].At, page.Items[^1].Id);
        }
        paged.Select(e => e.Id).ShouldBe(whole.Select(e => e.Id));
        paged.Select(e => e.At).ShouldBeInOrder(SortDirection.Descending);
    }

    [Fact]
    public async Task A_settings_save_is_seen_by_the_next_permission_check_through_the_cache()
    {
        var (communityId, admin) = await Fixture.CreateCommunityAsync();
        var member = await Fixture.AddMemberAsync(communityId, score: 3);
        var permissions = Fixture.Get<PermissionService>();
        var scope = PermissionScope.Community(communityId);
        var settings = Fixture.Get<SettingsService>();

        await settings.SaveAsync(admin, communityId, new SettingsPatch { Thresholds = new Dictionary<string, string> { ["minTrustToAwardTrust"] = "3" } });
        (await permissions.CheckAsync(member, Permission.AwardTrust, scope)).Allowed.ShouldBeTrue();
        (await permissions.CheckAsync(member, Permission.AwardTrust, scope)).Allowed.ShouldBeTrue();

        // Through the service: the save drops the cached entry.
        await settings.SaveAsync(admin, communityId, new SettingsPatch { Thresholds = new Dictionary<string, string> { ["minTrustToAwardTrust"] = "4" } });
        var refused = await permissions.CheckAsync(member, Permission.AwardTrust, scope);
        refused.Reason.ShouldBe(PermissionReason.BelowThreshold);
        refused.Required.ShouldBe(4);

        // Behind the app's back (another instance, a script): the stamp read with the member's row no longer matches.
        await using (var db = await Fixture.NewContextAsync())
        {
            var changed = CommunitySettings.FromJson((await db.Communities.SingleAsync(c => c.Id == communityId)).Settings.ToJson());
            changed.Thresholds["minTrustToAwardTrust"] = Threshold.Number(2);
            await db.Database.ExecuteSqlAsync($"UPDATE communities SET settings = {changed.ToJson()}::jsonb, updated_at = now() WHERE id = {communityId}");
        }
        (await permissions.CheckAsync(member, Permission.AwardTrust, scope)).Required.ShouldBe(2);

        // A new level is a new stamp too.
        await using (var db = await Fixture.NewContextAsync())
        {
            db.TrustLevels.Add(new TrustLevel { CommunityId = communityId, Name = "Pillar", MinScore = 3 });
            await db.SaveChangesAsync();
        }
        (await permissions.CheckAllAsync(member, scope)).ShouldNotBeEmpty();
        (await Fixture.Get<TrustViewService>().LevelsAsync(member, communityId)).ShouldContain(l => l.Name == "Pillar");
    }

    [Fact]
    public async Task The_batched_decay_pass_stores_the_scores_the_per_member_recompute_gives()
    {
        var (communityId, admin) = await Fixture.CreateCommunityAsync();
        await Fixture.Get<SettingsService>().SaveAsync(admin, communityId, new SettingsPatch { DecayEnabled = true, DecayFullMonths = 2, DecayExpireMonths = 5 });
        var members = new List<string> { admin };
        for (var i = 0; i < 12; i++) members.Add(await Fixture.AddMemberAsync(communityId, score: i % 3 == 0 ? 2 : 0));
        var now = Fixture.Get<TimeProvider>().GetUtcNow().UtcDateTime;
        var random = new Random(7);
        await using (var db = await Fixture.NewContextAsync())
        {
            // A known history: awards renewed over the last seven months (some full, some decaying, some gone), and
            // stored scores that are out of date, as they are when the daily pass starts.
            foreach (var receiver in members)
            {
                foreach (var giver in members.Where(g => g != receiver && random.Next(3) == 0))
                {
                    db.TrustAwards.Add(new TrustAward { CommunityId = communityId, GiverId = giver, ReceiverId = receiver, RenewedAt = now.AddDays(-random.Next(0, 210)) });
                }
            }
            await db.SaveChangesAsync();
            await db.Memberships.Where(m => m.CommunityId == communityId).ExecuteUpdateAsync(s => s.SetProperty(m => m.TrustScore, m => m.AdminGrant + 100));
        }

        var changed = await Fixture.Get<TrustRecalculator>().RecomputeCommunityAsync(communityId);

        changed.ShouldBe(members.Count);
        Dictionary<string, int> stored;
        await using (var db = await Fixture.NewContextAsync())
        {
            stored = await db.Memberships.Where(m => m.CommunityId == communityId).ToDictionaryAsync(m => m.UserId, m => m.TrustScore);
        }
        // The old computation, member by member on the same data: it finds nothing left to change.
        var decay = new DecaySettings { Enabled = true, FullMonths = 2, ExpireMonths = 5 };
        foreach (var member in members)
        {
            await using var db = await Fixture.NewContextAsync();
            var recomputed = await db.InTransactionAsync(() => TrustService.RecomputeAsync(db, communityId, member, decay, now, CancellationToken.None), CancellationToken.None);
            recomputed.ShouldBe(stored[member], $"member {member}");
        }
        stored.Values.ShouldContain(v => v > 0);
        // A second pass has nothing to do.
        (await Fixture.Get<TrustRecalculator>().RecomputeCommunityAsync(communityId)).ShouldBe(0);
    }
}

/// <summary>The member list's keyset pages and infix search on SQLite, which has no trigram index but the same answers.</summary>
public sealed class MemberPagingSqliteTests(SqliteServiceFixture fixture) : MemberPagingCases(fixture), IClassFixture<SqliteServiceFixture>;

/// <summary>Cases both providers must answer alike.</summary>
public abstract class MemberPagingCases(ServiceFixture fixture)
{
    protected ServiceFixture Fixture => fixture;

    private MemberService Members => fixture.Get<MemberService>();

    [Theory]
    [InlineData(MemberSort.TrustDescending)]
    [InlineData(MemberSort.TrustAscending)]
    [InlineData(MemberSort.Name)]
    [InlineData(MemberSort.NameDescending)]
    [InlineData(MemberSort.Newest)]
    public async Task Keyset_pages_of_members_give_every_member_once_in_the_sorts_order_through_ties(MemberSort sort)
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        // Ties everywhere: three members share a score, two share a display name, two joined at the same moment.
        string[] names = ["Bea", "Bea", "Al", "Cy", "Al", "Di", "Bea"];
        int[] scores = [5, 5, 5, 0, 9, 9, 1];
        var joined = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < names.Length; i++)
        {
            var user = await fixture.AddMemberAsync(communityId, score: scores[i]);
            await using var db = await fixture.NewContextAsync();
            await db.Users.Where(u => u.Id == user).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, names[i]));
            await db.Memberships.Where(m => m.CommunityId == communityId && m.UserId == user)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.CreatedAt, joined.AddMinutes(i / 2)));
        }

        var whole = await Members.ListAsync(admin, communityId, new MemberQuery(Sort: sort, PageSize: 100));
        whole.Items.Count.ShouldBe(8);
        whole.Next.ShouldBeNull();

        var paged = new List<MemberRow>();
        MemberCursor? after = null;
        var pages = 0;
        do
        {
            var page = await Members.ListAsync(admin, communityId, new MemberQuery(Sort: sort, PageSize: 3, After: after));
            page.Total.ShouldBe(8);
            page.Items.Count.ShouldBeLessThanOrEqualTo(3);
            paged.AddRange(page.Items);
            after = page.Next;
            pages++;
        } while (after is not null);

        pages.ShouldBe(3);
        paged.Select(m => m.UserId).ShouldBe(whole.Items.Select(m => m.UserId));
        // The offset page of the same place agrees with the keyset one.
        var second = await Members.ListAsync(admin, communityId, new MemberQuery(Sort: sort, PageIndex: 1, PageSize: 3));
        second.Items.Select(m => m.UserId).ShouldBe(paged.Skip(3).Take(3).Select(m => m.UserId));
    }

    [Fact]
    public async Task Member_search_finds_a_match_anywhere_in_a_name_and_takes_wildcards_literally()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var mariposa = await fixture.AddMemberAsync(communityId);
        var percent = await fixture.AddMemberAsync(communityId);
        await fixture.AddMemberAsync(communityId);
        await using (var db = await fixture.NewContextAsync())
        {
            await db.Users.Where(u => u.Id == mariposa).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, "Ana Mariposa Ruiz"));
            await db.Users.Where(u => u.Id == percent).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, "Fifty_50% Club"));
        }

        (await Members.ListAsync(admin, communityId, new MemberQuery("RIPOS"))).Items.ShouldHaveSingleItem().UserId.ShouldBe(mariposa);
        (await Members.ListAsync(admin, communityId, new MemberQuery("sa ru"))).Items.ShouldHaveSingleItem().UserId.ShouldBe(mariposa);
        (await Members.ListAsync(admin, communityId, new MemberQuery("%"))).Items.ShouldHaveSingleItem().UserId.ShouldBe(percent);
        (await Members.ListAsync(admin, communityId, new MemberQuery("y_5"))).Items.ShouldHaveSingleItem().UserId.ShouldBe(percent);
        (await Members.ListAsync(admin, communityId, new MemberQuery("_"))).Items.ShouldHaveSingleItem().UserId.ShouldBe(percent);
        (await Members.ListAsync(admin, communityId, new MemberQuery("ana%ruiz"))).Total.ShouldBe(0);
        // The trust network's search is the same.
        (await fixture.Get<TrustViewService>().NetworkAsync(admin, communityId, "ripos", 0, 10)).Items.ShouldHaveSingleItem().UserId.ShouldBe(mariposa);
    }
}
