using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using CommunityApp.Bench.Circuits;
using CommunityApp.Features.Communities;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Http;

/// <summary>
/// The protocol client of <c>./bench.sh circuits</c> (CommunityApp.Bench/Circuits, linked here) against the real app on
/// Kestrel: signed in through the form, it opens circuits on a community home as blazor.web.js does, and a click renders.
/// The benchmark itself runs on demand only.
/// </summary>
public sealed class CircuitClientTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task Two_circuits_open_on_the_community_home_without_a_browser_and_a_click_renders()
    {
        var ct = TestContext.Current.CancellationToken;
        app.StartKestrel();
        var user = await app.CreateUserAsync("circuitclient");
        Guid communityId;
        using (var scope = app.Services.CreateScope())
        {
            communityId = await scope.ServiceProvider.GetRequiredService<CommunityService>().CreateAsync(user.Id, new("Circuit client", null), ct);
        }
        var cookies = new CookieContainer();
        using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl + "/") };
        var signIn = await http.PostFormAsync("/Account/Login", "login", new Dictionary<string, string>
        {
            ["Input.Login"] = "circuitclient",
            ["Input.Password"] = AccountForms.Password,
        }, ct);
        signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect, "the sign-in succeeded");
        var cookie = cookies.GetCookieHeader(http.BaseAddress!);

        await using var first = new CircuitClient(http.BaseAddress!, cookie, "Toggle navigation");
        await using var second = new CircuitClient(http.BaseAddress!, cookie, "Toggle navigation");
        await Task.WhenAll(
            first.StartAsync(http, $"c/{communityId}", TimeSpan.FromSeconds(60), ct),
            second.StartAsync(http, $"c/{communityId}", TimeSpan.FromSeconds(60), ct));

        foreach (var circuit in new[] { first, second })
        {
            circuit.CircuitId.ShouldNotBeNullOrEmpty("the server started the circuit");
            circuit.Error.ShouldBeNull();
            circuit.JsCalls.ShouldContain("Blazor._internal.attachWebRendererInterop", "the renderer attached its .NET object, where clicks go");
            var before = circuit.RenderBatches;
            await circuit.ClickAsync(TimeSpan.FromSeconds(30));
            circuit.RenderBatches.ShouldBeGreaterThan(before, "the click on the menu button rendered");
            circuit.Error.ShouldBeNull();
        }
        first.CircuitId.ShouldNotBe(second.CircuitId);

        // Paused as Blazor.pauseCircuit() pauses it: the server sends its state and lets it go; resumed with that state, the
        // page's button is back and a click renders again.
        var paused = first.CircuitId;
        (await first.PauseAsync(TimeSpan.FromSeconds(30))).ShouldBeGreaterThan(0, "the server sent the paused circuit's state");
        first.Connected.ShouldBeFalse();
        await first.ResumeAsync(TimeSpan.FromSeconds(60), ct);
        first.CircuitId.ShouldNotBe(paused, "a resumed circuit is a new one");
        first.Error.ShouldBeNull();
        var beforeResumedClick = first.RenderBatches;
        await first.ClickAsync(TimeSpan.FromSeconds(30));
        first.RenderBatches.ShouldBeGreaterThan(beforeResumedClick, "the click on the resumed circuit rendered");
    }

    /// <summary>
    /// docs/ARCHITECTURE.md, "Circuits": the community page carries what its prerender loaded (the community, what the member
    /// may do) to the circuit, whose first render does not load it again. Renamed in between, the circuit still shows the
    /// name the prerender read: it did not ask the database; a later load shows the new one.
    /// </summary>
    [Fact]
    public async Task The_circuits_first_render_uses_what_the_prerender_loaded_instead_of_loading_it_again()
    {
        var ct = TestContext.Current.CancellationToken;
        app.StartKestrel();
        var user = await app.CreateUserAsync("circuitcarry");
        Guid communityId;
        using (var scope = app.Services.CreateScope())
        {
            communityId = await scope.ServiceProvider.GetRequiredService<CommunityService>().CreateAsync(user.Id, new("Carried garden", null), ct);
        }
        var cookies = new CookieContainer();
        using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl + "/") };
        (await http.PostFormAsync("/Account/Login", "login", new Dictionary<string, string>
        {
            ["Input.Login"] = "circuitcarry",
            ["Input.Password"] = AccountForms.Password,
        }, ct)).StatusCode.ShouldBe(HttpStatusCode.Redirect, "the sign-in succeeded");
        var cookie = cookies.GetCookieHeader(http.BaseAddress!);

        async Task RenameAsync()
        {
            await using var scope = app.Services.CreateAsyncScope();
            await using var db = await scope.ServiceProvider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<CommunityApp.Data.AppDbContext>>().CreateDbContextAsync(ct);
            (await db.Communities.Where(c => c.Id == communityId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Name, "Renamed meanwhile"), ct)).ShouldBe(1);
        }

        await using var carried = new CircuitClient(http.BaseAddress!, cookie, "Toggle navigation") { KeepStrings = true };
        await carried.StartAsync(http, $"c/{communityId}", TimeSpan.FromSeconds(60), ct, afterPrerender: RenameAsync);

        carried.Error.ShouldBeNull();
        carried.Strings.ShouldContain("Carried garden", "the circuit rendered the community the prerender loaded");
        carried.Strings.ShouldNotContain("Renamed meanwhile", "the circuit's first render did not load the community again");
        carried.Strings.ShouldContain("Award trust", "and what the member may do came along too");

        // A new page load (a new prerender) reads the database again.
        await using var fresh = new CircuitClient(http.BaseAddress!, cookie, "Toggle navigation") { KeepStrings = true };
        await fresh.StartAsync(http, $"c/{communityId}", TimeSpan.FromSeconds(60), ct);
        fresh.Strings.ShouldContain("Renamed meanwhile");
    }
}
