using System.Text.RegularExpressions;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Components;

public sealed class NeedsPagesTests(SqliteServiceFixture data) : IClassFixture<SqliteServiceFixture>
{
    private NeedService Needs => data.Get<NeedService>();

    private async Task<string> MemberAsync(Guid communityId, string displayName, int score)
    {
        var userId = await data.AddMemberAsync(communityId, score: score);
        await using var db = await data.NewContextAsync();
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, displayName));
        return userId;
    }

    private static string Flat(string text) => Regex.Replace(text, @"\s+", " ").Trim();

    [Fact]
    public async Task The_needs_page_adds_up_needs_by_item_and_period_shows_wants_apart_and_updates_live()
    {
        var (communityId, _) = await data.CreateCommunityAsync();
        var carrots = await data.ItemIdAsync(communityId, "Carrots");
        var ana = await MemberAsync(communityId, "Ana", 5);
        var ben = await MemberAsync(communityId, "Ben", 5);
        await Needs.CreateAsync(ana, communityId, new NeedInput(carrots, null, null, 5, NeedPriority.Need, NeedRecurrence.Weekly));
        await Needs.CreateAsync(ben, communityId, new NeedInput(carrots, null, null, 8, NeedPriority.Need, NeedRecurrence.Weekly));
        await using var context = PageTestContext.Create(data, ana);
        context.Render<MudPopoverProvider>();

        var page = context.Render<NeedsPage>(p => p.Add(x => x.CommunityId, communityId));

        page.WaitForAssertion(() => Flat(page.Find("[data-testid=needs-need] [data-testid=need-group]").TextContent).ShouldBe("13 Carrots per week: 5 Ana, 8 Ben"));
        page.Find("[data-testid=needs-want]").TextContent.ShouldContain("Nobody has published a want yet.");
        page.FindAll("a").ShouldContain(a => a.TextContent.Trim() == "Publish a need" && a.GetAttribute("href") == $"/c/{communityId}/needs/new");

        // Another member's want, published elsewhere (through the page's own services, so on its event hub), appears without a reload.
        await context.Services.GetRequiredService<NeedService>().CreateAsync(ben, communityId, new NeedInput(null, "Jam jars", null, 4, NeedPriority.Want));

        page.WaitForAssertion(() => Flat(page.Find("[data-testid=needs-want] [data-testid=need-group]").TextContent).ShouldBe("4 Jam jars: 4 Ben"));
    }

    [Fact]
    public async Task Below_the_needs_threshold_publishing_is_disabled_with_the_reason()
    {
        var (communityId, _) = await data.CreateCommunityAsync();
        var low = await MemberAsync(communityId, "Lia", 2);
        await using var context = PageTestContext.Create(data, low);
        context.Render<MudPopoverProvider>();

        var page = context.Render<NeedsPage>(p => p.Add(x => x.CommunityId, communityId));

        page.WaitForAssertion(() => page.Find("#publish-reason").TextContent.ShouldBe("Needs 5 trust, you have 2"));
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Publish a need").HasAttribute("disabled").ShouldBeTrue();
        page.Find("[data-testid=needs-need]").TextContent.ShouldContain("Nobody has published a need yet.");
    }

    [Fact]
    public async Task The_owner_marks_a_need_fulfilled_from_its_page()
    {
        var (communityId, _) = await data.CreateCommunityAsync();
        var ana = await MemberAsync(communityId, "Ana", 5);
        var needId = await Needs.CreateAsync(ana, communityId, new NeedInput(null, "Ladder", "Just for a day", 1));
        await using var context = PageTestContext.Create(data, ana);
        context.Render<MudPopoverProvider>();

        var page = context.Render<NeedPage>(p => p.Add(x => x.CommunityId, communityId).Add(x => x.NeedId, needId));

        page.WaitForAssertion(() => page.Find("[data-testid=need-status]").TextContent.ShouldBe("Active"));
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Mark as fulfilled").Click();

        page.WaitForAssertion(() => page.Find("[data-testid=need-status]").TextContent.ShouldBe("Fulfilled"));
        page.FindAll("button").ShouldNotContain(b => b.TextContent.Trim() == "Cancel need");
        await using var db = await data.NewContextAsync();
        (await db.Needs.Where(n => n.Id == needId).Select(n => n.Status).SingleAsync()).ShouldBe(NeedStatus.Fulfilled);
    }
}
