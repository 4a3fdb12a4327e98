using System.Text.RegularExpressions;
using Microsoft.Playwright;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>A newcomer's first minutes, in a real browser against the app on real Kestrel.</summary>
public sealed class FirstTenMinutesTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task Register_create_a_community_see_it_in_my_communities_and_sign_out()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Share what you have");
        await page.CheckPageAsync("01-landing");

        await page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "Register" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create your account" })).ToBeVisibleAsync();
        await page.CheckPageAsync("02-register");
        await page.GetByLabel("Display name").FillAsync("Rosa Parks");
        await page.GetByLabel("Username").FillAsync("rosa");
        await page.GetByLabel("E-mail").FillAsync("rosa@example.test");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("Sturdy-pass-9");
        await page.GetByLabel("Confirm password").FillAsync("Sturdy-pass-9");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your e-mail" })).ToBeVisibleAsync();
        await Expect(page.GetByText("mail is not sent but written to the app's log")).ToBeVisibleAsync();
        await page.CheckPageAsync("02b-check-email");

        // Not signed in until the address is confirmed: the password alone is not enough.
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("E-mail or username").FillAsync("rosa");
        await page.GetByLabel("Password").FillAsync("Sturdy-pass-9");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Alert)).ToContainTextAsync("Your e-mail is not confirmed yet");

        await page.GotoAsync(await MailLinkAsync("rosa@example.test", "/Account/ConfirmEmail?"));
        await page.CheckPageAsync("02c-confirm-email");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm my e-mail" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/communities$"));
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByText("You are not in any community yet")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("signed-in-user")).ToHaveTextAsync("rosa");
        await page.CheckPageAsync("03-my-communities-empty");

        await page.GetByRole(AriaRole.Link, new() { Name = "Create a community" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create a community" })).ToBeVisibleAsync();
        await page.CheckPageAsync("04-create-community");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        await Expect(page.GetByText("Enter a name.")).ToBeVisibleAsync();
        await page.GetByLabel("Name").FillAsync("Maple Street Share");
        await page.GetByLabel("Description").FillAsync("Tools, books and rides for Maple Street.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Maple Street Share");
        await Expect(page.GetByText("Tools, books and rides for Maple Street.")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("member-count")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("my-role")).ToHaveTextAsync("Admin");
        await page.CheckPageAsync("05-community-home");

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main navigation" }).GetByRole(AriaRole.Link, new() { Name = "My communities" }).ClickAsync();
        var card = page.GetByRole(AriaRole.Link, new() { Name = "Maple Street Share" });
        await Expect(card).ToBeVisibleAsync();
        await Expect(page.GetByText("1 member")).ToBeVisibleAsync();
        await page.CheckPageAsync("06-my-communities");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.GotoAsync("/communities");
        await Expect(page).ToHaveURLAsync(new Regex("/Account/Login\\?"));
        await page.CheckPageAsync("07-sign-in");
    }

    [Fact]
    public async Task Sign_in_edit_the_profile_and_switch_to_Spanish()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await SignUpAsync(page, "maria", "Maria Lopez");

        await page.GetByRole(AriaRole.Link, new() { Name = "My profile" }).ClickAsync();
        await Expect(page.GetByLabel("Display name")).ToHaveValueAsync("Maria Lopez");
        await page.GetByLabel("Display name").FillAsync("María López");
        await page.GetByLabel("About you").FillAsync("Bakes bread on Sundays.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByText("Profile saved.")).ToBeVisibleAsync();
        await page.CheckPageAsync("08-profile");

        await page.ReloadAsync();
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByLabel("Display name")).ToHaveValueAsync("María López");

        await page.GetByRole(AriaRole.Link, new() { Name = "Español" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Mi perfil" })).ToBeVisibleAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "es");
        await page.CheckPageAsync("09-profile-es");
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_and_a_reset_link_from_the_log_unlocks_it()
    {
        await CreateAccountAsync("lena", "Lena Berg");
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await page.GotoAsync("/Account/Login");
            await page.GetByLabel("E-mail or username").FillAsync("lena");
            await page.GetByLabel("Password").FillAsync("Wrong-pass-1");
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            if (attempt < 5) await Expect(page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Alert)).ToContainTextAsync("do not match");
        }
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Account locked" })).ToBeVisibleAsync();
        await page.CheckPageAsync("10-locked-out");

        await page.GetByRole(AriaRole.Link, new() { Name = "Forgot your password?" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Forgot your password?" })).ToBeVisibleAsync();
        await page.GetByLabel("E-mail", new() { Exact = true }).FillAsync("lena@example.test");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send reset link" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your e-mail" })).ToBeVisibleAsync();

        var logLine = App.Logs.Single(l => l.Contains("reset your password"));
        var link = System.Net.WebUtility.HtmlDecode(Regex.Match(logLine, @"https?://\S+").Value);
        await page.GotoAsync(link);
        await page.CheckPageAsync("11-reset-password");
        await page.GetByLabel("E-mail").FillAsync("lena@example.test");
        await page.GetByLabel("New password").FillAsync("Fresh-pass-2");
        await page.GetByLabel("Confirm password").FillAsync("Fresh-pass-2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reset password" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Password changed" })).ToBeVisibleAsync();

        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("E-mail or username").FillAsync("lena@example.test");
        await page.GetByLabel("Password").FillAsync("Fresh-pass-2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByTestId("signed-in-user")).ToHaveTextAsync("lena");
    }
}
