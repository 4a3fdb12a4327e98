using MudBlazor;
using CommunityApp.Components.Navigation;

namespace CommunityApp.Features.Settings;

public static class SettingsFeature
{
    public static IServiceCollection AddSettings(this IServiceCollection services) => services
        .AddScoped<SettingsService>()
        .AddCommunitySection(new("Community.Settings", SectionGroup.Admin, Icons.Material.Filled.Tune, u => u.Settings, Order: 10, Visible: CommunitySection.AdminsOnly));
}
