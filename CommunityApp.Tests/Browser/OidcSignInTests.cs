using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>
/// The test OpenID Connect provider and the app it signs in to, started once for <see cref="OidcSignInTests"/> (each test
/// empties the app's database first, and signs in with a login of its own in a browser context of its own): starting the
/// provider's Node process and an app for each test was most of the class's time.
/// </summary>
public sealed class OidcApp : IAsyncLifetime
{
    public AppFactory App { get; } = new();
    public OidcProviderProcess? Provider { get; private set; }
    public string BaseUrl { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        // The provider must know the app's redirect URI and the app the provider's issuer, so the app's port is chosen first.
        var port = AppFactory.FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        Provider = await OidcProviderProcess.StartAsync(BaseUrl);
        App.Settings["Authentication:Oidc:Authority"] = Provider.Issuer;
        App.Settings["Authentication:Oidc:ClientId"] = OidcProviderProcess.ClientId;
        App.Settings["Authentication:Oidc:ClientSecret"] = OidcProviderProcess.ClientSecret;
        App.Settings["Authentication:Oidc:RequireHttpsMetadata"] = "false";
        App.Settings["Authentication:Oidc:DisplayName"] = "Test Provider";
        await App.InitializeAsync();
        App.StartKestrel(port);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        if (Provider is not null) await Provider.DisposeAsync();
    }
}

/// <summary>Sign-in through a real OpenID Connect provider started by the test, in a real browser.</summary>
public sealed class OidcSignInTests(BrowserFixture browser, OidcApp oidc) : IAsyncLifetime, IClassFixture<OidcApp>
{
    private AppFactory app => oidc.App;
    private string baseUrl => oidc.BaseUrl;

    /// <summary>Every test starts from an empty database, as with an app of its own.</summary>
    public async ValueTask InitializeAsync() =>
        (await app.ResetAsync()).ShouldBeTrue("the app's database could not be emptied for this test");

    public ValueTask DisposeAsync()
    {
        // Sign-out posts to the app and is redirected to the provider: the policy's form-action must allow that.
        BrowserFixture.ShouldHaveNoCspViolations(baseUrl);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Signing_in_at_the_provider_creates_the_user_from_the_token_and_updates_it_on_each_sign_in()
    {
        await using var context = await browser.NewContextAsync(baseUrl);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/communities");
        await Expect(page).ToHaveURLAsync(new Regex("/Account/Login"));
        await page.CheckPageAsync("20-sign-in-with-oidc");
        await SignInAtProviderAsync(page, "oidc-alice");

        await Expect(page).ToHaveURLAsync(new Regex("/communities$"));
        await Expect(page.GetByTestId("signed-in-user")).ToHaveTextAsync("oidc-alice");
        var user = await UserOfLoginAsync("oidc-alice");
        user.ShouldNotBeNull("the provider's sub is an external login (provider + key) of the user");
        user.Id.ShouldNotBe("oidc-alice", "the local id is the app's own, never the sub");
        user.DisplayName.ShouldBe("Oidc Alice");
        user.Email.ShouldBe("oidc-alice@example.test");
        user.EmailConfirmed.ShouldBeTrue("the provider says email_verified: true");
        user.UserName.ShouldBe("oidc-alice");

        // Sign out of both the app and the provider (POST), then prove the provider asks for a login again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"^{Regex.Escape(baseUrl)}/$"));

        await SetDisplayNameAsync(user.Id, "Stale Name");
        await page.GotoAsync("/communities");
        await SignInAtProviderAsync(page, "oidc-alice");
        await Expect(page.GetByTestId("signed-in-user")).ToHaveTextAsync("oidc-alice");
        var again = (await UserOfLoginAsync("oidc-alice")).ShouldNotBeNull();
        again.Id.ShouldBe(user.Id, "the second sign-in finds the same user through its login");
        again.DisplayName.ShouldBe("Oidc Alice");
        (await CountUsersAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task A_sub_equal_to_a_local_accounts_id_signs_in_to_an_account_of_its_own()
    {
        await CreateLocalAccountAsync(id: "oidc-bob", userName: "local-bob", email: "bob@local.test");
        await using var context = await browser.NewContextAsync(baseUrl);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/communities");
        await SignInAtProviderAsync(page, "oidc-bob");

        await Expect(page).ToHaveURLAsync(new Regex("/communities$"));
        await Expect(page.GetByTestId("signed-in-user")).ToHaveTextAsync("oidc-bob");
        var user = (await UserOfLoginAsync("oidc-bob")).ShouldNotBeNull();
        user.Id.ShouldNotBe("oidc-bob");
        var local = (await FindUserAsync("oidc-bob")).ShouldNotBeNull();
        local.ShouldSatisfyAllConditions(
            u => u.UserName.ShouldBe("local-bob"),
            u => u.DisplayName.ShouldBe("Local Bob"),
            u => u.Email.ShouldBe("bob@local.test"));
        (await LoginCountAsync(local.Id)).ShouldBe(0, "the local account gets no provider login");
    }

    [Fact]
    public async Task An_unverified_email_from_the_provider_is_not_stored()
    {
        await using var context = await browser.NewContextAsync(baseUrl);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/communities");
        await SignInAtProviderAsync(page, "unverified-dora");

        await Expect(page.GetByTestId("signed-in-user")).ToHaveTextAsync("unverified-dora");
        var user = (await UserOfLoginAsync("unverified-dora")).ShouldNotBeNull();
        user.Email.ShouldBeNull("the token's email_verified is false");
        user.EmailConfirmed.ShouldBeFalse();
    }

    [Fact]
    public async Task A_provider_email_that_belongs_to_a_local_account_lands_on_the_login_page_with_a_message()
    {
        await CreateLocalAccountAsync(id: Guid.NewGuid().ToString(), userName: "carol", email: "oidc-carol@example.test", displayName: "Local Carol");
        await using var context = await browser.NewContextAsync(baseUrl);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/communities");
        await SignInAtProviderAsync(page, "oidc-carol");

        await Expect(page).ToHaveURLAsync(new Regex("/Account/Login\\?error=oidc-email-taken$"));
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(
            "The e-mail address your identity provider gave already belongs to another account here. Sign in to that account with its password, or ask an administrator for help.");
        await Expect(page.GetByTestId("signed-in-user")).ToHaveCountAsync(0);
        (await UserOfLoginAsync("oidc-carol")).ShouldBeNull();
        (await CountUsersAsync()).ShouldBe(1);
        app.Logs.ShouldContain(l => l.Contains("OIDC sign-in refused (oidc-email-taken)") && l.Contains("oidc-carol@example.test"));

        // Only the fixed keys have text: anything else in the query shows nothing.
        await page.GotoAsync("/Account/Login?error=%3Cb%3Ehello%3C%2Fb%3E");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        (await page.GetByRole(AriaRole.Main).InnerTextAsync()).ShouldNotContain("hello");
    }

    private static async Task SignInAtProviderAsync(IPage page, string login)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Test Provider" }).ClickAsync();
        await page.Locator("input[name=login]").FillAsync(login);
        await page.Locator("input[name=password]").FillAsync("any-password");
        await page.Locator("button[type=submit]").ClickAsync();
    }

    private async Task<ApplicationUser?> FindUserAsync(string id)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id);
    }

    private async Task<ApplicationUser?> UserOfLoginAsync(string sub)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var userId = await db.UserLogins.Where(l => l.LoginProvider == AuthSetup.OidcScheme && l.ProviderKey == sub).Select(l => l.UserId).SingleOrDefaultAsync();
        return userId is null ? null : await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId);
    }

    private async Task<int> LoginCountAsync(string userId)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        return await db.UserLogins.CountAsync(l => l.UserId == userId);
    }

    private async Task CreateLocalAccountAsync(string id, string userName, string email, string displayName = "Local Bob")
    {
        await using var scope = app.Services.CreateAsyncScope();
        var user = new ApplicationUser(id) { UserName = userName, Email = email, DisplayName = displayName };
        (await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().CreateAsync(user, "Local-password-1")).Succeeded.ShouldBeTrue();
    }

    private async Task<int> CountUsersAsync()
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        return await db.Users.CountAsync();
    }

    private async Task SetDisplayNameAsync(string id, string name)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, name));
    }

    private static IPageAssertions Expect(IPage page) => Assertions.Expect(page);
    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
