using Microsoft.AspNetCore.Components.Routing;
using MudBlazor;
using CommunityApp.Components.Navigation;

namespace CommunityApp.Features.Forum;

public static class ForumFeature
{
    public static IServiceCollection AddForum(this IServiceCollection services) => services
        .AddScoped<ForumService>()
        .AddScoped<ForumQueries>()
        .AddCommunitySection(new("Community.Forum", SectionGroup.People, Icons.Material.Filled.Forum, u => u.Forum, Order: 40, Match: NavLinkMatch.Prefix));
}
