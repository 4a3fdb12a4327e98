using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Communities;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Auth;

public enum Standing
{
    NonMember,
    MemberBelowThreshold,
    MemberAtThreshold,
    FeatureRoleHolder,
    Admin,
}

/// <summary>Every permission × every kind of member, on PostgreSQL, through the permission service the feature services call.</summary>
public sealed class PermissionMatrixTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    public static TheoryData<Permission, Standing> Matrix()
    {
        var data = new TheoryData<Permission, Standing>();
        foreach (var permission in Enum.GetValues<Permission>())
            foreach (var standing in Enum.GetValues<Standing>())
                data.Add(permission, standing);
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Each_permission_is_decided_by_admin_role_feature_role_or_trust(Permission permission, Standing standing)
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var definition = PermissionCatalog.Get(permission);
        var threshold = definition.DefaultThreshold;
        var userId = standing switch
        {
            Standing.NonMember => await fixture.CreateUserAsync(),
            Standing.MemberBelowThreshold => await fixture.AddMemberAsync(communityId, score: threshold - 1),
            Standing.MemberAtThreshold => await fixture.AddMemberAsync(communityId, score: threshold),
            Standing.FeatureRoleHolder => await fixture.AddMemberAsync(communityId, score: 0, featureRoles: definition.GrantedByRole),
            _ => await fixture.AddMemberAsync(communityId, MemberRole.Admin, score: 0),
        };
        var service = fixture.Get<PermissionService>();

        var check = await service.CheckAsync(userId, permission, PermissionScope.Community(communityId));
        await using var db = await fixture.NewContextAsync();
        var demand = () => PermissionService.DemandAsync(db, communityId, userId, permission);

        var (allowed, reason) = standing switch
        {
            Standing.NonMember => (false, PermissionReason.NotMember),
            Standing.MemberBelowThreshold => (false, PermissionReason.BelowThreshold),
            Standing.MemberAtThreshold => (true, PermissionReason.TrustScore),
            Standing.FeatureRoleHolder => (true, PermissionReason.FeatureRole),
            _ => (true, PermissionReason.Admin),
        };
        check.Allowed.ShouldBe(allowed);
        check.Reason.ShouldBe(reason);
        if (allowed)
        {
            (await demand()).UserId.ShouldBe(userId);
        }
        else
        {
            var refusal = await Should.ThrowAsync<ForbiddenException>(demand);
            refusal.Message.ShouldBe(standing == Standing.NonMember
                ? "You are not a member of this community."
                : $"You need {threshold} trust to {CommunityApp.Resources.Text.Get($"Verb.{permission}")}; you have {threshold - 1}.");
        }
        if (standing == Standing.FeatureRoleHolder) check.Role.ShouldBe(definition.GrantedByRole);
    }

    [Fact]
    public void The_catalogue_is_in_enum_order_and_every_role_grants_one_permission()
    {
        PermissionCatalog.All.Select(p => p.Permission).ShouldBe(Enum.GetValues<Permission>());
        PermissionCatalog.All.Select(p => p.GrantedByRole).ShouldBe(Enum.GetValues<FeatureRole>(), ignoreOrder: true);
        PermissionCatalog.RoleAreas.SelectMany(a => a.Roles).ShouldBe(Enum.GetValues<FeatureRole>(), ignoreOrder: true);
    }

    [Fact]
    public async Task Losing_trust_or_a_feature_role_removes_access_at_once()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var userId = await fixture.AddMemberAsync(communityId, score: 15, featureRoles: FeatureRole.PollCreator);
        var service = fixture.Get<PermissionService>();
        (await service.CheckAsync(userId, Permission.AwardTrust, PermissionScope.Community(communityId))).Allowed.ShouldBeTrue();
        (await service.CheckAsync(userId, Permission.CreatePolls, PermissionScope.Community(communityId))).Reason.ShouldBe(PermissionReason.FeatureRole);

        await fixture.SetScoreAsync(communityId, userId, 14);
        await using (var db = await fixture.NewContextAsync())
        {
            await db.MemberFeatureRoles.Where(r => r.Role == FeatureRole.PollCreator).ExecuteDeleteAsync();
        }

        (await service.CheckAsync(userId, Permission.AwardTrust, PermissionScope.Community(communityId))).Allowed.ShouldBeFalse();
        (await service.CheckAsync(userId, Permission.CreatePolls, PermissionScope.Community(communityId))).Reason.ShouldBe(PermissionReason.BelowThreshold);
    }

    [Fact]
    public async Task Users_on_the_poll_creator_list_may_create_polls_whatever_their_trust()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var listed = await fixture.AddMemberAsync(communityId, score: 0);
        await using (var db = await fixture.NewContextAsync())
        {
            var community = await db.Communities.SingleAsync(c => c.Id == communityId);
            var settings = CommunitySettings.FromJson(community.Settings.ToJson());
            settings.PollCreatorUsers.Add(listed);
            community.Settings = settings;
            await db.SaveChangesAsync();
        }

        var check = await fixture.Get<PermissionService>().CheckAsync(listed, Permission.CreatePolls, PermissionScope.Community(communityId));

        check.Allowed.ShouldBeTrue();
        check.Reason.ShouldBe(PermissionReason.AllowList);
        (await fixture.Get<PermissionService>().CheckAsync(listed, Permission.HandleDisputes, PermissionScope.Community(communityId))).Allowed.ShouldBeFalse();
    }

    [Fact]
    public async Task A_threshold_naming_a_missing_level_refuses_instead_of_reading_zero()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var userId = await fixture.AddMemberAsync(communityId, score: 0);
        await using (var db = await fixture.NewContextAsync())
        {
            var community = await db.Communities.SingleAsync(c => c.Id == communityId);
            var settings = CommunitySettings.FromJson(community.Settings.ToJson());
            settings.Thresholds["minTrustForNeeds"] = Threshold.Level(Guid.NewGuid());
            community.Settings = settings;
            await db.SaveChangesAsync();
        }

        var check = await fixture.Get<PermissionService>().CheckAsync(userId, Permission.PublishNeeds, PermissionScope.Community(communityId));

        check.Allowed.ShouldBeFalse();
        check.Reason.ShouldBe(PermissionReason.ThresholdMisconfigured);
    }
}
