using CommunityApp.Auth;

namespace CommunityApp.Features.Health;

/// <summary>The dashboard's ranges (docs/SPEC.md §13); the value is the length in days. Stored nowhere; shown as 7d, 30d, 90d, 1y.</summary>
public enum HealthRange
{
    Week = 7,
    Month = 30,
    Quarter = 90,
    Year = 365,
}

/// <summary>
/// One range of whole UTC days, today included: the period [<see cref="From"/>, <see cref="To"/>) of <see cref="Days"/>
/// days ending with today (<see cref="To"/> is tomorrow's midnight; today counts so far) and the previous one of the same
/// number of days [<see cref="PreviousFrom"/>, <see cref="From"/>). Whole days let the days before today be kept as rollups
/// (<see cref="HealthRollups"/>). Each period is cut into <see cref="Buckets"/> buckets of whole days for the charts (7 and
/// 30 days: a day each; 90 days: 6 days; a year: 12 of 30 or 31 days): day <c>d</c> of the whole window
/// (0 = <see cref="PreviousFrom"/>) falls in bucket <c>d × Buckets ÷ Days</c> (integer division); buckets 0 … Buckets−1 are
/// the previous period.
/// </summary>
public sealed record HealthWindow(HealthRange Range, DateTime From, DateTime To)
{
    public int Days => (int)Range;
    public DateTime PreviousFrom => From.AddDays(-Days);

    /// <summary>The last day the period covers, today: its midnight, up to which the rollups reach.</summary>
    public DateTime LastDay => To.AddDays(-1);

    public int Buckets => Range switch
    {
        HealthRange.Week => 7,
        HealthRange.Month => 30,
        HealthRange.Quarter => 15,
        _ => 12,
    };

    /// <summary>When bucket <paramref name="index"/> of the current period starts: the first day <c>d</c> with <c>d × Buckets ÷ Days = index</c>.</summary>
    public DateTime BucketStart(int index) => From.AddDays((index * Days + Buckets - 1) / Buckets);

    /// <summary>The window for <paramref name="range"/> as seen at <paramref name="now"/>: the days up to today (UTC).</summary>
    public static HealthWindow At(HealthRange range, DateTime now)
    {
        var tomorrow = DateTime.SpecifyKind(now.Date, DateTimeKind.Utc).AddDays(1);
        return new(range, tomorrow.AddDays(-(int)range), tomorrow);
    }

    /// <summary>"7d", "30d", "90d", "1y": the range in addresses and file names.</summary>
    public static string Code(HealthRange range) => range == HealthRange.Year ? "1y" : $"{(int)range}d";

    public static HealthRange? Parse(string? code) => Enum.GetValues<HealthRange>().Cast<HealthRange?>().FirstOrDefault(r => Code(r!.Value) == code);
}

/// <summary>How a figure reads: a count, a percentage, a duration (stored in seconds) or a score.</summary>
public enum FigureUnit
{
    Count,
    Percent,
    Hours,
    Days,
    Score,
}

/// <summary>
/// One number of a metric, for the current period and the previous one of the same length (null where there is nothing to
/// measure, such as a median of no requests, or a snapshot with no past value). <see cref="TitleKey"/> is a resource key,
/// formatted with <see cref="Argument"/> when there is one (a level's name).
/// </summary>
public sealed record HealthFigure(string TitleKey, double? Current, double? Previous, FigureUnit Unit, string? Argument = null)
{
    /// <summary>The change against the previous period in percent; null when there is nothing to compare (no previous value, or it was 0).</summary>
    public double? ChangePercent => Current is { } now && Previous is { } before && before != 0 ? (now - before) / Math.Abs(before) * 100 : null;

    /// <summary>Something now where there was nothing before: shown as "new" rather than a percentage (never for a snapshot such as a score).</summary>
    public bool IsNew => Unit != FigureUnit.Score && Current is > 0 && Previous is null or 0;
}

public enum HealthChartKind
{
    /// <summary>A time series over the current period's buckets.</summary>
    Line,
    /// <summary>Bars: over the buckets when <see cref="HealthChart.Labels"/> is null, otherwise one per label.</summary>
    Bar,
    Donut,
}

/// <summary>One named series; <see cref="NameKey"/> is a resource key.</summary>
public sealed record HealthSeries(string NameKey, IReadOnlyList<double> Values);

/// <summary>
/// A chart: over time (the window's buckets; <see cref="Labels"/> null) or over named categories (levels, councils:
/// <see cref="Labels"/> are data, shown as they are).
/// </summary>
public sealed record HealthChart(HealthChartKind Kind, IReadOnlyList<HealthSeries> Series, IReadOnlyList<string>? Labels = null)
{
    public bool OverTime => Labels is null;
    public bool IsEmpty => Series.All(s => s.Values.All(v => v == 0));
}

/// <summary>One metric of the dashboard: its figures and charts. <see cref="Key"/> names it (<see cref="HealthMetricKeys"/>).</summary>
public sealed record HealthMetricResult(string Key, IReadOnlyList<HealthFigure> Figures, IReadOnlyList<HealthChart> Charts);

/// <summary>Every metric for one community and range, as computed at <see cref="ComputedAt"/>; what the cache holds.</summary>
public sealed record HealthDashboard(HealthWindow Window, DateTime ComputedAt, int Members, bool HasHistory, IReadOnlyList<HealthMetricResult> Metrics);

/// <summary>
/// What one viewer sees: the metrics their standing allows (admins all; others those the community's switches show), the
/// permission check with its reason, and how stale the figures may be.
/// </summary>
/// <param name="HiddenFromMembers">The metrics whose switch is off: admins see them marked so.</param>
public sealed record HealthView(HealthDashboard Dashboard, IReadOnlyList<HealthMetricResult> Metrics, PermissionCheck Check, bool IsAdmin, int RefreshSeconds,
    IReadOnlySet<string> HiddenFromMembers)
{
    /// <summary>No activity of any kind yet: the page shows its empty state instead of zeros and flat charts.</summary>
    public bool IsEmpty => !Dashboard.HasHistory;
}

/// <summary>The metric names: the settings switch each follows is in <see cref="HealthMetrics"/>.</summary>
public static class HealthMetricKeys
{
    public const string ActiveMembers = "ActiveMembers";
    public const string SharesPublished = "SharesPublished";
    public const string UnitsExchanged = "UnitsExchanged";
    public const string TrustNetwork = "TrustNetwork";
    public const string NewMemberPath = "NewMemberPath";
    public const string CouncilActivity = "CouncilActivity";
    public const string NeedsFulfilment = "NeedsFulfilment";
    public const string FirstResponse = "FirstResponse";
    public const string DisputeRate = "DisputeRate";
}

/// <summary>The dashboard as CSV: <see cref="WriteAsync"/> streams it after the checks have passed.</summary>
public sealed record HealthExport(string FileName, Func<Stream, CancellationToken, Task> WriteAsync);
