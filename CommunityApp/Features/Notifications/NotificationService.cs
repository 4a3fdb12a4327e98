using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;
using CommunityApp.Events;

namespace CommunityApp.Features.Notifications;

public sealed record NotificationRow(Guid Id, NotificationKind Kind, string Actor, string Subject, string Link, DateTime CreatedAt, bool IsRead,
    Guid? CommunityId = null, string? CommunityName = null);

/// <summary>Which notifications the centre shows: one kind, one community, unread only; null or false shows all.</summary>
public sealed record NotificationFilter(NotificationKind? Kind = null, Guid? CommunityId = null, bool UnreadOnly = false);

/// <summary>Where the next page of the centre starts: after this (created, id), newest first.</summary>
public sealed record NotificationCursor(DateTime CreatedAt, Guid Id);

public sealed record NotificationPage(IReadOnlyList<NotificationRow> Items, NotificationCursor? Next);

public sealed record CommunityOption(Guid Id, string Name);

/// <summary>One kind's row on the preferences page.</summary>
public sealed record PreferenceRow(NotificationKind Kind, NotificationDelivery Delivery);

/// <summary>
/// A user's in-app notifications (docs/SPEC.md §14): unread count, the centre (filters, keyset pages newest first), mark
/// read (one, or all that match the centre's filter), and the per-kind preferences.
/// </summary>
public sealed class NotificationService(IDbContextFactory<AppDbContext> dbFactory, IEventHub events, TimeProvider clock)
{
    public const int PageSize = 20;
    public const int MaxPageSize = 100;

    /// <summary>The bell's badge counts this far and shows "99+" above: a reader with thousands unread costs what one with a hundred does.</summary>
    public const int UnreadCap = 100;

    /// <summary>The user's unread notifications, counted up to <see cref="UnreadCap"/> (the (user, read) index's range of unread ones).</summary>
    /// <remarks>
    /// The bell counts on every page and after every notification, in every open tab: on PostgreSQL it is one plain
    /// statement read straight from the reader, since EF Core's fixed cost per query (the query cache's lookup, the
    /// parameters) was half as much again as this index range's 0.2 ms (docs/ARCHITECTURE.md, "Performance habits").
    /// </remarks>
    public Task<int> UnreadCountAsync(string userId, CancellationToken ct = default) => UnreadCountAsync(userId, plainSql: null, ct);

    /// <summary><see cref="UnreadCountAsync(string, CancellationToken)"/> through the plain statement (null: wherever the database is PostgreSQL) or EF Core (tests compare the two).</summary>
    internal async Task<int> UnreadCountAsync(string userId, bool? plainSql, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!(plainSql ?? db.Database.IsNpgsql()))
            return await db.Notifications.Where(n => n.UserId == userId && n.ReadAt == null).Take(UnreadCap).CountAsync(ct);
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = new Npgsql.NpgsqlCommand(
                $"SELECT count(*)::int FROM (SELECT 1 FROM notifications WHERE user_id = $1 AND read_at IS NULL LIMIT {UnreadCap}) capped",
                (Npgsql.NpgsqlConnection)db.Database.GetDbConnection()) { Parameters = { new() { Value = userId } } };
            return (int)(await command.ExecuteScalarAsync(ct))!;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public async Task<IReadOnlyList<NotificationRow>> LatestAsync(string userId, int count = PageSize, CancellationToken ct = default) =>
        (await ListAsync(userId, new NotificationFilter(), null, Math.Clamp(count, 1, MaxPageSize), ct)).Items;

    /// <summary>One page of the centre, newest first, after <paramref name="after"/> (from the newest when null).</summary>
    public async Task<NotificationPage> ListAsync(string userId, NotificationFilter filter, NotificationCursor? after, int pageSize = PageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = Filtered(db.Notifications, userId, filter);
        // The first condition repeats the keyset's bound so PostgreSQL starts its index range there.
        if (after is { } c) query = query.Where(n => n.CreatedAt <= c.CreatedAt && (n.CreatedAt < c.CreatedAt || (n.CreatedAt == c.CreatedAt && n.Id.CompareTo(c.Id) < 0)));
        var rows = await query.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(pageSize + 1)
            .Select(n => new NotificationRow(n.Id, n.Kind, n.Actor, n.Subject, n.Link, n.CreatedAt, n.ReadAt != null, n.CommunityId,
                db.Communities.Where(x => x.Id == n.CommunityId).Select(x => x.Name).FirstOrDefault()))
            .ToListAsync(ct);
        var shown = rows.Take(pageSize).ToList();
        return new NotificationPage(shown, rows.Count > pageSize ? new NotificationCursor(shown[^1].CreatedAt, shown[^1].Id) : null);
    }

    /// <summary>The communities the user has notifications from, for the centre's filter.</summary>
    public async Task<IReadOnlyList<CommunityOption>> CommunitiesAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ids = db.Notifications.Where(n => n.UserId == userId && n.CommunityId != null).Select(n => n.CommunityId);
        return await db.Communities.Where(c => ids.Contains(c.Id)).OrderBy(c => c.Name).Select(c => new CommunityOption(c.Id, c.Name)).ToListAsync(ct);
    }

    public async Task MarkReadAsync(string userId, Guid notificationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        if (await db.Notifications.Where(n => n.Id == notificationId && n.UserId == userId && n.ReadAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct) > 0)
            events.Publish(new NotificationsChanged(userId));
    }

    /// <summary>
    /// Marks read every unread notification of the user that the filter shows (its kind and community; all of them when
    /// the filter is empty, as the bell does): "mark all read" in the centre means "all of these".
    /// </summary>
    public async Task<int> MarkAllReadAsync(string userId, NotificationFilter? filter = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var unread = (filter ?? new NotificationFilter()) with { UnreadOnly = true };
        var marked = await Filtered(db.Notifications, userId, unread)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
        if (marked > 0) events.Publish(new NotificationsChanged(userId));
        return marked;
    }

    /// <summary>One of the user's notifications (null when it is not theirs), marked read: opening it reads it.</summary>
    public async Task<NotificationRow?> OpenAsync(string userId, Guid notificationId, CancellationToken ct = default)
    {
        await MarkReadAsync(userId, notificationId, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Notifications.Where(n => n.Id == notificationId && n.UserId == userId)
            .Select(n => new NotificationRow(n.Id, n.Kind, n.Actor, n.Subject, n.Link, n.CreatedAt, n.ReadAt != null, n.CommunityId,
                db.Communities.Where(x => x.Id == n.CommunityId).Select(x => x.Name).FirstOrDefault()))
            .SingleOrDefaultAsync(ct);
    }

    private static IQueryable<Notification> Filtered(IQueryable<Notification> notifications, string userId, NotificationFilter filter)
    {
        var query = notifications.Where(n => n.UserId == userId);
        if (filter.Kind is { } kind) query = query.Where(n => n.Kind == kind);
        if (filter.CommunityId is { } community) query = query.Where(n => n.CommunityId == community);
        if (filter.UnreadOnly) query = query.Where(n => n.ReadAt == null);
        return query;
    }

    // ---------------------------------------------------------------- preferences

    /// <summary>Every kind (from the enum, so new kinds appear by themselves) with the user's choice; in-app when never chosen.</summary>
    public async Task<IReadOnlyList<PreferenceRow>> PreferencesAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var chosen = await db.NotificationPreferences.Where(p => p.UserId == userId).ToDictionaryAsync(p => p.Kind, p => p.Delivery, ct);
        return NotificationPreferences.Kinds.Select(k => new PreferenceRow(k, chosen.GetValueOrDefault(k, NotificationDelivery.InApp))).ToList();
    }

    /// <summary>
    /// Saves the user's choices (kinds left out keep theirs) and the language the digest is written in: the one the page
    /// was in. In-app is the default, so it is stored as no row.
    /// </summary>
    public async Task SavePreferencesAsync(string userId, IReadOnlyDictionary<NotificationKind, NotificationDelivery> choices, string language, CancellationToken ct = default)
    {
        foreach (var (kind, delivery) in choices)
        {
            if (!Enum.IsDefined(kind) || !Enum.IsDefined(delivery)) throw new AppException(Resources.Text.Get("Error.NotificationPreferenceInvalid"));
        }
        language = Auth.Localization.SupportedCultures.Contains(language) ? language : Auth.Localization.SupportedCultures[0];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.InTransactionAsync(async () =>
        {
            // Two saves of one member at once (two tabs) take turns on the user's row: no duplicate key, the last one wins.
            await db.LockForUpdateAsync<ApplicationUser>(u => u.Id == userId, ct);
            var kinds = choices.Keys.ToList();
            await db.NotificationPreferences.Where(p => p.UserId == userId && kinds.Contains(p.Kind)).ExecuteDeleteAsync(ct);
            db.NotificationPreferences.AddRange(choices.Where(c => c.Value != NotificationDelivery.InApp)
                .Select(c => new NotificationPreference { UserId = userId, Kind = c.Key, Delivery = c.Value }));
            if (await db.NotificationSettings.Where(s => s.UserId == userId).ExecuteUpdateAsync(s => s.SetProperty(x => x.Language, language), ct) == 0)
                db.NotificationSettings.Add(new NotificationSettings { UserId = userId, Language = language });
            await db.SaveChangesAsync(ct);
        }, ct);
    }
}
