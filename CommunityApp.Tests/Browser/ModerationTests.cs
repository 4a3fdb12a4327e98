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
/// Flags and the review queue (docs/SPEC.md §10) in Chromium: three Stable members (weight 2 each) flag a reply, one of
/// them on a 375 px phone; the third flag reaches the five that hide it, and the author's open thread page shows it hidden
/// without a reload. The reviewer finds it in the queue, disagrees, and the author's page shows the reply again, live.
/// </summary>
public sealed class ModerationTests(BrowserFixture browser) : BrowserTest(browser)
{
    private const string Reply = "Cheap phone cases, message me for the catalogue.";

    [Fact]
    public async Task Three_flags_hide_a_reply_and_a_reviewer_brings_it_back_live()
    {
        var contexts = new List<IBrowserContext>();
        try
        {
            async Task<IPage> OpenAsync(string userName, bool phone = false)
            {
                var context = phone ? await Browser.NewContextAsync(BaseUrl, phone: true) : await NewContextAsync();
                contexts.Add(context);
                var page = await context.NewPageAsync();
                await SignUpAsync(page, userName, userName[..1].ToUpperInvariant() + userName[1..]);
                return page;
            }
            var reviewer = await OpenAsync("rosa");
            var author = await OpenAsync("nora");
            var flaggers = new[] { await OpenAsync("carla", phone: true), await OpenAsync("dmitri"), await OpenAsync("elif") };
            var (communityId, threadId) = await SetUpAsync("rosa", "nora", ["carla", "dmitri", "elif"]);
            var urls = CommunityApp.Components.CommunityUrls.For(communityId);

            await author.OpenAsync(urls.ForumThread(threadId));
            var authorsReply = author.GetByTestId("post").Filter(new() { HasText = Reply });
            await Expect(authorsReply).ToBeVisibleAsync();
            await Expect(authorsReply.GetByTestId("flag-button")).ToHaveCountAsync(0);

            for (var i = 0; i < flaggers.Length; i++)
            {
                var page = flaggers[i];
                await page.OpenAsync(urls.ForumThread(threadId));
                var reply = page.GetByTestId("post").Filter(new() { HasText = Reply });
                await reply.GetByTestId("flag-button").ClickAsync();
                var form = reply.GetByTestId("flag-form");
                if (i == 0)
                {
                    // Bad input first: no reason chosen gets a field message and saves nothing.
                    await form.GetByRole(AriaRole.Button, new() { Name = "Flag post" }).ClickAsync();
                    await Expect(form.GetByTestId("flag-reason-error")).ToHaveTextAsync("Choose a reason.");
                    await page.CheckPageAsync("80-flag-form-phone");
                }
                await form.GetByText("Spam", new() { Exact = true }).ClickAsync();
                await form.GetByRole(AriaRole.Button, new() { Name = "Flag post" }).ClickAsync();
                await Expect(reply.GetByTestId("flag-form")).ToHaveCountAsync(0);
            }

            // The third flag hid it: the flagger sees the placeholder, the author's open page says it is hidden.
            await Expect(flaggers[2].GetByTestId("hidden-placeholder")).ToBeVisibleAsync();
            await Expect(authorsReply.GetByTestId("hidden-notice")).ToBeVisibleAsync();
            await Expect(authorsReply.GetByTestId("hidden-chip")).ToBeVisibleAsync();

            await reviewer.OpenAsync(urls.ForumReview);
            var item = reviewer.GetByTestId("review-item");
            await Expect(item).ToContainTextAsync(Reply);
            await Expect(item.GetByTestId("review-flag")).ToHaveCountAsync(3);
            await Expect(item.GetByTestId("flag-weight")).ToHaveTextAsync("Flag weight 6");
            await Expect(reviewer.GetByTestId("community-nav").GetByRole(AriaRole.Link, new() { Name = "Review queue" }).Locator(".nav-badge")).ToHaveTextAsync("1");
            await reviewer.CheckPageAsync("81-review-queue");
            await item.GetByRole(AriaRole.Button, new() { Name = "Disagree: show again" }).ClickAsync();
            await Expect(reviewer.GetByTestId("queue-count")).ToHaveTextAsync("Posts waiting for review: 0");

            // Live on the author's page: no notice, no chip, the reply as it was.
            await Expect(authorsReply.GetByTestId("hidden-notice")).ToHaveCountAsync(0);
            await Expect(authorsReply.GetByTestId("hidden-chip")).ToHaveCountAsync(0);
            await Expect(authorsReply).ToContainTextAsync(Reply);
            await Expect(flaggers[2].GetByTestId("hidden-placeholder")).ToHaveCountAsync(0);

            await reviewer.OpenAsync(urls.ForumModerationLog);
            await Expect(reviewer.GetByTestId("moderation-log")).ToContainTextAsync("Flags on a forum post rejected");
            await Expect(reviewer.GetByTestId("moderation-log")).ToContainTextAsync("Forum post hidden by flags");
        }
        finally
        {
            foreach (var context in contexts) await context.DisposeAsync();
        }
    }

    private async Task<(Guid CommunityId, Guid ThreadId)> SetUpAsync(string adminName, string authorName, string[] flaggerNames)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var ids = await db.Users.ToDictionaryAsync(u => u.UserName!, u => u.Id);
        var adminId = ids[adminName];
        var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(adminId, new("River Commons", null));
        var invites = services.GetRequiredService<InviteService>();
        var (_, secret) = await invites.CreateLinkAsync(adminId, communityId, new("Neighbours", MemberRole.Member, DateTime.UtcNow.AddDays(1), null));
        foreach (var name in flaggerNames.Append(authorName)) await invites.RedeemLinkAsync(ids[name], secret);
        // Stable (weight 2) for the flaggers: 15 trust is the default to flag.
        var flaggerIds = flaggerNames.Select(n => ids[n]).ToList();
        await db.Memberships.Where(m => m.CommunityId == communityId && flaggerIds.Contains(m.UserId))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.AdminGrant, 20).SetProperty(m => m.TrustScore, 20));
        var forum = services.GetRequiredService<ForumService>();
        var categoryId = await forum.CreateCategoryAsync(adminId, communityId, new CategoryInput("General", ""));
        var threadId = await forum.CreateThreadAsync(adminId, categoryId, new ThreadInput("Tool library", "Who has a ladder to lend?", ""));
        await forum.ReplyAsync(ids[authorName], threadId, Reply);
        await db.Notifications.ExecuteDeleteAsync();
        return (communityId, threadId);
    }
}
