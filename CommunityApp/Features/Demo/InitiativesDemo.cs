using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Councils;

namespace CommunityApp.Features.Demo;

/// <summary>
/// Council reports and initiatives (docs/SPEC.md §6) on the Riverside Pantry: Elif writes a usage report, Jo proposes a
/// community fridge (neighbours vote and comment, Elif reports progress) and Elif a winter soup night, which Ben votes
/// against. Every move goes through <see cref="CouncilReportService"/> and <see cref="InitiativeService"/>. Runs once:
/// skipped when the pantry has any initiative.
/// </summary>
internal sealed class InitiativesDemo : IDemoStep
{
    public async Task<bool> RunAsync(DemoStory s, bool earlierChanged, CancellationToken ct)
    {
        Guid pantry;
        await using (var db = await s.DbAsync(ct))
        {
            var found = await db.Councils.Where(c => c.CommunityId == s.CommunityId && c.Name == "Riverside Pantry").Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct);
            if (found is null || await db.Initiatives.AnyAsync(i => i.CouncilId == found, ct)) return false;
            pantry = found.Value;
        }

        await s.At(13, 18).Get<CouncilReportService>().CreateAsync(s["elif"], pantry, new ReportInput("Saturday lunch, two weeks ago",
            """
            We cooked for **34 neighbours** at the school hall.

            - 4 kg of Lena's apples went into the crumble
            - 6 jars of plum jam were handed out with the bread

            Thank you to everyone who gave. Next lunch: the last Saturday of the month.
            """), ct);

        var fridge = await s.At(12, 10).Get<InitiativeService>().CreateAsync(s["jo"], pantry, new InitiativeInput("A community fridge in the school hall",
            "A fridge anyone can fill and take from, so fresh food does not go to waste between Saturdays. The school has agreed; we need a fridge and a cleaning rota."), ct);
        var soup = await s.At(10, 11).Get<InitiativeService>().CreateAsync(s["elif"], pantry, new InitiativeInput("Winter soup night",
            "A soup night every other Thursday from November to February, cooked from what the pantry holds."), ct);

        string[] fridgeUp = ["ben", "carla", "dmitri", "farah", "hana", "lena", "mateo"];
        for (var i = 0; i < fridgeUp.Length; i++) await s.At(11 - i, 19).Get<InitiativeService>().VoteAsync(s[fridgeUp[i]], fridge, VoteDirection.Up, ct);
        await s.At(8, 20).Get<InitiativeService>().VoteAsync(s["ivan"], fridge, VoteDirection.Down, ct);
        string[] soupUp = ["hana", "kwame", "farah"];
        for (var i = 0; i < soupUp.Length; i++) await s.At(9 - i, 18).Get<InitiativeService>().VoteAsync(s[soupUp[i]], soup, VoteDirection.Up, ct);
        await s.At(7, 21).Get<InitiativeService>().VoteAsync(s["ben"], soup, VoteDirection.Down, ct);

        await s.At(11, 20).Get<InitiativeService>().CommentAsync(s["dmitri"], fridge, "I can fetch a second-hand fridge with Iván's van if someone finds one.", ct);
        await s.At(10, 9).Get<InitiativeService>().CommentAsync(s["farah"], fridge, "Happy to clean it on Mondays after school drop-off.", ct);
        await s.At(8, 20, 5).Get<InitiativeService>().CommentAsync(s["ivan"], fridge, "Who is responsible if food goes bad? We need clear rules first.", ct);
        await s.At(7, 21, 5).Get<InitiativeService>().CommentAsync(s["ben"], soup, "Thursdays clash with the allotment meeting; could it be Wednesdays?", ct);
        await s.At(6, 17).Get<InitiativeService>().AddProgressAsync(s["elif"], fridge,
            "Kwame checked the hall's socket; a **second-hand fridge** is promised for next week. Rules: labelled and dated, nothing raw.", ct);
        return true;
    }
}
