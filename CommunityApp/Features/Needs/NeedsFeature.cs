using Microsoft.AspNetCore.Components.Routing;
using MudBlazor;
using CommunityApp.Components.Navigation;

namespace CommunityApp.Features.Needs;

public static class NeedsFeature
{
    public static IServiceCollection AddNeeds(this IServiceCollection services) => services
        .AddScoped<NeedService>()
        .AddScoped<NeedQueries>()
        .AddHostedService<NeedRecurrenceJob>()
        .AddCommunitySection(new("Community.Needs", SectionGroup.Sharing, Icons.Material.Filled.ShoppingBasket, u => u.Needs, Order: 15, Match: NavLinkMatch.Prefix));
}
