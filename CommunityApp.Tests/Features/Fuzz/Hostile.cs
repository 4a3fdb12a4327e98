using System.Globalization;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.EntityFrameworkCore;
using Microsoft.FSharp.Core;
using CommunityApp.Data;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Fuzz;

/// <summary>
/// Generators of hostile input for the service fuzz tests: strings (empty, blank, at and over each limit, 100 KB,
/// control and format characters, lone surrogates, combining marks, emoji, SQL- and HTML-looking text, random
/// UTF-16), numbers (the int edges and each limit ±1), dates (the DateTime edges, now, each limit ±1 minute, every
/// kind) and enum values outside the enum.
/// </summary>
public static class Hostile
{
    public static readonly string[] Specials =
    [
        "", " ", "   ", "\t", "\r\n", " \n\t ", "a", "Z", "0", "-1", "1.5", "١٥",
        "\0", "a\0b", "\0\0\0", "\u0001", "\u0007", "\u001b[31mred", "\u007f", "\u0085", "\u009f", "\u00a0", "\u2028",
        "\u200b", "\u200bname", "\u202e", "abc\u202edcba", "\u202a\u202c", "\ufeff", "\ufeffname", "\u2066x\u2069", "\u00ad",
        "\ud800", "\udc00", "a\ud800b", "\udc00\ud800", "x\udfff", "\ud83d",
        "e\u0301", "\u0301", "a\u0300\u0301\u0302\u0303\u0304", "Ame\u0301lie", "\u1100\u1161\u11a8", "ﬁ", "İı", "ß", "Ω", "Å",
        "😀", "👨‍👩‍👧‍👦", "🏳️‍🌈", "\U0001F600x", "𝕳𝖊𝖑𝖑𝖔",
        "'; DROP TABLE users; --", "' OR '1'='1", "\"; DELETE FROM communities; --", "%", "_", "\\", "%_\\", "%%", "100%", "a_b", "\\%",
        "$1", "{0}", "{0:x}", "${jndi:ldap://x}", "../../etc/passwd", "NULL", "null", "undefined",
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "&lt;b&gt;", "javascript:alert(1)",
        "مرحبا", "שלום", "日本語", "\u0000\u202e\ud800",
    ];

    /// <summary>Strings around the given length limits, plus the specials, 100 KB and random UTF-16.</summary>
    public static Gen<string?> Strings(params int[] limits)
    {
        var atLimits = limits.SelectMany(l => new[]
        {
            new string('x', l), new string('x', l + 1), new string('x', Math.Max(0, l - 1)),
            " " + new string('y', l) + " ", new string(' ', l + 1) + "z",
            Repeat("😀", l / 2), Repeat("😀", l / 2 + 1), Repeat("e\u0301", l / 2), Repeat("e\u0301", l / 2 + 1),
            new string('x', l - 1) + "\0", new string('x', l - 1) + "\ud800",
        }).ToArray();
        var fixedOnes = Gen.Elements(Specials.Concat(atLimits).Concat(["a" + new string('b', 100_000), Repeat("\u202e€", 50_000)]).ToArray());
        var specialInText = Gen.Zip(Gen.Elements(Specials), Gen.Elements("Tools", "Anna", "garden share", "Café"), (s, t) => t + s)
            .SelectMany(s => Gen.Elements(s, s + " end", "  " + s));
        return Gen.Frequency(
            (1, Gen.Constant<string?>(null)),
            (6, fixedOnes.Select(s => (string?)s)),
            (3, specialInText.Select(s => (string?)s)),
            (3, RandomUtf16().Select(s => (string?)s)),
            (2, RandomCodePoints().Select(s => (string?)s)));
    }

    /// <summary>Any UTF-16 units at all, lone surrogates and NUL included.</summary>
    public static Gen<string> RandomUtf16() =>
        Gen.Choose(0, 60).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 0xFFFF).Select(c => (char)c), n)).Select(cs => new string(cs));

    /// <summary>Well-formed text from every plane, weighted towards the interesting ranges.</summary>
    public static Gen<string> RandomCodePoints() =>
        Gen.Choose(1, 40).SelectMany(n => Gen.ArrayOf(Gen.Frequency(
                (4, Gen.Choose(0x20, 0x7E)), (2, Gen.Choose(0, 0x1F)), (2, Gen.Choose(0x80, 0x2FF)), (2, Gen.Choose(0x300, 0x36F)),
                (2, Gen.Choose(0x2000, 0x206F)), (2, Gen.Choose(0x590, 0x6FF)), (1, Gen.Choose(0xFE00, 0xFFFF)), (2, Gen.Choose(0x1F300, 0x1FAFF)),
                (1, Gen.Choose(0x10000, 0x10FFFF)))
            .Where(cp => cp is < 0xD800 or > 0xDFFF), n))
        .Select(cps => string.Concat(cps.Select(char.ConvertFromUtf32)));

    /// <summary>The int edges, 0 and ±1, each limit ±1, and some random small and large values.</summary>
    public static Gen<int> Ints(params int[] limits) => Gen.Frequency(
        (5, Gen.Elements(new[] { int.MinValue, int.MinValue + 1, -1_000_000, -2, -1, 0, 1, 2, int.MaxValue - 1, int.MaxValue }
            .Concat(limits.SelectMany(l => new[] { l - 1, l, l + 1, -l })).ToArray())),
        (2, Gen.Choose(-100, 1_000)),
        (1, Gen.Choose(int.MinValue, int.MaxValue)));

    public static Gen<int?> NullableInts(params int[] limits) => Gen.Frequency((1, Gen.Constant<int?>(null)), (5, Ints(limits).Select(i => (int?)i)));

    /// <summary>DateTime edges, now, and now + each limit in days ±1 minute, in every kind.</summary>
    public static Gen<DateTime> Dates(Func<DateTime> now, params int[] dayLimits) =>
        Gen.Zip(Gen.Elements(new Func<DateTime, DateTime>[]
            {
                _ => DateTime.MinValue, _ => DateTime.MaxValue, n => n, n => n.AddSeconds(-1), n => n.AddMinutes(1), n => n.AddDays(-1), n => n.AddYears(-30),
                n => n.AddDays(1), n => n.AddDays(3), n => n.AddYears(100),
            }.Concat(dayLimits.SelectMany(d => new Func<DateTime, DateTime>[] { n => n.AddDays(d).AddMinutes(-1), n => n.AddDays(d), n => n.AddDays(d).AddMinutes(1) }))
            .ToArray()), Gen.Elements(DateTimeKind.Utc, DateTimeKind.Local, DateTimeKind.Unspecified))
        .Select(t => Safe(() => DateTime.SpecifyKind(t.Item1(now()), t.Item2)));

    public static Gen<DateTime?> NullableDates(Func<DateTime> now, params int[] dayLimits) =>
        Gen.Frequency((1, Gen.Constant<DateTime?>(null)), (5, Dates(now, dayLimits).Select(d => (DateTime?)d)));

    /// <summary>Every defined value, and values outside the enum.</summary>
    public static Gen<T> Enum<T>() where T : struct, Enum =>
        Gen.Frequency((4, Gen.Elements(System.Enum.GetValues<T>())), (1, Gen.Elements(-1, 99, int.MinValue, int.MaxValue).Select(i => (T)(object)i)));

    public static Gen<Guid?> Guids(params Guid[] known) =>
        Gen.Frequency((2, Gen.Constant<Guid?>(null)), (1, Gen.Constant<Guid?>(Guid.Empty)), (1, Gen.Fresh(() => (Guid?)Guid.NewGuid())),
            (3, known.Length == 0 ? Gen.Constant<Guid?>(null) : Gen.Elements(known).Select(g => (Guid?)g)));

    /// <summary>Three generators as one of tuples.</summary>
    public static Gen<(T1, T2, T3)> All<T1, T2, T3>(Gen<T1> first, Gen<T2> second, Gen<T3> third) =>
        Gen.Zip(Gen.Zip(first, second), third, (ab, c) => (ab.Item1, ab.Item2, c));

    private static string Repeat(string s, int n) => string.Concat(Enumerable.Repeat(s, Math.Max(0, n)));

    private static DateTime Safe(Func<DateTime> make)
    {
        try { return make(); }
        catch (ArgumentOutOfRangeException) { return DateTime.MaxValue; }
    }
}

/// <summary>
/// Runs one property: <paramref name="maxTest"/> generated cases through an async check, on the thread pool (FsCheck
/// properties are synchronous). The seed is fixed so a run is repeatable; <c>COMMUNITYAPP_FUZZ_SEED</c> sets another
/// (a number, or <c>random</c>), and a failure names the seed and the input.
/// </summary>
public static class Fuzz
{
    public static readonly ulong Seed = Environment.GetEnvironmentVariable("COMMUNITYAPP_FUZZ_SEED") switch
    {
        null or "" => 20261203UL,
        "random" => (ulong)Random.Shared.NextInt64(1, long.MaxValue),
        var text => ulong.Parse(text, CultureInfo.InvariantCulture),
    };

    private static int cases;

    /// <summary>Cases run so far in this process (for the report line).</summary>
    public static int Cases => cases;

    public static Task CheckAsync<T>(string name, Gen<T> gen, int maxTest, Func<T, Task> property) => Task.Run(() =>
    {
        var seed = Seed ^ (ulong)StableHash(name);
        var config = Config.QuickThrowOnFailure.WithMaxTest(maxTest).WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)));
        var prop = Prop.ForAll(Arb.From(gen), (T input) =>
        {
            Interlocked.Increment(ref cases);
            try
            {
                property(input).GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                throw new FuzzFailure($"{name}: input {Describe(input)} failed: {ex.GetType().FullName}: {ex.Message}", ex);
            }
        });
        try
        {
            Check.One(name, config, prop);
        }
        catch (Exception ex)
        {
            throw new FuzzFailure($"{name} (COMMUNITYAPP_FUZZ_SEED={Seed}): {Trim(ex.Message, 4000)}", ex);
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{name}: {maxTest} cases passed (COMMUNITYAPP_FUZZ_SEED={Seed})");
    });

    /// <summary>The call either succeeds (null) or is refused with one of the app's refusals, whose texts are readable; anything else escapes.</summary>
    public static async Task<AppException?> AttemptAsync(Func<Task> call, params string[] fields)
    {
        try
        {
            await call();
            return null;
        }
        catch (AppException ex)
        {
            ex.GetType().ShouldBeOneOf(typeof(AppException), typeof(ValidationFailedException), typeof(ForbiddenException), typeof(NotFoundException));
            ex.Message.ShouldNotBeNullOrWhiteSpace();
            if (ex is ValidationFailedException invalid)
            {
                invalid.Errors.ShouldNotBeEmpty();
                foreach (var (field, message) in invalid.Errors)
                {
                    field.ShouldBeOneOf(fields, $"a message for an unexpected field: {message}");
                    message.ShouldNotBeNullOrWhiteSpace($"the field {field} has no message");
                }
            }
            return ex;
        }
    }

    /// <summary>How many rows have been written in the fixture's database so far (<see cref="WriteCounter"/>): a refused call must leave it as it was.</summary>
    public static Task<long> DatabaseWritesAsync(ServiceFixture fixture) => WriteCounter.WritesAsync(fixture.ConnectionString);

    /// <summary>Runs the call; when refused, no row of the database changed. Returns the refusal, or null when it succeeded.</summary>
    public static async Task<AppException?> RefusedChangesNothingAsync(ServiceFixture fixture, Func<Task> call, params string[] fields)
    {
        var before = await DatabaseWritesAsync(fixture);
        var refusal = await AttemptAsync(call, fields);
        if (refusal is not null) (await DatabaseWritesAsync(fixture)).ShouldBe(before, $"the refused call ({refusal.Message}) changed rows");
        return refusal;
    }

    /// <summary>Text as stored: well-formed UTF-16, no NUL, within the limit; names also trimmed, NFC, without Cc/Cf.</summary>
    public static void ShouldBeStoredText(string? value, int max, bool name = false)
    {
        if (value is null) return;
        value.Length.ShouldBeLessThanOrEqualTo(max);
        value.ShouldNotContain('\0');
        IsWellFormed(value).ShouldBeTrue($"stored text holds a lone surrogate: {Describe(value)}");
        value.ShouldBe(value.Trim());
        if (!name) return;
        value.ShouldNotBeEmpty();
        value.IsNormalized(NormalizationForm.FormC).ShouldBeTrue($"stored name not NFC: {Describe(value)}");
        Names.HasHiddenCharacters(value).ShouldBeFalse($"stored name holds hidden characters: {Describe(value)}");
    }

    public static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(value[i])) return false;
        }
        return true;
    }

    /// <summary>The input as C#-like text with every non-ASCII character escaped, so NUL and lone surrogates show as they are.</summary>
    public static string Describe(object? value) => Trim(Show(value, 0), 1500);

    private static string Show(object? value, int depth) => value switch
    {
        null => "null",
        string s => "\"" + Escape(s.Length > 120 ? s[..120] : s) + "\"" + (s.Length > 120 ? $"…({s.Length} chars)" : ""),
        DateTime d => $"{d:O} ({d.Kind})",
        System.Runtime.CompilerServices.ITuple t => "(" + string.Join(", ", Enumerable.Range(0, t.Length).Select(i => Show(t[i], depth + 1))) + ")",
        System.Collections.IDictionary d => "{" + string.Join(", ", d.Keys.Cast<object>().Select(k => $"{Show(k, depth + 1)}: {Show(d[k], depth + 1)}")) + "}",
        System.Collections.IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(x => Show(x, depth + 1))) + "]",
        Enum or Guid or bool => value.ToString()!,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ when depth < 3 => value.GetType().Name + " { " + string.Join(", ", value.GetType().GetProperties()
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetValue(value) is not null).Select(p => $"{p.Name} = {Show(p.GetValue(value), depth + 1)}")) + " }",
        _ => value.ToString() ?? "",
    };

    private static string Escape(string text)
    {
        var escaped = new StringBuilder();
        foreach (var c in text) escaped.Append(c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString());
        return escaped.ToString();
    }

    private static string Trim(string text, int max) => text.Length <= max ? text : text[..max] + $"… ({text.Length} chars)";

    private static int StableHash(string text) => text.Aggregate(17, (h, c) => unchecked(h * 31 + c));
}

public sealed class FuzzFailure(string message, Exception inner) : Exception(message, inner);
