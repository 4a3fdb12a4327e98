using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Forum;
using CommunityApp.Features.Notifications;
using CommunityApp.Tests.Infrastructure;
using static CommunityApp.Tests.Infrastructure.Refusals;

namespace CommunityApp.Tests.Features.Forum;

/// <summary>The forum (docs/SPEC.md §10) on PostgreSQL: every rule and refusal, with the rows written and the reason given.</summary>
public sealed class ForumServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private ForumService Forum => fixture.Get<ForumService>();
    private ForumQueries Queries => fixture.Get<ForumQueries>();

    private const string NotAuthorOrManager = "Only the author and forum managers can do that.";

    /// <summary>A community with an admin, a forum manager by role, a member at the thread threshold (10) and a newcomer (0).</summary>
    private sealed record Setup(Guid CommunityId, string Admin, string Manager, string Writer, string Newcomer, Guid CategoryId);

    private async Task<Setup> SetUpAsync()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var manager = await fixture.AddMemberAsync(communityId, featureRoles: FeatureRole.ForumManager);
        var writer = await fixture.AddMemberAsync(communityId, score: 10);
        var newcomer = await fixture.AddMemberAsync(communityId);
        var categoryId = await Forum.CreateCategoryAsync(manager, communityId, new CategoryInput("General", "Anything"));
        return new Setup(communityId, admin, manager, writer, newcomer, categoryId);
    }

    private Task<Guid> ThreadAsync(Setup s, string title = "How do I fix a bike chain?", string body = "It keeps slipping.", string? tags = "bikes, repair") =>
        Forum.CreateThreadAsync(s.Writer, s.CategoryId, new ThreadInput(title, body, tags));

    private async Task<(int Threads, int Posts, int Tags, int Audit)> CountsAsync(Guid communityId)
    {
        await using var db = await fixture.NewContextAsync();
        return (await db.ForumThreads.IgnoreQueryFilters().CountAsync(t => t.CommunityId == communityId),
            await db.ForumPosts.IgnoreQueryFilters().CountAsync(p => p.CommunityId == communityId),
            await db.ForumThreadTags.CountAsync(t => t.CommunityId == communityId),
            await db.AuditLog.CountAsync(a => a.CommunityId == communityId));
    }

    private async Task<int> AuditCountAsync(Guid communityId, AuditAction action)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.AuditLog.CountAsync(a => a.CommunityId == communityId && a.Action == action);
    }

    private async Task<List<Notification>> NotificationsAsync(string userId, NotificationKind kind)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Notifications.Where(n => n.UserId == userId && n.Kind == kind).ToListAsync();
    }

    private async Task<Guid> OpeningPostIdAsync(Guid threadId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.ForumPosts.Where(p => p.ThreadId == threadId && p.IsOpening).Select(p => p.Id).SingleAsync();
    }

    private async Task<string> UserNameAsync(string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Users.Where(u => u.Id == userId).Select(u => u.UserName!).SingleAsync();
    }

    // ---- Categories --------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Categories_are_managed_by_forum_managers_by_role_trust_or_admin_and_audited()
    {
        var s = await SetUpAsync();
        var trusted = await fixture.AddMemberAsync(s.CommunityId, score: 30);
        (await Refusal(() => Forum.CreateCategoryAsync(s.Writer, s.CommunityId, new CategoryInput("Ideas", ""))))
            .ShouldBe("You need 30 trust to moderate the forum; you have 10.");
        var outsider = await fixture.CreateUserAsync();
        (await Refusal(() => Forum.CreateCategoryAsync(outsider, s.CommunityId, new CategoryInput("Ideas", "")))).ShouldBe("You are not a member of this community.");

        var byTrust = await Forum.CreateCategoryAsync(trusted, s.CommunityId, new CategoryInput("Ideas", "New ideas"));
        var byAdmin = await Forum.CreateCategoryAsync(s.Admin, s.CommunityId, new CategoryInput("Help", ""));
        (await AuditCountAsync(s.CommunityId, AuditAction.ForumCategoryCreated)).ShouldBe(3);

        var home = await Queries.HomeAsync(s.Newcomer, s.CommunityId);
        home.Categories.Select(c => c.Name).ShouldBe(["General", "Ideas", "Help"]);
        home.MayManage.ShouldBeFalse();
        (await Queries.HomeAsync(s.Manager, s.CommunityId)).MayManage.ShouldBeTrue();

        // Names are unique per community ignoring case: a field message and nothing written.
        var before = await CountsAsync(s.CommunityId);
        (await FieldErrors(() => Forum.CreateCategoryAsync(s.Manager, s.CommunityId, new CategoryInput("  IDEAS ", ""))))["name"].ShouldBe("“IDEAS” already exists.");
        (await FieldErrors(() => Forum.CreateCategoryAsync(s.Manager, s.CommunityId, new CategoryInput(" ", ""))))["name"].ShouldBe("Use 1 to 60 characters.");
        (await FieldErrors(() => Forum.EditCategoryAsync(s.Manager, byAdmin, new CategoryInput("general", ""))))["name"].ShouldBe("“general” already exists.");
        (await CountsAsync(s.CommunityId)).ShouldBe(before);

        await Forum.EditCategoryAsync(s.Manager, byAdmin, new CategoryInput("Help desk", "Ask here"));
        (await AuditCountAsync(s.CommunityId, AuditAction.ForumCategoryEdited)).ShouldBe(1);

        // Reorder: Help desk up, then General down; at an end nothing moves.
        await Forum.MoveCategoryAsync(s.Manager, byAdmin, up: true);
        (await Queries.HomeAsync(s.Manager, s.CommunityId)).Categories.Select(c => c.Name).ShouldBe(["General", "Help desk", "Ideas"]);
        await Forum.MoveCategoryAsync(s.Manager, s.CategoryId, up: false);
        (await Queries.HomeAsync(s.Manager, s.CommunityId)).Categories.Select(c => c.Name).ShouldBe(["Help desk", "General", "Ideas"]);
        await Forum.MoveCategoryAsync(s.Manager, byAdmin, up: true);
        (await AuditCountAsync(s.CommunityId, AuditAction.ForumCategoryMoved)).ShouldBe(2);
        (await Refusal(() => Forum.MoveCategoryAsync(s.Writer, byAdmin, up: false))).ShouldBe("You need 30 trust to moderate the forum; you have 10.");

        // Only an empty category is deleted.
        await ThreadAsync(s);
        (await Refusal(() => Forum.DeleteCategoryAsync(s.Manager, s.CategoryId))).ShouldBe("Only an empty category can be deleted: move or delete its threads first.");
        (await Refusal(() => Forum.DeleteCategoryAsync(s.Writer, byTrust))).ShouldBe("You need 30 trust to moderate the forum; you have 10.");
        await Forum.DeleteCategoryAsync(s.Manager, byTrust);
        (await Queries.HomeAsync(s.Manager, s.CommunityId)).Categories.Select(c => c.Name).ShouldBe(["Help desk", "General"]);
        (await AuditCountAsync(s.CommunityId, AuditAction.ForumCategoryDeleted)).ShouldBe(1);
    }

    // ---- Threads -----------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Threads_need_the_thread_permission_by_trust_or_role_and_write_thread_post_and_tags()
    {
        var s = await SetUpAsync();
        (await Refusal(() => Forum.CreateThreadAsync(s.Newcomer, s.CategoryId, new ThreadInput("Hello", "Hi all", null))))
            .ShouldBe("You need 10 trust to create forum threads; you have 0.");
        var creator = await fixture.AddMemberAsync(s.CommunityId, featureRoles: FeatureRole.ThreadCreator);
        await Forum.CreateThreadAsync(creator, s.CategoryId, new ThreadInput("By role", "Role holders may.", null));

        var threadId = await Forum.CreateThreadAsync(s.Writer, s.CategoryId, new ThreadInput("  Bike chain ", "It **slips**.", "Bikes, #repair bikes"));
        await using var db = await fixture.NewContextAsync();
        var thread = await db.ForumThreads.Include(t => t.Tags).SingleAsync(t => t.Id == threadId);
        thread.Title.ShouldBe("Bike chain");
        thread.AuthorId.ShouldBe(s.Writer);
        thread.PostCount.ShouldBe(1);
        thread.Tags.Select(t => t.Tag).Order().ShouldBe(["bikes", "repair"]);
        var opening = await db.ForumPosts.SingleAsync(p => p.ThreadId == threadId);
        (opening.IsOpening, opening.Body, opening.AuthorId, opening.Score).ShouldBe((true, "It **slips**.", s.Writer, 0));

        var view = await Queries.CategoryAsync(s.Newcomer, s.CommunityId, s.CategoryId, null, null, 20);
        view.CreateThreads.Allowed.ShouldBeFalse();
        view.CreateThreads.Describe().ShouldBe("Needs 10 trust, you have 0");
        (await Queries.CategoryAsync(s.Newcomer, s.CommunityId, s.CategoryId, "repair", null, 20)).Page.Items.Select(t => t.Title).ShouldBe(["Bike chain"]);
    }

    [Fact]
    public async Task Bad_thread_and_reply_input_gets_field_messages_and_saves_nothing()
    {
        var s = await SetUpAsync();
        var threadId = await ThreadAsync(s);
        var before = await CountsAsync(s.CommunityId);
        async Task<IReadOnlyDictionary<string, string>> Create(string? title, string? body, string? tags) =>
            await FieldErrors(() => Forum.CreateThreadAsync(s.Writer, s.CategoryId, new ThreadInput(title, body, tags)));

        (await Create("", "Body", null))["title"].ShouldBe("Use 1 to 200 characters.");
        (await Create(new string('t', 201), "Body", null))["title"].ShouldBe("Use 1 to 200 characters.");
        (await Create("Title", new string('b', 20_001), null))["body"].ShouldBe("Use 1 to 20000 characters.");
        (await Create("Title", "   ", null))["body"].ShouldBe("Use 1 to 20000 characters.");
        (await Create("Title", "Body", "a b c d e f"))["tags"].ShouldBe("Use at most 5 tags.");
        (await Create("Title", "Body", new string('x', 31)))["tags"].ShouldBe("Each tag has at most 30 characters.");
        (await Create("Title", "Body", "good, bad_tag"))["tags"].ShouldBe("Tags use lowercase letters, digits and hyphens only (separate them with commas or spaces).");
        (await Create("Bad\u202Etitle", "Body", null))["title"].ShouldNotBeNullOrEmpty();
        var all = await Create("", "", "x!");
        all.Keys.Order().ShouldBe(["body", "tags", "title"]);

        (await FieldErrors(() => Forum.ReplyAsync(s.Newcomer, threadId, "  ")))["reply"].ShouldBe("Use 1 to 20000 characters.");
        (await FieldErrors(() => Forum.ReplyAsync(s.Newcomer, threadId, new string('r', 20_001))))["reply"].ShouldBe("Use 1 to 20000 characters.");
        (await FieldErrors(() => Forum.ReplyAsync(s.Newcomer, threadId, "a\0b")))["reply"].ShouldNotBeNullOrEmpty();
        (await FieldErrors(() => Forum.EditThreadAsync(s.Writer, threadId, new ThreadInput("", "x", null))))["title"].ShouldBe("Use 1 to 200 characters.");
        (await CountsAsync(s.CommunityId)).ShouldBe(before);
    }

    // ---- Replies -----------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Replies_are_open_to_members_count_on_the_thread_and_tell_its_author_once()
    {
        var s = await SetUpAsync();
        var threadId = await ThreadAsync(s);
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        var replyId = await Forum.ReplyAsync(s.Newcomer, threadId, "Clean and oil it.");
        var outsider = await fixture.CreateUserAsync();
        (await Refusal(() => Forum.ReplyAsync(outsider, threadId, "Hi"))).ShouldBe("You are not a member of this community.");
        await Forum.ReplyAsync(s.Writer, threadId, "Thanks!");

        await using var db = await fixture.NewContextAsync();
        var thread = await db.ForumThreads.SingleAsync(t => t.Id == threadId);
        thread.PostCount.ShouldBe(3);
        thread.LastPostAt.ShouldBe(fixture.Clock.GetUtcNow().UtcDateTime, TimeSpan.FromSeconds(1));
        var told = await NotificationsAsync(s.Writer, NotificationKind.ForumReplied);
        told.Count.ShouldBe(1); // not for the author's own reply
        told[0].Link.ShouldBe($"/c/{s.CommunityId}/forum/threads/{threadId}?post={replyId}#post-{replyId}");
        told[0].Subject.ShouldBe("How do I fix a bike chain?");
    }

    [Fact]
    public async Task A_locked_thread_refuses_replies_with_the_reason_and_managers_lock_pin_and_move_audited()
    {
        var s = await SetUpAsync();
        var threadId = await ThreadAsync(s);
        (await Refusal(() => Forum.SetLockedAsync(s.Writer, threadId, true))).ShouldBe("You need 30 trust to moderate the forum; you have 10.");
        await Forum.SetLockedAsync(s.Manager, threadId, true);
        var before = await CountsAsync(s.CommunityId);
        (await Refusal(() => Forum.ReplyAsync(s.Newcomer, threadId, "Too late"))).ShouldBe("This thread is locked: nobody can reply to it.");
        (await Refusal(() => Forum.ReplyAsync(s.Admin, threadId, "Even admins"))).ShouldBe("This thread is locked: nobody can reply to it.");
        (await CountsAsync(s.CommunityId)).ShouldBe(before);
        await Forum.SetLockedAsync(s.Manager, threadId, false);
        await Forum.ReplyAsync(s.Newcomer, threadId, "Open again");
        (await AuditCountAsync(s.CommunityId, AuditAction.ForumThreadLocked)).ShouldBe(2);

        // Pin: pinned first in the category; unpin.
        var other = await ThreadAsync(s, title: "Newer thread");
        (await Queries.CategoryAsync(s.Newcomer, s.CommunityId, s.CategoryId, null, null, 20)).Page.Items[0].Title.ShouldBe("Newer thread");
        await Forum.SetPinnedAsync(s.Admin, threadId, true);
        var page = (await Queries.CategoryAsync(s.Newcomer, s.CommunityId, s.CategoryId, null, null, 20)).Page.Items;
        page.Select(t => (t.Title, t.IsPinned)).ShouldBe([("How do I fix a bike chain?", true), ("Newer thread", false)]);
        (await Refusal(() => Forum.SetPinnedAsync(s.Writer, other, true))).ShouldBe("You need 30 trust to moderate the forum; you have 10.");
        await Forum.SetPinnedAsync(s.Admin, threadId, true); // no change, no entry
        (await AuditCountAsync(s.CommunityId, AuditAction.ForumThreadPinned)).ShouldBe(1);

        // Move to another category; a category of another community is refused.
        var ideas = await Forum.CreateCategoryAsync(s.Manager, s.CommunityId, new CategoryInput("Ideas", ""));
        (await Refusal(() => Forum.MoveThreadAsync(s.Writer, threadId, ideas))).ShouldBe("You need 30 trust to moderate the forum; you have 10.");
        await Forum.MoveThreadAsync(s.Manager, threadId, ideas);
        (await Queries.CategoryAsync(s.Newcomer, s.CommunityId, ideas, null, null, 20)).Page.Items.Select(t => t.Title).ShouldBe(["How do I fix a bike chain?"]);
        var (otherCommunity, otherAdmin) = await fixture.CreateCommunityAsync("Other");
        var foreign = await Forum.CreateCategoryAsync(otherAdmin, otherCommunity, new CategoryInput("Elsewhere", ""));
        (await FieldErrors(() => Forum.MoveThreadAsync(s.Manager, threadId, foreign)))["category"].ShouldBe("That forum category does not exist.");
        (await AuditCountAsync(s.CommunityId, AuditAction.ForumThreadMoved)).ShouldBe(1);
        await using var db = await fixture.NewContextAsync();
        (await db.ForumThreads.SingleAsync(t => t.Id == threadId)).CategoryId.ShouldBe(ideas);
    }

    // ---- Editing and deleting ----------------------------------------------------------------------------------------

    [Fact]
    public async Task Authors_edit_and_delete_their_own_posts_managers_anyones_audited_others_are_refused()
    {
        var s = await SetUpAsync();
        var threadId = await ThreadAsync(s);
        var replyId = await Forum.ReplyAsync(s.Newcomer, threadId, "First answer");
        var auditBefore = (await CountsAsync(s.CommunityId)).Audit;

        // The author edits (not audited), another member is refused, a manager edits (audited).
        await Forum.EditPostAsync(s.Newcomer, replyId, "First answer, edited");
        (await Refusal(() => Forum.EditPostAsync(s.Writer, replyId, "Hijack"))).ShouldBe(NotAuthorOrManager);
        await Forum.EditThreadAsync(s.Writer, threadId, new ThreadInput("Bike chain slipping", "It keeps slipping on hills.", "bikes"));
        (await Refusal(() => Forum.EditThreadAsync(s.Newcomer, threadId, new ThreadInput("Mine now", "x", null)))).ShouldBe(NotAuthorOrManager);
        (await CountsAsync(s.CommunityId)).Audit.ShouldBe(auditBefore);
        await Forum.EditPostAsync(s.Manager, replyId, "Moderated text");
        await Forum.EditThreadAsync(s.Manager, threadId, new ThreadInput("Bike chain slipping (solved)", "It keeps slipping on hills.", "bikes"));
        (await AuditCountAsync(s.CommunityId, AuditAction.ForumPostEdited)).ShouldBe(2);

        await using (var db = await fixture.NewContextAsync())
        {
            var reply = await db.ForumPosts.SingleAsync(p => p.Id == replyId);
            (reply.Body, reply.EditedAt.HasValue).ShouldBe(("Moderated text", true));
            var thread = await db.ForumThreads.Include(t => t.Tags).SingleAsync(t => t.Id == threadId);
            thread.Title.ShouldBe("Bike chain slipping (solved)");
            thread.Tags.Select(t => t.Tag).ShouldBe(["bikes"]);
            var entry = await db.AuditLog.SingleAsync(a => a.CommunityId == s.CommunityId && a.Action == AuditAction.ForumPostEdited && a.Details.Contains("solved"));
            entry.TargetUserId.ShouldBe(s.Writer);
        }

        // Deleting: others refused; the author's delete is not audited; a manager's is.
        var second = await Forum.ReplyAsync(s.Writer, threadId, "Second");
        (await Refusal(() => Forum.DeletePostAsync(s.Newcomer, second))).ShouldBe(NotAuthorOrManager);
        await Forum.DeletePostAsync(s.Writer, second);
        await Forum.DeletePostAsync(s.Manager, replyId);
        (await AuditCountAsync(s.CommunityId, AuditAction.ForumPostDeleted)).ShouldBe(1);
        (await Refusal(() => Forum.EditPostAsync(s.Newcomer, replyId, "Back"))).ShouldBe("That post does not exist or was deleted.");
        var view = await Queries.ThreadAsync(s.Newcomer, s.CommunityId, threadId, null, 20);
        view.Replies.Items.ShouldBeEmpty();
        view.Thread.PostCount.ShouldBe(1);

        // Deleting the thread: its author or a manager; deleting the opening post deletes the thread.
        var other = await ThreadAsync(s, title: "Another");
        (await Refusal(() => Forum.DeleteThreadAsync(s.Newcomer, other))).ShouldBe(NotAuthorOrManager);
        await Forum.DeletePostAsync(s.Writer, await OpeningPostIdAsync(other));
        await Forum.DeleteThreadAsync(s.Manager, threadId);
        (await AuditCountAsync(s.CommunityId, AuditAction.ForumThreadDeleted)).ShouldBe(1);
        (await Queries.CategoryAsync(s.Newcomer, s.CommunityId, s.CategoryId, null, null, 20)).Page.Items.ShouldBeEmpty();
        (await Refusal(() => Queries.ThreadAsync(s.Newcomer, s.CommunityId, threadId, null, 20))).ShouldBe("That thread does not exist or was deleted.");
        (await Refusal(() => Forum.DeleteCategoryAsync(s.Manager, s.CategoryId))).ShouldBe("This category still holds deleted threads, kept for the record, so it cannot be deleted.");
    }

    // ---- Best answer -------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Only_the_thread_author_marks_a_best_answer_and_only_a_reply_of_that_thread()
    {
        var s = await SetUpAsync();
        var threadId = await ThreadAsync(s);
        var first = await Forum.ReplyAsync(s.Newcomer, threadId, "Oil it");
        var second = await Forum.ReplyAsync(s.Manager, threadId, "Replace it");
        var otherThread = await ThreadAsync(s, title: "Other");
        var elsewhere = await Forum.ReplyAsync(s.Newcomer, otherThread, "Elsewhere");

        (await Refusal(() => Forum.MarkBestAnswerAsync(s.Newcomer, threadId, first))).ShouldBe("Only the thread's author chooses the best answer.");
        (await Refusal(() => Forum.MarkBestAnswerAsync(s.Manager, threadId, first))).ShouldBe("Only the thread's author chooses the best answer.");
        (await Refusal(() => Forum.MarkBestAnswerAsync(s.Admin, threadId, first))).ShouldBe("Only the thread's author chooses the best answer.");
        (await Refusal(() => Forum.MarkBestAnswerAsync(s.Writer, threadId, elsewhere))).ShouldBe("The best answer must be a reply in this thread.");
        var openingId = await OpeningPostIdAsync(threadId);
        (await Refusal(() => Forum.MarkBestAnswerAsync(s.Writer, threadId, openingId))).ShouldBe("The best answer must be a reply in this thread.");

        await Forum.MarkBestAnswerAsync(s.Writer, threadId, first);
        var view = await Queries.ThreadAsync(s.Newcomer, s.CommunityId, threadId, null, 20);
        view.BestAnswer!.Id.ShouldBe(first);
        view.BestAnswer.Body.ShouldBe("Oil it");
        (await Queries.CategoryAsync(s.Newcomer, s.CommunityId, s.CategoryId, null, null, 20)).Page.Items.Single(t => t.Id == threadId).Answered.ShouldBeTrue();

        await Forum.MarkBestAnswerAsync(s.Writer, threadId, second); // changeable
        (await Queries.ThreadAsync(s.Newcomer, s.CommunityId, threadId, null, 20)).BestAnswer!.Id.ShouldBe(second);
        await Forum.DeletePostAsync(s.Manager, second); // a deleted best answer is none
        (await Queries.ThreadAsync(s.Newcomer, s.CommunityId, threadId, null, 20)).BestAnswer.ShouldBeNull();
        (await Refusal(() => Forum.MarkBestAnswerAsync(s.Writer, threadId, second))).ShouldBe("The best answer must be a reply in this thread.");
        await Forum.MarkBestAnswerAsync(s.Writer, threadId, first);
        await Forum.MarkBestAnswerAsync(s.Writer, threadId, null); // cleared
        await using var db = await fixture.NewContextAsync();
        (await db.ForumThreads.SingleAsync(t => t.Id == threadId)).BestAnswerPostId.ShouldBeNull();
    }

    // ---- Votes -------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_vote_is_one_per_member_changeable_and_withdrawable_never_on_your_own_post()
    {
        var s = await SetUpAsync();
        var threadId = await ThreadAsync(s);
        var opening = await OpeningPostIdAsync(threadId);
        (await Forum.VoteAsync(s.Newcomer, opening, 1)).ShouldBe(1);
        (await Forum.VoteAsync(s.Newcomer, opening, 1)).ShouldBe(1);
        (await Forum.VoteAsync(s.Manager, opening, 1)).ShouldBe(2);
        (await Forum.VoteAsync(s.Newcomer, opening, -1)).ShouldBe(0);
        (await Queries.ThreadAsync(s.Newcomer, s.CommunityId, threadId, null, 20)).Opening.MyVote.ShouldBe(-1);
        (await Forum.VoteAsync(s.Newcomer, opening, null)).ShouldBe(1);
        (await Refusal(() => Forum.VoteAsync(s.Writer, opening, 1))).ShouldBe("You cannot vote on your own post.");
        (await FieldErrors(() => Forum.VoteAsync(s.Newcomer, opening, 2)))["vote"].ShouldBe("Vote up or down.");
        var outsider = await fixture.CreateUserAsync();
        (await Refusal(() => Forum.VoteAsync(outsider, opening, 1))).ShouldBe("You are not a member of this community.");

        await using var db = await fixture.NewContextAsync();
        (await db.ForumVotes.Where(v => v.PostId == opening).Select(v => new { v.UserId, v.Value }).ToListAsync())
            .ShouldBe([new { UserId = s.Manager, Value = (short)1 }]);
        (await db.ForumPosts.SingleAsync(p => p.Id == opening)).Score.ShouldBe(1);
        (await Queries.CategoryAsync(s.Newcomer, s.CommunityId, s.CategoryId, null, null, 20)).Page.Items[0].Score.ShouldBe(1);
    }

    [Fact]
    public async Task Thirty_members_voting_at_once_give_the_exact_score_and_one_member_voting_twenty_times_counts_once()
    {
        var s = await SetUpAsync();
        var threadId = await ThreadAsync(s);
        var replyId = await Forum.ReplyAsync(s.Newcomer, threadId, "Vote on me");
        var voters = new List<string>();
        for (var i = 0; i < 30; i++) voters.Add(await fixture.AddMemberAsync(s.CommunityId));

        await Task.WhenAll(voters.Select((v, i) => Task.Run(() => Forum.VoteAsync(v, replyId, i < 20 ? 1 : -1))));
        await using (var db = await fixture.NewContextAsync())
        {
            (await db.ForumPosts.SingleAsync(p => p.Id == replyId)).Score.ShouldBe(10);
            (await db.ForumVotes.CountAsync(v => v.PostId == replyId)).ShouldBe(30);
        }

        // Every one of them changes their mind at once: 10 up, 20 down.
        await Task.WhenAll(voters.Select((v, i) => Task.Run(() => Forum.VoteAsync(v, replyId, i < 20 ? -1 : 1))));
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => Forum.VoteAsync(s.Writer, replyId, 1))));
        await using (var db = await fixture.NewContextAsync())
        {
            (await db.ForumPosts.SingleAsync(p => p.Id == replyId)).Score.ShouldBe(-10 + 1);
            (await db.ForumVotes.CountAsync(v => v.PostId == replyId && v.UserId == s.Writer)).ShouldBe(1);
            var sum = await db.ForumVotes.Where(v => v.PostId == replyId).SumAsync(v => (int)v.Value);
            sum.ShouldBe(-9);
        }
    }

    // ---- Search ------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Search_finds_title_and_body_words_pages_and_leaves_deleted_posts_and_threads_out()
    {
        var s = await SetUpAsync();
        var threadId = await ThreadAsync(s, title: "Sourdough starter tips", body: "Feed it flour daily.");
        var reply = await Forum.ReplyAsync(s.Newcomer, threadId, "Rye flour makes it bubbly.");
        var gone = await Forum.ReplyAsync(s.Newcomer, threadId, "Pumpernickel secret.");
        var deletedThread = await ThreadAsync(s, title: "Pumpernickel thread", body: "Pumpernickel body");

        var byTitle = await Queries.SearchAsync(s.Newcomer, s.CommunityId, "sourdough", 0, 10);
        byTitle.Items.Select(h => (h.ThreadId, h.IsOpening)).ShouldBe([(threadId, true)]);
        var byBody = await Queries.SearchAsync(s.Newcomer, s.CommunityId, "flour", 0, 10);
        byBody.Items.Select(h => h.PostId).ShouldBe([reply, await OpeningPostIdAsync(threadId)]);
        byBody.Items[0].ThreadTitle.ShouldBe("Sourdough starter tips");

        (await Queries.SearchAsync(s.Newcomer, s.CommunityId, "pumpernickel", 0, 10)).Total.ShouldBe(2);
        await Forum.DeletePostAsync(s.Newcomer, gone);
        await Forum.DeleteThreadAsync(s.Writer, deletedThread);
        (await Queries.SearchAsync(s.Newcomer, s.CommunityId, "pumpernickel", 0, 10)).Total.ShouldBe(0);

        // Paged: 12 hits, pages of 5.
        for (var i = 0; i < 10; i++) await Forum.ReplyAsync(s.Manager, threadId, $"Flour note {i}");
        var first = await Queries.SearchAsync(s.Newcomer, s.CommunityId, "flour", 0, 5);
        var third = await Queries.SearchAsync(s.Newcomer, s.CommunityId, "flour", 2, 5);
        (first.Total, first.Items.Count, third.Items.Count).ShouldBe((12, 5, 2));

        // Another community's forum is not searched.
        var (other, otherAdmin) = await fixture.CreateCommunityAsync("Other");
        var cat = await Forum.CreateCategoryAsync(otherAdmin, other, new CategoryInput("X", ""));
        await Forum.CreateThreadAsync(otherAdmin, cat, new ThreadInput("Flour elsewhere", "flour", null));
        (await Queries.SearchAsync(s.Newcomer, s.CommunityId, "flour", 0, 50)).Total.ShouldBe(12);
    }

    // ---- Mentions ----------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Mentions_tell_members_once_per_post_not_outsiders_not_yourself_and_edits_do_not_tell_again()
    {
        var s = await SetUpAsync();
        var ana = await fixture.CreateUserAsync("ana.garcia");
        await fixture.AddMemberAsync(s.CommunityId, userId: ana);
        var bob = await fixture.AddMemberAsync(s.CommunityId, userId: await fixture.CreateUserAsync("bob_b"));
        var outsider = await fixture.CreateUserAsync("outsider");
        var newcomerName = await UserNameAsync(s.Newcomer);
        var writerName = await UserNameAsync(s.Writer);

        var threadId = await ThreadAsync(s, body: $"Asking @ana.garcia and @ANA.GARCIA again, @outsider, me @{writerName} and mail x@bob_b.test");
        (await NotificationsAsync(ana, NotificationKind.ForumMentioned)).Count.ShouldBe(1);
        (await NotificationsAsync(outsider, NotificationKind.ForumMentioned)).ShouldBeEmpty();
        (await NotificationsAsync(s.Writer, NotificationKind.ForumMentioned)).ShouldBeEmpty();
        (await NotificationsAsync(bob, NotificationKind.ForumMentioned)).ShouldBeEmpty();

        // A reply mentioning the thread's author tells them once (the mention), not twice.
        var replyId = await Forum.ReplyAsync(s.Newcomer, threadId, $"@{writerName} see @ana.garcia.");
        (await NotificationsAsync(s.Writer, NotificationKind.ForumMentioned)).Count.ShouldBe(1);
        (await NotificationsAsync(s.Writer, NotificationKind.ForumReplied)).ShouldBeEmpty();
        (await NotificationsAsync(ana, NotificationKind.ForumMentioned)).Count.ShouldBe(2);

        // Editing: those already told are not told again; someone newly mentioned is.
        await Forum.EditPostAsync(s.Newcomer, replyId, $"@{writerName} see @ana.garcia, and @bob_b too");
        (await NotificationsAsync(ana, NotificationKind.ForumMentioned)).Count.ShouldBe(2);
        (await NotificationsAsync(s.Writer, NotificationKind.ForumMentioned)).Count.ShouldBe(1);
        var toBob = await NotificationsAsync(bob, NotificationKind.ForumMentioned);
        toBob.Count.ShouldBe(1);
        toBob[0].Link.ShouldBe($"/c/{s.CommunityId}/forum/threads/{threadId}?post={replyId}#post-{replyId}");
        await Forum.EditThreadAsync(s.Writer, threadId, new ThreadInput("How do I fix a bike chain?", $"Asking @ana.garcia and @{newcomerName}", null));
        (await NotificationsAsync(ana, NotificationKind.ForumMentioned)).Count.ShouldBe(2);
        (await NotificationsAsync(s.Newcomer, NotificationKind.ForumMentioned)).Count.ShouldBe(1);

        // The thread page maps the mentions it told to profile links.
        var view = await Queries.ThreadAsync(s.Admin, s.CommunityId, threadId, null, 20);
        view.Opening.Mentions.ShouldContainKeyAndValue("ANA.GARCIA", ana);
        view.Replies.Items[0].Mentions.Keys.Order().ShouldBe(["ANA.GARCIA", "BOB_B", writerName.ToUpperInvariant()]);
    }

    // ---- Paging and hidden posts -------------------------------------------------------------------------------------

    [Fact]
    public async Task Replies_and_threads_page_by_keyset_in_order_without_repeats_while_posts_arrive()
    {
        var s = await SetUpAsync();
        var threadId = await ThreadAsync(s);
        var written = new List<Guid>();
        for (var i = 0; i < 23; i++)
        {
            written.Add(await Forum.ReplyAsync(s.Newcomer, threadId, $"Reply {i}"));
            if (i % 3 == 0) fixture.Clock.Advance(TimeSpan.FromSeconds(1)); // several posts share a time: the id breaks the tie
        }
        // A best answer inside the second page shows at the top and in its place, never twice in a page, never on the first.
        await Forum.MarkBestAnswerAsync(s.Writer, threadId, written[15]);
        var seen = new List<Guid>();
        PostCursor? cursor = null;
        var pages = 0;
        do
        {
            var view = await Queries.ThreadAsync(s.Newcomer, s.CommunityId, threadId, cursor, 10);
            seen.AddRange(view.Replies.Items.Select(p => p.Id));
            cursor = view.Replies.Next;
            if (pages++ == 0) written.Add(await Forum.ReplyAsync(s.Writer, threadId, "Arrived while reading"));
        } while (cursor is not null);
        seen.ShouldBe(written);
        pages.ShouldBe(3);

        // Threads: pinned first, then latest activity; pages of 2 cover each thread once.
        var threads = new List<Guid> { threadId };
        for (var i = 0; i < 4; i++)
        {
            fixture.Clock.Advance(TimeSpan.FromSeconds(1));
            threads.Add(await ThreadAsync(s, title: $"Thread {i}"));
        }
        await Forum.SetPinnedAsync(s.Manager, threads[2], true);
        var listed = new List<Guid>();
        ThreadCursor? after = null;
        do
        {
            var page = (await Queries.CategoryAsync(s.Newcomer, s.CommunityId, s.CategoryId, null, after, 2)).Page;
            listed.AddRange(page.Items.Select(t => t.Id));
            after = page.Next;
        } while (after is not null);
        listed.ShouldBe([threads[2], threads[4], threads[3], threads[1], threads[0]]);
    }

    [Fact]
    public async Task A_hidden_post_shows_its_content_only_to_its_author_reviewers_managers_and_admins()
    {
        var s = await SetUpAsync();
        var threadId = await ThreadAsync(s);
        var replyId = await Forum.ReplyAsync(s.Newcomer, threadId, "Flagged words");
        var reviewer = await fixture.AddMemberAsync(s.CommunityId, featureRoles: FeatureRole.FlagReviewer);
        await using (var db = await fixture.NewContextAsync())
            await db.ForumPosts.Where(p => p.Id == replyId).ExecuteUpdateAsync(x => x.SetProperty(p => p.HiddenAt, fixture.Clock.GetUtcNow().UtcDateTime).SetProperty(p => p.FlagWeight, 5));

        async Task<PostRow> AsSeenBy(string userId) => (await Queries.ThreadAsync(userId, s.CommunityId, threadId, null, 20)).Replies.Items.Single();
        var reader = await AsSeenBy(s.Writer);
        (reader.Hidden, reader.ContentShown, reader.Body).ShouldBe((true, false, null));
        foreach (var who in new[] { s.Newcomer, reviewer, s.Manager, s.Admin })
        {
            var row = await AsSeenBy(who);
            (row.Hidden, row.ContentShown, row.Body).ShouldBe((true, true, "Flagged words"));
        }
        (await Queries.SearchAsync(s.Writer, s.CommunityId, "flagged", 0, 10)).Total.ShouldBe(0);
        (await Queries.SearchAsync(reviewer, s.CommunityId, "flagged", 0, 10)).Total.ShouldBe(1);
    }
}
