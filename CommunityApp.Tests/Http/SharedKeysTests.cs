using System.Net;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Http;

/// <summary>
/// Two app instances on one PostgreSQL share their data-protection keys (they live in the database): a sign-in cookie
/// issued by one signs in on the other, and an antiforgery token one put in its form is accepted by the other.
/// </summary>
public sealed class SharedKeysTests : IAsyncLifetime
{
    private readonly AppFactory a = new();
    private AppFactory b = null!;

    public async ValueTask InitializeAsync()
    {
        await a.InitializeAsync();
        b = a.SecondInstance();
        a.StartKestrel();
        b.StartKestrel();
    }

    public async ValueTask DisposeAsync()
    {
        await b.DisposeAsync();
        await a.DisposeAsync();
    }

    [Fact]
    public async Task A_form_from_one_instance_posts_to_the_other_and_its_sign_in_cookie_works_on_the_first()
    {
        var ct = TestContext.Current.CancellationToken;
        await a.CreateUserAsync("vera");
        await b.CreateUserAsync("omar");
        var cookies = new CookieContainer();
        using var onA = Client(a, cookies);
        using var onB = Client(b, cookies);

        // Vera's login form comes from A (its antiforgery token and cookie made with A's key) and is posted to B.
        var signedIn = await onA.PostFormAsync($"{a.BaseUrl}/Account/Login", "login", Login("vera"), ct, postTo: $"{b.BaseUrl}/Account/Login");
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect, "B accepted A's antiforgery token and signed Vera in");
        // The sign-in cookie B issued is read by A (cookies belong to the host, not the port, so the client sends it to both).
        await ShouldBeSignedInAsync(onA, "vera", ct);

        // And the other way round: Omar's form from B posted to A, A's cookie read by B.
        var cookies2 = new CookieContainer();
        using var omarOnA = Client(a, cookies2);
        using var omarOnB = Client(b, cookies2);
        (await omarOnB.PostFormAsync($"{b.BaseUrl}/Account/Login", "login", Login("omar"), ct, postTo: $"{a.BaseUrl}/Account/Login"))
            .StatusCode.ShouldBe(HttpStatusCode.Redirect, "A accepted B's antiforgery token");
        await ShouldBeSignedInAsync(omarOnB, "omar", ct);

        // Without the cookie the same page asks to sign in (so the 200s above are the cookie's doing).
        using var stranger = Client(b, new CookieContainer());
        var refused = await stranger.GetAsync("/communities", ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        refused.Headers.Location!.ToString().ShouldContain("/Account/Login");
    }

    private static async Task ShouldBeSignedInAsync(HttpClient client, string userName, CancellationToken ct)
    {
        var page = await client.GetAsync("/communities", ct);
        page.StatusCode.ShouldBe(HttpStatusCode.OK, $"{userName}'s cookie signs in on {client.BaseAddress}");
        (await page.Content.ReadAsStringAsync(ct)).ShouldContain(userName);
    }

    private static Dictionary<string, string> Login(string userName) => new()
    {
        ["Input.Login"] = userName,
        ["Input.Password"] = AccountForms.Password,
    };

    private static HttpClient Client(AppFactory app, CookieContainer cookies) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = cookies }) { BaseAddress = new Uri(app.BaseUrl + "/") };
}
