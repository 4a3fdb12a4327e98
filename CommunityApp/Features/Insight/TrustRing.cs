using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Data;

namespace CommunityApp.Features.Insight;

/// <summary>
/// The last trust-ring computation of a community (docs/SPEC.md §13): when it ran, over how many members and awards. The
/// job claims a run by a conditional UPDATE of <see cref="ComputedAt"/> on the value it read, so two instances compute once.
/// </summary>
public class TrustRingScan
{
    public Guid CommunityId { get; set; }
    /// <summary>When the flagged clusters were computed; null until the first run.</summary>
    public DateTime? ComputedAt { get; set; }
    public int MemberCount { get; set; }
    public int AwardCount { get; set; }
}

/// <summary>A flagged group of members whose trust comes mostly from each other. It flags; nothing acts on it by itself.</summary>
public class TrustRingCluster
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public DateTime ComputedAt { get; set; }
    /// <summary>Weight of the awards linking the cluster to everyone else ÷ the cluster's volume (0 = closed ring).</summary>
    public double Conductance { get; set; }
    public int MemberCount { get; set; }
    /// <summary>The members' ids, sorted and joined: the same group found again keeps its review.</summary>
    public string MemberKey { get; set; } = "";
    public DateTime? ReviewedAt { get; set; }
    public string? ReviewedBy { get; set; }
    public List<TrustRingMember> Members { get; set; } = [];
}

public class TrustRingMember
{
    public Guid ClusterId { get; set; }
    public string UserId { get; set; } = "";
    public ApplicationUser User { get; set; } = null!;
    /// <summary>The member's walk score (trust ÷ degree); low is suspect.</summary>
    public double Score { get; set; }
}

internal sealed class TrustRingScanConfiguration : IEntityTypeConfiguration<TrustRingScan>
{
    public void Configure(EntityTypeBuilder<TrustRingScan> scan)
    {
        scan.ToTable("trust_ring_scans");
        scan.HasKey(s => s.CommunityId);
        scan.HasOne<Communities.Community>().WithMany().HasForeignKey(s => s.CommunityId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TrustRingClusterConfiguration : IEntityTypeConfiguration<TrustRingCluster>
{
    public void Configure(EntityTypeBuilder<TrustRingCluster> cluster)
    {
        cluster.ToTable("trust_ring_clusters");
        cluster.HasOne<Communities.Community>().WithMany().HasForeignKey(c => c.CommunityId).OnDelete(DeleteBehavior.Cascade);
        cluster.HasIndex(c => new { c.CommunityId, c.Conductance });
        cluster.Property(c => c.ReviewedBy).HasMaxLength(450);
        cluster.HasOne<ApplicationUser>().WithMany().HasForeignKey(c => c.ReviewedBy).OnDelete(DeleteBehavior.Restrict);
        cluster.HasIndex(c => c.ReviewedBy);
        cluster.HasMany(c => c.Members).WithOne().HasForeignKey(m => m.ClusterId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TrustRingMemberConfiguration : IEntityTypeConfiguration<TrustRingMember>
{
    public void Configure(EntityTypeBuilder<TrustRingMember> member)
    {
        member.ToTable("trust_ring_members");
        member.HasKey(m => new { m.ClusterId, m.UserId });
        member.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Restrict);
        member.HasIndex(m => m.UserId);
    }
}
