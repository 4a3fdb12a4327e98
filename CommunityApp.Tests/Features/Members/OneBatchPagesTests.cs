using Microsoft.EntityFrameworkCore;
using Npgsql;
using CommunityApp.Auth;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Members;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Members;

/// <summary>
/// The member list and the trust network on PostgreSQL read the viewer's standing, the capped count and the page in one
/// batch of plain SQL (issue #14, part 2). The same calls through EF Core's path (SQLite's, run here on PostgreSQL) must
/// give the same pages: rows, order, counts, cursors, and the same refusals with the same reasons.
/// </summary>
public sealed class OneBatchPagesTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private MemberService Members => fixture.Get<MemberService>();
    private TrustViewService Views => fixture.Get<TrustViewService>();

    /// <summary>
    /// A community with ties in every sort (scores, names, join times), feature roles, awards from the viewer (one
    /// revoked), a member who left, one whose e-mail is not confirmed, and a member of another community.
    /// </summary>
    private async Task<(Guid CommunityId, string Admin, string Member, List<string> All)> CommunityAsync()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        string[] names = ["Bea Ruiz", "Bea Ruiz", "Al_50%", "Cy", "Al_50%", "Di Bea", "bea", "Eve", "Flo"];
        int[] scores = [5, 5, 5, 0, 9, 9, 1, 3, 0];
        var joined = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var all = new List<string> { admin };
        for (var i = 0; i < names.Length; i++)
        {
            var roles = i % 3 == 0 ? new[] { FeatureRole.TrustGranter, FeatureRole.PollCreator } : i == 4 ? new[] { FeatureRole.ForumManager } : [];
            var user = await fixture.AddMemberAsync(communityId, score: scores[i], userId: await fixture.CreateUserAsync(emailConfirmed: i != 2), featureRoles: roles);
            all.Add(user);
            await using var db = await fixture.NewContextAsync();
            await db.Users.Where(u => u.Id == user).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, names[i]));
            await db.Memberships.Where(m => m.CommunityId == communityId && m.UserId == user)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.CreatedAt, joined.AddMinutes(i / 2)));
        }
        var member = all[1];
        var trust = fixture.Get<TrustService>();
        foreach (var receiver in all.Skip(2).Take(4)) await trust.AwardAsync(member, communityId, receiver);
        await trust.RemoveAsync(member, communityId, all[3]);
        // Gone from the list: a member who left; not in it: a member of another community only.
        var left = await fixture.AddMemberAsync(communityId, score: 4);
        await Members.LeaveAsync(left, communityId);
        var (other, _) = await fixture.CreateCommunityAsync();
        await fixture.AddMemberAsync(other, score: 7);
        return (communityId, admin, member, all);
    }

    private static string Render(MemberPage page) =>
        $"total {page.Total} capped {page.TotalCapped} page {page.PageIndex}/{page.PageSize} next {page.Next}\n" + string.Join("\n", page.Items.Select(m =>
            $"{m.UserId} {m.DisplayName} {m.UserName} {m.Email} {m.Role} [{string.Join(",", m.FeatureRoles)}] {m.TrustScore} {m.Title} {m.JoinedAt:O} {m.AwardedByMe}"));

    private static string Render(Page<NetworkRow> page) =>
        $"total {page.Total} page {page.PageIndex}/{page.PageSize}\n" + string.Join("\n", page.Items.Select(r =>
            $"{r.UserId} {r.DisplayName} {r.Score} given {r.GivenCount} received {r.ReceivedCount} by [{string.Join(",", r.TrustedBy)}]"));

    [Fact]
    public async Task Member_list_pages_in_one_batch_are_the_EF_paths_for_every_sort_search_viewer_and_page()
    {
        var (communityId, admin, member, all) = await CommunityAsync();
        // Searches: none, blank, names, a username part, e-mails only (admins search confirmed e-mails), wildcards taken literally, nothing.
        string?[] searches = [null, "  ", "bea", " RUIZ ", "user", "example.TEST", "%", "_5", "zzz"];
        var compared = 0;
        foreach (var viewer in new[] { admin, member })
        foreach (var sort in Enum.GetValues<MemberSort>())
        foreach (var search in searches)
        {
            foreach (var pageIndex in new[] { 0, 1, 9, int.MaxValue })
            {
                var query = new MemberQuery(search, sort, pageIndex, PageSize: 3);
                var batch = await Members.ListAsync(viewer, communityId, query, oneBatch: true);
                Render(batch).ShouldBe(Render(await Members.ListAsync(viewer, communityId, query, oneBatch: false)), $"{viewer} {sort} '{search}' page {pageIndex}");
                compared += batch.Items.Count;
            }
            // Keyset pages from the start to the end, each after the cursor the batch path gave.
            MemberCursor? after = null;
            var seen = 0;
            do
            {
                var query = new MemberQuery(search, sort, PageSize: 2, After: after);
                var batch = await Members.ListAsync(viewer, communityId, query, oneBatch: true);
                Render(batch).ShouldBe(Render(await Members.ListAsync(viewer, communityId, query, oneBatch: false)), $"{viewer} {sort} '{search}' after {after}");
                seen += batch.Items.Count;
                after = batch.Next;
            } while (after is not null);
            seen.ShouldBeLessThanOrEqualTo(all.Count);
        }
        compared.ShouldBeGreaterThan(100);
        // The cases say something: an admin's e-mail search finds the confirmed e-mails only, a member's finds none.
        (await Members.ListAsync(admin, communityId, new MemberQuery("example.test", PageSize: 100), oneBatch: true)).Total.ShouldBe(all.Count - 1);
        (await Members.ListAsync(member, communityId, new MemberQuery("example.test", PageSize: 100), oneBatch: true)).Total.ShouldBe(0);
        var mine = await Members.ListAsync(member, communityId, new MemberQuery(PageSize: 100), oneBatch: true);
        mine.Items.Count(m => m.AwardedByMe).ShouldBe(3);
        mine.Items.ShouldAllBe(m => m.Email == null);
    }

    [Fact]
    public async Task Trust_network_pages_in_one_batch_are_the_EF_paths_with_ten_givers_by_name()
    {
        var (communityId, admin, member, all) = await CommunityAsync();
        // Twelve more members award the first one: the page names ten of them, the first ten by name.
        var trust = fixture.Get<TrustService>();
        for (var i = 0; i < 12; i++)
        {
            var giver = await fixture.AddMemberAsync(communityId, score: 20);
            await using (var db = await fixture.NewContextAsync())
            {
                await db.Users.Where(u => u.Id == giver).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, $"Giver {(char)('L' - i)}"));
            }
            await trust.AwardAsync(giver, communityId, all[4]);
        }
        string?[] searches = [null, " ", "bea", "GIVER", "%", "_5", "zzz"];
        foreach (var viewer in new[] { admin, member })
        foreach (var search in searches)
        foreach (var (pageIndex, pageSize) in new[] { (0, 25), (0, 4), (1, 4), (3, 4), (0, 1000), (int.MaxValue, 20) })
        {
            var batch = await Views.NetworkAsync(viewer, communityId, search, pageIndex, pageSize, oneBatch: true);
            Render(batch).ShouldBe(Render(await Views.NetworkAsync(viewer, communityId, search, pageIndex, pageSize, oneBatch: false)),
                $"{viewer} '{search}' page {pageIndex}/{pageSize}");
        }
        var first = await Views.NetworkAsync(member, communityId, null, 0, 100, oneBatch: true);
        first.Total.ShouldBe(all.Count + 12);
        var awarded = first.Items.Single(r => r.UserId == all[4]);
        awarded.ReceivedCount.ShouldBe(13);
        awarded.TrustedBy.ShouldBe(["Bea Ruiz", .. Enumerable.Range(0, 9).Select(i => $"Giver {(char)('A' + i)}")]);
        first.Items.Single(r => r.UserId == member).GivenCount.ShouldBe(3);
    }

    [Fact]
    public async Task Outsiders_get_the_same_refusals_from_both_paths()
    {
        var (communityId, _, _, _) = await CommunityAsync();
        var outsider = await fixture.CreateUserAsync();
        var leaver = await fixture.AddMemberAsync(communityId);
        await Members.LeaveAsync(leaver, communityId);
        var (deleted, deletedAdmin) = await fixture.CreateCommunityAsync("Gone");
        await using (var db = await fixture.NewContextAsync())
        {
            await db.Communities.Where(c => c.Id == deleted).ExecuteUpdateAsync(s => s.SetProperty(c => c.DeletedAt, fixture.Clock.GetUtcNow().UtcDateTime));
        }

        foreach (var (viewer, community, refusal) in new[]
                 {
                     (outsider, communityId, typeof(ForbiddenException)), (leaver, communityId, typeof(ForbiddenException)),
                     (outsider, Guid.NewGuid(), typeof(NotFoundException)), (deletedAdmin, deleted, typeof(NotFoundException)),
                 })
        {
            foreach (var search in new[] { null, "bea" })
            {
                var batch = await Refusals.Refused(() => Members.ListAsync(viewer, community, new MemberQuery(search), oneBatch: true));
                var ef = await Refusals.Refused(() => Members.ListAsync(viewer, community, new MemberQuery(search), oneBatch: false));
                batch.GetType().ShouldBe(refusal);
                (batch.GetType(), batch.Message).ShouldBe((ef.GetType(), ef.Message));
                var network = await Refusals.Refused(() => Views.NetworkAsync(viewer, community, search, 0, 25, oneBatch: true));
                var networkEf = await Refusals.Refused(() => Views.NetworkAsync(viewer, community, search, 0, 25, oneBatch: false));
                (network.GetType(), network.Message).ShouldBe((networkEf.GetType(), networkEf.Message));
                network.GetType().ShouldBe(refusal);
            }
        }
    }

    [Fact]
    public async Task Counts_stop_at_the_cap_on_both_paths()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var prefix = "cap" + Guid.NewGuid().ToString("N")[..8];
        await using (var connection = new NpgsqlConnection(fixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand($"""
                INSERT INTO asp_net_users (id, user_name, normalized_user_name, email, normalized_email, email_confirmed, display_name,
                    created_at, updated_at, phone_number_confirmed, two_factor_enabled, lockout_enabled, access_failed_count)
                SELECT '{prefix}' || n, '{prefix}' || n, upper('{prefix}' || n), '{prefix}' || n || '@example.test', upper('{prefix}' || n || '@example.test'),
                    true, 'Neighbour ' || n, now(), now(), false, false, true, 0
                FROM generate_series(1, {MemberService.CountCap + 5}) n;
                INSERT INTO memberships (id, community_id, user_id, role, trust_score, admin_grant, created_at, updated_at)
                SELECT gen_random_uuid(), '{communityId}', '{prefix}' || n, 'Member', n % 7, n % 7, now(), now()
                FROM generate_series(1, {MemberService.CountCap + 5}) n;
                """, connection);
            await insert.ExecuteNonQueryAsync();
        }
        foreach (var oneBatch in new[] { true, false })
        {
            foreach (var search in new[] { null, "neighbour" })
            {
                var page = await Members.ListAsync(admin, communityId, new MemberQuery(search), oneBatch);
                (page.Total, page.TotalCapped, page.Items.Count).ShouldBe((MemberService.CountCap + 1, true, 25));
                (await Views.NetworkAsync(admin, communityId, search, 0, 25, oneBatch)).Total.ShouldBe(MemberService.CountCap + 1);
            }
            var few = await Members.ListAsync(admin, communityId, new MemberQuery("ghbour 9999"), oneBatch);
            (few.Total, few.TotalCapped, few.Items.Count).ShouldBe((1, false, 1));
        }
        // Past the cap a search pages along the sort's index rather than from its counted matches: the same pages still.
        foreach (var sort in Enum.GetValues<MemberSort>())
        foreach (var search in new[] { "neighbour", "ghbour 1" })
        {
            var query = new MemberQuery(search, sort, PageIndex: 2, PageSize: 10);
            var batch = await Members.ListAsync(admin, communityId, query, oneBatch: true);
            Render(batch).ShouldBe(Render(await Members.ListAsync(admin, communityId, query, oneBatch: false)), $"{sort} '{search}'");
            var next = query with { PageIndex = 0, After = batch.Next.ShouldNotBeNull() };
            Render(await Members.ListAsync(admin, communityId, next, oneBatch: true)).ShouldBe(Render(await Members.ListAsync(admin, communityId, next, oneBatch: false)));
        }
        foreach (var search in new[] { "neighbour", "ghbour 1", null })
        {
            Render(await Views.NetworkAsync(admin, communityId, search, 3, 10, oneBatch: true))
                .ShouldBe(Render(await Views.NetworkAsync(admin, communityId, search, 3, 10, oneBatch: false)), $"'{search}'");
        }
    }
}
