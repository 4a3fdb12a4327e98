using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Wealth;
using CommunityApp.Resources;

namespace CommunityApp.Features.Needs;

/// <summary>One member's part of a group: their units, and one of their needs to open.</summary>
public sealed record NeedContribution(string OwnerName, int Units, Guid NeedId);

/// <summary>
/// Active needs of one priority for the same item (or title, ignoring case; shown as the first spelling in sort order, capitals first) and period: "13 Carrots per week: 5 Ana, 8 Ben".
/// <see cref="Contributions"/> are the first <see cref="NeedQueries.MaxContributions"/>, by name; <see cref="People"/> counts them all.
/// </summary>
public sealed record NeedGroupRow(string Name, Guid? ItemId, NeedRecurrence Recurrence, NeedPriority Priority, int Units, int People,
    IReadOnlyList<NeedContribution> Contributions);

public sealed record NeedRow(Guid Id, string Name, string? Title, Guid? ItemId, int Units, NeedPriority Priority, NeedRecurrence Recurrence, NeedStatus Status,
    DateTime PeriodStart, DateTime? PeriodEnd, string OwnerId, string OwnerName, DateTime CreatedAt, DateTime? ExpiresAt = null);

/// <summary>A fulfilled share request of the viewer's, which they may name as what met a need.</summary>
public sealed record FulfilledRequestOption(Guid RequestId, string ShareTitle, int Units, string ShareOwnerName, DateTime At);

public sealed record NeedDetail(NeedRow Need, string? Description, bool IsOwner, DateTime? FulfilledAt, FulfilledRequestOption? FulfilledBy);

/// <summary>Reading needs (docs/SPEC.md §8): the community view by item and period, my needs, one need.</summary>
public sealed class NeedQueries(IDbContextFactory<AppDbContext> dbFactory)
{
    public const int MaxPageSize = 100;
    public const int MaxContributions = 10;

    /// <summary>The community's active needs (or wants) grouped by item or title and period, most units first, paged in the database.</summary>
    public async Task<Page<NeedGroupRow>> AggregateAsync(string viewerId, Guid communityId, NeedPriority priority, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var active = db.Needs.Where(n => n.CommunityId == communityId && n.Status == NeedStatus.Active && n.Priority == priority);
        var groups = active
            .GroupBy(n => new { n.ItemId, Key = n.ItemId == null ? n.Title!.ToLower() : null, n.Recurrence })
            .Select(g => new { g.Key.ItemId, g.Key.Key, g.Key.Recurrence, Units = g.Sum(n => n.Units), People = g.Select(n => n.OwnerId).Distinct().Count(), Title = g.Min(n => n.Title) });
        var total = await groups.CountAsync(ct);
        var page = await groups.OrderByDescending(g => g.Units).ThenBy(g => g.Key).ThenBy(g => g.ItemId).ThenBy(g => g.Recurrence)
            .Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize).ToListAsync(ct);
        if (page.Count == 0) return new Page<NeedGroupRow>([], total, pageIndex, pageSize);

        var itemIds = page.Where(g => g.ItemId != null).Select(g => g.ItemId!.Value).ToList();
        var keys = page.Where(g => g.ItemId == null).Select(g => g.Key!).ToList();
        // A deleted item's needs still show under its name, in the viewer's language (docs/SPEC.md §5.1).
        var es = CatalogNames.Spanish;
        var itemNames = await db.Items.IgnoreQueryFilters().Where(i => itemIds.Contains(i.Id))
            .Select(i => new { i.Id, Name = es && i.NameEs != null ? i.NameEs : i.Name }).ToDictionaryAsync(i => i.Id, i => i.Name, ct);
        var parts = await active.Where(n => (n.ItemId != null && itemIds.Contains(n.ItemId.Value)) || (n.ItemId == null && keys.Contains(n.Title!.ToLower())))
            .Select(n => new { n.ItemId, Key = n.ItemId == null ? n.Title!.ToLower() : null, n.Recurrence, n.OwnerId, n.Owner.DisplayName, n.Units, n.Id })
            .OrderBy(n => n.DisplayName).ThenBy(n => n.Id).Take(pageSize * MaxContributions * 20).ToListAsync(ct);
        var rows = page.Select(g => new NeedGroupRow(
            g.ItemId is { } item ? itemNames.GetValueOrDefault(item, g.Title ?? "") : g.Title ?? "",
            g.ItemId, g.Recurrence, priority, g.Units, g.People,
            parts.Where(p => p.ItemId == g.ItemId && p.Key == g.Key && p.Recurrence == g.Recurrence)
                .GroupBy(p => p.OwnerId)
                .Select(o => new NeedContribution(o.First().DisplayName, o.Sum(p => p.Units), o.First().Id))
                .Take(MaxContributions).ToList())).ToList();
        return new Page<NeedGroupRow>(rows, total, pageIndex, pageSize);
    }

    /// <summary>The viewer's own needs in the community, newest first, optionally of one status.</summary>
    public async Task<Page<NeedRow>> MineAsync(string viewerId, Guid communityId, NeedStatus? status, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var mine = db.Needs.Where(n => n.CommunityId == communityId && n.OwnerId == viewerId);
        if (status is { } s) mine = mine.Where(n => n.Status == s);
        var total = await mine.CountAsync(ct);
        var rows = await Project(mine.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)).ToListAsync(ct);
        return new Page<NeedRow>(rows, total, pageIndex, pageSize);
    }

    /// <summary>One need of this community (any member may read it); a need of another community is not found here.</summary>
    public async Task<NeedDetail> GetAsync(string viewerId, Guid communityId, Guid needId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var need = await Project(db.Needs.Where(n => n.Id == needId && n.CommunityId == communityId)).SingleOrDefaultAsync(ct)
                   ?? throw new NotFoundException(Text.Get("Error.NeedNotFound"));
        var extra = await db.Needs.Where(n => n.Id == needId).Select(n => new { n.Description, n.FulfilledAt, n.FulfilledByRequestId }).SingleAsync(ct);
        var fulfilledBy = extra.FulfilledByRequestId is { } requestId
            ? await Options(db.ShareRequests.Where(r => r.Id == requestId)).SingleOrDefaultAsync(ct)
            : null;
        return new NeedDetail(need, extra.Description, need.OwnerId == viewerId, extra.FulfilledAt, fulfilledBy);
    }

    /// <summary>The viewer's fulfilled share requests in the community, newest first: what they may name as having met a need.</summary>
    public async Task<IReadOnlyList<FulfilledRequestOption>> FulfilledRequestsAsync(string viewerId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        return await Options(db.ShareRequests.Where(r => r.RequesterId == viewerId && r.Status == RequestStatus.Fulfilled && r.Share.CommunityId == communityId)
            .OrderByDescending(r => r.UpdatedAt).Take(50)).ToListAsync(ct);
    }

    private static IQueryable<FulfilledRequestOption> Options(IQueryable<ShareRequest> requests) =>
        requests.Select(r => new FulfilledRequestOption(r.Id, r.Share.Title, r.Units, r.Share.Owner.DisplayName, r.UpdatedAt));

    /// <summary>Needs as rows, named by their item in the viewer's language (docs/SPEC.md §5.1) or by their title.</summary>
    private static IQueryable<NeedRow> Project(IQueryable<Need> needs)
    {
        var es = CatalogNames.Spanish;
        return needs.Select(n => new NeedRow(n.Id, n.ItemId != null ? (es && n.Item!.NameEs != null ? n.Item.NameEs : n.Item!.Name) : n.Title!, n.Title, n.ItemId,
            n.Units, n.Priority, n.Recurrence, n.Status, n.PeriodStart, n.PeriodEnd, n.OwnerId, n.Owner.DisplayName, n.CreatedAt, n.ExpiresAt));
    }
}
