using Bunit;
using MudBlazor;
using CommunityApp.Components.Navigation;
using CommunityApp.Features.Forum;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Components;

/// <summary>The review queue and the moderation log pages (docs/SPEC.md §10), on SQLite: what a reviewer and a member see.</summary>
public sealed class ModerationPagesTests(SqliteServiceFixture data) : IClassFixture<SqliteServiceFixture>
{
    private async Task<(Guid CommunityId, string Admin, string Reviewer, string Member, Guid ReplyId)> SetUpAsync()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        var reviewer = await data.AddMemberAsync(communityId, score: 30);
        var member = await data.AddMemberAsync(communityId, score: 15);
        var forum = data.Get<ForumService>();
        var categoryId = await forum.CreateCategoryAsync(admin, communityId, new CategoryInput("General", ""));
        var threadId = await forum.CreateThreadAsync(admin, categoryId, new ThreadInput("Tool library", "Who has a ladder?", ""));
        var replyId = await forum.ReplyAsync(member, threadId, "Cheap watches **here**");
        await data.Get<ModerationService>().FlagAsync(reviewer, replyId, new FlagInput(FlagReason.Other, "An advert"));
        return (communityId, admin, reviewer, member, replyId);
    }

    [Fact]
    public async Task A_reviewer_sees_the_flagged_post_with_its_flags_and_disagreeing_empties_the_queue()
    {
        var s = await SetUpAsync();
        await using var context = PageTestContext.Create(data, s.Admin);
        context.Render<MudPopoverProvider>();
        context.Render<MudSnackbarProvider>();
        var nav = context.Render<CommunityNav>();

        var page = context.Render<ReviewQueuePage>(p => p.Add(x => x.CommunityId, s.CommunityId));

        page.WaitForAssertion(() => page.FindAll("[data-testid=review-item]").Count.ShouldBe(1));
        page.Find("[data-testid=queue-count]").TextContent.ShouldBe("Posts waiting for review: 1");
        page.Find("[data-testid=review-flag] strong").TextContent.ShouldBe("Something else");
        page.Find("[data-testid=review-item]").TextContent.ShouldContain("An advert");
        page.Find("[data-testid=review-item] .markdown-body strong").TextContent.ShouldBe("here");
        page.Find("[data-testid=flag-weight]").TextContent.ShouldBe("Flag weight 2");
        nav.WaitForAssertion(() => nav.Find("a[href$='/forum/review'] .nav-badge").TextContent.ShouldBe("1"));

        page.FindAll("button").Single(b => b.TextContent.Contains("Disagree: show again")).Click();

        page.WaitForAssertion(() => page.Find("[data-testid=queue-count]").TextContent.ShouldBe("Posts waiting for review: 0"));
        page.FindAll("[data-testid=review-item]").ShouldBeEmpty();
    }

    [Fact]
    public async Task A_member_below_the_review_threshold_gets_the_reason_and_no_queue()
    {
        var s = await SetUpAsync();
        await using var context = PageTestContext.Create(data, s.Member);

        var queue = context.Render<ReviewQueuePage>(p => p.Add(x => x.CommunityId, s.CommunityId));
        var log = context.Render<ModerationLogPage>(p => p.Add(x => x.CommunityId, s.CommunityId));

        queue.WaitForAssertion(() => queue.Find("[role=status]").TextContent.ShouldBe("You need 30 trust to review flagged content; you have 15."));
        queue.FindAll("[data-testid=review-item]").ShouldBeEmpty();
        log.WaitForAssertion(() => log.Find("[role=status]").TextContent.ShouldBe("Only flag reviewers, forum managers and admins see the moderation log."));
    }
}
