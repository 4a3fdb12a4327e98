using Microsoft.AspNetCore.Components.Routing;
using CommunityApp.Components.Navigation;

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
}
