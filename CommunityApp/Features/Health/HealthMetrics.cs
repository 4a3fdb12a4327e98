using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Communities;

namespace CommunityApp.Features.Health;

/// <summary>
/// What a metric computes from: a context of its own, the community, its trust levels and the window; with
/// <see cref="Rollups"/> (PostgreSQL, rolled through the window's end) a metric may read <see cref="HealthRollups"/> instead
/// of the raw tables, for the same figures.
/// </summary>
public sealed record HealthQuery(AppDbContext Db, Guid CommunityId, HealthWindow Window, IReadOnlyList<TrustLevelInfo> Levels, bool Rollups = false)
{
    public Task<List<HealthRow>> RowsAsync(string sql, CancellationToken ct) => HealthSql.RowsAsync(Db, CommunityId, Window, sql, ct);

    /// <summary>The rows of <paramref name="rolledUp"/> when the rollups are there, otherwise of <paramref name="raw"/>.</summary>
    public Task<List<HealthRow>> RowsAsync(string raw, string rolledUp, CancellationToken ct) => RowsAsync(Rollups ? rolledUp : raw, ct);
}

/// <summary>
/// One metric of the dashboard (docs/SPEC.md §13): its name, the <c>metricVisibilitySettings</c> switch that shows it to
/// members who are not admins, and how it is computed (one or a few grouped queries, never a row per member in memory).
/// Adding a metric is one class and one line in <see cref="HealthMetrics.All"/> (plus its text).
/// </summary>
public interface IHealthMetric
{
    string Key { get; }

    bool VisibleTo(MetricVisibilitySettings switches);

    Task<HealthMetricResult> ComputeAsync(HealthQuery query, CancellationToken ct);
}

/// <summary>The dashboard's metrics in the order shown. </summary>
public static class HealthMetrics
{
    public static readonly IReadOnlyList<IHealthMetric> All =
    [
        new ActiveMembersMetric(),
        new SharesPublishedMetric(),
        new UnitsExchangedMetric(),
        new TrustNetworkMetric(),
        new NewMemberPathMetric(),
        new CouncilActivityMetric(),
        new NeedsFulfilmentMetric(),
        new FirstResponseMetric(),
        new DisputeRateMetric(),
    ];

    /// <summary>Per-bucket values of the current period, and the totals of both periods, from rows keyed by bucket of the whole window.</summary>
    internal static (double[] Current, double Total, double PreviousTotal) Buckets(HealthWindow window, IEnumerable<HealthRow> rows, Func<HealthRow, double> value)
    {
        var current = new double[window.Buckets];
        double total = 0, previous = 0;
        foreach (var row in rows)
        {
            // A row on the very end of the window (rounding) counts in the last bucket.
            var bucket = Math.Min(row.Key, 2 * window.Buckets - 1);
            if (bucket < 0) continue;
            if (bucket < window.Buckets) previous += value(row);
            else
            {
                current[bucket - window.Buckets] += value(row);
                total += value(row);
            }
        }
        return (current, total, previous);
    }

    /// <summary>The rows' value for one period key (1 current, 0 previous), or null when there is none.</summary>
    internal static double? Period(IEnumerable<HealthRow> rows, int period, Func<HealthRow, double> value, int sub = 0) =>
        rows.Where(r => r.Key == period && r.Sub == sub).Select(value).Cast<double?>().FirstOrDefault();
}

/// <summary>
/// Members who did something in the period: awarded trust, published a share or a need, made a request, gave units (their
/// request was fulfilled on their share), posted in the forum, voted in a poll or on an initiative. Each member counts once
/// per period and once per bucket.
/// </summary>
internal sealed class ActiveMembersMetric : IHealthMetric
{
    public string Key => HealthMetricKeys.ActiveMembers;

    private const string Raw = $$"""
        WITH acts AS ({{HealthSql.Activity}}),
        bucketed AS (SELECT DISTINCT u, BUCKET(t) AS b, CASE WHEN t >= @from THEN 1 ELSE 0 END AS p FROM acts)
        SELECT b AS key, 0 AS sub, NULL AS label, DBL(COUNT(DISTINCT u)) AS value, 0.0 AS extra FROM bucketed GROUP BY b
        UNION ALL
        SELECT -1 - p, 0, NULL, DBL(COUNT(DISTINCT u)), 0.0 FROM bucketed GROUP BY p
        """;

    // A member counts in a bucket (a period) on the first day of it they were active: where their previous active day lies
    // before the bucket's first day, d × bk ÷ nd rounded up (the period's). The days before today come from the rollup's
    // cells; today's members from the raw tables, each with the last active day the rollup carries for them.
    private static readonly string RolledUp = $$"""
        WITH today AS (SELECT DISTINCT u FROM ({{HealthSql.ActivityToday}}) a),
        cells AS (
            SELECT day, previous_day, members FROM health_active_cells WHERE community_id = @c AND day >= @pd AND day < @rud
            UNION ALL
            SELECT @rud, COALESCE(s.last_active_day, -1), COUNT(*) FROM today t
            LEFT JOIN health_member_states s ON s.community_id = @c AND s.user_id = t.u GROUP BY 2),
        bucketed AS (SELECT day, previous_day, members, (day - @pd) * @bk / @nd AS b FROM cells)
        SELECT b AS key, 0 AS sub, NULL AS label, DBL(SUM(members)) AS value, 0.0 AS extra
        FROM bucketed WHERE previous_day < @pd + (b * @nd + @bk - 1) / @bk GROUP BY b
        UNION ALL
        SELECT -1 - p, 0, NULL, DBL(SUM(members)), 0.0 FROM (SELECT CASE WHEN day >= @fd THEN 1 ELSE 0 END AS p, previous_day, members FROM cells) x
        WHERE previous_day < CASE WHEN p = 1 THEN @fd ELSE @pd END GROUP BY p
        """;

    public bool VisibleTo(MetricVisibilitySettings switches) => switches.ShowActiveMembers;

    public async Task<HealthMetricResult> ComputeAsync(HealthQuery query, CancellationToken ct)
    {
        var rows = await query.RowsAsync(Raw, RolledUp, ct);
        var (series, _, _) = HealthMetrics.Buckets(query.Window, rows.Where(r => r.Key >= 0), r => r.Value);
        double Total(int key) => rows.FirstOrDefault(r => r.Key == key)?.Value ?? 0;
        return new(Key,
            [new HealthFigure("Health.Figure.ActiveMembers", Total(-2), Total(-1), FigureUnit.Count)],
            [new HealthChart(HealthChartKind.Line, [new HealthSeries("Health.Series.ActiveMembers", series)])]);
    }
}

/// <summary>Wealth generation: shares published in the period (withdrawn ones too: they were offered), and the units they offered.</summary>
internal sealed class SharesPublishedMetric : IHealthMetric
{
    public string Key => HealthMetricKeys.SharesPublished;

    public bool VisibleTo(MetricVisibilitySettings switches) => switches.ShowWealthGeneration;

    public async Task<HealthMetricResult> ComputeAsync(HealthQuery query, CancellationToken ct)
    {
        var rows = await query.RowsAsync("""
            SELECT BUCKET(created_at) AS key, 0 AS sub, NULL AS label, DBL(COUNT(*)) AS value, DBL(SUM(units_offered)) AS extra
            FROM shares WHERE community_id = @c AND created_at >= @prev AND created_at < @to
            GROUP BY 1
            """, ct);
        var (shares, total, previous) = HealthMetrics.Buckets(query.Window, rows, r => r.Value);
        var (_, units, previousUnits) = HealthMetrics.Buckets(query.Window, rows, r => r.Extra);
        return new(Key,
            [new HealthFigure("Health.Figure.SharesPublished", total, previous, FigureUnit.Count),
             new HealthFigure("Health.Figure.UnitsOffered", units, previousUnits, FigureUnit.Count)],
            [new HealthChart(HealthChartKind.Bar, [new HealthSeries("Health.Series.SharesPublished", shares)])]);
    }
}

/// <summary>Wealth exchanged: units of requests fulfilled in the period (checkouts included), dated by the fulfilment.</summary>
internal sealed class UnitsExchangedMetric : IHealthMetric
{
    public string Key => HealthMetricKeys.UnitsExchanged;

    public bool VisibleTo(MetricVisibilitySettings switches) => switches.ShowWealthGeneration;

    public async Task<HealthMetricResult> ComputeAsync(HealthQuery query, CancellationToken ct)
    {
        var rows = await query.RowsAsync("""
            SELECT BUCKET(r.updated_at) AS key, 0 AS sub, NULL AS label, DBL(SUM(r.units)) AS value, DBL(COUNT(*)) AS extra
            FROM share_requests r JOIN shares s ON s.id = r.share_id
            WHERE s.community_id = @c AND r.status = 'Fulfilled' AND r.updated_at >= @prev AND r.updated_at < @to
            GROUP BY 1
            """, ct);
        var (units, total, previous) = HealthMetrics.Buckets(query.Window, rows, r => r.Value);
        var (_, requests, previousRequests) = HealthMetrics.Buckets(query.Window, rows, r => r.Extra);
        return new(Key,
            [new HealthFigure("Health.Figure.UnitsExchanged", total, previous, FigureUnit.Count),
             new HealthFigure("Health.Figure.RequestsFulfilled", requests, previousRequests, FigureUnit.Count)],
            [new HealthChart(HealthChartKind.Line, [new HealthSeries("Health.Series.UnitsExchanged", units)])]);
    }
}

/// <summary>
/// The trust network: awards given in the period (over time), the members' average score and how many members stand on each
/// trust level now (a snapshot: no previous value).
/// </summary>
internal sealed class TrustNetworkMetric : IHealthMetric
{
    private const string Levels = "SELECT -1, trust_score, NULL, DBL(COUNT(*)), 0.0 FROM memberships WHERE community_id = @c AND deleted_at IS NULL GROUP BY trust_score";

    public string Key => HealthMetricKeys.TrustNetwork;

    public bool VisibleTo(MetricVisibilitySettings switches) => switches.ShowTrustNetwork;

    public async Task<HealthMetricResult> ComputeAsync(HealthQuery query, CancellationToken ct)
    {
        var rows = await query.RowsAsync($$"""
            SELECT BUCKET(created_at) AS key, 0 AS sub, NULL AS label, DBL(COUNT(*)) AS value, 0.0 AS extra
            FROM trust_history WHERE community_id = @c AND action = 'Awarded' AND created_at >= @prev AND created_at < @to
            GROUP BY 1
            UNION ALL
            {{Levels}}
            """, $$"""
            SELECT (day - @pd) * @bk / @nd AS key, 0 AS sub, NULL AS label, DBL(SUM(awards)) AS value, 0.0 AS extra
            FROM health_days WHERE community_id = @c AND day >= @pd AND day < @rud
            GROUP BY 1
            UNION ALL
            SELECT (@rud - @pd) * @bk / @nd, 0, NULL, DBL(COUNT(*)), 0.0
            FROM trust_history WHERE community_id = @c AND action = 'Awarded' AND created_at >= @ru AND created_at < @to
            UNION ALL
            {{Levels}}
            """, ct);
        var (awards, total, previous) = HealthMetrics.Buckets(query.Window, rows.Where(r => r.Key >= 0), r => r.Value);
        var scores = rows.Where(r => r.Key == -1).ToList();
        var members = scores.Sum(r => r.Value);
        double? average = members > 0 ? Math.Round(scores.Sum(r => r.Sub * r.Value) / members, 1) : null;
        var levels = query.Levels.OrderBy(l => l.MinScore).ToList();
        var perLevel = levels.Select((level, i) => scores
            .Where(r => r.Sub >= level.MinScore && (i == levels.Count - 1 || r.Sub < levels[i + 1].MinScore)).Sum(r => r.Value)).ToList();
        return new(Key,
            [new HealthFigure("Health.Figure.Awards", total, previous, FigureUnit.Count),
             new HealthFigure("Health.Figure.AverageScore", average, null, FigureUnit.Score)],
            [new HealthChart(HealthChartKind.Line, [new HealthSeries("Health.Series.Awards", awards)]),
             new HealthChart(HealthChartKind.Donut, [new HealthSeries("Health.Series.MembersPerLevel", perLevel)], levels.Select(l => l.Name).ToList())]);
    }
}

/// <summary>
/// The path of new members: of those who first joined in the period, how many reached each trust level above the first,
/// and the median days from joining to reaching it. A level is reached when the running sum of the member's trust history
/// (awards, removals, renewals, grants, ends) first stands at its minimum; decay is not in the history, so a level lost to
/// decay still counts as reached.
/// </summary>
internal sealed class NewMemberPathMetric : IHealthMetric
{
    private const string Cohort = """
        cohort AS (
            SELECT m.user_id, m.created_at AS joined FROM memberships m
            WHERE m.community_id = @c AND m.created_at >= @prev AND m.created_at < @to
              AND NOT EXISTS (SELECT 1 FROM memberships e WHERE e.community_id = @c AND e.user_id = m.user_id AND e.created_at < m.created_at))
        """;

    private const string Medians = """
        ordered AS (
            SELECT p, min_score, secs, ROW_NUMBER() OVER (PARTITION BY p, min_score ORDER BY secs) AS rn,
                   COUNT(*) OVER (PARTITION BY p, min_score) AS n
            FROM reached)
        SELECT p AS key, min_score AS sub, NULL AS label, DBL(AVG(secs)) AS value, DBL(MAX(n)) AS extra
        FROM ordered WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY p, min_score
        UNION ALL
        SELECT CASE WHEN joined >= @from THEN 1 ELSE 0 END, -1, NULL, 0.0, DBL(COUNT(*)) FROM cohort GROUP BY 1
        """;

    // The running sum of each new member's history up to the window's end, and when it first stood at each level.
    private const string Raw = $$"""
        WITH {{Cohort}},
        running AS (
            SELECT h.subject_id, h.created_at,
                   SUM(h.points) OVER (PARTITION BY h.subject_id ORDER BY h.created_at, h.id ROWS UNBOUNDED PRECEDING) AS score
            FROM trust_history h JOIN cohort c ON c.user_id = h.subject_id WHERE h.community_id = @c AND h.created_at < @to),
        reached AS (
            SELECT CASE WHEN c.joined >= @from THEN 1 ELSE 0 END AS p, l.min_score, SECS(c.joined, MIN(r.created_at)) AS secs
            FROM cohort c JOIN running r ON r.subject_id = c.user_id
            JOIN trust_levels l ON l.community_id = @c AND l.min_score > 0 AND r.score >= l.min_score
            GROUP BY c.user_id, c.joined, l.min_score),
        {{Medians}}
        """;

    // The same from the rollup (when each member's history first stood at each level's score, up to today) and today's
    // history run on from the sum and peak the rollup carries.
    private const string RolledUp = $$"""
        WITH {{Cohort}},
        today AS (
            SELECT h.subject_id AS u, h.created_at AS t, COALESCE(s.trust_peak, 0) AS carried,
                   COALESCE(s.trust_sum, 0) + SUM(h.points) OVER (PARTITION BY h.subject_id ORDER BY h.created_at, h.id ROWS UNBOUNDED PRECEDING) AS score
            FROM trust_history h LEFT JOIN health_member_states s ON s.community_id = @c AND s.user_id = h.subject_id
            WHERE h.community_id = @c AND h.created_at >= @ru AND h.created_at < @to),
        firsts AS (
            SELECT f.user_id AS u, l.min_score, f.reached_at AS at
            FROM health_trust_firsts f JOIN trust_levels l ON l.community_id = @c AND l.min_score > 0 AND f.score = l.min_score
            WHERE f.community_id = @c
            UNION ALL
            SELECT r.u, l.min_score, MIN(r.t) FROM today r
            JOIN trust_levels l ON l.community_id = @c AND l.min_score > r.carried AND r.score >= l.min_score
            GROUP BY r.u, l.min_score),
        reached AS (
            SELECT CASE WHEN c.joined >= @from THEN 1 ELSE 0 END AS p, f.min_score, SECS(c.joined, f.at) AS secs
            FROM cohort c JOIN firsts f ON f.u = c.user_id),
        {{Medians}}
        """;

    public string Key => HealthMetricKeys.NewMemberPath;

    public bool VisibleTo(MetricVisibilitySettings switches) => switches.ShowTrustNetwork;

    public async Task<HealthMetricResult> ComputeAsync(HealthQuery query, CancellationToken ct)
    {
        var rows = await query.RowsAsync(Raw, RolledUp, ct);
        double Joined(int period) => rows.FirstOrDefault(r => r.Key == period && r.Sub == -1)?.Extra ?? 0;
        var levels = query.Levels.Where(l => l.MinScore > 0).OrderBy(l => l.MinScore).ToList();
        var figures = new List<HealthFigure> { new("Health.Figure.NewMembers", Joined(1), Joined(0), FigureUnit.Count) };
        var reached = new List<double>();
        foreach (var level in levels)
        {
            var now = rows.FirstOrDefault(r => r.Key == 1 && r.Sub == level.MinScore);
            var before = rows.FirstOrDefault(r => r.Key == 0 && r.Sub == level.MinScore);
            reached.Add(now?.Extra ?? 0);
            figures.Add(new HealthFigure("Health.Figure.ReachedLevel", now?.Extra ?? 0, before?.Extra ?? 0, FigureUnit.Count, level.Name));
            figures.Add(new HealthFigure("Health.Figure.DaysToLevel", now?.Value / 86400, before?.Value / 86400, FigureUnit.Days, level.Name));
        }
        return new(Key, figures,
            [new HealthChart(HealthChartKind.Bar, [new HealthSeries("Health.Series.ReachedLevel", reached)], levels.Select(l => l.Name).ToList())]);
    }
}

/// <summary>
/// Council activity: what councils did in the period: inventory lines (contributions confirmed, shares from the inventory,
/// distributions, units used), reports written, initiatives proposed and their progress reports; over time, and per council.
/// </summary>
internal sealed class CouncilActivityMetric : IHealthMetric
{
    private const int MostActive = 8;

    public string Key => HealthMetricKeys.CouncilActivity;

    public bool VisibleTo(MetricVisibilitySettings switches) => switches.ShowCouncilActivity;

    public async Task<HealthMetricResult> ComputeAsync(HealthQuery query, CancellationToken ct)
    {
        var rows = await query.RowsAsync("""
            WITH acts AS (
                SELECT council_id AS k, created_at AS t FROM inventory_entries WHERE community_id = @c AND created_at >= @prev AND created_at < @to
                UNION ALL SELECT council_id, created_at FROM council_reports WHERE community_id = @c AND deleted_at IS NULL AND created_at >= @prev AND created_at < @to
                UNION ALL SELECT council_id, created_at FROM initiatives WHERE community_id = @c AND created_at >= @prev AND created_at < @to
                UNION ALL SELECT i.council_id, g.created_at FROM initiative_progress g JOIN initiatives i ON i.id = g.initiative_id
                    WHERE i.community_id = @c AND g.created_at >= @prev AND g.created_at < @to)
            SELECT BUCKET(t) AS key, 0 AS sub, NULL AS label, DBL(COUNT(*)) AS value, 0.0 AS extra FROM acts GROUP BY 1
            UNION ALL
            SELECT -1, 0, c.name, DBL(COUNT(*)), 0.0 FROM acts a JOIN councils c ON c.id = a.k WHERE a.t >= @from GROUP BY c.id, c.name
            UNION ALL
            SELECT -2, 0, NULL, DBL(COUNT(DISTINCT k)), 0.0 FROM acts WHERE t >= @from
            UNION ALL
            SELECT -3, 0, NULL, DBL(COUNT(DISTINCT k)), 0.0 FROM acts WHERE t < @from
            """, ct);
        var (series, total, previous) = HealthMetrics.Buckets(query.Window, rows.Where(r => r.Key >= 0), r => r.Value);
        var councils = rows.Where(r => r.Key == -1).OrderByDescending(r => r.Value).ThenBy(r => r.Label, StringComparer.Ordinal).Take(MostActive).ToList();
        double Count(int key) => rows.FirstOrDefault(r => r.Key == key)?.Value ?? 0;
        return new(Key,
            [new HealthFigure("Health.Figure.CouncilActions", total, previous, FigureUnit.Count),
             new HealthFigure("Health.Figure.ActiveCouncils", Count(-2), Count(-3), FigureUnit.Count)],
            [new HealthChart(HealthChartKind.Line, [new HealthSeries("Health.Series.CouncilActions", series)]),
             new HealthChart(HealthChartKind.Bar, [new HealthSeries("Health.Series.ActionsPerCouncil", councils.Select(c => c.Value).ToList())],
                 councils.Select(c => c.Label ?? "").ToList())]);
    }
}

/// <summary>
/// The needs fulfilment rate: of the needs published in the period, the share fulfilled so far (a recurring need counts as
/// fulfilled while its current period is).
/// </summary>
internal sealed class NeedsFulfilmentMetric : IHealthMetric
{
    public string Key => HealthMetricKeys.NeedsFulfilment;

    public bool VisibleTo(MetricVisibilitySettings switches) => switches.ShowNeedsFulfillment;

    public async Task<HealthMetricResult> ComputeAsync(HealthQuery query, CancellationToken ct)
    {
        var rows = await query.RowsAsync("""
            SELECT BUCKET(created_at) AS key, 0 AS sub, NULL AS label, DBL(COUNT(*)) AS value,
                   DBL(SUM(CASE WHEN status = 'Fulfilled' THEN 1 ELSE 0 END)) AS extra
            FROM needs WHERE community_id = @c AND created_at >= @prev AND created_at < @to
            GROUP BY 1
            """, ct);
        var (published, total, previous) = HealthMetrics.Buckets(query.Window, rows, r => r.Value);
        var (fulfilled, done, previousDone) = HealthMetrics.Buckets(query.Window, rows, r => r.Extra);
        return new(Key,
            [new HealthFigure("Health.Figure.FulfilmentRate", Rate(done, total), Rate(previousDone, previous), FigureUnit.Percent),
             new HealthFigure("Health.Figure.NeedsPublished", total, previous, FigureUnit.Count)],
            [new HealthChart(HealthChartKind.Bar, [new HealthSeries("Health.Series.NeedsPublished", published), new HealthSeries("Health.Series.NeedsFulfilled", fulfilled)])]);
    }

    private static double? Rate(double part, double whole) => whole > 0 ? Math.Round(part / whole * 100, 1) : null;
}

/// <summary>
/// Time to first response (median, in hours) on requests and needs published in the period. A request's response is its
/// owner's first answer (<c>share_requests.responded_at</c>: accepted, rejected, or a message in its thread). A need's is
/// the first of: another member publishing a share of its item, a pool giving to it, or its fulfilment.
/// </summary>
internal sealed class FirstResponseMetric : IHealthMetric
{
    public string Key => HealthMetricKeys.FirstResponse;

    public bool VisibleTo(MetricVisibilitySettings switches) => switches.ShowNeedsFulfillment;

    public async Task<HealthMetricResult> ComputeAsync(HealthQuery query, CancellationToken ct)
    {
        var rows = await query.RowsAsync("""
            WITH asked AS MATERIALIZED (
                -- Materialized: each need's first answer is looked up once, not again for the filter below.
                SELECT n.created_at, CASE WHEN n.created_at >= @from THEN 1 ELSE 0 END AS p,
                       (SELECT MIN(x.at) FROM (
                           SELECT MIN(s.created_at) AS at FROM shares s
                           WHERE s.item_id = n.item_id AND s.community_id = n.community_id AND s.owner_id <> n.owner_id AND s.created_at >= n.created_at
                           UNION ALL SELECT MIN(a.created_at) FROM pool_allocations a WHERE a.need_id = n.id
                           UNION ALL SELECT n.fulfilled_at) x) AS answered
                FROM needs n WHERE n.community_id = @c AND n.created_at >= @prev AND n.created_at < @to),
            waits AS (
                SELECT 0 AS kind, CASE WHEN r.created_at >= @from THEN 1 ELSE 0 END AS p, SECS(r.created_at, r.responded_at) AS secs
                FROM share_requests r JOIN shares s ON s.id = r.share_id
                WHERE s.community_id = @c AND r.responded_at IS NOT NULL AND r.created_at >= @prev AND r.created_at < @to
                UNION ALL
                SELECT 1, p, SECS(created_at, answered) FROM asked WHERE answered IS NOT NULL),
            ordered AS (
                SELECT kind, p, secs, ROW_NUMBER() OVER (PARTITION BY kind, p ORDER BY secs) AS rn, COUNT(*) OVER (PARTITION BY kind, p) AS n FROM waits)
            SELECT p AS key, kind AS sub, NULL AS label, DBL(AVG(secs)) AS value, DBL(MAX(n)) AS extra
            FROM ordered WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY kind, p
            """, ct);
        double? Hours(int period, int kind) => HealthMetrics.Period(rows, period, r => r.Value, kind) / 3600;
        double Answered(int period, int kind) => HealthMetrics.Period(rows, period, r => r.Extra, kind) ?? 0;
        return new(Key,
            [new HealthFigure("Health.Figure.RequestResponse", Hours(1, 0), Hours(0, 0), FigureUnit.Hours),
             new HealthFigure("Health.Figure.NeedResponse", Hours(1, 1), Hours(0, 1), FigureUnit.Hours),
             new HealthFigure("Health.Figure.RequestsAnswered", Answered(1, 0), Answered(0, 0), FigureUnit.Count),
             new HealthFigure("Health.Figure.NeedsAnswered", Answered(1, 1), Answered(0, 1), FigureUnit.Count)],
            []);
    }
}

/// <summary>
/// The dispute rate (docs/SPEC.md §12, §13): disputes opened in the period per 100 requests made in it, with the disputes
/// opened and resolved over time. Disputes about recognition entries count too: each is a complaint about an exchange.
/// </summary>
internal sealed class DisputeRateMetric : IHealthMetric
{
    public string Key => HealthMetricKeys.DisputeRate;

    public bool VisibleTo(MetricVisibilitySettings switches) => switches.ShowDisputeRate;

    public async Task<HealthMetricResult> ComputeAsync(HealthQuery query, CancellationToken ct)
    {
        var rows = await query.RowsAsync("""
            SELECT BUCKET(created_at) AS key, 0 AS sub, NULL AS label, DBL(COUNT(*)) AS value, DBL(0) AS extra
            FROM disputes WHERE community_id = @c AND created_at >= @prev AND created_at < @to GROUP BY 1
            UNION ALL
            SELECT BUCKET(resolved_at), 1, NULL, DBL(COUNT(*)), DBL(0)
            FROM disputes WHERE community_id = @c AND resolved_at >= @prev AND resolved_at < @to GROUP BY 1
            UNION ALL
            SELECT BUCKET(r.created_at), 2, NULL, DBL(COUNT(*)), DBL(0)
            FROM share_requests r JOIN shares s ON s.id = r.share_id
            WHERE s.community_id = @c AND r.created_at >= @prev AND r.created_at < @to GROUP BY 1
            """, ct);
        var (opened, total, previous) = HealthMetrics.Buckets(query.Window, rows.Where(r => r.Sub == 0), r => r.Value);
        var (resolved, done, previousDone) = HealthMetrics.Buckets(query.Window, rows.Where(r => r.Sub == 1), r => r.Value);
        var (_, requests, previousRequests) = HealthMetrics.Buckets(query.Window, rows.Where(r => r.Sub == 2), r => r.Value);
        return new(Key,
            [new HealthFigure("Health.Figure.DisputeRate", Per100(total, requests), Per100(previous, previousRequests), FigureUnit.Percent),
             new HealthFigure("Health.Figure.DisputesOpened", total, previous, FigureUnit.Count),
             new HealthFigure("Health.Figure.DisputesResolved", done, previousDone, FigureUnit.Count)],
            [new HealthChart(HealthChartKind.Bar, [new HealthSeries("Health.Series.DisputesOpened", opened), new HealthSeries("Health.Series.DisputesResolved", resolved)])]);
    }

    private static double? Per100(double disputes, double requests) => requests > 0 ? Math.Round(disputes / requests * 100, 1) : null;
}
