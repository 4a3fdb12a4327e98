using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Communities;
using CommunityApp.Resources;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Auth;

/// <summary>Who asks, relative to the permission asked about (its default threshold T).</summary>
public enum Actor
{
    SignedOut,
    NonMember,
    /// <summary>A member with no trust and no role: may read, may not act.</summary>
    Reader,
    BelowThreshold,
    AtThreshold,
    AboveThreshold,
    FeatureRoleHolder,
    /// <summary>On the permission's allow-list (poll creators by user; dispute handlers by council, which they do not manage yet).</summary>
    AllowListed,
    Admin,
}

/// <summary>Where the question is asked: the actor's own community, or one they do not belong to.</summary>
public enum Where
{
    OwnCommunity,
    OtherCommunity,
}

/// <summary>
/// The permission rule as one table (docs/SPEC.md §3.3): every actor × every permission × every scope, through the
/// permission service the feature services call, on PostgreSQL. Each row states the answer, its reason and the sentence
/// the page shows; the refusal a service throws must say the same.
/// </summary>
public sealed class PermissionMatrixTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private const int Score = 0;

    /// <summary>What each actor's score is, given the permission's threshold; the others hold no trust.</summary>
    private static int ScoreOf(Actor actor, int threshold) => actor switch
    {
        Actor.BelowThreshold => threshold - 1,
        Actor.AtThreshold => threshold,
        Actor.AboveThreshold => threshold + 7,
        _ => Score,
    };

    /// <summary>The table: the answer and its reason for an actor in a scope.</summary>
    private static (bool Allowed, PermissionReason Reason) Expected(Actor actor, Permission permission, Where where) => (actor, where) switch
    {
        (Actor.SignedOut, _) => (false, PermissionReason.SignedOut),
        (_, Where.OtherCommunity) or (Actor.NonMember, _) => (false, PermissionReason.NotMember),
        (Actor.Admin, _) => (true, PermissionReason.Admin),
        // A permission no role grants (UseCheckoutLinks): the holder of every role is just a member below the threshold.
        (Actor.FeatureRoleHolder, _) when PermissionCatalog.Get(permission).GrantedByRole is not null => (true, PermissionReason.FeatureRole),
        (Actor.AllowListed, _) when permission == Permission.CreatePolls => (true, PermissionReason.AllowList),
        (Actor.AtThreshold or Actor.AboveThreshold, _) => (true, PermissionReason.TrustScore),
        _ => (false, PermissionReason.BelowThreshold),
    };

    public static TheoryData<Permission, Where> Cases()
    {
        var data = new TheoryData<Permission, Where>();
        foreach (var permission in Enum.GetValues<Permission>())
            foreach (var where in Enum.GetValues<Where>())
                data.Add(permission, where);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_actor_gets_the_answer_and_the_reason_of_the_table(Permission permission, Where where)
    {
        var definition = PermissionCatalog.Get(permission);
        var threshold = definition.DefaultThreshold;
        var (own, _) = await fixture.CreateCommunityAsync();
        var (other, _) = await fixture.CreateCommunityAsync();
        var council = Guid.NewGuid();
        var actors = new Dictionary<Actor, string?>();
        foreach (var actor in Enum.GetValues<Actor>())
        {
            actors[actor] = actor switch
            {
                Actor.SignedOut => null,
                Actor.NonMember => await fixture.CreateUserAsync(),
                Actor.Admin => await fixture.AddMemberAsync(own, MemberRole.Admin, score: Score),
                Actor.FeatureRoleHolder => await fixture.AddMemberAsync(own, score: Score,
                    featureRoles: definition.GrantedByRole is { } role ? [role] : Enum.GetValues<FeatureRole>()),
                _ => await fixture.AddMemberAsync(own, score: ScoreOf(actor, threshold)),
            };
        }
        await using (var db = await fixture.NewContextAsync())
        {
            var community = await db.Communities.SingleAsync(c => c.Id == own);
            var settings = CommunitySettings.FromJson(community.Settings.ToJson());
            settings.PollCreatorUsers.Add(actors[Actor.AllowListed]!);
            settings.DisputeHandlingCouncils.Add(council);
            community.Settings = settings;
            await db.SaveChangesAsync();
        }
        var scope = PermissionScope.Community(where == Where.OwnCommunity ? own : other);
        var service = fixture.Get<PermissionService>();

        foreach (var (actor, userId) in actors)
        {
            var (allowed, reason) = Expected(actor, permission, where);
            var score = reason is PermissionReason.SignedOut or PermissionReason.NotMember ? 0 : ScoreOf(actor, threshold);
            var sentence = reason switch
            {
                PermissionReason.SignedOut => "Sign in first.",
                PermissionReason.NotMember => "You are not a member of this community.",
                PermissionReason.Admin => "Allowed: you are an admin.",
                PermissionReason.FeatureRole => $"Allowed: granted by role {Text.Get($"FeatureRole.{definition.GrantedByRole}")}.",
                PermissionReason.AllowList => "Allowed: you are on the community's list for this.",
                PermissionReason.TrustScore => $"Allowed: your trust {score} meets {threshold}.",
                _ => $"You need {threshold} trust to {Text.Get($"Verb.{permission}")}; you have {score}.",
            };

            var check = await service.CheckAsync(userId, permission, scope);

            check.Allowed.ShouldBe(allowed, $"{actor} {permission} in {where}");
            check.Reason.ShouldBe(reason, $"{actor} {permission} in {where}");
            check.Explain().ShouldBe(sentence, $"{actor} {permission} in {where}");
            if (reason == PermissionReason.FeatureRole) check.Role.ShouldBe(definition.GrantedByRole);
            (await service.CheckAllAsync(userId, scope)).Single(c => c.Permission == permission).ShouldBe(check, $"{actor}: the page's list says the same");

            if (userId is null) continue;
            await using var db = await fixture.NewContextAsync();
            var demand = () => PermissionService.DemandAsync(db, userId, permission, scope);
            if (allowed) (await demand()).UserId.ShouldBe(userId, $"{actor} {permission} in {where}");
            else (await Should.ThrowAsync<ForbiddenException>(demand, $"{actor} {permission} in {where}")).Message.ShouldBe(sentence);
        }
    }

    [Fact]
    public void The_catalogue_is_in_enum_order_and_every_role_grants_one_permission()
    {
        PermissionCatalog.All.Select(p => p.Permission).ShouldBe(Enum.GetValues<Permission>());
        PermissionCatalog.All.Select(p => p.GrantedByRole).OfType<FeatureRole>().ShouldBe(Enum.GetValues<FeatureRole>(), ignoreOrder: true);
        // docs/SPEC.md §3.1 names no role for checkout links: only admins and trust grant it.
        PermissionCatalog.All.Where(p => p.GrantedByRole is null).Select(p => p.Permission).ShouldBe([Permission.UseCheckoutLinks, Permission.GrantRecognition]);
        PermissionCatalog.Get(Permission.UseCheckoutLinks).ShouldBe(new PermissionDefinition(Permission.UseCheckoutLinks, "minTrustForCheckoutLinks", 5, null));
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
