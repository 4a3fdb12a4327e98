using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Wealth;

namespace CommunityApp.Features.Councils;

/// <summary>
/// A group of members that holds and hands out a common inventory (docs/SPEC.md §6). Its name is unique in the
/// community ignoring case; its trust is the count of members who trust it, kept in <see cref="TrustCount"/>.
/// </summary>
public class Council : IAuditable, ISoftDeletable
{
    public const int NameMinLength = 3;
    public const int NameMaxLength = 100;
    public const int DescriptionMinLength = 10;
    public const int DescriptionMaxLength = 1000;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public string Name { get; set; } = "";
    public string NormalizedName { get; set; } = "";
    public string Description { get; set; } = "";
    public int TrustCount { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
}

/// <summary>A manager of a council: holds the council's powers (inventory, contributions, managers) in its scope only.</summary>
public class CouncilManager
{
    public Guid CouncilId { get; set; }
    public Council Council { get; set; } = null!;
    public string UserId { get; set; } = "";
    public ApplicationUser User { get; set; } = null!;
    public string? AddedBy { get; set; }
    public DateTime AddedAt { get; set; }
}

/// <summary>A member's trust in a council: one active row per member and council; un-trusting soft-deletes it.</summary>
public class CouncilTrust : ISoftDeletable
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CouncilId { get; set; }
    public string UserId { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
}

public enum CouncilTrustAction
{
    Trusted = 0,
    Untrusted = 1,
}

/// <summary>The append-only history of trust given to and taken from a council.</summary>
public class CouncilTrustHistoryEntry
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CouncilId { get; set; }
    public string UserId { get; set; } = "";
    public ApplicationUser User { get; set; } = null!;
    public CouncilTrustAction Action { get; set; }
    /// <summary>The council's trust count after the change.</summary>
    public int CountAfter { get; set; }
    public DateTime At { get; set; }
}

/// <summary>What moved units in or out of an inventory. Stored as text; the names are fixed.</summary>
public enum InventoryEntryKind
{
    /// <summary>A confirmed contribution came in.</summary>
    Received = 0,
    /// <summary>The council used units itself (a usage note says for what).</summary>
    Used = 1,
    /// <summary>Units were put into a share for members to request: given onward.</summary>
    SharedOut = 2,
    /// <summary>Units a share did not give out came back when it closed.</summary>
    Returned = 3,
    /// <summary>A pool handed units to a member for a need (docs/SPEC.md §7): one line per allocation.</summary>
    Distributed = 4,
    /// <summary>A member took units through one of the pool's checkout links (docs/SPEC.md §19); the note names them.</summary>
    CheckedOut = 5,
}

/// <summary>
/// One line of an inventory's append-only ledger (docs/SPEC.md §6): a signed change of one item's units. The balance is
/// the sum of the lines; <see cref="InventoryBalance"/> keeps it under a check constraint so it never goes negative.
/// </summary>
public class InventoryEntry : ICreatedAt
{
    public const int NoteMaxLength = 500;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public Guid CouncilId { get; set; }
    /// <summary>The pool whose inventory this line moves; null: the council's own inventory.</summary>
    public Guid? PoolId { get; set; }
    public Guid ItemId { get; set; }
    public Item Item { get; set; } = null!;
    public InventoryEntryKind Kind { get; set; }
    /// <summary>Positive for units in, negative for units out.</summary>
    public int Units { get; set; }
    public int BalanceAfter { get; set; }
    public Guid? ShareId { get; set; }
    public Guid? ContributionId { get; set; }
    public string? Note { get; set; }
    public string ActorId { get; set; } = "";
    public ApplicationUser Actor { get; set; } = null!;
    public DateTime CreatedAt { get; set; }
}

/// <summary>The current units of one item in one holder's inventory: the sum of its ledger, never negative.</summary>
public class InventoryBalance
{
    /// <summary>The council, or the pool (docs/SPEC.md §7), whose inventory this is.</summary>
    public Guid HolderId { get; set; }
    public Guid CouncilId { get; set; }
    public Guid ItemId { get; set; }
    public Item Item { get; set; } = null!;
    public int Units { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public enum ContributionStatus
{
    Pending = 0,
    Confirmed = 1,
    Rejected = 2,
    Withdrawn = 3,
}

/// <summary>
/// Units a member gives to a council (docs/SPEC.md §5.2): recorded with the share aimed at the council, confirmed or
/// rejected by one of its managers. Confirmed units enter the council's inventory.
/// </summary>
public class Contribution : IAuditable
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public Guid CouncilId { get; set; }
    public Council Council { get; set; } = null!;
    /// <summary>The pool of the council the units go to (docs/SPEC.md §7); null: the council's own inventory.</summary>
    public Guid? PoolId { get; set; }
    public Guid ShareId { get; set; }
    public Share Share { get; set; } = null!;
    public string ContributorId { get; set; } = "";
    public ApplicationUser Contributor { get; set; } = null!;
    public Guid ItemId { get; set; }
    public Item Item { get; set; } = null!;
    public int Units { get; set; }
    public ContributionStatus Status { get; set; }
    public string? DecidedBy { get; set; }
    public DateTime? DecidedAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class CouncilConfiguration :
    IEntityTypeConfiguration<Council>, IEntityTypeConfiguration<CouncilManager>, IEntityTypeConfiguration<CouncilTrust>,
    IEntityTypeConfiguration<CouncilTrustHistoryEntry>, IEntityTypeConfiguration<InventoryEntry>, IEntityTypeConfiguration<InventoryBalance>,
    IEntityTypeConfiguration<Contribution>
{
    public void Configure(EntityTypeBuilder<Council> council)
    {
        council.Property(c => c.Name).HasMaxLength(Council.NameMaxLength).IsRequired();
        council.Property(c => c.NormalizedName).HasMaxLength(Council.NameMaxLength).IsRequired();
        council.Property(c => c.Description).HasMaxLength(Council.DescriptionMaxLength).IsRequired();
        council.Property(c => c.CreatedBy).HasMaxLength(450);
        council.HasOne<Community>().WithMany().HasForeignKey(c => c.CommunityId).OnDelete(DeleteBehavior.Cascade);
        council.HasIndex(c => new { c.CommunityId, c.NormalizedName }).IsUnique().HasFilter("deleted_at IS NULL");
        council.ToTable(t => t.HasCheckConstraint("ck_councils_trust_count", "trust_count >= 0"));
    }

    public void Configure(EntityTypeBuilder<CouncilManager> manager)
    {
        manager.ToTable("council_managers");
        manager.HasKey(m => new { m.CouncilId, m.UserId });
        manager.Property(m => m.AddedBy).HasMaxLength(450);
        manager.HasOne(m => m.Council).WithMany().HasForeignKey(m => m.CouncilId).OnDelete(DeleteBehavior.Cascade);
        manager.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Restrict);
        manager.HasIndex(m => m.UserId);
    }

    public void Configure(EntityTypeBuilder<CouncilTrust> trust)
    {
        trust.ToTable("council_trusts");
        trust.HasOne<Council>().WithMany().HasForeignKey(t => t.CouncilId).OnDelete(DeleteBehavior.Cascade);
        trust.HasOne<ApplicationUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Restrict);
        // One active trust per member and council; parallel clicks meet this index.
        trust.HasIndex(t => new { t.CouncilId, t.UserId }).IsUnique().HasFilter("deleted_at IS NULL");
        trust.HasIndex(t => t.UserId);
    }

    public void Configure(EntityTypeBuilder<CouncilTrustHistoryEntry> entry)
    {
        entry.ToTable("council_trust_history");
        entry.Property(e => e.Action).HasConversion<string>().HasMaxLength(10);
        entry.HasOne<Council>().WithMany().HasForeignKey(e => e.CouncilId).OnDelete(DeleteBehavior.Cascade);
        entry.HasOne(e => e.User).WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Restrict);
        entry.HasIndex(e => new { e.CouncilId, e.At });
        entry.HasIndex(e => e.UserId);
    }

    public void Configure(EntityTypeBuilder<InventoryEntry> entry)
    {
        entry.ToTable("inventory_entries");
        entry.Property(e => e.Kind).HasConversion<string>().HasMaxLength(15);
        entry.Property(e => e.Note).HasMaxLength(InventoryEntry.NoteMaxLength);
        entry.HasOne<Community>().WithMany().HasForeignKey(e => e.CommunityId).OnDelete(DeleteBehavior.Cascade);
        entry.HasOne<Council>().WithMany().HasForeignKey(e => e.CouncilId).OnDelete(DeleteBehavior.Cascade);
        entry.HasOne(e => e.Item).WithMany().HasForeignKey(e => e.ItemId).OnDelete(DeleteBehavior.Restrict);
        entry.HasOne<Share>().WithMany().HasForeignKey(e => e.ShareId).OnDelete(DeleteBehavior.Restrict);
        entry.HasOne<Contribution>().WithMany().HasForeignKey(e => e.ContributionId).OnDelete(DeleteBehavior.Restrict);
        entry.HasOne(e => e.Actor).WithMany().HasForeignKey(e => e.ActorId).OnDelete(DeleteBehavior.Restrict);
        entry.HasOne<Pools.Pool>().WithMany().HasForeignKey(e => e.PoolId).OnDelete(DeleteBehavior.Cascade);
        entry.HasIndex(e => new { e.PoolId, e.CreatedAt });
        // The ledger page lists a council's lines newest first, optionally for one item.
        entry.HasIndex(e => new { e.CouncilId, e.CreatedAt });
        entry.HasIndex(e => new { e.CouncilId, e.ItemId, e.CreatedAt });
        entry.HasIndex(e => e.CommunityId);
        entry.HasIndex(e => e.ItemId);
        entry.HasIndex(e => e.ShareId);
        entry.HasIndex(e => e.ContributionId);
        entry.HasIndex(e => e.ActorId);
        entry.ToTable(t => t.HasCheckConstraint("ck_inventory_entries_units", "units <> 0 AND balance_after >= 0"));
    }

    public void Configure(EntityTypeBuilder<InventoryBalance> balance)
    {
        balance.ToTable("inventory_balances");
        balance.HasKey(b => new { b.HolderId, b.ItemId });
        balance.HasOne<Council>().WithMany().HasForeignKey(b => b.CouncilId).OnDelete(DeleteBehavior.Cascade);
        balance.HasOne(b => b.Item).WithMany().HasForeignKey(b => b.ItemId).OnDelete(DeleteBehavior.Restrict);
        balance.HasIndex(b => b.CouncilId);
        balance.HasIndex(b => b.ItemId);
        balance.ToTable(t => t.HasCheckConstraint("ck_inventory_balances_units", "units >= 0"));
    }

    public void Configure(EntityTypeBuilder<Contribution> contribution)
    {
        contribution.ToTable("contributions");
        contribution.Property(c => c.Status).HasConversion<string>().HasMaxLength(10);
        contribution.Property(c => c.CreatedBy).HasMaxLength(450);
        contribution.Property(c => c.DecidedBy).HasMaxLength(450);
        contribution.HasOne<Community>().WithMany().HasForeignKey(c => c.CommunityId).OnDelete(DeleteBehavior.Cascade);
        contribution.HasOne(c => c.Council).WithMany().HasForeignKey(c => c.CouncilId).OnDelete(DeleteBehavior.Cascade);
        contribution.HasOne(c => c.Share).WithMany().HasForeignKey(c => c.ShareId).OnDelete(DeleteBehavior.Cascade);
        contribution.HasOne(c => c.Contributor).WithMany().HasForeignKey(c => c.ContributorId).OnDelete(DeleteBehavior.Restrict);
        contribution.HasOne(c => c.Item).WithMany().HasForeignKey(c => c.ItemId).OnDelete(DeleteBehavior.Restrict);
        contribution.HasOne<Pools.Pool>().WithMany().HasForeignKey(c => c.PoolId).OnDelete(DeleteBehavior.Cascade);
        contribution.HasIndex(c => new { c.PoolId, c.Status, c.CreatedAt });
        // One contribution per share; managers list a council's pending ones oldest first.
        contribution.HasIndex(c => c.ShareId).IsUnique();
        contribution.HasIndex(c => new { c.CouncilId, c.Status, c.CreatedAt });
        contribution.HasIndex(c => c.CommunityId);
        contribution.HasIndex(c => c.ContributorId);
        contribution.HasIndex(c => c.ItemId);
        contribution.ToTable(t => t.HasCheckConstraint("ck_contributions_units", "units >= 1"));
    }
}
