using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Pools;
using CommunityApp.Features.Wealth;
using CommunityApp.Resources;

namespace CommunityApp.Features.Checkout;

public sealed record CheckoutLinkInput(string? Title = null, int? CapPerCheckout = null);

/// <summary>What a checkout page shows about its link right now.</summary>
public enum CheckoutLinkState
{
    Open,
    Revoked,
    /// <summary>Every unit of the share is out (given or reserved).</summary>
    AllGone,
    /// <summary>The share is cancelled or expired.</summary>
    Closed,
}

/// <summary>One of a share's (or a pool's) links as its owner (or the pool's managers) see it; a pool's link names its item.</summary>
public sealed record CheckoutLinkRow(Guid Id, string Token, string? Title, int? CapPerCheckout, int UnitsGiven, int CheckoutCount,
    DateTime CreatedAt, DateTime? RevokedAt, string Url, string? ItemName = null)
{
    public bool IsRevoked => RevokedAt is not null;
}

/// <summary>One checkout through a link: who, how many, when.</summary>
public sealed record CheckoutRow(Guid Id, string UserName, int Units, DateTime At);

/// <summary>
/// The checkout page: the link, what it gives from (a share: its title and owner; a pool: the item's name, the pool's name and
/// no total offered), what is left, and whether this member may take from it (and why not).
/// </summary>
public sealed record CheckoutView(
    Guid LinkId, Guid? ShareId, Guid? PoolId, string Title, string? Description, string? LinkTitle, string OwnerName, bool IsOwner,
    int UnitsLeft, int? UnitsOffered, int MaxPerCheckout, CheckoutLinkState State, ShareStatus ShareStatus, PermissionCheck Check,
    string? StateNote = null);

/// <summary>The printable card of a link: its title, what it gives (the share's title, or the pool's item and name) and its absolute URL.</summary>
public sealed record CheckoutPrintView(Guid LinkId, string ShareTitle, string? LinkTitle, string Url, bool IsRevoked);

/// <summary>Checkouts through a share's or a pool's links changed (a checkout, a new or revoked link): <paramref name="SourceId"/> is the share or the pool.</summary>
public sealed record CheckoutsChanged(Guid CommunityId, Guid SourceId) : AppEvent;

/// <summary>
/// Checkout links (docs/SPEC.md §19): the owner of an active share, or a manager of a pool for one of its items, hands out a
/// link and a QR code; a member with the checkout permission takes units through it at once. From a share that is a
/// fulfilled request, the units moved by one conditional UPDATE on the share (<c>units_reserved + units_given + n ≤
/// units_offered</c>, as <see cref="ShareService"/>); from a pool it is a ledger line out of the pool's inventory under the
/// pool's row lock (<see cref="InventoryLedger"/>, the lock distributions take too). The link's own counters move by one
/// conditional UPDATE that refuses a revoked link, so parallel scans never give out more than there is nor count a
/// checkout twice.
/// </summary>
public sealed class CheckoutService(IDbContextFactory<AppDbContext> dbFactory, IEventHub events, TimeProvider clock, PublicUrls publicUrls)
{
    public const int MaxPageSize = 50;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>The link's absolute address, on <c>App:PublicBaseUrl</c> (never the request's Host).</summary>
    public string AbsoluteUrl(Guid communityId, string token) => publicUrls.Absolute(CommunityUrls.For(communityId).Checkout(token));

    /// <summary>Only the owner of an active share with units left creates a link for it; at most <see cref="CheckoutLink.MaxOpenPerSource"/> open at once.</summary>
    public async Task<(Guid Id, string Token)> CreateAsync(string ownerId, Guid shareId, CheckoutLinkInput input, CancellationToken ct = default)
    {
        var title = Validate(input);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = ownerId;
        var (communityId, link) = await db.InTransactionAsync(async () =>
        {
            // The share row lock counts the open links one at a time.
            await db.LockForUpdateAsync<Share>(s => s.Id == shareId, ct);
            var share = await OwnedShareAsync(db, ownerId, shareId, ct);
            // A gift to a council goes to its managers, never to whoever scans a code.
            if (share.Target != ShareTarget.Community) throw new AppException(Text.Get("Error.ShareIsContribution"));
            EnsureOpen(share, Now);
            if (await db.CheckoutLinks.CountAsync(l => l.ShareId == shareId && l.RevokedAt == null, ct) >= CheckoutLink.MaxOpenPerSource)
                throw new AppException(Text.Get("Checkout.Error.TooMany", CheckoutLink.MaxOpenPerSource));
            var link = new CheckoutLink { CommunityId = share.CommunityId, ShareId = shareId, Token = CheckoutLink.NewToken(), Title = title, CapPerCheckout = input.CapPerCheckout };
            db.CheckoutLinks.Add(link);
            db.AuditLog.Add(AuditEntry.Record(share.CommunityId, ownerId, AuditAction.CheckoutLinkCreated,
                new { linkId = link.Id, shareId, share = share.Title, title, cap = input.CapPerCheckout }, at: Now));
            await db.SaveChangesAsync(ct);
            return (share.CommunityId, link);
        }, ct);
        events.Publish(new CheckoutsChanged(communityId, shareId));
        return (link.Id, link.Token);
    }

    /// <summary>
    /// A manager of the pool's council (or an admin) creates a link for one item the pool accepts (docs/SPEC.md §19): it stays
    /// until revoked, giving from whatever the pool holds of the item; at most <see cref="CheckoutLink.MaxOpenPerSource"/> open at once.
    /// </summary>
    public async Task<(Guid Id, string Token)> CreateForPoolAsync(string actorId, Guid poolId, Guid? itemId, CheckoutLinkInput input, CancellationToken ct = default)
    {
        var title = Validate(input, itemId is null ? new() { ["itemId"] = Text.Get("Councils.ChooseItem") } : null);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var (communityId, link) = await db.InTransactionAsync(async () =>
        {
            // The pool's row lock counts the open links one at a time.
            await db.LockForUpdateAsync<Pool>(p => p.Id == poolId, ct);
            var pool = await PoolService.LoadManagedPoolAsync(db, actorId, poolId, ct);
            var itemName = await db.PoolItems.Where(i => i.PoolId == poolId && i.ItemId == itemId).Select(i => i.Item.Name).SingleOrDefaultAsync(ct)
                           ?? throw new ValidationFailedException(new Dictionary<string, string> { ["itemId"] = Text.Get("Error.PoolItemUnknown") });
            if (await db.CheckoutLinks.CountAsync(l => l.PoolId == poolId && l.RevokedAt == null, ct) >= CheckoutLink.MaxOpenPerSource)
                throw new AppException(Text.Get("Checkout.Error.TooManyForPool", CheckoutLink.MaxOpenPerSource));
            var link = new CheckoutLink { CommunityId = pool.CommunityId, PoolId = poolId, ItemId = itemId, Token = CheckoutLink.NewToken(), Title = title, CapPerCheckout = input.CapPerCheckout };
            db.CheckoutLinks.Add(link);
            db.AuditLog.Add(AuditEntry.Record(pool.CommunityId, actorId, AuditAction.CheckoutLinkCreated,
                new { linkId = link.Id, poolId, pool = pool.Name, item = itemName, title, cap = input.CapPerCheckout }, at: Now));
            await db.SaveChangesAsync(ct);
            return (pool.CommunityId, link);
        }, ct);
        events.Publish(new CheckoutsChanged(communityId, poolId));
        return (link.Id, link.Token);
    }

    /// <summary>The owner of the share (or a manager of the pool) revokes a link: it stops at once and says so; audited. A link is revoked once.</summary>
    public async Task RevokeAsync(string actorId, Guid linkId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var (communityId, sourceId) = await db.InTransactionAsync(async () =>
        {
            var link = await db.CheckoutLinks.AsNoTracking().SingleOrDefaultAsync(l => l.Id == linkId, ct) ?? throw new NotFoundException(Text.Get("Checkout.Error.NotFound"));
            var source = await ManagedSourceAsync(db, actorId, link, ct);
            var now = Now;
            var revoked = await db.CheckoutLinks.Where(l => l.Id == linkId && l.RevokedAt == null)
                .ExecuteUpdateStampedAsync(now, s => s.SetProperty(l => l.RevokedAt, now), ct);
            if (revoked == 0) throw new AppException(Text.Get("Checkout.Error.AlreadyRevoked"));
            db.AuditLog.Add(AuditEntry.Record(link.CommunityId, actorId, AuditAction.CheckoutLinkRevoked, link.ShareId is { } shareId
                ? new { linkId, shareId, share = source.Title, title = link.Title, unitsGiven = link.UnitsGiven }
                : (object)new { linkId, poolId = link.PoolId, pool = source.Title, title = link.Title, unitsGiven = link.UnitsGiven }, at: now));
            await db.SaveChangesAsync(ct);
            return (link.CommunityId, source.Id);
        }, ct);
        events.Publish(new CheckoutsChanged(communityId, sourceId));
    }

    /// <summary>
    /// Takes <paramref name="units"/> through the link (docs/SPEC.md §19): the checkout permission and the share's own trust cap,
    /// never one's own share, an open link on an open share, 1 ≤ units ≤ the link's cap (and the share's per-member cap) and
    /// ≤ what is left. Records a fulfilled request at once and tells the owner; the share is fulfilled with its last unit.
    /// </summary>
    public async Task<Guid> CheckoutAsync(string userId, Guid communityId, string token, int units, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = userId;
        var found = await FindAsync(db, communityId, token, ct);
        if (found.PoolId is not null) return await CheckoutFromPoolAsync(db, userId, found, units, ct);
        var (ownerId, shareId, requestId) = await db.InTransactionAsync(async () =>
        {
            // A recurring share whose period has ended is refilled first (docs/SPEC.md §5.2), so the link reads this period's units.
            var link = await FindAsync(db, communityId, token, ct);
            if (await SharePeriods.RefillIfDueAsync(db, link.Share!, Now, ct)) link = await FindAsync(db, communityId, token, ct);
            var share = link.Share!;
            var standing = await PermissionService.DemandMemberAsync(db, communityId, userId, ct);
            if (share.OwnerId == userId) throw new AppException(Text.Get("Checkout.Error.OwnShare"));
            var check = PermissionService.DecideShareRequest(standing, share.MinTrust, Permission.UseCheckoutLinks);
            if (!check.Allowed) throw check.Refusal();
            var now = Now;
            var state = StateOf(link, share, now);
            // A recurring share is all gone for this period only, and says when it refills (docs/SPEC.md §5.2).
            if (state != CheckoutLinkState.Open)
                throw new AppException(state == CheckoutLinkState.AllGone && share.IsRecurring ? ShareService.NoneLeftThisPeriod(share) : StateMessage(state, share.Status));
            var max = MaxPerCheckout(link, share);
            if (units < 1 || units > max) throw Field(Text.Get("Checkout.Error.Units", max));
            if (units > share.UnitsFree) throw Field(Text.Get("Checkout.Error.NotEnoughLeft", share.UnitsFree));

            // The link first: a revoked link stops here, and its counters move with the units (one checkout, counted once).
            var counted = await db.CheckoutLinks.Where(l => l.Id == link.Id && l.RevokedAt == null)
                .ExecuteUpdateStampedAsync(now, s => s.SetProperty(l => l.UnitsGiven, l => l.UnitsGiven + units)
                                                      .SetProperty(l => l.CheckoutCount, l => l.CheckoutCount + 1), ct);
            if (counted == 0) throw new AppException(Text.Get("Checkout.Revoked"));
            // One conditional UPDATE gives the units, or nothing when a parallel checkout took them first.
            var given = await db.Shares
                .Where(s => s.Id == share.Id && s.Status == ShareStatus.Active && (s.ExpiresAt == null || s.ExpiresAt > now)
                            && s.PeriodStart == share.PeriodStart && s.UnitsReserved + s.UnitsGiven + units <= s.UnitsOffered)
                .ExecuteUpdateStampedAsync(now, s => s.SetProperty(x => x.UnitsGiven, x => x.UnitsGiven + units), ct);
            if (given == 0)
            {
                var left = await db.Shares.Where(s => s.Id == share.Id).Select(s => new { s.Status, Free = s.UnitsOffered - s.UnitsReserved - s.UnitsGiven }).SingleAsync(ct);
                if (left.Status is ShareStatus.Cancelled or ShareStatus.Expired) throw new AppException(StateMessage(CheckoutLinkState.Closed, left.Status));
                throw left.Free > 0 ? Field(Text.Get("Checkout.Error.NotEnoughLeft", left.Free)) : new AppException(Text.Get("Checkout.Error.NoneLeft"));
            }
            // A recurring share is never used up for good: its next period refills it.
            await db.Shares.Where(s => s.Id == share.Id && s.Status == ShareStatus.Active && s.UnitsGiven == s.UnitsOffered && s.Recurrence == Needs.NeedRecurrence.Once)
                .ExecuteUpdateStampedAsync(now, s => s.SetProperty(x => x.Status, ShareStatus.Fulfilled), ct);

            var request = new ShareRequest { ShareId = share.Id, RequesterId = userId, Units = units, Status = RequestStatus.Fulfilled, PeriodStart = share.PeriodStart };
            db.ShareRequests.Add(request);
            db.Checkouts.Add(new CheckoutEntry { LinkId = link.Id, RequestId = request.Id, UserId = userId, Units = units, CreatedAt = now });
            await Recognition.RecognitionLog.ForRequestAsync(db, share, request.Id, userId, units, now, ct);
            await NotificationWriter.AddAsync(db, share.OwnerId, communityId, NotificationKind.ShareCheckedOut, userId,
                CommunityUrls.For(communityId).Share(share.Id), now, share.Title, ct);
            await db.SaveChangesAsync(ct);
            return (share.OwnerId, share.Id, request.Id);
        }, ct);
        events.Publish(new NotificationsChanged(ownerId));
        events.Publish(new CheckoutsChanged(communityId, shareId));
        return requestId;
    }

    /// <summary>
    /// Takes units through a pool's link: the checkout permission in the community, an open link, 1 ≤ units ≤ the link's cap
    /// (and the pool's most per member), and no more than the pool holds of the item. The units leave the pool's inventory as a
    /// <see cref="InventoryEntryKind.CheckedOut"/> ledger line under the pool's row lock, the lock distributions and shares
    /// from the pool take, so together they never give out more than it holds. Returns the checkout's id.
    /// </summary>
    private async Task<Guid> CheckoutFromPoolAsync(AppDbContext db, string userId, CheckoutLink found, int units, CancellationToken ct)
    {
        var (communityId, poolId) = (found.CommunityId, found.PoolId!.Value);
        var checkoutId = await db.InTransactionAsync(async () =>
        {
            var standing = await PermissionService.DemandMemberAsync(db, communityId, userId, ct);
            var check = PermissionService.DecideShareRequest(standing, null, Permission.UseCheckoutLinks);
            if (!check.Allowed) throw check.Refusal();
            var pool = await db.Pools.AsNoTracking().SingleAsync(p => p.Id == poolId, ct);
            var itemId = found.ItemId!.Value;
            if (found.RevokedAt is not null) throw new AppException(Text.Get("Checkout.Revoked"));
            var max = MaxPerCheckout(found, pool);
            if (units < 1 || units > max) throw Field(Text.Get("Checkout.Error.Units", max));

            var now = Now;
            // The link first (a revoked link stops here), then the pool's row: what it holds is read under the lock the ledger takes.
            var counted = await db.CheckoutLinks.Where(l => l.Id == found.Id && l.RevokedAt == null)
                .ExecuteUpdateStampedAsync(now, s => s.SetProperty(l => l.UnitsGiven, l => l.UnitsGiven + units)
                                                      .SetProperty(l => l.CheckoutCount, l => l.CheckoutCount + 1), ct);
            if (counted == 0) throw new AppException(Text.Get("Checkout.Revoked"));
            await db.LockForUpdateAsync<Pool>(p => p.Id == poolId, ct);
            var left = await PoolBalanceAsync(db, poolId, itemId, ct);
            if (left == 0) throw new AppException(Text.Get("Checkout.Error.NoneLeft"));
            if (units > left) throw Field(Text.Get("Checkout.Error.NotEnoughLeft", left));
            var name = await db.Users.Where(u => u.Id == userId).Select(u => u.DisplayName).SingleAsync(ct);
            var note = found.Title is null ? name : $"{name} · {found.Title}";
            await InventoryLedger.ChangeAsync(db, communityId, pool.CouncilId, itemId, InventoryEntryKind.CheckedOut, -units, userId, now, ct,
                note: note.Length > InventoryEntry.NoteMaxLength ? note[..InventoryEntry.NoteMaxLength] : note, poolId: poolId);
            var entry = new CheckoutEntry { LinkId = found.Id, UserId = userId, Units = units, CreatedAt = now };
            db.Checkouts.Add(entry);
            await db.SaveChangesAsync(ct);
            return entry.Id;
        }, ct);
        events.Publish(new CheckoutsChanged(communityId, poolId));
        events.Publish(new PoolChanged(communityId, poolId));
        return checkoutId;
    }

    /// <summary>The checkout page's view of a link, for a member of its community (outsiders get "not a member").</summary>
    public async Task<CheckoutView> GetAsync(string userId, Guid communityId, string token, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var standing = await PermissionService.DemandMemberAsync(db, communityId, userId, ct);
        var link = await FindAsync(db, communityId, token, ct);
        if (link.PoolId is { } poolId)
        {
            var pool = await db.Pools.AsNoTracking().SingleAsync(p => p.Id == poolId, ct);
            var item = await db.Items.Where(i => i.Id == link.ItemId).Select(i => new { i.Name, i.NameEs }).SingleAsync(ct);
            var left = await PoolBalanceAsync(db, poolId, link.ItemId!.Value, ct);
            var poolState = link.RevokedAt is not null ? CheckoutLinkState.Revoked : left == 0 ? CheckoutLinkState.AllGone : CheckoutLinkState.Open;
            return new CheckoutView(link.Id, null, poolId, CatalogNames.Shown(item.Name, item.NameEs), pool.Description.Length > 0 ? pool.Description : null, link.Title, pool.Name, false,
                left, null, Math.Min(MaxPerCheckout(link, pool), left), poolState, ShareStatus.Active, PermissionService.DecideShareRequest(standing, null, Permission.UseCheckoutLinks));
        }
        var share = link.Share!;
        var owner = await db.Users.Where(u => u.Id == share.OwnerId).Select(u => u.DisplayName).SingleAsync(ct);
        var state = StateOf(link, share, Now);
        return new CheckoutView(link.Id, share.Id, null, share.Title, share.Description, link.Title, owner, share.OwnerId == userId,
            Math.Max(0, share.FreeAt(Now)), share.UnitsOffered, Math.Max(0, Math.Min(MaxPerCheckout(link, share), share.FreeAt(Now))), state, share.Status,
            PermissionService.DecideShareRequest(standing, share.MinTrust, Permission.UseCheckoutLinks),
            // A weekly basket out for the week says when it refills, not "all gone".
            state == CheckoutLinkState.AllGone && share.IsRecurring ? ShareService.NoneLeftThisPeriod(share) : null);
    }

    /// <summary>A share's links, newest first, for its owner; each with its units given and number of checkouts.</summary>
    public async Task<Page<CheckoutLinkRow>> ListAsync(string ownerId, Guid shareId, int pageIndex = 0, int pageSize = 20, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var share = await OwnedShareAsync(db, ownerId, shareId, ct);
        return await ListAsync(db, share.CommunityId, db.CheckoutLinks.Where(l => l.ShareId == shareId), pageIndex, pageSize, ct);
    }

    /// <summary>A pool's links, newest first, for the managers of its council (and admins); each names its item.</summary>
    public async Task<Page<CheckoutLinkRow>> ListForPoolAsync(string actorId, Guid poolId, int pageIndex = 0, int pageSize = 20, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var pool = await PoolService.LoadManagedPoolAsync(db, actorId, poolId, ct);
        return await ListAsync(db, pool.CommunityId, db.CheckoutLinks.Where(l => l.PoolId == poolId), pageIndex, pageSize, ct);
    }

    private async Task<Page<CheckoutLinkRow>> ListAsync(AppDbContext db, Guid communityId, IQueryable<CheckoutLink> links, int pageIndex, int pageSize, CancellationToken ct)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        pageIndex = Math.Max(0, pageIndex);
        var total = await links.CountAsync(ct);
        var page = await links.OrderByDescending(l => l.CreatedAt).ThenByDescending(l => l.Id).Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(l => new { Link = l, Item = db.Items.Where(i => i.Id == l.ItemId).Select(i => new { i.Name, i.NameEs }).FirstOrDefault() })
            .AsNoTracking().ToListAsync(ct);
        var rows = page.Select(r => new CheckoutLinkRow(r.Link.Id, r.Link.Token, r.Link.Title, r.Link.CapPerCheckout, r.Link.UnitsGiven, r.Link.CheckoutCount,
            r.Link.CreatedAt, r.Link.RevokedAt, AbsoluteUrl(communityId, r.Link.Token), r.Item is null ? null : CatalogNames.Shown(r.Item.Name, r.Item.NameEs))).ToList();
        return new Page<CheckoutLinkRow>(rows, total, pageIndex, pageSize);
    }

    /// <summary>The checkouts through one link, newest first, for the share's owner (or the pool's managers).</summary>
    public async Task<Page<CheckoutRow>> CheckoutsAsync(string actorId, Guid linkId, int pageIndex = 0, int pageSize = 10, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        pageIndex = Math.Max(0, pageIndex);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var link = await db.CheckoutLinks.AsNoTracking().SingleOrDefaultAsync(l => l.Id == linkId, ct) ?? throw new NotFoundException(Text.Get("Checkout.Error.NotFound"));
        await ManagedSourceAsync(db, actorId, link, ct);
        var checkouts = db.Checkouts.Where(c => c.LinkId == linkId);
        var total = await checkouts.CountAsync(ct);
        var rows = await checkouts.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(c => new CheckoutRow(c.Id, c.User.DisplayName, c.Units, c.CreatedAt)).ToListAsync(ct);
        return new Page<CheckoutRow>(rows, total, pageIndex, pageSize);
    }

    /// <summary>The printable card of one link of the share (or of the pool: <paramref name="sourceId"/> is either), for its owner (or the pool's managers).</summary>
    public async Task<CheckoutPrintView> GetPrintAsync(string actorId, Guid sourceId, Guid linkId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var link = await db.CheckoutLinks.AsNoTracking().SingleOrDefaultAsync(l => l.Id == linkId && (l.ShareId == sourceId || l.PoolId == sourceId), ct)
                   ?? throw new NotFoundException(Text.Get("Checkout.Error.NotFound"));
        var source = await ManagedSourceAsync(db, actorId, link, ct);
        var item = link.ItemId is { } itemId ? await db.Items.Where(i => i.Id == itemId).Select(i => new { i.Name, i.NameEs }).SingleAsync(ct) : null;
        var title = item is null ? source.Title : $"{CatalogNames.Shown(item.Name, item.NameEs)} · {source.Title}";
        return new CheckoutPrintView(link.Id, title, link.Title, AbsoluteUrl(link.CommunityId, link.Token), link.RevokedAt is not null);
    }

    /// <summary>What a link gives from, if the actor manages it: the share they own, or the pool whose council they manage (or they are an admin).</summary>
    private static async Task<(Guid Id, string Title)> ManagedSourceAsync(AppDbContext db, string actorId, CheckoutLink link, CancellationToken ct)
    {
        if (link.ShareId is { } shareId)
        {
            var share = await OwnedShareAsync(db, actorId, shareId, ct);
            return (share.Id, share.Title);
        }
        var pool = await PoolService.LoadManagedPoolAsync(db, actorId, link.PoolId!.Value, ct);
        return (pool.Id, pool.Name);
    }

    private static async Task<int> PoolBalanceAsync(AppDbContext db, Guid poolId, Guid itemId, CancellationToken ct) =>
        await db.InventoryBalances.Where(b => b.HolderId == poolId && b.ItemId == itemId).Select(b => (int?)b.Units).SingleOrDefaultAsync(ct) ?? 0;

    /// <summary>The link's title (trimmed, or null) if it and the cap are valid; otherwise every field's message at once.</summary>
    private static string? Validate(CheckoutLinkInput input, Dictionary<string, string>? errors = null)
    {
        errors ??= [];
        var title = string.IsNullOrWhiteSpace(input.Title) ? null : input.Title.Trim();
        if (title?.Length > CheckoutLink.TitleMaxLength) errors["title"] = Text.Get("Error.MaxChars", CheckoutLink.TitleMaxLength);
        else if (!Texts.IsStorable(title)) errors["title"] = Texts.UnstorableMessage;
        if (input.CapPerCheckout is < 1 or > Share.MaxUnits) errors["cap"] = Text.Get("Checkout.Error.Cap", Share.MaxUnits);
        ValidationFailedException.ThrowIfAny(errors);
        return title;
    }

    /// <summary>The share if it exists and the actor, still a member, owns it; otherwise the refusal.</summary>
    private static async Task<Share> OwnedShareAsync(AppDbContext db, string actorId, Guid shareId, CancellationToken ct)
    {
        var share = await db.Shares.AsNoTracking().SingleOrDefaultAsync(s => s.Id == shareId, ct) ?? throw new NotFoundException(Text.Get("Error.ShareNotFound"));
        await PermissionService.DemandMemberAsync(db, share.CommunityId, actorId, ct);
        return share.OwnerId == actorId ? share : throw new ForbiddenException(Text.Get("Error.OnlyOwner"));
    }

    private static async Task<CheckoutLink> FindAsync(AppDbContext db, Guid communityId, string token, CancellationToken ct) =>
        (string.IsNullOrEmpty(token) || token.Length > 32 || !Texts.IsStorable(token)
            ? null
            : await db.CheckoutLinks.Include(l => l.Share).AsNoTracking()
                .SingleOrDefaultAsync(l => l.Token == token && l.CommunityId == communityId, ct))
        ?? throw new NotFoundException(Text.Get("Checkout.Error.NotFound"));

    private static CheckoutLinkState StateOf(CheckoutLink link, Share share, DateTime now) =>
        link.RevokedAt is not null ? CheckoutLinkState.Revoked
        : share.Status == ShareStatus.Fulfilled ? CheckoutLinkState.AllGone
        : share.Status != ShareStatus.Active || share.ExpiresAt <= now ? CheckoutLinkState.Closed
        : share.FreeAt(now) <= 0 ? CheckoutLinkState.AllGone
        : CheckoutLinkState.Open;

    private static string StateMessage(CheckoutLinkState state, ShareStatus status) => state switch
    {
        CheckoutLinkState.Revoked => Text.Get("Checkout.Revoked"),
        CheckoutLinkState.AllGone => Text.Get("Checkout.AllGone"),
        _ => Text.Get("Checkout.Closed", Text.Get($"ShareStatus.{(status == ShareStatus.Active ? ShareStatus.Expired : status)}").ToLowerInvariant()),
    };

    /// <summary>The most one checkout may take: the link's cap and the share's per-member cap, whichever is lower.</summary>
    private static int MaxPerCheckout(CheckoutLink link, Share share) =>
        Math.Min(link.CapPerCheckout ?? int.MaxValue, Math.Min(share.MaxUnitsPerMember ?? int.MaxValue, share.UnitsOffered));

    /// <summary>The most one checkout from a pool may take: the link's cap and the pool's most per member, whichever is lower.</summary>
    private static int MaxPerCheckout(CheckoutLink link, Pool pool) =>
        Math.Min(link.CapPerCheckout ?? Share.MaxUnits, pool.MaxUnitsPerMember ?? Share.MaxUnits);

    private static void EnsureOpen(Share share, DateTime now)
    {
        if (share.Status != ShareStatus.Active) throw new AppException(Text.Get("Error.ShareClosed", Text.Get($"ShareStatus.{share.Status}").ToLowerInvariant()));
        if (share.ExpiresAt is { } expires && expires <= now) throw new AppException(Text.Get("Error.ShareExpired"));
        // A recurring share with nothing left this period gets its units back at the next one.
        if (share.FreeAt(now) <= 0 && !share.IsRecurring) throw new AppException(Text.Get("Wealth.NoneLeft"));
    }

    private static ValidationFailedException Field(string message) => new(new Dictionary<string, string> { ["units"] = message });
}
