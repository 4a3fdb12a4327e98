using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using CommunityApp.Data;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Http;

public sealed class HttpTests(AppFactory app) : IClassFixture<AppFactory>
{
    private HttpClient Client() => app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    [Theory]
    [InlineData("/communities")]
    [InlineData("/communities/new")]
    [InlineData("/profile")]
    [InlineData("/c/3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    public async Task An_anonymous_user_is_sent_to_sign_in_with_a_return_url(string path)
    {
        var response = await Client().GetAsync(path, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldBe($"http://localhost/Account/Login?ReturnUrl={Uri.EscapeDataString(path)}", StringCompareShould.IgnoreCase);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/Account/Login")]
    [InlineData("/Account/Register")]
    [InlineData("/Account/ForgotPassword")]
    public async Task Public_pages_render_for_anonymous_users(string path)
    {
        var response = await Client().GetAsync(path, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("CommunityApp");
    }

    [Theory]
    [InlineData("/app.css", "text/css")]
    [InlineData("/favicon.svg", "image/svg+xml")]
    [InlineData("/_content/MudBlazor/MudBlazor.min.css", "text/css")]
    [InlineData("/_content/MudBlazor/MudBlazor.min.js", "text/javascript")]
    [InlineData("/_framework/blazor.web.js", "text/javascript")]
    public async Task Static_assets_are_served(string path, string contentType)
    {
        var response = await Client().GetAsync(path, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe(contentType);
    }

    [Fact]
    public async Task Health_reports_healthy_with_the_database_checked()
    {
        var response = await Client().GetAsync("/health", TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe("Healthy");
    }

    [Fact]
    public async Task The_theme_is_one_cached_stylesheet_not_inline_in_every_page()
    {
        var ct = TestContext.Current.CancellationToken;
        var html = await Client().GetStringAsync("/", ct);

        html.ShouldNotContain("mud-theme-provider", customMessage: "the theme's 12 KB of CSS is no longer in every page");
        var href = System.Text.RegularExpressions.Regex.Match(html, "<link rel=\"stylesheet\" href=\"(/theme\\.[0-9a-f]{12}\\.css)\"").Groups[1].Value;
        href.ShouldNotBeEmpty("the page links the theme's stylesheet");
        var css = await Client().GetAsync(href, ct);
        css.StatusCode.ShouldBe(HttpStatusCode.OK);
        css.Content.Headers.ContentType!.MediaType.ShouldBe("text/css");
        css.Headers.CacheControl!.ToString().ShouldContain("immutable");
        var text = await css.Content.ReadAsStringAsync(ct);
        text.ShouldContain("--mud-palette-primary: rgba(36,73,61,1);", customMessage: "the app's own palette (AppTheme)");
        text.ShouldContain("--mud-typography-default-family", customMessage: "the typography too");
        // Its address follows its content: another theme would be another address, so a year's caching never serves an old one.
        href.ShouldBe(CommunityApp.Components.ThemeStylesheet.Url);
    }

    [Fact]
    public async Task An_unknown_page_says_not_found_without_a_stack_trace()
    {
        var response = await Client().GetAsync("/no/such/page", TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        html.ShouldContain("Page not found");
        html.ShouldNotContain("Exception");
    }

    [Theory]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/communities", "/communities")]
    public async Task The_culture_switch_sets_the_cookie_and_only_redirects_within_the_site(string returnUrl, string expected)
    {
        var response = await Client().GetAsync($"/culture?culture=es&returnUrl={Uri.EscapeDataString(returnUrl)}", TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.ShouldBe(expected);
        response.Headers.GetValues("Set-Cookie").ShouldContain(c => c.Contains(".AspNetCore.Culture=c%3Des%7Cuic%3Des"));
    }

    [Fact]
    public async Task Pages_follow_the_culture_cookie()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/Account/Login");
        request.Headers.Add("Cookie", ".AspNetCore.Culture=c%3Des%7Cuic%3Des");

        var html = WebUtility.HtmlDecode(await (await Client().SendAsync(request, TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        html.ShouldContain("<html lang=\"es\">");
        html.ShouldContain("Iniciar sesión");
    }

    [Fact]
    public async Task Sign_out_needs_a_POST_with_an_antiforgery_token()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = await SignedInClientAsync();

        // A link or an image cannot sign anyone out, nor can a form from another site (it has no token).
        (await client.GetAsync("/Account/Logout", ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.PostAsync("/Account/Logout", new FormUrlEncodedContent([new("returnUrl", "/")]), ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.PostAsync("/Account/Logout", new FormUrlEncodedContent([new("returnUrl", "/"), new("__RequestVerificationToken", "forged")]), ct))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.GetAsync("/profile", ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The sign-out form of the app bar, with its token, signs out and returns within the site.
        var token = AntiforgeryToken(await client.GetStringAsync("/communities", ct));
        var signOut = await client.PostAsync("/Account/Logout",
            new FormUrlEncodedContent([new("returnUrl", "/communities"), new("__RequestVerificationToken", token)]), ct);

        signOut.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        signOut.Headers.Location!.OriginalString.ShouldBe("/communities");
        signOut.Headers.GetValues("Set-Cookie").ShouldContain(c => c.StartsWith(".AspNetCore.Identity.Application=;") && c.Contains("expires=Thu, 01 Jan 1970"));
        var after = await client.GetAsync("/profile", ct);
        after.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        after.Headers.Location!.ToString().ShouldStartWith("http://localhost/Account/Login");
    }

    /// <summary>A client holding the cookie of a new local user, signed in through the real sign-in form.</summary>
    private async Task<HttpClient> SignedInClientAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = "http" + Guid.NewGuid().ToString("N")[..10];
        const string password = "Correct-horse-1";
        using (var scope = app.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            (await users.CreateAsync(new ApplicationUser { UserName = name, Email = $"{name}@example.test", EmailConfirmed = true, DisplayName = "Http User" }, password)).Succeeded.ShouldBeTrue();
        }
        var client = Client();
        var token = AntiforgeryToken(await client.GetStringAsync("/Account/Login", ct));
        var signIn = await client.PostAsync("/Account/Login", new FormUrlEncodedContent([
            new("_handler", "login"), new("__RequestVerificationToken", token), new("Input.Login", name), new("Input.Password", password)]), ct);
        signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.GetAsync("/profile", ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        return client;
    }

    private static string AntiforgeryToken(string html) =>
        System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"") is { Success: true } match
            ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : throw new ShouldAssertException("The page has no antiforgery token.");
}
