using System.Text;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Health;
using CommunityApp.Features.Settings;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;
using static CommunityApp.Tests.Features.Health.HealthHistory;
using static CommunityApp.Tests.Infrastructure.Refusals;

namespace CommunityApp.Tests.Features.Health;

/// <summary>
/// The health dashboard (docs/SPEC.md §13) on PostgreSQL over the known history of <see cref="HealthHistory"/>: every metric's
/// figures against the previous 7 days and its chart points, who may see it and which metrics, the refresh interval as the
/// bound on staleness (on the fake clock), and the CSV.
/// </summary>
public sealed class HealthServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private HealthService Health => fixture.Get<HealthService>();

    [Fact]
    public async Task Every_metric_has_its_exact_figures_against_the_previous_period()
    {
        var cast = await WriteAsync(fixture);
        var view = await Health.GetAsync(cast.Ana, cast.CommunityId, HealthRange.Week);

        view.IsAdmin.ShouldBeTrue();
        view.IsEmpty.ShouldBeFalse();
        view.Dashboard.Members.ShouldBe(4);
        view.Dashboard.Window.From.ShouldBe(Now.AddDays(-7));
        view.Metrics.Select(m => m.Key).ShouldBe(HealthMetrics.All.Select(m => m.Key));

        var active = view.Metric(HealthMetricKeys.ActiveMembers);
        Figures(active).ShouldBe([("Health.Figure.ActiveMembers", 3, 2)]);
        active.Figure("Health.Figure.ActiveMembers").ChangePercent.ShouldBe(50);
        active.Charts.Single().Series.Single().Values.ShouldBe([0, 0, 1, 1, 2, 3, 1]);

        var shares = view.Metric(HealthMetricKeys.SharesPublished);
        Figures(shares).ShouldBe([("Health.Figure.SharesPublished", 2, 1), ("Health.Figure.UnitsOffered", 5, 5)]);
        shares.Charts.Single().Series.Single().Values.ShouldBe([0, 0, 0, 1, 1, 0, 0]);

        var exchanged = view.Metric(HealthMetricKeys.UnitsExchanged);
        Figures(exchanged).ShouldBe([("Health.Figure.UnitsExchanged", 1, 0), ("Health.Figure.RequestsFulfilled", 1, 0)]);
        exchanged.Figure("Health.Figure.UnitsExchanged").IsNew.ShouldBeTrue();
        exchanged.Charts.Single().Series.Single().Values.ShouldBe([0, 0, 0, 0, 0, 1, 0]);

        var trust = view.Metric(HealthMetricKeys.TrustNetwork);
        Figures(trust).ShouldBe([("Health.Figure.Awards", 2, 1), ("Health.Figure.AverageScore", await AverageScoreAsync(fixture, cast.CommunityId), null)]);
        trust.Charts[0].Series.Single().Values.ShouldBe([0, 0, 0, 0, 0, 2, 0]);
        trust.Charts[1].Kind.ShouldBe(HealthChartKind.Donut);
        trust.Charts[1].Labels.ShouldBe(["New", "Stable", "Trusted"]);
        trust.Charts[1].Series.Single().Values.ShouldBe([3, 1, 0]);

        // Dana and Eli joined this week, Ben the week before; Dana reached Stable two days after joining (Ana's grant).
        var path = view.Metric(HealthMetricKeys.NewMemberPath);
        Figures(path).ShouldBe([
            ("Health.Figure.NewMembers", 2, 1),
            ("Health.Figure.ReachedLevel", 1, 0), ("Health.Figure.DaysToLevel", 2, null),
            ("Health.Figure.ReachedLevel", 0, 0), ("Health.Figure.DaysToLevel", null, null)]);
        path.Figures.Select(f => f.Argument).ShouldBe([null, "Stable", "Stable", "Trusted", "Trusted"]);
        path.Charts.Single().Labels.ShouldBe(["Stable", "Trusted"]);
        path.Charts.Single().Series.Single().Values.ShouldBe([1, 0]);

        var councils = view.Metric(HealthMetricKeys.CouncilActivity);
        Figures(councils).ShouldBe([("Health.Figure.CouncilActions", 1, 0), ("Health.Figure.ActiveCouncils", 1, 0)]);
        councils.Charts[0].Series.Single().Values.ShouldBe([0, 0, 0, 0, 0, 1, 0]);
        councils.Charts[1].Labels.ShouldBe(["Garden"]);
        councils.Charts[1].Series.Single().Values.ShouldBe([1]);

        var needs = view.Metric(HealthMetricKeys.NeedsFulfilment);
        Figures(needs).ShouldBe([("Health.Figure.FulfilmentRate", 50, null), ("Health.Figure.NeedsPublished", 2, 0)]);
        needs.Charts.Single().Series.Select(s => s.Values).ShouldBe([[0, 0, 1, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 1]]);

        // The request waited 2 h for Dana's answer; the needs 24 h (Ben's carrots) and 12 h (fulfilled): median 18 h.
        var response = view.Metric(HealthMetricKeys.FirstResponse);
        Figures(response).ShouldBe([
            ("Health.Figure.RequestResponse", 2, null), ("Health.Figure.NeedResponse", 18, null),
            ("Health.Figure.RequestsAnswered", 1, 0), ("Health.Figure.NeedsAnswered", 2, 0)]);
    }

    [Fact]
    public async Task The_dispute_rate_counts_disputes_per_100_requests_against_the_previous_period()
    {
        void At(double daysAgo, double hours = 0) => fixture.Clock.Set(Now.AddDays(-daysAgo).AddHours(hours));
        At(20);
        var (communityId, ana) = await fixture.CreateCommunityAsync("Dispute commons");
        var roles = new[] { FeatureRole.WealthPublisher };
        var ben = await fixture.AddMemberAsync(communityId, featureRoles: roles);
        var eli = await fixture.AddMemberAsync(communityId, featureRoles: roles);
        var dana = await fixture.AddMemberAsync(communityId, featureRoles: roles);
        var shares = fixture.Get<ShareService>();
        var disputes = fixture.Get<CommunityApp.Features.Disputes.DisputeService>();
        var input = new CommunityApp.Features.Disputes.DisputeInput("It never came", "We agreed on Saturday; nothing came.");
        var share = await shares.CreateAsync(ben, communityId, new ShareInput("Jars of honey", null, WealthKind.Object, 5));
        async Task<Guid> FailedAndDisputedAsync(double daysAgo)
        {
            At(daysAgo);
            var request = await shares.RequestAsync(eli, share, 1, null);
            At(daysAgo, 1);
            await shares.AcceptAsync(ben, request);
            At(daysAgo, 2);
            await shares.FailAsync(eli, request);
            At(daysAgo, 3);
            return await disputes.OpenForRequestAsync(eli, request, input);
        }
        // The week before: one request, disputed. This week: two requests, one of them disputed.
        await FailedAndDisputedAsync(10);
        At(4);
        var fine = await shares.RequestAsync(dana, share, 1, null);
        await shares.AcceptAsync(ben, fine);
        await shares.FulfilAsync(dana, fine);
        await FailedAndDisputedAsync(2);
        fixture.Clock.Set(Evening);

        var metric = (await Health.GetAsync(ana, communityId, HealthRange.Week)).Metric(HealthMetricKeys.DisputeRate);

        Figures(metric).ShouldBe([("Health.Figure.DisputeRate", 50, 100), ("Health.Figure.DisputesOpened", 1, 1), ("Health.Figure.DisputesResolved", 0, 0)]);
        metric.Charts.Single().Series.Select(s => s.Values).ShouldBe([[0, 0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 0, 0]]);
    }

    [Fact]
    public async Task The_previous_period_moves_with_the_range()
    {
        var cast = await WriteAsync(fixture);
        // 30 days: everything since day −30 is current; the previous period (−60 … −30) holds nothing.
        var month = await Health.GetAsync(cast.Ana, cast.CommunityId, HealthRange.Month);
        Figures(month.Metric(HealthMetricKeys.SharesPublished)).ShouldBe([("Health.Figure.SharesPublished", 3, 0), ("Health.Figure.UnitsOffered", 10, 0)]);
        Figures(month.Metric(HealthMetricKeys.ActiveMembers)).ShouldBe([("Health.Figure.ActiveMembers", 4, 0)]);
        month.Metric(HealthMetricKeys.ActiveMembers).Charts.Single().Series.Single().Values.Count.ShouldBe(30);
        Figures(month.Metric(HealthMetricKeys.NewMemberPath))[0].ShouldBe(("Health.Figure.NewMembers", 4, 0));
        var year = await Health.GetAsync(cast.Ana, cast.CommunityId, HealthRange.Year);
        year.Metric(HealthMetricKeys.SharesPublished).Charts.Single().Series.Single().Values.ShouldBe([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]);
        // A year's twelve buckets are whole days, 30 or 31 of them (day d of the period is in bucket ⌊12·d ÷ 365⌋).
        year.Dashboard.Window.BucketStart(0).ShouldBe(Now.AddDays(-365));
        year.Dashboard.Window.BucketStart(1).ShouldBe(Now.AddDays(-365 + 31));
        year.Dashboard.Window.BucketStart(11).ShouldBe(Now.AddDays(-365 + 335));
    }

    [Fact]
    public async Task Members_see_only_the_metrics_switched_on_admins_see_all_and_others_are_refused_with_the_reason()
    {
        var cast = await WriteAsync(fixture);
        var viewer = await fixture.AddMemberAsync(cast.CommunityId, featureRoles: FeatureRole.AnalyticsViewer);
        var trusted = await fixture.AddMemberAsync(cast.CommunityId, score: 20);
        var below = await fixture.AddMemberAsync(cast.CommunityId, score: 12);
        await fixture.Get<SettingsService>().SaveAsync(cast.Ana, cast.CommunityId, new SettingsPatch { ShowActiveMembers = false, ShowTrustNetwork = false });

        var member = await Health.GetAsync(viewer, cast.CommunityId, HealthRange.Week);
        member.IsAdmin.ShouldBeFalse();
        member.Check.Reason.ShouldBe(PermissionReason.FeatureRole);
        member.Metrics.Select(m => m.Key).ShouldBe([
            HealthMetricKeys.SharesPublished, HealthMetricKeys.UnitsExchanged, HealthMetricKeys.CouncilActivity,
            HealthMetricKeys.NeedsFulfilment, HealthMetricKeys.FirstResponse]);
        (await Health.GetAsync(trusted, cast.CommunityId, HealthRange.Week)).Check.Reason.ShouldBe(PermissionReason.TrustScore);

        var admin = await Health.GetAsync(cast.Ana, cast.CommunityId, HealthRange.Week);
        admin.Check.Reason.ShouldBe(PermissionReason.Admin);
        admin.Metrics.Count.ShouldBe(HealthMetrics.All.Count);
        admin.HiddenFromMembers.ShouldBe([HealthMetricKeys.ActiveMembers, HealthMetricKeys.TrustNetwork, HealthMetricKeys.NewMemberPath, HealthMetricKeys.DisputeRate], ignoreOrder: true);

        (await Refusal(() => Health.GetAsync(below, cast.CommunityId, HealthRange.Week))).ShouldBe("You need 20 trust to view health analytics; you have 12.");
        var outsider = await fixture.CreateUserAsync();
        await Should.ThrowAsync<ForbiddenException>(() => Health.GetAsync(outsider, cast.CommunityId, HealthRange.Week));
    }

    [Fact]
    public async Task Figures_are_at_most_the_refresh_interval_old_by_the_clock_and_roll_on_with_the_days()
    {
        var cast = await WriteAsync(fixture);
        await fixture.Get<SettingsService>().SaveAsync(cast.Ana, cast.CommunityId, new SettingsPatch { DashboardRefreshInterval = 60 });
        fixture.Clock.Set(Evening);
        var first = await Health.GetAsync(cast.Ana, cast.CommunityId, HealthRange.Week);
        first.RefreshSeconds.ShouldBe(60);
        Shares(first).ShouldBe(2);

        fixture.Clock.Set(Evening.AddSeconds(1));
        await fixture.Get<ShareService>().CreateAsync(cast.Ben, cast.CommunityId, new ShareInput("Seedlings", null, WealthKind.Object, 4));
        fixture.Clock.Set(Evening.AddSeconds(59));
        var cached = await Health.GetAsync(cast.Ana, cast.CommunityId, HealthRange.Week);
        cached.Dashboard.ShouldBeSameAs(first.Dashboard);
        Shares(cached).ShouldBe(2);
        // Another range is another entry, computed now.
        Shares(await Health.GetAsync(cast.Ana, cast.CommunityId, HealthRange.Month)).ShouldBe(4);

        fixture.Clock.Set(Evening.AddSeconds(60));
        var fresh = await Health.GetAsync(cast.Ana, cast.CommunityId, HealthRange.Week);
        fresh.Dashboard.ComputedAt.ShouldBe(Evening.AddSeconds(60));
        Shares(fresh).ShouldBe(3);

        // The next day the last one is rolled up with the rest, and the week moves on by a day.
        fixture.Clock.Set(Evening.AddDays(1));
        var tomorrow = await Health.GetAsync(cast.Ana, cast.CommunityId, HealthRange.Week);
        tomorrow.Dashboard.Window.LastDay.ShouldBe(Now);
        Shares(tomorrow).ShouldBe(3);
        tomorrow.Metric(HealthMetricKeys.ActiveMembers).Charts.Single().Series.Single().Values.ShouldBe([0, 1, 1, 2, 3, 2, 0]);

        static double? Shares(HealthView view) => view.Metric(HealthMetricKeys.SharesPublished).Figure("Health.Figure.SharesPublished").Current;
    }

    [Fact]
    public async Task A_requests_first_response_is_its_owners_first_answer_a_message_or_a_decision()
    {
        fixture.Clock.Set(Now);
        var (communityId, owner) = await fixture.CreateCommunityAsync();
        var requester = await fixture.AddMemberAsync(communityId, featureRoles: FeatureRole.WealthPublisher);
        var shares = fixture.Get<ShareService>();
        var share = await shares.CreateAsync(owner, communityId, new ShareInput("Ladder", null, WealthKind.Object, 3));
        var messaged = await shares.RequestAsync(requester, share, 1, null);
        var decided = await shares.RequestAsync(requester, share, 1, null);

        fixture.Clock.Set(Now.AddMinutes(10));
        await shares.PostMessageAsync(requester, messaged, "Still free?");
        (await RespondedAsync(messaged)).ShouldBeNull();
        fixture.Clock.Set(Now.AddMinutes(30));
        await shares.PostMessageAsync(owner, messaged, "Yes, come by.");
        fixture.Clock.Set(Now.AddMinutes(50));
        await shares.PostMessageAsync(owner, messaged, "Or tomorrow.");
        await shares.AcceptAsync(owner, messaged);
        (await RespondedAsync(messaged)).ShouldBe(Now.AddMinutes(30));

        fixture.Clock.Set(Now.AddHours(3));
        await shares.RejectAsync(owner, decided);
        (await RespondedAsync(decided)).ShouldBe(Now.AddHours(3));

        async Task<DateTime?> RespondedAsync(Guid requestId)
        {
            await using var db = await fixture.NewContextAsync();
            return await db.ShareRequests.Where(r => r.Id == requestId).Select(r => r.RespondedAt).SingleAsync();
        }
    }

    [Fact]
    public async Task An_empty_community_says_so_instead_of_zeros()
    {
        fixture.Clock.Set(Now);
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var view = await Health.GetAsync(admin, communityId, HealthRange.Month);
        view.IsEmpty.ShouldBeTrue();
        view.Metrics.Count.ShouldBe(HealthMetrics.All.Count);
    }

    [Fact]
    public async Task The_csv_holds_the_figures_and_chart_points_the_viewer_sees_for_the_range()
    {
        var cast = await WriteAsync(fixture);
        var viewer = await fixture.AddMemberAsync(cast.CommunityId, featureRoles: FeatureRole.AnalyticsViewer);
        await fixture.Get<SettingsService>().SaveAsync(cast.Ana, cast.CommunityId, new SettingsPatch { ShowTrustNetwork = false });

        var lines = await CsvAsync(cast.Ana, cast.CommunityId);
        lines[0].ShouldBe("Metric,Figure,From,To,Value,Previous period,Change %");
        lines.ShouldContain("Active members,Active members,2026-06-23,2026-06-29,3,2,50");
        lines.ShouldContain("Wealth generation,Shares published,2026-06-23,2026-06-29,2,1,100");
        lines.ShouldContain("Wealth exchanged,Units exchanged,2026-06-23,2026-06-29,1,0,new");
        lines.ShouldContain("Path of new members,Median days to Stable,2026-06-23,2026-06-29,2,,new");
        lines.ShouldContain("Time to first response,Needs: median first response,2026-06-23,2026-06-29,18,,new");
        var points = Array.IndexOf(lines, "Metric,Series,Point,Value");
        points.ShouldBeGreaterThan(0);
        lines[points - 1].ShouldBe("");
        lines.ShouldContain("Active members,Active members,2026-06-28,3");
        lines.ShouldContain("Trust network,Members per level,Stable,1");
        lines.ShouldContain("Council activity,Actions per council,Garden,1");

        var member = await CsvAsync(viewer, cast.CommunityId);
        member.ShouldNotContain(l => l.StartsWith("Trust network,", StringComparison.Ordinal) || l.StartsWith("Path of new members,", StringComparison.Ordinal));
        member.ShouldContain("Wealth generation,Shares published,2026-06-23,2026-06-29,2,1,100");
    }

    private async Task<string[]> CsvAsync(string userId, Guid communityId)
    {
        var export = await Health.ExportAsync(userId, communityId, HealthRange.Week);
        export.FileName.ShouldBe("health-7d-2026-06-30.csv");
        using var stream = new MemoryStream();
        await export.WriteAsync(stream, TestContext.Current.CancellationToken);
        return Encoding.UTF8.GetString(stream.ToArray()).Split("\r\n");
    }

    private static List<(string, double?, double?)> Figures(HealthMetricResult metric) =>
        metric.Figures.Select(f => (f.TitleKey, Round(f.Current), Round(f.Previous))).ToList();

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 1) : null;
}
