using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;

namespace CommunityApp.Features.Health;

/// <summary>One row of a metric's query: what the columns mean is the metric's own business (a bucket, a period, a level …).</summary>
public sealed class HealthRow
{
    public int Key { get; set; }
    public int Sub { get; set; }
    public string? Label { get; set; }
    public double Value { get; set; }
    public double Extra { get; set; }
}

/// <summary>
/// The metrics' set-based SQL, written once for both providers (docs/ARCHITECTURE.md, "Health dashboard"). A query names its
/// parameters <c>@c</c> (the community), <c>@prev</c>, <c>@from</c>, <c>@to</c> (the window: the previous period starts at
/// <c>@prev</c>, the current one at <c>@from</c>, both end before the next), the same as day numbers <c>@pd</c>, <c>@fd</c>,
/// <c>@td</c> (for the rollups), <c>@bk</c> and <c>@nd</c> (buckets and days per period) and uses four macros whose text differs per
/// provider: <c>BUCKET(column)</c> (the bucket of the whole window a timestamp falls in, 0 = the oldest), <c>SECS(a, b)</c>
/// (seconds from a to b), <c>DBL(expression)</c> and <c>INT(expression)</c>. Every value still travels as a parameter: the
/// query text is built from constants only, then run through the interpolated <c>SqlQuery</c>.
/// Columns are always <c>key, sub, label, value, extra</c> (<see cref="HealthRow"/>).
/// </summary>
public static partial class HealthSql
{
    public static async Task<List<HealthRow>> RowsAsync(AppDbContext db, Guid communityId, HealthWindow window, string sql, CancellationToken ct)
    {
        var values = new Dictionary<string, object>
        {
            ["c"] = communityId,
            ["prev"] = window.PreviousFrom,
            ["from"] = window.From,
            ["to"] = window.To,
            // The activity sources (Activity) read [@lo, @hi): here the whole window.
            ["lo"] = window.PreviousFrom,
            ["hi"] = window.To,
            ["e"] = (window.PreviousFrom - DateTime.UnixEpoch).TotalSeconds,
            ["bk"] = window.Buckets,
            ["nd"] = window.Days,
            ["pd"] = DayNumber(window.PreviousFrom),
            ["fd"] = DayNumber(window.From),
            ["td"] = DayNumber(window.To),
            // Today: the rollups reach its midnight; what happened since is read from the raw tables.
            ["ru"] = window.LastDay,
            ["rud"] = DayNumber(window.LastDay),
        };
        return await db.Database.SqlQuery<HealthRow>(Build(db, sql, values)).ToListAsync(ct);
    }

    /// <summary>
    /// The statement <paramref name="sql"/> for <paramref name="db"/>'s provider: macros expanded, each <c>@name</c> a parameter
    /// from <paramref name="values"/> (a <see cref="Guid"/> or <see cref="DateTime"/> as the provider stores it).
    /// </summary>
    public static FormattableString Build(AppDbContext db, string sql, IReadOnlyDictionary<string, object> values)
    {
        var postgres = db is PostgresAppDbContext;
        var text = Macro().Replace(sql, m => Expand(postgres, m.Groups[1].Value, m.Groups[2].Value));
        var args = new List<object>();
        var format = Parameter().Replace(text.Replace("{", "{{").Replace("}", "}}"), m =>
        {
            args.Add(values[m.Groups[1].Value] switch
            {
                Guid id when !postgres => id.ToString().ToUpperInvariant(),
                DateTime at => Time(postgres, at),
                var value => value,
            });
            return "{" + (args.Count - 1).ToString(CultureInfo.InvariantCulture) + "}";
        });
        return FormattableStringFactory.Create(format, [.. args]);
    }

    /// <summary>
    /// Who did something when, in [<c>@lo</c>, <c>@hi</c>) of community <c>@c</c> (columns <c>u</c>, <c>t</c>): awarded trust,
    /// published a share or a need, made a request, gave units (their request was fulfilled on their share), posted in the
    /// forum, voted in a poll or on an initiative. The active members metric and its rollup read the same sources.
    /// </summary>
    public const string Activity = """
        SELECT actor_id AS u, created_at AS t FROM trust_history WHERE community_id = @c AND action = 'Awarded' AND created_at >= @lo AND created_at < @hi
        UNION ALL SELECT owner_id, created_at FROM shares WHERE community_id = @c AND created_at >= @lo AND created_at < @hi
        UNION ALL SELECT r.requester_id, r.created_at FROM share_requests r JOIN shares s ON s.id = r.share_id
            WHERE s.community_id = @c AND r.created_at >= @lo AND r.created_at < @hi
        UNION ALL SELECT s.owner_id, r.updated_at FROM share_requests r JOIN shares s ON s.id = r.share_id
            WHERE s.community_id = @c AND r.status = 'Fulfilled' AND r.updated_at >= @lo AND r.updated_at < @hi
        UNION ALL SELECT owner_id, created_at FROM needs WHERE community_id = @c AND created_at >= @lo AND created_at < @hi
        UNION ALL SELECT author_id, created_at FROM forum_posts WHERE community_id = @c AND created_at >= @lo AND created_at < @hi
        UNION ALL SELECT v.user_id, v.at FROM poll_votes v JOIN polls p ON p.id = v.poll_id WHERE p.community_id = @c AND v.at >= @lo AND v.at < @hi
        UNION ALL SELECT v.user_id, v.at FROM initiative_votes v JOIN initiatives i ON i.id = v.initiative_id
            WHERE i.community_id = @c AND v.at >= @lo AND v.at < @hi
        """;

    /// <summary><see cref="Activity"/> over today so far: [<c>@ru</c>, <c>@to</c>).</summary>
    public static readonly string ActivityToday = Activity.Replace("@lo", "@ru").Replace("@hi", "@to");

    /// <summary>Days since 1970-01-01 (UTC): how the rollups number days (<see cref="HealthRollups"/>).</summary>
    public static int DayNumber(DateTime at) => (int)Math.Floor((at - DateTime.UnixEpoch).TotalDays);

    // SQLite keeps timestamps as text, as EF writes them (and GUIDs as upper-case text).
    private static object Time(bool postgres, DateTime at) => postgres ? at : at.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

    private static string Expand(bool postgres, string macro, string argument) => (macro, postgres) switch
    {
        ("BUCKET", true) => $"((floor((extract(epoch from {argument}) - @e) / 86400))::int * @bk / @nd)",
        // julianday() is a double: half a millisecond keeps a timestamp on midnight from rounding into the day before.
        ("BUCKET", false) => $"(CAST(((julianday({argument}) - 2440587.5) * 86400.0 - @e + 0.0005) / 86400 AS INTEGER) * @bk / @nd)",
        ("SECS", true) => $"extract(epoch from ({Second(argument)} - {First(argument)}))::float8",
        ("SECS", false) => $"((julianday({Second(argument)}) - julianday({First(argument)})) * 86400.0)",
        ("DBL", true) => $"({argument})::float8",
        ("DBL", false) => $"CAST({argument} AS REAL)",
        ("INT", true) => $"({argument})::int",
        ("INT", false) => $"CAST({argument} AS INTEGER)",
        _ => throw new ArgumentException($"Unknown macro {macro}.", nameof(macro)),
    };

    private static string First(string arguments) => arguments.Split(',', 2)[0].Trim();
    private static string Second(string arguments) => arguments.Split(',', 2)[1].Trim();

    // A macro's argument holds at most one level of parentheses (DBL(COUNT(*))); nest deeper through a subquery's column.
    [GeneratedRegex(@"\b(BUCKET|SECS|DBL|INT)\(((?:[^()]|\([^()]*\))*)\)")]
    private static partial Regex Macro();

    [GeneratedRegex(@"@([a-z]+)\b")]
    private static partial Regex Parameter();
}
