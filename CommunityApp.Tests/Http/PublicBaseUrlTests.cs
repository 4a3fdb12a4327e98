using System.Net;
using System.Text.RegularExpressions;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Http;

/// <summary>
/// Links in mail are built on <c>App:PublicBaseUrl</c>, never on the Host the request names: a forged Host cannot turn a
/// password-reset mail into a link to someone else's site. (That the setting is required outside Development: StartupTests.)
/// </summary>
public sealed partial class PublicBaseUrlTests(Smtp4dev smtp) : IClassFixture<Smtp4dev>
{
    private const string Forged = "evil.example";

    private static async Task<AppFactory> NewAppAsync(string environment = "Development", params (string Key, string? Value)[] settings)
    {
        var app = new AppFactory { EnvironmentName = environment };
        await app.InitializeAsync();
        foreach (var (key, value) in settings) app.Settings[key] = value;
        return app;
    }

    /// <summary>Asks for a reset at <c>http://evil.example/…</c>: the in-memory test server takes the request's host as the Host header.</summary>
    private static async Task AskForResetWithForgedHostAsync(AppFactory app, string userName, string origin = $"http://{Forged}")
    {
        var ct = TestContext.Current.CancellationToken;
        await app.CreateUserAsync(userName);
        using var client = app.FormClient();
        var response = await client.PostFormAsync($"{origin}/Account/ForgotPassword", "forgot-password",
            new Dictionary<string, string> { ["Input.Email"] = $"{userName}@example.test" }, ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, "the form was accepted");
        response.Headers.Location!.OriginalString.ShouldEndWith("/Account/ForgotPasswordConfirmation");
    }

    private static string LoggedResetLink(AppFactory app, string userName)
    {
        var mail = app.Logs.Where(l => l.Contains($"E-mail to {userName}@example.test: Reset your CommunityApp password")).ShouldHaveSingleItem();
        var link = ResetLink().Match(mail);
        link.Success.ShouldBeTrue($"the logged mail carries a reset link: {mail}");
        return link.Value;
    }

    [Theory]
    [InlineData("https://community.example/", "https://community.example/Account/ResetPassword?code=")]
    [InlineData("https://community.example/garden", "https://community.example/garden/Account/ResetPassword?code=")]
    public async Task The_reset_link_is_on_the_configured_public_address_whatever_Host_the_request_names(string configured, string expected)
    {
        await using var app = await NewAppAsync(settings: ("App:PublicBaseUrl", configured));

        await AskForResetWithForgedHostAsync(app, "reset-configured");

        var link = LoggedResetLink(app, "reset-configured");
        link.ShouldStartWith(expected);
        link.ShouldNotContain(Forged);
    }

    [Fact]
    public async Task In_Development_without_the_setting_the_link_is_on_the_apps_own_address_not_the_forged_Host()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await NewAppAsync();
        var own = app.StartKestrel();
        await app.CreateUserAsync("reset-default");
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = new Uri(own) };
        client.DefaultRequestHeaders.Host = Forged;

        var response = await client.PostFormAsync("/Account/ForgotPassword", "forgot-password",
            new Dictionary<string, string> { ["Input.Email"] = "reset-default@example.test" }, ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, "the form was accepted");
        var link = LoggedResetLink(app, "reset-default");
        link.ShouldStartWith($"{own}/Account/ResetPassword?code=", Case.Insensitive);
        link.ShouldNotContain(Forged);
    }

    [Fact]
    public async Task Outside_Development_the_mail_that_arrives_by_SMTP_links_to_the_public_address()
    {
        await using var app = await NewAppAsync("Production",
            [.. smtp.AppSettings().Select(s => (s.Key, s.Value)), ("App:PublicBaseUrl", "https://community.example")]);

        // Outside Development the antiforgery cookie is Secure, so the form goes over https, as through the TLS proxy.
        await AskForResetWithForgedHostAsync(app, "reset-smtp", $"https://{Forged}");

        var message = await smtp.WaitForMessageToAsync("reset-smtp@example.test");
        var text = await smtp.PlainTextAsync(message.Id);
        ResetLink().Match(text).Value.ShouldStartWith("https://community.example/Account/ResetPassword?code=");
        text.ShouldNotContain(Forged);
        (await smtp.HtmlAsync(message.Id)).ShouldNotContain(Forged);
    }

    [Fact]
    public async Task AllowedHosts_from_configuration_refuses_any_other_Host()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await NewAppAsync(settings: ("AllowedHosts", "community.example"));
        using var client = app.FormClient();

        var forged = await client.GetAsync($"http://{Forged}/Account/Login", ct);
        var allowed = await client.GetAsync("http://community.example/Account/Login", ct);

        forged.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "a Host outside AllowedHosts is refused");
        allowed.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [GeneratedRegex(@"https?://[^\s""<>]+/Account/ResetPassword\?code=[^\s""<>]+")]
    private static partial Regex ResetLink();
}
