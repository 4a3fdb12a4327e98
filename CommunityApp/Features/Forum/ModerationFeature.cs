using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using CommunityApp.Components.Navigation;

namespace CommunityApp.Features.Forum;

/// <summary>Flags, the review queue and the moderation log (docs/SPEC.md §10): the service and the section.</summary>
public static class ModerationFeature
{
    public static IServiceCollection AddForumModeration(this IServiceCollection services) => services
        .AddScoped<ModerationService>()
        // Shown to reviewers, forum managers and admins; the badge counts the posts waiting (reviewers only).
        .AddCommunitySection(new("Community.ForumReview", SectionGroup.People, Icons.Material.Filled.Flag, u => u.ForumReview, Order: 41,
            VisibleWhen: async (c, ct) => await c.StandingAsync(ct) is { } standing && ModerationRules.MaySeeLog(standing),
            Badge: async (c, ct) => await c.Services.GetRequiredService<ModerationService>().QueueCountAsync(await c.StandingAsync(ct), c.Home.Id, ct)));
}
