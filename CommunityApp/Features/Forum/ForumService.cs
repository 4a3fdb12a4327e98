using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Notifications;
using CommunityApp.Resources;

namespace CommunityApp.Features.Forum;

/// <summary>
/// The forum's writes (docs/SPEC.md §10). Categories are managed by forum managers (<see cref="Permission.ModerateForum"/>);
/// threads need <see cref="Permission.CreateThreads"/>; replies and votes are open to members. Authors edit and delete their
/// own posts; managers edit, delete, pin, lock and move, each audited. A locked thread refuses replies. The thread's author
/// marks one reply as the best answer. Votes are upserts under the post's row lock that move its score in the same
/// transaction. Mentions tell each mentioned member once per post.
/// </summary>
public sealed class ForumService(IDbContextFactory<AppDbContext> dbFactory, IEventHub events, TimeProvider clock)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    // ---- Categories -------------------------------------------------------------------------------------------------

    public async Task<Guid> CreateCategoryAsync(string actorId, Guid communityId, CategoryInput input, CancellationToken ct = default)
    {
        var (name, description) = Validate(input);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var id = await db.InTransactionAsync(async () =>
        {
            await PermissionService.DemandAsync(db, communityId, actorId, Permission.ModerateForum, ct);
            // The community's row orders category writes: positions and names are decided one writer at a time.
            await db.LockForUpdateAsync<Community>(c => c.Id == communityId, ct);
            await EnsureNameFreeAsync(db, communityId, name, null, ct);
            var position = await db.ForumCategories.Where(c => c.CommunityId == communityId).MaxAsync(c => (int?)c.Position, ct) ?? 0;
            var category = new ForumCategory { CommunityId = communityId, Name = name, NormalizedName = name.ToUpperInvariant(), Description = description, Position = position + 1 };
            db.ForumCategories.Add(category);
            db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.ForumCategoryCreated, new { categoryId = category.Id, name }, at: Now));
            await SaveNamedAsync(db, name, ct);
            return category.Id;
        }, ct);
        Publish(communityId, null);
        return id;
    }

    public async Task EditCategoryAsync(string actorId, Guid categoryId, CategoryInput input, CancellationToken ct = default)
    {
        var (name, description) = Validate(input);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var communityId = await db.InTransactionAsync(async () =>
        {
            var category = await db.ForumCategories.SingleOrDefaultAsync(c => c.Id == categoryId, ct) ?? throw CategoryNotFound();
            await PermissionService.DemandAsync(db, category.CommunityId, actorId, Permission.ModerateForum, ct);
            await db.LockForUpdateAsync<Community>(c => c.Id == category.CommunityId, ct);
            if (category.NormalizedName != name.ToUpperInvariant()) await EnsureNameFreeAsync(db, category.CommunityId, name, categoryId, ct);
            var details = new Dictionary<string, object> { ["categoryId"] = categoryId };
            if (category.Name != name) details["name"] = AuditEntry.Change(category.Name, name);
            if (category.Description != description) details["description"] = AuditEntry.Change(category.Description, description);
            if (details.Count == 1) return category.CommunityId;
            (category.Name, category.NormalizedName, category.Description) = (name, name.ToUpperInvariant(), description);
            db.AuditLog.Add(AuditEntry.Record(category.CommunityId, actorId, AuditAction.ForumCategoryEdited, details, at: Now));
            await SaveNamedAsync(db, name, ct);
            return category.CommunityId;
        }, ct);
        Publish(communityId, null);
    }

    /// <summary>Moves a category one place up (earlier) or down, swapping positions with its neighbour; at either end nothing moves.</summary>
    public async Task MoveCategoryAsync(string actorId, Guid categoryId, bool up, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var communityId = await db.InTransactionAsync(async () =>
        {
            var communityId = await db.ForumCategories.Where(c => c.Id == categoryId).Select(c => (Guid?)c.CommunityId).SingleOrDefaultAsync(ct) ?? throw CategoryNotFound();
            await PermissionService.DemandAsync(db, communityId, actorId, Permission.ModerateForum, ct);
            await db.LockForUpdateAsync<Community>(c => c.Id == communityId, ct);
            var ordered = await db.ForumCategories.Where(c => c.CommunityId == communityId).OrderBy(c => c.Position).ThenBy(c => c.Id).ToListAsync(ct);
            var index = ordered.FindIndex(c => c.Id == categoryId);
            var other = up ? index - 1 : index + 1;
            if (other < 0 || other >= ordered.Count) return communityId;
            (ordered[index], ordered[other]) = (ordered[other], ordered[index]);
            for (var i = 0; i < ordered.Count; i++) ordered[i].Position = i + 1;
            db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.ForumCategoryMoved,
                new { categoryId, name = ordered[other].Name, position = AuditEntry.Change(index + 1, other + 1) }, at: Now));
            await db.SaveChangesAsync(ct);
            return communityId;
        }, ct);
        Publish(communityId, null);
    }

    /// <summary>Deletes an empty category (no threads, deleted ones included: they keep their category for the record).</summary>
    public async Task DeleteCategoryAsync(string actorId, Guid categoryId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var communityId = await db.InTransactionAsync(async () =>
        {
            var category = await db.ForumCategories.SingleOrDefaultAsync(c => c.Id == categoryId, ct) ?? throw CategoryNotFound();
            await PermissionService.DemandAsync(db, category.CommunityId, actorId, Permission.ModerateForum, ct);
            await db.LockForUpdateAsync<Community>(c => c.Id == category.CommunityId, ct);
            if (await db.ForumThreads.AnyAsync(t => t.CategoryId == categoryId, ct)) throw new AppException(Text.Get("Error.ForumCategoryNotEmpty"));
            if (await db.ForumThreads.IgnoreQueryFilters().AnyAsync(t => t.CategoryId == categoryId, ct)) throw new AppException(Text.Get("Error.ForumCategoryHoldsDeleted"));
            db.ForumCategories.Remove(category);
            db.AuditLog.Add(AuditEntry.Record(category.CommunityId, actorId, AuditAction.ForumCategoryDeleted, new { categoryId, name = category.Name }, at: Now));
            await db.SaveChangesAsync(ct);
            return category.CommunityId;
        }, ct);
        Publish(communityId, null);
    }

    // ---- Threads and posts -------------------------------------------------------------------------------------------

    /// <summary>Starts a thread: the thread and its opening post; mentions in the body are told.</summary>
    public async Task<Guid> CreateThreadAsync(string actorId, Guid categoryId, ThreadInput input, CancellationToken ct = default)
    {
        var (title, body, tags) = Validate(input);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var category = await db.ForumCategories.AsNoTracking().SingleOrDefaultAsync(c => c.Id == categoryId, ct) ?? throw CategoryNotFound();
        var told = await db.InTransactionAsync(async () =>
        {
            await PermissionService.DemandAsync(db, category.CommunityId, actorId, Permission.CreateThreads, ct);
            var now = Now;
            var thread = new ForumThread
            {
                CommunityId = category.CommunityId, CategoryId = categoryId, AuthorId = actorId, Title = title, PostCount = 1, LastPostAt = now,
                Tags = tags.Select(t => new ForumThreadTag { CommunityId = category.CommunityId, Tag = t }).ToList(),
            };
            var post = new ForumPost { ThreadId = thread.Id, CommunityId = category.CommunityId, AuthorId = actorId, Body = body, IsOpening = true };
            db.ForumThreads.Add(thread);
            db.ForumPosts.Add(post);
            var told = await MentionAsync(db, actorId, category.CommunityId, thread, post.Id, body, now, ct);
            await db.SaveChangesAsync(ct);
            return (thread.Id, told);
        }, ct);
        Notify(told.told);
        Publish(category.CommunityId, told.Id);
        return told.Id;
    }

    /// <summary>A member replies; a locked or deleted thread refuses. The thread's author and the members mentioned are told.</summary>
    public async Task<Guid> ReplyAsync(string actorId, Guid threadId, string? body, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string>();
        var text = ForumRules.CheckText(errors, "reply", body, ForumPost.BodyMinLength, ForumPost.BodyMaxLength);
        ValidationFailedException.ThrowIfAny(errors);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var (communityId, postId, told) = await db.InTransactionAsync(async () =>
        {
            // The thread's row lock orders replies with lock, delete and move, so a reply never lands in a locked thread.
            await db.LockForUpdateAsync<ForumThread>(t => t.Id == threadId, ct);
            var thread = await db.ForumThreads.AsNoTracking().SingleOrDefaultAsync(t => t.Id == threadId, ct) ?? throw ThreadNotFound();
            await PermissionService.DemandMemberAsync(db, thread.CommunityId, actorId, ct);
            if (thread.IsLocked) throw new AppException(Text.Get("Error.ForumThreadLocked"));
            var now = Now;
            var post = new ForumPost { ThreadId = threadId, CommunityId = thread.CommunityId, AuthorId = actorId, Body = text, CreatedAt = now };
            db.ForumPosts.Add(post);
            await db.ForumThreads.Where(t => t.Id == threadId).ExecuteUpdateStampedAsync(now, s => s
                .SetProperty(t => t.PostCount, t => t.PostCount + 1)
                .SetProperty(t => t.LastPostAt, now), ct);
            var told = await MentionAsync(db, actorId, thread.CommunityId, thread, post.Id, text, now, ct);
            if (thread.AuthorId != actorId && !told.Contains(thread.AuthorId)
                && await db.Memberships.AnyAsync(m => m.CommunityId == thread.CommunityId && m.UserId == thread.AuthorId, ct))
            {
                await NotificationWriter.AddAsync(db, thread.AuthorId, thread.CommunityId, NotificationKind.ForumReplied, actorId,
                    CommunityUrls.For(thread.CommunityId).ForumPost(threadId, post.Id), now, Subject(thread.Title), ct);
                told.Add(thread.AuthorId);
            }
            await db.SaveChangesAsync(ct);
            return (thread.CommunityId, post.Id, told);
        }, ct);
        Notify(told);
        Publish(communityId, threadId);
        return postId;
    }

    /// <summary>
    /// Edits a thread's title, tags and opening post: its author, or a manager (audited). Members newly mentioned are told;
    /// those the post already told are not told again.
    /// </summary>
    public async Task EditThreadAsync(string actorId, Guid threadId, ThreadInput input, CancellationToken ct = default)
    {
        var (title, body, tags) = Validate(input);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var (communityId, told) = await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<ForumThread>(t => t.Id == threadId, ct);
            var thread = await db.ForumThreads.Include(t => t.Tags).SingleOrDefaultAsync(t => t.Id == threadId, ct) ?? throw ThreadNotFound();
            var member = await PermissionService.DemandMemberAsync(db, thread.CommunityId, actorId, ct);
            var manager = DemandAuthorOrManager(member, thread.AuthorId);
            await db.LockForUpdateAsync<ForumPost>(p => p.ThreadId == threadId && p.IsOpening, ct);
            var opening = await db.ForumPosts.SingleAsync(p => p.ThreadId == threadId && p.IsOpening, ct);
            var now = Now;
            var details = new Dictionary<string, object> { ["threadId"] = threadId, ["postId"] = opening.Id, ["title"] = thread.Title };
            var oldTags = thread.Tags.Select(t => t.Tag).ToList();
            var changed = thread.Title != title || !oldTags.Order().SequenceEqual(tags.Order()) || opening.Body != body;
            if (!changed) return (thread.CommunityId, new List<string>());
            if (thread.Title != title) details["title"] = AuditEntry.Change(thread.Title, title);
            if (!oldTags.Order().SequenceEqual(tags.Order())) details["tags"] = AuditEntry.Change(string.Join(", ", oldTags), string.Join(", ", tags));
            if (opening.Body != body) details["body"] = AuditEntry.Change(opening.Body.Length, body.Length);
            thread.Title = title;
            db.ForumThreadTags.RemoveRange(thread.Tags.Where(t => !tags.Contains(t.Tag)));
            foreach (var tag in tags.Where(t => !oldTags.Contains(t))) db.ForumThreadTags.Add(new ForumThreadTag { ThreadId = threadId, CommunityId = thread.CommunityId, Tag = tag });
            if (opening.Body != body) (opening.Body, opening.EditedAt) = (body, now);
            var told = await MentionAsync(db, actorId, thread.CommunityId, thread, opening.Id, body, now, ct);
            if (manager) db.AuditLog.Add(AuditEntry.Record(thread.CommunityId, actorId, AuditAction.ForumPostEdited, details, thread.AuthorId, now));
            await db.SaveChangesAsync(ct);
            return (thread.CommunityId, told);
        }, ct);
        Notify(told);
        Publish(communityId, threadId);
    }

    /// <summary>Edits a reply: its author, or a manager (audited). Members newly mentioned are told, once per post.</summary>
    public async Task EditPostAsync(string actorId, Guid postId, string? body, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string>();
        var text = ForumRules.CheckText(errors, "body", body, ForumPost.BodyMinLength, ForumPost.BodyMaxLength);
        ValidationFailedException.ThrowIfAny(errors);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var result = await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<ForumPost>(p => p.Id == postId, ct);
            var post = await db.ForumPosts.Include(p => p.Thread).SingleOrDefaultAsync(p => p.Id == postId && p.Thread.DeletedAt == null, ct) ?? throw PostNotFound();
            if (post.IsOpening) throw new AppException(Text.Get("Error.ForumEditOpeningAsThread"));
            var member = await PermissionService.DemandMemberAsync(db, post.CommunityId, actorId, ct);
            var manager = DemandAuthorOrManager(member, post.AuthorId);
            if (post.Body == text) return (post.CommunityId, post.ThreadId, new List<string>());
            var now = Now;
            var oldLength = post.Body.Length;
            (post.Body, post.EditedAt) = (text, now);
            var told = await MentionAsync(db, actorId, post.CommunityId, post.Thread, post.Id, text, now, ct);
            if (manager)
                db.AuditLog.Add(AuditEntry.Record(post.CommunityId, actorId, AuditAction.ForumPostEdited,
                    new { threadId = post.ThreadId, postId, title = post.Thread.Title, body = AuditEntry.Change(oldLength, text.Length) }, post.AuthorId, now));
            await db.SaveChangesAsync(ct);
            return (post.CommunityId, post.ThreadId, told);
        }, ct);
        Notify(result.Item3);
        Publish(result.CommunityId, result.ThreadId);
    }

    /// <summary>
    /// Deletes a reply (soft): its author, or a manager (audited). The thread's count goes down; a deleted best answer is
    /// no longer the best answer. Deleting the opening post deletes the thread (<see cref="DeleteThreadAsync"/>).
    /// </summary>
    public async Task DeletePostAsync(string actorId, Guid postId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var opening = await db.ForumPosts.Where(p => p.Id == postId).Select(p => new { p.IsOpening, p.ThreadId }).SingleOrDefaultAsync(ct) ?? throw PostNotFound();
        if (opening.IsOpening)
        {
            await DeleteThreadAsync(actorId, opening.ThreadId, ct);
            return;
        }
        var (communityId, threadId) = await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<ForumThread>(t => t.Id == opening.ThreadId, ct);
            var post = await db.ForumPosts.Include(p => p.Thread).SingleOrDefaultAsync(p => p.Id == postId && p.Thread.DeletedAt == null, ct) ?? throw PostNotFound();
            var member = await PermissionService.DemandMemberAsync(db, post.CommunityId, actorId, ct);
            var manager = DemandAuthorOrManager(member, post.AuthorId);
            var now = Now;
            post.DeletedAt = now;
            post.Thread.PostCount -= 1;
            if (post.Thread.BestAnswerPostId == postId) post.Thread.BestAnswerPostId = null;
            if (manager)
                db.AuditLog.Add(AuditEntry.Record(post.CommunityId, actorId, AuditAction.ForumPostDeleted,
                    new { threadId = post.ThreadId, postId, title = post.Thread.Title }, post.AuthorId, now));
            await db.SaveChangesAsync(ct);
            return (post.CommunityId, post.ThreadId);
        }, ct);
        Publish(communityId, threadId);
    }

    /// <summary>Deletes a thread (soft; its posts leave search and pages with it): its author, or a manager (audited).</summary>
    public async Task DeleteThreadAsync(string actorId, Guid threadId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var communityId = await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<ForumThread>(t => t.Id == threadId, ct);
            var thread = await db.ForumThreads.SingleOrDefaultAsync(t => t.Id == threadId, ct) ?? throw ThreadNotFound();
            var member = await PermissionService.DemandMemberAsync(db, thread.CommunityId, actorId, ct);
            var manager = DemandAuthorOrManager(member, thread.AuthorId);
            var now = Now;
            thread.DeletedAt = now;
            if (manager)
                db.AuditLog.Add(AuditEntry.Record(thread.CommunityId, actorId, AuditAction.ForumThreadDeleted,
                    new { threadId, title = thread.Title, posts = thread.PostCount }, thread.AuthorId, now));
            await db.SaveChangesAsync(ct);
            return thread.CommunityId;
        }, ct);
        Publish(communityId, threadId);
    }

    /// <summary>Managers pin or unpin a thread (pinned threads lead their category); audited.</summary>
    public Task SetPinnedAsync(string actorId, Guid threadId, bool pinned, CancellationToken ct = default) =>
        ModerateAsync(actorId, threadId, AuditAction.ForumThreadPinned, t => t.IsPinned == pinned ? null : new { pinned = AuditEntry.Change(t.IsPinned, pinned) },
            t => t.IsPinned = pinned, ct);

    /// <summary>Managers lock or unlock a thread (a locked thread takes no replies); audited.</summary>
    public Task SetLockedAsync(string actorId, Guid threadId, bool locked, CancellationToken ct = default) =>
        ModerateAsync(actorId, threadId, AuditAction.ForumThreadLocked, t => t.IsLocked == locked ? null : new { locked = AuditEntry.Change(t.IsLocked, locked) },
            t => t.IsLocked = locked, ct);

    /// <summary>Managers move a thread to another category of the same community; audited.</summary>
    public async Task MoveThreadAsync(string actorId, Guid threadId, Guid categoryId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var target = await db.ForumCategories.AsNoTracking().Where(c => c.Id == categoryId).Select(c => new { c.CommunityId, c.Name }).SingleOrDefaultAsync(ct);
        await ModerateAsync(actorId, threadId, AuditAction.ForumThreadMoved, t =>
        {
            if (target is null || target.CommunityId != t.CommunityId)
                throw new ValidationFailedException(new Dictionary<string, string> { ["category"] = Text.Get("Error.ForumCategoryNotFound") });
            return t.CategoryId == categoryId ? null : new { category = AuditEntry.Change(t.Category.Name, target.Name) };
        }, t => t.CategoryId = categoryId, ct);
    }

    private async Task ModerateAsync(string actorId, Guid threadId, AuditAction action, Func<ForumThread, object?> change, Action<ForumThread> apply, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var communityId = await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<ForumThread>(t => t.Id == threadId, ct);
            var thread = await db.ForumThreads.Include(t => t.Category).SingleOrDefaultAsync(t => t.Id == threadId, ct) ?? throw ThreadNotFound();
            await PermissionService.DemandAsync(db, thread.CommunityId, actorId, Permission.ModerateForum, ct);
            if (change(thread) is not { } details) return (Guid?)null;
            apply(thread);
            db.AuditLog.Add(AuditEntry.Record(thread.CommunityId, actorId, action,
                new { threadId, title = thread.Title, change = details }, thread.AuthorId, Now));
            await db.SaveChangesAsync(ct);
            return thread.CommunityId;
        }, ct);
        if (communityId is { } id) Publish(id, threadId);
    }

    /// <summary>
    /// The thread's author marks one reply of the thread as its best answer, changes it, or clears it (null). Only the author
    /// (not managers: the answer is the asker's to choose); only a live reply of this thread.
    /// </summary>
    public async Task MarkBestAnswerAsync(string actorId, Guid threadId, Guid? postId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var communityId = await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<ForumThread>(t => t.Id == threadId, ct);
            var thread = await db.ForumThreads.SingleOrDefaultAsync(t => t.Id == threadId, ct) ?? throw ThreadNotFound();
            await PermissionService.DemandMemberAsync(db, thread.CommunityId, actorId, ct);
            if (thread.AuthorId != actorId) throw new ForbiddenException(Text.Get("Error.ForumOnlyThreadAuthor"));
            if (postId is { } id && !await db.ForumPosts.AnyAsync(p => p.Id == id && p.ThreadId == threadId && !p.IsOpening, ct))
                throw new AppException(Text.Get("Error.ForumBestAnswerNotReply"));
            if (thread.BestAnswerPostId == postId) return thread.CommunityId;
            thread.BestAnswerPostId = postId;
            await db.SaveChangesAsync(ct);
            return thread.CommunityId;
        }, ct);
        Publish(communityId, threadId);
    }

    /// <summary>
    /// A member votes a post up (+1) or down (−1), changes the vote, or withdraws it (null); a thread's vote is its opening
    /// post's. Under the post's row lock: read the member's vote, write the new one, move the score by the difference.
    /// Members do not vote on their own posts. Returns the score.
    /// </summary>
    public async Task<int> VoteAsync(string actorId, Guid postId, int? value, CancellationToken ct = default)
    {
        if (value is not (null or 1 or -1)) throw new ValidationFailedException(new Dictionary<string, string> { ["vote"] = Text.Get("Error.UnknownVote") });
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var (communityId, threadId, score) = await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<ForumPost>(p => p.Id == postId, ct);
            var post = await db.ForumPosts.AsNoTracking().Where(p => p.Id == postId && p.Thread.DeletedAt == null)
                .Select(p => new { p.CommunityId, p.ThreadId, p.AuthorId, p.Score }).SingleOrDefaultAsync(ct) ?? throw PostNotFound();
            await PermissionService.DemandMemberAsync(db, post.CommunityId, actorId, ct);
            if (post.AuthorId == actorId) throw new AppException(Text.Get("Error.ForumOwnPostVote"));
            var existing = await db.ForumVotes.Where(v => v.PostId == postId && v.UserId == actorId).Select(v => (int?)v.Value).SingleOrDefaultAsync(ct);
            if (existing == value) return (post.CommunityId, post.ThreadId, post.Score);
            var delta = (value ?? 0) - (existing ?? 0);
            var now = Now;
            if (existing is null) db.ForumVotes.Add(new ForumVote { PostId = postId, UserId = actorId, Value = (short)value!.Value, At = now });
            else if (value is null) await db.ForumVotes.Where(v => v.PostId == postId && v.UserId == actorId).ExecuteDeleteAsync(ct);
            else await db.ForumVotes.Where(v => v.PostId == postId && v.UserId == actorId)
                .ExecuteUpdateAsync(s => s.SetProperty(v => v.Value, (short)value.Value).SetProperty(v => v.At, now), ct);
            await db.ForumPosts.Where(p => p.Id == postId).ExecuteUpdateStampedAsync(now, s => s.SetProperty(p => p.Score, p => p.Score + delta), ct);
            await db.SaveChangesAsync(ct);
            return (post.CommunityId, post.ThreadId, post.Score + delta);
        }, ct);
        Publish(communityId, threadId);
        return score;
    }

    // ---- Mentions ----------------------------------------------------------------------------------------------------

    /// <summary>
    /// Tells the members of the community that <paramref name="body"/> mentions and that this post has not told yet (not the
    /// writer): one <see cref="ForumMention"/> row and one notification each, in the caller's transaction. Returns who.
    /// </summary>
    private static async Task<List<string>> MentionAsync(AppDbContext db, string actorId, Guid communityId, ForumThread thread, Guid postId, string body, DateTime now, CancellationToken ct)
    {
        var names = ForumRules.MentionedNames(body).ToList();
        if (names.Count == 0) return [];
        var members = await db.Memberships
            .Where(m => m.CommunityId == communityId && m.UserId != actorId && names.Contains(m.User.NormalizedUserName!)
                        && !db.ForumMentions.Any(x => x.PostId == postId && x.UserId == m.UserId))
            .Select(m => new { m.UserId, m.User.NormalizedUserName })
            .ToListAsync(ct);
        // The first ones written, at most MaxMentionsPerPost.
        var told = members.OrderBy(m => names.IndexOf(m.NormalizedUserName!)).Take(ForumRules.MaxMentionsPerPost).Select(m => m.UserId).ToList();
        var link = CommunityUrls.For(communityId).ForumPost(thread.Id, postId);
        foreach (var userId in told)
        {
            db.ForumMentions.Add(new ForumMention { PostId = postId, UserId = userId, At = now });
            await NotificationWriter.AddAsync(db, userId, communityId, NotificationKind.ForumMentioned, actorId, link, now, Subject(thread.Title), ct);
        }
        return told;
    }

    // ---- Helpers -----------------------------------------------------------------------------------------------------

    /// <summary>The author may; otherwise a forum manager, and then the action is a manager's (audited). Others are refused.</summary>
    private static bool DemandAuthorOrManager(MemberStanding member, string authorId)
    {
        if (member.UserId == authorId) return false;
        return ForumRules.MayModerate(member) ? true : throw new ForbiddenException(Text.Get("Error.ForumOnlyAuthorOrManager"));
    }

    private static (string Name, string Description) Validate(CategoryInput input)
    {
        var errors = new Dictionary<string, string>();
        var name = ForumRules.CheckName(errors, "name", input.Name, ForumCategory.NameMinLength, ForumCategory.NameMaxLength);
        var description = ForumRules.CheckText(errors, "description", input.Description, 0, ForumCategory.DescriptionMaxLength);
        ValidationFailedException.ThrowIfAny(errors);
        return (name, description);
    }

    private static (string Title, string Body, List<string> Tags) Validate(ThreadInput input)
    {
        var errors = new Dictionary<string, string>();
        var title = ForumRules.CheckName(errors, "title", input.Title, ForumThread.TitleMinLength, ForumThread.TitleMaxLength);
        var body = ForumRules.CheckText(errors, "body", input.Body, ForumPost.BodyMinLength, ForumPost.BodyMaxLength);
        var tags = ForumRules.CheckTags(errors, input.Tags);
        ValidationFailedException.ThrowIfAny(errors);
        return (title, body, tags);
    }

    private static async Task EnsureNameFreeAsync(AppDbContext db, Guid communityId, string name, Guid? except, CancellationToken ct)
    {
        var normalized = name.ToUpperInvariant();
        if (await db.ForumCategories.AnyAsync(c => c.CommunityId == communityId && c.NormalizedName == normalized && c.Id != except, ct))
            throw new ValidationFailedException(new Dictionary<string, string> { ["name"] = Text.Get("Error.NameTaken", name) });
    }

    /// <summary>Saves; a parallel writer that took the name first shows as the name's field message.</summary>
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

    /// <summary>A notification's subject holds 200 characters, a thread's title too.</summary>
    private static string Subject(string title) => title.Length <= 200 ? title : title[..200];

    private void Notify(IEnumerable<string> users)
    {
        foreach (var user in users) events.Publish(new NotificationsChanged(user));
    }

    private void Publish(Guid communityId, Guid? threadId) => events.Publish(new ForumChanged(communityId, threadId));

    internal static NotFoundException CategoryNotFound() => new(Text.Get("Error.ForumCategoryNotFound"));

    internal static NotFoundException ThreadNotFound() => new(Text.Get("Error.ForumThreadNotFound"));

    internal static NotFoundException PostNotFound() => new(Text.Get("Error.ForumPostNotFound"));
}
