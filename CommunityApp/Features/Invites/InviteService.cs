using System.Globalization;
using CommunityApp.Resources;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Audit;
using CommunityApp.Events;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Notifications;

namespace CommunityApp.Features.Invites;

public sealed record DirectInviteInput(string UserNameOrEmail, MemberRole Role);

public sealed record LinkInviteInput(string Title, MemberRole Role, DateTime ExpiresAt, int? MaxUses);

public sealed record RedemptionRow(string UserId, string DisplayName, DateTime RedeemedAt);

public sealed record InviteRow(
    Guid Id, InviteKind Kind, MemberRole Role, string? Title, string? InvitedUserName, string? InvitedDisplayName,
    string? Secret, InviteStatus Status, DateTime ExpiresAt, int? MaxUses, int Uses, DateTime CreatedAt, IReadOnlyList<RedemptionRow> Redemptions);

public sealed record MyInviteRow(Guid Id, Guid CommunityId, string CommunityName, MemberRole Role, DateTime ExpiresAt, string? InvitedBy);

/// <summary>What the invite-link page shows before and after joining; <see cref="Status"/> says plainly why a link no longer works.</summary>
public sealed record LinkInfo(Guid CommunityId, string CommunityName, string? Title, MemberRole Role, InviteStatus Status, DateTime ExpiresAt, bool AlreadyMember);

public enum RedeemOutcome
{
    Joined,
    RoleRaised,
    AlreadyMember,
}

/// <summary>
/// Invites (docs/SPEC.md §11): admins invite users directly or by link; users accept, decline or redeem.
/// A direct invite also mails the invited user (in the inviting admin's language).
/// </summary>
public sealed class InviteService(
    IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock, IEventHub events,
    IMailSender mail, PublicUrls urls, InviteEmailLookups emailLookups, ILogger<InviteService> logger)
{
    /// <summary>Direct invites by e-mail one admin may try a day (<see cref="InviteEmailLookups"/>).</summary>
    public const int EmailLookupsPerDay = 50;

    public const int DirectInviteDays = 30;
    /// <summary>How many of a link's redemptions the invites page names (the latest); the count covers all.</summary>
    public const int RedemptionsShown = 20;

    public const int MaxPageSize = 100;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<Guid> CreateDirectAsync(string actorId, Guid communityId, DirectInviteInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await PermissionService.DemandAdminAsync(db, communityId, actorId, ct);
        var key = input.UserNameOrEmail?.Trim().ToUpperInvariant() ?? "";
        if (key.Length == 0) throw Invalid("user", Text.Get("Error.EnterUser"));
        if (!Texts.IsStorable(key)) throw Invalid("user", Texts.UnstorableMessage);
        // An e-mail finds its account only once confirmed: whoever registers someone else's address first gets nothing by it.
        // Each e-mail tried counts against the admin's daily allowance, so the answer cannot be used to sift which addresses are registered.
        var byEmail = key.Contains('@');
        if (byEmail && !emailLookups.TryTake(actorId)) throw Invalid("user", Text.Get("Error.TooManyEmailLookups", EmailLookupsPerDay));
        var candidates = byEmail ? db.Users.Where(u => u.NormalizedEmail == key && u.EmailConfirmed) : db.Users.Where(u => u.NormalizedUserName == key);
        var invited = await candidates.Select(u => u.Id).FirstOrDefaultAsync(ct);
        if (invited is null) throw Invalid("user", Text.Get("Error.NoSuchUser"));
        if (!Enum.IsDefined(input.Role)) throw Invalid("role", Text.Get("Error.ChooseRole"));
        if (await db.Memberships.AnyAsync(m => m.CommunityId == communityId && m.UserId == invited, ct)) throw Invalid("user", Text.Get("Error.AlreadyMember"));
        var now = Now;
        // An earlier invite that expired unanswered steps aside, so the unique index leaves room for this one.
        await db.Invites.Where(i => i.CommunityId == communityId && i.InvitedUserId == invited && i.Kind == InviteKind.Direct && i.State == InviteState.Pending && i.ExpiresAt <= now)
            .ExecuteUpdateStampedAsync(now, s => s.SetProperty(i => i.State, InviteState.Lapsed), ct);
        if (await db.Invites.AnyAsync(i => i.CommunityId == communityId && i.InvitedUserId == invited && i.State == InviteState.Pending && i.ExpiresAt > now, ct))
            throw Invalid("user", Text.Get("Error.AlreadyInvited"));

        var invite = new Invite { CommunityId = communityId, Kind = InviteKind.Direct, Role = input.Role, InvitedUserId = invited, ExpiresAt = now.AddDays(DirectInviteDays) };
        db.Invites.Add(invite);
        db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.InviteCreated, new { kind = "direct", role = input.Role.ToString(), inviteId = invite.Id }, invited, now));
        await NotificationWriter.AddAsync(db, invited, communityId, NotificationKind.InviteReceived, actorId, "/communities", now, null, ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
        {
            // Another admin invited the same person a moment ago: one invite, one notification, one mail.
            throw new ValidationFailedException(new Dictionary<string, string> { ["user"] = Text.Get("Error.AlreadyInvited") }, ex);
        }
        events.Publish(new NotificationsChanged(invited));
        await MailInviteAsync(db, actorId, communityId, invited, input.Role, ct);
        return invite.Id;
    }

    /// <summary>
    /// The invite stands once saved and the in-app notification is its first channel, so a mail that cannot be sent
    /// is logged, not turned into a failed invite.
    /// </summary>
    private async Task MailInviteAsync(AppDbContext db, string actorId, Guid communityId, string invitedId, MemberRole role, CancellationToken ct)
    {
        var facts = await db.Users.Where(u => u.Id == invitedId)
            .Select(u => new
            {
                u.Email,
                u.DisplayName,
                Inviter = db.Users.Where(a => a.Id == actorId).Select(a => a.DisplayName).FirstOrDefault(),
                Community = db.Communities.Where(c => c.Id == communityId).Select(c => c.Name).FirstOrDefault(),
            })
            .SingleAsync(ct);
        if (string.IsNullOrWhiteSpace(facts.Email)) return;
        try
        {
            var inviter = facts.Inviter ?? "";
            var community = facts.Community ?? "";
            await mail.SendAsync(MailComposer.Compose(facts.Email, facts.DisplayName, Text.Get("Mail.InviteSubject", inviter, community),
                [Text.Get("Mail.InviteBody", inviter, community, Text.Get($"Role.{role}"), DirectInviteDays)],
                Text.Get("Mail.InviteAction"), urls.Absolute("communities")), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "The invite mail to {Email} could not be sent; the invite stands", facts.Email);
        }
    }

    public async Task<(Guid Id, string Secret)> CreateLinkAsync(string actorId, Guid communityId, LinkInviteInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await PermissionService.DemandAdminAsync(db, communityId, actorId, ct);
        var title = input.Title?.Trim() ?? "";
        var errors = new Dictionary<string, string>();
        if (title.Length == 0) errors["title"] = Text.Get("Error.LinkTitle");
        else if (title.Length > Invite.TitleMaxLength) errors["title"] = Text.Get("Error.MaxChars", Invite.TitleMaxLength);
        else if (!Texts.IsStorable(title)) errors["title"] = Texts.UnstorableMessage;
        if (!Enum.IsDefined(input.Role)) errors["role"] = Text.Get("Error.ChooseRole");
        var expiresAt = DateTime.SpecifyKind(input.ExpiresAt, DateTimeKind.Utc);
        if (expiresAt <= Now) errors["expiresAt"] = Text.Get("Error.ExpiryFuture");
        else if (expiresAt > Now.AddDays(Invite.MaxExpiryDays)) errors["expiresAt"] = Text.Get("Error.ExpiryRange", Invite.MaxExpiryDays);
        if (input.MaxUses is < 1 or > 10_000) errors["maxUses"] = Text.Get("Error.MaxUses");
        // Whoever holds an admin link becomes an admin: such a link is single-use or short-lived.
        else if (input.Role == MemberRole.Admin && input.MaxUses != 1 && expiresAt > Now.AddDays(Invite.MaxAdminLinkDays) && !errors.ContainsKey("expiresAt"))
            errors["expiresAt"] = Text.Get("Error.AdminLinkLimit", Invite.MaxAdminLinkDays);
        ValidationFailedException.ThrowIfAny(errors);

        var invite = new Invite
        {
            CommunityId = communityId, Kind = InviteKind.Link, Role = input.Role, Title = title,
            Secret = Invite.NewSecret(), ExpiresAt = expiresAt, MaxUses = input.MaxUses,
        };
        db.Invites.Add(invite);
        db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.InviteCreated,
            new { kind = "link", title, role = input.Role.ToString(), expiresAt, maxUses = input.MaxUses, inviteId = invite.Id }, at: Now));
        await db.SaveChangesAsync(ct);
        return (invite.Id, invite.Secret);
    }

    public async Task CancelAsync(string actorId, Guid communityId, Guid inviteId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await PermissionService.DemandAdminAsync(db, communityId, actorId, ct);
        var invite = await db.Invites.SingleOrDefaultAsync(i => i.Id == inviteId && i.CommunityId == communityId, ct)
                     ?? throw new NotFoundException(Text.Get("Error.InviteNotFound"));
        var status = invite.StatusAt(Now);
        if (status is not (InviteStatus.Pending or InviteStatus.Active)) throw new AppException(Text.Get("Error.InviteAlready", Text.Get($"InviteStatus.{status}").ToLower(CultureInfo.CurrentCulture)));
        invite.State = InviteState.Cancelled;
        db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.InviteCancelled, new { inviteId, kind = invite.Kind.ToString() }, invite.InvitedUserId, Now));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The community's invites, newest first, with their status and who redeemed each link.</summary>
    public async Task<Page<InviteRow>> ListAsync(string actorId, Guid communityId, int pageIndex = 0, int pageSize = 20, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        pageIndex = Math.Max(0, pageIndex);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandAdminAsync(db, communityId, actorId, ct);
        var invites = db.Invites.Where(i => i.CommunityId == communityId);
        var total = await invites.CountAsync(ct);
        var page = await invites.OrderByDescending(i => i.CreatedAt).Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Include(i => i.InvitedUser)
            // The latest redemptions only: a link used by thousands must not load them all; Uses counts every one.
            .Include(i => i.Redemptions.OrderByDescending(r => r.RedeemedAt).Take(RedemptionsShown)).ThenInclude(r => r.User)
            .AsSplitQuery().AsNoTracking().ToListAsync(ct);
        var now = Now;
        var rows = page.Select(i => new InviteRow(i.Id, i.Kind, i.Role, i.Title, i.InvitedUser?.UserName, i.InvitedUser?.DisplayName, i.Secret,
            i.StatusAt(now), i.ExpiresAt, i.MaxUses, i.Uses, i.CreatedAt,
            i.Redemptions.Select(r => new RedemptionRow(r.UserId, r.User.DisplayName, r.RedeemedAt)).ToList())).ToList();
        return new Page<InviteRow>(rows, total, pageIndex, pageSize);
    }

    /// <summary>Direct invites waiting for this user's answer.</summary>
    public async Task<IReadOnlyList<MyInviteRow>> MyPendingAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = Now;
        return await db.Invites
            .Where(i => i.InvitedUserId == userId && i.State == InviteState.Pending && i.ExpiresAt > now)
            .OrderByDescending(i => i.CreatedAt)
            .Select(i => new MyInviteRow(i.Id, i.CommunityId, i.Community.Name, i.Role, i.ExpiresAt,
                db.Users.Where(u => u.Id == i.CreatedBy).Select(u => u.DisplayName).FirstOrDefault()))
            .Take(MaxPageSize)
            .ToListAsync(ct);
    }

    /// <summary>Accepts a direct invite: only its user, only once, only while pending.</summary>
    public async Task<Guid> AcceptAsync(string userId, Guid inviteId, CancellationToken ct = default) =>
        await AnswerAsync(userId, inviteId, accept: true, ct);

    public async Task DeclineAsync(string userId, Guid inviteId, CancellationToken ct = default) =>
        await AnswerAsync(userId, inviteId, accept: false, ct);

    public async Task<LinkInfo> GetLinkAsync(string secret, string? userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var invite = await FindLinkAsync(db, secret, ct);
        var member = userId is not null && await db.Memberships.AnyAsync(m => m.CommunityId == invite.CommunityId && m.UserId == userId, ct);
        return new LinkInfo(invite.CommunityId, invite.Community.Name, invite.Title, invite.Role, invite.StatusAt(Now), invite.ExpiresAt, member);
    }

    /// <summary>
    /// Joins through a link. The use is counted by one conditional UPDATE, so two people taking the last
    /// use at the same moment cannot both get in. An existing member's role is only ever raised.
    /// </summary>
    public async Task<(Guid CommunityId, RedeemOutcome Outcome)> RedeemLinkAsync(string userId, string secret, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = userId;
        return await db.InTransactionAsync(async () =>
        {
            var invite = await FindLinkAsync(db, secret, ct);
            var now = Now;
            var status = invite.StatusAt(now);
            if (status != InviteStatus.Active) throw new AppException(LinkRefusal(status));

            await LockCommunityAsync(db, invite.CommunityId, ct);
            var membership = await db.Memberships.SingleOrDefaultAsync(m => m.CommunityId == invite.CommunityId && m.UserId == userId, ct);
            if (membership is not null && (membership.Role == MemberRole.Admin || invite.Role == MemberRole.Member))
            {
                return (invite.CommunityId, RedeemOutcome.AlreadyMember);
            }
            await DemandCreatorStillAdminAsync(db, invite, ct);
            if (membership is null && await WasRemovedAsync(db, invite.CommunityId, userId, ct)) throw new ForbiddenException(Text.Get("Error.RemovedNeedsDirectInvite"));
            if (await db.InviteRedemptions.AnyAsync(r => r.InviteId == invite.Id && r.UserId == userId, ct))
            {
                throw new AppException(Text.Get("Error.LinkAlreadyUsed"));
            }

            var counted = await db.Invites
                .Where(i => i.Id == invite.Id && i.State == InviteState.Pending && i.ExpiresAt > now && (i.MaxUses == null || i.Uses < i.MaxUses))
                .ExecuteUpdateStampedAsync(now, s => s.SetProperty(i => i.Uses, i => i.Uses + 1), ct);
            if (counted == 0) throw new AppException(LinkRefusal(InviteStatus.UsedUp));

            var outcome = await JoinAsync(db, invite.CommunityId, userId, invite.Role, membership, ct);
            db.InviteRedemptions.Add(new InviteRedemption { InviteId = invite.Id, UserId = userId, RedeemedAt = now });
            db.AuditLog.Add(AuditEntry.Record(invite.CommunityId, userId, AuditAction.InviteRedeemed,
                new { kind = "link", inviteId = invite.Id, role = invite.Role.ToString(), outcome = outcome.ToString() }, userId, now));
            await SaveJoinAsync(db, ct);
            return (invite.CommunityId, outcome);
        }, ct);
    }

    public static string LinkRefusal(InviteStatus status) => status switch
    {
        InviteStatus.Expired => Text.Get("Error.LinkExpired"),
        InviteStatus.Cancelled => Text.Get("Error.LinkCancelled"),
        InviteStatus.UsedUp => Text.Get("Error.LinkUsedUp"),
        _ => Text.Get("Error.LinkDead"),
    };

    private async Task<Guid> AnswerAsync(string userId, Guid inviteId, bool accept, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = userId;
        return await db.InTransactionAsync(async () =>
        {
            var invite = await db.Invites.SingleOrDefaultAsync(i => i.Id == inviteId && i.Kind == InviteKind.Direct, ct);
            // Someone else's invite looks the same as a missing one.
            if (invite is null || invite.InvitedUserId != userId) throw new NotFoundException(Text.Get("Error.InviteNotFound"));
            var now = Now;
            var status = invite.StatusAt(now);
            if (status != InviteStatus.Pending) throw new AppException(Text.Get("Error.InviteAlready", Text.Get($"InviteStatus.{status}").ToLower(CultureInfo.CurrentCulture)));
            if (accept)
            {
                await LockCommunityAsync(db, invite.CommunityId, ct);
                await DemandCreatorStillAdminAsync(db, invite, ct);
            }

            // Only one answer wins: the state moves from Pending exactly once.
            var newState = accept ? InviteState.Redeemed : InviteState.Declined;
            var answered = await db.Invites.Where(i => i.Id == inviteId && i.State == InviteState.Pending)
                .ExecuteUpdateStampedAsync(now, s => s.SetProperty(i => i.State, newState).SetProperty(i => i.RespondedAt, now), ct);
            if (answered == 0) throw new AppException(Text.Get("Error.InviteAnswered"));

            if (accept)
            {
                var membership = await db.Memberships.SingleOrDefaultAsync(m => m.CommunityId == invite.CommunityId && m.UserId == userId, ct);
                await JoinAsync(db, invite.CommunityId, userId, invite.Role, membership, ct);
            }
            db.AuditLog.Add(AuditEntry.Record(invite.CommunityId, userId, accept ? AuditAction.InviteRedeemed : AuditAction.InviteDeclined,
                new { kind = "direct", inviteId, role = invite.Role.ToString() }, userId, now));
            await SaveJoinAsync(db, ct);
            return invite.CommunityId;
        }, ct);
    }

    /// <summary>
    /// A join takes the community's row first, as leaving, removal and every admin change to members do: the membership's
    /// insert updates that row (the kept member count), so a join that took its invite's row first could wait on the
    /// community while a member leaving, who holds the community, waits on that invite (the leaver's invites are
    /// cancelled). It also keeps the invite's creator an admin until the join commits.
    /// </summary>
    private static Task LockCommunityAsync(AppDbContext db, Guid communityId, CancellationToken ct) =>
        Members.MemberService.LockCommunityAsync(db, communityId, ct);

    /// <summary>Adds the membership, or raises an existing member's role; never lowers it.</summary>
    private async Task<RedeemOutcome> JoinAsync(AppDbContext db, Guid communityId, string userId, MemberRole role, Membership? existing, CancellationToken ct)
    {
        // Once in, other pending direct invites to the same community have nothing left to offer.
        var now = Now;
        await db.Invites.Where(i => i.CommunityId == communityId && i.InvitedUserId == userId && i.State == InviteState.Pending)
            .ExecuteUpdateStampedAsync(now, s => s.SetProperty(i => i.State, InviteState.Redeemed).SetProperty(i => i.RespondedAt, now), ct);
        if (existing is null)
        {
            db.Memberships.Add(new Membership { CommunityId = communityId, UserId = userId, Role = role });
            return RedeemOutcome.Joined;
        }
        if (existing.Role == MemberRole.Member && role == MemberRole.Admin)
        {
            existing.Role = MemberRole.Admin;
            return RedeemOutcome.RoleRaised;
        }
        return RedeemOutcome.AlreadyMember;
    }

    private static async Task SaveJoinAsync(AppDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
        {
            // The unique live-membership or redemption index: the same user joined in a parallel request.
            throw new AppException(Text.Get("Error.JustJoined"), ex);
        }
    }

    /// <summary>
    /// An invite grants what its creator could grant: a creator who is no longer an admin of the community (demoted,
    /// removed, left) leaves nothing to redeem, even if the invite escaped being cancelled.
    /// </summary>
    private static async Task DemandCreatorStillAdminAsync(AppDbContext db, Invite invite, CancellationToken ct)
    {
        if (!await db.Memberships.AnyAsync(m => m.CommunityId == invite.CommunityId && m.UserId == invite.CreatedBy && m.Role == MemberRole.Admin, ct))
            throw new AppException(Text.Get("Error.InviteCreatorNoLongerAdmin"));
    }

    /// <summary>Whether the user's last membership here ended by an admin's removal (not by leaving).</summary>
    private static async Task<bool> WasRemovedAsync(AppDbContext db, Guid communityId, string userId, CancellationToken ct) =>
        await db.Memberships.IgnoreQueryFilters()
            .Where(m => m.CommunityId == communityId && m.UserId == userId && m.DeletedAt != null)
            .OrderByDescending(m => m.DeletedAt)
            .Select(m => m.RemovedBy != null)
            .FirstOrDefaultAsync(ct);

    /// <summary>
    /// Cancels the pending invites <paramref name="creatorId"/> created in the community, in the caller's transaction:
    /// their creator was demoted, removed or left (docs/SPEC.md §11). Each cancellation is audited with its reason.
    /// </summary>
    internal static async Task<int> CancelCreatedByAsync(AppDbContext db, Guid communityId, string creatorId, string actorId, string reason, DateTime now, CancellationToken ct)
    {
        var open = await db.Invites.Where(i => i.CommunityId == communityId && i.CreatedBy == creatorId && i.State == InviteState.Pending && i.ExpiresAt > now)
            .Select(i => new { i.Id, i.Kind, i.InvitedUserId }).ToListAsync(ct);
        if (open.Count == 0) return 0;
        var ids = open.Select(i => i.Id).ToList();
        await db.Invites.Where(i => ids.Contains(i.Id) && i.State == InviteState.Pending)
            .ExecuteUpdateStampedAsync(now, s => s.SetProperty(i => i.State, InviteState.Cancelled), ct);
        foreach (var invite in open)
            db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.InviteCancelled, new { inviteId = invite.Id, kind = invite.Kind.ToString(), reason }, invite.InvitedUserId, now));
        return open.Count;
    }

    /// <summary>A secret that could never have been issued (empty, or text no query can carry) is as unknown as a wrong one.</summary>
    private static async Task<Invite> FindLinkAsync(AppDbContext db, string secret, CancellationToken ct) =>
        (string.IsNullOrEmpty(secret) || !Texts.IsStorable(secret) ? null : await db.Invites.Include(i => i.Community).SingleOrDefaultAsync(i => i.Kind == InviteKind.Link && i.Secret == secret, ct))
        ?? throw new NotFoundException(Text.Get("Error.LinkInvalid"));


    private static ValidationFailedException Invalid(string field, string message) => new(new Dictionary<string, string> { [field] = message });
}

/// <summary>How many direct invites by e-mail each admin may try a day (<see cref="InviteService.EmailLookupsPerDay"/>), per instance.</summary>
public sealed class InviteEmailLookups() : KeyedBucket(InviteService.EmailLookupsPerDay, TimeSpan.FromDays(1));
