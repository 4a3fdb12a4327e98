using Bunit;
using MudBlazor;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Components;

public sealed class WealthPagesTests(SqliteServiceFixture data) : IClassFixture<SqliteServiceFixture>
{
    private ShareService Shares => data.Get<ShareService>();

    [Fact]
    public async Task The_share_page_disables_requesting_below_the_cap_and_says_why()
    {
        var (communityId, _) = await data.CreateCommunityAsync();
        var owner = await data.AddMemberAsync(communityId);
        var low = await data.AddMemberAsync(communityId, score: 10);
        var shareId = await Shares.CreateAsync(owner, communityId, new ShareInput("Sewing machine", "Works well", WealthKind.Object, 1, MinTrust: 12));
        await using var context = PageTestContext.Create(data, low);
        context.Render<MudPopoverProvider>();

        var page = context.Render<SharePage>(p => p.Add(x => x.CommunityId, communityId).Add(x => x.ShareId, shareId));

        page.WaitForAssertion(() => page.Find("[data-testid=request-reason]").TextContent.ShouldBe("Needs 12 trust, you have 10"));
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Request").HasAttribute("disabled").ShouldBeTrue();
        page.Find("[data-testid=units-free]").TextContent.ShouldBe("1 / 1");
    }

    [Fact]
    public async Task The_share_page_shows_the_newest_comments_and_loads_earlier_ones_on_request()
    {
        var (communityId, _) = await data.CreateCommunityAsync();
        var owner = await data.AddMemberAsync(communityId);
        var shareId = await Shares.CreateAsync(owner, communityId, new ShareInput("Pears", null, WealthKind.Object, 5));
        for (var i = 1; i <= 25; i++) await Shares.CommentAsync(owner, shareId, $"Note {i:00}");
        await using var context = PageTestContext.Create(data, owner);
        context.Render<MudPopoverProvider>();

        var page = context.Render<SharePage>(p => p.Add(x => x.CommunityId, communityId).Add(x => x.ShareId, shareId));

        page.WaitForAssertion(() => page.FindAll("[data-testid=comment]").Count.ShouldBe(20));
        page.FindAll("[data-testid=comment]")[^1].TextContent.ShouldContain("Note 25");
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Show 5 earlier comments").Click();

        page.WaitForAssertion(() => page.FindAll("[data-testid=comment]").Count.ShouldBe(25));
        page.FindAll("[data-testid=comment]")[0].TextContent.ShouldContain("Note 01");
        page.FindAll("button").ShouldNotContain(b => b.TextContent.Contains("earlier comments"));
    }

    [Fact]
    public async Task The_owner_sees_each_request_with_the_moves_it_allows()
    {
        var (communityId, _) = await data.CreateCommunityAsync();
        var owner = await data.AddMemberAsync(communityId);
        var requester = await data.AddMemberAsync(communityId, score: 10);
        var shareId = await Shares.CreateAsync(owner, communityId, new ShareInput("Apples", null, WealthKind.Object, 5));
        await Shares.RequestAsync(requester, shareId, 2, "For a pie");
        await using var context = PageTestContext.Create(data, owner);
        context.Render<MudPopoverProvider>();

        var page = context.Render<SharePage>(p => p.Add(x => x.CommunityId, communityId).Add(x => x.ShareId, shareId));

        page.WaitForAssertion(() => page.Find("[data-testid=request-card]").TextContent.ShouldContain("asks for 2"));
        var buttons = page.Find("[data-testid=request-card]").QuerySelectorAll("button").Select(b => b.TextContent.Trim()).ToList();
        buttons.ShouldContain("Accept");
        buttons.ShouldContain("Reject");
        buttons.ShouldNotContain("Confirm receipt");

        page.FindAll("[data-testid=request-card] button").Single(b => b.TextContent.Trim() == "Accept").Click();

        page.WaitForAssertion(() => page.Find("[data-testid=units-free]").TextContent.ShouldBe("3 / 5"));
        page.Find("[data-testid=request-card]").TextContent.ShouldContain("Accepted");
    }

    [Fact]
    public async Task Browsing_lists_active_shares_with_what_is_left()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        await Shares.CreateAsync(admin, communityId, new ShareInput("Tent", "Four people", WealthKind.Object, 2));
        await using var context = PageTestContext.Create(data, admin);
        context.Render<MudPopoverProvider>();

        var page = context.Render<SharesPage>(p => p.Add(x => x.CommunityId, communityId));

        page.WaitForAssertion(() => page.FindAll("tbody tr").ShouldHaveSingleItem().TextContent.ShouldContain("Tent"));
        page.Find("tbody tr").TextContent.ShouldContain("2 / 2");
    }
}
