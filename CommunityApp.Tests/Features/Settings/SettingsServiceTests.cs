using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Settings;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Settings;

public sealed class SettingsServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private SettingsService Service => fixture.Get<SettingsService>();

    private static SettingsInput Input(SettingsView view, Action<Dictionary<string, string>>? thresholds = null) =>
        new(Edit(view, thresholds), view.Decay, view.Analytics, view.PollCreatorUsers.Select(u => u.UserId).ToList(), view.DisputeHandlingCouncils);

    private static Dictionary<string, string> Edit(SettingsView view, Action<Dictionary<string, string>>? change)
    {
        var values = view.Thresholds.ToDictionary(t => t.SettingName, t => t.Text);
        change?.Invoke(values);
        return values;
    }

    [Fact]
    public async Task A_new_community_shows_the_default_thresholds_levels_and_options()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();

        var view = await Service.GetAsync(admin, communityId);

        view.Thresholds.Select(t => (t.SettingName, t.Text)).ShouldBe(PermissionCatalog.All.Select(p => (p.SettingName, p.DefaultThreshold.ToString())));
        view.Levels.Select(l => l.Name).ShouldBe(["New", "Stable", "Trusted"]);
        view.Decay.Enabled.ShouldBeFalse();
        view.Analytics.DashboardRefreshInterval.ShouldBe(300);
    }

    [Fact]
    public async Task An_admin_saves_numbers_and_level_names_and_each_change_is_audited_old_to_new()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId);
        var view = await Service.GetAsync(admin, communityId);
        var input = Input(view, t => { t["minTrustForPolls"] = "trusted"; t["minTrustForNeeds"] = " 0 "; }) with
        {
            Decay = new DecaySettings { Enabled = true, FullMonths = 3, ExpireMonths = 9 },
            PollCreatorUsers = [member],
        };

        await Service.SaveAsync(admin, communityId, input);

        var saved = await Service.GetAsync(admin, communityId);
        saved.Thresholds.Single(t => t.SettingName == "minTrustForPolls").ShouldSatisfyAllConditions(t => t.Text.ShouldBe("Trusted"), t => t.ResolvedScore.ShouldBe(50));
        saved.Thresholds.Single(t => t.SettingName == "minTrustForNeeds").Text.ShouldBe("0");
        saved.Decay.FullMonths.ShouldBe(3);
        saved.PollCreatorUsers.ShouldHaveSingleItem().UserId.ShouldBe(member);
        await using var db = await fixture.NewContextAsync();
        var entry = await db.AuditLog.SingleAsync(e => e.CommunityId == communityId && e.Action == AuditAction.SettingsChanged);
        entry.Details.ShouldContain("""
            "minTrustForPolls":{"old":"15","new":"Trusted"}
            """.Trim());
        entry.Details.ShouldContain("""
            "decay.enabled":{"old":false,"new":true}
            """.Trim());
        entry.Details.ShouldNotContain("minTrustToAwardTrust");
    }

    [Theory]
    [InlineData("-1", "Use 0 or more.")]
    [InlineData("2.5", "Use a whole number.")]
    [InlineData("Guru", "There is no trust level named “Guru”.")]
    [InlineData("", "Enter a number or a trust level name.")]
    [InlineData("99999999999", "Use at most 1000000.")]
    public async Task Invalid_thresholds_get_field_messages_and_nothing_is_saved(string value, string message)
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var view = await Service.GetAsync(admin, communityId);

        var ex = await Should.ThrowAsync<ValidationFailedException>(() =>
            Service.SaveAsync(admin, communityId, Input(view, t => { t["minTrustForWealth"] = value; t["minTrustForNeeds"] = "1"; })));

        ex.Errors.ShouldBe(new Dictionary<string, string> { ["minTrustForWealth"] = message });
        (await Service.GetAsync(admin, communityId)).Thresholds.ShouldBe(view.Thresholds);
    }

    [Fact]
    public async Task Invalid_decay_analytics_and_poll_creators_are_refused_and_nothing_is_saved()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var outsider = await fixture.CreateUserAsync();
        var view = await Service.GetAsync(admin, communityId);
        var input = Input(view) with
        {
            Decay = new DecaySettings { Enabled = true, FullMonths = 6, ExpireMonths = 6 },
            Analytics = new AnalyticsSettings { NonContributionThresholdDays = 0, DashboardRefreshInterval = 1 },
            PollCreatorUsers = [outsider],
        };

        var ex = await Should.ThrowAsync<ValidationFailedException>(() => Service.SaveAsync(admin, communityId, input));

        ex.Errors.Keys.ShouldBe(["decay.expireMonths", "analytics.nonContributionThresholdDays", "analytics.dashboardRefreshInterval", "pollCreatorUsers"], ignoreOrder: true);
        (await Service.GetAsync(admin, communityId)).Decay.Enabled.ShouldBeFalse();
    }

    [Fact]
    public async Task A_level_threshold_follows_its_level_when_renamed_or_re_thresholded()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId, score: 12);
        var view = await Service.GetAsync(admin, communityId);
        await Service.SaveAsync(admin, communityId, Input(view, t => t["minTrustToAwardTrust"] = "Stable"));
        var permissions = fixture.Get<PermissionService>();
        (await permissions.CheckAsync(member, Permission.AwardTrust, PermissionScope.Community(communityId))).Allowed.ShouldBeTrue();
        var stable = view.Levels.Single(l => l.Name == "Stable");

        await Service.UpdateLevelAsync(admin, communityId, stable.Id, "Steady", 13);

        (await Service.GetAsync(admin, communityId)).Thresholds.Single(t => t.SettingName == "minTrustToAwardTrust")
            .ShouldSatisfyAllConditions(t => t.Text.ShouldBe("Steady"), t => t.ResolvedScore.ShouldBe(13));
        var check = await permissions.CheckAsync(member, Permission.AwardTrust, PermissionScope.Community(communityId));
        check.Allowed.ShouldBeFalse();
        check.Required.ShouldBe(13);
    }

    [Fact]
    public async Task Levels_need_unique_names_and_minimums()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();

        (await Should.ThrowAsync<ValidationFailedException>(() => Service.AddLevelAsync(admin, communityId, "stable", 20))).Errors.Keys.ShouldBe(["name"]);
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.AddLevelAsync(admin, communityId, "Elder", 50))).Errors.Keys.ShouldBe(["minScore"]);
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.AddLevelAsync(admin, communityId, "Minus", -1))).Errors.Keys.ShouldBe(["minScore"]);
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.AddLevelAsync(admin, communityId, "42", 42))).Errors.Keys.ShouldBe(["name"]);
        await Service.AddLevelAsync(admin, communityId, "Elder", 100);

        (await Service.GetAsync(admin, communityId)).Levels.Select(l => (l.Name, l.MinScore)).ShouldBe([("New", 0), ("Stable", 10), ("Trusted", 50), ("Elder", 100)]);
    }

    [Fact]
    public async Task A_level_in_use_cannot_be_deleted_without_a_replacement_which_thresholds_then_use()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var view = await Service.GetAsync(admin, communityId);
        await Service.SaveAsync(admin, communityId, Input(view, t => t["minTrustForPolls"] = "Trusted"));
        var trusted = view.Levels.Single(l => l.Name == "Trusted");
        var stable = view.Levels.Single(l => l.Name == "Stable");

        var ex = await Should.ThrowAsync<ValidationFailedException>(() => Service.DeleteLevelAsync(admin, communityId, trusted.Id, null));
        ex.Errors["replacement"].ShouldContain("minTrustForPolls");
        (await Service.GetAsync(admin, communityId)).Levels.Count.ShouldBe(3);

        await Service.DeleteLevelAsync(admin, communityId, trusted.Id, stable.Id);

        var after = await Service.GetAsync(admin, communityId);
        after.Levels.Select(l => l.Name).ShouldBe(["New", "Stable"]);
        after.Thresholds.Single(t => t.SettingName == "minTrustForPolls").Text.ShouldBe("Stable");
        await Should.ThrowAsync<ValidationFailedException>(() => Service.DeleteLevelAsync(admin, communityId, stable.Id, null));
    }

    [Fact]
    public async Task The_level_that_starts_at_zero_stays_so_every_member_has_a_title()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var newLevel = (await Service.GetAsync(admin, communityId)).Levels.Single(l => l.MinScore == 0);

        (await Should.ThrowAsync<AppException>(() => Service.DeleteLevelAsync(admin, communityId, newLevel.Id, null))).Message.ShouldContain("starts at 0");
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.UpdateLevelAsync(admin, communityId, newLevel.Id, "New", 3))).Errors.Keys.ShouldBe(["minScore"]);
        await Service.UpdateLevelAsync(admin, communityId, newLevel.Id, "Newcomer", 0);

        (await Service.GetAsync(admin, communityId)).Levels[0].Name.ShouldBe("Newcomer");
    }

    [Fact]
    public async Task A_poll_creator_who_left_drops_off_the_list_instead_of_blocking_saves()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId);
        var view = await Service.GetAsync(admin, communityId);
        await Service.SaveAsync(admin, communityId, Input(view) with { PollCreatorUsers = [member] });
        await fixture.Get<CommunityApp.Features.Members.MemberService>().LeaveAsync(member, communityId);

        var after = await Service.GetAsync(admin, communityId);
        after.PollCreatorUsers.ShouldBeEmpty();
        await Service.SaveAsync(admin, communityId, Input(after) with { Decay = new DecaySettings { Enabled = true, FullMonths = 6, ExpireMonths = 12 } });
        (await Service.GetAsync(admin, communityId)).Decay.Enabled.ShouldBeTrue();
    }

    [Fact]
    public async Task Presets_fill_every_threshold_and_the_default_preset_is_the_spec_table()
    {
        SettingsPresets.All.Select(p => p.Key).ShouldBe(["SmallNew", "Default", "LargeMature"]);
        foreach (var (_, thresholds) in SettingsPresets.All) thresholds.Keys.ShouldBe(PermissionCatalog.All.Select(p => p.SettingName), ignoreOrder: true);
        SettingsPresets.All[1].Thresholds["minTrustForCouncilCreation"].ShouldBe(25);
        SettingsPresets.All[0].Thresholds.Values.ShouldAllBe(v => v <= 10);

        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var view = await Service.GetAsync(admin, communityId);
        await Service.SaveAsync(admin, communityId, Input(view, t =>
        {
            foreach (var (key, value) in SettingsPresets.All[2].Thresholds) t[key] = value.ToString();
        }));
        (await Service.GetAsync(admin, communityId)).Thresholds.Single(t => t.SettingName == "minTrustForFlagReview").ResolvedScore.ShouldBe(60);
    }
}
