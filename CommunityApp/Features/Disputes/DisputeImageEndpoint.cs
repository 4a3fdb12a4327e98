using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Wealth;

namespace CommunityApp.Features.Disputes;

/// <summary>GET /images/disputes/{id}: a dispute's evidence picture, for its parties, accepted mediators and the community's admins; 404 for anyone else.</summary>
public static class DisputeImageEndpoint
{
    public static string Url(Guid imageId) => $"/images/disputes/{imageId}";

    public static void MapDisputeImages(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/images/disputes/{imageId:guid}", async (Guid imageId, HttpContext http, IDbContextFactory<AppDbContext> dbFactory, CancellationToken ct) =>
        {
            var userId = http.User.GetUserId();
            if (userId is null) return Results.Challenge();
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var image = await db.DisputeImages
                .Where(i => i.Id == imageId && db.Disputes.Any(d => d.Id == i.DisputeId
                    && (db.DisputeParties.Any(p => p.DisputeId == d.Id && p.UserId == userId)
                        || db.DisputeMediators.Any(m => m.DisputeId == d.Id && m.UserId == userId && m.Status == MediatorStatus.Accepted)
                        || db.Memberships.Any(m => m.CommunityId == d.CommunityId && m.UserId == userId && m.Role == MemberRole.Admin))))
                .Select(i => new { i.ContentType, i.Bytes }).SingleOrDefaultAsync(ct);
            return UploadedImages.Serve(http, image?.Bytes, image?.ContentType);
        }).RequireAuthorization();
}
