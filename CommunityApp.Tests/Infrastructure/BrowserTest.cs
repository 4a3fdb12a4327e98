using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Data;

namespace CommunityApp.Tests.Infrastructure;

/// <summary>A browser test class: the real app on Kestrel over its own PostgreSQL database, and the shared Chromium.</summary>
public abstract class BrowserTest(BrowserFixture browser) : IAsyncLifetime
{
    protected AppFactory App { get; } = new();
    protected string BaseUrl { get; private set; } = "";
    protected BrowserFixture Browser => browser;

    public virtual async ValueTask InitializeAsync()
    {
        await App.InitializeAsync();
        BaseUrl = App.StartKestrel();
    }

    /// <summary>Stops the app, then fails the test if any browser context it opened saw a Content-Security-Policy refusal.</summary>
    public virtual async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        GC.SuppressFinalize(this);
        if (BaseUrl.Length > 0) BrowserFixture.ShouldHaveNoCspViolations(BaseUrl);
    }

    protected Task<IBrowserContext> NewContextAsync() => browser.NewContextAsync(BaseUrl);

    /// <summary>
    /// A new confirmed account, signed in through the login form, landing interactive. Registration itself (the form, the
    /// mail, the confirmation) has its own browser tests; for the rest it is setup, and this takes a third of the time.
    /// </summary>
    protected async Task SignUpAsync(IPage page, string userName, string displayName, string password = "Sturdy-pass-9")
    {
        using (var scope = App.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = new ApplicationUser { UserName = userName, Email = $"{userName}@example.test", DisplayName = displayName, EmailConfirmed = true };
            var created = await users.CreateAsync(user, password);
            created.Succeeded.ShouldBeTrue(string.Join(" ", created.Errors.Select(e => e.Description)));
        }
        // Registration's confirmation lands on "My communities"; so does this.
        await SignInAsync(page, userName, password, returnUrl: "/communities");
    }

    /// <summary>Signs an existing account in through the login form (quicker than registering when registration is not the point).</summary>
    protected static async Task SignInAsync(IPage page, string userName, string password = AccountForms.Password, string? returnUrl = null)
    {
        await page.GotoAsync(returnUrl is null ? "/Account/Login" : $"/Account/Login?returnUrl={Uri.EscapeDataString(returnUrl)}");
        await page.GetByLabel("E-mail or username").FillAsync(userName);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByTestId("signed-in-user")).ToHaveTextAsync(userName);
        await page.WaitForInteractiveAsync();
    }

    /// <summary>
    /// The link (containing <paramref name="linkPart"/>) of the latest mail to <paramref name="to"/>. In Development without
    /// SMTP the app writes its mails to the log; a test that sends them by SMTP reads them there instead.
    /// </summary>
    protected virtual async Task<string> MailLinkAsync(string to, string linkPart)
    {
        string? line = null;
        await Eventually.UntilAsync(
            () => (line = App.Logs.LastOrDefault(l => l.StartsWith($"E-mail to {to}:", StringComparison.Ordinal) && l.Contains(linkPart))) is not null,
            $"a mail to {to} with a link to {linkPart}");
        return LinkIn(line!, linkPart);
    }

    protected static string LinkIn(string text, string linkPart) =>
        System.Net.WebUtility.HtmlDecode(Regex.Matches(text, @"https?://\S+").Select(m => m.Value).First(l => l.Contains(linkPart)));

    /// <summary>Picks <paramref name="option"/> in the MudSelect labelled <paramref name="label"/> (in <paramref name="within"/>, or the page) and waits until its list closes.</summary>
    protected static async Task ChooseAsync(IPage page, string label, string option, ILocator? within = null)
    {
        var scope = within ?? page.Locator("body");
        await scope.Locator(".mud-select").Filter(new() { Has = page.Locator("label", new() { HasTextString = label }) }).Locator(".mud-input-control").First.ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = option }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Option, new() { Name = option })).ToBeHiddenAsync();
    }

    protected static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
    protected static IPageAssertions Expect(IPage page) => Assertions.Expect(page);
}
