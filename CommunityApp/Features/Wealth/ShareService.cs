using Microsoft.EntityFrameworkCore;
using CommunityApp.Components;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Notifications;
using CommunityApp.Resources;

namespace CommunityApp.Features.Wealth;

/// <summary>
/// A share's fields. <see cref="Target"/> and <see cref="TargetId"/> aim it at a council (a contribution) instead of the members.
/// <see cref="Recurrence"/> other than <c>Once</c> offers <see cref="Units"/> per period (docs/SPEC.md §5.2).
/// </summary>
public sealed record ShareInput(
    string Title, string? Description, WealthKind Kind, int Units,
    int? MaxUnitsPerMember = null, DateTime? ExpiresAt = null, int? MinTrust = null, Guid? ItemId = null, Guid? CategoryId = null,
    ShareTarget Target = ShareTarget.Community, Guid? TargetId = null, NeedRecurrence Recurrence = NeedRecurrence.Once);

/// <summary>
/// Shares and the request lifecycle of docs/SPEC.md §5.3. Every transition is a conditional UPDATE on the request's
/// current state, and unit reservations are conditional UPDATEs on the share, so parallel clicks can never
/// move a request twice or give out more units than were offered.
/// </summary>
public sealed class ShareService(IDbContextFactory<AppDbContext> dbFactory, IEventHub events, TimeProvider clock)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Every member may share (docs/SPEC.md §5.2). A share aimed at a council is a contribution: it names its item, is
    /// not requested by members, and waits for one of the council's managers to confirm it into the inventory.
    /// </summary>
    public async Task<Guid> CreateAsync(string ownerId, Guid communityId, ShareInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = ownerId;
        await PermissionService.DemandMemberAsync(db, communityId, ownerId, ct);
        await ValidateAsync(db, communityId, input, minUnits: 1, Now, ct);
        var share = new Share { CommunityId = communityId, OwnerId = ownerId, Status = ShareStatus.Active };
        Apply(share, input);
        StartPeriod(share, Now);
        db.Shares.Add(share);
        var managers = input.Target != ShareTarget.Community
            ? await Councils.Contributions.AddAsync(db, share, ownerId, Now, ct)
            : [];
        // Members whose needs this share answers hear of it; a gift to a council is not on offer to them.
        var matched = input.Target == ShareTarget.Community ? await Needs.NeedMatches.NotifyAsync(db, share, Now, ct) : [];
        await db.SaveChangesAsync(ct);
        foreach (var manager in managers) events.Publish(new NotificationsChanged(manager));
        if (share is { Target: ShareTarget.Council, TargetId: { } councilId }) events.Publish(new Councils.CouncilChanged(communityId, councilId));
        if (share is { Target: ShareTarget.Pool, TargetId: { } poolId }) events.Publish(new Pools.PoolChanged(communityId, poolId));
        Needs.NeedMatches.Publish(events, matched);
        return share.Id;
    }

    /// <summary>
    /// Only the owner edits an active share; units never drop below those already reserved or given (this period, on a
    /// recurring share). Changing the period starts a new one now, and what was reserved or given in the old one counts in it.
    /// </summary>
    public async Task UpdateAsync(string ownerId, Guid shareId, ShareInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = ownerId;
        await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<Share>(s => s.Id == shareId, ct);
            var share = await db.Shares.SingleOrDefaultAsync(s => s.Id == shareId, ct) ?? throw new NotFoundException(Text.Get("Error.ShareNotFound"));
            await PermissionService.DemandMemberAsync(db, share.CommunityId, ownerId, ct);
            if (share.OwnerId != ownerId) throw new ForbiddenException(Text.Get("Error.OnlyOwner"));
            EnsureOpen(share);
            // A contribution is decided as it was given; the giver withdraws it and gives again instead.
            if (share.Target != ShareTarget.Community) throw new AppException(Text.Get("Error.ContributionNotEditable"));
            // The target stays what it is: an edit changes the share's fields, never whom it goes to.
            input = input with { Target = share.Target, TargetId = share.TargetId };
            var now = Now;
            // What is in use is this period's: a period that has ended is refilled first.
            if (await SharePeriods.RefillIfDueAsync(db, share, now, ct)) await db.Entry(share).ReloadAsync(ct);
            await ValidateAsync(db, share.CommunityId, input, minUnits: Math.Max(1, share.UnitsReserved + share.UnitsGiven), now, ct);
            var (recurrence, periodStart) = (share.Recurrence, share.PeriodStart);
            Apply(share, input);
            if (share.Recurrence != recurrence)
            {
                StartPeriod(share, now);
                // The units reserved and given so far stay on the share: the requests that hold them count in the new period.
                await db.ShareRequests.Where(r => r.ShareId == shareId && r.PeriodStart == periodStart && (r.Status == RequestStatus.Accepted || r.Status == RequestStatus.Fulfilled))
                    .ExecuteUpdateStampedAsync(now, s => s.SetProperty(r => r.PeriodStart, share.PeriodStart), ct);
            }
            await db.SaveChangesAsync(ct);
        }, ct);
    }

    /// <summary>The rules of every share's fields (docs/SPEC.md §5.2), a field message each; councils sharing from their inventory use them too.</summary>
    internal static async Task ValidateAsync(AppDbContext db, Guid communityId, ShareInput input, int minUnits, DateTime now, CancellationToken ct)
    {
        var title = input.Title?.Trim() ?? "";
        var errors = new Dictionary<string, string>();
        if (title.Length == 0) errors["title"] = Text.Get("Error.NameRequired");
        else if (title.Length > Share.TitleMaxLength) errors["title"] = Text.Get("Error.MaxChars", Share.TitleMaxLength);
        else if (!Texts.IsStorable(title)) errors["title"] = Texts.UnstorableMessage;
        if (input.Description?.Length > Share.DescriptionMaxLength) errors["description"] = Text.Get("Error.MaxChars", Share.DescriptionMaxLength);
        else if (!Texts.IsStorable(input.Description)) errors["description"] = Texts.UnstorableMessage;
        if (!Enum.IsDefined(input.Kind)) errors["kind"] = Text.Get("Error.ChooseKind");
        if (!Enum.IsDefined(input.Recurrence)) errors["recurrence"] = Text.Get("Error.ChooseRecurrence");
        // A gift to a council or pool is given once; its units enter an inventory.
        else if (input.Recurrence != NeedRecurrence.Once && input.Target != ShareTarget.Community) errors["recurrence"] = Text.Get("Error.RecurringContribution");
        if (input.Units < minUnits || input.Units > Share.MaxUnits) errors["units"] = minUnits > 1 ? Text.Get("Error.UnitsInUse", minUnits) : Text.Get("Error.Units");
        if (input.MaxUnitsPerMember is < 1) errors["maxUnitsPerMember"] = Text.Get("Error.Units");
        if (input.MinTrust is < 0) errors["minTrust"] = Text.Get("Error.NonNegative");
        if (input.ExpiresAt is { } expires && expires.ToUniversalTime() <= now) errors["expiresAt"] = Text.Get("Error.ExpiryFuture");
        else if (input.ExpiresAt is { } until && until.ToUniversalTime() > now.AddDays(Share.MaxExpiryDays)) errors["expiresAt"] = Text.Get("Error.ExpiryRange", Share.MaxExpiryDays);
        if (input.ItemId is { } itemId && !await db.Items.AnyAsync(i => i.Id == itemId && i.CommunityId == communityId, ct)) errors["itemId"] = Text.Get("Error.UnknownItem");
        if (input.CategoryId is { } categoryId && !await db.ItemCategories.AnyAsync(c => c.Id == categoryId && c.CommunityId == communityId, ct)) errors["categoryId"] = Text.Get("Error.UnknownItem");
        await Councils.Contributions.ValidateTargetAsync(db, communityId, input, errors, ct);
        ValidationFailedException.ThrowIfAny(errors);
    }

    internal static void Apply(Share share, ShareInput input)
    {
        share.Title = input.Title.Trim();
        share.Description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim();
        share.Kind = input.Kind;
        share.UnitsOffered = input.Units;
        share.MaxUnitsPerMember = input.MaxUnitsPerMember;
        share.ExpiresAt = input.ExpiresAt?.ToUniversalTime();
        share.MinTrust = input.MinTrust;
        share.ItemId = input.ItemId;
        share.CategoryId = input.CategoryId;
        share.Target = input.Target;
        share.TargetId = input.Target == ShareTarget.Community ? null : input.TargetId;
        share.Recurrence = input.Recurrence;
    }

    /// <summary>A recurring share's first period starts at <paramref name="now"/>; a one-time share has none.</summary>
    private static void StartPeriod(Share share, DateTime now) =>
        (share.PeriodStart, share.PeriodEnd) = share.IsRecurring ? (now, Need.EndOf(share.Recurrence, now)) : ((DateTime?)null, (DateTime?)null);

    /// <summary>
    /// Requests units: needs the request-wealth permission and the share's own trust cap; never one's own share;
    /// 1 ≤ units ≤ free units, and within the per-member cap counting the requester's open requests. On a recurring share
    /// both count this period (docs/SPEC.md §5.2): the free units are this period's, and the cap counts the requester's
    /// pending requests and those accepted or fulfilled this period.
    /// </summary>
    public async Task<Guid> RequestAsync(string requesterId, Guid shareId, int units, string? message, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = requesterId;
        var (ownerId, requestId) = await db.InTransactionAsync(async () =>
        {
            // The share row lock serialises one member's parallel requests against the per-member cap.
            await db.LockForUpdateAsync<Share>(s => s.Id == shareId, ct);
            var share = await db.Shares.SingleOrDefaultAsync(s => s.Id == shareId, ct) ?? throw new NotFoundException(Text.Get("Error.ShareNotFound"));
            if (share.OwnerId == requesterId) throw new AppException(Text.Get("Error.OwnShare"));
            if (share.Target != ShareTarget.Community) throw new AppException(Text.Get("Error.ShareIsContribution"));
            var requester = await PermissionService.DemandMemberAsync(db, share.CommunityId, requesterId, ct);
            var check = PermissionService.DecideShareRequest(requester, share.MinTrust);
            if (!check.Allowed) throw check.Refusal();
            EnsureOpen(share);
            if (await SharePeriods.RefillIfDueAsync(db, share, Now, ct)) await db.Entry(share).ReloadAsync(ct);
            if (share is { IsRecurring: true, UnitsFree: <= 0 }) throw new AppException(NoneLeftThisPeriod(share));
            if (units < 1 || units > share.UnitsFree) throw new ValidationFailedException(new Dictionary<string, string> { ["units"] = Text.Get("Error.UnitsRange", share.UnitsFree) });
            if (share.MaxUnitsPerMember is { } max)
            {
                var mine = db.ShareRequests.Where(r => r.ShareId == shareId && r.RequesterId == requesterId);
                var counted = share.PeriodStart is { } period
                    ? mine.Where(r => r.Status == RequestStatus.Pending || ((r.Status == RequestStatus.Accepted || r.Status == RequestStatus.Fulfilled) && r.PeriodStart == period))
                    : mine.Where(r => r.Status == RequestStatus.Pending || r.Status == RequestStatus.Accepted);
                var open = await counted.SumAsync(r => r.Units, ct);
                if (open + units > max)
                    throw new ValidationFailedException(new Dictionary<string, string>
                    {
                        ["units"] = share.IsRecurring ? Text.Get($"Error.MaxPerMemberPerPeriod.{share.Recurrence}", max, open) : Text.Get("Error.MaxPerMember", max, open),
                    });
            }
            var request = new ShareRequest { ShareId = shareId, RequesterId = requesterId, Units = units, Message = Trimmed(message, ShareRequest.MessageMaxLength), Status = RequestStatus.Pending };
            db.ShareRequests.Add(request);
            await NotifyAsync(db, share.OwnerId, share, NotificationKind.RequestReceived, requesterId, ct);
            await db.SaveChangesAsync(ct);
            return (share.OwnerId, request.Id);
        }, ct);
        events.Publish(new NotificationsChanged(ownerId));
        return requestId;
    }

    /// <summary>
    /// Owner accepts a pending request: its units are reserved, or the accept is refused if they are no longer free. On a
    /// recurring share they are this period's, and the request counts in this period from now on.
    /// </summary>
    public Task AcceptAsync(string actorId, Guid requestId, CancellationToken ct = default) =>
        TransitionAsync(actorId, requestId, Actor.Owner, [RequestStatus.Pending], RequestStatus.Accepted, NotificationKind.RequestAccepted, async (db, request, now) =>
        {
            var period = request.Share.PeriodStart;
            var reserved = await db.Shares
                .Where(s => s.Id == request.ShareId && s.Status == ShareStatus.Active && (s.ExpiresAt == null || s.ExpiresAt > now)
                            && s.PeriodStart == period && s.UnitsReserved + s.UnitsGiven + request.Units <= s.UnitsOffered)
                .ExecuteUpdateStampedAsync(now, s => s.SetProperty(x => x.UnitsReserved, x => x.UnitsReserved + request.Units), ct);
            if (reserved == 0) throw new AppException(request.Share.IsRecurring ? Text.Get("Error.NotEnoughUnitsThisPeriod") : Text.Get("Error.NotEnoughUnits"));
            // Accepted now: both parties are asked to confirm requestConfirmDays later (docs/SPEC.md §12).
            await db.ShareRequests.Where(r => r.Id == request.Id)
                .ExecuteUpdateStampedAsync(now, s => s.SetProperty(r => r.PeriodStart, period).SetProperty(r => r.AcceptedAt, now), ct);
        }, ct);

    public Task RejectAsync(string actorId, Guid requestId, CancellationToken ct = default) =>
        TransitionAsync(actorId, requestId, Actor.Owner, [RequestStatus.Pending], RequestStatus.Rejected, NotificationKind.RequestRejected, null, ct);

    /// <summary>Requester or owner cancels a pending or accepted request; accepted units are released.</summary>
    public Task CancelAsync(string actorId, Guid requestId, CancellationToken ct = default) =>
        TransitionAsync(actorId, requestId, Actor.Either, [RequestStatus.Pending, RequestStatus.Accepted], RequestStatus.Cancelled, NotificationKind.RequestCancelled,
            (db, request, now) => request.Status == RequestStatus.Accepted ? ReleaseAsync(db, request, actorId, now, ct) : Task.CompletedTask, ct);

    /// <summary>
    /// The requester confirms receipt (or the owner marks it): reserved units become given; a one-time share is fulfilled
    /// when all are given. A request accepted in an earlier period of a recurring share counts there: this period's units stay as they are.
    /// </summary>
    public Task FulfilAsync(string actorId, Guid requestId, CancellationToken ct = default) =>
        TransitionAsync(actorId, requestId, Actor.Either, [RequestStatus.Accepted], RequestStatus.Fulfilled, NotificationKind.RequestFulfilled, async (db, request, now) =>
        {
            await db.Shares.Where(s => s.Id == request.ShareId && s.PeriodStart == request.PeriodStart)
                .ExecuteUpdateStampedAsync(now, s => s.SetProperty(x => x.UnitsReserved, x => x.UnitsReserved - request.Units)
                                                      .SetProperty(x => x.UnitsGiven, x => x.UnitsGiven + request.Units), ct);
            // A recurring share is never used up for good: its next period refills it.
            await db.Shares.Where(s => s.Id == request.ShareId && s.UnitsGiven == s.UnitsOffered && s.Status == ShareStatus.Active && s.Recurrence == NeedRecurrence.Once)
                .ExecuteUpdateStampedAsync(now, s => s.SetProperty(x => x.Status, ShareStatus.Fulfilled), ct);
            // The contribution it records (docs/SPEC.md §18), in the same transaction.
            await Recognition.RecognitionLog.ForRequestAsync(db, request.Share, request.Id, request.RequesterId, request.Units, now, ct);
        }, ct);

    /// <summary>The requester reports that an accepted request never arrived; the units are released.</summary>
    public Task FailAsync(string actorId, Guid requestId, CancellationToken ct = default) =>
        TransitionAsync(actorId, requestId, Actor.Requester, [RequestStatus.Accepted], RequestStatus.Failed, NotificationKind.RequestFailed,
            (db, request, now) => ReleaseAsync(db, request, actorId, now, ct), ct);

    /// <summary>Only the owner cancels an active share; its open requests are cancelled with it and their units released.</summary>
    public async Task CancelShareAsync(string actorId, Guid shareId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var open = await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<Share>(s => s.Id == shareId, ct);
            var share = await db.Shares.SingleOrDefaultAsync(s => s.Id == shareId, ct) ?? throw new NotFoundException(Text.Get("Error.ShareNotFound"));
            var standing = await PermissionService.DemandMemberAsync(db, share.CommunityId, actorId, ct);
            // A share from a council's inventory is the council's: any of its managers may withdraw it.
            var mayCancel = share.OwnerId == actorId || (share.SourceCouncilId is { } source && PermissionService.MayManageCouncil(standing, source));
            if (!mayCancel) throw new ForbiddenException(Text.Get("Error.OnlyOwner"));
            var now = Now;
            var cancelled = await db.Shares.Where(s => s.Id == shareId && s.Status == ShareStatus.Active)
                .ExecuteUpdateStampedAsync(now, s => s.SetProperty(x => x.Status, ShareStatus.Cancelled).SetProperty(x => x.UnitsReserved, 0), ct);
            if (cancelled == 0) throw new AppException(Text.Get("Error.ShareClosed", Text.Get($"ShareStatus.{share.Status}").ToLowerInvariant()));
            await Councils.Contributions.WithdrawAsync(db, share, now, ct);
            await Councils.InventoryLedger.ReturnUnsharedAsync(db, share.Id, actorId, now, ct);
            var open = await db.ShareRequests.Where(r => r.ShareId == shareId && (r.Status == RequestStatus.Pending || r.Status == RequestStatus.Accepted))
                .Select(r => r.RequesterId).Distinct().ToListAsync(ct);
            await db.ShareRequests.Where(r => r.ShareId == shareId && (r.Status == RequestStatus.Pending || r.Status == RequestStatus.Accepted))
                .ExecuteUpdateStampedAsync(now, s => s.SetProperty(r => r.Status, RequestStatus.Cancelled), ct);
            foreach (var requester in open) await NotifyAsync(db, requester, share, NotificationKind.RequestCancelled, actorId, ct);
            await db.SaveChangesAsync(ct);
            return open;
        }, ct);
        foreach (var requester in open) events.Publish(new NotificationsChanged(requester));
    }

    /// <summary>Sets the share's picture (owner only; PNG, JPEG, GIF or WebP up to 2 MB, checked by content).</summary>
    public Task SetImageAsync(string ownerId, Guid shareId, Stream upload, CancellationToken ct = default) =>
        ShareImages.SetAsync(dbFactory, ownerId, shareId, upload, clock, ct);

    /// <summary>A message in the request's private thread: only its two parties, only while the request is open.</summary>
    public async Task PostMessageAsync(string actorId, Guid requestId, string body, CancellationToken ct = default)
    {
        var text = body?.Trim() ?? "";
        if (text.Length == 0 || text.Length > 2000) throw new ValidationFailedException(new Dictionary<string, string> { ["body"] = Text.Get("Error.MessageLength") });
        if (!Texts.IsStorable(text)) throw new ValidationFailedException(new Dictionary<string, string> { ["body"] = Texts.UnstorableMessage });
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var request = await db.ShareRequests.Include(r => r.Share).AsNoTracking().SingleOrDefaultAsync(r => r.Id == requestId, ct);
        if (request is null || (request.RequesterId != actorId && request.Share.OwnerId != actorId)) throw new NotFoundException(Text.Get("Error.RequestNotFound"));
        await PermissionService.DemandMemberAsync(db, request.Share.CommunityId, actorId, ct);
        if (!request.IsOpen) throw new AppException(Text.Get("Error.RequestState", Text.Get($"RequestStatus.{request.Status}").ToLowerInvariant()));
        db.RequestMessages.Add(new RequestMessage { RequestId = requestId, AuthorId = actorId, Body = text, CreatedAt = Now });
        await db.SaveChangesAsync(ct);
        // The owner's first word in the thread is a response too (docs/SPEC.md §13); a later one changes nothing.
        if (request.Share.OwnerId == actorId && request.RespondedAt is null)
            await db.ShareRequests.Where(r => r.Id == requestId && r.RespondedAt == null).ExecuteUpdateStampedAsync(Now, s => s.SetProperty(r => r.RespondedAt, (DateTime?)Now), ct);
    }

    /// <summary>Any member comments on a share.</summary>
    public async Task CommentAsync(string actorId, Guid shareId, string body, CancellationToken ct = default)
    {
        var text = body?.Trim() ?? "";
        if (text.Length == 0 || text.Length > ShareComment.BodyMaxLength) throw new ValidationFailedException(new Dictionary<string, string> { ["body"] = Text.Get("Error.MessageLength") });
        if (!Texts.IsStorable(text)) throw new ValidationFailedException(new Dictionary<string, string> { ["body"] = Texts.UnstorableMessage });
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var communityId = await db.Shares.Where(s => s.Id == shareId).Select(s => (Guid?)s.CommunityId).SingleOrDefaultAsync(ct)
                          ?? throw new NotFoundException(Text.Get("Error.ShareNotFound"));
        await PermissionService.DemandMemberAsync(db, communityId, actorId, ct);
        db.ShareComments.Add(new ShareComment { ShareId = shareId, AuthorId = actorId, Body = text, CreatedAt = Now });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The author changes their own comment (docs/SPEC.md §5.2); it shows as edited.</summary>
    public async Task EditCommentAsync(string actorId, Guid commentId, string body, CancellationToken ct = default)
    {
        var text = body?.Trim() ?? "";
        if (text.Length == 0 || text.Length > ShareComment.BodyMaxLength) throw new ValidationFailedException(new Dictionary<string, string> { ["body"] = Text.Get("Error.MessageLength") });
        if (!Texts.IsStorable(text)) throw new ValidationFailedException(new Dictionary<string, string> { ["body"] = Texts.UnstorableMessage });
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var comment = await OwnCommentAsync(db, actorId, commentId, ct);
        if (comment.Body == text) return;
        (comment.Body, comment.EditedAt) = (text, Now);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The author takes back their own comment (soft delete: kept for the record, shown to nobody).</summary>
    public async Task DeleteCommentAsync(string actorId, Guid commentId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var comment = await OwnCommentAsync(db, actorId, commentId, ct);
        comment.DeletedAt = Now;
        await db.SaveChangesAsync(ct);
    }

    private static async Task<ShareComment> OwnCommentAsync(AppDbContext db, string actorId, Guid commentId, CancellationToken ct)
    {
        var comment = await db.ShareComments.SingleOrDefaultAsync(c => c.Id == commentId, ct) ?? throw new NotFoundException(Text.Get("Error.CommentNotFound"));
        var communityId = await db.Shares.Where(s => s.Id == comment.ShareId).Select(s => s.CommunityId).SingleAsync(ct);
        // A former member keeps no say over what they wrote here, like everything else in the community.
        await PermissionService.DemandMemberAsync(db, communityId, actorId, ct);
        return comment.AuthorId == actorId ? comment : throw new ForbiddenException(Text.Get("Error.OnlyCommentAuthor"));
    }

    /// <summary>Marks shares past their expiry as expired and tells their owners; run by <see cref="ShareExpiryJob"/>.</summary>
    public async Task<int> ExpireDueAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = Now;
        var due = await db.Shares.Where(s => s.Status == ShareStatus.Active && s.ExpiresAt != null && s.ExpiresAt <= now)
            .OrderBy(s => s.ExpiresAt).Take(1_000).Select(s => new { s.Id, s.OwnerId, s.Title, s.CommunityId }).ToListAsync(ct);
        var expired = 0;
        foreach (var share in due)
        {
            // Claimed one by one, each with its notification in one transaction: a share expires (and its owner hears
            // of it) exactly once, and a fault between the two loses neither.
            var claimed = await db.InTransactionAsync(async () =>
            {
                await db.LockForUpdateAsync<Share>(s => s.Id == share.Id, ct);
                if (await db.Shares.Where(s => s.Id == share.Id && s.Status == ShareStatus.Active)
                        .ExecuteUpdateStampedAsync(now, s => s.SetProperty(x => x.Status, ShareStatus.Expired), ct) == 0) return false;
                // A council's share gives back to its inventory what it did not give out (the lock above comes first, as everywhere).
                await Councils.InventoryLedger.ReturnUnsharedAsync(db, share.Id, share.OwnerId, now, ct);
                await NotificationWriter.AddRangeAsync(db, [new Notification
                {
                    UserId = share.OwnerId, CommunityId = share.CommunityId, Kind = NotificationKind.ShareExpired, Actor = "", Subject = share.Title,
                    Link = CommunityUrls.For(share.CommunityId).Share(share.Id), CreatedAt = now,
                }], ct);
                await db.SaveChangesAsync(ct);
                return true;
            }, ct);
            if (claimed) expired++;
        }
        foreach (var owner in due.Select(s => s.OwnerId).Distinct()) events.Publish(new NotificationsChanged(owner));
        return expired;
    }

    /// <summary>
    /// Refills every recurring share whose period has ended (run by <see cref="ShareRefillJob"/>): nothing reserved or given
    /// in the new period. Each share moves by a conditional UPDATE on the period start it was read with, so when two app
    /// instances run the job at once, one of them refills it and the other changes nothing. Cancelled and expired shares are not refilled.
    /// </summary>
    public async Task<int> RefillDueAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = Now;
        var refilled = 0;
        while (true)
        {
            var due = await db.Shares.Where(s => s.PeriodEnd != null && s.PeriodEnd <= now && s.Status == ShareStatus.Active && (s.ExpiresAt == null || s.ExpiresAt > now))
                .OrderBy(s => s.PeriodEnd).Take(500).Select(s => new { s.Id, s.Recurrence, s.PeriodStart }).ToListAsync(ct);
            if (due.Count == 0) break;
            var refilledNow = 0;
            foreach (var share in due)
            {
                if (await SharePeriods.RefillAsync(db, share.Id, share.Recurrence, share.PeriodStart!.Value, now, ct)) refilledNow++;
            }
            refilled += refilledNow;
            // Another instance took this batch: it goes on with the rest, and so does the next run here.
            if (refilledNow == 0) break;
        }
        return refilled;
    }

    private enum Actor
    {
        Owner,
        Requester,
        Either,
    }

    private async Task TransitionAsync(string actorId, Guid requestId, Actor allowed, RequestStatus[] from, RequestStatus to, NotificationKind notify,
        Func<AppDbContext, ShareRequest, DateTime, Task>? effect, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var recipient = await db.InTransactionAsync(async () =>
        {
            var shareId = await db.ShareRequests.Where(r => r.Id == requestId).Select(r => (Guid?)r.ShareId).SingleOrDefaultAsync(ct)
                          ?? throw new NotFoundException(Text.Get("Error.RequestNotFound"));
            // Locks in one order everywhere: the share, then its requests (CancelShareAsync does the same), so a share
            // cancelled while its requests move cannot deadlock; the request is read once the share is ours.
            await db.LockForUpdateAsync<Share>(s => s.Id == shareId, ct);
            var request = await db.ShareRequests.Include(r => r.Share).AsNoTracking().SingleAsync(r => r.Id == requestId, ct);
            // An accept takes this period's units: a period that has ended is refilled first, as a request does.
            if (await SharePeriods.RefillIfDueAsync(db, request.Share, Now, ct))
                request = await db.ShareRequests.Include(r => r.Share).AsNoTracking().SingleAsync(r => r.Id == requestId, ct);
            var isOwner = request.Share.OwnerId == actorId;
            var isRequester = request.RequesterId == actorId;
            if (!isOwner && !isRequester) throw new NotFoundException(Text.Get("Error.RequestNotFound"));
            // A party who left or was removed keeps no say over the request, whatever the page still shows.
            await PermissionService.DemandMemberAsync(db, request.Share.CommunityId, actorId, ct);
            var permitted = allowed switch { Actor.Owner => isOwner, Actor.Requester => isRequester, _ => true };
            if (!permitted) throw new ForbiddenException(Text.Get(allowed == Actor.Owner ? "Error.OnlyOwner" : "Error.OnlyRequester"));
            var now = Now;
            // Only one transition wins: the state moves only from the state it was read in.
            // The owner's first answer to a pending request is the response the health dashboard times (docs/SPEC.md §13).
            var responds = isOwner && request.Status == RequestStatus.Pending;
            var moved = await db.ShareRequests.Where(r => r.Id == requestId && r.Status == request.Status && from.Contains(r.Status))
                .ExecuteUpdateStampedAsync(now, s => s.SetProperty(r => r.Status, to)
                    .SetProperty(r => r.RespondedAt, r => responds && r.RespondedAt == null ? now : r.RespondedAt), ct);
            if (moved == 0) throw new AppException(Text.Get("Error.RequestState", Text.Get($"RequestStatus.{request.Status}").ToLowerInvariant()));
            if (effect is not null) await effect(db, request, now);
            var recipient = isOwner ? request.RequesterId : request.Share.OwnerId;
            await NotifyAsync(db, recipient, request.Share, notify, actorId, ct);
            await db.SaveChangesAsync(ct);
            return recipient;
        }, ct);
        events.Publish(new NotificationsChanged(recipient));
    }

    private static async Task ReleaseAsync(AppDbContext db, ShareRequest request, string actorId, DateTime now, CancellationToken ct)
    {
        // Units held in an earlier period of a recurring share went with that period; this one's stay as they are.
        await db.Shares.Where(s => s.Id == request.ShareId && s.PeriodStart == request.PeriodStart)
            .ExecuteUpdateStampedAsync(now, s => s.SetProperty(x => x.UnitsReserved, x => x.UnitsReserved - request.Units), ct);
        // A council's share that has closed hands released units back to the inventory (an open one offers them again).
        if (request.Share is { Status: not ShareStatus.Active, SourceCouncilId: { } councilId, ItemId: { } itemId })
            await Councils.InventoryLedger.ChangeAsync(db, request.Share.CommunityId, councilId, itemId, Councils.InventoryEntryKind.Returned, request.Units,
                actorId, now, ct, shareId: request.ShareId, poolId: request.Share.SourcePoolId);
    }

    /// <summary>"None left this week — refills on Mon 14 Dec, 09:00": why a recurring share with nothing free refuses (plainly when it expires before then).</summary>
    internal static string NoneLeftThisPeriod(Share share) => share.PeriodEnd is { } end && (share.ExpiresAt is null || share.ExpiresAt > end)
        ? Text.Get($"Wealth.NoneLeftThisPeriod.{share.Recurrence}", SharePeriods.RefillText(end))
        : Text.Get("Wealth.NoneLeft");

    private void EnsureOpen(Share share)
    {
        if (share.Status != ShareStatus.Active) throw new AppException(Text.Get("Error.ShareClosed", Text.Get($"ShareStatus.{share.Status}").ToLowerInvariant()));
        // Expired shares stop accepting requests at once, before the expiry job marks them.
        if (share.ExpiresAt is { } expires && expires <= Now) throw new AppException(Text.Get("Error.ShareExpired"));
    }

    private Task NotifyAsync(AppDbContext db, string userId, Share share, NotificationKind kind, string actorId, CancellationToken ct) =>
        NotificationWriter.AddAsync(db, userId, share.CommunityId, kind, actorId, CommunityUrls.For(share.CommunityId).Share(share.Id), Now, share.Title, ct);

    private static string? Trimmed(string? text, int max)
    {
        var value = string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        if (value is { Length: > 0 } && value.Length > max) throw new ValidationFailedException(new Dictionary<string, string> { ["message"] = Text.Get("Error.MaxChars", max) });
        return Texts.IsStorable(value) ? value : throw new ValidationFailedException(new Dictionary<string, string> { ["message"] = Texts.UnstorableMessage });
    }
}
