using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Wealth;

namespace CommunityApp.Features.Demo;

/// <summary>
/// Riverside's first year, for the health dashboard (docs/SPEC.md §13): before the busy last two months of the story, the
/// early neighbours (Ben, Dmitri, Jo, Elif, Gus, who joined over the year) shared a little every week or two, more as the
/// year went on; Ana asked for each thing, the owner answered within hours to a day and it changed hands; now and then Ana
/// needed something and it was met a few days later. So every chart of the 1-year range has a shape. Awards stay in the
/// story's last two months (the scores the other steps earn). Runs last, on the story's earlier days; the notifications it
/// causes are marked read, so Ana's unread ones stay the story's. Runs once: skipped when the community has a share older
/// than the last two months.
/// </summary>
internal sealed class HealthDemo : IDemoStep
{
    private static readonly (string Owner, string Item, WealthKind Kind, string Title)[] Offers =
    [
        ("ben", "Apples", WealthKind.Object, "Windfall apples"), ("dmitri", "Bike repair", WealthKind.Service, "Puncture repair on Saturday"),
        ("jo", "Jam", WealthKind.Object, "Plum jam"), ("elif", "Honey", WealthKind.Object, "Honey from the courtyard hive"),
        ("gus", "Ladder", WealthKind.Object, "The long ladder for a weekend"), ("ben", "Tomatoes", WealthKind.Object, "Tomatoes"),
        ("dmitri", "Drill", WealthKind.Object, "Cordless drill"), ("jo", "Language lessons", WealthKind.Service, "An hour of French"),
        ("elif", "Bread", WealthKind.Object, "Sourdough loaf"), ("gus", "Folding chairs", WealthKind.Object, "Six folding chairs"),
    ];

    public async Task<bool> RunAsync(DemoStory s, bool earlierChanged, CancellationToken ct)
    {
        var community = s.CommunityId;
        var before = s.Day(61);
        await using (var db = await s.DbAsync(ct))
        {
            if (await db.Shares.IgnoreQueryFilters().AnyAsync(x => x.CommunityId == community && x.CreatedAt < before, ct)) return false;
        }
        var joined = DemoSeeder.People.Where(p => p.JoinedDaysAgo is not null).ToDictionary(p => p.UserName, p => p.JoinedDaysAgo!.Value);
        var shares = s.Shares;
        var needs = s.Get<NeedService>();
        var offer = 0;
        // Every 9 days from a year ago to two months ago; as the year goes on, more of those days see a share.
        for (var day = 356; day >= 64; day -= 9)
        {
            var busy = 1 + (356 - day) / 110;
            for (var k = 0; k < busy; k++)
            {
                var (owner, _, kind, title) = Offers[offer++ % Offers.Length];
                if (joined[owner] <= day) (owner, _, kind, title) = Offers[0];
                if (joined[owner] <= day) continue;
                var hour = 8 + (day + k * 5) % 11;
                // By title, not the catalogue item: a share of an item tells the members who need it now, and these are past.
                var share = await s.At(day, hour, k * 7).Shares.CreateAsync(s[owner], community,
                    new ShareInput(title, null, kind, 1), ct);
                var request = await s.At(day, hour + 1, k * 7).Shares.RequestAsync(s["ana"], share, 1, "Yes please!", ct);
                // Answered after 2 to 26 hours, given the next day or two.
                var answer = s.Day(day, hour + 1, k * 7).AddHours(2 + (day * 7 + k) % 25);
                s.Clock.Set(answer);
                await shares.AcceptAsync(s[owner], request, ct);
                s.Clock.Set(answer.AddHours(20));
                await shares.FulfilAsync(s["ana"], request, ct);
            }
            if (day % 4 == 0)
            {
                s.At(day, 9);
                var need = await needs.CreateAsync(s["ana"], community, new NeedInput(null, "Boxes for the tool library", null, 2), ct);
                s.Clock.Set(s.Day(day, 10).AddDays(2 + day % 5));
                await needs.FulfilAsync(s["ana"], need, ct: ct);
            }
        }
        await using (var db = await s.DbAsync(ct))
        {
            await db.Notifications.Where(n => n.CommunityId == community && n.CreatedAt < before && n.ReadAt == null)
                .ExecuteUpdateAsync(n => n.SetProperty(x => x.ReadAt, before), ct);
        }
        return true;
    }
}
