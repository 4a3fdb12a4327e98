using MudBlazor;
using CommunityApp.Components.Navigation;

namespace CommunityApp.Features.Trust;

public static class TrustFeature
{
    public static IServiceCollection AddTrust(this IServiceCollection services) => services
        .AddScoped<TrustService>()
        .AddScoped<TrustViewService>()
        .AddScoped<TrustRecalculator>()
        .AddHostedService<TrustDecayJob>()
        .AddCommunitySection(new("Community.Trust", SectionGroup.People, Icons.Material.Filled.Hub, u => u.Trust, Order: 20))
        .AddCommunitySection(new("Community.MyTrust", SectionGroup.People, Icons.Material.Filled.Verified, u => u.MyTrust, Order: 30));
}
