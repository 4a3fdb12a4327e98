using CommunityApp.Features.Communities;
using CommunityApp.Features.Profile;

namespace CommunityApp.Features;

public static class FeatureSetup
{
    /// <summary>Each feature's services: scoped and stateless, each opening a short-lived context per operation.</summary>
    public static IServiceCollection AddFeatures(this IServiceCollection services) => services
        .AddScoped<CommunityService>()
        .AddScoped<ProfileService>();
}
