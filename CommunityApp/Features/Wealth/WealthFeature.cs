using Microsoft.AspNetCore.Components.Routing;
using MudBlazor;
using CommunityApp.Components.Navigation;

namespace CommunityApp.Features.Wealth;

public static class WealthFeature
{
    public static IServiceCollection AddWealth(this IServiceCollection services) => services
        .AddScoped<ShareService>()
        .AddScoped<WealthQueries>()
        .AddScoped<CatalogService>()
        .AddHostedService<ShareExpiryJob>()
        .AddHostedService<ShareRefillJob>()
        .AddCommunitySection(new("Community.Wealth", SectionGroup.Sharing, Icons.Material.Filled.VolunteerActivism, u => u.Shares, Order: 10, Match: NavLinkMatch.Prefix))
        .AddCommunitySection(new("Community.Requests", SectionGroup.Sharing, Icons.Material.Filled.Inbox, u => u.Requests, Order: 20,
            Badge: (context, ct) => context.Services.GetRequiredService<WealthQueries>().OpenIncomingCountAsync(context.UserId, context.Home.Id, ct)))
        .AddCommunitySection(new("Catalog.Title", SectionGroup.Sharing, Icons.Material.Filled.Category, u => u.Catalogue, Order: 30));
}
