using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Forum;
using CommunityApp.Features.Notifications;
using CommunityApp.Tests.Infrastructure;
using static CommunityApp.Tests.Infrastructure.Refusals;

namespace CommunityApp.Tests.Features.Forum;

/// <summary>
/// Flags and the review queue (docs/SPEC.md §10) on PostgreSQL: weights by trust level, the auto-hide threshold, every
/// refusal, the reviewers' three decisions with their notifications and audit entries, the author's re-review, and
/// parallel flags and reviews.
/// </summary>
public sealed class ModerationServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private ModerationService Moderation => fixture.Get<ModerationService>();
    private ForumService Forum => fixture.Get<ForumService>();

    private static readonly FlagInput Spam = new(FlagReason.Spam, null);

    /// <summary>A community with the default levels (New 0, Stable 10, Trusted 50), a reviewer, an author, a thread and a reply.</summary>
    private sealed record Setup(Guid CommunityId, string Admin, string Reviewer, string Author, Guid ThreadId, Guid OpeningId, Guid ReplyId);

    private async Task<Setup> SetUpAsync()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var reviewer = await fixture.AddMemberAsync(communityId, score: 30);
        var author = await fixture.AddMemberAsync(communityId, score: 10);
        var categoryId = await Forum.CreateCategoryAsync(admin, communityId, new CategoryInput("General", ""));
        var threadId = await Forum.CreateThreadAsync(admin, categoryId, new ThreadInput("Tool library", "Who has a ladder?", ""));
        var replyId = await Forum.ReplyAsync(author, threadId, "Buy cheap watches at example.org");
        await using var db = await fixture.NewContextAsync();
        var openingId = await db.ForumPosts.Where(p => p.ThreadId == threadId && p.IsOpening).Select(p => p.Id).SingleAsync();
        return new Setup(communityId, admin, reviewer, author, threadId, openingId, replyId);
    }

    private Task<string> FlaggerAsync(Setup s, int score) => fixture.AddMemberAsync(s.CommunityId, score: score);

    private async Task<ForumPost> PostAsync(Guid postId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.ForumPosts.AsNoTracking().SingleAsync(p => p.Id == postId);
    }

    private async Task<List<NotificationKind>> NotificationsAsync(string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Notifications.Where(n => n.UserId == userId).OrderBy(n => n.CreatedAt).Select(n => n.Kind).ToListAsync();
    }

    private async Task<List<AuditAction>> AuditAsync(Guid communityId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.AuditLog.Where(a => a.CommunityId == communityId).OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)
            .Select(a => a.Action).ToListAsync();
    }

    private async Task<int> FlagCountAsync(Guid postId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.ForumFlags.CountAsync(f => f.PostId == postId);
    }

    [Theory]
    [InlineData(15, 2)]
    [InlineData(49, 2)]
    [InlineData(50, 3)]
    [InlineData(500, 3)]
    public async Task A_flag_weighs_the_flaggers_level_index_plus_one(int score, int weight)
    {
        var s = await SetUpAsync();
        var flagger = await FlaggerAsync(s, score);

        await Moderation.FlagAsync(flagger, s.ReplyId, Spam);

        (await PostAsync(s.ReplyId)).FlagWeight.ShouldBe(weight);
        await using var db = await fixture.NewContextAsync();
        (await db.ForumFlags.SingleAsync(f => f.PostId == s.ReplyId)).Weight.ShouldBe(weight);
    }

    [Fact]
    public void A_member_below_the_first_level_weighs_one_and_levels_count_in_order_of_their_minimum()
    {
        var levels = new List<TrustLevelInfo> { new(Guid.NewGuid(), "Elder", 100), new(Guid.NewGuid(), "Helper", 20), new(Guid.NewGuid(), "Neighbour", 5) };
        MemberStanding Standing(int score) => new(Guid.NewGuid(), Guid.NewGuid(), "u", CommunityApp.Features.Communities.MemberRole.Member, score,
            new HashSet<FeatureRole>(), new CommunityApp.Features.Communities.CommunitySettings(), levels);

        ModerationRules.FlagWeight(Standing(0)).ShouldBe(1);
        ModerationRules.FlagWeight(Standing(5)).ShouldBe(1);
        ModerationRules.FlagWeight(Standing(20)).ShouldBe(2);
        ModerationRules.FlagWeight(Standing(99)).ShouldBe(2);
        ModerationRules.FlagWeight(Standing(100)).ShouldBe(3);
    }

    [Fact]
    public async Task The_post_hides_exactly_when_the_weight_reaches_the_setting_and_the_author_is_told()
    {
        var s = await SetUpAsync();
        var stable1 = await FlaggerAsync(s, 15);
        var stable2 = await FlaggerAsync(s, 20);
        var trusted = await FlaggerAsync(s, 60);

        (await Moderation.FlagAsync(stable1, s.ReplyId, Spam)).ShouldBeFalse();
        (await Moderation.FlagAsync(stable2, s.ReplyId, new FlagInput(FlagReason.OffTopic, "Not about tools"))).ShouldBeFalse();
        (await PostAsync(s.ReplyId)).HiddenAt.ShouldBeNull("weight 4 of 5");
        (await NotificationsAsync(s.Author)).ShouldNotContain(NotificationKind.ForumPostHidden);

        (await Moderation.FlagAsync(trusted, s.ReplyId, new FlagInput(FlagReason.Inappropriate, null))).ShouldBeTrue();

        var post = await PostAsync(s.ReplyId);
        post.FlagWeight.ShouldBe(7);
        post.HiddenAt!.Value.ShouldBe(fixture.Clock.GetUtcNow().UtcDateTime, TimeSpan.FromMinutes(1));
        (await NotificationsAsync(s.Author)).Count(k => k == NotificationKind.ForumPostHidden).ShouldBe(1);
        (await AuditAsync(s.CommunityId)).Count(a => a == AuditAction.ForumPostHiddenByFlags).ShouldBe(1);
        var queue = await Moderation.QueueAsync(s.Reviewer, s.CommunityId, 0, 20);
        var item = queue.Items.ShouldHaveSingleItem();
        item.PostId.ShouldBe(s.ReplyId);
        item.Flags.Select(f => (f.Reason, f.Weight)).ShouldBe([(FlagReason.Spam, 2), (FlagReason.OffTopic, 2), (FlagReason.Inappropriate, 3)]);
        item.Flags[1].Text.ShouldBe("Not about tools");
        (await Moderation.QueueCountAsync(s.Reviewer, s.CommunityId)).ShouldBe(1);
    }

    [Fact]
    public async Task The_community_setting_decides_the_threshold()
    {
        var s = await SetUpAsync();
        await using (var db = await fixture.NewContextAsync())
        {
            var community = await db.Communities.SingleAsync(c => c.Id == s.CommunityId);
            community.Settings.FlagsToAutoHide = 2;
            db.Entry(community).Property(c => c.Settings).IsModified = true;
            await db.SaveChangesAsync();
        }

        (await Moderation.FlagAsync(await FlaggerAsync(s, 15), s.ReplyId, Spam)).ShouldBeTrue();
        (await PostAsync(s.ReplyId)).HiddenAt.ShouldNotBeNull();
    }

    [Fact]
    public async Task Refusals_own_post_twice_hidden_and_no_permission()
    {
        var s = await SetUpAsync();
        var flagger = await FlaggerAsync(s, 15);
        var low = await FlaggerAsync(s, 14);

        (await Refusal(() => Moderation.FlagAsync(s.Author, s.ReplyId, Spam))).ShouldBe("You need 15 trust to flag forum content; you have 10.");
        (await Refusal(() => Moderation.FlagAsync(low, s.ReplyId, Spam))).ShouldContain("14");
        await fixture.SetScoreAsync(s.CommunityId, s.Author, 40);
        (await Refusal(() => Moderation.FlagAsync(s.Author, s.ReplyId, Spam))).ShouldBe("You cannot flag your own post.");
        await Moderation.FlagAsync(flagger, s.ReplyId, Spam);
        (await Refusal(() => Moderation.FlagAsync(flagger, s.ReplyId, new FlagInput(FlagReason.OffTopic, null)))).ShouldBe("You already flagged this post.");
        (await Refusal(() => Moderation.FlagAsync(s.Reviewer, Guid.NewGuid(), Spam))).ShouldNotBeNullOrEmpty();
        (await FlagCountAsync(s.ReplyId)).ShouldBe(1);
        (await PostAsync(s.ReplyId)).FlagWeight.ShouldBe(2);

        // Hidden: no more flags, it waits for a reviewer.
        for (var i = 0; i < 2; i++) await Moderation.FlagAsync(await FlaggerAsync(s, 15), s.ReplyId, Spam);
        (await PostAsync(s.ReplyId)).HiddenAt.ShouldNotBeNull();
        (await Refusal(() => Moderation.FlagAsync(s.Reviewer, s.ReplyId, Spam))).ShouldBe("This post is already hidden and waits for a reviewer.");
    }

    [Fact]
    public async Task A_feature_role_grants_flagging_and_reviewing_below_the_threshold()
    {
        var s = await SetUpAsync();
        var flagger = await fixture.AddMemberAsync(s.CommunityId, score: 0, featureRoles: [FeatureRole.ContentFlagger]);
        var reviewer = await fixture.AddMemberAsync(s.CommunityId, score: 0, featureRoles: [FeatureRole.FlagReviewer]);

        await Moderation.FlagAsync(flagger, s.ReplyId, Spam);
        (await PostAsync(s.ReplyId)).FlagWeight.ShouldBe(1, "a member below Stable weighs 1");
        await Moderation.ReviewAsync(reviewer, s.ReplyId, ReviewDecision.Ignore);
        (await Moderation.QueueCountAsync(reviewer, s.CommunityId)).ShouldBe(0);
    }

    [Theory]
    [InlineData(null, null, "reason")]
    [InlineData((FlagReason)99, null, "reason")]
    [InlineData(FlagReason.Other, null, "text")]
    [InlineData(FlagReason.Other, "   ", "text")]
    public async Task Bad_input_gets_a_field_message_and_saves_nothing(FlagReason? reason, string? text, string field)
    {
        var s = await SetUpAsync();
        var flagger = await FlaggerAsync(s, 15);

        (await FieldErrors(() => Moderation.FlagAsync(flagger, s.ReplyId, new FlagInput(reason, text)))).Keys.ShouldBe([field]);
        (await FieldErrors(() => Moderation.FlagAsync(flagger, s.ReplyId, new FlagInput(FlagReason.Other, new string('x', ForumFlag.TextMaxLength + 1))))).Keys.ShouldBe(["text"]);

        (await FlagCountAsync(s.ReplyId)).ShouldBe(0);
        (await PostAsync(s.ReplyId)).FlagWeight.ShouldBe(0);
    }

    [Fact]
    public async Task Something_else_keeps_what_the_flagger_wrote()
    {
        var s = await SetUpAsync();
        await Moderation.FlagAsync(await FlaggerAsync(s, 15), s.ReplyId, new FlagInput(FlagReason.Other, "  Shares a phone number  "));

        await using var db = await fixture.NewContextAsync();
        var flag = await db.ForumFlags.SingleAsync(f => f.PostId == s.ReplyId);
        (flag.Reason, flag.Text).ShouldBe((FlagReason.Other, "Shares a phone number"));
    }

    private async Task HideAsync(Setup s)
    {
        for (var i = 0; i < 3; i++) await Moderation.FlagAsync(await FlaggerAsync(s, 15), s.ReplyId, Spam);
        (await PostAsync(s.ReplyId)).HiddenAt.ShouldNotBeNull();
    }

    [Fact]
    public async Task Agree_keeps_the_post_hidden_tells_the_author_and_audits()
    {
        var s = await SetUpAsync();
        await HideAsync(s);

        await Moderation.ReviewAsync(s.Reviewer, s.ReplyId, ReviewDecision.Agree);

        var post = await PostAsync(s.ReplyId);
        post.HiddenAt.ShouldNotBeNull();
        post.FlagWeight.ShouldBe(6);
        (await NotificationsAsync(s.Author)).ShouldContain(NotificationKind.ForumFlagsAgreed);
        (await AuditAsync(s.CommunityId)).ShouldContain(AuditAction.ForumFlagsAgreed);
        (await Moderation.QueueCountAsync(s.Reviewer, s.CommunityId)).ShouldBe(0);
        await using var db = await fixture.NewContextAsync();
        (await db.ForumFlags.Where(f => f.PostId == s.ReplyId).Select(f => f.Outcome).ToListAsync()).ShouldAllBe(o => o == FlagOutcome.Agreed);
    }

    [Fact]
    public async Task Agree_on_a_post_not_yet_hidden_hides_it()
    {
        var s = await SetUpAsync();
        await Moderation.FlagAsync(await FlaggerAsync(s, 15), s.ReplyId, Spam);

        await Moderation.ReviewAsync(s.Reviewer, s.ReplyId, ReviewDecision.Agree);

        (await PostAsync(s.ReplyId)).HiddenAt.ShouldNotBeNull();
    }

    [Fact]
    public async Task Disagree_shows_the_post_clears_its_flags_and_blocks_flags_for_24_hours()
    {
        var s = await SetUpAsync();
        var start = new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
        fixture.Clock.Set(start);
        try
        {
            var again = await FlaggerAsync(s, 15);
            await Moderation.FlagAsync(again, s.ReplyId, Spam);
            for (var i = 0; i < 2; i++) await Moderation.FlagAsync(await FlaggerAsync(s, 15), s.ReplyId, Spam);

            await Moderation.ReviewAsync(s.Reviewer, s.ReplyId, ReviewDecision.Disagree);

            var post = await PostAsync(s.ReplyId);
            (post.HiddenAt, post.FlagWeight, post.ReflagBlockedUntil).ShouldBe((null, 0, start.UtcDateTime.AddHours(24)));
            (await NotificationsAsync(s.Author)).ShouldContain(NotificationKind.ForumPostRestored);
            (await AuditAsync(s.CommunityId)).ShouldContain(AuditAction.ForumFlagsDisagreed);
            (await Moderation.QueueCountAsync(s.Reviewer, s.CommunityId)).ShouldBe(0);

            var blocked = "A reviewer cleared the flags on this post; it cannot be flagged again for 24 hours.";
            fixture.Clock.Set(start.AddHours(24).AddMinutes(-1));
            (await Refusal(() => Moderation.FlagAsync(again, s.ReplyId, Spam))).ShouldBe(blocked);
            (await Refusal(() => Moderation.FlagAsync(s.Reviewer, s.ReplyId, Spam))).ShouldBe(blocked, "nobody, not only the earlier flaggers");
            (await Moderation.FlagStateAsync(again, s.ReplyId)).BlockedUntil.ShouldBe(start.UtcDateTime.AddHours(24));

            fixture.Clock.Set(start.AddHours(24));
            await Moderation.FlagAsync(again, s.ReplyId, Spam);
            (await PostAsync(s.ReplyId)).FlagWeight.ShouldBe(2);
        }
        finally
        {
            fixture.Clock.Reset();
        }
    }

    [Fact]
    public async Task Ignore_takes_the_post_out_of_the_queue_and_changes_nothing_else()
    {
        var s = await SetUpAsync();
        await HideAsync(s);
        var before = await NotificationsAsync(s.Author);

        await Moderation.ReviewAsync(s.Reviewer, s.ReplyId, ReviewDecision.Ignore);

        var post = await PostAsync(s.ReplyId);
        (post.HiddenAt is not null, post.FlagWeight, post.ReflagBlockedUntil).ShouldBe((true, 6, null));
        (await NotificationsAsync(s.Author)).ShouldBe(before);
        (await AuditAsync(s.CommunityId)).ShouldContain(AuditAction.ForumFlagsIgnored);
        (await Moderation.QueueAsync(s.Reviewer, s.CommunityId, 0, 20)).Total.ShouldBe(0);
        (await Refusal(() => Moderation.ReviewAsync(s.Reviewer, s.ReplyId, ReviewDecision.Agree))).ShouldBe("This post was already reviewed.");
    }

    [Fact]
    public async Task Reviewing_needs_the_permission_and_not_ones_own_post()
    {
        var s = await SetUpAsync();
        await Moderation.FlagAsync(await FlaggerAsync(s, 15), s.ReplyId, Spam);
        var member = await FlaggerAsync(s, 29);

        (await Refusal(() => Moderation.ReviewAsync(member, s.ReplyId, ReviewDecision.Disagree))).ShouldContain("29");
        (await Refusal(() => Moderation.QueueAsync(member, s.CommunityId, 0, 20))).ShouldContain("29");
        (await Moderation.QueueCountAsync(member, s.CommunityId)).ShouldBe(0);
        (await Moderation.MayReviewAsync(member, s.CommunityId)).ShouldBeFalse();
        await fixture.SetScoreAsync(s.CommunityId, s.Author, 30);
        (await Refusal(() => Moderation.ReviewAsync(s.Author, s.ReplyId, ReviewDecision.Disagree))).ShouldBe("You cannot review flags on your own post.");
        (await PostAsync(s.ReplyId)).FlagWeight.ShouldBe(2);
        (await Moderation.MayReviewAsync(s.Reviewer, s.CommunityId)).ShouldBeTrue();
    }

    [Fact]
    public async Task The_author_edits_a_hidden_post_and_asks_for_another_review()
    {
        var s = await SetUpAsync();
        await HideAsync(s);
        await Moderation.ReviewAsync(s.Reviewer, s.ReplyId, ReviewDecision.Agree);
        (await Moderation.QueueCountAsync(s.Reviewer, s.CommunityId)).ShouldBe(0);

        (await FieldErrors(() => Moderation.RequestReviewAsync(s.Author, s.ReplyId, "  "))).Keys.ShouldBe(["body"]);
        (await Refusal(() => Moderation.RequestReviewAsync(s.Reviewer, s.ReplyId, "Mine now"))).ShouldBe("Only the post's author can ask for another review.");
        (await PostAsync(s.ReplyId)).ReviewRequestedAt.ShouldBeNull();

        await Moderation.RequestReviewAsync(s.Author, s.ReplyId, "I have a ladder to lend.");

        var post = await PostAsync(s.ReplyId);
        (post.Body, post.ReviewRequestedAt is not null, post.EditedAt is not null, post.HiddenAt is not null).ShouldBe(("I have a ladder to lend.", true, true, true));
        var item = (await Moderation.QueueAsync(s.Reviewer, s.CommunityId, 0, 20)).Items.ShouldHaveSingleItem();
        item.ReviewRequestedAt.ShouldNotBeNull();
        item.Flags.ShouldAllBe(f => f.Outcome == FlagOutcome.Agreed);

        await Moderation.ReviewAsync(s.Reviewer, s.ReplyId, ReviewDecision.Disagree);
        (await PostAsync(s.ReplyId)).HiddenAt.ShouldBeNull();
        (await Refusal(() => Moderation.RequestReviewAsync(s.Author, s.ReplyId, "Again"))).ShouldBe("This post is not hidden.");
    }

    [Fact]
    public async Task Parallel_flags_add_up_exactly_and_hide_the_post_once()
    {
        var s = await SetUpAsync();
        var flaggers = new List<string>();
        for (var i = 0; i < 12; i++) flaggers.Add(await FlaggerAsync(s, i % 2 == 0 ? 15 : 60));

        var outcomes = await Task.WhenAll(flaggers.Select(f => Task.Run(async () =>
        {
            try
            {
                return await Moderation.FlagAsync(f, s.ReplyId, Spam) ? "hid" : "flagged";
            }
            catch (AppException ex)
            {
                return ex.Message;
            }
        })));
        // The same member flagging many times at once: one counts.
        var twice = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => Race.Attempt(() => Moderation.FlagAsync(s.Reviewer, s.OpeningId, Spam)))));

        // Flags after the post hid are refused, so the weight stops at the flag that reached 5 or more.
        outcomes.Count(o => o == "hid").ShouldBe(1);
        outcomes.Where(o => o is not ("hid" or "flagged")).ShouldAllBe(o => o == "This post is already hidden and waits for a reviewer.");
        var post = await PostAsync(s.ReplyId);
        post.HiddenAt.ShouldNotBeNull();
        await using var db = await fixture.NewContextAsync();
        (await db.ForumFlags.Where(f => f.PostId == s.ReplyId).SumAsync(f => f.Weight)).ShouldBe(post.FlagWeight);
        (await db.ForumFlags.CountAsync(f => f.PostId == s.ReplyId)).ShouldBe(outcomes.Count(o => o is "hid" or "flagged"));
        post.FlagWeight.ShouldBeGreaterThanOrEqualTo(5);
        post.FlagWeight.ShouldBeLessThan(5 + 3);
        (await NotificationsAsync(s.Author)).Count(k => k == NotificationKind.ForumPostHidden).ShouldBe(1);
        twice.Count(t => t).ShouldBe(1);
        (await db.ForumFlags.CountAsync(f => f.PostId == s.OpeningId)).ShouldBe(1);
    }

    [Fact]
    public async Task Two_reviewers_at_once_one_wins_the_other_is_told_it_was_already_reviewed()
    {
        var s = await SetUpAsync();
        await HideAsync(s);
        var second = await fixture.AddMemberAsync(s.CommunityId, score: 35);

        var results = await Task.WhenAll(
            Task.Run(() => Refusal2(() => Moderation.ReviewAsync(s.Reviewer, s.ReplyId, ReviewDecision.Agree))),
            Task.Run(() => Refusal2(() => Moderation.ReviewAsync(second, s.ReplyId, ReviewDecision.Disagree))));

        results.Count(r => r is null).ShouldBe(1);
        results.Single(r => r is not null).ShouldBe("This post was already reviewed.");
        var audit = await AuditAsync(s.CommunityId);
        (audit.Count(a => a == AuditAction.ForumFlagsAgreed) + audit.Count(a => a == AuditAction.ForumFlagsDisagreed)).ShouldBe(1);
    }

    private static async Task<string?> Refusal2(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (AppException ex)
        {
            return ex.Message;
        }
    }

    [Fact]
    public async Task The_moderation_log_lists_forum_actions_only_to_reviewers_managers_and_admins()
    {
        var s = await SetUpAsync();
        await HideAsync(s);
        await Moderation.ReviewAsync(s.Reviewer, s.ReplyId, ReviewDecision.Agree);
        await Forum.SetPinnedAsync(s.Admin, s.ThreadId, true);
        var member = await FlaggerAsync(s, 10);

        var log = await Moderation.LogAsync(s.Reviewer, s.CommunityId, 0, 2);
        log.Total.ShouldBe(4, "category created, post hidden by flags, flags agreed, thread pinned");
        log.Items.Select(r => r.Action).ShouldBe([AuditAction.ForumThreadPinned, AuditAction.ForumFlagsAgreed]);
        (await Moderation.LogAsync(s.Admin, s.CommunityId, 1, 2)).Items.Select(r => r.Action).ShouldBe([AuditAction.ForumPostHiddenByFlags, AuditAction.ForumCategoryCreated]);
        (await Refusal(() => Moderation.LogAsync(member, s.CommunityId, 0, 20))).ShouldContain("10");
        (await Moderation.LogAsync(s.Admin, s.CommunityId, 0, 50)).Items.ShouldNotContain(r => r.Action == AuditAction.CommunityEdited);
    }
}
