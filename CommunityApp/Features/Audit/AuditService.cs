using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;

namespace CommunityApp.Features.Audit;

/// <summary>
/// The log's filter and page. <see cref="After"/> pages by keyset (the entries older than that one, as "next" does);
/// without it, <see cref="PageIndex"/> skips whole pages.
/// </summary>
public sealed record AuditFilter(string? ActorId = null, AuditAction? Action = null, DateTime? From = null, DateTime? To = null, int PageIndex = 0, int PageSize = 25,
    AuditCursor? After = null);

/// <summary>The last entry of a page (newest first): the next page starts after it.</summary>
public sealed record AuditCursor(DateTime At, Guid Id);

public sealed record AuditRow(Guid Id, DateTime At, string ActorId, string ActorName, AuditAction Action, string? TargetName, string Details);

/// <summary>Reads a community's append-only audit log (docs/SPEC.md §14). Admins only.</summary>
public sealed class AuditService(IDbContextFactory<AppDbContext> dbFactory)
{
    public const int MaxPageSize = 100;
    /// <summary>Counting stops here ("more than 10000"): the log only grows.</summary>
    public const int CountCap = 10_000;

    public async Task<Page<AuditRow>> ListAsync(string actorId, Guid communityId, AuditFilter filter, CancellationToken ct = default)
    {
        var pageSize = Math.Clamp(filter.PageSize, 1, MaxPageSize);
        var pageIndex = Math.Max(0, filter.PageIndex);
        if (!Texts.IsStorable(filter.ActorId)) throw new ValidationFailedException(new Dictionary<string, string> { ["actorId"] = Texts.UnstorableMessage });
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandAdminAsync(db, communityId, actorId, ct);

        var entries = db.AuditLog.Where(e => e.CommunityId == communityId);
        if (!string.IsNullOrEmpty(filter.ActorId)) entries = entries.Where(e => e.ActorId == filter.ActorId);
        if (filter.Action is { } action) entries = entries.Where(e => e.Action == action);
        if (filter.From is { } from) entries = entries.Where(e => e.CreatedAt >= from.ToUniversalTime());
        if (filter.To is { } to) entries = entries.Where(e => e.CreatedAt < to.ToUniversalTime());
        var total = await entries.Take(CountCap + 1).CountAsync(ct);
        if (filter.After is { } c) entries = entries.Where(e => e.CreatedAt <= c.At && (e.CreatedAt < c.At || e.Id.CompareTo(c.Id) < 0));
        var ordered = entries.OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id);
        var rows = await (filter.After is null ? ordered.Skip(Paging.Offset(pageIndex, pageSize)) : ordered).Take(pageSize)
            .Select(e => new AuditRow(e.Id, e.CreatedAt, e.ActorId, e.Actor.DisplayName, e.Action, e.TargetUser != null ? e.TargetUser.DisplayName : null, e.Details))
            .ToListAsync(ct);
        return new Page<AuditRow>(rows, total, pageIndex, pageSize);
    }

    /// <summary>People who appear as actors in the log, for the filter's drop-down.</summary>
    public async Task<IReadOnlyList<(string Id, string Name)>> ActorsAsync(string actorId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandAdminAsync(db, communityId, actorId, ct);
        var actors = await db.AuditLog.Where(e => e.CommunityId == communityId).Select(e => e.ActorId).Distinct()
            .Join(db.Users, id => id, u => u.Id, (id, u) => new { u.Id, u.DisplayName })
            .OrderBy(u => u.DisplayName).Take(200).ToListAsync(ct);
        return actors.Select(a => (a.Id, a.DisplayName)).ToList();
    }
}
