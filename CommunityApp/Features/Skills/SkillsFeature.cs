using MudBlazor;
using CommunityApp.Components.Navigation;

namespace CommunityApp.Features.Skills;

public static class SkillsFeature
{
    public static IServiceCollection AddSkills(this IServiceCollection services) => services
        .AddScoped<SkillService>()
        .AddCommunitySection(new("Community.Skills", SectionGroup.People, Icons.Material.Filled.Handyman, u => u.Skills, Order: 15));
}
