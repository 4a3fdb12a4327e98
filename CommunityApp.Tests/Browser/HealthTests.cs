using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Members;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Settings;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>
/// The health dashboard in Chromium (docs/SPEC.md §13): a new community shows its empty state; with some history the admin
/// sees every metric with its charts drawn (SVG) and downloads the CSV for another range; a member with the analytics role,
/// on a 375 px phone, sees only the metrics the admins left visible. Every page passes axe.
/// </summary>
public sealed class HealthTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task The_admin_and_a_member_on_a_phone_see_the_charts_they_may_see_and_the_admin_downloads_the_csv()
    {
        await using var anaContext = await NewContextAsync();
        var ana = await anaContext.NewPageAsync();
        await SignUpAsync(ana, "hana", "Hana Admin");
        await using var vicContext = await Browser.NewContextAsync(BaseUrl, phone: true);
        var vic = await vicContext.NewPageAsync();
        await SignUpAsync(vic, "vic", "Vic Viewer");
        var (communityId, quietId) = await SetUpAsync();
        var urls = CommunityApp.Components.CommunityUrls.For(communityId);

        // A community where nothing has happened yet says so, and leads to the first steps.
        await ana.OpenAsync(CommunityApp.Components.CommunityUrls.For(quietId).Health);
        await Expect(ana.GetByTestId("health-empty")).ToContainTextAsync("Nothing to measure yet");
        await Expect(ana.GetByTestId("health-metric")).ToHaveCountAsync(0);
        await ana.CheckPageAsync("90-health-empty");

        // The admin: every metric, charts drawn, the metrics hidden from members marked so; the section is under Insight.
        await ana.OpenAsync(urls.Home);
        await ana.GetByRole(AriaRole.Navigation, new() { Name = "Community sections" }).GetByRole(AriaRole.Link, new() { Name = "Health" }).ClickAsync();
        await Expect(ana).ToHaveURLAsync(BaseUrl.TrimEnd('/') + urls.Health);
        await Expect(ana.GetByTestId("health-metric")).ToHaveCountAsync(9);
        await Expect(ana.GetByTestId("health-why")).ToContainTextAsync("Admin");
        await Expect(ana.Locator("[data-testid=health-chart] svg").First).ToBeVisibleAsync();
        (await ana.Locator("[data-testid=health-chart] svg").CountAsync()).ShouldBeGreaterThan(4);
        await Expect(ana.Locator("[data-metric=TrustNetwork] [data-testid=health-hidden-from-members]")).ToBeVisibleAsync();
        await Expect(ana.Locator("[data-metric=SharesPublished] [data-testid=health-value]").First).ToHaveTextAsync("2");
        await Expect(ana.Locator("[data-metric=SharesPublished] [data-testid=health-change]").First).ToHaveTextAsync("New: none in the previous 30 days");
        await ana.CheckPageAsync("91-health-admin");

        await ana.GetByRole(AriaRole.Button, new() { Name = "90 days" }).ClickAsync();
        await Expect(ana.GetByRole(AriaRole.Button, new() { Name = "90 days" })).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(ana.GetByTestId("health-csv")).ToHaveAttributeAsync("href", urls.HealthCsv("90d"));
        var download = await ana.RunAndWaitForDownloadAsync(() => ana.GetByTestId("health-csv").ClickAsync());
        download.SuggestedFilename.ShouldStartWith("health-90d-");
        var lines = (await File.ReadAllTextAsync((await download.PathAsync())!)).Split("\r\n");
        lines[0].ShouldBe("Metric,Figure,From,To,Value,Previous period,Change %");
        lines.ShouldContain(l => l.StartsWith("Wealth generation,Shares published,", StringComparison.Ordinal) && l.EndsWith(",2,0,new", StringComparison.Ordinal));
        lines.ShouldContain("Metric,Series,Point,Value");

        // The member, on a phone: only the metrics switched on for members, charts drawn, nothing wider than the screen.
        await vic.OpenAsync(urls.Health);
        await Expect(vic.GetByTestId("health-metric")).ToHaveCountAsync(6);
        await Expect(vic.Locator("[data-metric=TrustNetwork]")).ToHaveCountAsync(0);
        await Expect(vic.Locator("[data-metric=NewMemberPath]")).ToHaveCountAsync(0);
        await Expect(vic.Locator("[data-metric=ActiveMembers] [data-testid=health-chart] svg").First).ToBeVisibleAsync();
        await Expect(vic.GetByTestId("health-why")).ToContainTextAsync("Analytics viewer");
        var widths = await vic.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        var wide = await vic.EvaluateAsync<string[]>("() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 15).map(e => e.tagName + '.' + e.getAttribute('class') + ' ' + Math.round(e.getBoundingClientRect().right))");
        widths[0].ShouldBeLessThanOrEqualTo(widths[1], "the dashboard scrolls sideways on a 375 px phone: " + string.Join(" | ", wide));
        await vic.CheckPageAsync("92-health-member-phone");
    }

    /// <summary>
    /// Riverside-like: Hana is the admin of a community with a little history today (two shares, a request fulfilled, an award,
    /// a need), the trust network hidden from members; Vic holds the analytics viewer role. "Quiet" has only Hana.
    /// </summary>
    private async Task<(Guid CommunityId, Guid QuietId)> SetUpAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var ids = await db.Users.Where(u => new[] { "hana", "vic" }.Contains(u.UserName!)).ToDictionaryAsync(u => u.UserName!, u => u.Id);
        var (hana, vic) = (ids["hana"], ids["vic"]);
        var communities = services.GetRequiredService<CommunityService>();
        var communityId = await communities.CreateAsync(hana, new("Health Street", null));
        var quietId = await communities.CreateAsync(hana, new("Quiet Lane", null));
        var invites = services.GetRequiredService<InviteService>();
        var (_, secret) = await invites.CreateLinkAsync(hana, communityId, new("Neighbours", MemberRole.Member, DateTime.UtcNow.AddDays(1), null));
        await invites.RedeemLinkAsync(vic, secret);
        var members = services.GetRequiredService<MemberService>();
        foreach (var role in new[] { FeatureRole.AnalyticsViewer, FeatureRole.WealthPublisher, FeatureRole.NeedsPublisher })
            await members.GrantFeatureRoleAsync(hana, communityId, vic, role);
        await services.GetRequiredService<SettingsService>().SaveAsync(hana, communityId, new SettingsPatch { ShowTrustNetwork = false });

        var items = await db.Items.Where(i => i.CommunityId == communityId && (i.Name == "Carrots" || i.Name == "Drill")).ToDictionaryAsync(i => i.Name, i => i.Id);
        var shares = services.GetRequiredService<ShareService>();
        var drills = await shares.CreateAsync(hana, communityId, new ShareInput("Two drills", null, WealthKind.Object, 2, ItemId: items["Drill"]));
        await shares.CreateAsync(vic, communityId, new ShareInput("Carrots", null, WealthKind.Object, 4, ItemId: items["Carrots"]));
        var request = await shares.RequestAsync(vic, drills, 1, "For a shelf");
        await shares.AcceptAsync(hana, request);
        await shares.FulfilAsync(vic, request);
        await services.GetRequiredService<TrustService>().AwardAsync(hana, communityId, vic);
        await services.GetRequiredService<NeedService>().CreateAsync(vic, communityId, new NeedInput(null, "A ladder", null, 1));
        await db.Notifications.ExecuteDeleteAsync();
        return (communityId, quietId);
    }
}
