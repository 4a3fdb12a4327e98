using Microsoft.Extensions.DependencyInjection.Extensions;
using CommunityApp.Auth;
using CommunityApp.Components.Navigation;
using CommunityApp.Components.Shared;
using CommunityApp.Events;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Checkout;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Disputes;
using CommunityApp.Features.Forum;
using CommunityApp.Features.Health;
using CommunityApp.Features.Insight;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Members;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Polls;
using CommunityApp.Features.Pools;
using CommunityApp.Features.Profile;
using CommunityApp.Features.Recognition;
using CommunityApp.Features.Settings;
using CommunityApp.Features.Skills;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;

namespace CommunityApp.Features;

public static class FeatureSetup
{
    /// <summary>
    /// The cross-cutting services, then one line per feature: each feature registers its own services (scoped and
    /// stateless, each opening a short-lived context per operation), jobs and community sections.
    /// </summary>
    public static IServiceCollection AddFeatures(this IServiceCollection services) => services
        .AddHttpContextAccessor()
        .AddPublicUrls()
        .AddScoped<PermissionService>()
        .AddScoped<ActionRunner>()
        .AddScoped<Account.AccountMails>()
        .AddScoped<CommunityNavState>()
        .AddEventHub()
        .AddSingleton<CommunityApp.Data.Jobs.JobRunner>()
        .AddNotifications()
        .AddScoped<ProfileService>()
        .AddCommunities()
        .AddMembers()
        .AddTrust()
        .AddWealth()
        .AddCouncils()
        .AddPools()
        .AddNeeds()
        .AddCheckout()
        .AddDisputes()
        .AddPolls()
        .AddInsight()
        .AddForum()
        .AddForumModeration()
        .AddInvites()
        .AddSettings()
        .AddSkills()
        .AddRecognition()
        .AddAudit()
        .AddHealth();

    /// <summary>
    /// Absolute links (mail, invite links) on <c>App:PublicBaseUrl</c>. The app binds and validates the setting
    /// (<see cref="PublicUrlSetup.AddPublicUrls"/>); service hosts without it (tests, the demo seed) configure the options themselves.
    /// </summary>
    private static IServiceCollection AddPublicUrls(this IServiceCollection services)
    {
        services.AddOptions<PublicUrlOptions>();
        services.TryAddSingleton<PublicUrls>();
        // Program registers these from RateLimits: (Auth/Throttling.cs); the defaults for hosts without it, such as bUnit's.
        services.TryAddSingleton(new ThrottleOptions());
        services.TryAddSingleton<ActionThrottle>();
        return services;
    }
}
