using Microsoft.EntityFrameworkCore;

namespace CommunityApp.Features.Demo;

/// <summary>
/// Notifications: what the services sent along the story stays, but the cast read everything older than
/// <see cref="UnreadDays"/> days, so each bell shows only the last few days (Ana: a new award, a request for her
/// ladder, an accepted and a cancelled request of her own). Runs only in a run that seeded something.
/// </summary>
internal sealed class InboxDemo : IDemoStep
{
    public const int UnreadDays = 3;

    public async Task<bool> RunAsync(DemoStory s, bool earlierChanged, CancellationToken ct)
    {
        if (!earlierChanged) return false;
        var readAt = s.Day(UnreadDays, 0);
        var cast = s.UserIds.ToList();
        await using var db = await s.DbAsync(ct);
        return await db.Notifications.Where(n => cast.Contains(n.UserId) && n.ReadAt == null && n.CreatedAt < readAt)
            .ExecuteUpdateAsync(x => x.SetProperty(n => n.ReadAt, readAt), ct) > 0;
    }
}
