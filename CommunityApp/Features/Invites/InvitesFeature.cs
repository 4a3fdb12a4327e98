using MudBlazor;
using CommunityApp.Components.Navigation;

namespace CommunityApp.Features.Invites;

public static class InvitesFeature
{
    public static IServiceCollection AddInvites(this IServiceCollection services) => services
        .AddScoped<InviteService>()
        .AddSingleton<InviteEmailLookups>()
        .AddCommunitySection(new("Community.Invites", SectionGroup.Admin, Icons.Material.Filled.PersonAdd, u => u.Invites, Order: 20, Visible: CommunitySection.AdminsOnly));
}
