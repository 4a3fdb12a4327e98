using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Wealth;

namespace CommunityApp.Features.Demo;

/// <summary>
/// Needs: a dozen needs and wants of the cast, one-time and recurring (daily, weekly, monthly), for catalogue items and
/// by title, so the community view adds some up ("10 Apples per week: 6 Elif, 4 Kwame"); one cancelled, one fulfilled
/// by a request that really was fulfilled, and the recurrence job run at the seed's now so every recurring period is current.
/// Two days ago Lena shares apples and the two members who need them are told. Needs take 5 trust: only members at
/// Stable or above (ana, ben, dmitri, elif, gus, jo, kwame) publish them. Every move goes through the needs and
/// share services. Runs once: skipped when the community has any need.
/// </summary>
internal sealed class NeedsDemo : IDemoStep
{
    public async Task<bool> RunAsync(DemoStory s, bool earlierChanged, CancellationToken ct)
    {
        var community = s.CommunityId;
        await using (var db = await s.DbAsync(ct))
        {
            if (await db.Needs.AnyAsync(n => n.CommunityId == community, ct)) return false;
        }
        var items = await s.ItemsAsync(ct);
        var needs = s.Get<NeedService>();
        Guid? Item(string name) => items.TryGetValue(name, out var id) ? id : null;

        async Task<Guid> Need(int daysAgo, int hour, string owner, string? item, string? title, int units, NeedPriority priority,
            NeedRecurrence recurrence, string? description = null)
        {
            s.At(daysAgo, hour);
            // Without the item in the catalogue (a database seeded before it), the need goes by the item's name.
            var itemId = item is null ? null : Item(item);
            return await needs.CreateAsync(s[owner], community, new NeedInput(itemId, itemId is null ? title ?? item : title, description, units, priority, recurrence), ct);
        }

        await Need(30, 9, "elif", "Apples", null, 6, NeedPriority.Need, NeedRecurrence.Weekly, "For the weekly jam batch; windfalls are fine.");
        await Need(29, 18, "kwame", "Apples", null, 4, NeedPriority.Need, NeedRecurrence.Weekly, "Lunch boxes for the week.");
        await Need(28, 10, "kwame", "Babysitting", null, 2, NeedPriority.Need, NeedRecurrence.Weekly, "Two evenings a week, 18:00 to 21:00.");
        await Need(27, 20, "jo", "Jam", null, 2, NeedPriority.Want, NeedRecurrence.Monthly);
        await Need(26, 8, "ben", null, "Compost", 3, NeedPriority.Need, NeedRecurrence.Monthly, "Three bags for the raised beds.");
        await Need(21, 12, "jo", null, "Egg boxes", 12, NeedPriority.Want, NeedRecurrence.Monthly, "For the school's egg stall.");
        await Need(20, 19, "dmitri", null, "egg boxes", 5, NeedPriority.Want, NeedRecurrence.Monthly);
        await Need(14, 11, "ana", null, "Cardboard boxes", 10, NeedPriority.Want, NeedRecurrence.Once, "Moving the tool library to the new shed.");
        await Need(12, 9, "gus", null, "Wood offcuts", 5, NeedPriority.Want, NeedRecurrence.Once);
        await Need(9, 17, "ben", null, "Newspapers", 1, NeedPriority.Need, NeedRecurrence.Daily, "For lining the seed trays.");
        await Need(5, 14, "dmitri", "Language lessons", null, 1, NeedPriority.Want, NeedRecurrence.Weekly, "Japanese, an hour a week.");

        var ladder = await Need(16, 10, "gus", null, "Long ladder", 1, NeedPriority.Need, NeedRecurrence.Once);
        await s.At(15, 8).Get<NeedService>().CancelAsync(s["gus"], ladder, ct);

        // A need that a fulfilled request met: the newest fulfilled request of a member who may publish needs.
        await using (var db = await s.DbAsync(ct))
        {
            var publishers = new[] { "elif", "kwame", "jo", "dmitri", "ben" }.Select(n => s[n]).ToList();
            var met = await db.ShareRequests.Where(r => r.Status == RequestStatus.Fulfilled && r.Share.CommunityId == community && publishers.Contains(r.RequesterId))
                .OrderBy(r => r.UpdatedAt).ThenBy(r => r.Id).Select(r => new { r.Id, r.RequesterId, r.Share.Title, r.Share.ItemId, r.UpdatedAt }).FirstOrDefaultAsync(ct);
            if (met is not null)
            {
                var daysAgo = Math.Max(1, (int)(s.Day(0) - met.UpdatedAt).TotalDays);
                s.At(daysAgo + 1, 8);
                var need = await needs.CreateAsync(met.RequesterId, community, new NeedInput(met.ItemId, met.ItemId is null ? met.Title : null, null, 1), ct);
                s.At(daysAgo, 23);
                await needs.FulfilAsync(met.RequesterId, need, met.Id, ct);
            }
        }

        // Lena's apples: Elif and Kwame, who need apples, are told.
        if (Item("Apples") is { } apples)
            await s.At(2, 10).Shares.CreateAsync(s["lena"], community,
                new ShareInput("Windfall apples from the orchard", "A crate of cooking apples; bring a bag.", WealthKind.Object, 12, ItemId: apples), ct);

        // The recurrence job, run at the story's end (the seed's now): every recurring need is in its current period.
        s.Clock.Set(s.Clock.Now.UtcDateTime);
        await s.Get<NeedService>().ReplenishDueAsync(ct);
        return true;
    }
}
