using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Notifications;
using CommunityApp.Resources;

namespace CommunityApp.Features.Councils;

public sealed record InitiativeInput(string Title, string Description);

/// <summary>An initiative, its votes, comments or progress changed: open initiative pages and the council's tab reload.</summary>
public sealed record InitiativeChanged(Guid CommunityId, Guid CouncilId, Guid InitiativeId) : AppEvent;

public sealed record InitiativeRow(Guid Id, string Title, InitiativeStatus Status, int UpVotes, int DownVotes, int Score, int Comments, DateTime CreatedAt);

public sealed record InitiativeDetail(Guid Id, Guid CouncilId, string CouncilName, string Title, string Description, InitiativeStatus Status,
    int UpVotes, int DownVotes, int Score, VoteDirection? MyVote, bool MayManage, DateTime CreatedAt);

public sealed record InitiativeCommentRow(Guid Id, string AuthorName, string Body, DateTime At, bool Mine);

public sealed record ProgressRow(Guid Id, string AuthorName, string Body, DateTime At);

/// <summary>
/// Council initiatives (docs/SPEC.md §6): managers (and admins) propose them, edit them, move their status and write dated
/// progress reports, each audited; every member votes up or down once (changeable, withdrawable) and comments in plain
/// text, and the council's managers are told of each comment. A vote is an upsert under the initiative's row lock that
/// moves the maintained score in the same transaction.
/// </summary>
public sealed class InitiativeService(IDbContextFactory<AppDbContext> dbFactory, IEventHub events, TimeProvider clock)
{
    public const int MaxPageSize = 50;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<Guid> CreateAsync(string actorId, Guid councilId, InitiativeInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var council = await db.Councils.AsNoTracking().SingleOrDefaultAsync(c => c.Id == councilId, ct) ?? throw new NotFoundException(Text.Get("Error.CouncilNotFound"));
        await CouncilService.DemandManagerAsync(db, council, actorId, ct);
        var (title, description) = Validate(input);
        var initiative = new Initiative { CommunityId = council.CommunityId, CouncilId = councilId, Title = title, Description = description, Status = InitiativeStatus.Active };
        db.Initiatives.Add(initiative);
        db.AuditLog.Add(AuditEntry.Record(council.CommunityId, actorId, AuditAction.InitiativeCreated,
            new { councilId, council = council.Name, initiativeId = initiative.Id, title }, at: Now));
        await db.SaveChangesAsync(ct);
        Publish(council.CommunityId, councilId, initiative.Id);
        return initiative.Id;
    }

    public async Task UpdateAsync(string actorId, Guid initiativeId, InitiativeInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var initiative = await db.Initiatives.Include(i => i.Council).SingleOrDefaultAsync(i => i.Id == initiativeId, ct) ?? throw NotFound();
        await CouncilService.DemandManagerAsync(db, initiative.Council, actorId, ct);
        var (title, description) = Validate(input);
        var details = new Dictionary<string, object> { ["councilId"] = initiative.CouncilId, ["initiativeId"] = initiativeId };
        if (initiative.Title != title) details["title"] = AuditEntry.Change(initiative.Title, title);
        if (initiative.Description != description) details["description"] = AuditEntry.Change(initiative.Description.Length, description.Length);
        if (details.Count == 2) return;
        (initiative.Title, initiative.Description) = (title, description);
        db.AuditLog.Add(AuditEntry.Record(initiative.CommunityId, actorId, AuditAction.InitiativeEdited, details, at: Now));
        await db.SaveChangesAsync(ct);
        Publish(initiative.CommunityId, initiative.CouncilId, initiativeId);
    }

    /// <summary>Managers move the status (any to any other); the move is a conditional update on the status it was read in, and audited.</summary>
    public async Task SetStatusAsync(string actorId, Guid initiativeId, InitiativeStatus status, CancellationToken ct = default)
    {
        if (!Enum.IsDefined(status)) throw new ValidationFailedException(new Dictionary<string, string> { ["status"] = Text.Get("Error.UnknownStatus") });
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var initiative = await db.Initiatives.AsNoTracking().Include(i => i.Council).SingleOrDefaultAsync(i => i.Id == initiativeId, ct) ?? throw NotFound();
        await CouncilService.DemandManagerAsync(db, initiative.Council, actorId, ct);
        if (initiative.Status == status) return;
        var now = Now;
        await db.InTransactionAsync(async () =>
        {
            var moved = await db.Initiatives.Where(i => i.Id == initiativeId && i.Status == initiative.Status)
                .ExecuteUpdateStampedAsync(now, s => s.SetProperty(i => i.Status, status), ct);
            if (moved == 0) throw new AppException(Text.Get("Error.InitiativeMoved"));
            db.AuditLog.Add(AuditEntry.Record(initiative.CommunityId, actorId, AuditAction.InitiativeStatusChanged,
                new { councilId = initiative.CouncilId, initiativeId, title = initiative.Title, status = AuditEntry.Change(initiative.Status.ToString(), status.ToString()) }, at: now));
            await db.SaveChangesAsync(ct);
        }, ct);
        Publish(initiative.CommunityId, initiative.CouncilId, initiativeId);
    }

    /// <summary>
    /// A member votes up or down, changes the vote, or withdraws it (null), on an active initiative. Under the initiative's row
    /// lock: read the member's vote, write the new one, move the counters and the score by the difference. Returns the score.
    /// </summary>
    public async Task<int> VoteAsync(string actorId, Guid initiativeId, VoteDirection? direction, CancellationToken ct = default)
    {
        if (direction is { } d && !Enum.IsDefined(d)) throw new ValidationFailedException(new Dictionary<string, string> { ["vote"] = Text.Get("Error.UnknownVote") });
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var (communityId, councilId, score) = await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<Initiative>(i => i.Id == initiativeId, ct);
            var initiative = await db.Initiatives.AsNoTracking().SingleOrDefaultAsync(i => i.Id == initiativeId, ct) ?? throw NotFound();
            await PermissionService.DemandMemberAsync(db, initiative.CommunityId, actorId, ct);
            if (initiative.Status != InitiativeStatus.Active) throw new AppException(Text.Get("Error.VotingClosed"));
            var existing = await db.InitiativeVotes.Where(v => v.InitiativeId == initiativeId && v.UserId == actorId)
                .Select(v => (VoteDirection?)v.Direction).SingleOrDefaultAsync(ct);
            if (existing == direction) return (initiative.CommunityId, initiative.CouncilId, initiative.Score);
            var up = (direction == VoteDirection.Up ? 1 : 0) - (existing == VoteDirection.Up ? 1 : 0);
            var down = (direction == VoteDirection.Down ? 1 : 0) - (existing == VoteDirection.Down ? 1 : 0);
            var now = Now;
            if (existing is null) db.InitiativeVotes.Add(new InitiativeVote { InitiativeId = initiativeId, UserId = actorId, Direction = direction!.Value, At = now });
            else if (direction is null) await db.InitiativeVotes.Where(v => v.InitiativeId == initiativeId && v.UserId == actorId).ExecuteDeleteAsync(ct);
            else await db.InitiativeVotes.Where(v => v.InitiativeId == initiativeId && v.UserId == actorId)
                .ExecuteUpdateAsync(s => s.SetProperty(v => v.Direction, direction.Value).SetProperty(v => v.At, now), ct);
            await db.Initiatives.Where(i => i.Id == initiativeId).ExecuteUpdateStampedAsync(now, s => s
                .SetProperty(i => i.UpVotes, i => i.UpVotes + up)
                .SetProperty(i => i.DownVotes, i => i.DownVotes + down)
                .SetProperty(i => i.Score, i => i.Score + up - down), ct);
            await db.SaveChangesAsync(ct);
            return (initiative.CommunityId, initiative.CouncilId, initiative.Score + up - down);
        }, ct);
        Publish(communityId, councilId, initiativeId);
        return score;
    }

    /// <summary>Any member comments in plain text (1–2,000 characters); the council's managers, other than the writer, are told.</summary>
    public async Task<Guid> CommentAsync(string actorId, Guid initiativeId, string body, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string>();
        var text = CouncilReportService.CheckText(errors, "comment", body, InitiativeComment.BodyMinLength, InitiativeComment.BodyMaxLength);
        ValidationFailedException.ThrowIfAny(errors);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var initiative = await db.Initiatives.AsNoTracking().SingleOrDefaultAsync(i => i.Id == initiativeId, ct) ?? throw NotFound();
        await PermissionService.DemandMemberAsync(db, initiative.CommunityId, actorId, ct);
        var now = Now;
        var comment = new InitiativeComment { InitiativeId = initiativeId, AuthorId = actorId, Body = text, CreatedAt = now };
        db.InitiativeComments.Add(comment);
        var managers = await db.CouncilManagers
            .Where(m => m.CouncilId == initiative.CouncilId && m.UserId != actorId && db.Memberships.Any(x => x.CommunityId == initiative.CommunityId && x.UserId == m.UserId))
            .Select(m => m.UserId).ToListAsync(ct);
        var link = CommunityUrls.For(initiative.CommunityId).Initiative(initiative.CouncilId, initiativeId);
        foreach (var manager in managers)
            await NotificationWriter.AddAsync(db, manager, initiative.CommunityId, NotificationKind.InitiativeCommented, actorId, link, now, initiative.Title, ct);
        await db.SaveChangesAsync(ct);
        foreach (var manager in managers) events.Publish(new NotificationsChanged(manager));
        Publish(initiative.CommunityId, initiative.CouncilId, initiativeId);
        return comment.Id;
    }

    /// <summary>Authors delete their own comments (soft delete).</summary>
    public async Task DeleteCommentAsync(string actorId, Guid commentId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var comment = await db.InitiativeComments.SingleOrDefaultAsync(c => c.Id == commentId, ct) ?? throw new NotFoundException(Text.Get("Error.CommentNotFound"));
        var initiative = await db.Initiatives.AsNoTracking().SingleAsync(i => i.Id == comment.InitiativeId, ct);
        await PermissionService.DemandMemberAsync(db, initiative.CommunityId, actorId, ct);
        if (comment.AuthorId != actorId) throw new ForbiddenException(Text.Get("Error.OnlyCommentAuthor"));
        comment.DeletedAt = Now;
        await db.SaveChangesAsync(ct);
        Publish(initiative.CommunityId, initiative.CouncilId, initiative.Id);
    }

    /// <summary>Managers write a dated progress report in markdown; audited.</summary>
    public async Task<Guid> AddProgressAsync(string actorId, Guid initiativeId, string body, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var initiative = await db.Initiatives.AsNoTracking().Include(i => i.Council).SingleOrDefaultAsync(i => i.Id == initiativeId, ct) ?? throw NotFound();
        await CouncilService.DemandManagerAsync(db, initiative.Council, actorId, ct);
        var errors = new Dictionary<string, string>();
        var text = CouncilReportService.CheckText(errors, "progress", body, InitiativeProgress.BodyMinLength, InitiativeProgress.BodyMaxLength);
        ValidationFailedException.ThrowIfAny(errors);
        var now = Now;
        var progress = new InitiativeProgress { InitiativeId = initiativeId, AuthorId = actorId, Body = text, CreatedAt = now };
        db.InitiativeProgress.Add(progress);
        db.AuditLog.Add(AuditEntry.Record(initiative.CommunityId, actorId, AuditAction.InitiativeProgressAdded,
            new { councilId = initiative.CouncilId, initiativeId, title = initiative.Title, progressId = progress.Id }, at: now));
        await db.SaveChangesAsync(ct);
        Publish(initiative.CommunityId, initiative.CouncilId, initiativeId);
        return progress.Id;
    }

    /// <summary>A council's initiatives, optionally of one status, best score first, then newest.</summary>
    public async Task<Page<InitiativeRow>> ListAsync(string viewerId, Guid communityId, Guid councilId, InitiativeStatus? status, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        if (!await db.Councils.AnyAsync(c => c.Id == councilId && c.CommunityId == communityId, ct)) throw new NotFoundException(Text.Get("Error.CouncilNotFound"));
        var initiatives = db.Initiatives.Where(i => i.CouncilId == councilId);
        if (status is { } s) initiatives = initiatives.Where(i => i.Status == s);
        var total = await initiatives.CountAsync(ct);
        var rows = await initiatives.OrderByDescending(i => i.Score).ThenByDescending(i => i.CreatedAt)
            .Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(i => new InitiativeRow(i.Id, i.Title, i.Status, i.UpVotes, i.DownVotes, i.Score, db.InitiativeComments.Count(c => c.InitiativeId == i.Id), i.CreatedAt))
            .ToListAsync(ct);
        return new Page<InitiativeRow>(rows, total, Math.Max(0, pageIndex), pageSize);
    }

    public async Task<InitiativeDetail> GetAsync(string viewerId, Guid communityId, Guid councilId, Guid initiativeId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var viewer = await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var i = await db.Initiatives.Where(x => x.Id == initiativeId && x.CouncilId == councilId && x.CommunityId == communityId)
            .Select(x => new { x.Id, x.CouncilId, CouncilName = x.Council.Name, x.Title, x.Description, x.Status, x.UpVotes, x.DownVotes, x.Score, x.CreatedAt })
            .SingleOrDefaultAsync(ct) ?? throw NotFound();
        var mine = await db.InitiativeVotes.Where(v => v.InitiativeId == initiativeId && v.UserId == viewerId).Select(v => (VoteDirection?)v.Direction).SingleOrDefaultAsync(ct);
        return new InitiativeDetail(i.Id, i.CouncilId, i.CouncilName, i.Title, i.Description, i.Status, i.UpVotes, i.DownVotes, i.Score, mine,
            PermissionService.MayManageCouncil(viewer, councilId), i.CreatedAt);
    }

    /// <summary>Comments, newest first, paged.</summary>
    public async Task<Page<InitiativeCommentRow>> CommentsAsync(string viewerId, Guid communityId, Guid initiativeId, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await DemandInitiativeAsync(db, viewerId, communityId, initiativeId, ct);
        var comments = db.InitiativeComments.Where(c => c.InitiativeId == initiativeId);
        var total = await comments.CountAsync(ct);
        var rows = await comments.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(c => new InitiativeCommentRow(c.Id, c.Author.DisplayName, c.Body, c.CreatedAt, c.AuthorId == viewerId)).ToListAsync(ct);
        return new Page<InitiativeCommentRow>(rows, total, Math.Max(0, pageIndex), pageSize);
    }

    /// <summary>Progress reports, newest first (the latest hundred).</summary>
    public async Task<IReadOnlyList<ProgressRow>> ProgressAsync(string viewerId, Guid communityId, Guid initiativeId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await DemandInitiativeAsync(db, viewerId, communityId, initiativeId, ct);
        return await db.InitiativeProgress.Where(p => p.InitiativeId == initiativeId).OrderByDescending(p => p.CreatedAt).Take(100)
            .Select(p => new ProgressRow(p.Id, p.Author.DisplayName, p.Body, p.CreatedAt)).ToListAsync(ct);
    }

    private static async Task DemandInitiativeAsync(AppDbContext db, string viewerId, Guid communityId, Guid initiativeId, CancellationToken ct)
    {
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        if (!await db.Initiatives.AnyAsync(i => i.Id == initiativeId && i.CommunityId == communityId, ct)) throw NotFound();
    }

    private static (string Title, string Description) Validate(InitiativeInput input)
    {
        var errors = new Dictionary<string, string>();
        var title = CouncilReportService.CheckText(errors, "title", input.Title, Initiative.TitleMinLength, Initiative.TitleMaxLength);
        var description = CouncilReportService.CheckText(errors, "description", input.Description, Initiative.DescriptionMinLength, Initiative.DescriptionMaxLength);
        ValidationFailedException.ThrowIfAny(errors);
        return (title, description);
    }

    private void Publish(Guid communityId, Guid councilId, Guid initiativeId) => events.Publish(new InitiativeChanged(communityId, councilId, initiativeId));

    private static NotFoundException NotFound() => new(Text.Get("Error.InitiativeNotFound"));
}
