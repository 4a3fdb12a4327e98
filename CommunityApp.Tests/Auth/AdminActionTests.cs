using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Members;
using CommunityApp.Features.Settings;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Auth;

/// <summary>Every admin-only service method, called by a non-member, a member and a member with every feature role: refused, nothing changed.</summary>
public sealed class AdminActionTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var action in Actions.Keys)
            foreach (var who in new[] { "non-member", "member", "member with every feature role" })
                data.Add(action, who);
        return data;
    }

    private static readonly Dictionary<string, Func<ServiceFixture, string, Guid, string, Task>> Actions = new()
    {
        ["edit community"] = (f, actor, c, _) => f.Get<CommunityService>().UpdateAsync(actor, c, new("Hijacked", null)),
        ["delete community"] = (f, actor, c, _) => f.Get<CommunityService>().DeleteAsync(actor, c),
        ["read settings"] = (f, actor, c, _) => f.Get<SettingsService>().GetAsync(actor, c),
        ["save settings"] = (f, actor, c, _) => f.Get<SettingsService>().SaveAsync(actor, c, ZeroThresholds()),
        ["add trust level"] = (f, actor, c, _) => f.Get<SettingsService>().AddLevelAsync(actor, c, "Hacker", 7),
        ["change role"] = (f, actor, c, target) => f.Get<MemberService>().ChangeRoleAsync(actor, c, target, MemberRole.Admin),
        ["grant feature role"] = (f, actor, c, target) => f.Get<MemberService>().GrantFeatureRoleAsync(actor, c, target, FeatureRole.PollCreator),
        ["revoke feature role"] = (f, actor, c, target) => f.Get<MemberService>().RevokeFeatureRoleAsync(actor, c, target, FeatureRole.TrustGranter),
        ["remove member"] = (f, actor, c, target) => f.Get<MemberService>().RemoveAsync(actor, c, target),
        ["create link invite"] = (f, actor, c, _) => f.Get<InviteService>().CreateLinkAsync(actor, c, new("Link", MemberRole.Member, DateTime.UtcNow.AddDays(1), null)),
        ["create direct invite"] = (f, actor, c, _) => f.Get<InviteService>().CreateDirectAsync(actor, c, new("nobody-in-particular", MemberRole.Member)),
        ["list invites"] = (f, actor, c, _) => f.Get<InviteService>().ListAsync(actor, c),
        ["read audit log"] = (f, actor, c, _) => f.Get<AuditService>().ListAsync(actor, c, new AuditFilter()),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Admin_actions_are_refused_to_everyone_else_and_change_nothing(string action, string who)
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var target = await fixture.AddMemberAsync(communityId, score: 3, featureRoles: FeatureRole.TrustGranter);
        var actor = who switch
        {
            "non-member" => await fixture.CreateUserAsync(),
            "member" => await fixture.AddMemberAsync(communityId, score: 100),
            _ => await fixture.AddMemberAsync(communityId, score: 100, featureRoles: Enum.GetValues<FeatureRole>()),
        };
        var before = await SnapshotAsync(communityId);

        var refusal = await Should.ThrowAsync<ForbiddenException>(() => Actions[action](fixture, actor, communityId, target));

        refusal.Message.ShouldBe(who == "non-member" ? "You are not a member of this community." : "Only the community's admins can do this.");
        (await SnapshotAsync(communityId)).ShouldBe(before);
    }

    private static SettingsPatch ZeroThresholds() => new()
    {
        Thresholds = PermissionCatalog.All.ToDictionary(p => p.SettingName, _ => "0"),
        DecayEnabled = true,
        DashboardRefreshInterval = 60,
    };

    /// <summary>Everything an admin action could touch, as text.</summary>
    private async Task<string> SnapshotAsync(Guid communityId)
    {
        await using var db = await fixture.NewContextAsync();
        var community = await db.Communities.IgnoreQueryFilters().SingleAsync(c => c.Id == communityId);
        var members = await db.Memberships.IgnoreQueryFilters().Where(m => m.CommunityId == communityId)
            .OrderBy(m => m.UserId).Select(m => $"{m.UserId}:{m.Role}:{m.DeletedAt}:{string.Join("+", m.FeatureRoles.Select(r => r.Role).OrderBy(r => r))}").ToListAsync();
        var levels = await db.TrustLevels.Where(l => l.CommunityId == communityId).OrderBy(l => l.MinScore).Select(l => $"{l.Name}={l.MinScore}").ToListAsync();
        var invites = await db.Invites.CountAsync(i => i.CommunityId == communityId);
        var audit = await db.AuditLog.CountAsync(e => e.CommunityId == communityId);
        return $"{community.Name}|{community.DeletedAt}|{community.Settings.ToJson()}|{string.Join(",", members)}|{string.Join(",", levels)}|{invites}|{audit}";
    }
}
