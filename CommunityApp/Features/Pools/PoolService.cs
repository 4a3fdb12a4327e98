using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Wealth;
using CommunityApp.Resources;

namespace CommunityApp.Features.Pools;

public sealed record PoolInput(string Name, string? Description, IReadOnlyList<Guid> ItemIds, int? MinContribution = null, int? MaxUnitsPerMember = null);

/// <summary>One row of a distribution preview: a member's need, what it asks (less what the pool already gave it this period) and what the plan proposes.</summary>
public sealed record DistributionRow(Guid NeedId, string MemberId, string MemberName, int Asked, int Proposed, DateTime CreatedAt);

/// <summary>A distribution preview (or what a confirmation gave): the supply of the item, the strategy, one row per active need.</summary>
public sealed record DistributionPreview(Guid PoolId, Guid ItemId, string ItemName, DistributionStrategy Strategy, int Supply, int? MaxUnitsPerMember,
    IReadOnlyList<DistributionRow> Rows, int Given, int LeftOver);

/// <summary>What a confirmed distribution gave; <see cref="DiffersFromPreview"/> when the needs or the supply moved since the preview.</summary>
public sealed record DistributionResult(Guid DistributionId, DistributionPreview Given, bool DiffersFromPreview);

/// <summary>
/// Pools (docs/SPEC.md §7): a council's managers (and admins) create and manage them; contributions come in through
/// <see cref="ShareService"/> and <see cref="CouncilService.ConfirmContributionAsync"/>; units go out by a distribution
/// from the active needs for one item (preview, then confirm, re-planned under the pool's row lock) or by a share sourced
/// from the pool. Every manager action is audited.
/// </summary>
public sealed class PoolService(IDbContextFactory<AppDbContext> dbFactory, IEventHub events, TimeProvider clock)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>A manager of the council (or an admin) creates a pool: the pool permission in the council's scope.</summary>
    public async Task<Guid> CreateAsync(string actorId, Guid councilId, PoolInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var council = await db.Councils.AsNoTracking().SingleOrDefaultAsync(c => c.Id == councilId, ct) ?? throw new NotFoundException(Text.Get("Error.CouncilNotFound"));
        var standing = await PermissionService.DemandMemberAsync(db, council.CommunityId, actorId, ct);
        if (!PermissionService.MayManageCouncil(standing, councilId)) throw new ForbiddenException(Text.Get("Error.CouncilManagersOnly"));
        var check = PermissionService.Decide(standing, Permission.CreatePools, PermissionScope.Council(council.CommunityId, councilId));
        if (!check.Allowed) throw check.Refusal();

        var (name, normalized, description, itemIds) = await ValidateAsync(db, council.CommunityId, councilId, null, input, ct);

        var now = Now;
        var pool = new Pool
        {
            CommunityId = council.CommunityId, CouncilId = councilId, Name = name, NormalizedName = normalized, Description = description,
            MinContribution = input.MinContribution, MaxUnitsPerMember = input.MaxUnitsPerMember,
        };
        db.Pools.Add(pool);
        foreach (var itemId in itemIds) db.PoolItems.Add(new PoolItem { PoolId = pool.Id, ItemId = itemId });
        db.AuditLog.Add(AuditEntry.Record(council.CommunityId, actorId, AuditAction.PoolCreated,
            new { poolId = pool.Id, name, councilId, council = council.Name, items = itemIds.Count, input.MinContribution, input.MaxUnitsPerMember }, at: now));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
        {
            throw new ValidationFailedException(new Dictionary<string, string> { ["name"] = Text.Get("Error.NameTaken", name) }, ex);
        }
        events.Publish(new CouncilChanged(council.CommunityId, councilId));
        return pool.Id;
    }

    /// <summary>
    /// A manager of the council (or an admin) edits a pool: its name, description, accepted items and limits. An item stays
    /// accepted while the pool holds units of it or an open checkout link gives it. Audited with what changed, old → new.
    /// </summary>
    public async Task UpdateAsync(string actorId, Guid poolId, PoolInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var (communityId, councilId) = await db.InTransactionAsync(async () =>
        {
            // The pool's row lock: contributions, distributions and checkouts of this pool wait while its items change.
            await db.LockForUpdateAsync<Pool>(p => p.Id == poolId, ct);
            var pool = await LoadManagedPoolAsync(db, actorId, poolId, ct);
            var (name, normalized, description, itemIds) = await ValidateAsync(db, pool.CommunityId, pool.CouncilId, poolId, input, ct);
            var current = await db.PoolItems.Where(i => i.PoolId == poolId).Select(i => i.ItemId).ToListAsync(ct);
            var removed = current.Except(itemIds).ToList();
            if (removed.Count > 0)
            {
                var held = await db.InventoryBalances.Where(b => b.HolderId == poolId && removed.Contains(b.ItemId) && b.Units > 0)
                    .Select(b => new { b.Item.Name, b.Units }).FirstOrDefaultAsync(ct);
                if (held is not null)
                    throw new ValidationFailedException(new Dictionary<string, string> { ["itemIds"] = Text.Get("Error.PoolItemHeld", held.Units, held.Name) });
                var linked = await db.CheckoutLinks.Where(l => l.PoolId == poolId && l.RevokedAt == null && removed.Contains(l.ItemId!.Value))
                    .Select(l => db.Items.Where(i => i.Id == l.ItemId).Select(i => i.Name).Single()).FirstOrDefaultAsync(ct);
                if (linked is not null)
                    throw new ValidationFailedException(new Dictionary<string, string> { ["itemIds"] = Text.Get("Error.PoolItemLinked", linked) });
            }
            var added = itemIds.Except(current).ToList();
            var changes = new Dictionary<string, object?>();
            void Changed<T>(string field, T before, T after)
            {
                if (!EqualityComparer<T>.Default.Equals(before, after)) changes[field] = new { from = before, to = after };
            }
            Changed("name", pool.Name, name);
            Changed("description", pool.Description, description);
            Changed("minContribution", pool.MinContribution, input.MinContribution);
            Changed("maxUnitsPerMember", pool.MaxUnitsPerMember, input.MaxUnitsPerMember);
            if (added.Count + removed.Count > 0) changes["items"] = new { added = added.Count, removed = removed.Count };
            if (changes.Count == 0) return (pool.CommunityId, pool.CouncilId);

            var now = Now;
            await db.Pools.Where(p => p.Id == poolId).ExecuteUpdateStampedAsync(now, x => x
                .SetProperty(p => p.Name, name).SetProperty(p => p.NormalizedName, normalized).SetProperty(p => p.Description, description)
                .SetProperty(p => p.MinContribution, input.MinContribution).SetProperty(p => p.MaxUnitsPerMember, input.MaxUnitsPerMember), ct);
            if (removed.Count > 0) await db.PoolItems.Where(i => i.PoolId == poolId && removed.Contains(i.ItemId)).ExecuteDeleteAsync(ct);
            foreach (var itemId in added) db.PoolItems.Add(new PoolItem { PoolId = poolId, ItemId = itemId });
            db.AuditLog.Add(AuditEntry.Record(pool.CommunityId, actorId, AuditAction.PoolEdited, new { poolId, pool = name, changes }, at: now));
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
            {
                throw new ValidationFailedException(new Dictionary<string, string> { ["name"] = Text.Get("Error.NameTaken", name) }, ex);
            }
            return (pool.CommunityId, pool.CouncilId);
        }, ct);
        events.Publish(new PoolChanged(communityId, poolId));
        events.Publish(new CouncilChanged(communityId, councilId));
    }

    /// <summary>A pool's fields, each refusal on its own field; the name unique in the council ignoring case (another pool's, when editing).</summary>
    private static async Task<(string Name, string Normalized, string Description, List<Guid> ItemIds)> ValidateAsync(
        AppDbContext db, Guid communityId, Guid councilId, Guid? poolId, PoolInput input, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>();
        var name = Names.Normalize(input.Name);
        if (name.Length < Pool.NameMinLength || name.Length > Pool.NameMaxLength) errors["name"] = Text.Get("Error.LengthRange", Pool.NameMinLength, Pool.NameMaxLength);
        else if (Names.HasHiddenCharacters(name)) errors["name"] = Names.HiddenCharactersMessage;
        var description = input.Description?.Trim() ?? "";
        if (description.Length > Pool.DescriptionMaxLength) errors["description"] = Text.Get("Error.MaxChars", Pool.DescriptionMaxLength);
        else if (!Texts.IsStorable(description)) errors["description"] = Texts.UnstorableMessage;
        var itemIds = (input.ItemIds ?? []).Distinct().ToList();
        if (itemIds.Count == 0) errors["itemIds"] = Text.Get("Error.PoolItemsRequired");
        else if (itemIds.Count > 100 || await db.Items.CountAsync(i => itemIds.Contains(i.Id) && i.CommunityId == communityId, ct) != itemIds.Count)
            errors["itemIds"] = Text.Get("Error.UnknownItem");
        if (input.MinContribution is < 1 or > Share.MaxUnits) errors["minContribution"] = Text.Get("Error.Units");
        if (input.MaxUnitsPerMember is < 1 or > Share.MaxUnits) errors["maxUnitsPerMember"] = Text.Get("Error.Units");
        var normalized = name.ToUpperInvariant();
        if (!errors.ContainsKey("name") && await db.Pools.AnyAsync(p => p.CouncilId == councilId && p.NormalizedName == normalized && p.Id != poolId, ct))
            errors["name"] = Text.Get("Error.NameTaken", name);
        ValidationFailedException.ThrowIfAny(errors);

        return (name, normalized, description, itemIds);
    }

    /// <summary>The preview of a distribution of one item of the pool: nothing is given. Managers (and admins) only.</summary>
    public async Task<DistributionPreview> PreviewAsync(string actorId, Guid poolId, Guid itemId, DistributionStrategy strategy, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var pool = await LoadManagedPoolAsync(db, actorId, poolId, ct);
        return (await PlanAsync(db, pool, itemId, strategy, Now, ct)).Plan;
    }

    /// <summary>
    /// Confirms a distribution: under the pool's row lock the active needs and the supply are read again and planned
    /// again, and what that plan says is given (needs cancelled or served since the preview are left out; the result says
    /// when it differs from <paramref name="previewed"/>). Each allocation is a ledger line out of the pool and a
    /// <see cref="PoolAllocation"/>; a need served in full for its period becomes fulfilled; each member is told.
    /// </summary>
    public async Task<DistributionResult> DistributeAsync(string actorId, Guid poolId, Guid itemId, DistributionStrategy strategy,
        DistributionPreview? previewed = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var (result, members, communityId) = await db.InTransactionAsync(async () =>
        {
            // The pool's row first: parallel distributions and shares of this pool take turns, so the supply read here holds.
            await db.LockForUpdateAsync<Pool>(p => p.Id == poolId, ct);
            var pool = await LoadManagedPoolAsync(db, actorId, poolId, ct);
            var (plan, englishName) = await PlanAsync(db, pool, itemId, strategy, Now, ct);
            if (plan.Given == 0) throw new AppException(Text.Get(plan.Supply == 0 ? "Error.PoolItemEmpty" : "Error.PoolNoNeeds"));
            var now = Now;
            var distributionId = Guid.CreateVersion7();
            foreach (var row in plan.Rows.Where(r => r.Proposed > 0))
            {
                await InventoryLedger.ChangeAsync(db, pool.CommunityId, pool.CouncilId, itemId, InventoryEntryKind.Distributed, -row.Proposed, actorId, now, ct,
                    note: row.MemberName.Length > InventoryEntry.NoteMaxLength ? row.MemberName[..InventoryEntry.NoteMaxLength] : row.MemberName, poolId: poolId);
                db.PoolAllocations.Add(new PoolAllocation
                {
                    CommunityId = pool.CommunityId, PoolId = poolId, DistributionId = distributionId, NeedId = row.NeedId, MemberId = row.MemberId,
                    ItemId = itemId, Units = row.Proposed, Strategy = strategy, ActorId = actorId, CreatedAt = now,
                });
                // Served in full for its period (what earlier distributions gave counts too): the need is fulfilled.
                if (row.Proposed >= row.Asked)
                    await db.Needs.Where(n => n.Id == row.NeedId && n.Status == NeedStatus.Active)
                        .ExecuteUpdateStampedAsync(now, s => s.SetProperty(n => n.Status, NeedStatus.Fulfilled).SetProperty(n => n.FulfilledAt, now), ct);
                await NotificationWriter.AddAsync(db, row.MemberId, pool.CommunityId, NotificationKind.PoolAllocated, actorId,
                    CommunityUrls.For(pool.CommunityId).Need(row.NeedId), now, $"{row.Proposed} × {plan.ItemName} · {pool.Name}", ct);
            }
            db.AuditLog.Add(AuditEntry.Record(pool.CommunityId, actorId, AuditAction.PoolDistributed,
                new { poolId, pool = pool.Name, item = englishName, strategy = strategy.ToString(), distributionId, given = plan.Given, needs = plan.Rows.Count(r => r.Proposed > 0) }, at: now));
            await db.SaveChangesAsync(ct);
            var differs = previewed is not null && !SameAllocations(previewed, plan);
            return (new DistributionResult(distributionId, plan, differs), plan.Rows.Where(r => r.Proposed > 0).Select(r => r.MemberId).Distinct().ToList(), pool.CommunityId);
        }, ct);
        foreach (var member in members) events.Publish(new NotificationsChanged(member));
        events.Publish(new NeedsChanged(communityId));
        events.Publish(new PoolChanged(communityId, poolId));
        return result;
    }

    /// <summary>
    /// A manager shares units from the pool's inventory (manual distribution): they leave it at once, and what the share
    /// does not give out comes back to the pool when it closes. The share's source is the pool and its council.
    /// </summary>
    public async Task<Guid> ShareFromPoolAsync(string actorId, Guid poolId, CouncilShareInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var (communityId, shareId) = await db.InTransactionAsync(async () =>
        {
            var pool = await LoadManagedPoolAsync(db, actorId, poolId, ct);
            var item = await db.Items.AsNoTracking().SingleOrDefaultAsync(i => i.Id == input.ItemId && i.CommunityId == pool.CommunityId, ct)
                       ?? throw new ValidationFailedException(new Dictionary<string, string> { ["itemId"] = Text.Get("Error.UnknownItem") });
            var now = Now;
            var shareInput = new ShareInput(input.Title, input.Description, item.Kind, input.Units, input.MaxUnitsPerMember, input.ExpiresAt, ItemId: item.Id, CategoryId: item.CategoryId);
            await ShareService.ValidateAsync(db, pool.CommunityId, shareInput, minUnits: 1, now, ct);
            var share = new Share { CommunityId = pool.CommunityId, OwnerId = actorId, Status = ShareStatus.Active, SourceCouncilId = pool.CouncilId, SourcePoolId = poolId };
            ShareService.Apply(share, shareInput);
            db.Shares.Add(share);
            await InventoryLedger.ChangeAsync(db, pool.CommunityId, pool.CouncilId, item.Id, InventoryEntryKind.SharedOut, -share.UnitsOffered, actorId, now, ct,
                shareId: share.Id, poolId: poolId);
            db.AuditLog.Add(AuditEntry.Record(pool.CommunityId, actorId, AuditAction.PoolShared,
                new { poolId, pool = pool.Name, item = item.Name, units = share.UnitsOffered, shareId = share.Id, title = share.Title }, at: now));
            await db.SaveChangesAsync(ct);
            return (pool.CommunityId, share.Id);
        }, ct);
        events.Publish(new PoolChanged(communityId, poolId));
        return shareId;
    }

    private static bool SameAllocations(DistributionPreview before, DistributionPreview now) =>
        before.Rows.Where(r => r.Proposed > 0).Select(r => (r.NeedId, r.Proposed)).OrderBy(r => r.NeedId)
            .SequenceEqual(now.Rows.Where(r => r.Proposed > 0).Select(r => (r.NeedId, r.Proposed)).OrderBy(r => r.NeedId));

    /// <summary>
    /// The most needs one distribution plans over, oldest first: far above a community's active needs for one item, and a
    /// bound on the work (the preview of 10,000 needs is benchmarked, ./bench.sh pools).
    /// </summary>
    public const int MaxNeedsPerDistribution = 20_000;

    /// <summary>
    /// The plan for one item: the pool's balance, the community's active needs for the item, oldest first, each asking its
    /// units less what this pool already gave it in the need's current period, through <see cref="DistributionPlanner"/>.
    /// </summary>
    /// <remarks>The preview names the item in the viewer's language (docs/SPEC.md §5.1); the English name comes beside it for the audit entry.</remarks>
    private static async Task<(DistributionPreview Plan, string EnglishName)> PlanAsync(AppDbContext db, Pool pool, Guid itemId, DistributionStrategy strategy, DateTime now, CancellationToken ct)
    {
        if (!Enum.IsDefined(strategy)) throw new ValidationFailedException(new Dictionary<string, string> { ["strategy"] = Text.Get("Error.PoolStrategy") });
        var item = await db.PoolItems.Where(i => i.PoolId == pool.Id && i.ItemId == itemId).Select(i => new { i.Item.Name, i.Item.NameEs }).SingleOrDefaultAsync(ct)
                   ?? throw new ValidationFailedException(new Dictionary<string, string> { ["itemId"] = Text.Get("Error.PoolItemUnknown") });
        var supply = await db.InventoryBalances.Where(b => b.HolderId == pool.Id && b.ItemId == itemId).Select(b => (int?)b.Units).SingleOrDefaultAsync(ct) ?? 0;
        var needs = await db.Needs
            .Where(n => n.CommunityId == pool.CommunityId && n.ItemId == itemId && n.Status == NeedStatus.Active && (n.ExpiresAt == null || n.ExpiresAt > now)
                        && db.Memberships.Any(m => m.CommunityId == pool.CommunityId && m.UserId == n.OwnerId))
            .OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).Take(MaxNeedsPerDistribution)
            .Select(n => new
            {
                n.Id, n.OwnerId, n.Owner.DisplayName, n.CreatedAt,
                Left = n.Units - (db.PoolAllocations.Where(a => a.NeedId == n.Id && a.CreatedAt >= n.PeriodStart).Sum(a => (int?)a.Units) ?? 0),
            })
            .ToListAsync(ct);
        var open = needs.Where(n => n.Left > 0).ToList();
        var plan = DistributionPlanner.Plan(supply, pool.MaxUnitsPerMember, strategy, [.. open.Select(n => new NeedDemand(n.Id, n.OwnerId, n.Left, n.CreatedAt))]);
        var rows = open.Select(n => new DistributionRow(n.Id, n.OwnerId, n.DisplayName, n.Left, plan.UnitsFor(n.Id), n.CreatedAt)).ToList();
        return (new DistributionPreview(pool.Id, itemId, CatalogNames.Shown(item.Name, item.NameEs), strategy, supply, pool.MaxUnitsPerMember, rows, plan.Given, plan.LeftOver),
            item.Name);
    }

    /// <summary>The pool, if the actor manages its council (or is an admin); otherwise the refusal.</summary>
    internal static async Task<Pool> LoadManagedPoolAsync(AppDbContext db, string actorId, Guid poolId, CancellationToken ct)
    {
        var pool = await db.Pools.AsNoTracking().Where(p => p.Id == poolId && db.Councils.Any(c => c.Id == p.CouncilId)).SingleOrDefaultAsync(ct)
                   ?? throw new NotFoundException(Text.Get("Error.PoolNotFound"));
        var standing = await PermissionService.DemandMemberAsync(db, pool.CommunityId, actorId, ct);
        return PermissionService.MayManageCouncil(standing, pool.CouncilId) ? pool : throw new ForbiddenException(Text.Get("Error.PoolManagersOnly"));
    }
}
