using AngleSharp.Dom;
using Bunit;
using MudBlazor;
using CommunityApp.Features.Councils;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Components;

/// <summary>The council's Reports tab and the initiative page (docs/SPEC.md §6) rendered with bUnit over real services.</summary>
public sealed class CouncilsPagesTests(SqliteServiceFixture data) : IClassFixture<SqliteServiceFixture>
{
    private async Task<(Guid CommunityId, string Manager, string Member, Guid CouncilId)> SetUpAsync()
    {
        var (communityId, _) = await data.CreateCommunityAsync();
        var manager = await data.AddMemberAsync(communityId, score: 25);
        var member = await data.AddMemberAsync(communityId, score: 10);
        var councilId = await data.Get<CouncilService>().CreateAsync(manager, communityId, new CouncilInput("Food pantry", "Collects food and hands it to who needs it."));
        return (communityId, manager, member, councilId);
    }

    [Fact]
    public async Task A_report_body_with_script_and_javascript_links_renders_inert_through_the_report_path()
    {
        var (communityId, manager, member, councilId) = await SetUpAsync();
        await data.Get<CouncilReportService>().CreateAsync(manager, councilId, new ReportInput("March",
            "Hello <script>alert(1)</script> **world** [click](javascript:alert(2)) <img src=x onerror=alert(3)> ![pic](https://evil.example/x.png) ![own](/images/reports/1)"));
        await using var context = PageTestContext.Create(data, member);
        context.Render<MudPopoverProvider>();

        var tab = context.Render<CouncilReportsTab>(p => p.Add(x => x.CommunityId, communityId).Add(x => x.CouncilId, councilId).Add(x => x.UserId, member));

        tab.WaitForAssertion(() => tab.Find("[data-testid=report] .markdown-body strong").TextContent.ShouldBe("world"));
        var body = tab.Find("[data-testid=report] .markdown-body");
        body.QuerySelectorAll("script").ShouldBeEmpty();
        body.QuerySelectorAll("*").SelectMany(e => e.Attributes).ShouldNotContain(a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase));
        body.QuerySelectorAll("[href]").ShouldNotContain(e => e.GetAttribute("href")!.Contains("javascript", StringComparison.OrdinalIgnoreCase));
        body.QuerySelectorAll("img").Select(i => i.GetAttribute("src")).ShouldBe(["/images/reports/1"]);
        body.TextContent.ShouldContain("<script>alert(1)</script>", Case.Sensitive, "raw HTML shows as text");
        tab.FindAll("button").ShouldNotContain(b => b.TextContent.Trim() == "Publish report", "members do not write reports");
    }

    [Fact]
    public async Task On_the_initiative_page_a_member_votes_withdraws_and_comments()
    {
        var (communityId, manager, member, councilId) = await SetUpAsync();
        var id = await data.Get<InitiativeService>().CreateAsync(manager, councilId, new InitiativeInput("Community fridge", "Put a *fridge* in the hall."));
        await using var context = PageTestContext.Create(data, member);
        context.Render<MudPopoverProvider>();

        var page = context.Render<InitiativePage>(p => p.Add(x => x.CommunityId, communityId).Add(x => x.CouncilId, councilId).Add(x => x.InitiativeId, id));

        page.WaitForAssertion(() => page.Find("[data-testid=initiative-title]").TextContent.ShouldBe("Community fridge"));
        page.Find(".markdown-body em").TextContent.ShouldBe("fridge");
        page.FindAll("button").ShouldNotContain(b => b.TextContent.Trim() == "Change status", "members do not move the status");
        Button(page, "For (0)").Click();
        page.WaitForAssertion(() => page.Find("[data-testid=initiative-score]").TextContent.ShouldBe("Score 1"));
        Button(page, "For (1)").GetAttribute("aria-pressed").ShouldBe("true");
        Button(page, "For (1)").Click();
        page.WaitForAssertion(() => page.Find("[data-testid=initiative-score]").TextContent.ShouldBe("Score 0"));

        Button(page, "Post comment").Click();
        page.WaitForAssertion(() => page.Markup.ShouldContain("Use 1 to 2000 characters."));
        page.FindAll("[data-testid=comment]").ShouldBeEmpty();

        page.Find("textarea").Change("I can <b>clean</b> it on Mondays.");
        Button(page, "Post comment").Click();
        page.WaitForAssertion(() => page.Find("[data-testid=comment]").TextContent.ShouldContain("I can <b>clean</b> it on Mondays."));
        page.Find("[data-testid=comment]").QuerySelectorAll("b").ShouldBeEmpty();
        page.Find("[data-testid=comment]").QuerySelectorAll("button").Single().TextContent.Trim().ShouldBe("Delete comment");
    }

    private static IElement Button(IRenderedComponent<InitiativePage> page, string text) => page.FindAll("button").Single(b => b.TextContent.Trim() == text);
}
