using MudBlazor;
using CommunityApp.Components.Navigation;

namespace CommunityApp.Features.Communities;

public static class CommunitiesFeature
{
    public static IServiceCollection AddCommunities(this IServiceCollection services) => services
        .AddScoped<CommunityService>()
        .AddCommunitySection(new("Community.Overview", SectionGroup.Top, Icons.Material.Filled.Dashboard, u => u.Home));
}
