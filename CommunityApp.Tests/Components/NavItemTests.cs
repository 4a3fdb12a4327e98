using Microsoft.AspNetCore.Components.Routing;
using CommunityApp.Components.Navigation;
using CommunityApp.Components.Shared;
using Bunit;
using MudBlazor;

namespace CommunityApp.Tests.Components;

/// <summary>The drawer's links decide their own "active" mark (no NavLink component per link): NavLink's rule.</summary>
public sealed class NavItemTests
{
    private const string Community = "/c/01a250ab-a9b6-7bcb-a629-08c6b5a961ca";

    [Theory]
    [InlineData("http://app.test/", "/", NavLinkMatch.All, true)]
    [InlineData("http://app.test/communities", "/", NavLinkMatch.All, false)]
    [InlineData("http://app.test/communities", "/communities", NavLinkMatch.All, true)]
    [InlineData("http://app.test/communities/", "/communities", NavLinkMatch.All, true)]
    [InlineData("http://app.test/Communities?page=2#top", "/communities", NavLinkMatch.All, true)]
    [InlineData("http://app.test/communities/new", "/communities", NavLinkMatch.All, false)]
    [InlineData("http://app.test/profile/security", "/profile", NavLinkMatch.Prefix, true)]
    [InlineData("http://app.test/profiles", "/profile", NavLinkMatch.Prefix, false)]
    [InlineData("http://app.test" + Community, Community, NavLinkMatch.All, true)]
    [InlineData("http://app.test" + Community + "/members", Community, NavLinkMatch.All, false)]
    [InlineData("http://app.test" + Community + "/members/abc", Community + "/members", NavLinkMatch.Prefix, true)]
    [InlineData("http://app.test" + Community + "/members", Community + "/members?sort=name", NavLinkMatch.All, true)]
    public void A_link_is_active_by_NavLinks_rule(string current, string href, NavLinkMatch match, bool active) =>
        NavItem.IsActive(current, href, match).ShouldBe(active);

    [Fact]
    public void The_current_link_is_marked_and_names_its_badge()
    {
        using var context = new BunitContext();
        var links = context.Render(builder =>
        {
            builder.AddContent(0, NavItem.Link("http://app.test" + Community + "/forum/review", Community + "/forum/review",
                NavLinkMatch.Prefix, Icons.Material.Filled.Flag, "Review queue <b>", 3, "3 waiting"));
            builder.AddContent(1, NavItem.Link("http://app.test" + Community + "/forum/review", Community, NavLinkMatch.All,
                Icons.Material.Filled.Dashboard, "Overview", 0, null));
        });

        var (current, other) = (links.FindAll("a")[0], links.FindAll("a")[1]);
        current.GetAttribute("href").ShouldBe(Community + "/forum/review");
        current.GetAttribute("aria-current").ShouldBe("page");
        current.ClassList.ShouldContain("active");
        current.QuerySelector("svg")!.GetAttribute("aria-hidden").ShouldBe("true");
        current.QuerySelector(".mud-nav-link-text")!.TextContent.ShouldBe("Review queue <b>3");
        current.QuerySelector(".nav-badge")!.GetAttribute("aria-label").ShouldBe("3 waiting");
        other.HasAttribute("aria-current").ShouldBeFalse();
        other.ClassList.ShouldNotContain("active");
        other.QuerySelector(".nav-badge").ShouldBeNull();
    }

    [Fact]
    public void An_icon_is_one_markup_string_shared_by_every_render()
    {
        var first = IconMarkup.Svg(Icons.Material.Filled.Home).Value;
        var again = IconMarkup.Svg(Icons.Material.Filled.Home).Value;

        ReferenceEquals(first, again).ShouldBeTrue();
        first.ShouldStartWith("<svg class=\"mud-icon-root mud-svg-icon mud-icon-size-medium\" focusable=\"false\"");
        first.ShouldContain(Icons.Material.Filled.Home);
        IconMarkup.Svg(Icons.Material.Filled.Home, "a \"b").Value.ShouldStartWith("<svg class=\"a &quot;b\"");
    }
}
