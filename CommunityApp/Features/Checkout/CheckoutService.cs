using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Notifications;
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

/// <summary>One of a share's links as its owner sees it.</summary>
public sealed record CheckoutLinkRow(Guid Id, string Token, string? Title, int? CapPerCheckout, int UnitsGiven, int CheckoutCount,
    DateTime CreatedAt, DateTime? RevokedAt, string Url)
{
    public bool IsRevoked => RevokedAt is not null;
}

/// <summary>One checkout through a link: who, how many, when.</summary>
public sealed record CheckoutRow(Guid Id, string UserName, int Units, DateTime At);

/// <summary>The checkout page: the link, its share, what is left, and whether this member may take from it (and why not).</summary>
public sealed record CheckoutView(
    Guid LinkId, Guid ShareId, string ShareTitle, string? ShareDescription, string? LinkTitle, string OwnerName, bool IsOwner,
    int UnitsLeft, int UnitsOffered, int MaxPerCheckout, CheckoutLinkState State, ShareStatus ShareStatus, PermissionCheck Check);

/// <summary>The printable card of a link: its title, its share and its absolute URL.</summary>
public sealed record CheckoutPrintView(Guid LinkId, string ShareTitle, string? LinkTitle, string Url, bool IsRevoked);

/// <summary>Checkouts through a share's links changed (a checkout, a new or revoked link): the owner's list reloads.</summary>
public sealed record CheckoutsChanged(Guid CommunityId, Guid ShareId) : AppEvent;

/// <summary>
/// Checkout links (docs/SPEC.md §19): the owner of an active share hands out a link and a QR code; a member with the
/// checkout permission takes units through it at once, recorded as a fulfilled request. Units move by one conditional
/// UPDATE on the share (<c>units_reserved + units_given + n ≤ units_offered</c>, as <see cref="ShareService"/>), and the
/// link's own counters by one conditional UPDATE that refuses a revoked link, so parallel scans never give out more than
/// was offered nor count a checkout twice.
/// </summary>
public sealed class CheckoutService(IDbContextFactory<AppDbContext> dbFactory, IEventHub events, TimeProvider clock, PublicUrls publicUrls)
{
    public const int MaxPageSize = 50;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>The link's absolute address, on <c>App:PublicBaseUrl</c> (never the request's Host).</summary>
    public string AbsoluteUrl(Guid communityId, string token) => publicUrls.Absolute(CommunityUrls.For(communityId).Checkout(token));

    /// <summary>Only the owner of an active share with units left creates a link for it; at most <see cref="CheckoutLink.MaxOpenPerShare"/> open at once.</summary>
    public async Task<(Guid Id, string Token)> CreateAsync(string ownerId, Guid shareId, CheckoutLinkInput input, CancellationToken ct = default)
    {
        var title = string.IsNullOrWhiteSpace(input.Title) ? null : input.Title.Trim();
        var errors = new Dictionary<string, string>();
        if (title?.Length > CheckoutLink.TitleMaxLength) errors["title"] = Text.Get("Error.MaxChars", CheckoutLink.TitleMaxLength);
        else if (!Texts.IsStorable(title)) errors["title"] = Texts.UnstorableMessage;
        if (input.CapPerCheckout is < 1 or > Share.MaxUnits) errors["cap"] = Text.Get("Checkout.Error.Cap", Share.MaxUnits);
        ValidationFailedException.ThrowIfAny(errors);

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
            if (await db.CheckoutLinks.CountAsync(l => l.ShareId == shareId && l.RevokedAt == null, ct) >= CheckoutLink.MaxOpenPerShare)
                throw new AppException(Text.Get("Checkout.Error.TooMany", CheckoutLink.MaxOpenPerShare));
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

    /// <summary>The owner revokes a link: it stops at once and says so; audited. A link is revoked once.</summary>
    public async Task RevokeAsync(string ownerId, Guid linkId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = ownerId;
        var (communityId, shareId) = await db.InTransactionAsync(async () =>
        {
            var link = await db.CheckoutLinks.AsNoTracking().SingleOrDefaultAsync(l => l.Id == linkId, ct) ?? throw new NotFoundException(Text.Get("Checkout.Error.NotFound"));
            var share = await OwnedShareAsync(db, ownerId, link.ShareId!.Value, ct);
            var now = Now;
            var revoked = await db.CheckoutLinks.Where(l => l.Id == linkId && l.RevokedAt == null)
                .ExecuteUpdateStampedAsync(now, s => s.SetProperty(l => l.RevokedAt, now), ct);
            if (revoked == 0) throw new AppException(Text.Get("Checkout.Error.AlreadyRevoked"));
            db.AuditLog.Add(AuditEntry.Record(share.CommunityId, ownerId, AuditAction.CheckoutLinkRevoked,
                new { linkId, shareId = share.Id, share = share.Title, title = link.Title, unitsGiven = link.UnitsGiven }, at: now));
            await db.SaveChangesAsync(ct);
            return (share.CommunityId, share.Id);
        }, ct);
        events.Publish(new CheckoutsChanged(communityId, shareId));
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
            await NotificationWriter.AddAsync(db, share.OwnerId, communityId, NotificationKind.ShareCheckedOut, userId,
                CommunityUrls.For(communityId).Share(share.Id), now, share.Title, ct);
            await db.SaveChangesAsync(ct);
            return (share.OwnerId, share.Id, request.Id);
        }, ct);
        events.Publish(new NotificationsChanged(ownerId));
        events.Publish(new CheckoutsChanged(communityId, shareId));
        return requestId;
    }

    /// <summary>The checkout page's view of a link, for a member of its community (outsiders get "not a member").</summary>
    public async Task<CheckoutView> GetAsync(string userId, Guid communityId, string token, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var standing = await PermissionService.DemandMemberAsync(db, communityId, userId, ct);
        var link = await FindAsync(db, communityId, token, ct);
        var share = link.Share!;
        var owner = await db.Users.Where(u => u.Id == share.OwnerId).Select(u => u.DisplayName).SingleAsync(ct);
        var state = StateOf(link, share, Now);
        return new CheckoutView(link.Id, share.Id, share.Title, share.Description, link.Title, owner, share.OwnerId == userId,
            Math.Max(0, share.FreeAt(Now)), share.UnitsOffered, Math.Max(0, Math.Min(MaxPerCheckout(link, share), share.FreeAt(Now))), state, share.Status,
            PermissionService.DecideShareRequest(standing, share.MinTrust, Permission.UseCheckoutLinks));
    }

    /// <summary>A share's links, newest first, for its owner; each with its units given and number of checkouts.</summary>
    public async Task<Page<CheckoutLinkRow>> ListAsync(string ownerId, Guid shareId, int pageIndex = 0, int pageSize = 20, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        pageIndex = Math.Max(0, pageIndex);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var share = await OwnedShareAsync(db, ownerId, shareId, ct);
        var links = db.CheckoutLinks.Where(l => l.ShareId == shareId);
        var total = await links.CountAsync(ct);
        var page = await links.OrderByDescending(l => l.CreatedAt).ThenByDescending(l => l.Id).Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .AsNoTracking().ToListAsync(ct);
        var rows = page.Select(l => new CheckoutLinkRow(l.Id, l.Token, l.Title, l.CapPerCheckout, l.UnitsGiven, l.CheckoutCount, l.CreatedAt, l.RevokedAt,
            AbsoluteUrl(share.CommunityId, l.Token))).ToList();
        return new Page<CheckoutLinkRow>(rows, total, pageIndex, pageSize);
    }

    /// <summary>The checkouts through one link, newest first, for the share's owner.</summary>
    public async Task<Page<CheckoutRow>> CheckoutsAsync(string ownerId, Guid linkId, int pageIndex = 0, int pageSize = 10, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        pageIndex = Math.Max(0, pageIndex);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var shareId = await db.CheckoutLinks.Where(l => l.Id == linkId).Select(l => l.ShareId).SingleOrDefaultAsync(ct) ?? throw new NotFoundException(Text.Get("Checkout.Error.NotFound"));
        await OwnedShareAsync(db, ownerId, shareId, ct);
        var checkouts = db.Checkouts.Where(c => c.LinkId == linkId);
        var total = await checkouts.CountAsync(ct);
        var rows = await checkouts.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(c => new CheckoutRow(c.Id, c.User.DisplayName, c.Units, c.CreatedAt)).ToListAsync(ct);
        return new Page<CheckoutRow>(rows, total, pageIndex, pageSize);
    }

    /// <summary>The printable card of one link, for the share's owner.</summary>
    public async Task<CheckoutPrintView> GetPrintAsync(string ownerId, Guid shareId, Guid linkId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var share = await OwnedShareAsync(db, ownerId, shareId, ct);
        var link = await db.CheckoutLinks.AsNoTracking().SingleOrDefaultAsync(l => l.Id == linkId && l.ShareId == shareId, ct)
                   ?? throw new NotFoundException(Text.Get("Checkout.Error.NotFound"));
        return new CheckoutPrintView(link.Id, share.Title, link.Title, AbsoluteUrl(share.CommunityId, link.Token), link.RevokedAt is not null);
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
                .SingleOrDefaultAsync(l => l.Token == token && l.CommunityId == communityId && l.ShareId != null, ct))
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

    private static void EnsureOpen(Share share, DateTime now)
    {
        if (share.Status != ShareStatus.Active) throw new AppException(Text.Get("Error.ShareClosed", Text.Get($"ShareStatus.{share.Status}").ToLowerInvariant()));
        if (share.ExpiresAt is { } expires && expires <= now) throw new AppException(Text.Get("Error.ShareExpired"));
        // A recurring share with nothing left this period gets its units back at the next one.
        if (share.FreeAt(now) <= 0 && !share.IsRecurring) throw new AppException(Text.Get("Wealth.NoneLeft"));
    }

    private static ValidationFailedException Field(string message) => new(new Dictionary<string, string> { ["units"] = message });
}
