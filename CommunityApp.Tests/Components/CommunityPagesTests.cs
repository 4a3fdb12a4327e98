using Microsoft.EntityFrameworkCore;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using CommunityApp.Features.Communities;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Components;

public sealed class CommunityPagesTests(SqliteServiceFixture data) : IClassFixture<SqliteServiceFixture>
{
    private CommunityService Communities => data.Get<CommunityService>();

    [Fact]
    public async Task My_communities_shows_each_community_with_my_role_and_its_member_count()
    {
        var me = await data.CreateUserAsync();
        var other = await data.CreateUserAsync();
        await Communities.CreateAsync(me, new CommunityInput("Bike Kitchen", "Fix bikes together"));
        var theirs = await Communities.CreateAsync(other, new CommunityInput("Seed Library", null));
        await using (var db = await data.NewContextAsync())
        {
            db.Memberships.Add(new Membership { CommunityId = theirs, UserId = me, Role = MemberRole.Member });
            await db.SaveChangesAsync();
        }
        await using var context = PageTestContext.Create(data, me);

        var page = context.Render<MyCommunitiesPage>();

        page.WaitForAssertion(() => page.FindAll(".mud-card").Count.ShouldBe(2));
        var bike = page.FindAll(".mud-card").Single(c => c.TextContent.Contains("Bike Kitchen"));
        bike.TextContent.ShouldContain("Admin");
        bike.TextContent.ShouldContain("1 member");
        bike.TextContent.ShouldContain("Fix bikes together");
        var seeds = page.FindAll(".mud-card").Single(c => c.TextContent.Contains("Seed Library"));
        seeds.TextContent.ShouldContain("Member");
        seeds.TextContent.ShouldContain("2 members");
        seeds.QuerySelector("a")!.GetAttribute("href").ShouldBe($"/c/{theirs}");
    }

    [Fact]
    public async Task A_large_community_shows_its_kept_member_count_with_thousands_separators_on_its_home_and_in_my_communities()
    {
        var me = await data.CreateUserAsync();
        var id = await Communities.CreateAsync(me, new CommunityInput("City Commons", null));
        await using (var db = await data.NewContextAsync())
        {
            // The count the database keeps (triggers on memberships) is what the pages show; no page counts the members.
            await db.Communities.Where(c => c.Id == id).ExecuteUpdateAsync(s => s.SetProperty(c => c.MemberCount, 512_345));
        }
        await using var context = PageTestContext.Create(data, me);

        var mine = context.Render<MyCommunitiesPage>();
        mine.WaitForAssertion(() => mine.FindAll(".mud-card").Single(c => c.TextContent.Contains("City Commons")).TextContent.ShouldContain("512,345 members"));
        var home = context.Render<CommunityHomePage>(p => p.Add(x => x.CommunityId, id));
        home.WaitForAssertion(() => home.Find("[data-testid=member-count]").TextContent.ShouldBe("512,345"));
    }

    [Fact]
    public async Task My_communities_explains_what_to_do_when_there_are_none()
    {
        var me = await data.CreateUserAsync();
        await using var context = PageTestContext.Create(data, me);

        var page = context.Render<MyCommunitiesPage>();

        page.WaitForAssertion(() => page.Markup.ShouldContain("You are not in any community yet"));
    }

    [Fact]
    public async Task Creating_without_a_name_shows_the_field_message_and_creates_nothing()
    {
        var me = await data.CreateUserAsync();
        await using var context = PageTestContext.Create(data, me);
        var page = context.Render<CreateCommunityPage>();

        page.FindAll("button").Single(b => b.TextContent.Trim() == "Create").Click();

        page.WaitForAssertion(() => page.Markup.ShouldContain("Enter a name."));
        (await Communities.ListMineAsync(me)).Total.ShouldBe(0);
    }

    [Fact]
    public async Task Creating_with_a_name_opens_the_new_community()
    {
        var me = await data.CreateUserAsync();
        await using var context = PageTestContext.Create(data, me);
        var page = context.Render<CreateCommunityPage>();

        page.Find("input").Change("Tool Shed");
        page.Find("textarea").Change("Borrow a drill");
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Create").Click();

        var navigation = context.Services.GetRequiredService<NavigationManager>();
        page.WaitForAssertion(() => navigation.Uri.ShouldMatch(@"/c/[0-9a-f-]{36}$"));
        var created = (await Communities.ListMineAsync(me)).Items.ShouldHaveSingleItem();
        created.Name.ShouldBe("Tool Shed");
        navigation.Uri.ShouldEndWith($"/c/{created.Id}");
    }

    [Fact]
    public async Task The_home_shows_a_member_the_description_member_count_and_role()
    {
        var admin = await data.CreateUserAsync();
        var id = await Communities.CreateAsync(admin, new CommunityInput("Choir", "We sing on Tuesdays"));
        await using var context = PageTestContext.Create(data, admin);

        var page = context.Render<CommunityHomePage>(p => p.Add(x => x.CommunityId, id));

        page.WaitForAssertion(() => page.Find("h1").TextContent.ShouldBe("Choir"));
        page.Markup.ShouldContain("We sing on Tuesdays");
        page.Find("[data-testid=member-count]").TextContent.ShouldBe("1");
        page.Find("[data-testid=my-role]").TextContent.ShouldBe("Admin");
        page.FindAll("a").ShouldContain(a => a.GetAttribute("href") == $"/c/{id}/edit");
    }

    [Fact]
    public async Task A_non_member_gets_the_not_a_member_page_and_none_of_the_community()
    {
        var admin = await data.CreateUserAsync();
        var outsider = await data.CreateUserAsync();
        var id = await Communities.CreateAsync(admin, new CommunityInput("Secret Society", "Hidden description"));
        await using var context = PageTestContext.Create(data, outsider);

        var page = context.Render<CommunityHomePage>(p => p.Add(x => x.CommunityId, id));

        page.WaitForAssertion(() => page.Markup.ShouldContain("You are not a member of this community"));
        page.Markup.ShouldNotContain("Secret Society");
        page.Markup.ShouldNotContain("Hidden description");
    }

    [Fact]
    public async Task A_plain_member_cannot_use_the_edit_page()
    {
        var admin = await data.CreateUserAsync();
        var member = await data.CreateUserAsync();
        var id = await Communities.CreateAsync(admin, new CommunityInput("Edit guard", null));
        await using (var db = await data.NewContextAsync())
        {
            db.Memberships.Add(new Membership { CommunityId = id, UserId = member, Role = MemberRole.Member });
            await db.SaveChangesAsync();
        }
        await using var context = PageTestContext.Create(data, member);

        var page = context.Render<EditCommunityPage>(p => p.Add(x => x.CommunityId, id));

        page.WaitForAssertion(() => System.Net.WebUtility.HtmlDecode(page.Markup).ShouldContain("Only the community's admins can use this page."));
        page.FindAll("input").ShouldBeEmpty();
    }

    [Fact]
    public async Task An_admin_renames_the_community_on_the_edit_page()
    {
        var admin = await data.CreateUserAsync();
        var id = await Communities.CreateAsync(admin, new CommunityInput("Old name", null));
        await using var context = PageTestContext.Create(data, admin);
        context.Render<MudPopoverProvider>();
        var page = context.Render<EditCommunityPage>(p => p.Add(x => x.CommunityId, id));

        page.WaitForAssertion(() => page.Find("input").GetAttribute("value").ShouldBe("Old name"));
        page.Find("input").Change("New name");
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Save").Click();

        page.WaitForAssertion(() => context.Services.GetRequiredService<NavigationManager>().Uri.ShouldEndWith($"/c/{id}"));
        (await Communities.GetHomeAsync(admin, id)).Name.ShouldBe("New name");
    }
}
