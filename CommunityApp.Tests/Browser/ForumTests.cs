using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Forum;
using CommunityApp.Features.Invites;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>
/// The forum journey of the issue (docs/SPEC.md §10): a member starts a thread through the forum's pages; another member,
/// on a phone, replies mentioning a third, whose open page shows the notification without a reload; the author's open
/// thread shows the reply live and they mark it as the best answer, which the replier's phone shows live too.
/// </summary>
public sealed class ForumTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task A_reply_mentioning_a_member_notifies_them_live_and_the_author_marks_it_best_answer()
    {
        await using var tomContext = await NewContextAsync();
        var tom = await tomContext.NewPageAsync();
        await SignUpAsync(tom, "tom", "Tom Asker");
        await using var anaContext = await Browser.NewContextAsync(BaseUrl, phone: true);
        var ana = await anaContext.NewPageAsync();
        await SignUpAsync(ana, "ana", "Ana Helper");
        await using var benContext = await NewContextAsync();
        var ben = await benContext.NewPageAsync();
        await SignUpAsync(ben, "ben", "Ben Mentioned");
        var communityId = await SetUpAsync();
        var urls = CommunityApp.Components.CommunityUrls.For(communityId);

        // Tom opens the forum, the category, and starts a thread.
        await tom.OpenAsync(urls.Forum);
        await Expect(tom.GetByTestId("category")).ToHaveCountAsync(2);
        await tom.CheckPageAsync("80-forum-home");
        await tom.GetByRole(AriaRole.Link, new() { Name = "Repairs" }).ClickAsync();
        await Expect(tom.GetByTestId("category-name")).ToHaveTextAsync("Repairs");
        await tom.WaitForInteractiveAsync();
        await tom.CheckPageAsync("81-forum-category");
        await tom.GetByRole(AriaRole.Link, new() { Name = "New thread" }).ClickAsync();
        await tom.WaitForInteractiveAsync();
        await tom.GetByLabel("Title").FillAsync("My bike chain keeps slipping");
        await tom.GetByLabel("Text (markdown)").FillAsync("It slips on **hills**. Any ideas?");
        await tom.GetByLabel("Tags (optional)").FillAsync("bikes, repair");
        await tom.CheckPageAsync("82-forum-new-thread");
        await tom.GetByRole(AriaRole.Button, new() { Name = "Post thread" }).ClickAsync();
        await Expect(tom.GetByTestId("thread-title")).ToHaveTextAsync("My bike chain keeps slipping");
        await tom.WaitForInteractiveAsync();
        var threadUrl = new Uri(tom.Url).AbsolutePath;

        // Ben has the forum open; Ana, on her phone, replies mentioning him.
        await ben.OpenAsync(urls.Forum);
        await Expect(ben.GetByRole(AriaRole.Button, new() { Name = "Notifications, 0 unread" })).ToBeVisibleAsync();
        await ana.OpenAsync(threadUrl);
        await Expect(ana.GetByTestId("opening-post")).ToContainTextAsync("It slips on hills. Any ideas?");
        await ana.GetByLabel("Your reply").FillAsync("Clean and oil it, @ben has the tools.");
        await ana.GetByRole(AriaRole.Button, new() { Name = "Post reply" }).ClickAsync();
        await Expect(ana.GetByTestId("post")).ToContainTextAsync("Clean and oil it, @ben has the tools.");
        await Expect(ana.GetByTestId("post").GetByRole(AriaRole.Link, new() { Name = "@ben" })).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("/members/"));
        var widths = await ana.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        widths[0].ShouldBeLessThanOrEqualTo(widths[1], "the thread scrolls sideways on a 375 px phone");
        await ana.CheckPageAsync("83-forum-thread-phone");

        // Ben's open page hears of the mention; Tom's open thread shows the reply, and he marks it as the best answer.
        await Expect(ben.GetByRole(AriaRole.Button, new() { Name = "Notifications, 1 unread" })).ToBeVisibleAsync();
        await Expect(tom.GetByTestId("post")).ToContainTextAsync("Clean and oil it");
        await Expect(tom.GetByTestId("reply-count")).ToHaveTextAsync("Replies (1)");
        await tom.GetByTestId("post").GetByRole(AriaRole.Button, new() { Name = "Mark as best answer" }).ClickAsync();
        await Expect(tom.GetByTestId("best-answer")).ToContainTextAsync("Ana Helper");
        await tom.CheckPageAsync("84-forum-thread");
        await Expect(ana.GetByTestId("best-answer")).ToContainTextAsync("Clean and oil it");
        await Expect(ana.GetByTestId("best-answer-chip").First).ToBeVisibleAsync();
    }

    /// <summary>Tom's community (he is its admin) with Ana and Ben as members and two categories.</summary>
    private async Task<Guid> SetUpAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var ids = await db.Users.Where(u => new[] { "tom", "ana", "ben" }.Contains(u.UserName!)).ToDictionaryAsync(u => u.UserName!, u => u.Id);
        var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(ids["tom"], new("Forum Commons", null));
        var invites = services.GetRequiredService<InviteService>();
        var (_, secret) = await invites.CreateLinkAsync(ids["tom"], communityId, new("Neighbours", MemberRole.Member, DateTime.UtcNow.AddDays(1), null));
        foreach (var name in new[] { "ana", "ben" }) await invites.RedeemLinkAsync(ids[name], secret);
        var forum = services.GetRequiredService<ForumService>();
        await forum.CreateCategoryAsync(ids["tom"], communityId, new CategoryInput("Repairs", "Fixing things together"));
        await forum.CreateCategoryAsync(ids["tom"], communityId, new CategoryInput("Events", null));
        await db.Notifications.ExecuteDeleteAsync();
        return communityId;
    }
}
