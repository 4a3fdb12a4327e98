using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;

namespace CommunityApp.Features.Audit;

public sealed record AuditFilter(string? ActorId = null, AuditAction? Action = null, DateTime? From = null, DateTime? To = null, int PageIndex = 0, int PageSize = 25);

public sealed record AuditRow(Guid Id, DateTime At, string ActorId, string ActorName, AuditAction Action, string? TargetName, string Details);

/// <summary>Reads a community's append-only audit log (docs/SPEC.md §14). Admins only.</summary>
public sealed class AuditService(IDbContextFactory<AppDbContext> dbFactory)
{
    public const int MaxPageSize = 100;

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
        var total = await entries.CountAsync(ct);
        var rows = await entries
            .OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id)
            .Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
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
