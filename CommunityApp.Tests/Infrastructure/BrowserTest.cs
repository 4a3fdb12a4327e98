using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using CommunityApp.Data;

namespace CommunityApp.Tests.Infrastructure;

/// <summary>
/// A browser test: the real app on Kestrel over its own PostgreSQL database, and the shared Chromium. Each test gets an app
/// with an empty database, whose <see cref="AppFactory.Logs"/> and <see cref="AppFactory.Errors"/> hold only what it did.
/// A test that leaves the default configuration alone borrows a started app from the fixture's <see cref="AppPool"/>
/// (emptied when the previous test gave it back); one that changes <see cref="App"/>'s settings or environment before
/// <see cref="InitializeAsync"/>, or says <see cref="SharesApp"/> false, gets an app started for it alone.
/// </summary>
public abstract class BrowserTest(BrowserFixture browser) : IAsyncLifetime
{
    private AppFactory? app;
    private bool borrowed;

    /// <summary>The app under test. Before <see cref="InitializeAsync"/>, its <see cref="AppFactory.Settings"/> may still be changed.</summary>
    protected AppFactory App => app ??= new();
    protected string BaseUrl { get; private set; } = "";
    protected BrowserFixture Browser => browser;

    /// <summary>
    /// False for a test that changes its app's database or state beyond what an emptied database forgets (the form fuzz's
    /// write-counting triggers): it gets an app of its own even with the default settings.
    /// </summary>
    protected virtual bool SharesApp => true;

    /// <summary>
    /// True for a test whose own settings keep no state between tests (the SMTP server the mail tests read): it borrows a
    /// started app configured as it asked (emptied like the default ones) instead of starting one for itself. Not for a
    /// test whose settings make the app remember something in memory that the next test would meet (a lowered rate limit).
    /// </summary>
    protected internal virtual bool SharesConfiguredApp => false;

    public virtual async ValueTask InitializeAsync()
    {
        if (SharesApp && (app is null || app.HasDefaultConfiguration || SharesConfiguredApp))
        {
            app = await browser.Apps.RentAsync(app ?? new AppFactory());
            borrowed = true;
            BaseUrl = app.BaseUrl;
            return;
        }
        await App.InitializeAsync();
        BaseUrl = App.StartKestrel();
    }

    /// <summary>
    /// Gives the app back (a borrowed one whose test passed is emptied for the next test, any other is stopped), then fails
    /// the test if any browser context it opened saw a Content-Security-Policy refusal.
    /// </summary>
    public virtual async ValueTask DisposeAsync()
    {
        if (borrowed) await browser.Apps.ReturnAsync(App, reusable: TestContext.Current.TestState?.Result == TestResult.Passed);
        else await App.DisposeAsync();
        GC.SuppressFinalize(this);
        if (BaseUrl.Length > 0) BrowserFixture.ShouldHaveNoCspViolations(BaseUrl);
    }

    protected Task<IBrowserContext> NewContextAsync() => browser.NewContextAsync(BaseUrl);

    /// <summary>
    /// A new confirmed account, signed in, landing interactive on "My communities" (where registration's confirmation
    /// lands). Registration and the login form have browser tests of their own (<see cref="SignInAsync"/> for a test that
    /// signs in through the form); for the rest this is setup, so the browser is given the cookie the login form would have
    /// set (the app's own, for the same principal) and opens the landing page: a page load and a form post fewer each time.
    /// </summary>
    protected async Task SignUpAsync(IPage page, string userName, string displayName, string password = "Sturdy-pass-9")
    {
        await CreateAccountAsync(userName, displayName, password);
        if (await SignInCookieAsync(userName) is not { } cookie)
        {
            await SignInAsync(page, userName, password, returnUrl: "/communities");
            return;
        }
        await page.Context.AddCookiesAsync([cookie]);
        await page.OpenAsync("/communities");
        await Expect(page.GetByTestId("signed-in-user")).ToHaveTextAsync(userName);
    }

    /// <summary>
    /// The app's sign-in cookie for <paramref name="userName"/>, as the login form's <c>SignInManager.SignInAsync(user,
    /// isPersistent: false)</c> writes it: the same principal (security stamp included) in a ticket protected by the app's
    /// keys. Null when it would not fit one cookie (the cookie manager would split it), for the form to do it instead.
    /// </summary>
    private async Task<Cookie?> SignInCookieAsync(string userName)
    {
        using var scope = App.Services.CreateScope();
        var services = scope.ServiceProvider;
        var user = await services.GetRequiredService<UserManager<ApplicationUser>>().FindByNameAsync(userName)
            ?? throw new InvalidOperationException($"No user {userName}.");
        var principal = await services.GetRequiredService<SignInManager<ApplicationUser>>().CreateUserPrincipalAsync(user);
        var options = services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(IdentityConstants.ApplicationScheme);
        if (options.SessionStore is not null) return null;
        var issued = (options.TimeProvider ?? TimeProvider.System).GetUtcNow();
        var ticket = new AuthenticationTicket(principal, new AuthenticationProperties { IssuedUtc = issued, ExpiresUtc = issued + options.ExpireTimeSpan },
            IdentityConstants.ApplicationScheme);
        var value = options.TicketDataFormat.Protect(ticket);
        if (value.Length > 4000) return null;
        return new Cookie
        {
            Name = options.Cookie.Name!, Value = value, Url = BaseUrl, HttpOnly = true, SameSite = SameSiteAttribute.Lax,
        };
    }

    /// <summary>
    /// The confirmed account <see cref="SignUpAsync"/> makes, without signing it in: for a user the test needs in the
    /// database but not in a browser (yet), which spares a browser context, the login form and a page load.
    /// </summary>
    protected async Task CreateAccountAsync(string userName, string displayName, string password = "Sturdy-pass-9")
    {
        using var scope = App.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = userName, Email = $"{userName}@example.test", DisplayName = displayName, EmailConfirmed = true };
        var created = await users.CreateAsync(user, password);
        created.Succeeded.ShouldBeTrue(string.Join(" ", created.Errors.Select(e => e.Description)));
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

    /// <summary>
    /// Clicks <paramref name="option"/> in the open list of the MudAutocomplete <paramref name="box"/> until the box shows
    /// <paramref name="value"/>: a click that lands while the list re-renders (its debounced search answering) is lost, as a
    /// person's would be, and a person clicks again. Fails after three tries.
    /// </summary>
    protected static async Task ClickOptionUntilChosenAsync(ILocator box, ILocator option, string value)
    {
        for (var attempt = 1; ; attempt++)
        {
            await option.ClickAsync();
            try
            {
                await Expect(box).ToHaveValueAsync(value, new() { Timeout = 3_000 });
                return;
            }
            catch (PlaywrightException) when (attempt < 3)
            {
                // Still listed: click it again; gone with the box still not chosen: fail as before.
                if (!await option.IsVisibleAsync()) throw;
            }
        }
    }

    protected static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
    protected static IPageAssertions Expect(IPage page) => Assertions.Expect(page);
}
