using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Data;
using CommunityApp.Features.Communities;

namespace CommunityApp.Features.Councils;

/// <summary>
/// A council's usage report (docs/SPEC.md §6): what it did with what it holds, written by a manager in markdown (shown only
/// through MarkdownView), with up to <see cref="MaxImages"/> pictures as evidence. Deleting it is a soft delete.
/// </summary>
public class CouncilReport : IAuditable, ISoftDeletable
{
    public const int TitleMinLength = 1;
    public const int TitleMaxLength = 200;
    public const int BodyMinLength = 1;
    public const int BodyMaxLength = 20_000;
    public const int MaxImages = 5;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public Guid CouncilId { get; set; }
    public string AuthorId { get; set; } = "";
    public ApplicationUser Author { get; set; } = null!;
    public string Title { get; set; } = "";
    public string Body { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
}

/// <summary>A picture attached to a report, kept in the database and served to members only at <c>/images/reports/{id}</c>.</summary>
public class CouncilReportImage
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ReportId { get; set; }
    public string ContentType { get; set; } = "";
    public byte[] Bytes { get; set; } = [];
    public DateTime CreatedAt { get; set; }
}

internal sealed class CouncilReportConfiguration : IEntityTypeConfiguration<CouncilReport>, IEntityTypeConfiguration<CouncilReportImage>
{
    public void Configure(EntityTypeBuilder<CouncilReport> report)
    {
        report.ToTable("council_reports");
        report.Property(r => r.Title).HasMaxLength(CouncilReport.TitleMaxLength).IsRequired();
        report.Property(r => r.Body).HasMaxLength(CouncilReport.BodyMaxLength).IsRequired();
        report.Property(r => r.CreatedBy).HasMaxLength(450);
        report.HasOne<Community>().WithMany().HasForeignKey(r => r.CommunityId).OnDelete(DeleteBehavior.Cascade);
        report.HasOne<Council>().WithMany().HasForeignKey(r => r.CouncilId).OnDelete(DeleteBehavior.Cascade);
        report.HasOne(r => r.Author).WithMany().HasForeignKey(r => r.AuthorId).OnDelete(DeleteBehavior.Restrict);
        // The Reports tab lists a council's reports newest first.
        report.HasIndex(r => new { r.CouncilId, r.CreatedAt });
        report.HasIndex(r => r.CommunityId);
        report.HasIndex(r => r.AuthorId);
    }

    public void Configure(EntityTypeBuilder<CouncilReportImage> image)
    {
        image.ToTable("council_report_images");
        image.Property(i => i.ContentType).HasMaxLength(20);
        image.HasOne<CouncilReport>().WithMany().HasForeignKey(i => i.ReportId).OnDelete(DeleteBehavior.Cascade);
        image.HasIndex(i => new { i.ReportId, i.CreatedAt });
    }
}
