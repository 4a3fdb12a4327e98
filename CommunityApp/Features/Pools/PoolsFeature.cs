using Microsoft.AspNetCore.Components.Routing;
using MudBlazor;
using CommunityApp.Components.Navigation;

namespace CommunityApp.Features.Pools;

public static class PoolsFeature
{
    public static IServiceCollection AddPools(this IServiceCollection services) => services
        .AddScoped<PoolService>()
        .AddScoped<PoolQueries>()
        .AddCommunitySection(new("Community.Pools", SectionGroup.Sharing, Icons.Material.Filled.Inventory2, u => u.Pools, Order: 45, Match: NavLinkMatch.Prefix));
}
