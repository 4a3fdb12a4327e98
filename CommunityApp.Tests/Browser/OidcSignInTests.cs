using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Data;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>Sign-in through a real OpenID Connect provider started by the test, in a real browser.</summary>
public sealed class OidcSignInTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly AppFactory app = new();
    private OidcProviderProcess? provider;
    private string baseUrl = "";

    public async ValueTask InitializeAsync()
    {
        // The provider must know the app's redirect URI and the app the provider's issuer, so the app's port is chosen first.
        var port = AppFactory.FreePort();
        baseUrl = $"http://127.0.0.1:{port}";
        provider = await OidcProviderProcess.StartAsync(baseUrl);
        app.Settings["Authentication:Oidc:Authority"] = provider.Issuer;
        app.Settings["Authentication:Oidc:ClientId"] = OidcProviderProcess.ClientId;
        app.Settings["Authentication:Oidc:ClientSecret"] = OidcProviderProcess.ClientSecret;
        app.Settings["Authentication:Oidc:RequireHttpsMetadata"] = "false";
        app.Settings["Authentication:Oidc:DisplayName"] = "Test Provider";
        await app.InitializeAsync();
        app.StartKestrel(port);
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        if (provider is not null) await provider.DisposeAsync();
        // Sign-out posts to the app and is redirected to the provider: the policy's form-action must allow that.
        BrowserFixture.ShouldHaveNoCspViolations(baseUrl);
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
        var user = await FindUserAsync("oidc-alice");
        user.ShouldNotBeNull("the user row is keyed by the token's sub");
        user.DisplayName.ShouldBe("Oidc Alice");
        user.Email.ShouldBe("oidc-alice@example.test");
        user.UserName.ShouldBe("oidc-alice");

        // Sign out of both the app and the provider (POST), then prove the provider asks for a login again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"^{Regex.Escape(baseUrl)}/$"));

        await SetDisplayNameAsync("oidc-alice", "Stale Name");
        await page.GotoAsync("/communities");
        await SignInAtProviderAsync(page, "oidc-alice");
        await Expect(page.GetByTestId("signed-in-user")).ToHaveTextAsync("oidc-alice");
        (await FindUserAsync("oidc-alice"))!.DisplayName.ShouldBe("Oidc Alice");
        (await CountUsersAsync()).ShouldBe(1);
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
