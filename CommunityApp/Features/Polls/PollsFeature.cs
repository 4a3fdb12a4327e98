using Microsoft.AspNetCore.Components.Routing;
using MudBlazor;
using CommunityApp.Auth;
using CommunityApp.Components.Navigation;

namespace CommunityApp.Features.Polls;

public static class PollsFeature
{
    public static IServiceCollection AddPolls(this IServiceCollection services) => services
        .AddScoped<PollService>()
        .AddHostedService<PollClosingSoonJob>()
        .AddCommunitySection(new("Community.Polls", SectionGroup.Decisions, Icons.Material.Filled.HowToVote, u => u.Polls, Order: 10, Match: NavLinkMatch.Prefix));

    /// <summary>
    /// The results as CSV at <c>CommunityUrls.PollResultsCsv</c>, streamed: members only, and only when the results are
    /// visible to them (docs/SPEC.md §9); otherwise 403 or 404 before anything is written.
    /// </summary>
    public static void MapPollResults(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/c/{communityId:guid}/polls/{pollId:guid}/results.csv", async (Guid communityId, Guid pollId, HttpContext http, PollService polls, CancellationToken ct) =>
        {
            var userId = http.User.GetUserId();
            if (userId is null) return Results.Challenge();
            PollExport export;
            try
            {
                export = await polls.ExportAsync(userId, communityId, pollId, ct);
            }
            catch (NotFoundException)
            {
                return Results.NotFound();
            }
            catch (ForbiddenException)
            {
                return Results.StatusCode(StatusCodes.Status403Forbidden);
            }
            http.Response.Headers.CacheControl = "no-store";
            return Results.Stream(stream => export.WriteAsync(stream, http.RequestAborted), "text/csv; charset=utf-8", export.FileName);
        }).RequireAuthorization();
}
