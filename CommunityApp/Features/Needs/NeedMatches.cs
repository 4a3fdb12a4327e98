using Microsoft.EntityFrameworkCore;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Wealth;

namespace CommunityApp.Features.Needs;

/// <summary>
/// A share of an item that members need (docs/SPEC.md §8): <see cref="ShareService"/> calls this once, before it saves
/// the new share, so the notices commit with the share. Told: the owners of active needs for the share's item in the
/// share's community who are still members, never the share's own owner.
/// </summary>
public static class NeedMatches
{
    /// <summary>Most owners told about one share; the community view shows everyone else who needs it.</summary>
    public const int MaxNotified = 500;

    /// <summary>Adds a <see cref="NotificationKind.NeedMatched"/> notice per owner to <paramref name="db"/>'s pending changes; returns who they are for.</summary>
    public static async Task<IReadOnlyList<string>> NotifyAsync(AppDbContext db, Share share, DateTime now, CancellationToken ct)
    {
        if (share.ItemId is not { } itemId) return [];
        var owners = await db.Needs
            .Where(n => n.ItemId == itemId && n.CommunityId == share.CommunityId && n.Status == NeedStatus.Active && n.OwnerId != share.OwnerId
                        && db.Memberships.Any(m => m.CommunityId == n.CommunityId && m.UserId == n.OwnerId))
            .Select(n => n.OwnerId).Distinct().OrderBy(o => o).Take(MaxNotified).ToListAsync(ct);
        var link = CommunityUrls.For(share.CommunityId).Share(share.Id);
        foreach (var owner in owners)
            await NotificationWriter.AddAsync(db, owner, share.CommunityId, NotificationKind.NeedMatched, share.OwnerId, link, now, share.Title, ct);
        return owners;
    }

    /// <summary>After the commit: each told owner's bell updates live.</summary>
    public static void Publish(IEventHub events, IReadOnlyList<string> owners)
    {
        foreach (var owner in owners) events.Publish(new NotificationsChanged(owner));
    }
}
