using System.Globalization;
using Microsoft.AspNetCore.Components.Routing;
using MudBlazor;
using CommunityApp.Auth;
using CommunityApp.Components.Navigation;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Members;
using CommunityApp.Features.Wealth;

namespace CommunityApp.Features.Insight;

public static class InsightFeature
{
    public static IServiceCollection AddInsight(this IServiceCollection services) => services
        .AddScoped<InsightService>()
        .AddScoped<TrustRingService>()
        .AddScoped<CsvExports>()
        .AddHostedService<TrustRingJob>()
        .AddCommunitySection(new("Community.NonContributors", SectionGroup.Insight, Icons.Material.Filled.PersonOff, u => u.NonContributors, Order: 20,
            VisibleWhen: async (c, ct) => c.Home.IsAdmin || await c.AllowsAsync(Permission.ViewHealthAnalytics, ct)))
        .AddCommunitySection(new("Community.TrustRings", SectionGroup.Insight, Icons.Material.Filled.Hub, u => u.TrustRings, Order: 30, Visible: CommunitySection.AdminsOnly));

    /// <summary>
    /// The CSV endpoints (docs/SPEC.md §13), each streamed after its permission check: 403/404 before anything is written,
    /// 400 for a bad filter.
    /// </summary>
    public static void MapExports(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/c/{communityId:guid}/members.csv", (Guid communityId, string? search, string? sort, HttpContext http, CsvExports exports, CancellationToken ct) =>
            Enum.TryParse<MemberSort>(sort ?? nameof(MemberSort.TrustDescending), out var s)
                ? StreamAsync(http, userId => exports.MembersAsync(userId, communityId, search, s, ct))
                : Task.FromResult(Results.BadRequest())).RequireAuthorization();
        endpoints.MapGet("/c/{communityId:guid}/insight/non-contributors.csv", (Guid communityId, string? sort, HttpContext http, CsvExports exports, CancellationToken ct) =>
            Enum.TryParse<NonContributorSort>(sort ?? nameof(NonContributorSort.LastContribution), out var s)
                ? StreamAsync(http, userId => exports.NonContributorsAsync(userId, communityId, s, ct))
                : Task.FromResult(Results.BadRequest())).RequireAuthorization();
        endpoints.MapGet("/c/{communityId:guid}/audit.csv", (Guid communityId, string? actor, string? action, string? from, string? to, HttpContext http, CsvExports exports, CancellationToken ct) =>
        {
            AuditAction? a = null;
            if (!string.IsNullOrEmpty(action))
            {
                if (!Enum.TryParse<AuditAction>(action, out var parsed)) return Task.FromResult(Results.BadRequest());
                a = parsed;
            }
            if (!TryDate(from, out var f) || !TryDate(to, out var t)) return Task.FromResult(Results.BadRequest());
            // As on the page: the dates are local days and "to" includes its whole day.
            return StreamAsync(http, userId => exports.AuditAsync(userId, communityId, new AuditFilter(actor, a, f, t?.AddDays(1)), ct));
        }).RequireAuthorization();
        endpoints.MapGet("/c/{communityId:guid}/requests.csv", (Guid communityId, bool? incoming, string? status, HttpContext http, CsvExports exports, CancellationToken ct) =>
        {
            RequestStatus? st = null;
            if (!string.IsNullOrEmpty(status))
            {
                if (!Enum.TryParse<RequestStatus>(status, out var parsed)) return Task.FromResult(Results.BadRequest());
                st = parsed;
            }
            return StreamAsync(http, userId => exports.RequestsAsync(userId, communityId, incoming ?? false, st, ct));
        }).RequireAuthorization();
    }

    private static bool TryDate(string? text, out DateTime? date)
    {
        date = null;
        if (string.IsNullOrEmpty(text)) return true;
        if (!DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return false;
        date = d;
        return true;
    }

    private static async Task<IResult> StreamAsync(HttpContext http, Func<string, Task<CsvExport>> export)
    {
        var userId = http.User.GetUserId();
        if (userId is null) return Results.Challenge();
        CsvExport file;
        try
        {
            file = await export(userId);
        }
        catch (NotFoundException)
        {
            return Results.NotFound();
        }
        catch (ForbiddenException)
        {
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }
        catch (ValidationFailedException)
        {
            return Results.BadRequest();
        }
        http.Response.Headers.CacheControl = "no-store";
        return Results.Stream(stream => file.WriteAsync(stream, http.RequestAborted), "text/csv; charset=utf-8", file.FileName);
    }
}
