using Microsoft.Extensions.DependencyInjection;
using Bunit;
using MudBlazor;
using CommunityApp.Auth;
using CommunityApp.Components.Navigation;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Members;
using CommunityApp.Features.Settings;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Components;

public sealed class GovernancePagesTests(SqliteServiceFixture data) : IClassFixture<SqliteServiceFixture>
{
    [Fact]
    public async Task The_home_explains_each_permission_with_its_reason()
    {
        var (communityId, _) = await data.CreateCommunityAsync();
        var member = await data.AddMemberAsync(communityId, score: 12, featureRoles: FeatureRole.PollCreator);
        await using var context = PageTestContext.Create(data, member);
        context.Render<MudPopoverProvider>();
        var nav = context.Render<CommunityNav>();

        var page = context.Render<CommunityHomePage>(p => p.Add(x => x.CommunityId, communityId));

        page.WaitForAssertion(() => page.FindAll("li[data-permission]").Count.ShouldBe(16));
        Reason(page, Permission.AwardTrust).ShouldBe("Needs 15 trust, you have 12");
        Reason(page, Permission.RequestWealth).ShouldBe("Your trust 12 meets 10");
        Reason(page, Permission.CreatePolls).ShouldBe("Granted by role Poll creator");
        page.Find("[data-testid=my-trust]").TextContent.ShouldBe("12");
        nav.WaitForAssertion(() => nav.FindAll("nav a").Select(a => a.TextContent.Trim()).ShouldBe(["Overview", "Members", "Skills", "Trust", "My trust", "Forum", "Shared wealth", "Needs", "Requests", "Catalogue", "Councils", "Pools", "Disputes", "Recognition", "Polls"]));
    }

    [Fact]
    public async Task The_navigation_loads_the_members_standing_once_for_all_its_sections_rules()
    {
        var ct = Xunit.TestContext.Current.CancellationToken;
        var (communityId, admin) = await data.CreateCommunityAsync();
        var member = await data.AddMemberAsync(communityId, score: 12);
        await using var context = PageTestContext.Create(data, member);
        var communities = context.Services.GetRequiredService<CommunityService>();
        var permissions = context.Services.GetRequiredService<PermissionService>();

        foreach (var userId in new[] { admin, member })
        {
            var section = new SectionContext(await communities.GetHomeAsync(userId, communityId, ct), userId, context.Services);
            var first = section.StandingAsync(ct);
            section.StandingAsync(ct).ShouldBeSameAs(first, "one load for every rule and badge of the pass");
            foreach (var permission in new[] { Permission.ViewHealthAnalytics, Permission.ReviewFlags, Permission.HandleDisputes, Permission.RequestWealth })
            {
                (await section.AllowsAsync(permission, ct)).ShouldBe(
                    (await permissions.CheckAsync(userId, permission, PermissionScope.Community(communityId), ct)).Allowed, $"{permission} for {userId}");
            }
        }
    }

    [Fact]
    public async Task Admins_see_the_admin_sections_and_members_do_not_get_the_settings_page()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        var member = await data.AddMemberAsync(communityId);
        await using (var adminContext = PageTestContext.Create(data, admin))
        {
            adminContext.Render<MudPopoverProvider>();
            var nav = adminContext.Render<CommunityNav>();
            var home = adminContext.Render<CommunityHomePage>(p => p.Add(x => x.CommunityId, communityId));
            nav.WaitForAssertion(() => nav.FindAll("nav a").Select(a => a.TextContent.Trim()).ShouldBe(["Overview", "Members", "Skills", "Trust", "My trust", "Forum", "Review queue", "Shared wealth", "Needs", "Requests", "Catalogue", "Councils", "Pools", "Disputes", "Recognition", "Polls", "Health", "Non-contributors", "Trust rings", "Settings", "Invites", "Audit log"]));
            Reason(home, Permission.ModerateForum).ShouldBe("Admin");
        }
        await using var memberContext = PageTestContext.Create(data, member);

        var settings = memberContext.Render<SettingsPage>(p => p.Add(x => x.CommunityId, communityId));

        settings.WaitForAssertion(() => System.Net.WebUtility.HtmlDecode(settings.Markup).ShouldContain("Only the community's admins can use this page."));
        settings.FindAll("input").ShouldBeEmpty();
    }

    [Fact]
    public async Task The_settings_page_shows_field_messages_for_bad_thresholds_and_saves_nothing()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        await using var context = PageTestContext.Create(data, admin);
        context.Render<MudPopoverProvider>();
        var page = context.Render<SettingsPage>(p => p.Add(x => x.CommunityId, communityId));
        page.WaitForAssertion(() => page.FindAll("input[data-setting]").Count.ShouldBe(16 + 2 + 2 + 1 + 1, "16 thresholds, 2 decay and 2 analytics numbers, the request confirm days, the recognition budget"));

        page.Find("input[data-setting=minTrustForPolls]").Change("2.5");
        page.Find("button[aria-label='Save Trust thresholds']").Click();

        page.WaitForAssertion(() => page.Markup.ShouldContain("Use a whole number."));
        (await data.Get<SettingsService>().GetAsync(admin, communityId)).Thresholds.Single(t => t.SettingName == "minTrustForPolls").Text.ShouldBe("15");
    }

    [Fact]
    public async Task Pending_direct_invites_are_listed_on_my_communities()
    {
        var (communityId, admin) = await data.CreateCommunityAsync("Invite Garden");
        var invitee = await data.CreateUserAsync("bunitinvitee");
        await data.Get<InviteService>().CreateDirectAsync(admin, communityId, new("bunitinvitee", MemberRole.Member));
        await using var context = PageTestContext.Create(data, invitee);

        var page = context.Render<MyCommunitiesPage>();

        page.WaitForAssertion(() => page.Find("[data-testid=pending-invite]").TextContent.ShouldContain("Invite Garden invites you as Member"));
    }

    [Fact]
    public async Task The_member_list_shows_titles_and_feature_roles()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        await data.AddMemberAsync(communityId, score: 55, featureRoles: FeatureRole.ItemManager);
        await using var context = PageTestContext.Create(data, admin);
        context.Render<MudPopoverProvider>();

        var page = context.Render<MembersPage>(p => p.Add(x => x.CommunityId, communityId));

        page.WaitForAssertion(() => page.FindAll("tbody tr").Count.ShouldBe(2));
        var top = page.FindAll("tbody tr")[0].TextContent;
        top.ShouldContain("Trusted");
        top.ShouldContain("Item manager");
        top.ShouldContain("55");
    }

    [Fact]
    public async Task The_member_list_pages_forward_and_back_by_keyset()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        for (var i = 1; i <= 26; i++) await data.AddMemberAsync(communityId, score: i);
        await using var context = PageTestContext.Create(data, admin);
        context.Render<MudPopoverProvider>();

        var page = context.Render<MembersPage>(p => p.Add(x => x.CommunityId, communityId));
        page.WaitForAssertion(() => page.FindAll("tbody tr").Count.ShouldBe(25));
        page.FindAll("tbody tr")[0].TextContent.ShouldContain("26");
        // The pager's buttons: first, previous, next, last.
        page.FindAll(".mud-table-pagination-actions button")[2].Click();
        page.WaitForAssertion(() => page.FindAll("tbody tr").Count.ShouldBe(2));
        page.FindAll("tbody tr")[0].TextContent.ShouldContain("1");
        page.Markup.ShouldContain("26-27 of 27");
        page.FindAll(".mud-table-pagination-actions button")[1].Click();
        page.WaitForAssertion(() => page.FindAll("tbody tr").Count.ShouldBe(25));
        page.FindAll("tbody tr")[0].TextContent.ShouldContain("26");
    }

    private static string Reason(IRenderedComponent<CommunityHomePage> page, Permission permission) =>
        page.Find($"li[data-permission={permission}] [data-testid=permission-reason]").TextContent;
}
