using System.Net;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Http;

/// <summary>
/// Every answer carries the security headers (Auth/SecurityHeaders.cs): a page, an account page, a static file, /health,
/// a 404 and a redirect alike. Outside Development, behind a TLS-terminating proxy that says so in X-Forwarded-Proto,
/// HSTS is sent and every cookie is Secure.
/// </summary>
public sealed class SecurityHeadersTests(AppFactory app) : IClassFixture<AppFactory>
{
    public static TheoryData<string, HttpStatusCode> EveryKindOfAnswer() => new()
    {
        { "/", HttpStatusCode.OK },
        { "/Account/Login", HttpStatusCode.OK },
        { "/app.css", HttpStatusCode.OK },
        { "/_framework/blazor.web.js", HttpStatusCode.OK },
        { "/health", HttpStatusCode.OK },
        { "/no/such/page", HttpStatusCode.NotFound },
        { "/communities", HttpStatusCode.Redirect },
        { "/culture?culture=en&returnUrl=%2F", HttpStatusCode.Redirect },
    };

    /// <summary>The policy as directive → sources.</summary>
    private static Dictionary<string, string> Policy(HttpResponseMessage response) =>
        response.Headers.GetValues("Content-Security-Policy").ShouldHaveSingleItem()
            .Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(d => d.Split(' ', 2))
            .ToDictionary(d => d[0], d => d.Length > 1 ? d[1] : "");

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : "";

    [Theory]
    [MemberData(nameof(EveryKindOfAnswer))]
    public async Task Every_answer_carries_the_security_headers(string path, HttpStatusCode status)
    {
        using var client = app.FormClient();

        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(status, path);
        var policy = Policy(response);
        policy["default-src"].ShouldBe("'self'");
        policy["script-src"].ShouldBe("'self'", "no inline or injected script runs");
        policy["style-src"].ShouldBe("'self' 'unsafe-inline'", "MudBlazor writes inline styles");
        policy["img-src"].ShouldBe("'self' data: blob:");
        policy["font-src"].ShouldBe("'self' data:");
        policy["connect-src"].ShouldBe("'self' ws://localhost", "the circuit's websocket, on this origin only");
        policy["object-src"].ShouldBe("'none'");
        policy["frame-ancestors"].ShouldBe("'none'", "no other site frames the app");
        policy["base-uri"].ShouldBe("'self'");
        policy["form-action"].ShouldBe("'self'", "without OIDC, forms post only here");
        Header(response, "X-Content-Type-Options").ShouldBe("nosniff");
        Header(response, "X-Frame-Options").ShouldBe("DENY");
        Header(response, "Referrer-Policy").ShouldBe("same-origin");
        var permissions = Header(response, "Permissions-Policy");
        foreach (var feature in new[] { "camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()" }) permissions.ShouldContain(feature);
        Header(response, "Strict-Transport-Security").ShouldBeEmpty("HSTS is off in Development");
    }

    [Fact]
    public async Task With_OIDC_forms_may_also_go_to_the_provider_for_sign_out()
    {
        await using var oidc = new AppFactory();
        await oidc.InitializeAsync();
        oidc.Settings["Authentication:Oidc:Authority"] = "https://id.example:8443/realms/community";
        using var client = oidc.FormClient();

        var response = await client.GetAsync("/Account/Login", TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Policy(response)["form-action"].ShouldBe("'self' https://id.example:8443", "sign-out posts, then redirects to the provider's end-session endpoint");
    }

    /// <summary>The app outside Development on a real port, as it runs behind a proxy on the same host.</summary>
    private static async Task<(AppFactory App, string BaseUrl)> StartProductionAsync(params (string Key, string Value)[] settings)
    {
        var production = new AppFactory { EnvironmentName = "Production" };
        await production.InitializeAsync();
        production.Settings["Email:Enabled"] = "false";
        production.Settings["App:PublicBaseUrl"] = "https://community.example/";
        foreach (var (key, value) in settings) production.Settings[key] = value;
        return (production, production.StartKestrel());
    }

    private static async Task<HttpResponseMessage> GetAsync(string baseUrl, string path, string? forwardedProto)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(baseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        // HSTS is never sent to localhost; the proxy passes the public host on.
        request.Headers.Host = "community.example";
        if (forwardedProto is not null)
        {
            request.Headers.Add("X-Forwarded-Proto", forwardedProto);
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        }
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Behind_a_TLS_proxy_outside_Development_HSTS_is_sent_the_websocket_is_wss_and_cookies_are_Secure()
    {
        var (production, baseUrl) = await StartProductionAsync();
        await using var _ = production;

        var login = await GetAsync(baseUrl, "/Account/Login", "https");
        var culture = await GetAsync(baseUrl, "/culture?culture=es&returnUrl=%2F", "https");
        var health = await GetAsync(baseUrl, "/health", "https");

        login.StatusCode.ShouldBe(HttpStatusCode.OK);
        Header(login, "Strict-Transport-Security").ShouldStartWith("max-age=", customMessage: "the forwarded proto makes the request https, so HSTS applies");
        Header(health, "Strict-Transport-Security").ShouldStartWith("max-age=");
        Policy(login)["connect-src"].ShouldBe("'self' wss://community.example");
        login.Headers.GetValues("Set-Cookie").ShouldContain(c => c.StartsWith(".AspNetCore.Antiforgery.") && c.Contains("; secure", StringComparison.OrdinalIgnoreCase));
        culture.Headers.GetValues("Set-Cookie").ShouldHaveSingleItem().ShouldContain("; secure", Case.Insensitive);
    }

    [Fact]
    public async Task Outside_Development_cookies_are_Secure_even_on_plain_http_and_HSTS_waits_for_https()
    {
        var (production, baseUrl) = await StartProductionAsync();
        await using var _ = production;

        var culture = await GetAsync(baseUrl, "/culture?culture=es&returnUrl=%2F", forwardedProto: null);

        culture.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        culture.Headers.GetValues("Set-Cookie").ShouldHaveSingleItem().ShouldContain("; secure", Case.Insensitive);
        Header(culture, "Strict-Transport-Security").ShouldBeEmpty("HSTS is only sent over https");
        Policy(culture)["connect-src"].ShouldBe("'self' ws://community.example");
    }

    [Fact]
    public async Task Forwarded_headers_are_believed_only_from_the_configured_proxies()
    {
        var (production, baseUrl) = await StartProductionAsync(("ForwardedHeaders:KnownProxies", "10.9.8.7"));
        await using var _ = production;

        var login = await GetAsync(baseUrl, "/Account/Login", "https");

        login.StatusCode.ShouldBe(HttpStatusCode.OK);
        Header(login, "Strict-Transport-Security").ShouldBeEmpty("127.0.0.1 is not a known proxy once KnownProxies names another");
        Policy(login)["connect-src"].ShouldBe("'self' ws://community.example");
    }
}
