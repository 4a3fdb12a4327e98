using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Notifications;
using CommunityApp.Resources;

namespace CommunityApp.Features.Polls;

/// <summary>
/// A new poll. The end is <paramref name="DurationHours"/> from now, or <paramref name="EndsAt"/> (UTC) when given; either way
/// 1–720 hours away. <paramref name="PoolId"/> speaks for a pool (and so its council); <paramref name="CouncilId"/> for a council.
/// </summary>
public sealed record PollInput(
    string? Question, string? Description, IReadOnlyList<string?> Options, PollKind Kind = PollKind.SingleChoice, int? Points = null,
    int? DurationHours = 72, DateTime? EndsAt = null, ResultsVisibility Visibility = ResultsVisibility.Always,
    Guid? CouncilId = null, Guid? PoolId = null);

/// <summary>A ballot: one option for a single choice, or points per option for dot voting; an optional short reason.</summary>
public sealed record VoteInput(Guid? OptionId = null, IReadOnlyDictionary<Guid, int>? Points = null, string? Reason = null);

/// <summary>A poll was created, voted on, commented, closed, extended or reopened: open pages reload.</summary>
public sealed record PollChanged(Guid CommunityId, Guid PollId, Guid? CouncilId) : AppEvent;

public sealed record PollRow(Guid Id, string Question, PollKind Kind, bool IsOpen, DateTime EndsAt, bool ClosedEarly, int Voters, bool IVoted,
    string CreatorName, string? CouncilName, string? PoolName);

public sealed record OptionResult(Guid Id, string Text, int? Count, double? Percent);

public sealed record MyBallot(IReadOnlyDictionary<Guid, int> Points, string? Reason, DateTime At);

public sealed record PollDetail(
    Guid Id, string Question, string? Description, PollKind Kind, int? Points, ResultsVisibility Visibility,
    DateTime OpenedAt, DateTime EndsAt, DateTime? ClosedEarlyAt, bool IsOpen, string CreatorId, string CreatorName,
    Guid? CouncilId, string? CouncilName, Guid? PoolId, string? PoolName, int Voters, int Members,
    MyBallot? MyBallot, bool MayManage, bool ResultsVisible, IReadOnlyList<OptionResult> Options, int TotalPoints);

public sealed record BallotRow(string VoterName, string Choice, string? Reason, DateTime At);

public sealed record PollCommentRow(Guid Id, string AuthorName, string Body, DateTime At, bool MayDelete);

/// <summary>A council (or one of its pools) the member may speak for in a poll.</summary>
public sealed record PollSpeaker(Guid CouncilId, Guid? PoolId, string Name);

/// <summary>
/// Polls (docs/SPEC.md §9). Creating one is <see cref="Permission.CreatePolls"/> through <see cref="PermissionService"/>: in the
/// community's scope, or in a council's scope for a poll on behalf of that council or one of its pools, which only its
/// managers (and admins) may speak for. Voting needs only membership; a member votes once while the poll is open and the
/// vote is final (the ballot's key is the poll and the member, written under the poll's row lock). The creator or an admin
/// closes early, extends or reopens (audited). Results follow <see cref="ResultsVisibility"/> for everyone, the creator too.
/// </summary>
public sealed class PollService(IDbContextFactory<AppDbContext> dbFactory, IEventHub events, TimeProvider clock)
{
    public const int MaxPageSize = 50;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    // ---------------------------------------------------------------- creating

    public async Task<Guid> CreateAsync(string actorId, Guid communityId, PollInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var (councilId, poolId, speaksFor) = await ResolveSpeakerAsync(db, communityId, input, ct);
        var scope = councilId is { } council ? PermissionScope.Council(communityId, council) : PermissionScope.Community(communityId);
        var standing = await PermissionService.DemandAsync(db, actorId, Permission.CreatePolls, scope, ct);
        if (councilId is { } c && !PermissionService.MayManageCouncil(standing, c)) throw new ForbiddenException(Text.Get("Error.CouncilManagersOnly"));
        var now = Now;
        var valid = Validate(input, now);

        var poll = new Poll
        {
            CommunityId = communityId, CreatorId = actorId, CouncilId = councilId, PoolId = poolId, Question = valid.Question, Description = valid.Description,
            Kind = input.Kind, Points = valid.Points, Visibility = input.Visibility, OpenedAt = now, EndsAt = valid.EndsAt,
            RemindAt = Poll.ReminderFor(now, valid.EndsAt),
        };
        var recipients = await db.InTransactionAsync(async () =>
        {
            db.Polls.Add(poll);
            for (var i = 0; i < valid.Options.Count; i++)
                db.PollOptions.Add(new PollOption { PollId = poll.Id, Position = i, Text = valid.Options[i], NormalizedText = Normalize(valid.Options[i]) });
            if (councilId is not null)
                db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.PollCreated,
                    new { pollId = poll.Id, question = poll.Question, councilId, poolId, onBehalfOf = speaksFor }, at: now));
            await db.SaveChangesAsync(ct);
            var actor = await db.Users.Where(u => u.Id == actorId).Select(u => u.DisplayName).SingleAsync(ct);
            return await NotifyMembersAsync(db, poll, NotificationKind.PollCreated, actor, exceptUserId: actorId, onlyNonVoters: false, now, ct);
        }, ct);
        foreach (var user in recipients) events.Publish(new NotificationsChanged(user));
        Publish(poll);
        return poll.Id;
    }

    /// <summary>The council (and pool) a poll speaks for, checked to be of this community; the name for the audit entry.</summary>
    private static async Task<(Guid? CouncilId, Guid? PoolId, string? Name)> ResolveSpeakerAsync(AppDbContext db, Guid communityId, PollInput input, CancellationToken ct)
    {
        if (input.PoolId is { } poolId)
        {
            var pool = await db.Pools.Where(p => p.Id == poolId && p.CommunityId == communityId).Select(p => new { p.CouncilId, p.Name }).SingleOrDefaultAsync(ct)
                ?? throw Invalid("speaksFor", Text.Get("Error.UnknownPool"));
            if (input.CouncilId is { } other && other != pool.CouncilId) throw Invalid("speaksFor", Text.Get("Error.PoolOfAnotherCouncil"));
            return (pool.CouncilId, poolId, pool.Name);
        }
        if (input.CouncilId is { } councilId)
        {
            var name = await db.Councils.Where(c => c.Id == councilId && c.CommunityId == communityId).Select(c => c.Name).SingleOrDefaultAsync(ct)
                ?? throw Invalid("speaksFor", Text.Get("Error.UnknownCouncil"));
            return (councilId, null, name);
        }
        return (null, null, null);
    }

    private sealed record ValidPoll(string Question, string? Description, IReadOnlyList<string> Options, int? Points, DateTime EndsAt);

    /// <summary>Every rule of a new poll; one message per field, nothing clamped or cut.</summary>
    private static ValidPoll Validate(PollInput input, DateTime now)
    {
        var errors = new Dictionary<string, string>();
        var question = CheckText(errors, "question", input.Question, 1, Poll.QuestionMaxLength);
        var description = CheckText(errors, "description", input.Description, 0, Poll.DescriptionMaxLength);
        if (!Enum.IsDefined(input.Kind)) errors["kind"] = Text.Get("Error.PollKind");
        if (!Enum.IsDefined(input.Visibility)) errors["visibility"] = Text.Get("Error.PollVisibility");

        var given = input.Options ?? [];
        var options = new List<string>();
        if (given.Count is < Poll.MinOptions or > Poll.MaxOptions) errors["options"] = Text.Get("Error.PollOptionCount", Poll.MinOptions, Poll.MaxOptions);
        var seen = new Dictionary<string, int>();
        for (var i = 0; i < Math.Min(given.Count, Poll.MaxOptions + 1); i++)
        {
            var field = OptionField(i);
            var text = given[i]?.Trim() ?? "";
            if (text.Length == 0) errors[field] = Text.Get("Error.PollOptionEmpty");
            else if (text.Length > PollOption.TextMaxLength) errors[field] = Text.Get("Error.LengthRange", 1, PollOption.TextMaxLength);
            else if (!Texts.IsStorable(text) || !Texts.TryCompose(text, out text)) errors[field] = Texts.UnstorableMessage;
            else if (seen.TryGetValue(Normalize(text), out var first)) errors[field] = Text.Get("Error.PollOptionDuplicate", first + 1);
            else seen[Normalize(text)] = i;
            options.Add(text);
        }

        int? points = null;
        if (input.Kind == PollKind.DotVoting)
        {
            if (input.Points is not { } p || p < Poll.MinPoints || p > Poll.MaxPoints) errors["points"] = Text.Get("Error.PollPoints", Poll.MinPoints, Poll.MaxPoints);
            else points = p;
        }

        var endsAt = DateTime.MinValue;
        if (input.EndsAt is { } end)
        {
            var utc = end.Kind == DateTimeKind.Local ? end.ToUniversalTime() : DateTime.SpecifyKind(end, DateTimeKind.Utc);
            var hours = (utc - now).TotalHours;
            if (hours < Poll.MinHours || hours > Poll.MaxHours) errors["endsAt"] = Text.Get("Error.PollEnd", Poll.MinHours, Poll.MaxHours);
            else endsAt = utc;
        }
        else if (input.DurationHours is not { } h || h < Poll.MinHours || h > Poll.MaxHours)
            errors["duration"] = Text.Get("Error.PollDuration", Poll.MinHours, Poll.MaxHours);
        else endsAt = now.AddHours(h);

        ValidationFailedException.ThrowIfAny(errors);
        return new ValidPoll(question, description.Length == 0 ? null : description, options, points, endsAt);
    }

    /// <summary>The field name of the i-th option's message (0-based): <c>option0</c> … <c>option9</c>.</summary>
    public static string OptionField(int index) => "option" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>Two options are the same when they differ only in case and spacing.</summary>
    internal static string Normalize(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();

    private static string CheckText(Dictionary<string, string> errors, string field, string? value, int min, int max)
    {
        var text = value?.Trim() ?? "";
        if (text.Length < min || text.Length > max) errors[field] = min == 0 ? Text.Get("Error.MaxChars", max) : Text.Get("Error.LengthRange", min, max);
        else if (!Texts.IsStorable(text)) errors[field] = Texts.UnstorableMessage;
        return text;
    }

    // ---------------------------------------------------------------- voting

    /// <summary>
    /// A member votes once on an open poll, and the vote is final. Under the poll's row lock: the poll is still open, the
    /// member has no ballot yet, the ballot fits the poll (one known option; or 0..N points per known option adding up to N).
    /// The ballot's key (poll, member) refuses a second one in the database too.
    /// </summary>
    public async Task VoteAsync(string actorId, Guid pollId, VoteInput input, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string>();
        var reason = CheckText(errors, "reason", input.Reason, 0, PollVote.ReasonMaxLength);
        ValidationFailedException.ThrowIfAny(errors);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var now = Now;
        var poll = await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<Poll>(p => p.Id == pollId, ct);
            var poll = await db.Polls.AsNoTracking().SingleOrDefaultAsync(p => p.Id == pollId, ct) ?? throw NotFound();
            await PermissionService.DemandMemberAsync(db, poll.CommunityId, actorId, ct);
            if (!poll.IsOpenAt(now)) throw new AppException(Text.Get("Error.PollClosed"));
            if (await db.PollVotes.AnyAsync(v => v.PollId == pollId && v.UserId == actorId, ct)) throw new AppException(Text.Get("Error.PollAlreadyVoted"));
            var options = await db.PollOptions.Where(o => o.PollId == pollId).Select(o => o.Id).ToListAsync(ct);
            var ballot = Ballot(poll, options, input);
            db.PollVotes.Add(new PollVote { PollId = pollId, UserId = actorId, Reason = reason.Length == 0 ? null : reason, At = now });
            foreach (var (optionId, points) in ballot) db.PollVotePoints.Add(new PollVotePoints { PollId = pollId, UserId = actorId, OptionId = optionId, Points = points });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
            {
                throw new AppException(Text.Get("Error.PollAlreadyVoted"), ex);
            }
            return poll;
        }, ct);
        Publish(poll);
    }

    /// <summary>The points the ballot gives each option (only those above 0), or the field messages of a ballot that does not fit.</summary>
    private static List<(Guid OptionId, int Points)> Ballot(Poll poll, IReadOnlyCollection<Guid> options, VoteInput input)
    {
        if (poll.Kind == PollKind.SingleChoice)
        {
            return input.OptionId is { } chosen && options.Contains(chosen)
                ? [(chosen, 1)]
                : throw Invalid("choice", Text.Get("Error.PollChooseOne"));
        }
        var n = poll.Points!.Value;
        var given = input.Points ?? new Dictionary<Guid, int>();
        if (given.Keys.Any(id => !options.Contains(id))) throw Invalid("points", Text.Get("Error.PollUnknownOption"));
        if (given.Values.Any(p => p < 0 || p > n)) throw Invalid("points", Text.Get("Error.PollPointsEach", n));
        var sum = given.Values.Sum(p => (long)p);
        if (sum != n) throw Invalid("points", Text.Get("Error.PollPointsSum", n, sum));
        return given.Where(g => g.Value > 0).OrderBy(g => g.Key).Select(g => (g.Key, g.Value)).ToList();
    }

    // ---------------------------------------------------------------- closing, extending, reopening

    /// <summary>The creator or an admin closes an open poll now (audited).</summary>
    public Task CloseAsync(string actorId, Guid pollId, CancellationToken ct = default) =>
        MoveAsync(actorId, pollId, (poll, now) =>
        {
            if (!poll.IsOpenAt(now)) throw new AppException(Text.Get("Error.PollAlreadyClosed"));
            return (now, poll.OpenedAt, now, null, AuditAction.PollClosed, new { pollId, question = poll.Question, endsAt = AuditEntry.Change(poll.EndsAt, now) });
        }, ct);

    /// <summary>The creator or an admin moves the end of an open poll later, at most 720 hours from now (audited).</summary>
    public Task ExtendAsync(string actorId, Guid pollId, DateTime newEnd, CancellationToken ct = default) =>
        MoveAsync(actorId, pollId, (poll, now) =>
        {
            if (!poll.IsOpenAt(now)) throw new AppException(Text.Get("Error.PollClosedReopenInstead"));
            var end = Utc(newEnd);
            if (end <= poll.EndsAt) throw Invalid("endsAt", Text.Get("Error.PollExtendLater"));
            if ((end - now).TotalHours > Poll.MaxHours) throw Invalid("endsAt", Text.Get("Error.PollEnd", Poll.MinHours, Poll.MaxHours));
            return (end, poll.OpenedAt, null, Poll.ReminderFor(poll.OpenedAt, end), AuditAction.PollExtended,
                new { pollId, question = poll.Question, endsAt = AuditEntry.Change(poll.EndsAt, end) });
        }, ct);

    /// <summary>The creator or an admin opens a closed poll again until a new end 1–720 hours from now (audited). Ballots stay.</summary>
    public Task ReopenAsync(string actorId, Guid pollId, DateTime newEnd, CancellationToken ct = default) =>
        MoveAsync(actorId, pollId, (poll, now) =>
        {
            if (poll.IsOpenAt(now)) throw new AppException(Text.Get("Error.PollStillOpen"));
            var end = Utc(newEnd);
            var hours = (end - now).TotalHours;
            if (hours < Poll.MinHours || hours > Poll.MaxHours) throw Invalid("endsAt", Text.Get("Error.PollEnd", Poll.MinHours, Poll.MaxHours));
            return (end, now, null, Poll.ReminderFor(now, end), AuditAction.PollReopened,
                new { pollId, question = poll.Question, endsAt = AuditEntry.Change(poll.EndsAt, end) });
        }, ct);

    private async Task MoveAsync(string actorId, Guid pollId,
        Func<Poll, DateTime, (DateTime EndsAt, DateTime OpenedAt, DateTime? ClosedEarlyAt, DateTime? RemindAt, AuditAction Action, object Details)> decide,
        CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var now = Now;
        var poll = await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<Poll>(p => p.Id == pollId, ct);
            var poll = await db.Polls.AsNoTracking().SingleOrDefaultAsync(p => p.Id == pollId, ct) ?? throw NotFound();
            var standing = await PermissionService.DemandMemberAsync(db, poll.CommunityId, actorId, ct);
            if (!MayManage(standing, poll)) throw new ForbiddenException(Text.Get("Error.PollCreatorOrAdmin"));
            var (endsAt, openedAt, closedEarlyAt, remindAt, action, details) = decide(poll, now);
            // Under the lock the poll cannot have moved; the end it was read with is the condition all the same.
            var moved = await db.Polls.Where(p => p.Id == pollId && p.EndsAt == poll.EndsAt).ExecuteUpdateStampedAsync(now, s => s
                .SetProperty(p => p.EndsAt, endsAt)
                .SetProperty(p => p.OpenedAt, openedAt)
                .SetProperty(p => p.ClosedEarlyAt, closedEarlyAt)
                .SetProperty(p => p.RemindAt, remindAt), ct);
            if (moved == 0) throw new AppException(Text.Get("Error.PollMoved"));
            db.AuditLog.Add(AuditEntry.Record(poll.CommunityId, actorId, action, details, at: now));
            await db.SaveChangesAsync(ct);
            return poll;
        }, ct);
        Publish(poll);
    }

    private static bool MayManage(MemberStanding standing, Poll poll) => standing.IsAdmin || poll.CreatorId == standing.UserId;

    private static DateTime Utc(DateTime value) => value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc);

    // ---------------------------------------------------------------- comments

    /// <summary>Any member comments in markdown (1–2,000 characters), open or closed poll.</summary>
    public async Task<Guid> CommentAsync(string actorId, Guid pollId, string? body, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string>();
        var text = CheckText(errors, "comment", body, 1, PollComment.BodyMaxLength);
        ValidationFailedException.ThrowIfAny(errors);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var poll = await db.Polls.AsNoTracking().SingleOrDefaultAsync(p => p.Id == pollId, ct) ?? throw NotFound();
        await PermissionService.DemandMemberAsync(db, poll.CommunityId, actorId, ct);
        var comment = new PollComment { PollId = pollId, AuthorId = actorId, Body = text, CreatedAt = Now };
        db.PollComments.Add(comment);
        await db.SaveChangesAsync(ct);
        Publish(poll);
        return comment.Id;
    }

    /// <summary>The author, or an admin, deletes a comment (soft delete).</summary>
    public async Task DeleteCommentAsync(string actorId, Guid commentId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var comment = await db.PollComments.SingleOrDefaultAsync(c => c.Id == commentId, ct) ?? throw new NotFoundException(Text.Get("Error.CommentNotFound"));
        var poll = await db.Polls.AsNoTracking().SingleAsync(p => p.Id == comment.PollId, ct);
        var standing = await PermissionService.DemandMemberAsync(db, poll.CommunityId, actorId, ct);
        if (comment.AuthorId != actorId && !standing.IsAdmin) throw new ForbiddenException(Text.Get("Error.CommentAuthorOrAdmin"));
        comment.DeletedAt = Now;
        await db.SaveChangesAsync(ct);
        Publish(poll);
    }

    // ---------------------------------------------------------------- the closing-soon job

    /// <summary>
    /// Sends each due "closing soon" notification (24 h before the end) to the members who have not voted, once: the run
    /// that clears a poll's <see cref="Poll.RemindAt"/> by a conditional UPDATE on the value it read sends it, in the same
    /// transaction, so two app instances never both send. Returns how many polls were announced.
    /// </summary>
    public async Task<int> SendClosingSoonAsync(CancellationToken ct = default)
    {
        var now = Now;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var due = await db.Polls.AsNoTracking().Where(p => p.RemindAt != null && p.RemindAt <= now && p.EndsAt > now)
            .OrderBy(p => p.RemindAt).Take(500).ToListAsync(ct);
        var sent = 0;
        foreach (var poll in due)
        {
            var recipients = await db.InTransactionAsync(async () =>
            {
                var claimed = await db.Polls.Where(p => p.Id == poll.Id && p.RemindAt == poll.RemindAt && p.EndsAt == poll.EndsAt)
                    .ExecuteUpdateStampedAsync(now, s => s.SetProperty(p => p.RemindAt, (DateTime?)null), ct);
                if (claimed == 0) return null;
                var creator = await db.Users.Where(u => u.Id == poll.CreatorId).Select(u => u.DisplayName).SingleAsync(ct);
                return await NotifyMembersAsync(db, poll, NotificationKind.PollClosingSoon, creator, exceptUserId: null, onlyNonVoters: true, now, ct);
            }, ct);
            if (recipients is null) continue;
            sent++;
            foreach (var user in recipients) events.Publish(new NotificationsChanged(user));
        }
        // Polls whose reminder came due only after they ended (closed early, or the app was down) need none any more.
        await db.Polls.Where(p => p.RemindAt != null && p.EndsAt <= now).ExecuteUpdateStampedAsync(now, s => s.SetProperty(p => p.RemindAt, (DateTime?)null), ct);
        return sent;
    }

    /// <summary>
    /// One notification for every member of the poll's community (but <paramref name="exceptUserId"/>; with
    /// <paramref name="onlyNonVoters"/> only those without a ballot), written by one INSERT … SELECT in the caller's
    /// transaction, however large the community. Returns the recipients, for the live bell.
    /// </summary>
    private static async Task<List<string>> NotifyMembersAsync(AppDbContext db, Poll poll, NotificationKind kind, string actor, string? exceptUserId,
        bool onlyNonVoters, DateTime now, CancellationToken ct)
    {
        var link = CommunityUrls.For(poll.CommunityId).Poll(poll.Id);
        var kindName = kind.ToString();
        var except = exceptUserId ?? "";
        var voters = onlyNonVoters ? 1 : 0;
        if (db is PostgresAppDbContext)
        {
            return await db.Database.SqlQuery<string>($"""
                INSERT INTO notifications (id, user_id, community_id, kind, actor, subject, link, created_at, in_digest)
                SELECT gen_random_uuid(), m.user_id, m.community_id, {kindName}, {actor}, {poll.Question}, {link}, {now}, COALESCE(p.delivery = 'Digest', FALSE)
                FROM memberships m
                LEFT JOIN notification_preferences p ON p.user_id = m.user_id AND p.kind = {kindName}
                WHERE m.community_id = {poll.CommunityId} AND m.deleted_at IS NULL AND m.user_id <> {except}
                  AND COALESCE(p.delivery, 'InApp') <> 'Off'
                  AND ({voters} = 0 OR NOT EXISTS (SELECT 1 FROM poll_votes v WHERE v.poll_id = {poll.Id} AND v.user_id = m.user_id))
                RETURNING user_id AS "Value"
                """).ToListAsync(ct);
        }
        // SQLite keeps GUIDs as upper-case text and timestamps as text, as EF writes them.
        var community = poll.CommunityId.ToString().ToUpperInvariant();
        var pollId = poll.Id.ToString().ToUpperInvariant();
        var at = now.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
        return await db.Database.SqlQuery<string>($"""
            INSERT INTO notifications (id, user_id, community_id, kind, actor, subject, link, created_at, in_digest)
            SELECT upper(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6))),
                   m.user_id, m.community_id, {kindName}, {actor}, {poll.Question}, {link}, {at}, COALESCE(p.delivery = 'Digest', 0)
            FROM memberships m
            LEFT JOIN notification_preferences p ON p.user_id = m.user_id AND p.kind = {kindName}
            WHERE m.community_id = {community} AND m.deleted_at IS NULL AND m.user_id <> {except}
              AND COALESCE(p.delivery, 'InApp') <> 'Off'
              AND ({voters} = 0 OR NOT EXISTS (SELECT 1 FROM poll_votes v WHERE v.poll_id = {pollId} AND v.user_id = m.user_id))
            RETURNING user_id AS "Value"
            """).ToListAsync(ct);
    }

    // ---------------------------------------------------------------- reading

    /// <summary>
    /// A community's polls (or one council's, its pools' included): open ones first, ending soonest first, then closed ones,
    /// most recently ended first; paged in the database.
    /// </summary>
    public async Task<Page<PollRow>> ListAsync(string viewerId, Guid communityId, Guid? councilId, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var now = Now;
        var polls = db.Polls.Where(p => p.CommunityId == communityId);
        if (councilId is { } council) polls = polls.Where(p => p.CouncilId == council);
        var total = await polls.CountAsync(ct);
        var rows = await polls
            .OrderBy(p => p.EndsAt > now ? 0 : 1)
            .ThenBy(p => p.EndsAt > now ? p.EndsAt : now)
            .ThenByDescending(p => p.EndsAt)
            .ThenByDescending(p => p.Id)
            .Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(p => new PollRow(p.Id, p.Question, p.Kind, p.EndsAt > now, p.EndsAt, p.ClosedEarlyAt != null,
                db.PollVotes.Count(v => v.PollId == p.Id), db.PollVotes.Any(v => v.PollId == p.Id && v.UserId == viewerId),
                p.Creator.DisplayName, p.Council != null ? p.Council.Name : null, p.Pool != null ? p.Pool.Name : null))
            .ToListAsync(ct);
        return new Page<PollRow>(rows, total, Math.Max(0, pageIndex), pageSize);
    }

    /// <summary>One poll as the viewer sees it: the counts only when the results are visible to them.</summary>
    public async Task<PollDetail> GetAsync(string viewerId, Guid communityId, Guid pollId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var viewer = await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var now = Now;
        var p = await db.Polls.Where(x => x.Id == pollId && x.CommunityId == communityId)
            .Select(x => new
            {
                Poll = x,
                CreatorName = x.Creator.DisplayName,
                CouncilName = x.Council != null ? x.Council.Name : null,
                PoolName = x.Pool != null ? x.Pool.Name : null,
                Voters = db.PollVotes.Count(v => v.PollId == x.Id),
                Members = db.Communities.Where(c => c.Id == x.CommunityId).Select(c => c.MemberCount).FirstOrDefault(),
            })
            .AsNoTracking().SingleOrDefaultAsync(ct) ?? throw NotFound();
        var poll = p.Poll;
        var mine = await db.PollVotes.Where(v => v.PollId == pollId && v.UserId == viewerId).Select(v => new { v.Reason, v.At }).SingleOrDefaultAsync(ct);
        var myPoints = mine is null ? new Dictionary<Guid, int>()
            : await db.PollVotePoints.Where(v => v.PollId == pollId && v.UserId == viewerId).ToDictionaryAsync(v => v.OptionId, v => v.Points, ct);
        var open = poll.IsOpenAt(now);
        var visible = ResultsVisible(poll.Visibility, open, mine is not null);
        var options = await db.PollOptions.Where(o => o.PollId == pollId).OrderBy(o => o.Position).Select(o => new { o.Id, o.Text }).ToListAsync(ct);
        var tally = visible
            ? await db.PollVotePoints.Where(v => v.PollId == pollId).GroupBy(v => v.OptionId).Select(g => new { g.Key, Sum = g.Sum(v => v.Points) }).ToDictionaryAsync(g => g.Key, g => g.Sum, ct)
            : [];
        // A single choice's share is of the voters; dot voting's of all points given.
        var totalPoints = tally.Values.Sum();
        var whole = poll.Kind == PollKind.SingleChoice ? p.Voters : totalPoints;
        var results = options.Select(o =>
        {
            if (!visible) return new OptionResult(o.Id, o.Text, null, null);
            var count = tally.GetValueOrDefault(o.Id);
            return new OptionResult(o.Id, o.Text, count, whole == 0 ? 0 : Math.Round(100.0 * count / whole, 1));
        }).ToList();
        return new PollDetail(poll.Id, poll.Question, poll.Description, poll.Kind, poll.Points, poll.Visibility, poll.OpenedAt, poll.EndsAt, poll.ClosedEarlyAt,
            open, poll.CreatorId, p.CreatorName, poll.CouncilId, p.CouncilName, poll.PoolId, p.PoolName, p.Voters, p.Members,
            mine is null ? null : new MyBallot(myPoints, mine.Reason, mine.At), MayManage(viewer, poll), visible, results, visible ? totalPoints : 0);
    }

    /// <summary>The results-visibility rule: always; after the viewer's own vote or the close; only after the close.</summary>
    public static bool ResultsVisible(ResultsVisibility visibility, bool open, bool voted) => visibility switch
    {
        ResultsVisibility.Always => true,
        ResultsVisibility.AfterVote => voted || !open,
        _ => !open,
    };

    /// <summary>The ballots with voters' names, choices and reasons, newest first, paged; only when the results are visible.</summary>
    public async Task<Page<BallotRow>> BallotsAsync(string viewerId, Guid communityId, Guid pollId, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var poll = await DemandResultsAsync(db, viewerId, communityId, pollId, ct);
        var votes = db.PollVotes.Where(v => v.PollId == pollId);
        var total = await votes.CountAsync(ct);
        var page = await votes.OrderByDescending(v => v.At).ThenBy(v => v.UserId).Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(v => new { v.UserId, v.User.DisplayName, v.Reason, v.At }).ToListAsync(ct);
        var users = page.Select(v => v.UserId).ToList();
        var options = await db.PollOptions.Where(o => o.PollId == pollId).ToDictionaryAsync(o => o.Id, o => (o.Position, o.Text), ct);
        var points = (await db.PollVotePoints.Where(v => v.PollId == pollId && users.Contains(v.UserId)).ToListAsync(ct)).ToLookup(v => v.UserId);
        var rows = page.Select(v => new BallotRow(v.DisplayName, Choice(poll.Kind, points[v.UserId], options), v.Reason, v.At)).ToList();
        return new Page<BallotRow>(rows, total, Math.Max(0, pageIndex), pageSize);
    }

    private static string Choice(PollKind kind, IEnumerable<PollVotePoints> points, IReadOnlyDictionary<Guid, (int Position, string Text)> options) =>
        kind == PollKind.SingleChoice
            ? string.Join(", ", points.Select(p => options[p.OptionId].Text))
            : string.Join(", ", points.OrderBy(p => options[p.OptionId].Position).Select(p => $"{options[p.OptionId].Text} {p.Points}"));

    /// <summary>Comments, newest first, paged.</summary>
    public async Task<Page<PollCommentRow>> CommentsAsync(string viewerId, Guid communityId, Guid pollId, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var viewer = await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        if (!await db.Polls.AnyAsync(p => p.Id == pollId && p.CommunityId == communityId, ct)) throw NotFound();
        var comments = db.PollComments.Where(c => c.PollId == pollId);
        var total = await comments.CountAsync(ct);
        var admin = viewer.IsAdmin;
        var rows = await comments.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(c => new PollCommentRow(c.Id, c.Author.DisplayName, c.Body, c.CreatedAt, admin || c.AuthorId == viewerId)).ToListAsync(ct);
        return new Page<PollCommentRow>(rows, total, Math.Max(0, pageIndex), pageSize);
    }

    /// <summary>The councils and pools the member may speak for in a new poll: those of the councils they manage (an admin: all).</summary>
    public async Task<IReadOnlyList<PollSpeaker>> SpeakersAsync(string viewerId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var viewer = await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var managed = viewer.ManagedCouncils.ToList();
        var admin = viewer.IsAdmin;
        var councils = await db.Councils.Where(c => c.CommunityId == communityId && (admin || managed.Contains(c.Id)))
            .OrderBy(c => c.Name).Select(c => new { c.Id, c.Name }).Take(200).ToListAsync(ct);
        var ids = councils.Select(c => c.Id).ToList();
        var pools = (await db.Pools.Where(p => ids.Contains(p.CouncilId)).OrderBy(p => p.Name).Select(p => new { p.Id, p.CouncilId, p.Name }).ToListAsync(ct))
            .ToLookup(p => p.CouncilId);
        return councils.SelectMany(c => pools[c.Id].Select(p => new PollSpeaker(c.Id, p.Id, $"{c.Name} › {p.Name}")).Prepend(new PollSpeaker(c.Id, null, c.Name))).ToList();
    }

    // ---------------------------------------------------------------- CSV

    /// <summary>
    /// The results as CSV, for a member who may see them: one row per option (votes or points, and the share), then one row
    /// per ballot (voter, choice, reason, when). Checks run before anything is written; the ballots stream from the database.
    /// </summary>
    public async Task<PollExport> ExportAsync(string viewerId, Guid communityId, Guid pollId, CancellationToken ct = default)
    {
        var detail = await GetAsync(viewerId, communityId, pollId, ct);
        if (!detail.ResultsVisible) throw new ForbiddenException(Text.Get("Error.PollResultsHidden"));
        var name = $"poll-results-{detail.Id.ToString("N")[..8]}.csv";
        return new PollExport(name, async (stream, token) =>
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            await using var csv = new CsvHelper.CsvWriter(writer, CultureInfo.InvariantCulture);
            var dot = detail.Kind == PollKind.DotVoting;
            csv.WriteField(Text.Get("Polls.Csv.Option"));
            csv.WriteField(Text.Get(dot ? "Polls.Csv.Points" : "Polls.Csv.Votes"));
            csv.WriteField(Text.Get("Polls.Csv.Percent"));
            await csv.NextRecordAsync();
            foreach (var option in detail.Options)
            {
                csv.WriteField(option.Text);
                csv.WriteField(option.Count ?? 0);
                csv.WriteField((option.Percent ?? 0).ToString("0.0", CultureInfo.InvariantCulture));
                await csv.NextRecordAsync();
            }
            await csv.NextRecordAsync();
            csv.WriteField(Text.Get("Polls.Csv.Voter"));
            csv.WriteField(Text.Get("Polls.Csv.Choice"));
            csv.WriteField(Text.Get("Polls.Csv.Reason"));
            csv.WriteField(Text.Get("Polls.Csv.VotedAt"));
            await csv.NextRecordAsync();
            await using var db = await dbFactory.CreateDbContextAsync(token);
            var options = await db.PollOptions.Where(o => o.PollId == pollId).ToDictionaryAsync(o => o.Id, o => (o.Position, o.Text), token);
            var ballots = db.PollVotes.Where(v => v.PollId == pollId).OrderBy(v => v.At).ThenBy(v => v.UserId)
                .Select(v => new { v.User.DisplayName, v.Reason, v.At, Points = db.PollVotePoints.Where(x => x.PollId == v.PollId && x.UserId == v.UserId).ToList() })
                .AsSplitQuery().AsAsyncEnumerable();
            await foreach (var ballot in ballots.WithCancellation(token))
            {
                csv.WriteField(ballot.DisplayName);
                csv.WriteField(Choice(detail.Kind, ballot.Points, options));
                csv.WriteField(ballot.Reason ?? "");
                csv.WriteField(ballot.At.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
                await csv.NextRecordAsync();
            }
            await csv.FlushAsync();
        });
    }

    private async Task<Poll> DemandResultsAsync(AppDbContext db, string viewerId, Guid communityId, Guid pollId, CancellationToken ct)
    {
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var poll = await db.Polls.AsNoTracking().SingleOrDefaultAsync(p => p.Id == pollId && p.CommunityId == communityId, ct) ?? throw NotFound();
        var voted = await db.PollVotes.AnyAsync(v => v.PollId == pollId && v.UserId == viewerId, ct);
        return ResultsVisible(poll.Visibility, poll.IsOpenAt(Now), voted) ? poll : throw new ForbiddenException(Text.Get("Error.PollResultsHidden"));
    }

    private void Publish(Poll poll) => events.Publish(new PollChanged(poll.CommunityId, poll.Id, poll.CouncilId));

    private static ValidationFailedException Invalid(string field, string message) => new(new Dictionary<string, string> { [field] = message });

    private static NotFoundException NotFound() => new(Text.Get("Error.PollNotFound"));
}

/// <summary>A CSV export, checked and ready to stream.</summary>
public sealed record PollExport(string FileName, Func<Stream, CancellationToken, Task> WriteAsync);
