using Bunit;
using MudBlazor;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Settings;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Components;

/// <summary>The settings page saves one section at a time, only what the admin changed, and explains bad input beside the field.</summary>
public sealed class SettingsPageTests(SqliteServiceFixture data) : IClassFixture<SqliteServiceFixture>
{
    private SettingsService Service => data.Get<SettingsService>();

    [Fact]
    public async Task Saving_the_decay_section_stores_only_decay_and_keeps_the_unsaved_analytics_edit_on_the_page()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        await using var context = PageTestContext.Create(data, admin);
        context.Render<MudPopoverProvider>();
        var snackbar = context.Render<MudSnackbarProvider>();
        var page = Render(context, communityId);

        page.Find("input[data-setting='decay.fullMonths']").Change("3");
        page.Find("input[data-setting='analytics.dashboardRefreshInterval']").Change("60");
        SaveButton(page, "Trust decay").Click();

        snackbar.WaitForAssertion(() => snackbar.Markup.ShouldContain("Trust decay saved."));
        var stored = await Service.GetAsync(admin, communityId);
        stored.Decay.FullMonths.ShouldBe(3);
        stored.Analytics.DashboardRefreshInterval.ShouldBe(300);
        page.Find("input[data-setting='analytics.dashboardRefreshInterval']").GetAttribute("value").ShouldBe("60");
        SaveButton(page, "Trust decay").HasAttribute("disabled").ShouldBeTrue();

        SaveButton(page, "Analytics").Click();

        page.WaitForAssertion(() => SaveButton(page, "Analytics").HasAttribute("disabled").ShouldBeTrue());
        snackbar.WaitForAssertion(() => snackbar.Markup.ShouldContain("Analytics saved."));
        stored = await Service.GetAsync(admin, communityId);
        stored.Analytics.DashboardRefreshInterval.ShouldBe(60);
        stored.Decay.FullMonths.ShouldBe(3);
    }

    [Fact]
    public async Task A_section_saved_from_an_old_page_leaves_what_another_admin_saved_since()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        var other = await data.AddMemberAsync(communityId, MemberRole.Admin);
        await using var context = PageTestContext.Create(data, admin);
        context.Render<MudPopoverProvider>();
        var snackbar = context.Render<MudSnackbarProvider>();
        var page = Render(context, communityId);

        await Service.SaveAsync(other, communityId, new SettingsPatch { NonContributionThresholdDays = 45, DecayExpireMonths = 20 });
        page.Find("input[data-setting='decay.fullMonths']").Change("9");
        SaveButton(page, "Trust decay").Click();

        snackbar.WaitForAssertion(() => snackbar.Markup.ShouldContain("Trust decay saved."));
        var stored = await Service.GetAsync(admin, communityId);
        stored.Decay.FullMonths.ShouldBe(9);
        stored.Analytics.NonContributionThresholdDays.ShouldBe(45);
        stored.Decay.ExpireMonths.ShouldBe(20);
        // The page now shows what is stored, the other admin's change included.
        page.WaitForAssertion(() => page.Find("input[data-setting='analytics.nonContributionThresholdDays']").GetAttribute("value").ShouldBe("45"));
    }

    [Fact]
    public async Task An_out_of_range_number_gets_its_field_message_keeps_what_was_typed_and_saves_nothing()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        await using var context = PageTestContext.Create(data, admin);
        context.Render<MudPopoverProvider>();
        var page = Render(context, communityId);
        page.Markup.ShouldContain("5 to 86400");

        page.Find("input[data-setting='analytics.dashboardRefreshInterval']").Change("2");
        SaveButton(page, "Analytics").Click();

        page.WaitForAssertion(() => page.Markup.ShouldContain("Use 5 to 86400 seconds."));
        page.Find("input[data-setting='analytics.dashboardRefreshInterval']").GetAttribute("value").ShouldBe("2");
        (await Service.GetAsync(admin, communityId)).Analytics.DashboardRefreshInterval.ShouldBe(300);
    }

    [Fact]
    public async Task The_request_confirm_period_outside_1_to_365_days_gets_its_field_message_and_a_good_one_is_saved()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        await using var context = PageTestContext.Create(data, admin);
        context.Render<MudPopoverProvider>();
        var snackbar = context.Render<MudSnackbarProvider>();
        var page = Render(context, communityId);
        page.Find("input[data-setting='requestConfirmDays']").GetAttribute("value").ShouldBe("14");

        page.Find("input[data-setting='requestConfirmDays']").Change("400");
        SaveButton(page, "Requests and disputes").Click();
        page.WaitForAssertion(() => page.Markup.ShouldContain("Between 1 and 365 days."));
        (await Service.GetAsync(admin, communityId)).RequestConfirmDays.ShouldBe(14);

        page.Find("input[data-setting='requestConfirmDays']").Change("7");
        SaveButton(page, "Requests and disputes").Click();
        snackbar.WaitForAssertion(() => snackbar.Markup.ShouldContain("Requests and disputes saved."));
        (await Service.GetAsync(admin, communityId)).RequestConfirmDays.ShouldBe(7);
    }

    [Fact]
    public async Task An_out_of_range_recognition_budget_gets_its_field_message_and_saves_nothing()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        await using var context = PageTestContext.Create(data, admin);
        context.Render<MudPopoverProvider>();
        var page = Render(context, communityId);
        page.Markup.ShouldContain("0 to 1000");

        page.Find("input[data-setting='recognitionMonthlyBudget']").Change("1001");
        SaveButton(page, "Recognition").Click();

        page.WaitForAssertion(() => page.Markup.ShouldContain("Use 0 to 1000 units."));
        (await Service.GetAsync(admin, communityId)).RecognitionMonthlyBudget.ShouldBe(20);
    }

    private static IRenderedComponent<SettingsPage> Render(BunitContext context, Guid communityId)
    {
        var page = context.Render<SettingsPage>(p => p.Add(x => x.CommunityId, communityId));
        page.WaitForAssertion(() => page.FindAll("input[data-setting]").Count.ShouldBe(17 + 5));
        return page;
    }

    private static AngleSharp.Dom.IElement SaveButton(IRenderedComponent<SettingsPage> page, string section) =>
        page.Find($"button[aria-label='Save {section}']");
}
