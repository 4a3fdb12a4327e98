using Microsoft.AspNetCore.Components.Routing;
using MudBlazor;
using CommunityApp.Components.Navigation;

namespace CommunityApp.Features.Councils;

public static class CouncilsFeature
{
    public static IServiceCollection AddCouncils(this IServiceCollection services) => services
        .AddScoped<CouncilService>()
        .AddScoped<CouncilQueries>()
        .AddScoped<CouncilReportService>()
        .AddScoped<InitiativeService>()
        .AddCommunitySection(new("Community.Councils", SectionGroup.Sharing, Icons.Material.Filled.Groups, u => u.Councils, Order: 40, Match: NavLinkMatch.Prefix));
}
