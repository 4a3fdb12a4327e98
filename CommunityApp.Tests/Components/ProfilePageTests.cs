using Bunit;
using CommunityApp.Features.Profile;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Components;

public sealed class ProfilePageTests(SqliteServiceFixture data) : IClassFixture<SqliteServiceFixture>
{
    [Fact]
    public async Task A_taken_username_is_shown_beside_the_field_and_nothing_changes()
    {
        await data.CreateUserAsync("takenname");
        var me = await data.CreateUserAsync("myname");
        await using var context = PageTestContext.Create(data, me);
        var page = context.Render<ProfilePage>();
        page.WaitForAssertion(() => page.FindAll("input").Count.ShouldBeGreaterThan(1));

        page.FindAll("input")[1].Change("takenname");
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Save").Click();

        page.WaitForAssertion(() => System.Net.WebUtility.HtmlDecode(page.Markup).ShouldContain("The username 'takenname' is taken."));
        (await data.Get<ProfileService>().GetAsync(me)).UserName.ShouldBe("myname");
    }

    [Fact]
    public async Task Saving_a_valid_profile_stores_it()
    {
        var me = await data.CreateUserAsync("editme");
        await using var context = PageTestContext.Create(data, me);
        var page = context.Render<ProfilePage>();
        page.WaitForAssertion(() => page.FindAll("input").Count.ShouldBeGreaterThan(1));

        page.FindAll("input")[0].Change("Edited Person");
        page.Find("textarea").Change("New bio");
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Save").Click();

        page.WaitForAssertion(async () =>
        {
            var saved = await data.Get<ProfileService>().GetAsync(me);
            saved.DisplayName.ShouldBe("Edited Person");
            saved.Bio.ShouldBe("New bio");
        });
    }

    [Fact]
    public async Task A_bio_over_the_limit_is_shown_beside_the_field_uncut_and_nothing_is_saved()
    {
        var me = await data.CreateUserAsync("longbio");
        await using var context = PageTestContext.Create(data, me);
        var page = context.Render<ProfilePage>();
        page.WaitForAssertion(() => page.FindAll("textarea").Count.ShouldBe(1));
        var typed = new string('b', ProfileRules.BioMax + 1);

        page.Find("textarea").Change(typed);
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Save").Click();

        page.WaitForAssertion(() => page.Markup.ShouldContain($"Use at most {ProfileRules.BioMax} characters."));
        page.Markup.ShouldNotContain("Profile saved.");
        // MudBlazor's default maxlength (512 K characters) is left alone: a maxlength at the limit would cut what was typed.
        int.Parse(page.Find("textarea").GetAttribute("maxlength") ?? int.MaxValue.ToString()).ShouldBeGreaterThan(40 * 1024);
        page.Find("textarea").TextContent.ShouldBe(typed);
        (await data.Get<ProfileService>().GetAsync(me)).Bio.ShouldBeNull();
    }
}
