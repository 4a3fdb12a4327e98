using CommunityApp.Auth;
using CommunityApp.Events;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Members;
using CommunityApp.Features.Settings;
using CommunityApp.Features.Profile;

namespace CommunityApp.Features;

public static class FeatureSetup
{
    /// <summary>Each feature's services: scoped and stateless, each opening a short-lived context per operation.</summary>
    public static IServiceCollection AddFeatures(this IServiceCollection services) => services
        .AddScoped<PermissionService>()
        .AddScoped<CommunityService>()
        .AddScoped<MemberService>()
        .AddScoped<SettingsService>()
        .AddScoped<InviteService>()
        .AddScoped<AuditService>()
        .AddScoped<TrustService>()
        .AddScoped<TrustViewService>()
        .AddScoped<TrustRecalculator>()
        .AddScoped<NotificationService>()
        .AddScoped<Wealth.ShareService>()
        .AddScoped<Wealth.WealthQueries>()
        .AddScoped<Wealth.CatalogService>()
        .AddScoped<ProfileService>()
        .AddSingleton<IEventHub, InMemoryEventHub>();
}
