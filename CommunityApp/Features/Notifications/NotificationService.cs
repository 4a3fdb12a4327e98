using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;
using CommunityApp.Events;

namespace CommunityApp.Features.Notifications;

public sealed record NotificationRow(Guid Id, NotificationKind Kind, string Actor, string Subject, string Link, DateTime CreatedAt, bool IsRead);

/// <summary>A user's in-app notifications (docs/SPEC.md §14): unread count, newest first, mark read.</summary>
public sealed class NotificationService(IDbContextFactory<AppDbContext> dbFactory, IEventHub events, TimeProvider clock)
{
    public const int PageSize = 20;

    public async Task<int> UnreadCountAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Notifications.CountAsync(n => n.UserId == userId && n.ReadAt == null, ct);
    }

    public async Task<IReadOnlyList<NotificationRow>> LatestAsync(string userId, int count = PageSize, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Notifications.Where(n => n.UserId == userId)
            .OrderByDescending(n => n.CreatedAt).Take(Math.Clamp(count, 1, 100))
            .Select(n => new NotificationRow(n.Id, n.Kind, n.Actor, n.Subject, n.Link, n.CreatedAt, n.ReadAt != null))
            .ToListAsync(ct);
    }

    public async Task MarkReadAsync(string userId, Guid notificationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        if (await db.Notifications.Where(n => n.Id == notificationId && n.UserId == userId && n.ReadAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct) > 0)
            events.Publish(new NotificationsChanged(userId));
    }

    public async Task MarkAllReadAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        if (await db.Notifications.Where(n => n.UserId == userId && n.ReadAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct) > 0)
            events.Publish(new NotificationsChanged(userId));
    }
}
