using System.Net;
using Microsoft.Extensions.DependencyInjection;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Http;

/// <summary>
/// Throttled sign-in and circuits over real HTTP (docs/ARCHITECTURE.md, "Throttling"): the app on Kestrel, and clients that connect from
/// different loopback addresses, so the app sees different clients. Each test uses its own addresses and accounts.
/// </summary>
public sealed class ThrottlingTests(ThrottlingTests.ThrottledApp fixture) : IClassFixture<ThrottlingTests.ThrottledApp>
{
    /// <summary>One app for the class on Kestrel with the real account-form limit; each test comes from addresses of its own.</summary>
    public sealed class ThrottledApp : IAsyncLifetime
    {
        public AppFactory App { get; } = new();

        public async ValueTask InitializeAsync()
        {
            App.Settings.Remove("RateLimits:AccountFormsPerMinute"); // the real default
            App.Settings["RateLimits:CircuitStartsPerMinute"] = "3";
            App.Settings["RateLimits:CircuitsPerClient"] = "1";
            await App.InitializeAsync();
            App.StartKestrel();
        }

        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }

    private readonly AppFactory app = fixture.App;

    private static Dictionary<string, string> Login(string login, string password) =>
        new() { ["Input.Login"] = login, ["Input.Password"] = password };

    /// <summary>Where a redirect goes, as a path (the app answers with absolute URLs on its own origin).</summary>
    private static string Where(HttpResponseMessage response) => response.Headers.Location!.IsAbsoluteUri ? response.Headers.Location.PathAndQuery : response.Headers.Location.OriginalString;

    private static bool SignedIn(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(".AspNetCore.Identity.Application=", StringComparison.Ordinal));

    [Fact]
    public async Task Thirty_wrong_passwords_from_one_client_meet_429_early_while_the_owner_still_signs_in_from_another()
    {
        var ct = TestContext.Current.CancellationToken;
        var user = await app.CreateUserAsync("throttled" + Guid.NewGuid().ToString("N")[..6]);
        using var attacker = app.ClientFrom("127.0.0.21");

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var attempt = 0; attempt < 30; attempt++)
        {
            var response = await attacker.PostFormAsync("Account/Login", "login", Login(user.UserName!, "Wrong-pass-1"), ct);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) refused ??= response;
        }

        var first429 = statuses.IndexOf(HttpStatusCode.TooManyRequests);
        first429.ShouldBeInRange(5, 10, "the default allows 10 account form posts a minute per address: " + string.Join(",", statuses));
        statuses.Skip(first429).Count(s => s != HttpStatusCode.TooManyRequests).ShouldBeLessThanOrEqualTo(1, "at most one token refills during the run");
        refused!.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ShouldBeGreaterThan(0);
        var page = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync(ct));
        page.ShouldContain("<h1>Too many attempts</h1>");
        page.ShouldContain("You have tried this too often in a short time. Wait ");

        using var owner = app.ClientFrom("127.0.0.22");
        var signIn = await owner.PostFormAsync("Account/Login", "login", Login(user.UserName!, AccountForms.Password), ct);
        signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        Where(signIn).ShouldBe("/");
        SignedIn(signIn).ShouldBeTrue("the owner, from their own address, is neither rate limited nor locked out");
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_for_that_client_only_and_not_for_its_owner_elsewhere()
    {
        var ct = TestContext.Current.CancellationToken;
        var user = await app.CreateUserAsync("locked" + Guid.NewGuid().ToString("N")[..6]);
        using var attacker = app.ClientFrom("127.0.0.31");

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var wrong = await attacker.PostFormAsync("Account/Login", "login", Login(user.UserName!, "Wrong-pass-1"), ct);
            wrong.StatusCode.ShouldBe(HttpStatusCode.OK);
            WebUtility.HtmlDecode(await wrong.Content.ReadAsStringAsync(ct)).ShouldContain("That e-mail/username and password do not match.");
        }
        var fifth = await attacker.PostFormAsync("Account/Login", "login", Login(user.UserName!, "Wrong-pass-1"), ct);
        Where(fifth).ShouldBe("/Account/Lockout?minutes=1");
        // Locked for this address: even the right password waits.
        var right = await attacker.PostFormAsync("Account/Login", "login", Login(user.Email!, AccountForms.Password), ct);
        Where(right).ShouldStartWith("/Account/Lockout?minutes=");
        SignedIn(right).ShouldBeFalse();
        var lockoutPage = WebUtility.HtmlDecode(await attacker.GetStringAsync("Account/Lockout?minutes=1", ct));
        lockoutPage.ShouldContain("Too many wrong passwords for this account from here. Try again in 1 minutes, or reset your password.");

        using var owner = app.ClientFrom("127.0.0.32");
        var ownerSignIn = await owner.PostFormAsync("Account/Login", "login", Login(user.UserName!, AccountForms.Password), ct);
        SignedIn(ownerSignIn).ShouldBeTrue("the lockout is per account and address, so nobody can keep the owner out");
        using var scope = app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<CommunityApp.Data.ApplicationUser>>();
        (await users.FindByIdAsync(user.Id))!.LockoutEnd.ShouldBeNull("the account itself is not locked");
    }

    [Fact]
    public async Task Forgot_password_sends_at_most_three_mails_an_hour_to_one_account_and_always_answers_the_same()
    {
        var ct = TestContext.Current.CancellationToken;
        var user = await app.CreateUserAsync("mailed" + Guid.NewGuid().ToString("N")[..6]);
        using var client = app.ClientFrom("127.0.0.41");

        for (var attempt = 0; attempt < 5; attempt++)
        {
            var response = await client.PostFormAsync("Account/ForgotPassword", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = user.Email! }, ct);
            Where(response).ShouldBe("/Account/ForgotPasswordConfirmation");
        }

        app.Logs.Count(l => l.StartsWith($"E-mail to {user.Email}: Reset your CommunityApp password", StringComparison.Ordinal)).ShouldBe(3);
        app.Logs.ShouldContain(l => l == $"Account mail to user {user.Id} not sent: the hourly limit is reached");
    }

    private static async Task<HttpResponseMessage> NegotiateAsync(HttpClient client, CancellationToken ct) =>
        await client.PostAsync("_blazor/negotiate?negotiateVersion=1", new StringContent(""), ct);

    [Fact]
    public async Task One_client_starts_only_so_many_circuits_a_minute_and_another_client_is_not_held_back()
    {
        var ct = TestContext.Current.CancellationToken;
        using var flooder = app.ClientFrom("127.0.0.51");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++) statuses.Add((await NegotiateAsync(flooder, ct)).StatusCode);

        statuses.Take(3).ShouldAllBe(s => s == HttpStatusCode.OK);
        statuses.Skip(3).ShouldAllBe(s => s == HttpStatusCode.TooManyRequests);
        using var other = app.ClientFrom("127.0.0.52");
        (await NegotiateAsync(other, ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task One_client_holds_only_so_many_open_circuits_and_a_closed_one_frees_its_place()
    {
        var ct = TestContext.Current.CancellationToken;
        // Negotiated from elsewhere, so the circuit-start limit stays out of it; the sockets connect from 127.0.0.1.
        using var client = app.ClientFrom("127.0.0.61");

        async Task<System.Net.WebSockets.ClientWebSocket> OpenAsync()
        {
            var negotiated = await NegotiateAsync(client, ct);
            var token = System.Text.Json.JsonDocument.Parse(await negotiated.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("connectionToken").GetString();
            var socket = new System.Net.WebSockets.ClientWebSocket { Options = { CollectHttpResponseDetails = true } };
            try
            {
                await socket.ConnectAsync(new Uri($"{app.BaseUrl.Replace("http://", "ws://")}/_blazor?id={token}"), ct);
            }
            catch (System.Net.WebSockets.WebSocketException) when (socket.HttpStatusCode == HttpStatusCode.TooManyRequests)
            {
            }
            return socket;
        }

        using var first = await OpenAsync();
        first.State.ShouldBe(System.Net.WebSockets.WebSocketState.Open);
        using var second = await OpenAsync();
        second.HttpStatusCode.ShouldBe(HttpStatusCode.TooManyRequests, "the limit is one open circuit per client here");

        await first.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "done", ct);
        await Eventually.UntilAsync(async () =>
        {
            using var third = await OpenAsync();
            return third.State == System.Net.WebSockets.WebSocketState.Open;
        }, "a place once the first circuit closed");
    }
}
