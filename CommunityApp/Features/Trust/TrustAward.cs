using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Data;

namespace CommunityApp.Features.Trust;

/// <summary>
/// One member's trust in another (docs/SPEC.md §4.1). Removal soft-deletes it; awarding again later creates a new row.
/// A filtered unique index keeps one active award per (community, giver, receiver), even under concurrent clicks.
/// </summary>
public class TrustAward : IAuditable, ISoftDeletable
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public string GiverId { get; set; } = "";
    public ApplicationUser Giver { get; set; } = null!;
    public string ReceiverId { get; set; } = "";
    public ApplicationUser Receiver { get; set; } = null!;

    /// <summary>When the award was given or last renewed: decay counts from here (docs/SPEC.md §4.6).</summary>
    public DateTime RenewedAt { get; set; }

    /// <summary>When the giver was told the award started decaying; the warning goes out once per award.</summary>
    public DateTime? DecayWarnedAt { get; set; }

    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
}

/// <summary>What a trust history line records. Stored as text; the names are fixed.</summary>
public enum TrustHistoryAction
{
    Awarded = 1,
    Removed = 2,
    Renewed = 3,
    GrantChanged = 4,
    /// <summary>The award ended because its giver or receiver left or was removed.</summary>
    Ended = 5,
}

/// <summary>Append-only record of every award, removal, renewal and grant change: who, whom, what, points, when.</summary>
public class TrustHistoryEntry
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public string ActorId { get; set; } = "";
    public ApplicationUser Actor { get; set; } = null!;
    public string SubjectId { get; set; } = "";
    public ApplicationUser Subject { get; set; } = null!;
    public TrustHistoryAction Action { get; set; }
    public int Points { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class TrustAwardConfiguration : IEntityTypeConfiguration<TrustAward>
{
    public void Configure(EntityTypeBuilder<TrustAward> award)
    {
        award.Property(a => a.CreatedBy).HasMaxLength(450);
        award.HasOne<Communities.Community>().WithMany().HasForeignKey(a => a.CommunityId).OnDelete(DeleteBehavior.Cascade);
        award.HasOne(a => a.Giver).WithMany().HasForeignKey(a => a.GiverId).OnDelete(DeleteBehavior.Restrict);
        award.HasOne(a => a.Receiver).WithMany().HasForeignKey(a => a.ReceiverId).OnDelete(DeleteBehavior.Restrict);
        award.HasIndex(a => new { a.CommunityId, a.GiverId, a.ReceiverId }).IsUnique().HasFilter("deleted_at IS NULL");
        // Scores sum a receiver's active awards; "awards I gave" lists a giver's.
        award.HasIndex(a => new { a.CommunityId, a.ReceiverId }).HasFilter("deleted_at IS NULL");
        award.HasIndex(a => new { a.CommunityId, a.GiverId, a.RenewedAt }).HasFilter("deleted_at IS NULL");
        award.HasIndex(a => a.GiverId);
        award.HasIndex(a => a.ReceiverId);
        award.ToTable(t => t.HasCheckConstraint("ck_trust_awards_not_self", "giver_id <> receiver_id"));
    }
}

internal sealed class TrustHistoryConfiguration : IEntityTypeConfiguration<TrustHistoryEntry>
{
    public void Configure(EntityTypeBuilder<TrustHistoryEntry> entry)
    {
        entry.ToTable("trust_history");
        entry.Property(e => e.Action).HasConversion<string>().HasMaxLength(20);
        entry.HasOne<Communities.Community>().WithMany().HasForeignKey(e => e.CommunityId).OnDelete(DeleteBehavior.Cascade);
        entry.HasOne(e => e.Actor).WithMany().HasForeignKey(e => e.ActorId).OnDelete(DeleteBehavior.Restrict);
        entry.HasOne(e => e.Subject).WithMany().HasForeignKey(e => e.SubjectId).OnDelete(DeleteBehavior.Restrict);
        entry.HasIndex(e => new { e.CommunityId, e.SubjectId, e.CreatedAt });
        entry.HasIndex(e => new { e.CommunityId, e.ActorId, e.CreatedAt });
        entry.HasIndex(e => e.ActorId);
        entry.HasIndex(e => e.SubjectId);
    }
}
