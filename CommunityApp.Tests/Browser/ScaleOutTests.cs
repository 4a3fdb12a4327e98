using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Data;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>
/// Two app instances on one PostgreSQL behind nginx (the Debian package, the repository's nginx/communityapp.conf), as
/// docker-compose.yml runs them: a cookie from one works on the other, an award made on one shows live on a page open on
/// the other, a job runs once per period between them, and when one stops the other keeps serving and the tab that was
/// on it reconnects to the survivor. One journey over one set-up, so the processes start once.
/// </summary>
public sealed class ScaleOutTests(BrowserFixture browser) : BrowserTest(browser)
{
    // A job only this test runs this often: every second on both instances.
    private const string Job = "disputes.mediation-reminder";
    private AppFactory second = null!;
    private NginxProcess nginx = null!;

    public override async ValueTask InitializeAsync()
    {
        App.Settings["Disputes:ReminderJobInterval"] = "00:00:01";
        await base.InitializeAsync();
        second = App.SecondInstance();
        second.StartKestrel();
        nginx = await NginxProcess.StartAsync(HostOf(App.BaseUrl), HostOf(second.BaseUrl));
    }

    public override async ValueTask DisposeAsync()
    {
        await nginx.DisposeAsync();
        await second.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Behind_nginx_two_instances_share_sign_in_live_updates_and_jobs_and_the_survivor_takes_over()
    {
        using var ticks = new TickCounter(Job);
        var watch = Stopwatch.StartNew();
        var ana = (await App.CreateUserAsync("ana")).Id;
        var ben = (await App.CreateUserAsync("ben")).Id;
        var communityId = await SetUpCommunityAsync(ana, ben);

        // Ben signs in through nginx; ip_hash sends this client to one instance ("home"), X-Upstream says which.
        await using var context = await Browser.NewContextAsync(nginx.BaseUrl);
        var page = await context.NewPageAsync();
        await SignInAsync(page, "ben", AccountForms.Password);
        var served = (await page.GotoAsync($"/c/{communityId}"))!.Headers["x-upstream"];
        await page.WaitForInteractiveAsync();
        var (home, other) = served == HostOf(App.BaseUrl) ? (App, second) : (second, App);
        served.ShouldBe(HostOf(home.BaseUrl));

        // A cookie from one instance works on the other: the same browser opens the other instance directly (cookies
        // belong to the host, not the port), signed in.
        var pinned = await context.NewPageAsync();
        await pinned.OpenAsync($"{other.BaseUrl}/c/{communityId}");
        await Expect(pinned.GetByTestId("signed-in-user")).ToHaveTextAsync("ben");
        await Expect(pinned.GetByTestId("my-trust")).ToHaveTextAsync("0");
        AppMetrics.OpenCircuits.ShouldBeGreaterThanOrEqualTo(2, "the circuit handler counts both tabs' circuits (the metric is per process)");

        // An award made on one instance shows live on the page open on the other (and on the one through nginx).
        await using (var scope = home.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<TrustService>().AwardAsync(ana, communityId, ben, TestContext.Current.CancellationToken);
        await Expect(pinned.GetByTestId("my-trust")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("my-trust")).ToHaveTextAsync("1");

        // The job ticks every second on both instances; each second runs it once.
        await Eventually.UntilAsync(() => ticks.Skipped >= 2 && ticks.Succeeded >= 2, "both instances to tick the job");
        var seconds = watch.Elapsed.TotalSeconds;
        var (succeeded, skipped) = (ticks.Succeeded, ticks.Skipped);
        ticks.Failed.ShouldBe(0);
        succeeded.ShouldBeLessThanOrEqualTo((int)Math.Ceiling(seconds) + 1, $"at most one run a second: {succeeded} runs, {skipped} refused in {seconds:0.0} s");
        (await RunsRecordedAsync()).ShouldBeGreaterThanOrEqualTo(succeeded);

        // The instance this tab is on stops. nginx sends the tab's reconnect to the survivor, which does not know the
        // circuit: the page reloads there, signed in by the same cookie.
        home.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        await Eventually.UntilAsync(async () => !await AnswersAsync(home.BaseUrl), "the stopped instance to refuse connections");
        using (var http = new HttpClient())
        {
            var health = await http.GetAsync($"{nginx.BaseUrl}/health", TestContext.Current.CancellationToken);
            health.StatusCode.ShouldBe(HttpStatusCode.OK, "nginx still serves, from the survivor");
            health.Headers.GetValues("X-Upstream").ShouldContain(v => v.EndsWith(HostOf(other.BaseUrl)));
        }
        await Expect(page.GetByTestId("my-trust")).ToHaveTextAsync("1");
        await page.WaitForInteractiveAsync();

        // The reconnected tab lives on the survivor: a change made there shows on it live.
        await using (var scope = other.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<TrustService>().RemoveAsync(ana, communityId, ben, TestContext.Current.CancellationToken);
        await Expect(page.GetByTestId("my-trust")).ToHaveTextAsync("0");
        await Expect(pinned.GetByTestId("my-trust")).ToHaveTextAsync("0");
        page.Url.ShouldStartWith(nginx.BaseUrl);
    }

    private static string HostOf(string baseUrl) => new Uri(baseUrl).Authority;

    private static async Task<bool> AnswersAsync(string baseUrl)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await http.GetAsync($"{baseUrl}/health");
            return true;
        }
        catch (HttpRequestException) { return false; }
        catch (TaskCanceledException) { return false; }
    }

    private async Task<Guid> SetUpCommunityAsync(string adminId, string memberId)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(adminId, new("Two Towers", null));
        var (_, secret) = await services.GetRequiredService<InviteService>().CreateLinkAsync(adminId, communityId, new("Test", MemberRole.Member, DateTime.UtcNow.AddDays(1), null));
        await services.GetRequiredService<InviteService>().RedeemLinkAsync(memberId, secret);
        return communityId;
    }

    private async Task<long> RunsRecordedAsync()
    {
        await using var db = await App.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        return await db.JobRuns.Where(j => j.Name == Job).Select(j => j.Runs).SingleAsync();
    }
}
