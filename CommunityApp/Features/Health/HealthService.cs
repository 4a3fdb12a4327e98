using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Resources;
using CommunityApp.Features.Trust;

namespace CommunityApp.Features.Health;

/// <summary>
/// The community health dashboard (docs/SPEC.md §13): admins and members with <see cref="Permission.ViewHealthAnalytics"/>
/// see it; admins every metric, others those the community's <c>metricVisibilitySettings</c> switch on. Figures come from
/// <see cref="HealthCache"/>, at most <c>dashboardRefreshInterval</c> seconds old; each view still checks the viewer.
/// </summary>
public sealed class HealthService(IDbContextFactory<AppDbContext> dbFactory, HealthCache cache, TimeProvider clock)
{
    /// <summary>The dashboard for <paramref name="range"/> as <paramref name="userId"/> may see it; refused with the reason otherwise.</summary>
    public async Task<HealthView> GetAsync(string userId, Guid communityId, HealthRange range, CancellationToken ct = default)
    {
        MemberStanding standing;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            standing = await PermissionService.DemandMemberAsync(db, communityId, userId, ct);
        var check = PermissionService.Decide(standing, Permission.ViewHealthAnalytics, PermissionScope.Community(communityId));
        if (!check.Allowed) throw check.Refusal();
        var refresh = standing.Settings.Analytics.DashboardRefreshInterval;
        var levels = standing.Levels;
        var dashboard = await cache.GetAsync(communityId, range, TimeSpan.FromSeconds(refresh), now => ComputeAsync(communityId, range, levels, now));
        var switches = standing.Settings.Analytics.MetricVisibilitySettings;
        var hidden = HealthMetrics.All.Where(m => !m.VisibleTo(switches)).Select(m => m.Key).ToHashSet();
        var visible = dashboard.Metrics.Where(m => standing.IsAdmin || !hidden.Contains(m.Key)).ToList();
        return new HealthView(dashboard, visible, check, standing.IsAdmin, refresh, hidden);
    }

    /// <summary>
    /// Every metric, computed now (what the cache holds): on PostgreSQL the days closed since the last view are rolled up
    /// first (<see cref="HealthRollups"/>; <paramref name="rollups"/> false reads the raw tables instead, as SQLite always
    /// does); then each metric on a context of its own, all at once, so the database works on them side by side; the result
    /// keeps the order of <see cref="HealthMetrics.All"/>.
    /// </summary>
    public async Task<HealthDashboard> ComputeAsync(Guid communityId, HealthRange range, IReadOnlyList<TrustLevelInfo> levels, DateTime now,
        CancellationToken ct = default, bool rollups = true)
    {
        var window = HealthWindow.At(range, now);
        await using (var roll = await dbFactory.CreateDbContextAsync(ct))
        {
            // The rollups reach today's midnight; a clock set back past a day already rolled (tests) reads the raw tables.
            rollups = rollups && roll is PostgresAppDbContext && await HealthRollups.RollAsync(roll, communityId, window.LastDay, ct) == window.LastDay;
        }
        var metrics = HealthMetrics.All.Select(async metric =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            return await metric.ComputeAsync(new HealthQuery(db, communityId, window, levels, rollups), ct);
        }).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var members = await Communities.CommunityService.MemberCountAsync(db, communityId, ct);
        var hasHistory = await db.Shares.AnyAsync(s => s.CommunityId == communityId, ct)
                         || await db.Needs.AnyAsync(n => n.CommunityId == communityId, ct)
                         || await db.TrustHistory.AnyAsync(h => h.CommunityId == communityId && h.Action == TrustHistoryAction.Awarded, ct)
                         || await db.ForumPosts.AnyAsync(p => p.CommunityId == communityId, ct);
        return new HealthDashboard(window, now, members, hasHistory, await Task.WhenAll(metrics));
    }

    /// <summary>
    /// Rolls up the days closed since the last roll for every community (PostgreSQL; <see cref="HealthRollupJob"/>), so the
    /// first view of a day does not wait for it; returns how many communities had days to roll.
    /// </summary>
    public async Task<int> RollAllAsync(CancellationToken ct = default)
    {
        var today = HealthWindow.At(HealthRange.Week, clock.GetUtcNow().UtcDateTime).LastDay;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (db is not PostgresAppDbContext) return 0;
        var behind = await db.Communities
            .Where(c => !db.Set<HealthRollupState>().Any(s => s.CommunityId == c.Id && s.RolledUntil >= today))
            .Select(c => c.Id).ToListAsync(ct);
        foreach (var communityId in behind)
        {
            await using var roll = await dbFactory.CreateDbContextAsync(ct);
            await HealthRollups.RollAsync(roll, communityId, today, ct);
        }
        return behind.Count;
    }

    /// <summary>
    /// The figures the viewer sees, as CSV (CsvHelper): one row per figure (this period and the previous one, the change),
    /// a blank row, then one row per point of each chart. Checked before anything is written.
    /// </summary>
    public async Task<HealthExport> ExportAsync(string userId, Guid communityId, HealthRange range, CancellationToken ct = default)
    {
        var view = await GetAsync(userId, communityId, range, ct);
        var window = view.Dashboard.Window;
        var name = $"health-{HealthWindow.Code(range)}-{window.To:yyyy-MM-dd}.csv";
        return new HealthExport(name, async (stream, token) =>
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            await using var csv = new CsvHelper.CsvWriter(writer, CultureInfo.InvariantCulture);
            foreach (var header in new[] { "Metric", "Figure", "From", "To", "Value", "Previous", "Change" })
                csv.WriteField(Text.Get($"Health.Csv.{header}"));
            await csv.NextRecordAsync();
            foreach (var metric in view.Metrics)
            {
                foreach (var figure in metric.Figures)
                {
                    csv.WriteField(Text.Get($"Health.Metric.{metric.Key}"));
                    csv.WriteField(FigureTitle(figure));
                    csv.WriteField(Day(window.From));
                    csv.WriteField(Day(window.LastDay));
                    csv.WriteField(Number(figure.Current));
                    csv.WriteField(Number(figure.Previous));
                    csv.WriteField(figure.ChangePercent is { } change ? Number(Math.Round(change, 1)) : figure.IsNew ? Text.Get("Health.New") : "");
                    await csv.NextRecordAsync();
                }
            }
            await csv.NextRecordAsync();
            foreach (var header in new[] { "Metric", "Series", "Point", "Value" })
                csv.WriteField(Text.Get($"Health.Csv.{header}"));
            await csv.NextRecordAsync();
            foreach (var metric in view.Metrics)
            {
                foreach (var chart in metric.Charts)
                {
                    foreach (var series in chart.Series)
                    {
                        for (var i = 0; i < series.Values.Count; i++)
                        {
                            csv.WriteField(Text.Get($"Health.Metric.{metric.Key}"));
                            csv.WriteField(Text.Get(series.NameKey));
                            csv.WriteField(chart.Labels is { } labels ? labels[i] : Day(window.BucketStart(i)));
                            csv.WriteField(Number(series.Values[i]));
                            await csv.NextRecordAsync();
                        }
                    }
                }
            }
            await csv.FlushAsync();
        });
    }

    /// <summary>A figure's title in the current culture.</summary>
    public static string FigureTitle(HealthFigure figure) => figure.Argument is { } argument ? Text.Get(figure.TitleKey, argument) : Text.Get(figure.TitleKey);

    private static string Day(DateTime at) => at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Number(double? value) => value is { } v ? Math.Round(v, 1).ToString("0.#", CultureInfo.InvariantCulture) : "";
}
