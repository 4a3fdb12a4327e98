using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Resources;

namespace CommunityApp.Features.Wealth;

/// <summary>
/// A share's picture, kept in the database: no file path a user could influence, served only to members
/// by <see cref="ShareImages.MapShareImages"/> with the type read from the bytes, never from the upload.
/// </summary>
public class ShareImage
{
    public Guid ShareId { get; set; }
    public string ContentType { get; set; } = "";
    public byte[] Bytes { get; set; } = [];
    public DateTime CreatedAt { get; set; }
}

internal sealed class ShareImageConfiguration : IEntityTypeConfiguration<ShareImage>
{
    public void Configure(EntityTypeBuilder<ShareImage> image)
    {
        image.ToTable("share_images");
        image.HasKey(i => i.ShareId);
        image.Property(i => i.ContentType).HasMaxLength(20);
        image.HasOne<Share>().WithOne().HasForeignKey<ShareImage>(i => i.ShareId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// Pictures uploaded by members (share pictures, council report evidence): read with a size cap, typed from their bytes
/// (PNG, JPEG, GIF, WebP only, never the upload's claim) and served with <c>nosniff</c> to members only.
/// </summary>
public static class UploadedImages
{
    public const int MaxBytes = 2 * 1024 * 1024;

    /// <summary>The image type by its first bytes (PNG, JPEG, GIF, WebP); null for anything else.</summary>
    public static string? Sniff(ReadOnlySpan<byte> bytes) => bytes switch
    {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x47, 0x49, 0x46, 0x38, ..] => "image/gif",
        [0x52, 0x49, 0x46, 0x46, _, _, _, _, 0x57, 0x45, 0x42, 0x50, ..] => "image/webp",
        _ => null,
    };

    /// <summary>Reads an upload of at most 2 MB that is really an image; otherwise a field message on <paramref name="field"/>.</summary>
    public static async Task<(byte[] Bytes, string ContentType)> ReadAsync(Stream upload, string field, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await upload.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBytes) throw new ValidationFailedException(new Dictionary<string, string> { [field] = Text.Get("Error.ImageTooLarge", MaxBytes / 1024 / 1024) });
            buffer.Write(chunk, 0, read);
        }
        var bytes = buffer.ToArray();
        var type = Sniff(bytes) ?? throw new ValidationFailedException(new Dictionary<string, string> { [field] = Text.Get("Error.ImageType") });
        return (bytes, type);
    }

    /// <summary>The answer for a stored picture: 404 when there is none for this member, else the bytes with nosniff and a private cache.</summary>
    public static IResult Serve(HttpContext http, byte[]? bytes, string? contentType)
    {
        if (bytes is null || contentType is null) return Results.NotFound();
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = "private, max-age=300";
        return Results.File(bytes, contentType);
    }
}

public static class ShareImages
{
    public const int MaxBytes = UploadedImages.MaxBytes;

    /// <summary>The image type by its first bytes (PNG, JPEG, GIF, WebP); null for anything else.</summary>
    public static string? Sniff(ReadOnlySpan<byte> bytes) => UploadedImages.Sniff(bytes);

    /// <summary>Only the share's owner sets its image; at most 2 MB, and only real PNG, JPEG, GIF or WebP data.</summary>
    public static async Task SetAsync(IDbContextFactory<AppDbContext> dbFactory, string ownerId, Guid shareId, Stream upload, TimeProvider clock, CancellationToken ct = default)
    {
        var (bytes, type) = await UploadedImages.ReadAsync(upload, "image", ct);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var share = await db.Shares.Where(s => s.Id == shareId).Select(s => new { s.OwnerId, s.CommunityId }).SingleOrDefaultAsync(ct)
                    ?? throw new NotFoundException(Text.Get("Error.ShareNotFound"));
        await PermissionService.DemandMemberAsync(db, share.CommunityId, ownerId, ct);
        if (share.OwnerId != ownerId) throw new ForbiddenException(Text.Get("Error.OnlyOwner"));
        await db.Set<ShareImage>().Where(i => i.ShareId == shareId).ExecuteDeleteAsync(ct);
        db.Add(new ShareImage { ShareId = shareId, ContentType = type, Bytes = bytes, CreatedAt = clock.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>GET /images/shares/{id}: the picture for members of the share's community; 404 for anyone else.</summary>
    public static void MapShareImages(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/images/shares/{shareId:guid}", async (Guid shareId, HttpContext http, IDbContextFactory<AppDbContext> dbFactory, CancellationToken ct) =>
        {
            var userId = http.User.GetUserId();
            if (userId is null) return Results.Challenge();
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var image = await db.Set<ShareImage>()
                .Where(i => i.ShareId == shareId && db.Shares.Any(s => s.Id == shareId && db.Memberships.Any(m => m.CommunityId == s.CommunityId && m.UserId == userId)))
                .Select(i => new { i.ContentType, i.Bytes }).SingleOrDefaultAsync(ct);
            return UploadedImages.Serve(http, image?.Bytes, image?.ContentType);
        }).RequireAuthorization();
}
