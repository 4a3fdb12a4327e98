using MudBlazor;
using CommunityApp.Auth;
using CommunityApp.Components.Navigation;

namespace CommunityApp.Features.Health;

public static class HealthFeature
{
    /// <summary>The dashboard's service and cache, and its section under Insight (shown to those who may see it).</summary>
    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddMemoryCache();
        return services
            .AddSingleton<HealthCache>()
            .AddScoped<HealthService>()
            .AddHostedService<HealthRollupJob>()
            .AddCommunitySection(new("Community.Health", SectionGroup.Insight, Icons.Material.Filled.MonitorHeart, u => u.Health, Order: 10,
                VisibleWhen: (c, ct) => c.AllowsAsync(Permission.ViewHealthAnalytics, ct)));
    }

    /// <summary>
    /// The dashboard's figures as CSV at <c>CommunityUrls.HealthCsv</c>, streamed, for the range asked (<c>?range=30d</c>):
    /// only for those who may see the dashboard, and only the metrics they see; otherwise 403 or 404 before anything is written.
    /// </summary>
    public static void MapHealthCsv(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/c/{communityId:guid}/health/figures.csv", async (Guid communityId, string? range, HttpContext http, HealthService health, CancellationToken ct) =>
        {
            var userId = http.User.GetUserId();
            if (userId is null) return Results.Challenge();
            if (HealthWindow.Parse(range ?? HealthWindow.Code(HealthRange.Month)) is not { } chosen) return Results.BadRequest();
            HealthExport export;
            try
            {
                export = await health.ExportAsync(userId, communityId, chosen, ct);
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
