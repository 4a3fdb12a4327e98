using System.Net;
using CommunityApp.Auth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Http;

/// <summary>
/// A return URL is followed only when it is a path on this site (<c>Url.IsLocalUrl</c>'s rule): control characters,
/// protocol-relative and backslash forms fall back to "/", answered as a redirect home, never a 500 or another site.
/// </summary>
public sealed class ReturnUrlTests(AppFactory app) : IClassFixture<AppFactory>
{
    /// <summary>Query-encoded return URLs a browser (or an attacker's link) can send.</summary>
    public static TheoryData<string> Hostile() =>
    [
        "%09",
        "%0d%0a",
        "/%09/evil.example",
        "/%0d%0a/evil.example",
        "/%0d%0aSet-Cookie:%20stolen=1",
        "%5C%5Cevil.example",
        "/%5Cevil.example",
        "//evil.example",
        "https://evil.example/",
        "~/%09/evil.example",
    ];

    private static void ShouldGoHome(HttpResponseMessage response, string returnUrl)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, $"returnUrl={returnUrl}");
        var location = new Uri(new Uri("http://localhost/"), response.Headers.Location!);
        location.Host.ShouldBe("localhost", $"returnUrl={returnUrl} must not leave the site");
        location.PathAndQuery.ShouldBe("/", $"returnUrl={returnUrl}");
        response.Headers.Contains("Set-Cookie").ShouldBeTrue();
        response.Headers.GetValues("Set-Cookie").ShouldNotContain(c => c.Contains("stolen"), "no header is injected");
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task The_culture_switch_sends_a_hostile_return_url_home(string returnUrl)
    {
        using var client = app.FormClient();

        var response = await client.GetAsync($"/culture?culture=es&returnUrl={returnUrl}", TestContext.Current.CancellationToken);

        ShouldGoHome(response, returnUrl);
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task The_login_page_renders_with_a_hostile_return_url_and_its_register_link_carries_home_instead(string returnUrl)
    {
        using var client = app.FormClient();

        var response = await client.GetAsync($"/Account/Login?returnUrl={returnUrl}", TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        html.ShouldContain("href=\"/Account/Register?returnUrl=%2F\"", customMessage: "the register link carries home, not the hostile URL");
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Signing_in_with_a_hostile_return_url_lands_home(string returnUrl)
    {
        var userName = "ret-" + Guid.NewGuid().ToString("N")[..10];
        await app.CreateUserAsync(userName);
        using var client = app.FormClient();
        var page = $"/Account/Login?returnUrl={returnUrl}";

        var response = await client.PostFormAsync(page, "login",
            new Dictionary<string, string> { ["Input.Login"] = userName, ["Input.Password"] = AccountForms.Password }, TestContext.Current.CancellationToken);

        ShouldGoHome(response, returnUrl);
    }

    [Theory]
    [InlineData("/communities", "/communities")]
    [InlineData("/c/1/shares?q=rake#top", "/c/1/shares?q=rake#top")]
    [InlineData("/", "/")]
    [InlineData(null, "/")]
    [InlineData("", "/")]
    [InlineData("communities", "/")]
    [InlineData("//evil.example", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("\\\\evil.example", "/")]
    [InlineData("/\t/evil.example", "/")]
    [InlineData("/\r\n/evil.example", "/")]
    [InlineData("/ok\u007f", "/")]
    [InlineData("/ok\u0085", "/")]
    [InlineData("~/communities", "/")]
    [InlineData("https://evil.example/", "/")]
    public void Only_a_path_on_this_site_is_kept(string? returnUrl, string expected) =>
        AccountEndpoints.LocalUrl(returnUrl).ShouldBe(expected);
}
