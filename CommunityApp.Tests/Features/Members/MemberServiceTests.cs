using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Events;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Members;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Members;

public sealed class MemberServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private MemberService Service => fixture.Get<MemberService>();

    [Fact]
    public async Task The_member_list_pages_sorts_by_trust_and_shows_titles_and_roles()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var scores = new[] { 3, 60, 12, 0, 25 };
        foreach (var score in scores) await fixture.AddMemberAsync(communityId, score: score, featureRoles: score == 60 ? [FeatureRole.PollCreator] : []);

        var first = await Service.ListAsync(admin, communityId, new MemberQuery(Sort: MemberSort.TrustDescending, PageSize: 4));
        var second = await Service.ListAsync(admin, communityId, new MemberQuery(Sort: MemberSort.TrustDescending, PageIndex: 1, PageSize: 4));

        first.Total.ShouldBe(6);
        first.Items.Select(m => m.TrustScore).ShouldBe([60, 25, 12, 3]);
        second.Items.Select(m => m.TrustScore).ShouldBe([0, 0]);
        first.Items[0].Title.ShouldBe("Trusted");
        first.Items[1].Title.ShouldBe("Stable");
        first.Items[3].Title.ShouldBe("New");
        first.Items[0].FeatureRoles.ShouldBe([FeatureRole.PollCreator]);
        second.Items.ShouldContain(m => m.UserId == admin && m.Role == MemberRole.Admin);
        (await Service.ListAsync(admin, communityId, new MemberQuery(Sort: MemberSort.TrustAscending, PageSize: 2))).Items.Select(m => m.TrustScore).ShouldBe([0, 0]);
    }

    [Fact]
    public async Task Members_search_by_name_and_username_and_only_admins_search_and_see_emails()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var zed = await fixture.CreateUserAsync("zedsearch");
        await fixture.AddMemberAsync(communityId, userId: zed);
        var member = await fixture.AddMemberAsync(communityId);

        (await Service.ListAsync(admin, communityId, new MemberQuery("ZEDSEA"))).Items.ShouldHaveSingleItem().UserId.ShouldBe(zed);
        (await Service.ListAsync(admin, communityId, new MemberQuery("display zedsearch"))).Items.ShouldHaveSingleItem().Email.ShouldBe("zedsearch@example.test");
        (await Service.ListAsync(admin, communityId, new MemberQuery("zedsearch@example"))).Items.ShouldHaveSingleItem();
        var asMember = await Service.ListAsync(member, communityId, new MemberQuery("zedsearch"));
        asMember.Items.ShouldHaveSingleItem().Email.ShouldBeNull();
        (await Service.ListAsync(member, communityId, new MemberQuery("@example.test"))).Total.ShouldBe(0);
        var outsider = await fixture.CreateUserAsync();
        await Should.ThrowAsync<ForbiddenException>(() => Service.ListAsync(outsider, communityId, new MemberQuery()));
    }

    [Fact]
    public async Task An_unconfirmed_email_is_neither_shown_to_admins_nor_found_by_their_search()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var name = "unconf" + Guid.NewGuid().ToString("N")[..8];
        var user = await fixture.CreateUserAsync(name, emailConfirmed: false);
        await fixture.AddMemberAsync(communityId, userId: user);

        (await Service.ListAsync(admin, communityId, new MemberQuery(name))).Items.ShouldHaveSingleItem().Email.ShouldBeNull();
        (await Service.ListAsync(admin, communityId, new MemberQuery($"{name}@example"))).Total.ShouldBe(0);
    }

    [Fact]
    public async Task Admins_change_roles_and_grant_and_revoke_feature_roles_with_an_audit_trail()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId);

        await Service.GrantFeatureRoleAsync(admin, communityId, member, FeatureRole.PollCreator);
        await Service.GrantFeatureRoleAsync(admin, communityId, member, FeatureRole.PollCreator);
        (await fixture.Get<PermissionService>().CheckAsync(member, Permission.CreatePolls, PermissionScope.Community(communityId))).Reason.ShouldBe(PermissionReason.FeatureRole);
        await Service.RevokeFeatureRoleAsync(admin, communityId, member, FeatureRole.PollCreator);
        (await fixture.Get<PermissionService>().CheckAsync(member, Permission.CreatePolls, PermissionScope.Community(communityId))).Allowed.ShouldBeFalse();
        await Service.ChangeRoleAsync(admin, communityId, member, MemberRole.Admin);

        (await fixture.Get<PermissionService>().CheckAsync(member, Permission.CreatePolls, PermissionScope.Community(communityId))).Reason.ShouldBe(PermissionReason.Admin);
        await using var db = await fixture.NewContextAsync();
        var log = await db.AuditLog.Where(e => e.CommunityId == communityId).OrderBy(e => e.CreatedAt).ToListAsync();
        log.Select(e => e.Action).ShouldBe([AuditAction.FeatureRoleGranted, AuditAction.FeatureRoleRevoked, AuditAction.RoleChanged]);
        log.ShouldAllBe(e => e.ActorId == admin && e.TargetUserId == member);
        log[2].Details.ShouldBe("""{"role":{"old":"Member","new":"Admin"}}""");
    }

    [Fact]
    public async Task The_last_admin_can_be_neither_demoted_removed_nor_leave()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var other = await fixture.AddMemberAsync(communityId, MemberRole.Admin);
        await Service.RemoveAsync(admin, communityId, other);

        (await Should.ThrowAsync<AppException>(() => Service.ChangeRoleAsync(admin, communityId, admin, MemberRole.Member))).Message.ShouldContain("last admin");
        (await Should.ThrowAsync<AppException>(() => Service.LeaveAsync(admin, communityId))).Message.ShouldContain("last admin");

        var promoted = await fixture.AddMemberAsync(communityId, MemberRole.Admin);
        await Service.ChangeRoleAsync(promoted, communityId, admin, MemberRole.Member);
        (await Should.ThrowAsync<AppException>(() => Service.ChangeRoleAsync(promoted, communityId, promoted, MemberRole.Member))).Message.ShouldContain("last admin");
        await using var db = await fixture.NewContextAsync();
        (await db.Memberships.CountAsync(m => m.CommunityId == communityId && m.Role == MemberRole.Admin)).ShouldBe(1);
    }

    [Fact]
    public async Task Two_admins_demoting_each_other_at_once_leave_exactly_one_admin()
    {
        for (var round = 0; round < 5; round++)
        {
            var (communityId, first) = await fixture.CreateCommunityAsync();
            var second = await fixture.AddMemberAsync(communityId, MemberRole.Admin);

            var results = await Task.WhenAll(
                Race.Attempt(() => Service.ChangeRoleAsync(first, communityId, second, MemberRole.Member)),
                Race.Attempt(() => Service.ChangeRoleAsync(second, communityId, first, MemberRole.Member)));

            results.Count(ok => ok).ShouldBe(1);
            await using var db = await fixture.NewContextAsync();
            (await db.Memberships.CountAsync(m => m.CommunityId == communityId && m.Role == MemberRole.Admin)).ShouldBe(1);
        }
    }

    [Fact]
    public async Task Removing_and_leaving_end_the_membership_and_keep_the_row()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var removed = await fixture.AddMemberAsync(communityId);
        var leaver = await fixture.AddMemberAsync(communityId);

        await Service.RemoveAsync(admin, communityId, removed);
        await Service.LeaveAsync(leaver, communityId);

        (await fixture.Get<PermissionService>().CheckAsync(removed, Permission.PublishNeeds, PermissionScope.Community(communityId))).Reason.ShouldBe(PermissionReason.NotMember);
        (await Service.ListAsync(admin, communityId, new MemberQuery())).Items.Select(m => m.UserId).ShouldBe([admin]);
        await using var db = await fixture.NewContextAsync();
        (await db.Memberships.IgnoreQueryFilters().CountAsync(m => m.CommunityId == communityId && m.DeletedAt != null)).ShouldBe(2);
        (await db.AuditLog.Where(e => e.CommunityId == communityId).Select(e => e.Action).ToListAsync())
            .ShouldBe([AuditAction.MemberRemoved, AuditAction.MemberLeft], ignoreOrder: true);
        await Should.ThrowAsync<AppException>(() => Service.RemoveAsync(admin, communityId, admin));
        await Should.ThrowAsync<NotFoundException>(() => Service.RemoveAsync(admin, communityId, removed));
    }

    [Fact]
    public async Task Leaving_and_removal_end_every_award_given_and_received_and_recompute_the_receivers_at_once()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var trust = fixture.Get<TrustService>();
        var leaver = await fixture.AddMemberAsync(communityId, score: 15);
        var removed = await fixture.AddMemberAsync(communityId, score: 15);
        var stays = await fixture.AddMemberAsync(communityId, score: 15);
        await trust.AwardAsync(leaver, communityId, stays);
        await trust.AwardAsync(removed, communityId, stays);
        await trust.AwardAsync(stays, communityId, leaver);
        await trust.AwardAsync(removed, communityId, leaver);
        (await ScoreAsync(communityId, stays)).ShouldBe(17);
        var told = new List<string>();
        using var listening = fixture.Get<IEventHub>().Subscribe<TrustChanged>(e =>
        {
            if (e.CommunityId == communityId) lock (told) told.Add(e.UserId);
            return Task.CompletedTask;
        });

        await Service.LeaveAsync(leaver, communityId);

        (await ScoreAsync(communityId, stays)).ShouldBe(16, "the leaver's award no longer counts");
        await Eventually.UntilAsync(() => { lock (told) return told.Contains(stays); }, "the live update for the member who stays");
        await Service.RemoveAsync(admin, communityId, removed);

        (await ScoreAsync(communityId, stays)).ShouldBe(15, "the removed member's award no longer counts");
        await using var db = await fixture.NewContextAsync();
        (await db.TrustAwards.CountAsync(a => a.CommunityId == communityId)).ShouldBe(0, "every award touching them ended");
        (await db.TrustAwards.IgnoreQueryFilters().CountAsync(a => a.CommunityId == communityId && a.DeletedAt != null)).ShouldBe(4);
        var ended = await db.TrustHistory.Where(h => h.CommunityId == communityId && h.Action == TrustHistoryAction.Ended)
            .Select(h => new { h.ActorId, h.SubjectId, h.Points }).ToListAsync();
        ended.ShouldBe([
            new { ActorId = leaver, SubjectId = stays, Points = -1 },
            new { ActorId = stays, SubjectId = leaver, Points = -1 },
            new { ActorId = removed, SubjectId = leaver, Points = -1 },
            new { ActorId = removed, SubjectId = stays, Points = -1 },
        ], ignoreOrder: true);
        // Nothing is left to jump back: the nightly recompute agrees with what the change stored.
        await fixture.Get<TrustRecalculator>().RecomputeCommunityAsync(communityId);
        (await ScoreAsync(communityId, stays)).ShouldBe(15);
    }

    [Fact]
    public async Task A_member_who_re_joins_starts_with_no_awards_and_no_grant_and_stays_there_after_a_recompute()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var trust = fixture.Get<TrustService>();
        var giver = await fixture.AddMemberAsync(communityId, score: 15);
        var member = await fixture.AddMemberAsync(communityId);
        await trust.SetAdminGrantAsync(admin, communityId, member, 3);
        await trust.AwardAsync(giver, communityId, member);
        (await ScoreAsync(communityId, member)).ShouldBe(4);
        await Service.LeaveAsync(member, communityId);
        var userName = await UserNameAsync(member);

        var invite = await fixture.Get<InviteService>().CreateDirectAsync(admin, communityId, new DirectInviteInput(userName, MemberRole.Member));
        await fixture.Get<InviteService>().AcceptAsync(member, invite);

        (await ScoreAsync(communityId, member)).ShouldBe(0);
        await fixture.Get<TrustRecalculator>().RecomputeCommunityAsync(communityId);
        (await ScoreAsync(communityId, member)).ShouldBe(0, "the old awards ended; a recompute finds nothing to add");
        await trust.AwardAsync(giver, communityId, member);
        (await ScoreAsync(communityId, member)).ShouldBe(1, "the old giver may trust them again");
    }

    private async Task<int> ScoreAsync(Guid communityId, string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Memberships.Where(m => m.CommunityId == communityId && m.UserId == userId).Select(m => m.TrustScore).SingleAsync();
    }

    private async Task<string> UserNameAsync(string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Users.Where(u => u.Id == userId).Select(u => u.UserName!).SingleAsync();
    }

}
