using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Wealth;
using CommunityApp.Resources;

namespace CommunityApp.Features.Pools;

public sealed record PoolRow(Guid Id, string Name, string Description, Guid CouncilId, string CouncilName, IReadOnlyList<string> Items, int Units);

public sealed record PoolItemRow(Guid ItemId, string Name);

/// <summary>A pool's page: what everyone sees, and whether the viewer may manage it (the council's managers and admins).</summary>
public sealed record PoolDetail(Guid Id, string Name, string Description, Guid CouncilId, string CouncilName, int? MinContribution, int? MaxUnitsPerMember,
    IReadOnlyList<PoolItemRow> Items, bool MayManage);

public sealed record AllocationRow(Guid Id, Guid NeedId, string MemberName, string ItemName, int Units, DistributionStrategy Strategy, DateTime At);

/// <summary>A pool to give to, with the items it accepts (the new-share page).</summary>
public sealed record PoolOption(Guid Id, string Name, string CouncilName, IReadOnlyList<Guid> ItemIds, int? MinContribution);

/// <summary>Reading pools (docs/SPEC.md §7): lists, a pool's page, its inventory, ledger, contributions and allocations. Members only.</summary>
public sealed class PoolQueries(IDbContextFactory<AppDbContext> dbFactory)
{
    public const int MaxPageSize = 100;

    /// <summary>The community's pools (or one council's), by name, paged.</summary>
    public async Task<Page<PoolRow>> ListAsync(string viewerId, Guid communityId, Guid? councilId, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var pools = db.Pools.Where(p => p.CommunityId == communityId && db.Councils.Any(c => c.Id == p.CouncilId));
        if (councilId is { } council) pools = pools.Where(p => p.CouncilId == council);
        var total = await pools.CountAsync(ct);
        var es = CatalogNames.Spanish;
        var rows = await pools.OrderBy(p => p.NormalizedName).ThenBy(p => p.Id).Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(p => new
            {
                p.Id, p.Name, p.Description, p.CouncilId, Council = p.Council.Name,
                Items = db.PoolItems.Where(i => i.PoolId == p.Id).OrderBy(i => es && i.Item.NameEs != null ? i.Item.NameEs : i.Item.Name)
                    .Select(i => es && i.Item.NameEs != null ? i.Item.NameEs : i.Item.Name).Take(10).ToList(),
                Units = db.InventoryBalances.Where(b => b.HolderId == p.Id).Sum(b => (int?)b.Units) ?? 0,
            })
            .ToListAsync(ct);
        return new Page<PoolRow>([.. rows.Select(r => new PoolRow(r.Id, r.Name, r.Description, r.CouncilId, r.Council, r.Items, r.Units))], total, Math.Max(0, pageIndex), pageSize);
    }

    /// <summary>Pools of the community to give to, with their accepted items.</summary>
    public async Task<IReadOnlyList<PoolOption>> OptionsAsync(string viewerId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var rows = await db.Pools.Where(p => p.CommunityId == communityId && db.Councils.Any(c => c.Id == p.CouncilId)).OrderBy(p => p.NormalizedName).Take(500)
            .Select(p => new { p.Id, p.Name, Council = p.Council.Name, Items = db.PoolItems.Where(i => i.PoolId == p.Id).Select(i => i.ItemId).ToList(), p.MinContribution })
            .ToListAsync(ct);
        return [.. rows.Select(r => new PoolOption(r.Id, r.Name, r.Council, r.Items, r.MinContribution))];
    }

    public async Task<PoolDetail> GetAsync(string viewerId, Guid communityId, Guid poolId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var viewer = await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var pool = await Pools(db, communityId, poolId)
            .Select(p => new { p.Id, p.Name, p.Description, p.CouncilId, Council = p.Council.Name, p.MinContribution, p.MaxUnitsPerMember })
            .SingleOrDefaultAsync(ct) ?? throw NotFound();
        var es = CatalogNames.Spanish;
        var items = await db.PoolItems.Where(i => i.PoolId == poolId).OrderBy(i => es && i.Item.NameEs != null ? i.Item.NameEs : i.Item.Name)
            .Select(i => new PoolItemRow(i.ItemId, es && i.Item.NameEs != null ? i.Item.NameEs : i.Item.Name)).ToListAsync(ct);
        return new PoolDetail(pool.Id, pool.Name, pool.Description, pool.CouncilId, pool.Council, pool.MinContribution, pool.MaxUnitsPerMember, items,
            PermissionService.MayManageCouncil(viewer, pool.CouncilId));
    }

    /// <summary>The pool's balance per item.</summary>
    public async Task<IReadOnlyList<InventoryRow>> InventoryAsync(string viewerId, Guid communityId, Guid poolId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await DemandPoolAsync(db, viewerId, communityId, poolId, ct);
        return await InventoryRows.Balances(db.InventoryBalances.Where(b => b.HolderId == poolId)).ToListAsync(ct);
    }

    /// <summary>The pool's ledger, newest first, paged.</summary>
    public async Task<Page<LedgerRow>> LedgerAsync(string viewerId, Guid communityId, Guid poolId, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await DemandPoolAsync(db, viewerId, communityId, poolId, ct);
        return await InventoryRows.LedgerPageAsync(db.InventoryEntries.Where(e => e.PoolId == poolId), pageIndex, pageSize, ct);
    }

    /// <summary>Contributions to the pool, pending ones first (oldest first), then the latest decided ones.</summary>
    public async Task<IReadOnlyList<ContributionRow>> ContributionsAsync(string viewerId, Guid communityId, Guid poolId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await DemandPoolAsync(db, viewerId, communityId, poolId, ct);
        return await InventoryRows.PendingThenDecidedAsync(db.Contributions.Where(c => c.PoolId == poolId), ct);
    }

    /// <summary>The latest allocations of the pool's distributions.</summary>
    public async Task<IReadOnlyList<AllocationRow>> AllocationsAsync(string viewerId, Guid communityId, Guid poolId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await DemandPoolAsync(db, viewerId, communityId, poolId, ct);
        var es = CatalogNames.Spanish;
        return await db.PoolAllocations.Where(a => a.PoolId == poolId).OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id).Take(50)
            .Select(a => new AllocationRow(a.Id, a.NeedId, a.Member.DisplayName, es && a.Item.NameEs != null ? a.Item.NameEs : a.Item.Name, a.Units, a.Strategy, a.CreatedAt))
            .ToListAsync(ct);
    }

    private static IQueryable<Pool> Pools(AppDbContext db, Guid communityId, Guid poolId) =>
        db.Pools.Where(p => p.Id == poolId && p.CommunityId == communityId && db.Councils.Any(c => c.Id == p.CouncilId));

    private static async Task DemandPoolAsync(AppDbContext db, string viewerId, Guid communityId, Guid poolId, CancellationToken ct)
    {
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        if (!await Pools(db, communityId, poolId).AnyAsync(ct)) throw NotFound();
    }

    private static NotFoundException NotFound() => new(Text.Get("Error.PoolNotFound"));
}
