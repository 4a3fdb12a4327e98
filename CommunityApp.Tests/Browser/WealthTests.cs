using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>The wealth journey of the issue, in three browsers: share, request, refusal with its reason, accept, confirm.</summary>
public sealed class WealthTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task Share_request_accept_and_confirm_with_the_cap_explained_and_live_notifications()
    {
        await using var ownerContext = await NewContextAsync();
        var owner = await ownerContext.NewPageAsync();
        await SignUpAsync(owner, "amara", "Amara Owner");
        await using var requesterContext = await NewContextAsync();
        var requester = await requesterContext.NewPageAsync();
        await SignUpAsync(requester, "bruno", "Bruno Requester");
        await using var lowContext = await NewContextAsync();
        var low = await lowContext.NewPageAsync();
        await SignUpAsync(low, "chen", "Chen Newcomer");
        var communityId = await SetUpAsync(("amara", 0), ("bruno", 12), ("chen", 10));

        await owner.OpenAsync($"/c/{communityId}/shares");
        await owner.CheckPageAsync("50-shares");
        await owner.GetByRole(AriaRole.Link, new() { Name = "Share something" }).ClickAsync();
        await owner.GetByLabel("Title").FillAsync("Aluminium ladder");
        await owner.GetByLabel("Description").FillAsync("Three-metre ladder, pick up from number 12.");
        await owner.GetByLabel("Units", new() { Exact = true }).FillAsync("3");
        await owner.GetByLabel("Trust needed to request").FillAsync("11");
        await owner.CheckPageAsync("51-new-share");
        await owner.GetByRole(AriaRole.Button, new() { Name = "Share it" }).ClickAsync();
        await Expect(owner.GetByRole(AriaRole.Heading, new() { Name = "Aluminium ladder" })).ToBeVisibleAsync();
        var shareUrl = owner.Url;

        await low.OpenAsync(shareUrl);
        await Expect(low.GetByTestId("request-reason")).ToHaveTextAsync("Needs 11 trust, you have 10");
        await Expect(low.GetByRole(AriaRole.Button, new() { Name = "Request", Exact = true })).ToBeDisabledAsync();
        await low.CheckPageAsync("52-share-below-cap");

        await requester.OpenAsync(shareUrl);
        await requester.GetByLabel("Units", new() { Exact = true }).FillAsync("2");
        await requester.GetByLabel("Message to the owner").FillAsync("For the gutters, back on Sunday.");
        await requester.GetByRole(AriaRole.Button, new() { Name = "Request", Exact = true }).ClickAsync();
        await Expect(requester.GetByText("Request sent to the owner.")).ToBeVisibleAsync();

        // Both sides update live: the owner's open page shows the new request without a reload.
        await Expect(owner.GetByRole(AriaRole.Button, new() { Name = "Notifications, 1 unread" })).ToBeVisibleAsync();
        await Expect(owner.GetByTestId("request-card")).ToContainTextAsync("Bruno Requester asks for 2");
        await owner.GetByTestId("request-card").GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(owner.GetByTestId("units-free")).ToHaveTextAsync("1 / 3");
        await owner.CheckPageAsync("53-share-owner");

        await Expect(requester.GetByRole(AriaRole.Button, new() { Name = "Notifications, 1 unread" })).ToBeVisibleAsync();
        await Expect(requester.GetByTestId("request-card")).ToContainTextAsync("Accepted");
        await requester.GetByRole(AriaRole.Button, new() { Name = "Confirm receipt" }).ClickAsync();
        await Expect(requester.GetByTestId("request-card")).ToContainTextAsync("Fulfilled");
        await Expect(requester.GetByTestId("units-free")).ToHaveTextAsync("1 / 3");
        await requester.CheckPageAsync("54-share-requester");
        await Expect(owner.GetByRole(AriaRole.Button, new() { Name = "Notifications, 2 unread" })).ToBeVisibleAsync();

        // The picture is served from our own endpoint, to members only.
        var shareId = Guid.Parse(shareUrl[(shareUrl.LastIndexOf('/') + 1)..]);
        await using (var scope = App.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<CommunityApp.Features.Wealth.ShareService>()
                .SetImageAsync(await UserIdAsync("amara"), shareId, new MemoryStream(CommunityApp.Tests.Features.Wealth.ShareImageTests.Png));
        }
        var image = await requesterContext.APIRequest.GetAsync($"/images/shares/{shareId}");
        image.Status.ShouldBe(200);
        image.Headers["content-type"].ShouldBe("image/png");
        image.Headers["x-content-type-options"].ShouldBe("nosniff");
        await using (var outsiderContext = await NewContextAsync())
        {
            var outsider = await outsiderContext.NewPageAsync();
            await SignUpAsync(outsider, "dora", "Dora Outsider");
            (await outsiderContext.APIRequest.GetAsync($"/images/shares/{shareId}")).Status.ShouldBe(404);
        }
        await requester.ReloadAsync();
        await Expect(requester.GetByRole(AriaRole.Img, new() { Name = "Picture of Aluminium ladder" })).ToBeVisibleAsync();

        await requester.OpenAsync($"/c/{communityId}/requests");
        await Expect(requester.GetByText("Aluminium ladder")).ToBeVisibleAsync();
        await requester.CheckPageAsync("55-my-requests");
    }

    [Fact]
    public async Task A_weekly_basket_is_published_with_its_period_and_says_when_it_refills_once_this_weeks_units_are_taken()
    {
        await using var ownerContext = await NewContextAsync();
        var owner = await ownerContext.NewPageAsync();
        await SignUpAsync(owner, "wanda", "Wanda Grower");
        await using var requesterContext = await NewContextAsync();
        var requester = await requesterContext.NewPageAsync();
        await SignUpAsync(requester, "xavi", "Xavi Neighbour");
        var communityId = await SetUpAsync(("wanda", 0), ("xavi", 12));

        await owner.OpenAsync($"/c/{communityId}/shares/new");
        await owner.GetByLabel("Title").FillAsync("Vegetable basket");
        await owner.GetByRole(AriaRole.Radio, new() { Name = "Every week" }).CheckAsync();
        await owner.GetByLabel("Units per week").FillAsync("1");
        await owner.CheckPageAsync("56-new-weekly-share");
        await owner.GetByRole(AriaRole.Button, new() { Name = "Share it" }).ClickAsync();
        await Expect(owner.GetByRole(AriaRole.Heading, new() { Name = "Vegetable basket" })).ToBeVisibleAsync();
        await Expect(owner.GetByTestId("units-free")).ToHaveTextAsync("1 / 1 per week");
        var shareUrl = owner.Url;

        await requester.OpenAsync(shareUrl);
        await requester.GetByRole(AriaRole.Button, new() { Name = "Request", Exact = true }).ClickAsync();
        await Expect(requester.GetByText("Request sent to the owner.")).ToBeVisibleAsync();
        await Expect(owner.GetByTestId("request-card")).ToContainTextAsync("Xavi Neighbour asks for 1");
        await owner.GetByTestId("request-card").GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(owner.GetByTestId("units-free")).ToHaveTextAsync("0 / 1 per week");

        // The week's basket is taken: the share stays active and says when the next one comes.
        await Expect(requester.GetByTestId("request-card")).ToContainTextAsync("Accepted");
        await Expect(requester.GetByTestId("share-none-left")).ToContainTextAsync(new Regex("^None left this week — refills on "));
        await Expect(requester.GetByTestId("share-status")).ToHaveTextAsync("Active");
        await requester.CheckPageAsync("57-weekly-share-none-left");
        await requester.OpenAsync($"/c/{communityId}/shares");
        await Expect(requester.GetByTestId("share-refill")).ToContainTextAsync("None left this week — refills on ");
    }

    private async Task<string> UserIdAsync(string userName)
    {
        await using var db = await App.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        return await db.Users.Where(u => u.UserName == userName).Select(u => u.Id).SingleAsync();
    }

    private async Task<Guid> SetUpAsync(params (string UserName, int Grant)[] members)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var ids = new List<string>();
        foreach (var (name, _) in members) ids.Add(await db.Users.Where(u => u.UserName == name).Select(u => u.Id).SingleAsync());
        var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(ids[0], new("Ladder Lane", null));
        var (_, secret) = await services.GetRequiredService<InviteService>().CreateLinkAsync(ids[0], communityId, new("Neighbours", MemberRole.Member, DateTime.UtcNow.AddDays(1), null));
        for (var i = 1; i < members.Length; i++)
        {
            await services.GetRequiredService<InviteService>().RedeemLinkAsync(ids[i], secret);
            await services.GetRequiredService<TrustService>().SetAdminGrantAsync(ids[0], communityId, ids[i], members[i].Grant);
        }
        // The grants notified the members; start the journey with empty bells.
        await db.Notifications.ExecuteDeleteAsync();
        return communityId;
    }
}
