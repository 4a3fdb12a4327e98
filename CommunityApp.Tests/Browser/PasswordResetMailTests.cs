using System.Text.RegularExpressions;
using Microsoft.Playwright;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>A forgotten password, end to end: the reset mail goes through a real SMTP server (smtp4dev) and its link works in the browser.</summary>
public sealed class PasswordResetMailTests(BrowserFixture browser, Smtp4dev smtp) : BrowserTest(browser), IClassFixture<Smtp4dev>
{
    public override async ValueTask InitializeAsync()
    {
        // The app sends its mail to smtp4dev (a configured host wins over Development's log-only default).
        foreach (var (key, value) in smtp.AppSettings()) App.Settings[key] = value;
        await base.InitializeAsync();
    }

    /// <summary>Its app differs from the default only in sending mail to the run's smtp4dev: it borrows one configured so.</summary>
    protected internal override bool SharesConfiguredApp => true;

    /// <summary>This app sends by SMTP: the confirmation link of a registration comes from smtp4dev too.</summary>
    protected override async Task<string> MailLinkAsync(string to, string linkPart)
    {
        var message = await smtp.WaitForMessageToAsync(to);
        return LinkIn(await smtp.PlainTextAsync(message.Id), linkPart);
    }

    [Fact]
    public async Task A_reset_mail_arrives_and_its_link_sets_a_new_password_that_signs_in()
    {
        await CreateAccountAsync("nora", "Nora Lind");
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync("/Account/Login");
        await page.GetByRole(AriaRole.Link, new() { Name = "Forgot your password?" }).ClickAsync();
        // The login page's "E-mail or username" also matches a loose "E-mail": wait for the new page, match exactly.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Forgot your password?" })).ToBeVisibleAsync();
        await page.GetByLabel("E-mail", new() { Exact = true }).FillAsync("nora@example.test");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send reset link" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your e-mail" })).ToBeVisibleAsync();

        Smtp4devMessage? message = null;
        await Eventually.UntilAsync(async () => (message = (await smtp.MessagesToAsync("nora@example.test")).FirstOrDefault(m => m.Subject == "Reset your CommunityApp password")) is not null,
            "the reset mail to nora in smtp4dev");
        message!.From.ShouldBe("noreply@community.test");
        (await smtp.PlainTextAsync(message.Id)).ShouldContain($"{BaseUrl}/Account/ResetPassword?code=");
        App.Logs.ShouldNotContain(l => l.Contains("/Account/ResetPassword?code="), "the link went by mail, not to the log");

        // Open the mail as a reader would and follow its link.
        var mail = await context.NewPageAsync();
        await mail.SetContentAsync(await smtp.HtmlAsync(message.Id));
        await mail.GetByRole(AriaRole.Link, new() { Name = "Choose a new password" }).ClickAsync();
        await Expect(mail).ToHaveURLAsync(new Regex($"^{Regex.Escape(BaseUrl)}/Account/ResetPassword\\?code="));
        await mail.GetByLabel("E-mail").FillAsync("nora@example.test");
        await mail.GetByLabel("New password").FillAsync("Fresh-pass-2");
        await mail.GetByLabel("Confirm password").FillAsync("Fresh-pass-2");
        await mail.GetByRole(AriaRole.Button, new() { Name = "Reset password" }).ClickAsync();
        await Expect(mail.GetByRole(AriaRole.Heading, new() { Name = "Password changed" })).ToBeVisibleAsync();

        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("E-mail or username").FillAsync("nora");
        await page.GetByLabel("Password").FillAsync("Sturdy-pass-9");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // The page's own alert: the error bar (outside main) is a role="alert" too, and must stay hidden (InterfaceTests).
        await Expect(page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Alert)).ToContainTextAsync("do not match");

        await page.GetByLabel("E-mail or username").FillAsync("nora");
        await page.GetByLabel("Password").FillAsync("Fresh-pass-2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByTestId("signed-in-user")).ToHaveTextAsync("nora");
    }
}
