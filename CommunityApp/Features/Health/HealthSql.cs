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
/// <c>@prev</c>, the current one at <c>@from</c>, both end before the next) and uses four macros whose text differs per
/// provider: <c>BUCKET(column)</c> (the bucket of the whole window a timestamp falls in, 0 = the oldest), <c>SECS(a, b)</c>
/// (seconds from a to b), <c>DBL(expression)</c> and <c>INT(expression)</c>. Every value still travels as a parameter: the
/// query text is built from constants only, then run through the interpolated <c>SqlQuery</c>.
/// Columns are always <c>key, sub, label, value, extra</c> (<see cref="HealthRow"/>).
/// </summary>
public static partial class HealthSql
{
    public static async Task<List<HealthRow>> RowsAsync(AppDbContext db, Guid communityId, HealthWindow window, string sql, CancellationToken ct)
    {
        var postgres = db is PostgresAppDbContext;
        var text = Macro().Replace(sql, m => Expand(postgres, m.Groups[1].Value, m.Groups[2].Value));
        var values = new Dictionary<string, object>
        {
            ["c"] = postgres ? communityId : communityId.ToString().ToUpperInvariant(),
            ["prev"] = Time(postgres, window.PreviousFrom),
            ["from"] = Time(postgres, window.From),
            ["to"] = Time(postgres, window.To),
            ["e"] = (window.PreviousFrom - DateTime.UnixEpoch).TotalSeconds,
            ["len"] = window.BucketLength.TotalSeconds,
        };
        var args = new List<object>();
        var format = Parameter().Replace(text.Replace("{", "{{").Replace("}", "}}"), m =>
        {
            args.Add(values[m.Groups[1].Value]);
            return "{" + (args.Count - 1).ToString(CultureInfo.InvariantCulture) + "}";
        });
        return await db.Database.SqlQuery<HealthRow>(FormattableStringFactory.Create(format, [.. args])).ToListAsync(ct);
    }

    // SQLite keeps timestamps as text, as EF writes them (and GUIDs as upper-case text).
    private static object Time(bool postgres, DateTime at) => postgres ? at : at.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

    private static string Expand(bool postgres, string macro, string argument) => (macro, postgres) switch
    {
        ("BUCKET", true) => $"(floor((extract(epoch from {argument}) - @e) / @len))::int",
        ("BUCKET", false) => $"CAST(((julianday({argument}) - 2440587.5) * 86400.0 - @e) / @len AS INTEGER)",
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
