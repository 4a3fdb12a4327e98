using Microsoft.AspNetCore.Components.Routing;
using MudBlazor;
using CommunityApp.Components.Navigation;

namespace CommunityApp.Features.Members;

public static class MembersFeature
{
    public static IServiceCollection AddMembers(this IServiceCollection services) => services
        .AddScoped<MemberService>()
        .AddCommunitySection(new("Community.Members", SectionGroup.People, Icons.Material.Filled.People, u => u.Members, Order: 10, Match: NavLinkMatch.Prefix));
}
