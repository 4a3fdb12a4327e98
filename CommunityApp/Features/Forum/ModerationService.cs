using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Notifications;
using CommunityApp.Resources;

namespace CommunityApp.Features.Forum;

/// <summary>A flag as typed: the reason chosen and, for "something else", what (optional for the other reasons).</summary>
public sealed record FlagInput(FlagReason? Reason, string? Text);

/// <summary>A reviewer's decision on a flagged post.</summary>
public enum ReviewDecision
{
    /// <summary>The flags were right: the post stays (or becomes) hidden; the author is told.</summary>
    Agree = 1,
    /// <summary>The flags were wrong: the post shows again, its flags are cleared, and nobody may flag it for 24 h.</summary>
    Disagree = 2,
    /// <summary>The post leaves the queue; nothing else changes.</summary>
    Ignore = 3,
}

public sealed record QueueFlag(string FlaggerName, FlagReason Reason, string? Text, int Weight, DateTime At, FlagOutcome? Outcome);

/// <summary>A post waiting for review, with its flags (open ones, and the agreed ones when its author asked for another review).</summary>
public sealed record QueueItem(Guid PostId, Guid ThreadId, string ThreadTitle, string AuthorId, string AuthorName, string Body, bool IsOpening,
    int FlagWeight, DateTime? HiddenAt, DateTime? ReviewRequestedAt, DateTime? EditedAt, DateTime WaitingSince, IReadOnlyList<QueueFlag> Flags);

/// <summary>What a member may do about flags on a post: flag it (and why not), and whether they already did.</summary>
public sealed record FlagState(PermissionCheck MayFlag, bool AlreadyFlagged, DateTime? BlockedUntil);

/// <summary>
/// Flags and the review queue (docs/SPEC.md §10, Discourse's habits). Members with <see cref="Permission.FlagContent"/> flag
/// a post once, with a reason; a flag weighs the flagger's trust level index + 1 (<see cref="ModerationRules.FlagWeight"/>).
/// The post hides when the weight of its flags reaches the community's <c>FlagsToAutoHide</c>. Reviewers
/// (<see cref="Permission.ReviewFlags"/>) agree, disagree or ignore; the author of a hidden post edits it and asks for another
/// review. Every write locks the post's row first, so parallel flags add up exactly and hide the post once, and of two
/// reviewers deciding at once one wins and the other is told it was already reviewed. Reviewer actions are audited
/// (the moderation log is the forum's slice of the audit log).
/// </summary>
public sealed class ModerationService(IDbContextFactory<AppDbContext> dbFactory, IEventHub events, TimeProvider clock)
{
    public const int MaxPageSize = 100;

    /// <summary>How long nobody may flag a post again after a reviewer disagreed with its flags.</summary>
    public static readonly TimeSpan ReflagBlock = TimeSpan.FromHours(24);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>A member flags a post. Returns true when this flag hid it.</summary>
    public async Task<bool> FlagAsync(string actorId, Guid postId, FlagInput input, CancellationToken ct = default)
    {
        var (reason, text) = Validate(input);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var result = await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<ForumPost>(p => p.Id == postId, ct);
            var post = await db.ForumPosts.Include(p => p.Thread).SingleOrDefaultAsync(p => p.Id == postId && p.Thread.DeletedAt == null, ct)
                       ?? throw ForumService.PostNotFound();
            var flagger = await PermissionService.DemandAsync(db, post.CommunityId, actorId, Permission.FlagContent, ct);
            if (post.AuthorId == actorId) throw new AppException(Text.Get("Error.ForumFlagOwnPost"));
            var now = Now;
            if (post.HiddenAt is not null) throw new AppException(Text.Get("Error.ForumFlagHidden"));
            if (post.ReflagBlockedUntil is { } until && until > now) throw new AppException(Text.Get("Error.ForumFlagBlocked"));
            if (await db.ForumFlags.AnyAsync(f => f.PostId == postId && f.FlaggerId == actorId && f.Outcome != FlagOutcome.Disagreed, ct))
                throw new AppException(Text.Get("Error.ForumFlagTwice"));
            var weight = ModerationRules.FlagWeight(flagger);
            db.ForumFlags.Add(new ForumFlag { PostId = postId, CommunityId = post.CommunityId, FlaggerId = actorId, Reason = reason, Text = text, Weight = weight, CreatedAt = now });
            post.FlagWeight += weight;
            var hides = post.FlagWeight >= flagger.Settings.FlagsToAutoHide;
            if (hides)
            {
                post.HiddenAt = now;
                db.AuditLog.Add(AuditEntry.Record(post.CommunityId, actorId, AuditAction.ForumPostHiddenByFlags,
                    new { threadId = post.ThreadId, postId, title = post.Thread.Title, weight = post.FlagWeight, threshold = flagger.Settings.FlagsToAutoHide }, post.AuthorId, now));
                await NotificationWriter.AddAsync(db, post.AuthorId, post.CommunityId, NotificationKind.ForumPostHidden, actorId,
                    CommunityUrls.For(post.CommunityId).ForumPost(post.ThreadId, postId), now, Subject(post.Thread.Title), ct);
            }
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
            {
                throw new AppException(Text.Get("Error.ForumFlagTwice"), ex);
            }
            return (post.CommunityId, post.ThreadId, post.AuthorId, hides);
        }, ct);
        if (result.hides) events.Publish(new NotificationsChanged(result.AuthorId));
        events.Publish(new ForumChanged(result.CommunityId, result.ThreadId));
        return result.hides;
    }

    /// <summary>A reviewer decides on a post in the queue; a post no longer waiting is refused as already reviewed.</summary>
    public async Task ReviewAsync(string actorId, Guid postId, ReviewDecision decision, CancellationToken ct = default)
    {
        if (!Enum.IsDefined(decision)) throw new ValidationFailedException(new Dictionary<string, string> { ["decision"] = Text.Get("Error.ForumUnknownDecision") });
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var result = await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<ForumPost>(p => p.Id == postId, ct);
            var post = await db.ForumPosts.Include(p => p.Thread).SingleOrDefaultAsync(p => p.Id == postId, ct) ?? throw ForumService.PostNotFound();
            await PermissionService.DemandAsync(db, post.CommunityId, actorId, Permission.ReviewFlags, ct);
            if (post.AuthorId == actorId) throw new AppException(Text.Get("Error.ForumReviewOwnPost"));
            var flags = await db.ForumFlags.Where(f => f.PostId == postId && (f.Outcome == null || f.Outcome == FlagOutcome.Agreed)).ToListAsync(ct);
            var open = flags.Where(f => f.Outcome is null).ToList();
            if (open.Count == 0 && post.ReviewRequestedAt is null) throw new AppException(Text.Get("Error.ForumAlreadyReviewed"));
            var now = Now;
            var wasHidden = post.HiddenAt is not null;
            var link = CommunityUrls.For(post.CommunityId).ForumPost(post.ThreadId, postId);
            var details = new
            {
                threadId = post.ThreadId, postId, title = post.Thread.Title, flags = open.Count, weight = post.FlagWeight,
                reasons = open.Select(f => f.Reason.ToString()).Distinct().ToList(), reReview = post.ReviewRequestedAt is not null,
            };
            NotificationKind? tell = null;
            switch (decision)
            {
                case ReviewDecision.Agree:
                    foreach (var flag in open) (flag.Outcome, flag.ReviewedAt, flag.ReviewedBy) = (FlagOutcome.Agreed, now, actorId);
                    post.HiddenAt ??= now;
                    post.ReviewRequestedAt = null;
                    db.AuditLog.Add(AuditEntry.Record(post.CommunityId, actorId, AuditAction.ForumFlagsAgreed, details, post.AuthorId, now));
                    tell = NotificationKind.ForumFlagsAgreed;
                    break;
                case ReviewDecision.Disagree:
                    foreach (var flag in flags) (flag.Outcome, flag.ReviewedAt, flag.ReviewedBy) = (FlagOutcome.Disagreed, now, actorId);
                    (post.FlagWeight, post.HiddenAt, post.ReviewRequestedAt, post.ReflagBlockedUntil) = (0, null, null, now + ReflagBlock);
                    db.AuditLog.Add(AuditEntry.Record(post.CommunityId, actorId, AuditAction.ForumFlagsDisagreed, details, post.AuthorId, now));
                    if (wasHidden) tell = NotificationKind.ForumPostRestored;
                    break;
                default:
                    foreach (var flag in open) (flag.Outcome, flag.ReviewedAt, flag.ReviewedBy) = (FlagOutcome.Ignored, now, actorId);
                    post.ReviewRequestedAt = null;
                    db.AuditLog.Add(AuditEntry.Record(post.CommunityId, actorId, AuditAction.ForumFlagsIgnored, details, post.AuthorId, now));
                    break;
            }
            if (tell is { } kind) await NotificationWriter.AddAsync(db, post.AuthorId, post.CommunityId, kind, actorId, link, now, Subject(post.Thread.Title), ct);
            await db.SaveChangesAsync(ct);
            return (post.CommunityId, post.ThreadId, post.AuthorId, told: tell is not null);
        }, ct);
        if (result.told) events.Publish(new NotificationsChanged(result.AuthorId));
        events.Publish(new ForumChanged(result.CommunityId, result.ThreadId));
    }

    /// <summary>The author of a hidden post edits it and asks for another review: it returns to the queue.</summary>
    public async Task RequestReviewAsync(string actorId, Guid postId, string? body, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string>();
        var text = ForumRules.CheckText(errors, "body", body, ForumPost.BodyMinLength, ForumPost.BodyMaxLength);
        ValidationFailedException.ThrowIfAny(errors);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var (communityId, threadId) = await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<ForumPost>(p => p.Id == postId, ct);
            var post = await db.ForumPosts.SingleOrDefaultAsync(p => p.Id == postId && p.Thread.DeletedAt == null, ct) ?? throw ForumService.PostNotFound();
            await PermissionService.DemandMemberAsync(db, post.CommunityId, actorId, ct);
            if (post.AuthorId != actorId) throw new ForbiddenException(Text.Get("Error.ForumOnlyAuthorReview"));
            if (post.HiddenAt is null) throw new AppException(Text.Get("Error.ForumNotHidden"));
            var now = Now;
            if (post.Body != text) (post.Body, post.EditedAt) = (text, now);
            post.ReviewRequestedAt = now;
            await db.SaveChangesAsync(ct);
            return (post.CommunityId, post.ThreadId);
        }, ct);
        events.Publish(new ForumChanged(communityId, threadId));
    }

    /// <summary>What the member may do about flags on this post (for the flag button).</summary>
    public async Task<FlagState> FlagStateAsync(string viewerId, Guid postId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var post = await db.ForumPosts.Where(p => p.Id == postId).Select(p => new { p.CommunityId, p.ReflagBlockedUntil }).SingleOrDefaultAsync(ct) ?? throw ForumService.PostNotFound();
        var standing = await PermissionService.LoadStandingAsync(db, post.CommunityId, viewerId, ct);
        var already = await db.ForumFlags.AnyAsync(f => f.PostId == postId && f.FlaggerId == viewerId && f.Outcome != FlagOutcome.Disagreed, ct);
        var blocked = post.ReflagBlockedUntil is { } until && until > Now ? until : (DateTime?)null;
        return new FlagState(PermissionService.Decide(standing, Permission.FlagContent, PermissionScope.Community(post.CommunityId)), already, blocked);
    }

    /// <summary>
    /// The review queue: posts with open flags or whose author asked for another review, longest waiting first, paged, each
    /// with its flags. Reviewers only.
    /// </summary>
    public async Task<Page<QueueItem>> QueueAsync(string viewerId, Guid communityId, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        pageIndex = Math.Max(0, pageIndex);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandAsync(db, communityId, viewerId, Permission.ReviewFlags, ct);
        var waiting = Waiting(db, communityId)
            .Select(p => new
            {
                Post = p,
                Since = p.ReviewRequestedAt ?? db.ForumFlags.Where(f => f.PostId == p.Id && f.Outcome == null).Min(f => (DateTime?)f.CreatedAt),
            });
        var total = await waiting.CountAsync(ct);
        var rows = await waiting.OrderBy(x => x.Since).ThenBy(x => x.Post.Id)
            .Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(x => new
            {
                x.Post.Id, x.Post.ThreadId, x.Post.Thread.Title, x.Post.AuthorId, AuthorName = x.Post.Author.DisplayName, x.Post.Body, x.Post.IsOpening,
                x.Post.FlagWeight, x.Post.HiddenAt, x.Post.ReviewRequestedAt, x.Post.EditedAt, x.Since,
            })
            .ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        var flags = (await db.ForumFlags.Where(f => ids.Contains(f.PostId) && (f.Outcome == null || f.Outcome == FlagOutcome.Agreed))
                .OrderBy(f => f.CreatedAt).ThenBy(f => f.Id)
                .Select(f => new { f.PostId, Flag = new QueueFlag(f.Flagger.DisplayName, f.Reason, f.Text, f.Weight, f.CreatedAt, f.Outcome) })
                .ToListAsync(ct))
            .ToLookup(f => f.PostId, f => f.Flag);
        var items = rows.Select(r => new QueueItem(r.Id, r.ThreadId, r.Title, r.AuthorId, r.AuthorName, r.Body, r.IsOpening, r.FlagWeight, r.HiddenAt,
            r.ReviewRequestedAt, r.EditedAt, r.Since ?? r.HiddenAt ?? DateTime.MinValue, flags[r.Id].ToList())).ToList();
        return new Page<QueueItem>(items, total, pageIndex, pageSize);
    }

    /// <summary>How many posts wait for review (the section's badge): 0 for those who may not review.</summary>
    public async Task<int> QueueCountAsync(string viewerId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return MaySeeQueue(await PermissionService.LoadStandingAsync(db, communityId, viewerId, ct)) ? await Waiting(db, communityId).CountAsync(ct) : 0;
    }

    /// <summary>The queue's count for a standing already loaded (the navigation loads one for all its sections).</summary>
    public async Task<int> QueueCountAsync(MemberStanding? standing, Guid communityId, CancellationToken ct = default)
    {
        if (!MaySeeQueue(standing)) return 0;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Waiting(db, communityId).CountAsync(ct);
    }

    private static bool MaySeeQueue(MemberStanding? standing) => standing is not null && PermissionService.Decide(standing, Permission.ReviewFlags).Allowed;

    /// <summary>Whether the member sees the review queue and the moderation log (reviewers, forum managers, admins).</summary>
    public async Task<bool> MayReviewAsync(string viewerId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var standing = await PermissionService.LoadStandingAsync(db, communityId, viewerId, ct);
        return standing is not null && ModerationRules.MaySeeLog(standing);
    }

    /// <summary>The moderation log: the audit entries of forum actions (managers' and reviewers'), newest first, paged.</summary>
    public async Task<Page<AuditRow>> LogAsync(string viewerId, Guid communityId, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        pageIndex = Math.Max(0, pageIndex);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var standing = await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        if (!ModerationRules.MaySeeLog(standing)) throw PermissionService.Decide(standing, Permission.ReviewFlags).Refusal();
        var actions = ModerationRules.ForumActions;
        var entries = db.AuditLog.Where(e => e.CommunityId == communityId && actions.Contains(e.Action));
        var total = await entries.CountAsync(ct);
        var rows = await entries.OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id)
            .Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(e => new AuditRow(e.Id, e.CreatedAt, e.ActorId, e.Actor.DisplayName, e.Action, e.TargetUser != null ? e.TargetUser.DisplayName : null, e.Details))
            .ToListAsync(ct);
        return new Page<AuditRow>(rows, total, pageIndex, pageSize);
    }

    /// <summary>Live posts of live threads that wait for a reviewer: an open flag, or their author asked for another review.</summary>
    private static IQueryable<ForumPost> Waiting(AppDbContext db, Guid communityId) =>
        db.ForumPosts.Where(p => p.CommunityId == communityId && p.Thread.DeletedAt == null
                                 && (p.ReviewRequestedAt != null || db.ForumFlags.Any(f => f.PostId == p.Id && f.Outcome == null)));

    private static (FlagReason Reason, string? Text) Validate(FlagInput input)
    {
        var errors = new Dictionary<string, string>();
        if (input.Reason is not { } reason || !Enum.IsDefined(reason)) errors["reason"] = Text.Get("Error.ForumFlagReason");
        var text = string.IsNullOrWhiteSpace(input.Text) ? null : ForumRules.CheckText(errors, "text", input.Text, 1, ForumFlag.TextMaxLength);
        if (input.Reason == FlagReason.Other && text is null && !errors.ContainsKey("text")) errors["text"] = Text.Get("Error.ForumFlagSaySomething");
        ValidationFailedException.ThrowIfAny(errors);
        return (input.Reason!.Value, text);
    }

    private static string Subject(string title) => title.Length <= 200 ? title : title[..200];
}

/// <summary>The moderation rules shared by the service, the pages and the navigation (docs/SPEC.md §10).</summary>
public static class ModerationRules
{
    /// <summary>
    /// A flag's weight: the flagger's trust level index + 1, the levels ordered by their minimum score (New 0 → 1, Stable 10
    /// → 2, Trusted 50 → 3 with the default levels); a member below the first level counts as index 0, weight 1.
    /// </summary>
    public static int FlagWeight(MemberStanding member)
    {
        var levels = member.Levels.OrderBy(l => l.MinScore).ThenBy(l => l.Id).ToList();
        var index = levels.FindLastIndex(l => l.MinScore <= member.Score);
        return Math.Max(index, 0) + 1;
    }

    /// <summary>Who sees the review queue's section and the moderation log: reviewers, forum managers and admins.</summary>
    public static bool MaySeeLog(MemberStanding member) =>
        PermissionService.Decide(member, Permission.ReviewFlags).Allowed || ForumRules.MayModerate(member);

    /// <summary>The audit actions of the forum: its managers' (90–99) and its reviewers' (100–109).</summary>
    public static readonly AuditAction[] ForumActions = Enum.GetValues<AuditAction>().Where(a => (int)a is >= 90 and <= 109).ToArray();
}
