using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
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
        (await Client().GetAsync("/Account/Logout", TestContext.Current.CancellationToken)).StatusCode.ShouldNotBe(HttpStatusCode.OK);
        var post = await Client().PostAsync("/Account/Logout", new FormUrlEncodedContent([new("returnUrl", "/")]), TestContext.Current.CancellationToken);
        post.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}
