using CommunityApp.Auth;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Members;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Audit;

public sealed class AuditServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task The_log_is_filtered_by_actor_action_and_date_and_paged_newest_first()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var second = await fixture.AddMemberAsync(communityId, MemberRole.Admin);
        var member = await fixture.AddMemberAsync(communityId);
        var members = fixture.Get<MemberService>();
        await members.GrantFeatureRoleAsync(admin, communityId, member, FeatureRole.PollCreator);
        await members.GrantFeatureRoleAsync(admin, communityId, member, FeatureRole.ItemManager);
        await members.RevokeFeatureRoleAsync(second, communityId, member, FeatureRole.ItemManager);
        await fixture.Get<CommunityService>().UpdateAsync(second, communityId, new("Renamed", null));
        var audit = fixture.Get<AuditService>();

        var all = await audit.ListAsync(admin, communityId, new AuditFilter(PageSize: 3));
        all.Total.ShouldBe(4);
        all.Items.Select(e => e.Action).ShouldBe([AuditAction.CommunityEdited, AuditAction.FeatureRoleRevoked, AuditAction.FeatureRoleGranted]);
        (await audit.ListAsync(admin, communityId, new AuditFilter(PageIndex: 1, PageSize: 3))).Items.ShouldHaveSingleItem();
        (await audit.ListAsync(admin, communityId, new AuditFilter(ActorId: second))).Total.ShouldBe(2);
        (await audit.ListAsync(admin, communityId, new AuditFilter(Action: AuditAction.FeatureRoleGranted))).Items.ShouldAllBe(e => e.ActorId == admin && e.TargetName != null);
        (await audit.ListAsync(admin, communityId, new AuditFilter(From: DateTime.UtcNow.AddMinutes(1)))).Total.ShouldBe(0);
        (await audit.ListAsync(admin, communityId, new AuditFilter(To: DateTime.UtcNow.AddMinutes(1)))).Total.ShouldBe(4);
        (await audit.ActorsAsync(admin, communityId)).Select(a => a.Id).ShouldBe([admin, second], ignoreOrder: true);
        all.Items[0].Details.ShouldContain("""{"name":{"old":"Test community","new":"Renamed"}}""");
    }
}
