using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Recognition;
using CommunityApp.Features.Settings;
using CommunityApp.Features.Skills;

namespace CommunityApp.Features.Demo;

/// <summary>
/// Skills and recognition (docs/SPEC.md §17, §18): Ana lets Neighbours (trust 2) endorse skills and gives a few catalogue
/// items a value per unit, so the contributions logged from then on (confirmed pantry contributions, checkouts) carry value;
/// neighbours list their skills and endorse each other's (so "who can help with carpentry" has answers, most endorsed
/// first); and some thank others with peer recognition for care, repairs and organising, within their monthly budget.
/// Every move goes through the services. Runs once: skipped when anyone in the cast lists a skill.
/// </summary>
internal sealed class SkillsRecognitionDemo : IDemoStep
{
    private static readonly (string Who, string[] Skills)[] Profiles =
    [
        ("ben", ["Carpentry", "Bike repair", "Beekeeping"]),
        ("carla", ["Cooking & baking", "Spanish lessons"]),
        ("dmitri", ["Plumbing", "Carpentry"]),
        ("elif", ["Baking", "First aid"]),
        ("jo", ["Gardening", "Composting"]),
        ("kwame", ["Electrics", "Bike repair"]),
        ("lena", ["Childcare", "Sewing"]),
    ];

    private static readonly (string Owner, string Skill, string[] Endorsers)[] Endorsements =
    [
        ("ben", "Carpentry", ["ana", "dmitri", "jo", "gus"]),
        ("dmitri", "Carpentry", ["ben", "kwame"]),
        ("dmitri", "Plumbing", ["ana", "elif", "farah"]),
        ("ben", "Bike repair", ["kwame"]),
        ("kwame", "Bike repair", ["ben", "jo", "farah"]),
        ("kwame", "Electrics", ["dmitri"]),
        ("carla", "Cooking & baking", ["elif", "ana", "jo", "gus", "farah"]),
        ("jo", "Gardening", ["ana", "gus"]),
        ("lena", "Childcare", ["ana", "farah", "elif"]),
        ("elif", "First aid", ["elif"]),
    ];

    private static readonly (string Giver, string Receiver, int Units, string Reason, int DaysAgo)[] Grants =
    [
        ("ana", "lena", 4, "Looked after the kids during the riverbank clean-up.", 12),
        ("ben", "dmitri", 5, "Fixed the pantry's leaking tap on a Sunday.", 9),
        ("jo", "carla", 3, "Cooked for the whole Saturday lunch.", 6),
        ("elif", "kwame", 2, "Rewired the lights in the tool shed.", 4),
        ("dmitri", "ben", 6, "Organised the tool library rota.", 3),
        ("farah", "lena", 3, "Sewed new curtains for the hall.", 2),
        ("kwame", "jo", 4, "Taught composting at the school.", 1),
    ];

    public async Task<bool> RunAsync(DemoStory s, bool earlierChanged, CancellationToken ct)
    {
        var cast = s.UserIds.ToList();
        List<(Guid Id, string Name)> items;
        await using (var db = await s.DbAsync(ct))
        {
            if (await db.Skills.AnyAsync(k => cast.Contains(k.UserId), ct)) return false;
            items = (await db.Items.Where(i => i.CommunityId == s.CommunityId).OrderBy(i => i.Name).Select(i => new { i.Id, i.Name }).ToListAsync(ct))
                .Select(i => (i.Id, i.Name)).ToList();
        }

        await s.At(43, 9).Get<SettingsService>().SaveAsync(s["ana"], s.CommunityId,
            new SettingsPatch { Thresholds = new Dictionary<string, string> { ["minTrustForSkillEndorsement"] = "2", ["minTrustForRecognition"] = "2" } }, ct);
        // A value per unit for every third item of the catalogue: 1–5.
        for (var i = 0; i < items.Count; i += 3)
            await s.At(43, 10, i % 60).Catalog.SetItemValueAsync(s["ana"], s.CommunityId, items[i].Id, 1 + i % 5, ct);

        var skillIds = new Dictionary<(string, string), Guid>();
        for (var p = 0; p < Profiles.Length; p++)
            foreach (var (skill, n) in Profiles[p].Skills.Select((k, n) => (k, n)))
                skillIds[(Profiles[p].Who, skill)] = await s.At(40 - p, 19, n * 5).Get<SkillService>().AddAsync(s[Profiles[p].Who], skill, ct);
        for (var e = 0; e < Endorsements.Length; e++)
        {
            var (owner, skill, endorsers) = Endorsements[e];
            for (var n = 0; n < endorsers.Length; n++)
                await s.At(30 - e * 2, 20, n * 7).Get<SkillService>().EndorseAsync(s[endorsers[n]], s.CommunityId, skillIds[(owner, skill)], ct);
        }

        foreach (var (giver, receiver, units, reason, daysAgo) in Grants)
            await s.At(daysAgo, 18).Get<RecognitionService>().GrantAsync(s[giver], s.CommunityId, s[receiver], units, reason, ct);
        return true;
    }
}
