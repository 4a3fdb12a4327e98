using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Wealth;
using CommunityApp.Resources;

namespace CommunityApp.Features.Councils;

public sealed record ReportInput(string Title, string Body);

/// <summary>A report as the Reports tab shows it: the markdown body goes only through MarkdownView.</summary>
public sealed record ReportRow(Guid Id, string Title, string Body, string AuthorName, DateTime CreatedAt, DateTime UpdatedAt, IReadOnlyList<Guid> ImageIds, bool MayEdit);

/// <summary>
/// Usage reports of a council (docs/SPEC.md §6): its managers (and admins) write them in markdown with up to five pictures as
/// evidence; the author and the managers edit and delete them (soft delete); members read them, newest first. Every write
/// is audited and open council pages reload through <see cref="CouncilChanged"/>.
/// </summary>
public sealed class CouncilReportService(IDbContextFactory<AppDbContext> dbFactory, IEventHub events, TimeProvider clock)
{
    public const int MaxPageSize = 50;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<Guid> CreateAsync(string actorId, Guid councilId, ReportInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var council = await db.Councils.AsNoTracking().SingleOrDefaultAsync(c => c.Id == councilId, ct) ?? throw CouncilNotFound();
        await CouncilService.DemandManagerAsync(db, council, actorId, ct);
        var (title, body) = Validate(input);
        var report = new CouncilReport { CommunityId = council.CommunityId, CouncilId = councilId, AuthorId = actorId, Title = title, Body = body };
        db.CouncilReports.Add(report);
        db.AuditLog.Add(AuditEntry.Record(council.CommunityId, actorId, AuditAction.CouncilReportPublished,
            new { councilId, council = council.Name, reportId = report.Id, title }, at: Now));
        await db.SaveChangesAsync(ct);
        events.Publish(new CouncilChanged(council.CommunityId, councilId));
        return report.Id;
    }

    /// <summary>The author or a manager (or an admin) edits the title and body.</summary>
    public async Task UpdateAsync(string actorId, Guid reportId, ReportInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var report = await db.CouncilReports.SingleOrDefaultAsync(r => r.Id == reportId, ct) ?? throw ReportNotFound();
        await DemandEditorAsync(db, report, actorId, ct);
        var (title, body) = Validate(input);
        var details = new Dictionary<string, object> { ["councilId"] = report.CouncilId, ["reportId"] = reportId };
        if (report.Title != title) details["title"] = AuditEntry.Change(report.Title, title);
        if (report.Body != body) details["body"] = AuditEntry.Change(report.Body.Length, body.Length);
        if (details.Count == 2) return;
        (report.Title, report.Body) = (title, body);
        db.AuditLog.Add(AuditEntry.Record(report.CommunityId, actorId, AuditAction.CouncilReportEdited, details, at: Now));
        await db.SaveChangesAsync(ct);
        events.Publish(new CouncilChanged(report.CommunityId, report.CouncilId));
    }

    /// <summary>The author or a manager (or an admin) deletes a report: it is hidden, kept for the audit.</summary>
    public async Task DeleteAsync(string actorId, Guid reportId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var report = await db.CouncilReports.SingleOrDefaultAsync(r => r.Id == reportId, ct) ?? throw ReportNotFound();
        await DemandEditorAsync(db, report, actorId, ct);
        var now = Now;
        report.DeletedAt = now;
        db.AuditLog.Add(AuditEntry.Record(report.CommunityId, actorId, AuditAction.CouncilReportDeleted,
            new { councilId = report.CouncilId, reportId, title = report.Title }, at: now));
        await db.SaveChangesAsync(ct);
        events.Publish(new CouncilChanged(report.CommunityId, report.CouncilId));
    }

    /// <summary>Adds a picture (PNG, JPEG, GIF or WebP by its bytes, at most 2 MB) to a report holding fewer than five.</summary>
    public async Task<Guid> AddImageAsync(string actorId, Guid reportId, Stream upload, CancellationToken ct = default)
    {
        var (bytes, type) = await UploadedImages.ReadAsync(upload, "image", ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var (communityId, councilId, imageId) = await db.InTransactionAsync(async () =>
        {
            // The report's row lock counts the pictures one upload at a time, so parallel uploads cannot pass five.
            await db.LockForUpdateAsync<CouncilReport>(r => r.Id == reportId, ct);
            var report = await db.CouncilReports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == reportId, ct) ?? throw ReportNotFound();
            await DemandEditorAsync(db, report, actorId, ct);
            if (await db.CouncilReportImages.CountAsync(i => i.ReportId == reportId, ct) >= CouncilReport.MaxImages)
                throw new ValidationFailedException(new Dictionary<string, string> { ["image"] = Text.Get("Error.ReportImagesFull", CouncilReport.MaxImages) });
            var now = Now;
            var image = new CouncilReportImage { ReportId = reportId, ContentType = type, Bytes = bytes, CreatedAt = now };
            db.CouncilReportImages.Add(image);
            db.AuditLog.Add(AuditEntry.Record(report.CommunityId, actorId, AuditAction.CouncilReportImageAdded,
                new { councilId = report.CouncilId, reportId, imageId = image.Id, type, bytes = bytes.Length }, at: now));
            await db.SaveChangesAsync(ct);
            return (report.CommunityId, report.CouncilId, image.Id);
        }, ct);
        events.Publish(new CouncilChanged(communityId, councilId));
        return imageId;
    }

    public async Task RemoveImageAsync(string actorId, Guid imageId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var reportId = await db.CouncilReportImages.Where(i => i.Id == imageId).Select(i => (Guid?)i.ReportId).SingleOrDefaultAsync(ct)
                       ?? throw new NotFoundException(Text.Get("Error.ImageNotFound"));
        var report = await db.CouncilReports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == reportId, ct) ?? throw ReportNotFound();
        await DemandEditorAsync(db, report, actorId, ct);
        await db.CouncilReportImages.Where(i => i.Id == imageId).ExecuteDeleteAsync(ct);
        db.AuditLog.Add(AuditEntry.Record(report.CommunityId, actorId, AuditAction.CouncilReportImageRemoved,
            new { councilId = report.CouncilId, reportId, imageId }, at: Now));
        await db.SaveChangesAsync(ct);
        events.Publish(new CouncilChanged(report.CommunityId, report.CouncilId));
    }

    /// <summary>A council's reports for its members, newest first, paged.</summary>
    public async Task<Page<ReportRow>> ListAsync(string viewerId, Guid communityId, Guid councilId, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var viewer = await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        if (!await db.Councils.AnyAsync(c => c.Id == councilId && c.CommunityId == communityId, ct)) throw CouncilNotFound();
        var mayManage = PermissionService.MayManageCouncil(viewer, councilId);
        var reports = db.CouncilReports.Where(r => r.CouncilId == councilId);
        var total = await reports.CountAsync(ct);
        var rows = await reports.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
            .Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(r => new
            {
                r.Id, r.Title, r.Body, r.AuthorId, AuthorName = r.Author.DisplayName, r.CreatedAt, r.UpdatedAt,
                Images = db.CouncilReportImages.Where(i => i.ReportId == r.Id).OrderBy(i => i.CreatedAt).Select(i => i.Id).ToList(),
            })
            .ToListAsync(ct);
        return new Page<ReportRow>(rows.Select(r => new ReportRow(r.Id, r.Title, r.Body, r.AuthorName, r.CreatedAt, r.UpdatedAt, r.Images,
            mayManage || r.AuthorId == viewerId)).ToList(), total, Math.Max(0, pageIndex), pageSize);
    }

    /// <summary>GET /images/reports/{id}: a report's picture for members of its community; 404 for anyone else or a deleted report.</summary>
    public static void MapReportImages(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/images/reports/{imageId:guid}", async (Guid imageId, HttpContext http, IDbContextFactory<AppDbContext> dbFactory, CancellationToken ct) =>
        {
            var userId = http.User.GetUserId();
            if (userId is null) return Results.Challenge();
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var image = await db.CouncilReportImages
                .Where(i => i.Id == imageId && db.CouncilReports.Any(r => r.Id == i.ReportId && db.Memberships.Any(m => m.CommunityId == r.CommunityId && m.UserId == userId)))
                .Select(i => new { i.ContentType, i.Bytes }).SingleOrDefaultAsync(ct);
            return UploadedImages.Serve(http, image?.Bytes, image?.ContentType);
        }).RequireAuthorization();

    /// <summary>The author (still a member) or whoever may manage the council.</summary>
    private static async Task DemandEditorAsync(AppDbContext db, CouncilReport report, string actorId, CancellationToken ct)
    {
        var standing = await PermissionService.DemandMemberAsync(db, report.CommunityId, actorId, ct);
        if (report.AuthorId != actorId && !PermissionService.MayManageCouncil(standing, report.CouncilId))
            throw new ForbiddenException(Text.Get("Error.ReportEditorsOnly"));
    }

    internal static (string Title, string Body) Validate(ReportInput input)
    {
        var errors = new Dictionary<string, string>();
        var title = CheckText(errors, "title", input.Title, CouncilReport.TitleMinLength, CouncilReport.TitleMaxLength);
        var body = CheckText(errors, "body", input.Body, CouncilReport.BodyMinLength, CouncilReport.BodyMaxLength);
        ValidationFailedException.ThrowIfAny(errors);
        return (title, body);
    }

    /// <summary>Trimmed text within its limits and storable (no NUL, no lone surrogate); otherwise a message under <paramref name="field"/>.</summary>
    internal static string CheckText(Dictionary<string, string> errors, string field, string? value, int min, int max)
    {
        var text = value?.Trim() ?? "";
        if (text.Length < min || text.Length > max) errors[field] = Text.Get("Error.LengthRange", min, max);
        else if (!Texts.IsStorable(text)) errors[field] = Texts.UnstorableMessage;
        return text;
    }

    private static NotFoundException CouncilNotFound() => new(Text.Get("Error.CouncilNotFound"));

    private static NotFoundException ReportNotFound() => new(Text.Get("Error.ReportNotFound"));
}
