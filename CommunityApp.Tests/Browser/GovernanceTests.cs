using System.Text.RegularExpressions;
using Microsoft.Playwright;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>An admin runs a community from the browser: invite link, feature role, and the member sees the effect with its reason.</summary>
public sealed class GovernanceTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task Admin_invites_by_link_grants_a_feature_role_and_the_member_sees_the_control_enabled_with_the_reason()
    {
        await using var adminContext = await NewContextAsync();
        var admin = await adminContext.NewPageAsync();
        await SignUpAsync(admin, "olga", "Olga Admin");
        await admin.GetByRole(AriaRole.Link, new() { Name = "Create a community" }).ClickAsync();
        await admin.GetByLabel("Name").FillAsync("Harbour Share");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Harbour Share");
        var communityUrl = admin.Url;

        await admin.GetByRole(AriaRole.Navigation, new() { Name = "Community sections" }).GetByRole(AriaRole.Link, new() { Name = "Invites" }).ClickAsync();
        await admin.GetByLabel("Title").FillAsync("Dock workers");
        await admin.GetByLabel("Maximum uses").FillAsync("5");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create link" }).ClickAsync();
        var linkField = admin.GetByRole(AriaRole.Textbox, new() { Name = "Invite link" });
        await Expect(linkField).ToHaveValueAsync(new Regex("/invite/[A-Za-z0-9_-]{43}$"));
        var link = await linkField.InputValueAsync();
        await Expect(admin.GetByRole(AriaRole.Cell, new() { Name = "Active" })).ToBeVisibleAsync();
        await admin.CheckPageAsync("30-invites");

        await using var memberContext = await NewContextAsync();
        var member = await memberContext.NewPageAsync();
        await member.GotoAsync(link);
        await Expect(member.GetByRole(AriaRole.Heading, new() { Name = "Join Harbour Share" })).ToBeVisibleAsync();
        await member.CheckPageAsync("31-invite-link-anonymous");
        await member.GetByRole(AriaRole.Link, new() { Name = "Register" }).Last.ClickAsync();
        await member.GetByLabel("Display name").FillAsync("Pavel Member");
        await member.GetByLabel("Username").FillAsync("pavel");
        await member.GetByLabel("E-mail").FillAsync("pavel@example.test");
        await member.GetByLabel("Password", new() { Exact = true }).FillAsync("Sturdy-pass-9");
        await member.GetByLabel("Confirm password").FillAsync("Sturdy-pass-9");
        await member.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();
        await Expect(member.GetByRole(AriaRole.Heading, new() { Name = "Check your e-mail" })).ToBeVisibleAsync();
        // The confirmation link carries the invite along: confirming lands back on it, signed in.
        await member.GotoAsync(await MailLinkAsync("pavel@example.test", "/Account/ConfirmEmail?"));
        await member.GetByRole(AriaRole.Button, new() { Name = "Confirm my e-mail" }).ClickAsync();
        await Expect(member).ToHaveURLAsync(new Regex("/invite/"));
        await member.WaitForInteractiveAsync();
        await member.GetByRole(AriaRole.Button, new() { Name = "Join Harbour Share" }).ClickAsync();
        await Expect(member.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Harbour Share");
        var polls = member.Locator("li[data-permission=CreatePolls]");
        await Expect(polls.GetByTestId("permission-reason")).ToHaveTextAsync("Needs 15 trust, you have 0");
        await member.CheckPageAsync("32-community-home-member");

        await admin.OpenAsync(communityUrl + "/members");
        await Expect(admin.GetByRole(AriaRole.Cell, new() { Name = "Pavel Member @pavel" })).ToBeVisibleAsync();
        await admin.CheckPageAsync("33-members");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Actions for Pavel Member" }).ClickAsync();
        await admin.GetByRole(AriaRole.Menuitem, new() { Name = "Feature roles…" }).ClickAsync();
        var dialog = admin.GetByRole(AriaRole.Dialog);
        await dialog.GetByRole(AriaRole.Checkbox, new() { Name = "Poll creator" }).CheckAsync();
        await Expect(admin.GetByText("Granted Poll creator to Pavel Member.")).ToBeVisibleAsync();
        await admin.CheckPageAsync("34-feature-roles-dialog");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Row, new() { Name = "Pavel Member" })).ToContainTextAsync("Poll creator");

        await member.ReloadAsync();
        await member.WaitForInteractiveAsync();
        await Expect(polls.GetByTestId("permission-reason")).ToHaveTextAsync("Granted by role Poll creator");
        await Expect(polls.Locator(".name")).ToContainTextAsync("(allowed)");

        await admin.OpenAsync(communityUrl + "/audit");
        await Expect(admin.GetByRole(AriaRole.Cell, new() { Name = "Feature role granted" })).ToBeVisibleAsync();
        await Expect(admin.GetByRole(AriaRole.Cell, new() { Name = "Invite redeemed" })).ToBeVisibleAsync();
        await admin.CheckPageAsync("35-audit-log");
    }

    [Fact]
    public async Task Admin_tunes_thresholds_with_a_preset_and_a_level_name_and_bad_input_is_explained()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await SignUpAsync(page, "sofia", "Sofia Admin");
        await page.GetByRole(AriaRole.Link, new() { Name = "Create a community" }).ClickAsync();
        await page.GetByLabel("Name").FillAsync("Valley Commons");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Community sections" }).GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        await Expect(page.GetByLabel("Award trust")).ToHaveValueAsync("15");
        await page.CheckPageAsync("36-settings");

        await page.GetByRole(AriaRole.Button, new() { Name = "Small new community" }).ClickAsync();
        await Expect(page.GetByLabel("Award trust")).ToHaveValueAsync("3");
        await page.GetByLabel("Create polls").FillAsync("-2");
        await page.GetByLabel("Create councils").FillAsync("Guru");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save Trust thresholds" }).ClickAsync();
        await Expect(page.GetByText("Use 0 or more.")).ToBeVisibleAsync();
        await Expect(page.GetByText("There is no trust level named “Guru”.")).ToBeVisibleAsync();

        await page.GetByLabel("Create polls").FillAsync("5");
        await page.GetByLabel("Create councils").FillAsync("stable");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save Trust thresholds" }).ClickAsync();
        await Expect(page.GetByText("Trust thresholds saved.")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Create councils")).ToHaveValueAsync("Stable");

        // Renaming the level: the threshold follows it.
        var stableName = page.GetByLabel("Level name").Nth(1);
        await stableName.FillAsync("Steady");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).Nth(1).ClickAsync();
        await Expect(page.GetByText("Trust level saved.")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Create councils")).ToHaveValueAsync("Steady");
        await page.CheckPageAsync("37-settings-saved");
    }
}
