using Microsoft.AspNetCore.Components.Routing;
using MudBlazor;
using CommunityApp.Components.Navigation;

namespace CommunityApp.Features.Disputes;

public static class DisputesFeature
{
    public static IServiceCollection AddDisputes(this IServiceCollection services) => services
        .AddScoped<DisputeService>()
        .AddHostedService<RequestConfirmJob>()
        .AddHostedService<MediationReminderJob>()
        .AddCommunitySection(new("Community.Disputes", SectionGroup.Sharing, Icons.Material.Filled.Gavel, u => u.Disputes, Order: 50, Match: NavLinkMatch.Prefix,
            Badge: async (context, ct) => await context.Services.GetRequiredService<DisputeService>()
                .AwaitingMediatorCountAsync(await context.StandingAsync(ct), context.UserId, context.Home.Id, ct)));
}
