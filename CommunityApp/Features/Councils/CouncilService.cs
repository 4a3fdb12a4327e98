using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Wealth;
using CommunityApp.Resources;

namespace CommunityApp.Features.Councils;

public sealed record CouncilInput(string Name, string Description);

/// <summary>Units a council puts into a share for members to request (docs/SPEC.md §6).</summary>
public sealed record CouncilShareInput(Guid ItemId, int Units, string Title, string? Description, int? MaxUnitsPerMember = null, DateTime? ExpiresAt = null);

/// <summary>Something in a council changed (details, managers, trust, inventory, contributions): open council pages reload.</summary>
public sealed record CouncilChanged(Guid CommunityId, Guid CouncilId) : AppEvent;

/// <summary>
/// Councils (docs/SPEC.md §6): creating one takes the council permission; admins and managers edit; admins delete;
/// managers (and admins) appoint and remove managers, keeping at least one; members trust a council once; managers
/// confirm contributions into the inventory, use units and share them onward. Every manager action is audited.
/// </summary>
public sealed class CouncilService(IDbContextFactory<AppDbContext> dbFactory, IEventHub events, TimeProvider clock)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<Guid> CreateAsync(string actorId, Guid communityId, CouncilInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await PermissionService.DemandAsync(db, communityId, actorId, Permission.CreateCouncils, ct);
        var (name, description) = Validate(input);
        var council = new Council { CommunityId = communityId, Name = name, NormalizedName = name.ToUpperInvariant(), Description = description };
        await EnsureNameFreeAsync(db, communityId, council.NormalizedName, name, null, ct);
        var now = Now;
        db.Councils.Add(council);
        db.CouncilManagers.Add(new CouncilManager { CouncilId = council.Id, UserId = actorId, AddedBy = actorId, AddedAt = now });
        db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.CouncilCreated, new { councilId = council.Id, name }, at: now));
        await SaveNamedAsync(db, name, ct);
        events.Publish(new CouncilChanged(communityId, council.Id));
        return council.Id;
    }

    /// <summary>Admins and the council's managers edit its name and description.</summary>
    public async Task UpdateAsync(string actorId, Guid councilId, CouncilInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var council = await db.Councils.SingleOrDefaultAsync(c => c.Id == councilId, ct) ?? throw NotFound();
        await DemandManagerAsync(db, council, actorId, ct);
        var (name, description) = Validate(input);
        var normalized = name.ToUpperInvariant();
        if (normalized != council.NormalizedName) await EnsureNameFreeAsync(db, council.CommunityId, normalized, name, council.Id, ct);
        var details = new Dictionary<string, object> { ["councilId"] = councilId };
        if (council.Name != name) details["name"] = AuditEntry.Change(council.Name, name);
        if (council.Description != description) details["description"] = AuditEntry.Change(council.Description, description);
        if (details.Count == 1) return;
        (council.Name, council.NormalizedName, council.Description) = (name, normalized, description);
        db.AuditLog.Add(AuditEntry.Record(council.CommunityId, actorId, AuditAction.CouncilEdited, details, at: Now));
        await SaveNamedAsync(db, name, ct);
        events.Publish(new CouncilChanged(council.CommunityId, councilId));
    }

    /// <summary>Admins delete a council (soft delete); its pending contributions are turned down and their givers told.</summary>
    public async Task DeleteAsync(string actorId, Guid councilId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var (communityId, contributors) = await db.InTransactionAsync(async () =>
        {
            var council = await db.Councils.SingleOrDefaultAsync(c => c.Id == councilId, ct) ?? throw NotFound();
            await PermissionService.DemandAdminAsync(db, council.CommunityId, actorId, ct);
            var now = Now;
            var pending = await db.Contributions.Where(c => c.CouncilId == councilId && c.Status == ContributionStatus.Pending)
                .Select(c => new { c.Id, c.ShareId, c.ContributorId }).ToListAsync(ct);
            foreach (var contribution in pending)
            {
                await db.LockForUpdateAsync<Share>(s => s.Id == contribution.ShareId, ct);
                await db.Shares.Where(s => s.Id == contribution.ShareId && s.Status == ShareStatus.Active)
                    .ExecuteUpdateStampedAsync(now, s => s.SetProperty(x => x.Status, ShareStatus.Cancelled), ct);
                await db.Contributions.Where(c => c.Id == contribution.Id && c.Status == ContributionStatus.Pending)
                    .ExecuteUpdateStampedAsync(now, s => s.SetProperty(c => c.Status, ContributionStatus.Rejected)
                        .SetProperty(c => c.DecidedBy, actorId).SetProperty(c => c.DecidedAt, now), ct);
                await NotificationWriter.AddAsync(db, contribution.ContributorId, council.CommunityId, NotificationKind.ContributionRejected, actorId,
                    CommunityUrls.For(council.CommunityId).Share(contribution.ShareId), now, council.Name, ct);
            }
            council.DeletedAt = now;
            db.AuditLog.Add(AuditEntry.Record(council.CommunityId, actorId, AuditAction.CouncilDeleted,
                new { councilId, name = council.Name, contributionsTurnedDown = pending.Count }, at: now));
            await db.SaveChangesAsync(ct);
            return (council.CommunityId, pending.Select(p => p.ContributorId).Distinct().ToList());
        }, ct);
        foreach (var contributor in contributors) events.Publish(new NotificationsChanged(contributor));
        events.Publish(new CouncilChanged(communityId, councilId));
    }

    /// <summary>A manager (or an admin) appoints another member of the community, found by username, as a manager.</summary>
    public async Task AddManagerAsync(string actorId, Guid councilId, string userName, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var council = await db.Councils.AsNoTracking().SingleOrDefaultAsync(c => c.Id == councilId, ct) ?? throw NotFound();
        await DemandManagerAsync(db, council, actorId, ct);
        var name = (userName ?? "").Trim().TrimStart('@');
        var userId = name.Length == 0 || name.Length > 256 ? null : await db.Memberships
            .Where(m => m.CommunityId == council.CommunityId && m.User.NormalizedUserName == name.ToUpperInvariant())
            .Select(m => m.UserId).SingleOrDefaultAsync(ct);
        if (userId is null) throw Invalid("userName", Text.Get("Error.CouncilManagerNotMember"));
        if (await db.CouncilManagers.AnyAsync(m => m.CouncilId == councilId && m.UserId == userId, ct)) throw Invalid("userName", Text.Get("Error.AlreadyManager"));
        var now = Now;
        db.CouncilManagers.Add(new CouncilManager { CouncilId = councilId, UserId = userId, AddedBy = actorId, AddedAt = now });
        db.AuditLog.Add(AuditEntry.Record(council.CommunityId, actorId, AuditAction.CouncilManagerAdded, new { councilId, council = council.Name }, userId, now));
        await NotificationWriter.AddAsync(db, userId, council.CommunityId, NotificationKind.CouncilManagerAdded, actorId,
            CommunityUrls.For(council.CommunityId).Council(councilId), now, council.Name, ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
        {
            throw new ValidationFailedException(new Dictionary<string, string> { ["userName"] = Text.Get("Error.AlreadyManager") }, ex);
        }
        events.Publish(new NotificationsChanged(userId));
        events.Publish(new CouncilChanged(council.CommunityId, councilId));
    }

    /// <summary>A manager (or an admin) removes a manager, themselves included; a council keeps at least one.</summary>
    public async Task RemoveManagerAsync(string actorId, Guid councilId, string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var communityId = await db.InTransactionAsync(async () =>
        {
            // The council's row lock serialises removals, so two managers removing each other cannot leave none.
            await db.LockForUpdateAsync<Council>(c => c.Id == councilId, ct);
            var council = await db.Councils.AsNoTracking().SingleOrDefaultAsync(c => c.Id == councilId, ct) ?? throw NotFound();
            await DemandManagerAsync(db, council, actorId, ct);
            var managers = await db.CouncilManagers.Where(m => m.CouncilId == councilId).Select(m => m.UserId).ToListAsync(ct);
            if (!managers.Contains(userId)) throw new NotFoundException(Text.Get("Error.NotAManager"));
            if (managers.Count == 1) throw new AppException(Text.Get("Error.LastCouncilManager"));
            await db.CouncilManagers.Where(m => m.CouncilId == councilId && m.UserId == userId).ExecuteDeleteAsync(ct);
            db.AuditLog.Add(AuditEntry.Record(council.CommunityId, actorId, AuditAction.CouncilManagerRemoved, new { councilId, council = council.Name }, userId, Now));
            await db.SaveChangesAsync(ct);
            return council.CommunityId;
        }, ct);
        events.Publish(new CouncilChanged(communityId, councilId));
    }

    /// <summary>A member trusts a council, at most once at a time; the count and the history change with it.</summary>
    public Task TrustAsync(string userId, Guid councilId, CancellationToken ct = default) => ChangeTrustAsync(userId, councilId, trust: true, ct);

    /// <summary>A member takes back their trust in a council.</summary>
    public Task UntrustAsync(string userId, Guid councilId, CancellationToken ct = default) => ChangeTrustAsync(userId, councilId, trust: false, ct);

    private async Task ChangeTrustAsync(string userId, Guid councilId, bool trust, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = userId;
        var communityId = await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<Council>(c => c.Id == councilId, ct);
            var council = await db.Councils.SingleOrDefaultAsync(c => c.Id == councilId, ct) ?? throw NotFound();
            await PermissionService.DemandMemberAsync(db, council.CommunityId, userId, ct);
            var active = await db.CouncilTrusts.SingleOrDefaultAsync(t => t.CouncilId == councilId && t.UserId == userId, ct);
            var now = Now;
            if (trust)
            {
                if (active is not null) throw new AppException(Text.Get("Error.AlreadyTrustCouncil"));
                db.CouncilTrusts.Add(new CouncilTrust { CouncilId = councilId, UserId = userId, CreatedAt = now });
                council.TrustCount++;
            }
            else
            {
                if (active is null) throw new AppException(Text.Get("Error.NotTrustingCouncil"));
                active.DeletedAt = now;
                council.TrustCount--;
            }
            db.CouncilTrustHistory.Add(new CouncilTrustHistoryEntry
            {
                CouncilId = councilId, UserId = userId, Action = trust ? CouncilTrustAction.Trusted : CouncilTrustAction.Untrusted, CountAfter = council.TrustCount, At = now,
            });
            await db.SaveChangesAsync(ct);
            return council.CommunityId;
        }, ct);
        events.Publish(new CouncilChanged(communityId, councilId));
    }

    /// <summary>A manager confirms a contribution: the share is given in full and its units enter the council's inventory.</summary>
    public Task ConfirmContributionAsync(string actorId, Guid contributionId, CancellationToken ct = default) =>
        DecideContributionAsync(actorId, contributionId, confirm: true, ct);

    /// <summary>A manager turns a contribution down: the share closes and its giver is told.</summary>
    public Task RejectContributionAsync(string actorId, Guid contributionId, CancellationToken ct = default) =>
        DecideContributionAsync(actorId, contributionId, confirm: false, ct);

    private async Task DecideContributionAsync(string actorId, Guid contributionId, bool confirm, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var (communityId, councilId, contributorId, poolId) = await db.InTransactionAsync(async () =>
        {
            var shareId = await db.Contributions.Where(c => c.Id == contributionId).Select(c => (Guid?)c.ShareId).SingleOrDefaultAsync(ct)
                          ?? throw new NotFoundException(Text.Get("Error.ContributionNotFound"));
            // The share first (as everywhere), then the council inside the ledger.
            await db.LockForUpdateAsync<Share>(s => s.Id == shareId, ct);
            var contribution = await db.Contributions.Include(c => c.Share).IgnoreQueryFilters().SingleAsync(c => c.Id == contributionId, ct);
            var council = await db.Councils.AsNoTracking().SingleOrDefaultAsync(c => c.Id == contribution.CouncilId, ct) ?? throw NotFound();
            await DemandManagerAsync(db, council, actorId, ct);
            if (contribution.Status != ContributionStatus.Pending)
                throw new AppException(Text.Get("Error.ContributionDecided", Text.Get($"ContributionStatus.{contribution.Status}").ToLowerInvariant()));
            var now = Now;
            contribution.Status = confirm ? ContributionStatus.Confirmed : ContributionStatus.Rejected;
            contribution.DecidedBy = actorId;
            contribution.DecidedAt = now;
            if (confirm)
            {
                contribution.Share.UnitsGiven = contribution.Share.UnitsOffered;
                contribution.Share.Status = ShareStatus.Fulfilled;
                // Into the pool's inventory when the contribution was given to one of the council's pools (docs/SPEC.md §7).
                await InventoryLedger.ChangeAsync(db, contribution.CommunityId, contribution.CouncilId, contribution.ItemId, InventoryEntryKind.Received,
                    contribution.Units, actorId, now, ct, contributionId: contribution.Id, poolId: contribution.PoolId);
                // The contribution log (docs/SPEC.md §18), in the same transaction.
                await Recognition.RecognitionLog.ForContributionAsync(db, contribution, actorId, now, ct);
            }
            else
            {
                contribution.Share.Status = ShareStatus.Cancelled;
            }
            db.AuditLog.Add(AuditEntry.Record(contribution.CommunityId, actorId, confirm ? AuditAction.ContributionConfirmed : AuditAction.ContributionRejected,
                new { councilId = contribution.CouncilId, council = council.Name, poolId = contribution.PoolId, contributionId, item = await db.Items.Where(i => i.Id == contribution.ItemId).Select(i => i.Name).SingleAsync(ct),
                    units = contribution.Units }, contribution.ContributorId, now));
            await NotificationWriter.AddAsync(db, contribution.ContributorId, contribution.CommunityId,
                confirm ? NotificationKind.ContributionConfirmed : NotificationKind.ContributionRejected, actorId,
                contribution.PoolId is { } pool ? CommunityUrls.For(contribution.CommunityId).Pool(pool) : CommunityUrls.For(contribution.CommunityId).Council(contribution.CouncilId),
                now, council.Name, ct);
            await db.SaveChangesAsync(ct);
            return (contribution.CommunityId, contribution.CouncilId, contribution.ContributorId, contribution.PoolId);
        }, ct);
        events.Publish(new NotificationsChanged(contributorId));
        events.Publish(new CouncilChanged(communityId, councilId));
        if (poolId is { } changedPool) events.Publish(new Pools.PoolChanged(communityId, changedPool));
    }

    /// <summary>A manager records units the council used itself, with what for.</summary>
    public async Task RecordUseAsync(string actorId, Guid councilId, Guid itemId, int units, string note, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string>();
        if (units < 1 || units > Share.MaxUnits) errors["units"] = Text.Get("Error.Units");
        var text = note?.Trim() ?? "";
        if (text.Length == 0) errors["note"] = Text.Get("Error.UseNoteRequired");
        else if (text.Length > InventoryEntry.NoteMaxLength) errors["note"] = Text.Get("Error.MaxChars", InventoryEntry.NoteMaxLength);
        else if (!Texts.IsStorable(text)) errors["note"] = Texts.UnstorableMessage;
        ValidationFailedException.ThrowIfAny(errors);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var communityId = await db.InTransactionAsync(async () =>
        {
            var council = await db.Councils.AsNoTracking().SingleOrDefaultAsync(c => c.Id == councilId, ct) ?? throw NotFound();
            await DemandManagerAsync(db, council, actorId, ct);
            var item = await db.Items.Where(i => i.Id == itemId && i.CommunityId == council.CommunityId).Select(i => i.Name).SingleOrDefaultAsync(ct)
                       ?? throw Invalid("itemId", Text.Get("Error.UnknownItem"));
            var now = Now;
            var left = await InventoryLedger.ChangeAsync(db, council.CommunityId, councilId, itemId, InventoryEntryKind.Used, -units, actorId, now, ct, note: text);
            db.AuditLog.Add(AuditEntry.Record(council.CommunityId, actorId, AuditAction.InventoryUsed,
                new { councilId, council = council.Name, item, units, left, note = text }, at: now));
            await db.SaveChangesAsync(ct);
            return council.CommunityId;
        }, ct);
        events.Publish(new CouncilChanged(communityId, councilId));
    }

    /// <summary>
    /// A manager shares units from the inventory: they leave it at once (given onward), so no two shares can promise the
    /// same units, and what the share does not give out comes back when it closes. The manager owns the share.
    /// </summary>
    public async Task<Guid> ShareFromInventoryAsync(string actorId, Guid councilId, CouncilShareInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var (communityId, shareId) = await db.InTransactionAsync(async () =>
        {
            var council = await db.Councils.AsNoTracking().SingleOrDefaultAsync(c => c.Id == councilId, ct) ?? throw NotFound();
            await DemandManagerAsync(db, council, actorId, ct);
            var item = await db.Items.AsNoTracking().SingleOrDefaultAsync(i => i.Id == input.ItemId && i.CommunityId == council.CommunityId, ct)
                       ?? throw Invalid("itemId", Text.Get("Error.UnknownItem"));
            var now = Now;
            // The same rules as any share (title, units, caps, expiry), then the units leave the inventory.
            var shareInput = new ShareInput(input.Title, input.Description, item.Kind, input.Units, input.MaxUnitsPerMember, input.ExpiresAt, ItemId: item.Id, CategoryId: item.CategoryId);
            await ShareService.ValidateAsync(db, council.CommunityId, shareInput, minUnits: 1, now, ct);
            var share = new Share { CommunityId = council.CommunityId, OwnerId = actorId, Status = ShareStatus.Active, SourceCouncilId = councilId };
            ShareService.Apply(share, shareInput);
            db.Shares.Add(share);
            await InventoryLedger.ChangeAsync(db, council.CommunityId, councilId, item.Id, InventoryEntryKind.SharedOut, -share.UnitsOffered, actorId, now, ct, shareId: share.Id);
            db.AuditLog.Add(AuditEntry.Record(council.CommunityId, actorId, AuditAction.InventoryShared,
                new { councilId, council = council.Name, item = item.Name, units = share.UnitsOffered, shareId = share.Id, title = share.Title }, at: now));
            await db.SaveChangesAsync(ct);
            return (council.CommunityId, share.Id);
        }, ct);
        events.Publish(new CouncilChanged(communityId, councilId));
        return shareId;
    }

    /// <summary>The member's standing if they may manage the council (a manager or an admin); otherwise the refusal.</summary>
    internal static async Task<MemberStanding> DemandManagerAsync(AppDbContext db, Council council, string actorId, CancellationToken ct)
    {
        var standing = await PermissionService.DemandMemberAsync(db, council.CommunityId, actorId, ct);
        return PermissionService.MayManageCouncil(standing, council.Id) ? standing : throw new ForbiddenException(Text.Get("Error.CouncilManagersOnly"));
    }

    private static (string Name, string Description) Validate(CouncilInput input)
    {
        var errors = new Dictionary<string, string>();
        var name = Names.Normalize(input.Name);
        if (name.Length < Council.NameMinLength || name.Length > Council.NameMaxLength)
            errors["name"] = Text.Get("Error.LengthRange", Council.NameMinLength, Council.NameMaxLength);
        else if (Names.HasHiddenCharacters(name)) errors["name"] = Names.HiddenCharactersMessage;
        var description = input.Description?.Trim() ?? "";
        if (description.Length < Council.DescriptionMinLength || description.Length > Council.DescriptionMaxLength)
            errors["description"] = Text.Get("Error.LengthRange", Council.DescriptionMinLength, Council.DescriptionMaxLength);
        else if (!Texts.IsStorable(description)) errors["description"] = Texts.UnstorableMessage;
        ValidationFailedException.ThrowIfAny(errors);
        return (name, description);
    }

    private static async Task EnsureNameFreeAsync(AppDbContext db, Guid communityId, string normalized, string name, Guid? except, CancellationToken ct)
    {
        if (await db.Councils.AnyAsync(c => c.CommunityId == communityId && c.NormalizedName == normalized && c.Id != except, ct))
            throw Invalid("name", Text.Get("Error.NameTaken", name));
    }

    /// <summary>Saves; a name taken at the same moment by someone else meets the unique index and is said like any taken name.</summary>
    private static async Task SaveNamedAsync(AppDbContext db, string name, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
        {
            throw new ValidationFailedException(new Dictionary<string, string> { ["name"] = Text.Get("Error.NameTaken", name) }, ex);
        }
    }

    private static NotFoundException NotFound() => new(Text.Get("Error.CouncilNotFound"));

    private static ValidationFailedException Invalid(string field, string message) => new(new Dictionary<string, string> { [field] = message });
}
