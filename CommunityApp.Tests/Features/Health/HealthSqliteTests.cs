using CommunityApp.Features.Health;
using CommunityApp.Tests.Infrastructure;
using static CommunityApp.Tests.Features.Health.HealthHistory;

namespace CommunityApp.Tests.Features.Health;

/// <summary>
/// The dashboard on the embedded default: the metrics' SQL runs on SQLite (its own bucket and duration arithmetic, text
/// timestamps) and gives the same figures as on PostgreSQL for the same history.
/// </summary>
public sealed class HealthSqliteTests(SqliteServiceFixture fixture) : IClassFixture<SqliteServiceFixture>
{
    [Fact]
    public async Task The_dashboard_gives_the_same_figures_on_SQLite()
    {
        var cast = await WriteAsync(fixture);
        var view = await fixture.Get<HealthService>().GetAsync(cast.Ana, cast.CommunityId, HealthRange.Week);

        var figures = view.Metrics.SelectMany(m => m.Figures.Select(f => (m.Key, f.TitleKey, f.Argument, Round(f.Current), Round(f.Previous)))).ToList();
        figures.ShouldContain((HealthMetricKeys.ActiveMembers, "Health.Figure.ActiveMembers", null, 3, 2));
        figures.ShouldContain((HealthMetricKeys.SharesPublished, "Health.Figure.SharesPublished", null, 2, 1));
        figures.ShouldContain((HealthMetricKeys.UnitsExchanged, "Health.Figure.UnitsExchanged", null, 1, 0));
        figures.ShouldContain((HealthMetricKeys.TrustNetwork, "Health.Figure.Awards", null, 2, 1));
        figures.ShouldContain((HealthMetricKeys.NewMemberPath, "Health.Figure.DaysToLevel", "Stable", 2, null));
        figures.ShouldContain((HealthMetricKeys.CouncilActivity, "Health.Figure.CouncilActions", null, 1, 0));
        figures.ShouldContain((HealthMetricKeys.NeedsFulfilment, "Health.Figure.FulfilmentRate", null, 50, null));
        figures.ShouldContain((HealthMetricKeys.FirstResponse, "Health.Figure.RequestResponse", null, 2, null));
        figures.ShouldContain((HealthMetricKeys.FirstResponse, "Health.Figure.NeedResponse", null, 18, null));
        view.Metric(HealthMetricKeys.ActiveMembers).Charts.Single().Series.Single().Values.ShouldBe([0, 0, 1, 1, 2, 3, 1]);
        view.Metric(HealthMetricKeys.NeedsFulfilment).Charts.Single().Series[0].Values.ShouldBe([0, 0, 1, 0, 0, 0, 1]);
    }

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 1) : null;
}
