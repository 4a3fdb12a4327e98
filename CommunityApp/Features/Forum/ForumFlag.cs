using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Data;
using CommunityApp.Features.Communities;

namespace CommunityApp.Features.Forum;

/// <summary>Why a member flags a post (docs/SPEC.md §10). Stored as text; the names are fixed.</summary>
public enum FlagReason
{
    OffTopic = 1,
    Inappropriate = 2,
    Spam = 3,
    /// <summary>Something else: the flagger says what in <see cref="ForumFlag.Text"/>.</summary>
    Other = 4,
}

/// <summary>What a reviewer decided about a flag. Stored as text; the names are fixed.</summary>
public enum FlagOutcome
{
    Agreed = 1,
    Disagreed = 2,
    Ignored = 3,
}

/// <summary>
/// One member's flag on one post (docs/SPEC.md §10, Discourse's habits). <see cref="Weight"/> is the flagger's trust level
/// index + 1 when they flagged (<see cref="ModerationRules.FlagWeight"/>); the post's <see cref="ForumPost.FlagWeight"/> is the
/// sum of its open and agreed flags. A flag is open until a reviewer decides (<see cref="Outcome"/>); a disagreed flag no
/// longer counts, and the filtered unique index allows one flag per member and post besides the disagreed ones.
/// </summary>
public class ForumFlag
{
    public const int TextMaxLength = 500;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PostId { get; set; }
    public ForumPost Post { get; set; } = null!;
    public Guid CommunityId { get; set; }
    public string FlaggerId { get; set; } = "";
    public ApplicationUser Flagger { get; set; } = null!;
    public FlagReason Reason { get; set; }
    public string? Text { get; set; }
    public int Weight { get; set; }
    public DateTime CreatedAt { get; set; }
    public FlagOutcome? Outcome { get; set; }
    public DateTime? ReviewedAt { get; set; }
    public string? ReviewedBy { get; set; }
}

internal sealed class ForumFlagConfiguration : IEntityTypeConfiguration<ForumFlag>
{
    public void Configure(EntityTypeBuilder<ForumFlag> flag)
    {
        flag.ToTable("forum_flags");
        flag.Property(f => f.Reason).HasConversion<string>().HasMaxLength(20);
        flag.Property(f => f.Outcome).HasConversion<string>().HasMaxLength(20);
        flag.Property(f => f.Text).HasMaxLength(ForumFlag.TextMaxLength);
        flag.Property(f => f.ReviewedBy).HasMaxLength(450);
        flag.HasOne(f => f.Post).WithMany().HasForeignKey(f => f.PostId).OnDelete(DeleteBehavior.Cascade);
        flag.HasOne<Community>().WithMany().HasForeignKey(f => f.CommunityId).OnDelete(DeleteBehavior.Cascade);
        flag.HasOne(f => f.Flagger).WithMany().HasForeignKey(f => f.FlaggerId).OnDelete(DeleteBehavior.Restrict);
        flag.HasOne<ApplicationUser>().WithMany().HasForeignKey(f => f.ReviewedBy).OnDelete(DeleteBehavior.Restrict);
        // One flag per member and post (a flag a reviewer disagreed with steps aside, so the member may flag again later).
        flag.HasIndex(f => new { f.PostId, f.FlaggerId }).IsUnique().HasFilter("outcome IS NULL OR outcome <> 'Disagreed'");
        // The review queue: open flags of a community.
        flag.HasIndex(f => new { f.CommunityId, f.Outcome });
        flag.HasIndex(f => f.FlaggerId);
        flag.HasIndex(f => f.ReviewedBy);
        flag.ToTable(t =>
        {
            t.HasCheckConstraint("ck_forum_flags_weight", "weight >= 1");
            t.HasCheckConstraint("ck_forum_flags_text", "reason <> 'Other' OR text IS NOT NULL");
        });
    }
}

/// <summary>The review queue's second source: posts whose author asked for another review (docs/SPEC.md §10).</summary>
internal sealed class ForumPostReviewConfiguration : IEntityTypeConfiguration<ForumPost>
{
    public void Configure(EntityTypeBuilder<ForumPost> post) =>
        post.HasIndex(p => new { p.CommunityId, p.ReviewRequestedAt }).HasFilter("review_requested_at IS NOT NULL");
}
