using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Health;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Health;

/// <summary>
/// A community with a known history around <see cref="Now"/>, written through the app's services on the fixture's clock, so
/// every figure of the 7-day dashboard is known (docs/SPEC.md §13). Days are counted back from <see cref="Now"/>:
/// <list type="bullet">
/// <item>−30 d: Ana creates the community (admin); −20 d: she creates the Garden council.</item>
/// <item>Previous period (−14 d … −7 d): Ben joins (−12 d), shares 5 carrots (−10 d) and gets Ana's award (−10 d).</item>
/// <item>Current period (−7 d … now): Dana and Eli join (−6 d); Eli needs carrots (−5 d); Ana grants Dana 10 (−4 d: Stable);
/// Ben shares 3 carrots (−4 d: the first offer for Eli's need, 24 h); Dana shares 2 drills (−3 d); Eli asks for one (−3 d +1 h),
/// Dana accepts (−3 d +3 h: 2 h); it is fulfilled (−2 d); Ben and Eli award Dana (−2 d); Ana reports for the council (−2 d);
/// Dana needs a ladder (−1 d) and fulfils it herself (−1 d +12 h: 12 h).</item>
/// </list>
/// Ben, Dana and Eli hold feature roles rather than trust grants, so their trust history starts at 0.
/// </summary>
internal static class HealthHistory
{
    public static readonly DateTime Now = new(2026, 6, 30, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// When the dashboard is looked at: the last minute of the history's last day (periods are whole days, today included), so
    /// the days before come from the rollups and the last one from the raw tables.
    /// </summary>
    public static readonly DateTime Evening = Now.AddMinutes(-1);

    public sealed record Cast(Guid CommunityId, string Ana, string Ben, string Dana, string Eli, Guid CouncilId);

    private static readonly FeatureRole[] Roles = [FeatureRole.TrustGranter, FeatureRole.WealthPublisher, FeatureRole.NeedsPublisher];

    public static async Task<Cast> WriteAsync(ServiceFixture fixture)
    {
        void At(double daysAgo, double hours = 0) => fixture.Clock.Set(Now.AddDays(-daysAgo).AddHours(hours));
        At(30);
        var (communityId, ana) = await fixture.CreateCommunityAsync("Health commons");
        At(20);
        var council = await fixture.Get<CouncilService>().CreateAsync(ana, communityId, new CouncilInput("Garden", "Beds and seeds"));
        var trust = fixture.Get<TrustService>();
        var shares = fixture.Get<ShareService>();
        var needs = fixture.Get<NeedService>();
        var carrots = await fixture.ItemIdAsync(communityId, "Carrots");
        var drill = await fixture.ItemIdAsync(communityId, "Drill");

        At(12);
        var ben = await fixture.AddMemberAsync(communityId, featureRoles: Roles);
        At(10);
        await shares.CreateAsync(ben, communityId, new ShareInput("Carrots from the allotment", null, WealthKind.Object, 5, ItemId: carrots));
        await trust.AwardAsync(ana, communityId, ben);

        At(6);
        var dana = await fixture.AddMemberAsync(communityId, featureRoles: Roles);
        var eli = await fixture.AddMemberAsync(communityId, featureRoles: Roles);
        At(5);
        await needs.CreateAsync(eli, communityId, new NeedInput(carrots, null, null, 2));
        At(4);
        await trust.SetAdminGrantAsync(ana, communityId, dana, 10);
        await shares.CreateAsync(ben, communityId, new ShareInput("More carrots", null, WealthKind.Object, 3, ItemId: carrots));
        At(3);
        var drills = await shares.CreateAsync(dana, communityId, new ShareInput("Two drills", null, WealthKind.Object, 2, ItemId: drill));
        At(3, 1);
        var request = await shares.RequestAsync(eli, drills, 1, "For a shelf");
        At(3, 3);
        await shares.AcceptAsync(dana, request);
        At(2);
        await shares.FulfilAsync(eli, request);
        await trust.AwardAsync(ben, communityId, dana);
        await trust.AwardAsync(eli, communityId, dana);
        await fixture.Get<CouncilReportService>().CreateAsync(ana, council, new ReportInput("Spring beds", "Dug and sown."));
        At(1);
        var ladder = await needs.CreateAsync(dana, communityId, new NeedInput(null, "A ladder", null, 1));
        At(1, 12);
        await needs.FulfilAsync(dana, ladder);
        fixture.Clock.Set(Evening);
        return new Cast(communityId, ana, ben, dana, eli, council);
    }

    public static HealthMetricResult Metric(this HealthView view, string key) => view.Metrics.Single(m => m.Key == key);

    public static HealthFigure Figure(this HealthMetricResult metric, string titleKey, string? argument = null) =>
        metric.Figures.Single(f => f.TitleKey == titleKey && f.Argument == argument);

    public static async Task<double> AverageScoreAsync(ServiceFixture fixture, Guid communityId)
    {
        await using var db = await fixture.NewContextAsync();
        return Math.Round(await db.Memberships.Where(m => m.CommunityId == communityId).AverageAsync(m => (double)m.TrustScore), 1);
    }
}
