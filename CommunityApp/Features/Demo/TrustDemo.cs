using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Settings;

namespace CommunityApp.Features.Demo;

/// <summary>
/// Trust (Trust, Settings): Ana fits the levels to a neighbourhood of fourteen (New 0, Neighbour 2, Stable 4,
/// Trusted 7; Stable may award trust, Neighbours may ask for shares), bootstraps three founders with an admin
/// grant of 4, and from then on trust spreads by real awards, each through <see cref="Trust.TrustService"/>, so every
/// score is its grant plus the awards received. Every level ends up with members:
/// Trusted ana 7, ben 9, dmitri 9, jo 9; Stable elif 6, gus 6, kwame 5, farah 4;
/// Neighbour ivan 3, lena 3, hana 2, mateo 2; New carla 1, nora 0.
/// Runs once: skipped when the community has any trust history.
/// </summary>
internal sealed class TrustDemo : IDemoStep
{
    public const string Neighbour = "Neighbour";

    /// <summary>Who awards whom, in order, and when: each giver holds the award permission at that moment.</summary>
    private static readonly (int DaysAgo, int Hour, string Giver, string[] Receivers)[] Awards =
    [
        (55, 10, "ana", ["ben", "dmitri", "jo", "elif", "gus", "kwame", "farah", "hana", "lena", "ivan"]),
        (50, 19, "ben", ["ana", "dmitri", "jo", "elif", "gus", "kwame", "farah", "mateo"]),
        (48, 8, "dmitri", ["ana", "ben", "jo", "elif", "gus", "kwame", "ivan", "hana"]),
        (45, 17, "jo", ["ana", "ben", "dmitri", "elif", "gus", "farah", "lena", "mateo"]),
        (40, 20, "elif", ["ana", "ben", "dmitri", "jo", "gus", "kwame", "farah"]),
        (36, 9, "gus", ["ana", "ben", "dmitri", "elif", "kwame", "ivan"]),
        (30, 18, "kwame", ["ana", "gus", "elif"]),
        (25, 21, "farah", ["jo", "lena"]),
        (10, 11, "ana", ["carla"]),
        (1, 9, "farah", ["ana"]),
    ];

    public async Task<bool> RunAsync(DemoStory s, bool earlierChanged, CancellationToken ct)
    {
        var community = s.CommunityId;
        await using (var db = await s.DbAsync(ct))
        {
            if (await db.TrustHistory.AnyAsync(h => h.CommunityId == community, ct)) return false;
        }
        var ana = s["ana"];

        // Levels and thresholds sized for a small community; each change lands in the audit log.
        var view = await s.At(57, 21).Settings.GetAsync(ana, community, ct);
        if (!view.Levels.Any(l => string.Equals(l.Name, Neighbour, StringComparison.OrdinalIgnoreCase)) && !view.Levels.Any(l => l.MinScore == 2))
            await s.Settings.AddLevelAsync(ana, community, Neighbour, 2, ct);
        foreach (var (from, to) in new[] { (10, 4), (50, 7) })
        {
            if (view.Levels.FirstOrDefault(l => l.MinScore == from) is { } level && view.Levels.All(l => l.MinScore != to))
                await s.At(57, 21, 5).Settings.UpdateLevelAsync(ana, community, level.Id, level.Name, to, ct);
        }
        view = await s.Settings.GetAsync(ana, community, ct);
        var stable = view.Levels.FirstOrDefault(l => l.MinScore == 4)?.Name;
        var neighbour = view.Levels.FirstOrDefault(l => l.MinScore == 2)?.Name;
        var thresholds = new Dictionary<string, string>();
        if (stable is not null) thresholds["minTrustToAwardTrust"] = stable;
        if (neighbour is not null) thresholds["minTrustForWealth"] = neighbour;
        await s.At(57, 21, 10).Settings.SaveAsync(ana, community,
            new SettingsPatch { Thresholds = thresholds }, ct);

        // The founders' bootstrap grant: enough to award trust themselves.
        foreach (var (founder, minute) in new[] { ("ben", 0), ("dmitri", 2), ("jo", 4) })
            await s.At(56, 20, minute).Trust.SetAdminGrantAsync(ana, community, s[founder], 4, ct);

        foreach (var (daysAgo, hour, giver, receivers) in Awards)
        {
            for (var i = 0; i < receivers.Length; i++)
                await s.At(daysAgo, hour, i * 3).Trust.AwardAsync(s[giver], community, s[receivers[i]], ct);
        }

        // Kwame thought better of one award: a removal shows in Hana's history.
        await s.At(30, 18, 40).Trust.AwardAsync(s["kwame"], community, s["hana"], ct);
        await s.At(2, 16).Trust.RemoveAsync(s["kwame"], community, s["hana"], ct);
        return true;
    }
}
