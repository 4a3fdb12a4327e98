using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;
using CommunityApp.Auth;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Settings;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Settings;

public sealed class SettingsServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private SettingsService Service => fixture.Get<SettingsService>();

    private static SettingsPatch Thresholds(params (string Key, string Value)[] values) =>
        new() { Thresholds = values.ToDictionary(v => v.Key, v => v.Value) };

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
    public async Task An_admin_saves_numbers_and_level_names_and_the_audit_entry_lists_exactly_the_typed_changes_old_to_new()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId);
        var patch = new SettingsPatch
        {
            // " 5 " is the stored 5 typed with spaces: not a change. 6 months is the default: not a change either.
            Thresholds = new Dictionary<string, string> { ["minTrustForPolls"] = "trusted", ["minTrustForNeeds"] = " 5 ", ["minTrustForWealth"] = "0" },
            DecayEnabled = true,
            DecayFullMonths = 6,
            DecayExpireMonths = 9,
            PollCreatorUsers = [member],
        };

        await Service.SaveAsync(admin, communityId, patch);

        var saved = await Service.GetAsync(admin, communityId);
        saved.Thresholds.Single(t => t.SettingName == "minTrustForPolls").ShouldSatisfyAllConditions(t => t.Text.ShouldBe("Trusted"), t => t.ResolvedScore.ShouldBe(50));
        saved.Thresholds.Single(t => t.SettingName == "minTrustForWealth").Text.ShouldBe("0");
        saved.Decay.ShouldSatisfyAllConditions(d => d.Enabled.ShouldBeTrue(), d => d.FullMonths.ShouldBe(6), d => d.ExpireMonths.ShouldBe(9));
        saved.PollCreatorUsers.ShouldHaveSingleItem().UserId.ShouldBe(member);
        var changes = await AuditedChangesAsync(communityId);
        changes.ShouldBe(new Dictionary<string, string>
        {
            ["minTrustForPolls"] = """{"old":15,"new":"Trusted"}""",
            ["minTrustForWealth"] = """{"old":10,"new":0}""",
            ["decay.enabled"] = """{"old":false,"new":true}""",
            ["decay.expireMonths"] = """{"old":12,"new":9}""",
            ["pollCreatorUsers"] = $$"""{"old":[],"new":["Display {{await UserNameAsync(member)}}"]}""",
        }, ignoreOrder: true);
    }

    [Fact]
    public async Task Saving_what_is_already_stored_writes_no_audit_entry()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();

        await Service.SaveAsync(admin, communityId, Thresholds(("minTrustForPolls", "15"), ("minTrustForNeeds", "5 ")) with { DecayEnabled = false, DashboardRefreshInterval = 300 });

        (await AuditedChangesAsync(communityId, expectEntry: false)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Saving_the_decay_section_keeps_a_custom_analytics_setting_and_every_other_section()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId);
        await Service.SaveAsync(admin, communityId, new SettingsPatch { DashboardRefreshInterval = 60, ShowDisputeRate = true, NonContributionThresholdDays = 90 });
        await Service.SaveAsync(admin, communityId, Thresholds(("minTrustForPolls", "Stable")) with { PollCreatorUsers = [member] });

        await Service.SaveAsync(admin, communityId, new SettingsPatch { DecayEnabled = true, DecayFullMonths = 2, DecayExpireMonths = 4 });

        var view = await Service.GetAsync(admin, communityId);
        view.Analytics.ShouldSatisfyAllConditions(
            a => a.DashboardRefreshInterval.ShouldBe(60), a => a.NonContributionThresholdDays.ShouldBe(90), a => a.MetricVisibilitySettings.ShowDisputeRate.ShouldBeTrue());
        view.Thresholds.Single(t => t.SettingName == "minTrustForPolls").Text.ShouldBe("Stable");
        view.PollCreatorUsers.ShouldHaveSingleItem().UserId.ShouldBe(member);
        view.Decay.ShouldSatisfyAllConditions(d => d.Enabled.ShouldBeTrue(), d => d.FullMonths.ShouldBe(2), d => d.ExpireMonths.ShouldBe(4));
        (await AuditedChangesAsync(communityId, latest: true)).Keys.ShouldBe(["decay.enabled", "decay.fullMonths", "decay.expireMonths"], ignoreOrder: true);
    }

    [Fact]
    public async Task Two_admins_saving_two_different_sections_at_the_same_moment_both_keep_their_change()
    {
        var (communityId, first) = await fixture.CreateCommunityAsync();
        var second = await fixture.AddMemberAsync(communityId, MemberRole.Admin);
        for (var round = 0; round < 5; round++)
        {
            var days = 40 + round;
            await Task.WhenAll(
                Task.Run(() => Service.SaveAsync(first, communityId, new SettingsPatch { DecayFullMonths = round, DecayExpireMonths = 12 })),
                Task.Run(() => Service.SaveAsync(second, communityId, new SettingsPatch { NonContributionThresholdDays = days })));

            var view = await Service.GetAsync(first, communityId);
            view.Decay.FullMonths.ShouldBe(round);
            view.Analytics.NonContributionThresholdDays.ShouldBe(days);
        }
    }

    [Fact]
    public async Task Two_saves_queued_behind_the_community_lock_each_apply_to_what_the_other_stored()
    {
        var (communityId, first) = await fixture.CreateCommunityAsync();
        var second = await fixture.AddMemberAsync(communityId, MemberRole.Admin);
        Task decay, analytics;
        await using (var holder = await fixture.NewContextWithoutRetriesAsync())
        {
            await using var held = await holder.Database.BeginTransactionAsync();
            await holder.LockForUpdateAsync<Community>(c => c.Id == communityId);
            // Both saves start while the lock is held, so both would read the same settings if they did not wait for it.
            decay = Task.Run(() => Service.SaveAsync(first, communityId, new SettingsPatch { DecayEnabled = true, DecayFullMonths = 1, DecayExpireMonths = 2 }));
            analytics = Task.Run(() => Service.SaveAsync(second, communityId, new SettingsPatch { DashboardRefreshInterval = 30, ShowTrustNetwork = false }));
            await LockWaits.UntilWaitingAsync(fixture, 2, decay, analytics);
            await held.CommitAsync();
        }
        await Task.WhenAll(decay, analytics);

        var view = await Service.GetAsync(first, communityId);
        view.Decay.ShouldSatisfyAllConditions(d => d.Enabled.ShouldBeTrue(), d => d.FullMonths.ShouldBe(1), d => d.ExpireMonths.ShouldBe(2));
        view.Analytics.ShouldSatisfyAllConditions(a => a.DashboardRefreshInterval.ShouldBe(30), a => a.MetricVisibilitySettings.ShowTrustNetwork.ShouldBeFalse());
        await using var db = await fixture.NewContextAsync();
        var entries = await db.AuditLog.Where(e => e.CommunityId == communityId && e.Action == AuditAction.SettingsChanged).Select(e => e.ActorId).ToListAsync();
        entries.ShouldBe([first, second], ignoreOrder: true);
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
            Service.SaveAsync(admin, communityId, Thresholds(("minTrustForWealth", value), ("minTrustForNeeds", "1"))));

        ex.Errors.ShouldBe(new Dictionary<string, string> { ["minTrustForWealth"] = message });
        (await Service.GetAsync(admin, communityId)).Thresholds.ShouldBe(view.Thresholds);
    }

    [Fact]
    public async Task Invalid_decay_analytics_and_poll_creators_are_refused_and_nothing_is_saved()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var outsider = await fixture.CreateUserAsync();
        var patch = new SettingsPatch
        {
            DecayEnabled = true, DecayFullMonths = 6, DecayExpireMonths = 6,
            NonContributionThresholdDays = 0, DashboardRefreshInterval = 1, ShowActiveMembers = false,
            PollCreatorUsers = [outsider],
        };

        var ex = await Should.ThrowAsync<ValidationFailedException>(() => Service.SaveAsync(admin, communityId, patch));

        ex.Errors.Keys.ShouldBe(["decay.expireMonths", "analytics.nonContributionThresholdDays", "analytics.dashboardRefreshInterval", "pollCreatorUsers"], ignoreOrder: true);
        var after = await Service.GetAsync(admin, communityId);
        after.Decay.Enabled.ShouldBeFalse();
        after.Analytics.MetricVisibilitySettings.ShowActiveMembers.ShouldBeTrue();
        // Only the field sent is checked against the stored rest: 13 full months meets the stored 12.
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.SaveAsync(admin, communityId, new SettingsPatch { DecayFullMonths = 13 })))
            .Errors.Keys.ShouldBe(["decay.expireMonths"]);
        (await AuditedChangesAsync(communityId, expectEntry: false)).ShouldBeEmpty();
        await Should.ThrowAsync<ArgumentException>(() => Service.SaveAsync(admin, communityId, Thresholds(("minTrustForNothing", "1"))));
    }

    [Fact]
    public async Task A_level_threshold_follows_its_level_when_renamed_or_re_thresholded()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId, score: 12);
        var view = await Service.GetAsync(admin, communityId);
        await Service.SaveAsync(admin, communityId, Thresholds(("minTrustToAwardTrust", "Stable")));
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
        await Service.SaveAsync(admin, communityId, Thresholds(("minTrustForPolls", "Trusted")));
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
        await Service.SaveAsync(admin, communityId, new SettingsPatch { PollCreatorUsers = [member] });
        await fixture.Get<CommunityApp.Features.Members.MemberService>().LeaveAsync(member, communityId);

        var after = await Service.GetAsync(admin, communityId);
        after.PollCreatorUsers.ShouldBeEmpty();
        await Service.SaveAsync(admin, communityId, new SettingsPatch { DecayEnabled = true, PollCreatorUsers = [.. after.PollCreatorUsers.Select(u => u.UserId)] });
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
        await Service.SaveAsync(admin, communityId, new SettingsPatch
        {
            Thresholds = SettingsPresets.All[2].Thresholds.ToDictionary(t => t.Key, t => t.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        });
        (await Service.GetAsync(admin, communityId)).Thresholds.Single(t => t.SettingName == "minTrustForFlagReview").ResolvedScore.ShouldBe(60);
    }

    /// <summary>The changes of the community's settings audit entry (the latest one, or the only one), each as its old/new JSON.</summary>
    private async Task<Dictionary<string, string>> AuditedChangesAsync(Guid communityId, bool latest = false, bool expectEntry = true)
    {
        await using var db = await fixture.NewContextAsync();
        var entries = await db.AuditLog.Where(e => e.CommunityId == communityId && e.Action == AuditAction.SettingsChanged)
            .OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id).Select(e => e.Details).ToListAsync();
        if (!expectEntry)
        {
            entries.ShouldBeEmpty();
            return [];
        }
        var details = latest ? entries.First() : entries.ShouldHaveSingleItem();
        using var json = JsonDocument.Parse(details);
        return json.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText());
    }

    private async Task<string> UserNameAsync(string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Users.Where(u => u.Id == userId).Select(u => u.UserName!).SingleAsync();
    }
}
