using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Wealth;
using CommunityApp.Resources;

namespace CommunityApp.Features.Councils;

public sealed record CouncilRow(Guid Id, string Name, string Description, int TrustCount, int ManagerCount, bool IManage);

public sealed record ManagerRow(string UserId, string DisplayName, string UserName, DateTime Since);

/// <summary>A council's page: what everyone sees, and whether the viewer trusts it and may manage or delete it.</summary>
public sealed record CouncilDetail(Guid Id, string Name, string Description, int TrustCount, DateTime CreatedAt, bool ITrust, bool MayManage, bool MayDelete,
    IReadOnlyList<ManagerRow> Managers, int PendingContributions);

public sealed record InventoryRow(Guid ItemId, string ItemName, int Units);

public sealed record LedgerRow(Guid Id, string ItemName, InventoryEntryKind Kind, int Units, int BalanceAfter, string ActorName, string? Note, Guid? ShareId, DateTime At);

public sealed record ContributionRow(Guid Id, Guid ShareId, string ContributorName, string ItemName, int Units, ContributionStatus Status, DateTime At);

public sealed record CouncilShareRow(Guid Id, string Title, string ItemName, int UnitsOffered, int UnitsFree, int UnitsGiven, ShareStatus Status, DateTime CreatedAt);

public sealed record CouncilOption(Guid Id, string Name);

/// <summary>An active need the council published.</summary>
public sealed record CouncilNeedRow(Guid Id, string Name, int Units, Needs.NeedPriority Priority, Needs.NeedRecurrence Recurrence, string OwnerName);

/// <summary>Everything the council page shows, read in one context: the ledger's first page too (the table pages on from there).</summary>
public sealed record CouncilPageData(CouncilDetail Council, IReadOnlyList<InventoryRow> Inventory, IReadOnlyList<ContributionRow> Contributions,
    IReadOnlyList<CouncilShareRow> Shares, IReadOnlyList<CouncilNeedRow> Needs, Page<LedgerRow> Ledger);

/// <summary>
/// The rows the council and pool pages both show (inventory balances, ledger lines, contributions), their items named in
/// the viewer's language (<see cref="CatalogNames"/>, docs/SPEC.md §5.1).
/// </summary>
internal static class InventoryRows
{
    /// <summary>Balances per item, items with units first, then by name.</summary>
    public static IQueryable<InventoryRow> Balances(IQueryable<InventoryBalance> balances)
    {
        var es = CatalogNames.Spanish;
        return balances.OrderByDescending(b => b.Units > 0).ThenBy(b => es && b.Item.NameEs != null ? b.Item.NameEs : b.Item.Name).Take(500)
            .Select(b => new InventoryRow(b.ItemId, es && b.Item.NameEs != null ? b.Item.NameEs : b.Item.Name, b.Units));
    }

    public static IQueryable<LedgerRow> Ledger(IQueryable<InventoryEntry> lines)
    {
        var es = CatalogNames.Spanish;
        return lines.Select(e => new LedgerRow(e.Id, es && e.Item.NameEs != null ? e.Item.NameEs : e.Item.Name, e.Kind, e.Units, e.BalanceAfter, e.Actor.DisplayName,
            e.Note, e.ShareId, e.CreatedAt));
    }

    /// <summary>One page of an inventory's ledger, newest first, with the count of its lines.</summary>
    public static async Task<Page<LedgerRow>> LedgerPageAsync(IQueryable<InventoryEntry> lines, int pageIndex, int pageSize, CancellationToken ct, int? total = null)
    {
        pageSize = Math.Clamp(pageSize, 1, CouncilQueries.MaxPageSize);
        total ??= await lines.CountAsync(ct);
        var rows = await Ledger(lines.OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id).Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize))
            .ToListAsync(ct);
        return new Page<LedgerRow>(rows, total.Value, Math.Max(0, pageIndex), pageSize);
    }

    /// <summary>
    /// Contributions to a council or a pool: the pending ones first (oldest first), then the latest 20 decided ones, in one
    /// round trip (UNION ALL).
    /// </summary>
    public static async Task<IReadOnlyList<ContributionRow>> PendingThenDecidedAsync(IQueryable<Contribution> all, CancellationToken ct)
    {
        var es = CatalogNames.Spanish;
        var pending = all.Where(c => c.Status == ContributionStatus.Pending).OrderBy(c => c.CreatedAt).Take(CouncilQueries.MaxPageSize);
        var decided = all.Where(c => c.Status != ContributionStatus.Pending).OrderByDescending(c => c.UpdatedAt).Take(20);
        var rows = await pending.Concat(decided)
            .Select(c => new
            {
                c.Id, c.ShareId, Contributor = c.Contributor.DisplayName, Item = es && c.Item.NameEs != null ? c.Item.NameEs : c.Item.Name,
                c.Units, c.Status, c.CreatedAt, c.UpdatedAt,
            })
            .ToListAsync(ct);
        // UNION ALL keeps no order: pending ones oldest first, then decided ones latest first.
        return [.. rows.OrderByDescending(r => r.Status == ContributionStatus.Pending)
            .ThenBy(r => r.Status == ContributionStatus.Pending ? r.CreatedAt.Ticks : -r.UpdatedAt.Ticks)
            .Select(r => new ContributionRow(r.Id, r.ShareId, r.Contributor, r.Item, r.Units, r.Status, r.CreatedAt))];
    }

    public static IQueryable<ContributionRow> Contributions(IQueryable<Contribution> contributions)
    {
        var es = CatalogNames.Spanish;
        return contributions.Select(c => new ContributionRow(c.Id, c.ShareId, c.Contributor.DisplayName, es && c.Item.NameEs != null ? c.Item.NameEs : c.Item.Name,
            c.Units, c.Status, c.CreatedAt));
    }
}

/// <summary>Reading councils (docs/SPEC.md §6): the list, a council's page, its inventory, ledger, contributions and shares. Members only.</summary>
public sealed class CouncilQueries(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxPageSize = 100;

    public async Task<Page<CouncilRow>> ListAsync(string viewerId, Guid communityId, string? search, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        if (!Texts.IsStorable(search)) throw new ValidationFailedException(new Dictionary<string, string> { ["search"] = Texts.UnstorableMessage });
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var councils = db.Councils.Where(c => c.CommunityId == communityId);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var text = search.Trim().ToUpperInvariant();
            councils = councils.Where(c => c.NormalizedName.Contains(text));
        }
        var total = await councils.CountAsync(ct);
        var rows = await councils.OrderByDescending(c => c.TrustCount).ThenBy(c => c.NormalizedName)
            .Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(c => new CouncilRow(c.Id, c.Name, c.Description, c.TrustCount,
                db.CouncilManagers.Count(m => m.CouncilId == c.Id),
                db.CouncilManagers.Any(m => m.CouncilId == c.Id && m.UserId == viewerId)))
            .ToListAsync(ct);
        return new Page<CouncilRow>(rows, total, Math.Max(0, pageIndex), pageSize);
    }

    /// <summary>Councils of the community by name, for choosing where a contribution goes.</summary>
    public async Task<IReadOnlyList<CouncilOption>> OptionsAsync(string viewerId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        return await db.Councils.Where(c => c.CommunityId == communityId).OrderBy(c => c.NormalizedName).Take(500)
            .Select(c => new CouncilOption(c.Id, c.Name)).ToListAsync(ct);
    }

    /// <summary>The council page in one context and one membership check: the page's first paint and each live reload.</summary>
    public async Task<CouncilPageData> PageAsync(string viewerId, Guid communityId, Guid councilId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var viewer = await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var (council, ledgerLines) = await DetailAsync(db, viewer, councilId, ct);
        var ledger = await InventoryRows.LedgerPageAsync(LedgerLines(db, councilId, null), 0, LedgerPageSize, ct, total: ledgerLines);
        var es = CatalogNames.Spanish;
        var needs = await db.Needs.Where(n => n.CouncilId == councilId && n.Status == Needs.NeedStatus.Active)
            .OrderBy(n => n.CreatedAt).Take(MaxPageSize)
            .Select(n => new CouncilNeedRow(n.Id, n.Item != null ? (es && n.Item.NameEs != null ? n.Item.NameEs : n.Item.Name) : n.Title ?? "",
                n.Units, n.Priority, n.Recurrence, n.Owner.DisplayName))
            .ToListAsync(ct);
        return new CouncilPageData(council, await InventoryAsync(db, councilId, ct), await ContributionsAsync(db, councilId, ct),
            await SharesAsync(db, councilId, clock.GetUtcNow().UtcDateTime, ct), needs, ledger);
    }

    /// <summary>The ledger page size the council page opens with (<see cref="CouncilPageData.Ledger"/>).</summary>
    public const int LedgerPageSize = 10;

    private static IQueryable<InventoryEntry> LedgerLines(AppDbContext db, Guid councilId, Guid? itemId)
    {
        var lines = db.InventoryEntries.Where(e => e.CouncilId == councilId && e.PoolId == null);
        return itemId is { } item ? lines.Where(e => e.ItemId == item) : lines;
    }

    public async Task<CouncilDetail> GetAsync(string viewerId, Guid communityId, Guid councilId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var viewer = await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        return (await DetailAsync(db, viewer, councilId, ct)).Council;
    }

    /// <summary>The council's details and managers, and the number of lines in its ledger (the page's pager counts them).</summary>
    private static async Task<(CouncilDetail Council, int LedgerLines)> DetailAsync(AppDbContext db, MemberStanding viewer, Guid councilId, CancellationToken ct)
    {
        var (communityId, viewerId) = (viewer.CommunityId, viewer.UserId);
        // One round trip: the council's row with its few managers joined on. Managers who have left the community keep no
        // powers (the standing needs a membership) and are not listed.
        var council = await db.Councils.Where(c => c.Id == councilId && c.CommunityId == communityId)
            .Select(c => new
            {
                c.Id, c.Name, c.Description, c.TrustCount, c.CreatedAt,
                ITrust = db.CouncilTrusts.Any(t => t.CouncilId == c.Id && t.UserId == viewerId),
                Pending = db.Contributions.Count(x => x.CouncilId == c.Id && x.PoolId == null && x.Status == ContributionStatus.Pending),
                LedgerLines = db.InventoryEntries.Count(e => e.CouncilId == c.Id && e.PoolId == null),
                Managers = db.CouncilManagers.Where(m => m.CouncilId == c.Id && db.Memberships.Any(x => x.CommunityId == communityId && x.UserId == m.UserId))
                    .OrderBy(m => m.AddedAt).Take(MaxPageSize)
                    .Select(m => new ManagerRow(m.UserId, m.User.DisplayName, m.User.UserName ?? "", m.AddedAt)).ToList(),
            })
            .AsSingleQuery()
            .SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException(Text.Get("Error.CouncilNotFound"));
        return (new CouncilDetail(council.Id, council.Name, council.Description, council.TrustCount, council.CreatedAt, council.ITrust,
            PermissionService.MayManageCouncil(viewer, councilId), viewer.IsAdmin, council.Managers, council.Pending), council.LedgerLines);
    }

    /// <summary>The council's balance per item, items with units first.</summary>
    public async Task<IReadOnlyList<InventoryRow>> InventoryAsync(string viewerId, Guid communityId, Guid councilId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await DemandCouncilAsync(db, viewerId, communityId, councilId, ct);
        return await InventoryAsync(db, councilId, ct);
    }

    private static async Task<IReadOnlyList<InventoryRow>> InventoryAsync(AppDbContext db, Guid councilId, CancellationToken ct) =>
        await InventoryRows.Balances(db.InventoryBalances.Where(b => b.HolderId == councilId)).ToListAsync(ct);

    /// <summary>The ledger, newest first, paged; optionally one item's lines.</summary>
    public async Task<Page<LedgerRow>> LedgerAsync(string viewerId, Guid communityId, Guid councilId, Guid? itemId, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await DemandCouncilAsync(db, viewerId, communityId, councilId, ct);
        return await InventoryRows.LedgerPageAsync(LedgerLines(db, councilId, itemId), pageIndex, pageSize, ct);
    }

    /// <summary>Contributions to the council, pending ones first (oldest first), then the latest decided ones.</summary>
    public async Task<IReadOnlyList<ContributionRow>> ContributionsAsync(string viewerId, Guid communityId, Guid councilId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await DemandCouncilAsync(db, viewerId, communityId, councilId, ct);
        return await ContributionsAsync(db, councilId, ct);
    }

    private static Task<IReadOnlyList<ContributionRow>> ContributionsAsync(AppDbContext db, Guid councilId, CancellationToken ct) =>
        InventoryRows.PendingThenDecidedAsync(db.Contributions.Where(c => c.CouncilId == councilId && c.PoolId == null), ct);

    /// <summary>Shares the council made from its inventory, newest first.</summary>
    public async Task<IReadOnlyList<CouncilShareRow>> SharesAsync(string viewerId, Guid communityId, Guid councilId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await DemandCouncilAsync(db, viewerId, communityId, councilId, ct);
        return await SharesAsync(db, councilId, clock.GetUtcNow().UtcDateTime, ct);
    }

    private static async Task<IReadOnlyList<CouncilShareRow>> SharesAsync(AppDbContext db, Guid councilId, DateTime now, CancellationToken ct)
    {
        var es = CatalogNames.Spanish;
        return await db.Shares.Where(s => s.SourceCouncilId == councilId && s.SourcePoolId == null).OrderByDescending(s => s.CreatedAt).Take(MaxPageSize)
            .Select(s => new CouncilShareRow(s.Id, s.Title,
                db.Items.Where(i => i.Id == s.ItemId).Select(i => es && i.NameEs != null ? i.NameEs : i.Name).FirstOrDefault() ?? "",
                s.UnitsOffered, s.UnitsOffered - s.UnitsReserved - s.UnitsGiven, s.UnitsGiven,
                s.Status == ShareStatus.Active && s.ExpiresAt != null && s.ExpiresAt <= now ? ShareStatus.Expired : s.Status, s.CreatedAt))
            .ToListAsync(ct);
    }

    /// <summary>A member of the community, and a council of it; a council of another community is not found here, whatever its id.</summary>
    private static async Task DemandCouncilAsync(AppDbContext db, string viewerId, Guid communityId, Guid councilId, CancellationToken ct)
    {
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        if (!await db.Councils.AnyAsync(c => c.Id == councilId && c.CommunityId == communityId, ct))
            throw new NotFoundException(Text.Get("Error.CouncilNotFound"));
    }
}
