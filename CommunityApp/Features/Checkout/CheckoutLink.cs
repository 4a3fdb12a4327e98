using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Wealth;

namespace CommunityApp.Features.Checkout;

/// <summary>
/// A checkout link (docs/SPEC.md §19): a short unguessable token that lets a member take units of a share at once, without
/// approval. It gives from a share (until the share closes or runs out), or from one item of a pool's inventory (until it is
/// revoked); <c>ck_checkout_links_source</c> holds exactly one of the two. Units and checkouts given through the link are
/// counted here, moved by the same conditional UPDATE that refuses a revoked link.
/// </summary>
public class CheckoutLink : IAuditable
{
    public const int TitleMaxLength = 100;

    /// <summary>Open links one share, or one pool, may have at once; revoked ones do not count.</summary>
    public const int MaxOpenPerSource = 20;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }

    /// <summary>The share the link gives from; null for a pool's link.</summary>
    public Guid? ShareId { get; set; }
    public Share? Share { get; set; }

    /// <summary>The pool whose inventory the link gives from, with <see cref="ItemId"/>; null for a share's link.</summary>
    public Guid? PoolId { get; set; }
    /// <summary>The pool's item the link gives.</summary>
    public Guid? ItemId { get; set; }

    /// <summary>128 random bits, base64url (22 characters); unrelated to any id.</summary>
    public string Token { get; set; } = "";
    public string? Title { get; set; }

    /// <summary>The most units one checkout may take; null: as many as are left.</summary>
    public int? CapPerCheckout { get; set; }

    public int UnitsGiven { get; set; }
    public int CheckoutCount { get; set; }
    public DateTime? RevokedAt { get; set; }

    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }

    public static string NewToken() => Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));
}

/// <summary>One checkout through a link: who took how many, and the fulfilled request it recorded (a share's link; a pool's link records a ledger line instead).</summary>
public class CheckoutEntry
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid LinkId { get; set; }
    public Guid? RequestId { get; set; }
    public string UserId { get; set; } = "";
    public ApplicationUser User { get; set; } = null!;
    public int Units { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class CheckoutConfiguration : IEntityTypeConfiguration<CheckoutLink>, IEntityTypeConfiguration<CheckoutEntry>
{
    public void Configure(EntityTypeBuilder<CheckoutLink> link)
    {
        link.ToTable("checkout_links");
        link.Property(l => l.Token).HasMaxLength(32).IsRequired();
        link.Property(l => l.Title).HasMaxLength(CheckoutLink.TitleMaxLength);
        link.Property(l => l.CreatedBy).HasMaxLength(450);
        link.HasOne<Community>().WithMany().HasForeignKey(l => l.CommunityId).OnDelete(DeleteBehavior.Cascade);
        link.HasOne(l => l.Share).WithMany().HasForeignKey(l => l.ShareId).OnDelete(DeleteBehavior.Cascade);
        link.HasIndex(l => l.Token).IsUnique();
        link.HasIndex(l => l.CommunityId);
        // The owner's list: a share's links, newest first; the open-link count per share.
        link.HasIndex(l => new { l.ShareId, l.CreatedAt });
        link.HasOne<Pools.Pool>().WithMany().HasForeignKey(l => l.PoolId).OnDelete(DeleteBehavior.Cascade);
        link.HasOne<Item>().WithMany().HasForeignKey(l => l.ItemId).OnDelete(DeleteBehavior.Restrict);
        // A pool's links, newest first; the open-link count per pool.
        link.HasIndex(l => new { l.PoolId, l.CreatedAt });
        link.HasIndex(l => l.ItemId);
        link.ToTable(t =>
        {
            t.HasCheckConstraint("ck_checkout_links_source",
                "(share_id IS NOT NULL AND pool_id IS NULL AND item_id IS NULL) OR (share_id IS NULL AND pool_id IS NOT NULL AND item_id IS NOT NULL)");
            t.HasCheckConstraint("ck_checkout_links_counts", "units_given >= 0 AND checkout_count >= 0 AND (cap_per_checkout IS NULL OR cap_per_checkout >= 1)");
        });
    }

    public void Configure(EntityTypeBuilder<CheckoutEntry> checkout)
    {
        checkout.ToTable("checkouts");
        checkout.HasOne<CheckoutLink>().WithMany().HasForeignKey(c => c.LinkId).OnDelete(DeleteBehavior.Cascade);
        checkout.HasOne<ShareRequest>().WithMany().HasForeignKey(c => c.RequestId).OnDelete(DeleteBehavior.Cascade);
        checkout.HasOne(c => c.User).WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Restrict);
        checkout.HasIndex(c => new { c.LinkId, c.CreatedAt });
        checkout.HasIndex(c => c.RequestId).IsUnique();
        checkout.HasIndex(c => c.UserId);
        checkout.ToTable(t => t.HasCheckConstraint("ck_checkouts_units", "units >= 1"));
    }
}
