using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Wealth;

namespace CommunityApp.Features.Demo;

/// <summary>
/// Councils: Ana starts the Riverside Pantry (Elif and Jo manage it) and the Tool Library (Gus manages it). Neighbours
/// trust them, give apples, jam and drills that managers confirm into the inventories (one gift still waits for a
/// manager), the pantry records what its Saturday lunch used and shares apples from its inventory, and Hana takes some.
/// Every move goes through <see cref="CouncilService"/> and <see cref="ShareService"/>. Runs once: skipped when the
/// community has any council.
/// </summary>
internal sealed class CouncilsDemo : IDemoStep
{
    public async Task<bool> RunAsync(DemoStory s, bool earlierChanged, CancellationToken ct)
    {
        var community = s.CommunityId;
        await using (var db = await s.DbAsync(ct))
        {
            if (await db.Councils.IgnoreQueryFilters().AnyAsync(c => c.CommunityId == community, ct)) return false;
        }
        var items = await s.ItemsAsync(ct);

        var pantry = await s.At(30, 18).Councils.CreateAsync(s["ana"], community,
            new CouncilInput("Riverside Pantry", "Collects food neighbours can spare and hands it on to whoever needs it. Open Saturdays at the school hall."), ct);
        await s.At(30, 18, 5).Councils.AddManagerAsync(s["ana"], pantry, "elif", ct);
        await s.At(30, 18, 10).Councils.AddManagerAsync(s["elif"], pantry, "jo", ct);
        var tools = await s.At(28, 19).Councils.CreateAsync(s["ana"], community,
            new CouncilInput("Tool Library", "Drills, ladders and garden tools everyone can borrow, kept in Gus's shed."), ct);
        await s.At(28, 19, 5).Councils.AddManagerAsync(s["ana"], tools, "gus", ct);

        string[] pantryTrust = ["ben", "carla", "dmitri", "farah", "hana", "ivan", "lena", "mateo"];
        for (var i = 0; i < pantryTrust.Length; i++) await s.At(27 - i, 10).Councils.TrustAsync(s[pantryTrust[i]], pantry, ct);
        string[] toolTrust = ["ben", "dmitri", "kwame", "lena", "mateo"];
        for (var i = 0; i < toolTrust.Length; i++) await s.At(25 - i, 11).Councils.TrustAsync(s[toolTrust[i]], tools, ct);

        async Task<Guid> GiveAsync(int daysAgo, string giver, Guid council, string item, int units, string title) =>
            await s.At(daysAgo, 9).Shares.CreateAsync(s[giver], community,
                new ShareInput(title, null, WealthKind.Object, units, ItemId: items[item], Target: ShareTarget.Council, TargetId: council), ct);
        async Task ConfirmAsync(int daysAgo, string manager, Guid share)
        {
            await using var db = await s.DbAsync(ct);
            var contribution = await db.Contributions.Where(c => c.ShareId == share).Select(c => c.Id).SingleAsync(ct);
            await s.At(daysAgo, 17).Councils.ConfirmContributionAsync(s[manager], contribution, ct);
        }

        await ConfirmAsync(20, "elif", await GiveAsync(21, "lena", pantry, "Apples", 20, "Apples from the old orchard"));
        await ConfirmAsync(18, "jo", await GiveAsync(19, "elif", pantry, "Jam", 12, "Plum jam, twelve jars"));
        await ConfirmAsync(12, "ana", await GiveAsync(13, "gus", tools, "Cordless drill", 2, "Two cordless drills with batteries"));
        await ConfirmAsync(9, "gus", await GiveAsync(10, "kwame", tools, "Ladder", 1, "Extension ladder"));
        await GiveAsync(1, "farah", pantry, "Jam", 5, "Strawberry jam");

        await s.At(14, 15).Councils.RecordUseAsync(s["elif"], pantry, items["Apples"], 4, "Apple crumble for the Saturday lunch", ct);
        var apples = await s.At(7, 10).Councils.ShareFromInventoryAsync(s["jo"], pantry,
            new CouncilShareInput(items["Apples"], 10, "Apples from the pantry", "Take what you need for the week; two bags per household.", MaxUnitsPerMember: 4), ct);
        var request = await s.At(6, 12).Shares.RequestAsync(s["hana"], apples, 3, "For the school lunches this week, thank you!", ct);
        await s.At(6, 14).Shares.AcceptAsync(s["jo"], request, ct);
        await s.At(5, 9).Shares.FulfilAsync(s["hana"], request, ct);
        return true;
    }
}
