using MudBlazor;
using CommunityApp.Components.Navigation;

namespace CommunityApp.Features.Audit;

public static class AuditFeature
{
    public static IServiceCollection AddAudit(this IServiceCollection services) => services
        .AddScoped<AuditService>()
        .AddCommunitySection(new("Community.AuditLog", SectionGroup.Admin, Icons.Material.Filled.History, u => u.Audit, Order: 30, Visible: CommunitySection.AdminsOnly));
}
