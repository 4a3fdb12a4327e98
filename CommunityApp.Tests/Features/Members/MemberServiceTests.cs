using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Members;
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

}
