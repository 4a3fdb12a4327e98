using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Recognition;
using CommunityApp.Features.Wealth;
using CommunityApp.Resources;

namespace CommunityApp.Features.Disputes;

/// <summary>Something changed on a dispute: its page reloads, and so do the lists and the handlers' badge.</summary>
public sealed record DisputeChanged(Guid CommunityId, Guid DisputeId) : AppEvent;

/// <summary>What the opener writes: a title (1–200) and the details (markdown, up to 5,000).</summary>
public sealed record DisputeInput(string Title, string? Details);

/// <summary>A refusal of a dispute rule, with its resource key (the text shown is <see cref="Text.Get"/> of it).</summary>
public sealed class DisputeRefusal(string key, params object?[] args) : AppException(Text.Get(key, args))
{
    public string Key { get; } = key;
}

/// <summary>
/// Disputes (docs/SPEC.md §12): opened by a party of a subject (a request today, a recognition entry later), mediated by
/// handlers every party accepted, resolved or closed. Every state move is a conditional UPDATE on the state it was read in,
/// under the dispute's row lock, so parallel clicks move it once. Only the parties, accepted mediators and admins see the
/// details; anyone else is told the dispute does not exist.
/// </summary>
public sealed class DisputeService(IDbContextFactory<AppDbContext> dbFactory, IEventHub events, TimeProvider clock, RecognitionService recognition)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    // ----- Opening -----

    /// <summary>
    /// A party of a request opens a dispute about it: the request was reported failed, or it was accepted at least
    /// <c>requestConfirmDays</c> ago and is still neither fulfilled nor failed. The parties are its requester and the share's owner.
    /// </summary>
    public async Task<Guid> OpenForRequestAsync(string actorId, Guid requestId, DisputeInput input, CancellationToken ct = default)
    {
        Validate(input);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var request = await db.ShareRequests.AsNoTracking().Where(r => r.Id == requestId)
            .Select(r => new { r.Id, r.RequesterId, r.Share.OwnerId, r.Share.CommunityId, r.Status, r.AcceptedAt, r.ConfirmAskedAt })
            .SingleOrDefaultAsync(ct);
        if (request is null || (request.RequesterId != actorId && request.OwnerId != actorId)) throw new NotFoundException(Text.Get("Error.RequestNotFound"));
        var standing = await PermissionService.DemandMemberAsync(db, request.CommunityId, actorId, ct);
        if (!MayDispute(request.Status, request.AcceptedAt, request.ConfirmAskedAt, standing.Settings.RequestConfirmDays, Now))
            throw new DisputeRefusal("Disputes.Error.NotEligible");
        return await OpenAsync(actorId, request.CommunityId, DisputeSubjectKind.Request, requestId, [request.RequesterId, request.OwnerId], input, ct);
    }

    /// <summary>
    /// A party of a value-recognition entry (the member credited or the giver; for an automatic entry the two sides of its
    /// request or contribution) says it is wrong (docs/SPEC.md §18). The Recognition feature names the parties and refuses
    /// anyone else.
    /// </summary>
    public async Task<Guid> OpenForRecognitionEntryAsync(string actorId, Guid entryId, DisputeInput input, CancellationToken ct = default)
    {
        Validate(input);
        var entry = await recognition.DisputePartiesAsync(actorId, entryId, ct);
        return await OpenAsync(actorId, entry.CommunityId, DisputeSubjectKind.RecognitionEntry, entryId, entry.PartyUserIds, input, ct);
    }

    /// <summary>The entry as the opening form shows it ("5 units from Ana to Ben"), when the viewer is one of its parties.</summary>
    public async Task<string> RecognitionEntryTitleForOpeningAsync(string actorId, Guid entryId, CancellationToken ct = default)
    {
        await recognition.DisputePartiesAsync(actorId, entryId, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await EntrySubjectAsync(db, entryId, ct))!.Title;
    }

    private static async Task<SubjectRef?> EntrySubjectAsync(AppDbContext db, Guid entryId, CancellationToken ct)
    {
        var entry = await db.RecognitionEntries.Where(e => e.Id == entryId)
            .Select(e => new
            {
                e.CommunityId, e.Units,
                Giver = db.Users.Where(u => u.Id == e.GiverId).Select(u => u.DisplayName).FirstOrDefault(),
                Contributor = db.Users.Where(u => u.Id == e.ContributorId).Select(u => u.DisplayName).FirstOrDefault(),
            }).SingleOrDefaultAsync(ct);
        return entry is null ? null
            : new SubjectRef(Text.Get("Disputes.EntrySubject", entry.Units, entry.Giver ?? "", entry.Contributor ?? ""), CommunityUrls.For(entry.CommunityId).Recognition);
    }

    /// <summary>
    /// Whether a request may be disputed now: reported failed, or accepted and not confirmed within the confirm period
    /// (the same moment both parties are asked to confirm).
    /// </summary>
    public static bool MayDispute(RequestStatus status, DateTime? acceptedAt, DateTime? confirmAskedAt, int confirmDays, DateTime now) =>
        status == RequestStatus.Failed
        || (status == RequestStatus.Accepted && (confirmAskedAt is not null || (acceptedAt is { } accepted && accepted.AddDays(confirmDays) <= now)));

    /// <summary>
    /// Opens a dispute about any subject with the given parties (the opener among them): the one entry point for every kind
    /// of subject. The caller has decided that the subject may be disputed and who its parties are; this checks that they
    /// are members and that no other dispute about the subject is open (a unique index, so parallel opens make one).
    /// </summary>
    public async Task<Guid> OpenAsync(string actorId, Guid communityId, DisputeSubjectKind kind, Guid subjectId, IReadOnlyCollection<string> partyIds,
        DisputeInput input, CancellationToken ct = default)
    {
        var (title, details) = Validate(input);
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind));
        var parties = partyIds.Distinct().ToList();
        if (!parties.Contains(actorId)) throw new DisputeRefusal("Disputes.Error.OnlyParty");
        if (parties.Count < 2) throw new DisputeRefusal("Disputes.Error.Parties");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var now = Now;
        var dispute = new Dispute
        {
            CommunityId = communityId, SubjectKind = kind, SubjectId = subjectId, OpenedById = actorId, Title = title, Details = details,
            Status = DisputeStatus.Open, LastActivityAt = now,
        };
        var recipients = await db.InTransactionAsync(async () =>
        {
            await PermissionService.DemandMemberAsync(db, communityId, actorId, ct);
            var members = await db.Memberships.Where(m => m.CommunityId == communityId && parties.Contains(m.UserId)).CountAsync(ct);
            if (members != parties.Count) throw new DisputeRefusal("Disputes.Error.Parties");
            if (await db.Disputes.AnyAsync(d => d.SubjectKind == kind && d.SubjectId == subjectId && (d.Status == DisputeStatus.Open || d.Status == DisputeStatus.InMediation), ct))
                throw new DisputeRefusal("Disputes.Error.AlreadyOpen");
            db.Disputes.Add(dispute);
            foreach (var party in parties) db.DisputeParties.Add(new DisputeParty { DisputeId = dispute.Id, UserId = party });
            db.DisputeEvents.Add(new DisputeEvent { DisputeId = dispute.Id, Kind = DisputeEventKind.Opened, ActorId = actorId, CreatedAt = now });
            var others = parties.Where(p => p != actorId).ToList();
            await NotifyAsync(db, dispute, NotificationKind.DisputeOpened, actorId, others, now, ct);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
            {
                throw new DisputeRefusal("Disputes.Error.AlreadyOpen");
            }
            return others;
        }, ct);
        Publish(dispute, recipients);
        return dispute.Id;
    }

    private static (string Title, string Details) Validate(DisputeInput input)
    {
        var title = input.Title?.Trim() ?? "";
        var details = input.Details?.Trim() ?? "";
        var errors = new Dictionary<string, string>();
        if (title.Length == 0) errors["title"] = Text.Get("Disputes.Error.TitleRequired");
        else if (title.Length > Dispute.TitleMaxLength) errors["title"] = Text.Get("Error.MaxChars", Dispute.TitleMaxLength);
        else if (!Texts.IsStorable(title)) errors["title"] = Texts.UnstorableMessage;
        if (details.Length == 0) errors["details"] = Text.Get("Disputes.Error.DetailsRequired");
        else if (details.Length > Dispute.DetailsMaxLength) errors["details"] = Text.Get("Error.MaxChars", Dispute.DetailsMaxLength);
        else if (!Texts.IsStorable(details)) errors["details"] = Texts.UnstorableMessage;
        ValidationFailedException.ThrowIfAny(errors);
        return (title, details);
    }

    // ----- Mediators -----

    /// <summary>
    /// A handler (the dispute permission, the dispute handler role, or a manager of a council in
    /// <c>disputeHandlingCouncils</c>) offers to mediate an active dispute they are not a party of. Audited.
    /// </summary>
    public async Task OfferToMediateAsync(string actorId, Guid disputeId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        Dispute? dispute = null;
        var recipients = await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<Dispute>(d => d.Id == disputeId, ct);
            dispute = await db.Disputes.AsNoTracking().SingleOrDefaultAsync(d => d.Id == disputeId, ct) ?? throw NotFound();
            await PermissionService.DemandAsync(db, dispute.CommunityId, actorId, Permission.HandleDisputes, ct);
            if (!dispute.IsActive) throw NotActive(dispute);
            var parties = await PartiesAsync(db, disputeId, ct);
            if (parties.Contains(actorId)) throw new DisputeRefusal("Disputes.Error.PartyCannotMediate");
            if (await db.DisputeMediators.AnyAsync(m => m.DisputeId == disputeId && m.UserId == actorId, ct)) throw new DisputeRefusal("Disputes.Error.AlreadyOffered");
            var now = Now;
            db.DisputeMediators.Add(new DisputeMediator { DisputeId = disputeId, UserId = actorId, Status = MediatorStatus.Offered, OfferedAt = now });
            db.DisputeEvents.Add(new DisputeEvent { DisputeId = disputeId, Kind = DisputeEventKind.MediatorOffered, ActorId = actorId, SubjectUserId = actorId, CreatedAt = now });
            await TouchAsync(db, dispute, now, ct);
            db.AuditLog.Add(AuditEntry.Record(dispute.CommunityId, actorId, AuditAction.DisputeMediationOffered, new { disputeId, subject = dispute.SubjectKind.ToString() }, at: now));
            await NotifyAsync(db, dispute, NotificationKind.DisputeMediatorOffered, actorId, parties, now, ct);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
            {
                throw new DisputeRefusal("Disputes.Error.AlreadyOffered");
            }
            return parties;
        }, ct);
        Publish(dispute!, recipients);
    }

    /// <summary>
    /// A party accepts or rejects an offered mediator (final). A rejection ends the offer; the last party's acceptance makes
    /// the mediator accepted, and the first accepted mediator puts an open dispute in mediation. Answers are taken under the
    /// dispute's row lock, so two parties answering at once both count and the mediator is accepted exactly once.
    /// </summary>
    public async Task AnswerMediatorAsync(string actorId, Guid mediatorId, bool accept, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        Dispute? dispute = null;
        var recipients = await db.InTransactionAsync(async () =>
        {
            var disputeId = await db.DisputeMediators.Where(m => m.Id == mediatorId).Select(m => (Guid?)m.DisputeId).SingleOrDefaultAsync(ct) ?? throw NotFound();
            await db.LockForUpdateAsync<Dispute>(d => d.Id == disputeId, ct);
            dispute = await db.Disputes.AsNoTracking().SingleAsync(d => d.Id == disputeId, ct);
            var parties = await PartiesAsync(db, disputeId, ct);
            if (!parties.Contains(actorId)) throw NotFound();
            await PermissionService.DemandMemberAsync(db, dispute.CommunityId, actorId, ct);
            if (!dispute.IsActive) throw NotActive(dispute);
            var mediator = await db.DisputeMediators.SingleAsync(m => m.Id == mediatorId, ct);
            if (mediator.Status != MediatorStatus.Offered) throw new DisputeRefusal("Disputes.Error.OfferDecided");
            if (await db.DisputeMediatorAnswers.AnyAsync(a => a.MediatorId == mediatorId && a.PartyId == actorId, ct)) throw new DisputeRefusal("Disputes.Error.AlreadyAnswered");
            var now = Now;
            db.DisputeMediatorAnswers.Add(new DisputeMediatorAnswer { MediatorId = mediatorId, PartyId = actorId, Accepted = accept, AnsweredAt = now });
            db.DisputeEvents.Add(new DisputeEvent
            {
                DisputeId = disputeId, Kind = accept ? DisputeEventKind.MediatorAcceptedByParty : DisputeEventKind.MediatorRejectedByParty,
                ActorId = actorId, SubjectUserId = mediator.UserId, CreatedAt = now,
            });
            var others = parties.Where(p => p != actorId).Append(mediator.UserId).Distinct().ToList();
            if (!accept)
            {
                (mediator.Status, mediator.DecidedAt) = (MediatorStatus.Rejected, now);
                await NotifyAsync(db, dispute, NotificationKind.DisputeMediatorRejected, actorId, others, now, ct);
            }
            else
            {
                var accepted = await db.DisputeMediatorAnswers.CountAsync(a => a.MediatorId == mediatorId && a.Accepted && parties.Contains(a.PartyId), ct) + 1;
                if (accepted >= parties.Count)
                {
                    (mediator.Status, mediator.DecidedAt) = (MediatorStatus.Accepted, now);
                    // A microsecond apart (what PostgreSQL keeps), so the timeline reads in this order.
                    db.DisputeEvents.Add(new DisputeEvent { DisputeId = disputeId, Kind = DisputeEventKind.MediatorAccepted, ActorId = actorId, SubjectUserId = mediator.UserId, CreatedAt = now.AddMicroseconds(1) });
                    if (dispute.Status == DisputeStatus.Open)
                    {
                        var moved = await db.Disputes.Where(d => d.Id == disputeId && d.Status == DisputeStatus.Open)
                            .ExecuteUpdateStampedAsync(now, s => s.SetProperty(d => d.Status, DisputeStatus.InMediation), ct);
                        if (moved == 0) throw NotActive(dispute);
                        db.DisputeEvents.Add(new DisputeEvent { DisputeId = disputeId, Kind = DisputeEventKind.MediationStarted, ActorId = actorId, SubjectUserId = mediator.UserId, CreatedAt = now.AddMicroseconds(2) });
                    }
                    await NotifyAsync(db, dispute, NotificationKind.DisputeMediatorAccepted, actorId, others, now, ct);
                }
            }
            await TouchAsync(db, dispute, now, ct, inMediation: dispute.Status == DisputeStatus.InMediation || mediator.Status == MediatorStatus.Accepted);
            await db.SaveChangesAsync(ct);
            return others;
        }, ct);
        Publish(dispute!, recipients);
    }

    // ----- Evidence -----

    /// <summary>A message (markdown, 1–5,000) on an active dispute's timeline, by a party, an accepted mediator or an admin.</summary>
    public async Task PostMessageAsync(string actorId, Guid disputeId, string body, CancellationToken ct = default)
    {
        var text = body?.Trim() ?? "";
        if (text.Length == 0) throw Field("body", Text.Get("Disputes.Error.MessageRequired"));
        if (text.Length > Dispute.MessageMaxLength) throw Field("body", Text.Get("Error.MaxChars", Dispute.MessageMaxLength));
        if (!Texts.IsStorable(text)) throw Field("body", Texts.UnstorableMessage);
        await InvolvedWriteAsync(actorId, disputeId, NotificationKind.DisputeMessage, AuditAction.DisputeMessagePosted, async (db, dispute, now) =>
        {
            db.DisputeEvents.Add(new DisputeEvent { DisputeId = disputeId, Kind = DisputeEventKind.Message, ActorId = actorId, Body = text, CreatedAt = now });
            await Task.CompletedTask;
        }, ct);
    }

    /// <summary>
    /// A picture as evidence (PNG, JPEG, GIF or WebP up to 2 MB, typed from its bytes, as share pictures), at most
    /// <see cref="Dispute.MaxImages"/> a dispute (counted under its row lock).
    /// </summary>
    public async Task AddImageAsync(string actorId, Guid disputeId, Stream upload, CancellationToken ct = default)
    {
        var (bytes, type) = await UploadedImages.ReadAsync(upload, "image", ct);
        await InvolvedWriteAsync(actorId, disputeId, NotificationKind.DisputeEvidenceAdded, AuditAction.DisputeEvidenceAdded, async (db, dispute, now) =>
        {
            if (await db.DisputeImages.CountAsync(i => i.DisputeId == disputeId, ct) >= Dispute.MaxImages) throw Field("image", Text.Get("Disputes.Error.TooManyImages", Dispute.MaxImages));
            var image = new DisputeImage { DisputeId = disputeId, ContentType = type, Bytes = bytes, CreatedAt = now };
            db.DisputeImages.Add(image);
            db.DisputeEvents.Add(new DisputeEvent { DisputeId = disputeId, Kind = DisputeEventKind.Evidence, ActorId = actorId, ImageId = image.Id, CreatedAt = now });
        }, ct);
    }

    private async Task InvolvedWriteAsync(string actorId, Guid disputeId, NotificationKind kind, AuditAction audit, Func<AppDbContext, Dispute, DateTime, Task> write, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        Dispute? dispute = null;
        var recipients = await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<Dispute>(d => d.Id == disputeId, ct);
            var access = await AccessAsync(db, actorId, disputeId, ct);
            dispute = access.Dispute;
            if (!dispute.IsActive) throw NotActive(dispute);
            var now = Now;
            await write(db, dispute, now);
            await TouchAsync(db, dispute, now, ct);
            // A mediator's or an admin's word on a dispute is on the record (a party's is their own business).
            if (!access.IsParty)
                db.AuditLog.Add(AuditEntry.Record(dispute.CommunityId, actorId, audit, new { disputeId, subject = dispute.SubjectKind.ToString() }, at: now));
            var others = (await InvolvedAsync(db, disputeId, ct)).Where(u => u != actorId).ToList();
            await NotifyAsync(db, dispute, kind, actorId, others, now, ct);
            await db.SaveChangesAsync(ct);
            return others;
        }, ct);
        Publish(dispute!, recipients);
    }

    // ----- Ending -----

    /// <summary>An accepted mediator resolves a dispute in mediation: the outcome (markdown, 1–5,000), public or private. Audited.</summary>
    public async Task ResolveAsync(string actorId, Guid disputeId, string outcome, bool isPublic, CancellationToken ct = default)
    {
        var text = outcome?.Trim() ?? "";
        if (text.Length == 0) throw Field("outcome", Text.Get("Disputes.Error.OutcomeRequired"));
        if (text.Length > Dispute.OutcomeMaxLength) throw Field("outcome", Text.Get("Error.MaxChars", Dispute.OutcomeMaxLength));
        if (!Texts.IsStorable(text)) throw Field("outcome", Texts.UnstorableMessage);
        await EndAsync(actorId, disputeId, NotificationKind.DisputeResolved, (access) =>
        {
            if (!access.IsMediator) throw new DisputeRefusal("Disputes.Error.OnlyMediator");
            if (access.Dispute.Status != DisputeStatus.InMediation) throw access.Dispute.IsActive ? new DisputeRefusal("Disputes.Error.NotInMediation") : NotActive(access.Dispute);
        }, async (db, dispute, now) =>
        {
            var moved = await db.Disputes.Where(d => d.Id == disputeId && d.Status == DisputeStatus.InMediation)
                .ExecuteUpdateStampedAsync(now, s => s.SetProperty(d => d.Status, DisputeStatus.Resolved).SetProperty(d => d.Outcome, text)
                    .SetProperty(d => d.OutcomePublic, isPublic).SetProperty(d => d.ResolvedAt, now).SetProperty(d => d.ResolvedById, actorId)
                    .SetProperty(d => d.RemindAt, (DateTime?)null).SetProperty(d => d.LastActivityAt, now), ct);
            db.DisputeEvents.Add(new DisputeEvent { DisputeId = disputeId, Kind = DisputeEventKind.Resolved, ActorId = actorId, Body = text, CreatedAt = now });
            db.AuditLog.Add(AuditEntry.Record(dispute.CommunityId, actorId, AuditAction.DisputeResolved, new { disputeId, subject = dispute.SubjectKind.ToString(), isPublic }, at: now));
            return moved;
        }, ct);
    }

    /// <summary>The opener withdraws an active dispute: it is closed.</summary>
    public Task WithdrawAsync(string actorId, Guid disputeId, CancellationToken ct = default) =>
        EndAsync(actorId, disputeId, NotificationKind.DisputeClosed, access =>
        {
            if (access.Dispute.OpenedById != actorId) throw new DisputeRefusal("Disputes.Error.OnlyOpener");
            if (!access.Dispute.IsActive) throw NotActive(access.Dispute);
        }, (db, dispute, now) => CloseRowAsync(db, dispute, actorId, null, DisputeEventKind.Withdrawn, now, ct), ct);

    /// <summary>An admin or an accepted mediator closes an active dispute, with a reason (1–1,000). Audited.</summary>
    public async Task CloseAsync(string actorId, Guid disputeId, string reason, CancellationToken ct = default)
    {
        var text = reason?.Trim() ?? "";
        if (text.Length == 0) throw Field("reason", Text.Get("Disputes.Error.ReasonRequired"));
        if (text.Length > Dispute.ReasonMaxLength) throw Field("reason", Text.Get("Error.MaxChars", Dispute.ReasonMaxLength));
        if (!Texts.IsStorable(text)) throw Field("reason", Texts.UnstorableMessage);
        await EndAsync(actorId, disputeId, NotificationKind.DisputeClosed, access =>
        {
            if (!access.IsMediator && !access.IsAdmin) throw new DisputeRefusal("Disputes.Error.OnlyMediatorOrAdmin");
            if (!access.Dispute.IsActive) throw NotActive(access.Dispute);
        }, async (db, dispute, now) =>
        {
            var moved = await CloseRowAsync(db, dispute, actorId, text, DisputeEventKind.Closed, now, ct);
            db.AuditLog.Add(AuditEntry.Record(dispute.CommunityId, actorId, AuditAction.DisputeClosed, new { disputeId, subject = dispute.SubjectKind.ToString(), reason = text }, at: now));
            return moved;
        }, ct);
    }

    private static async Task<int> CloseRowAsync(AppDbContext db, Dispute dispute, string actorId, string? reason, DisputeEventKind kind, DateTime now, CancellationToken ct)
    {
        var moved = await db.Disputes.Where(d => d.Id == dispute.Id && d.Status == dispute.Status)
            .ExecuteUpdateStampedAsync(now, s => s.SetProperty(d => d.Status, DisputeStatus.Closed).SetProperty(d => d.ClosedAt, now)
                .SetProperty(d => d.ClosedById, actorId).SetProperty(d => d.CloseReason, reason).SetProperty(d => d.RemindAt, (DateTime?)null)
                .SetProperty(d => d.LastActivityAt, now), ct);
        db.DisputeEvents.Add(new DisputeEvent { DisputeId = dispute.Id, Kind = kind, ActorId = actorId, Body = reason, CreatedAt = now });
        return moved;
    }

    private async Task EndAsync(string actorId, Guid disputeId, NotificationKind kind, Action<Access> check, Func<AppDbContext, Dispute, DateTime, Task<int>> move, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        Dispute? dispute = null;
        var recipients = await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<Dispute>(d => d.Id == disputeId, ct);
            var access = await AccessAsync(db, actorId, disputeId, ct);
            dispute = access.Dispute;
            check(access);
            var now = Now;
            if (await move(db, dispute, now) == 0) throw NotActive(dispute);
            var others = (await InvolvedAsync(db, disputeId, ct)).Where(u => u != actorId).ToList();
            await NotifyAsync(db, dispute, kind, actorId, others, now, ct);
            await db.SaveChangesAsync(ct);
            return others;
        }, ct);
        Publish(dispute!, recipients);
    }

    // ----- Timers -----

    /// <summary>
    /// Asks both parties of every request accepted at least <c>requestConfirmDays</c> ago (its community's setting) and still
    /// neither fulfilled nor failed to confirm it (run by <see cref="RequestConfirmJob"/>). Each request is claimed by a
    /// conditional UPDATE of its <see cref="ShareRequest.ConfirmAskedAt"/> in the transaction that writes the two
    /// notifications, so two app instances ask once. Returns how many requests were asked about.
    /// </summary>
    public async Task<int> AskToConfirmDueAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = Now;
        var earliest = now.AddDays(-SettingsLimitsMin);
        var communities = await db.ShareRequests.Where(r => r.Status == RequestStatus.Accepted && r.ConfirmAskedAt == null && r.AcceptedAt != null && r.AcceptedAt <= earliest)
            .Select(r => r.Share.CommunityId).Distinct().ToListAsync(ct);
        var asked = 0;
        foreach (var communityId in communities)
        {
            var settings = await db.Communities.Where(c => c.Id == communityId).Select(c => c.Settings).SingleOrDefaultAsync(ct);
            if (settings is null) continue;
            var dueBefore = now.AddDays(-settings.RequestConfirmDays);
            var due = await db.ShareRequests.AsNoTracking()
                .Where(r => r.Share.CommunityId == communityId && r.Status == RequestStatus.Accepted && r.ConfirmAskedAt == null && r.AcceptedAt != null && r.AcceptedAt <= dueBefore)
                .OrderBy(r => r.AcceptedAt).Take(500)
                .Select(r => new { r.Id, r.RequesterId, r.Share.OwnerId, r.ShareId, r.Share.Title }).ToListAsync(ct);
            foreach (var request in due)
            {
                var claimed = await db.InTransactionAsync(async () =>
                {
                    if (await db.ShareRequests.Where(r => r.Id == request.Id && r.ConfirmAskedAt == null && r.Status == RequestStatus.Accepted)
                            .ExecuteUpdateStampedAsync(now, s => s.SetProperty(r => r.ConfirmAskedAt, now), ct) == 0) return false;
                    var link = CommunityUrls.For(communityId).Share(request.ShareId);
                    await NotificationWriter.AddAsync(db, request.RequesterId, communityId, NotificationKind.RequestConfirmDue, request.OwnerId, link, now, request.Title, ct);
                    await NotificationWriter.AddAsync(db, request.OwnerId, communityId, NotificationKind.RequestConfirmDue, request.RequesterId, link, now, request.Title, ct);
                    await db.SaveChangesAsync(ct);
                    return true;
                }, ct);
                if (!claimed) continue;
                asked++;
                events.Publish(new NotificationsChanged(request.RequesterId));
                events.Publish(new NotificationsChanged(request.OwnerId));
            }
        }
        return asked;
    }

    private const int SettingsLimitsMin = CommunityApp.Features.Settings.SettingsLimits.MinConfirmDays;

    /// <summary>
    /// Reminds the accepted mediators and the community's admins of every dispute in mediation quiet for
    /// <see cref="Dispute.QuietPeriod"/> (run by <see cref="MediationReminderJob"/>): once per quiet period, claimed by a
    /// conditional UPDATE clearing <see cref="Dispute.RemindAt"/>; new activity sets it again. Returns how many were reminded.
    /// </summary>
    public async Task<int> RemindQuietMediationsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = Now;
        var due = await db.Disputes.AsNoTracking().Where(d => d.Status == DisputeStatus.InMediation && d.RemindAt != null && d.RemindAt <= now)
            .OrderBy(d => d.RemindAt).Take(500).ToListAsync(ct);
        var reminded = 0;
        foreach (var dispute in due)
        {
            var recipients = await db.InTransactionAsync(async () =>
            {
                if (await db.Disputes.Where(d => d.Id == dispute.Id && d.RemindAt == dispute.RemindAt && d.Status == DisputeStatus.InMediation)
                        .ExecuteUpdateStampedAsync(now, s => s.SetProperty(d => d.RemindAt, (DateTime?)null), ct) == 0) return null;
                var mediators = await db.DisputeMediators.Where(m => m.DisputeId == dispute.Id && m.Status == MediatorStatus.Accepted).Select(m => m.UserId).ToListAsync(ct);
                var admins = await db.Memberships.Where(m => m.CommunityId == dispute.CommunityId && m.Role == MemberRole.Admin).Select(m => m.UserId).ToListAsync(ct);
                var recipients = mediators.Concat(admins).Distinct().ToList();
                await NotifyAsync(db, dispute, NotificationKind.DisputeMediationQuiet, dispute.OpenedById, recipients, now, ct);
                await db.SaveChangesAsync(ct);
                return recipients;
            }, ct);
            if (recipients is null) continue;
            reminded++;
            foreach (var user in recipients) events.Publish(new NotificationsChanged(user));
        }
        return reminded;
    }

    // ----- Reading -----

    /// <summary>A dispute with its parties, mediators and outcome, for those who see its details; "not found" for anyone else.</summary>
    public async Task<DisputeView> GetAsync(string actorId, Guid disputeId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var access = await AccessAsync(db, actorId, disputeId, ct);
        var d = access.Dispute;
        var parties = await db.DisputeParties.Where(p => p.DisputeId == disputeId)
            .Join(db.Users, p => p.UserId, u => u.Id, (p, u) => new PersonRef(u.Id, u.DisplayName)).ToListAsync(ct);
        var mediatorRows = await db.DisputeMediators.Where(m => m.DisputeId == disputeId).OrderBy(m => m.OfferedAt)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { m.Id, m.UserId, u.DisplayName, m.Status, m.OfferedAt }).ToListAsync(ct);
        var ids = mediatorRows.Select(m => m.Id).ToList();
        var answers = await db.DisputeMediatorAnswers.Where(a => ids.Contains(a.MediatorId)).ToListAsync(ct);
        var mediators = mediatorRows.Select(m => new MediatorView(m.Id, m.UserId, m.DisplayName, m.Status, m.OfferedAt,
            answers.Where(a => a.MediatorId == m.Id).ToDictionary(a => a.PartyId, a => a.Accepted))).ToList();
        var opener = parties.FirstOrDefault(p => p.UserId == d.OpenedById)?.Name ?? "";
        SubjectRef? subject = null;
        if (d.SubjectKind == DisputeSubjectKind.Request)
        {
            subject = await db.ShareRequests.Where(r => r.Id == d.SubjectId)
                .Select(r => new SubjectRef(r.Share.Title, CommunityUrls.For(d.CommunityId).Share(r.ShareId))).SingleOrDefaultAsync(ct);
        }
        else if (d.SubjectKind == DisputeSubjectKind.RecognitionEntry)
            subject = await EntrySubjectAsync(db, d.SubjectId, ct);
        return new DisputeView(d.Id, d.CommunityId, d.SubjectKind, d.SubjectId, subject, d.Title, d.Details, d.Status, d.OpenedById, opener, d.CreatedAt,
            parties, mediators, d.Outcome, d.OutcomePublic, d.ResolvedAt, d.CloseReason, d.ClosedAt,
            access.IsParty, access.IsMediator, access.IsAdmin, access.Dispute.OpenedById == actorId);
    }

    /// <summary>The dispute's timeline, oldest first, paged; the same rule as <see cref="GetAsync"/>.</summary>
    public async Task<Page<TimelineRow>> TimelineAsync(string actorId, Guid disputeId, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await AccessAsync(db, actorId, disputeId, ct);
        var query = db.DisputeEvents.Where(e => e.DisputeId == disputeId);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(e => new TimelineRow(e.Id, e.Kind, db.Users.Where(u => u.Id == e.ActorId).Select(u => u.DisplayName).FirstOrDefault() ?? "",
                db.Users.Where(u => u.Id == e.SubjectUserId).Select(u => u.DisplayName).FirstOrDefault(), e.Body,
                e.ImageId == null ? null : DisputeImageEndpoint.Url(e.ImageId.Value), e.CreatedAt))
            .ToListAsync(ct);
        return new Page<TimelineRow>(rows, total, pageIndex, pageSize);
    }

    /// <summary>My disputes in a community: those I am a party of or mediate (accepted), latest activity first.</summary>
    public async Task<Page<DisputeRow>> MineAsync(string actorId, Guid communityId, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, actorId, ct);
        var query = db.Disputes.Where(d => d.CommunityId == communityId
            && (db.DisputeParties.Any(p => p.DisputeId == d.Id && p.UserId == actorId)
                || db.DisputeMediators.Any(m => m.DisputeId == d.Id && m.UserId == actorId && m.Status == MediatorStatus.Accepted)));
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(d => d.LastActivityAt).Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(d => new DisputeRow(d.Id, d.Title, d.Status, d.SubjectKind, d.CreatedAt, d.LastActivityAt,
                !db.DisputeParties.Any(p => p.DisputeId == d.Id && p.UserId == actorId)))
            .ToListAsync(ct);
        return new Page<DisputeRow>(rows, total, pageIndex, pageSize);
    }

    /// <summary>
    /// The handlers' queue: open disputes waiting for a mediator, oldest first, without title or details (only the parties,
    /// accepted mediators and admins read those). Refused to members who may not handle disputes.
    /// </summary>
    public async Task<Page<QueueRow>> QueueAsync(string actorId, Guid communityId, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandAsync(db, communityId, actorId, Permission.HandleDisputes, ct);
        var query = db.Disputes.Where(d => d.CommunityId == communityId && d.Status == DisputeStatus.Open);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderBy(d => d.CreatedAt).Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(d => new QueueRow(d.Id, d.SubjectKind, d.CreatedAt,
                db.DisputeParties.Count(p => p.DisputeId == d.Id),
                db.DisputeMediators.Count(m => m.DisputeId == d.Id && m.Status == MediatorStatus.Offered),
                db.DisputeMediators.Where(m => m.DisputeId == d.Id && m.UserId == actorId).Select(m => (MediatorStatus?)m.Status).FirstOrDefault(),
                db.DisputeParties.Any(p => p.DisputeId == d.Id && p.UserId == actorId)))
            .ToListAsync(ct);
        return new Page<QueueRow>(rows, total, pageIndex, pageSize);
    }

    /// <summary>The handlers' badge: open disputes waiting for a mediator that this handler could still offer to mediate; 0 for anyone else.</summary>
    public async Task<int> AwaitingMediatorCountAsync(string userId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var standing = await PermissionService.LoadStandingAsync(db, communityId, userId, ct);
        return MayHandle(standing, communityId) ? await AwaitingMediatorCountAsync(db, userId, communityId, ct) : 0;
    }

    /// <summary>The same count for a standing already loaded (the navigation loads one for all its sections).</summary>
    public async Task<int> AwaitingMediatorCountAsync(MemberStanding? standing, string userId, Guid communityId, CancellationToken ct = default)
    {
        if (!MayHandle(standing, communityId)) return 0;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await AwaitingMediatorCountAsync(db, userId, communityId, ct);
    }

    private static bool MayHandle(MemberStanding? standing, Guid communityId) =>
        PermissionService.Decide(standing, Permission.HandleDisputes, PermissionScope.Community(communityId)).Allowed;

    private static async Task<int> AwaitingMediatorCountAsync(AppDbContext db, string userId, Guid communityId, CancellationToken ct)
    {
        return await db.Disputes.CountAsync(d => d.CommunityId == communityId && d.Status == DisputeStatus.Open
            && !db.DisputeParties.Any(p => p.DisputeId == d.Id && p.UserId == userId)
            && !db.DisputeMediators.Any(m => m.DisputeId == d.Id && m.UserId == userId), ct);
    }

    /// <summary>
    /// The dispute state of every request a share page lists, for its viewer, in three queries however many there are:
    /// whether a party is due to confirm or may open a dispute, the one going, and the public outcomes (any member reads those).
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, RequestDisputes>> ForRequestsAsync(string actorId, Guid communityId, IReadOnlyCollection<Guid> requestIds,
        CancellationToken ct = default)
    {
        if (requestIds.Count == 0) return new Dictionary<Guid, RequestDisputes>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var standing = await PermissionService.LoadStandingAsync(db, communityId, actorId, ct);
        if (standing is null) return new Dictionary<Guid, RequestDisputes>();
        var requests = await db.ShareRequests.AsNoTracking().Where(r => requestIds.Contains(r.Id) && r.Share.CommunityId == communityId)
            .Select(r => new { r.Id, r.RequesterId, r.Share.OwnerId, r.Status, r.AcceptedAt, r.ConfirmAskedAt }).ToListAsync(ct);
        var ids = requests.Select(r => r.Id).ToList();
        var disputes = await db.Disputes.AsNoTracking()
            .Where(d => d.SubjectKind == DisputeSubjectKind.Request && ids.Contains(d.SubjectId)
                        && (d.Status == DisputeStatus.Open || d.Status == DisputeStatus.InMediation || (d.Status == DisputeStatus.Resolved && d.OutcomePublic == true)))
            .OrderBy(d => d.ResolvedAt).Select(d => new { d.Id, d.SubjectId, d.Status, d.Outcome }).ToListAsync(ct);
        var now = Now;
        var confirmDays = standing.Settings.RequestConfirmDays;
        return requests.ToDictionary(r => r.Id, r =>
        {
            var isParty = r.RequesterId == actorId || r.OwnerId == actorId;
            var about = disputes.Where(d => d.SubjectId == r.Id).ToList();
            var active = isParty ? about.Where(d => d.Status != DisputeStatus.Resolved).Select(d => (Guid?)d.Id).FirstOrDefault() : null;
            var mayDispute = isParty && MayDispute(r.Status, r.AcceptedAt, r.ConfirmAskedAt, confirmDays, now);
            return new RequestDisputes(mayDispute && active is null, mayDispute && r.Status == RequestStatus.Accepted, active,
                about.Where(d => d.Status == DisputeStatus.Resolved).Select(d => d.Outcome!).ToList(), communityId);
        });
    }

    /// <summary>Which of these requests wait for the viewer to confirm them (accepted, the confirm period over, the viewer a party).</summary>
    public async Task<IReadOnlySet<Guid>> ConfirmDueAsync(string actorId, Guid communityId, IReadOnlyCollection<Guid> requestIds, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var standing = await PermissionService.LoadStandingAsync(db, communityId, actorId, ct);
        if (standing is null || requestIds.Count == 0) return new HashSet<Guid>();
        var rows = await db.ShareRequests.Where(r => requestIds.Contains(r.Id) && r.Share.CommunityId == communityId && r.Status == RequestStatus.Accepted
                && (r.RequesterId == actorId || r.Share.OwnerId == actorId))
            .Select(r => new { r.Id, r.Status, r.AcceptedAt, r.ConfirmAskedAt }).ToListAsync(ct);
        var now = Now;
        return rows.Where(r => MayDispute(r.Status, r.AcceptedAt, r.ConfirmAskedAt, standing.Settings.RequestConfirmDays, now)).Select(r => r.Id).ToHashSet();
    }

    /// <summary>The request as the opening form shows it: its share's title, when the viewer is a party who may dispute it now.</summary>
    public async Task<string> RequestTitleForOpeningAsync(string actorId, Guid requestId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var request = await db.ShareRequests.AsNoTracking().Where(r => r.Id == requestId)
            .Select(r => new { r.RequesterId, r.Share.OwnerId, r.Share.CommunityId, r.Share.Title, r.Status, r.AcceptedAt, r.ConfirmAskedAt }).SingleOrDefaultAsync(ct);
        if (request is null || (request.RequesterId != actorId && request.OwnerId != actorId)) throw new NotFoundException(Text.Get("Error.RequestNotFound"));
        var standing = await PermissionService.DemandMemberAsync(db, request.CommunityId, actorId, ct);
        if (!MayDispute(request.Status, request.AcceptedAt, request.ConfirmAskedAt, standing.Settings.RequestConfirmDays, Now))
            throw new DisputeRefusal("Disputes.Error.NotEligible");
        return request.Title;
    }

    // ----- Helpers -----

    internal sealed record Access(Dispute Dispute, MemberStanding Standing, bool IsParty, bool IsMediator, bool IsAdmin);

    /// <summary>
    /// The viewer's relation to a dispute, or "not found" when they may not see it: parties, accepted mediators and admins
    /// see it; anyone else (a handler who only offered included) is told it does not exist, as for a missing one.
    /// </summary>
    internal static async Task<Access> AccessAsync(AppDbContext db, string actorId, Guid disputeId, CancellationToken ct)
    {
        var dispute = await db.Disputes.AsNoTracking().SingleOrDefaultAsync(d => d.Id == disputeId, ct) ?? throw NotFound();
        var standing = await PermissionService.LoadStandingAsync(db, dispute.CommunityId, actorId, ct) ?? throw NotFound();
        var isParty = await db.DisputeParties.AnyAsync(p => p.DisputeId == disputeId && p.UserId == actorId, ct);
        var isMediator = await db.DisputeMediators.AnyAsync(m => m.DisputeId == disputeId && m.UserId == actorId && m.Status == MediatorStatus.Accepted, ct);
        if (!isParty && !isMediator && !standing.IsAdmin) throw NotFound();
        return new Access(dispute, standing, isParty, isMediator, standing.IsAdmin);
    }

    private static Task<List<string>> PartiesAsync(AppDbContext db, Guid disputeId, CancellationToken ct) =>
        db.DisputeParties.Where(p => p.DisputeId == disputeId).Select(p => p.UserId).ToListAsync(ct);

    /// <summary>Everyone who follows a dispute: its parties and accepted mediators.</summary>
    private static async Task<List<string>> InvolvedAsync(AppDbContext db, Guid disputeId, CancellationToken ct)
    {
        var parties = await PartiesAsync(db, disputeId, ct);
        var mediators = await db.DisputeMediators.Where(m => m.DisputeId == disputeId && m.Status == MediatorStatus.Accepted).Select(m => m.UserId).ToListAsync(ct);
        return parties.Concat(mediators).Distinct().ToList();
    }

    /// <summary>New activity: the quiet-mediation reminder falls due a quiet period from now again.</summary>
    private static Task TouchAsync(AppDbContext db, Dispute dispute, DateTime now, CancellationToken ct, bool? inMediation = null)
    {
        DateTime? remindAt = (inMediation ?? dispute.Status == DisputeStatus.InMediation) ? now.Add(Dispute.QuietPeriod) : null;
        return db.Disputes.Where(d => d.Id == dispute.Id)
            .ExecuteUpdateStampedAsync(now, s => s.SetProperty(d => d.LastActivityAt, now).SetProperty(d => d.RemindAt, remindAt), ct);
    }

    private static async Task NotifyAsync(AppDbContext db, Dispute dispute, NotificationKind kind, string actorId, IEnumerable<string> recipients, DateTime now, CancellationToken ct)
    {
        var link = CommunityUrls.For(dispute.CommunityId).Dispute(dispute.Id);
        foreach (var user in recipients.Distinct())
            await NotificationWriter.AddAsync(db, user, dispute.CommunityId, kind, actorId, link, now, dispute.Title, ct);
    }

    private void Publish(Dispute dispute, IEnumerable<string> recipients)
    {
        foreach (var user in recipients.Distinct()) events.Publish(new NotificationsChanged(user));
        events.Publish(new DisputeChanged(dispute.CommunityId, dispute.Id));
    }

    private static NotFoundException NotFound() => new(Text.Get("Disputes.NotFound"));

    private static DisputeRefusal NotActive(Dispute dispute) =>
        new("Disputes.Error.NotActive", Text.Get($"DisputeStatus.{dispute.Status}").ToLowerInvariant());

    private static ValidationFailedException Field(string field, string message) => new(new Dictionary<string, string> { [field] = message });
}
