using Microsoft.AspNetCore.Components.Routing;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Communities;

namespace CommunityApp.Components.Navigation;

/// <summary>The groups of the community navigation, in the order they show.</summary>
public enum SectionGroup
{
    /// <summary>The community's overview, above the groups.</summary>
    Top,
    People,
    Sharing,
    Decisions,
    Insight,
    Admin,
}

/// <summary>What a section's visibility rule and badge know: the community as the signed-in member sees it.</summary>
public sealed record SectionContext(CommunityHome Home, string UserId, IServiceProvider Services)
{
    private Task<MemberStanding?>? standing;

    /// <summary>
    /// The member's standing (<see cref="PermissionService.LoadStandingAsync"/>), loaded once for all the rules and badges of
    /// one navigation pass: four sections asked for it one after another, four round trips for the same row on every page.
    /// </summary>
    public Task<MemberStanding?> StandingAsync(CancellationToken ct) => standing ??= LoadStandingAsync(ct);

    private async Task<MemberStanding?> LoadStandingAsync(CancellationToken ct)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct);
        return await PermissionService.LoadStandingAsync(db, Home.Id, UserId, ct);
    }

    /// <summary>Whether the member may do <paramref name="permission"/> in this community, from <see cref="StandingAsync"/>.</summary>
    public async Task<bool> AllowsAsync(Permission permission, CancellationToken ct) =>
        PermissionService.Decide(await StandingAsync(ct), permission, PermissionScope.Community(Home.Id)).Allowed;
}

/// <summary>
/// One entry of the community navigation. A feature registers its sections with
/// <see cref="CommunitySectionRegistration.AddCommunitySection"/>; the grouped navigation and the phone drawer pick them up.
/// </summary>
/// <param name="TitleKey">Resource key of the title; also the section's identity (pages name it in their frame).</param>
/// <param name="Url">Builds the section's address from the typed route helper.</param>
/// <param name="Visible">Who may see it; everyone in the community when null.</param>
/// <param name="Badge">An optional count beside the title (incoming requests …); hidden when 0.</param>
/// <param name="VisibleWhen">An optional asynchronous visibility rule, after <paramref name="Visible"/>, for rules that need the
/// member's standing (a permission); a rule that fails hides the section.</param>
public sealed record CommunitySection(
    string TitleKey, SectionGroup Group, string Icon, Func<CommunityUrls, string> Url, int Order = 0,
    NavLinkMatch Match = NavLinkMatch.All, Func<SectionContext, bool>? Visible = null,
    Func<SectionContext, CancellationToken, Task<int>>? Badge = null,
    Func<SectionContext, CancellationToken, Task<bool>>? VisibleWhen = null)
{
    public static bool AdminsOnly(SectionContext context) => context.Home.IsAdmin;
}

public static class CommunitySectionRegistration
{
    public static IServiceCollection AddCommunitySection(this IServiceCollection services, CommunitySection section) =>
        services.AddSingleton(section);
}
