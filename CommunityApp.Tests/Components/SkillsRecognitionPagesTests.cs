using Microsoft.Extensions.DependencyInjection;
using Bunit;
using MudBlazor;
using CommunityApp.Features.Members;
using CommunityApp.Features.Recognition;
using CommunityApp.Features.Skills;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Components;

/// <summary>The skills, recognition and catalogue-value pages (docs/SPEC.md §17, §18) over SQLite, the embedded default.</summary>
public sealed class SkillsRecognitionPagesTests(SqliteServiceFixture data) : IClassFixture<SqliteServiceFixture>
{
    [Fact]
    public async Task A_manager_sets_an_items_value_and_an_out_of_range_one_gets_its_field_message()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        await using var context = PageTestContext.Create(data, admin);
        context.Render<MudPopoverProvider>();
        var page = context.Render<CatalogPage>(p => p.Add(x => x.CommunityId, communityId));
        page.WaitForAssertion(() => page.FindAll("button[aria-label='Set the value per unit of Carrots']").Count.ShouldBe(1));

        page.Find("button[aria-label='Set the value per unit of Carrots']").Click();
        page.Find("input[data-testid=item-value]").Change("10001");
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Save").Click();
        page.WaitForAssertion(() => page.Markup.ShouldContain("Use a whole number from 0 to 10000."));
        (await data.Get<CatalogService>().ItemsAsync(admin, communityId, "Carrots")).Single().ValuePoints.ShouldBeNull();

        page.Find("input[data-testid=item-value]").Change("3");
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Save").Click();
        page.WaitForAssertion(() => page.FindAll("[data-testid=item]").Single(r => r.TextContent.Contains("Carrots")).TextContent.ShouldContain("· 3"));
        (await data.Get<CatalogService>().ItemsAsync(admin, communityId, "Carrots")).Single().ValuePoints.ShouldBe(3);
    }

    [Fact]
    public async Task The_recognition_page_shows_the_budget_the_members_own_entries_and_totals_without_names()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        var giver = await data.AddMemberAsync(communityId, score: 10);
        await data.Get<RecognitionService>().GrantAsync(giver, communityId, admin, 6, "Ran the spring meeting");
        await using var context = PageTestContext.Create(data, giver);
        context.Render<MudPopoverProvider>();

        var page = context.Render<RecognitionPage>(p => p.Add(x => x.CommunityId, communityId));

        page.WaitForAssertion(() => page.Find("[data-testid=budget]").TextContent.ShouldBe("Used 6 of 20 units this month."));
        page.WaitForAssertion(() => page.FindAll("[data-testid=entries-given] [data-testid=entry]").Count.ShouldBe(1));
        page.Find("[data-testid=entries-given]").TextContent.ShouldContain("Ran the spring meeting");
        page.Find("[data-testid=entries-received-empty]").TextContent.ShouldBe("Nothing yet.");
        page.Find("[data-testid=totals-by-category]").TextContent.ShouldContain("Peer recognition");
        page.Find("[data-testid=totals-by-month]").TextContent.ShouldContain("6");
        page.Find("[data-testid=totals-by-category]").TextContent.ShouldNotContain("Admin");
    }

    [Fact]
    public async Task The_skills_page_finds_a_skill_and_says_why_a_newcomer_may_not_endorse()
    {
        var (communityId, _) = await data.CreateCommunityAsync();
        var owner = await data.AddMemberAsync(communityId);
        var newcomer = await data.AddMemberAsync(communityId, score: 4);
        await data.Get<SkillService>().AddAsync(owner, "Carpentry");
        await using var context = PageTestContext.Create(data, newcomer);
        context.Render<MudPopoverProvider>();

        var page = context.Render<SkillsPage>(p => p.Add(x => x.CommunityId, communityId));

        page.WaitForAssertion(() => page.FindAll("[data-testid=skill-chip]").Select(c => c.TextContent.Trim()).ShouldBe(["Carpentry · 0"]));
        page.Find("[data-testid=permission-reason]").TextContent.ShouldBe("Needs 10 trust, you have 4");
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Endorse").HasAttribute("disabled").ShouldBeTrue();
    }

    [Fact]
    public async Task The_member_list_shows_top_skills_and_follows_a_new_endorsement_live()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        var owner = await data.AddMemberAsync(communityId);
        var skills = data.Get<SkillService>();
        var skill = await skills.AddAsync(owner, "Sewing");
        await using var context = PageTestContext.Create(data, owner);
        context.Render<MudPopoverProvider>();
        var page = context.Render<MembersPage>(p => p.Add(x => x.CommunityId, communityId));
        page.WaitForAssertion(() => page.FindAll("[data-testid=member-skill]").Select(c => c.TextContent.Trim()).ShouldBe(["Sewing · 0"]));

        // The context's own services publish on the same hub the page listens to.
        await context.Services.GetRequiredService<SkillService>().EndorseAsync(admin, communityId, skill);

        page.WaitForAssertion(() => page.FindAll("[data-testid=member-skill]").Select(c => c.TextContent.Trim()).ShouldBe(["Sewing · 1"]));
    }
}
