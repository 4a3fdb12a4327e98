using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using CommunityApp.Auth;
using CommunityApp.Components.Shared;
using CommunityApp.Features.Forum;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Components;

/// <summary>The forum's pages (docs/SPEC.md §10) rendered with bUnit over real services: hidden posts, locked threads, the thread permission's reason, mention links.</summary>
public sealed class ForumPagesTests(SqliteServiceFixture data) : IClassFixture<SqliteServiceFixture>
{
    private async Task<(Guid CommunityId, string Admin, string Author, string Reader, Guid CategoryId, Guid ThreadId, Guid ReplyId)> SetUpAsync()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        var author = await data.AddMemberAsync(communityId, userId: await data.CreateUserAsync("page_author" + Guid.NewGuid().ToString("N")[..6]));
        var reader = await data.AddMemberAsync(communityId);
        var forum = data.Get<ForumService>();
        var categoryId = await forum.CreateCategoryAsync(admin, communityId, new CategoryInput("General", ""));
        var threadId = await forum.CreateThreadAsync(admin, categoryId, new ThreadInput("Page thread", "Opening words", null));
        var readerName = await UserNameAsync(reader);
        var replyId = await forum.ReplyAsync(author, threadId, $"Flagged words for @{readerName}, `@{readerName}` in code");
        return (communityId, admin, author, reader, categoryId, threadId, replyId);
    }

    private async Task<string> UserNameAsync(string userId)
    {
        await using var db = await data.NewContextAsync();
        return await db.Users.Where(u => u.Id == userId).Select(u => u.UserName!).SingleAsync();
    }

    private async Task HideAsync(Guid postId)
    {
        await using var db = await data.NewContextAsync();
        await db.ForumPosts.Where(p => p.Id == postId).ExecuteUpdateAsync(x => x.SetProperty(p => p.HiddenAt, data.Clock.GetUtcNow().UtcDateTime));
    }

    [Fact]
    public async Task A_hidden_reply_is_a_placeholder_for_readers_and_marked_for_its_author_and_admins()
    {
        var s = await SetUpAsync();
        await HideAsync(s.ReplyId);
        foreach (var (user, shown) in new[] { (s.Reader, false), (s.Author, true), (s.Admin, true) })
        {
            await using var context = PageTestContext.Create(data, user);
            context.Render<MudPopoverProvider>();
            var page = context.Render<ForumThreadPage>(p => p.Add(x => x.CommunityId, s.CommunityId).Add(x => x.ThreadId, s.ThreadId));
            page.WaitForAssertion(() => page.Find("[data-testid=post]"));
            var post = page.Find("[data-testid=post]");
            if (shown)
            {
                post.QuerySelector("[data-testid=hidden-chip]").ShouldNotBeNull();
                post.QuerySelector(".markdown-body")!.TextContent.ShouldContain("Flagged words");
            }
            else
            {
                post.QuerySelector("[data-testid=hidden-placeholder]")!.TextContent.ShouldBe("This post is hidden after flags from the community.");
                post.TextContent.ShouldNotContain("Flagged words");
            }
        }
    }

    [Fact]
    public async Task A_locked_thread_shows_why_instead_of_the_reply_box_and_mentions_link_to_profiles_outside_code()
    {
        var s = await SetUpAsync();
        await data.Get<ForumService>().SetLockedAsync(s.Admin, s.ThreadId, true);
        await using var context = PageTestContext.Create(data, s.Reader);
        context.Render<MudPopoverProvider>();
        var page = context.Render<ForumThreadPage>(p => p.Add(x => x.CommunityId, s.CommunityId).Add(x => x.ThreadId, s.ThreadId));
        page.WaitForAssertion(() => page.Find("[data-testid=locked-notice]").TextContent.ShouldContain("This thread is locked: nobody can reply to it."));
        page.FindAll("button").ShouldNotContain(b => b.TextContent.Trim() == "Post reply");
        var links = page.Find("[data-testid=post] .markdown-body").QuerySelectorAll("a");
        links.Select(a => a.GetAttribute("href")).ShouldBe([$"/c/{s.CommunityId}/members/{s.Reader}"], "one link: the mention in code stays text");
        page.Find("[data-testid=post] .markdown-body code").TextContent.ShouldStartWith("@");
    }

    [Fact]
    public async Task Without_the_thread_permission_new_thread_is_disabled_with_the_reason()
    {
        var s = await SetUpAsync();
        await using var context = PageTestContext.Create(data, s.Reader);
        context.Render<MudPopoverProvider>();
        var page = context.Render<ForumCategoryPage>(p => p.Add(x => x.CommunityId, s.CommunityId).Add(x => x.CategoryId, s.CategoryId));
        page.WaitForAssertion(() => page.Find("[data-testid=thread-row]").TextContent.ShouldContain("Page thread"));
        page.Find("#create-reason").TextContent.ShouldBe("Needs 10 trust, you have 0");
        page.FindAll("a, button").Single(b => b.TextContent.Trim() == "New thread").HasAttribute("disabled").ShouldBeTrue();
    }

    [Fact]
    public async Task The_forum_home_lists_categories_with_counts_and_shows_search_results_from_the_address()
    {
        var s = await SetUpAsync();
        await using var context = PageTestContext.Create(data, s.Reader);
        context.Render<MudPopoverProvider>();
        context.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo($"/c/{s.CommunityId}/forum?q=opening");
        var page = context.Render<ForumPage>(p => p.Add(x => x.CommunityId, s.CommunityId));
        page.WaitForAssertion(() => page.Find("[data-testid=category]").TextContent.ShouldContain("1 thread"));
        page.Find("[data-testid=category]").TextContent.ShouldNotContain("1 threads");
        page.WaitForAssertion(() => page.FindAll("[data-testid=search-hit]").ShouldHaveSingleItem().TextContent.ShouldContain("Page thread"));
        page.FindAll("[data-testid=new-category]").ShouldBeEmpty("members do not manage categories");
    }

    [Fact]
    public void Mention_links_use_only_the_apps_own_relative_addresses()
    {
        var links = new Dictionary<string, string> { ["ANA"] = "/c/1/members/a", ["EVE"] = "javascript:alert(1)", ["BOB"] = "//evil.example/x" };
        var html = MarkdownRenderer.Render("Hi @ana, @eve and @bob. [@ana](https://x.example) `@ana`", links);
        html.ShouldContain("<a href=\"/c/1/members/a\">@ana</a>");
        html.ShouldNotContain("javascript");
        html.ShouldNotContain("evil.example");
        html.ShouldContain("<code>@ana</code>");
    }
}
