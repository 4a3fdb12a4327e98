using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Wealth;

namespace CommunityApp.Features.Recognition;

/// <summary>Where a contribution entry came from (docs/SPEC.md §18). Stored as text; the names are fixed.</summary>
public enum RecognitionKind
{
    /// <summary>A fulfilled request (also a checkout through a checkout link): the share's owner gave units to the requester.</summary>
    Request = 0,

    /// <summary>A contribution to a council or one of its pools, confirmed by a manager.</summary>
    Contribution = 1,

    /// <summary>A member granted value units to another for work they witnessed.</summary>
    Peer = 2,
}

/// <summary>
/// One line of the community's contribution log (docs/SPEC.md §18). <see cref="ContributorId"/> is the member the entry
/// credits (the share's owner, the contributor, the member recognised); <see cref="GiverId"/> the other party (the requester
/// who received, the manager who confirmed, the member who granted). Automatic entries carry units × the item's value per unit
/// at that moment and the item's category; a peer grant's value is its units. Entries are never edited: a wrong one is disputed.
/// </summary>
public class RecognitionEntry
{
    public const int ReasonMaxLength = 200;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public RecognitionKind Kind { get; set; }
    public string ContributorId { get; set; } = "";
    public ApplicationUser Contributor { get; set; } = null!;
    public string GiverId { get; set; } = "";
    public ApplicationUser Giver { get; set; } = null!;
    public int Units { get; set; }
    /// <summary>The item's value per unit when the entry was logged; null when it had none (or for a peer grant).</summary>
    public int? ValuePerUnit { get; set; }
    /// <summary>Units × value per unit (0 without a value); a peer grant's units.</summary>
    public int Value { get; set; }
    public Guid? ItemId { get; set; }
    public Guid? CategoryId { get; set; }
    public Guid? ShareRequestId { get; set; }
    public Guid? ContributionId { get; set; }
    /// <summary>What the giver witnessed (peer grants only).</summary>
    public string? Reason { get; set; }
    public DateTime At { get; set; }
}

internal sealed class RecognitionEntryConfiguration : IEntityTypeConfiguration<RecognitionEntry>
{
    public void Configure(EntityTypeBuilder<RecognitionEntry> entry)
    {
        entry.ToTable("recognition_entries");
        entry.Property(e => e.Kind).HasConversion<string>().HasMaxLength(20);
        entry.Property(e => e.Reason).HasMaxLength(RecognitionEntry.ReasonMaxLength);
        entry.HasOne<Community>().WithMany().HasForeignKey(e => e.CommunityId).OnDelete(DeleteBehavior.Cascade);
        entry.HasOne(e => e.Contributor).WithMany().HasForeignKey(e => e.ContributorId).OnDelete(DeleteBehavior.Restrict);
        entry.HasOne(e => e.Giver).WithMany().HasForeignKey(e => e.GiverId).OnDelete(DeleteBehavior.Restrict);
        entry.HasOne<Item>().WithMany().HasForeignKey(e => e.ItemId).OnDelete(DeleteBehavior.Restrict);
        entry.HasOne<ItemCategory>().WithMany().HasForeignKey(e => e.CategoryId).OnDelete(DeleteBehavior.SetNull);
        entry.HasOne<ShareRequest>().WithMany().HasForeignKey(e => e.ShareRequestId).OnDelete(DeleteBehavior.Restrict);
        entry.HasOne<Contribution>().WithMany().HasForeignKey(e => e.ContributionId).OnDelete(DeleteBehavior.Restrict);
        // A member's own list (received, given), the giver's monthly budget, the community's totals by month.
        entry.HasIndex(e => new { e.CommunityId, e.ContributorId, e.At });
        entry.HasIndex(e => new { e.CommunityId, e.GiverId, e.Kind, e.At });
        entry.HasIndex(e => new { e.CommunityId, e.At });
        entry.HasIndex(e => e.ContributorId);
        entry.HasIndex(e => e.GiverId);
        entry.HasIndex(e => e.ItemId);
        entry.HasIndex(e => e.CategoryId);
        // One entry per fulfilled request and per confirmed contribution.
        entry.HasIndex(e => e.ShareRequestId).IsUnique().HasFilter("share_request_id IS NOT NULL");
        entry.HasIndex(e => e.ContributionId).IsUnique().HasFilter("contribution_id IS NOT NULL");
        entry.ToTable(t =>
        {
            t.HasCheckConstraint("ck_recognition_entries_units", "units > 0");
            t.HasCheckConstraint("ck_recognition_entries_value", "value >= 0");
            t.HasCheckConstraint("ck_recognition_entries_peer", "kind <> 'Peer' OR (giver_id <> contributor_id AND reason IS NOT NULL)");
        });
    }
}
