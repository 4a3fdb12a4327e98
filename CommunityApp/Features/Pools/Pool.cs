using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Wealth;

namespace CommunityApp.Features.Pools;

/// <summary>
/// A pool (docs/SPEC.md §7): an inventory of its own under a council, for chosen catalogue items, filled by members'
/// contributions and handed out from needs or by shares. Its name is unique in the council ignoring case. The council's
/// managers (and the community's admins) manage it.
/// </summary>
public class Pool : IAuditable
{
    public const int NameMinLength = 3;
    public const int NameMaxLength = 100;
    public const int DescriptionMaxLength = 1000;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public Guid CouncilId { get; set; }
    public Council Council { get; set; } = null!;
    public string Name { get; set; } = "";
    public string NormalizedName { get; set; } = "";
    public string Description { get; set; } = "";
    /// <summary>The fewest units one contribution may bring; null: any.</summary>
    public int? MinContribution { get; set; }
    /// <summary>The most units one member receives in one distribution; null: no cap.</summary>
    public int? MaxUnitsPerMember { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A catalogue item a pool accepts (and distributes).</summary>
public class PoolItem
{
    public Guid PoolId { get; set; }
    public Guid ItemId { get; set; }
    public Item Item { get; set; } = null!;
}

/// <summary>
/// One allocation of a distribution from needs (docs/SPEC.md §7): units of the pool's item given to a member for one of
/// their needs. Allocations of one confirmation share <see cref="DistributionId"/>. The units leave the pool's inventory
/// with a <see cref="InventoryEntryKind.Distributed"/> ledger line in the same transaction.
/// </summary>
public class PoolAllocation
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public Guid PoolId { get; set; }
    public Guid DistributionId { get; set; }
    public Guid NeedId { get; set; }
    public string MemberId { get; set; } = "";
    public ApplicationUser Member { get; set; } = null!;
    public Guid ItemId { get; set; }
    public Item Item { get; set; } = null!;
    public int Units { get; set; }
    public DistributionStrategy Strategy { get; set; }
    public string ActorId { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

/// <summary>Something in a pool changed (contributions, inventory, distributions): open pool pages reload.</summary>
public sealed record PoolChanged(Guid CommunityId, Guid PoolId) : AppEvent;

internal sealed class PoolConfiguration :
    IEntityTypeConfiguration<Pool>, IEntityTypeConfiguration<PoolItem>, IEntityTypeConfiguration<PoolAllocation>
{
    public void Configure(EntityTypeBuilder<Pool> pool)
    {
        pool.ToTable("pools");
        pool.Property(p => p.Name).HasMaxLength(Pool.NameMaxLength).IsRequired();
        pool.Property(p => p.NormalizedName).HasMaxLength(Pool.NameMaxLength).IsRequired();
        pool.Property(p => p.Description).HasMaxLength(Pool.DescriptionMaxLength).IsRequired();
        pool.Property(p => p.CreatedBy).HasMaxLength(450);
        pool.HasOne<Community>().WithMany().HasForeignKey(p => p.CommunityId).OnDelete(DeleteBehavior.Cascade);
        pool.HasOne(p => p.Council).WithMany().HasForeignKey(p => p.CouncilId).OnDelete(DeleteBehavior.Cascade);
        pool.HasIndex(p => new { p.CouncilId, p.NormalizedName }).IsUnique();
        pool.HasIndex(p => p.CommunityId);
        pool.ToTable(t =>
        {
            t.HasCheckConstraint("ck_pools_min_contribution", "min_contribution IS NULL OR min_contribution >= 1");
            t.HasCheckConstraint("ck_pools_max_units_per_member", "max_units_per_member IS NULL OR max_units_per_member >= 1");
        });
    }

    public void Configure(EntityTypeBuilder<PoolItem> item)
    {
        item.ToTable("pool_items");
        item.HasKey(i => new { i.PoolId, i.ItemId });
        item.HasOne<Pool>().WithMany().HasForeignKey(i => i.PoolId).OnDelete(DeleteBehavior.Cascade);
        item.HasOne(i => i.Item).WithMany().HasForeignKey(i => i.ItemId).OnDelete(DeleteBehavior.Restrict);
        item.HasIndex(i => i.ItemId);
    }

    public void Configure(EntityTypeBuilder<PoolAllocation> allocation)
    {
        allocation.ToTable("pool_allocations");
        allocation.Property(a => a.Strategy).HasConversion<string>().HasMaxLength(15);
        allocation.HasOne<Community>().WithMany().HasForeignKey(a => a.CommunityId).OnDelete(DeleteBehavior.Cascade);
        allocation.HasOne<Pool>().WithMany().HasForeignKey(a => a.PoolId).OnDelete(DeleteBehavior.Cascade);
        allocation.HasOne<Need>().WithMany().HasForeignKey(a => a.NeedId).OnDelete(DeleteBehavior.Restrict);
        allocation.HasOne(a => a.Member).WithMany().HasForeignKey(a => a.MemberId).OnDelete(DeleteBehavior.Restrict);
        allocation.HasOne(a => a.Item).WithMany().HasForeignKey(a => a.ItemId).OnDelete(DeleteBehavior.Restrict);
        allocation.HasOne<ApplicationUser>().WithMany().HasForeignKey(a => a.ActorId).OnDelete(DeleteBehavior.Restrict);
        // The pool page lists the latest allocations; a need's served units in its period are summed by need.
        allocation.HasIndex(a => new { a.PoolId, a.CreatedAt });
        allocation.HasIndex(a => new { a.NeedId, a.CreatedAt });
        allocation.HasIndex(a => a.CommunityId);
        allocation.HasIndex(a => a.MemberId);
        allocation.HasIndex(a => a.ItemId);
        allocation.HasIndex(a => a.ActorId);
        allocation.HasIndex(a => a.DistributionId);
        allocation.ToTable(t => t.HasCheckConstraint("ck_pool_allocations_units", "units >= 1"));
    }
}
