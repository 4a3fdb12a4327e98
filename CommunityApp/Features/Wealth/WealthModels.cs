using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Needs;

namespace CommunityApp.Features.Wealth;

/// <summary>Whether something shared is a thing or a service (docs/SPEC.md §5.1). Stored as text; the names are fixed.</summary>
public enum WealthKind
{
    Object = 0,
    Service = 1,
}

/// <summary>Who a share goes to (docs/SPEC.md §5.2): the community (default), a council, or a pool.</summary>
public enum ShareTarget
{
    Community = 0,
    Council = 1,
    Pool = 2,
}

public enum ShareStatus
{
    Active = 0,
    Fulfilled = 1,
    Expired = 2,
    Cancelled = 3,
}

/// <summary>The request state machine of docs/SPEC.md §5.3; fulfilled, rejected, cancelled and failed are final.</summary>
public enum RequestStatus
{
    Pending = 0,
    Accepted = 1,
    Rejected = 2,
    Cancelled = 3,
    Fulfilled = 4,
    Failed = 5,
}

/// <summary>A node of the community's catalogue (Food › Vegetables), named in English and optionally in Spanish (docs/SPEC.md §5.1).</summary>
public class ItemCategory : IAuditable
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public Guid? ParentId { get; set; }
    public string Name { get; set; } = "";
    /// <summary>The Spanish name, when set: what Spanish readers see instead of <see cref="Name"/>.</summary>
    public string? NameEs { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// A kind of thing the community shares, named in English and optionally in Spanish (docs/SPEC.md §5.1); each language's
/// name is unique in the community ignoring case (<see cref="NormalizedName"/>, <see cref="NormalizedNameEs"/>).
/// </summary>
public class Item : IAuditable, ISoftDeletable
{
    public const int NameMaxLength = 100;
    /// <summary>The largest value per unit: units × value of the largest share still fits the contribution log.</summary>
    public const int MaxValuePoints = 10_000;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public Guid? CategoryId { get; set; }
    public string Name { get; set; } = "";
    public string NormalizedName { get; set; } = "";
    /// <summary>The Spanish name, when set: what Spanish readers see instead of <see cref="Name"/>.</summary>
    public string? NameEs { get; set; }
    public string? NormalizedNameEs { get; set; }
    public WealthKind Kind { get; set; }
    /// <summary>The optional value of one unit (docs/SPEC.md §18): contributions of the item are logged as units × this.</summary>
    public int? ValuePoints { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }

    /// <summary>What <see cref="NormalizedName"/> and <see cref="NormalizedNameEs"/> hold for a trimmed name: "carrots" and "CARROTS" are one name.</summary>
    public static string ComparisonKey(string name) => name.ToUpperInvariant();
}

/// <summary>
/// Something a member offers (docs/SPEC.md §5.2). Units move from free to reserved (accepted requests) to given
/// (fulfilled); the database refuses any state where reserved + given exceeds the units offered.
/// <para>
/// A recurring share (<see cref="Recurrence"/> not <c>Once</c>) offers <see cref="UnitsOffered"/> per period, from
/// <see cref="PeriodStart"/> to <see cref="PeriodEnd"/>: reserved and given count this period only, so the same check
/// constraint holds per period, and the refill (<see cref="ShareRefillJob"/>, or the first request after the boundary)
/// starts the next period with both at zero. Requests accepted in a period keep counting there (<see cref="ShareRequest.PeriodStart"/>).
/// </para>
/// </summary>
public class Share : IAuditable, ISoftDeletable
{
    public const int TitleMaxLength = 200;
    public const int DescriptionMaxLength = 4000;
    public const int MaxUnits = 100_000;
    /// <summary>A share expires at most this many days ahead.</summary>
    public const int MaxExpiryDays = 365;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public string OwnerId { get; set; } = "";
    public ApplicationUser Owner { get; set; } = null!;
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public WealthKind Kind { get; set; }
    public Guid? ItemId { get; set; }
    public Guid? CategoryId { get; set; }
    public int UnitsOffered { get; set; }
    public int UnitsReserved { get; set; }
    public int UnitsGiven { get; set; }
    public int? MaxUnitsPerMember { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public int? MinTrust { get; set; }
    /// <summary><c>Once</c>, or the period after which the units are offered again (docs/SPEC.md §5.2). Only a share to the members recurs.</summary>
    public NeedRecurrence Recurrence { get; set; }
    /// <summary>When the current period began; null for a one-time share.</summary>
    public DateTime? PeriodStart { get; set; }
    /// <summary>When the current period ends and the units are offered again; null for a one-time share.</summary>
    public DateTime? PeriodEnd { get; set; }
    public ShareTarget Target { get; set; }
    /// <summary>The council or pool when <see cref="Target"/> is not the community.</summary>
    public Guid? TargetId { get; set; }
    /// <summary>The council whose inventory the units came from (docs/SPEC.md §6): units not given return to it when the share closes.</summary>
    public Guid? SourceCouncilId { get; set; }
    /// <summary>The pool whose inventory the units came from (docs/SPEC.md §7); <see cref="SourceCouncilId"/> is then its council. Units not given return to the pool.</summary>
    public Guid? SourcePoolId { get; set; }
    public ShareStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }

    public int UnitsFree => UnitsOffered - UnitsReserved - UnitsGiven;

    public bool IsRecurring => Recurrence != NeedRecurrence.Once;

    /// <summary>The units free at <paramref name="now"/>: a recurring share whose period has ended is full again, before the refill is stored.</summary>
    public int FreeAt(DateTime now) => PeriodEnd is { } end && end <= now ? UnitsOffered : UnitsFree;
}

public class ShareRequest : IAuditable
{
    public const int MessageMaxLength = 2000;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ShareId { get; set; }
    public Share Share { get; set; } = null!;
    public string RequesterId { get; set; } = "";
    public ApplicationUser Requester { get; set; } = null!;
    public int Units { get; set; }
    public string? Message { get; set; }
    public RequestStatus Status { get; set; }
    /// <summary>
    /// On a recurring share, the period whose units this request holds or took: the share's <see cref="Share.PeriodStart"/>
    /// when it was accepted (or checked out). It keeps counting there after the refill, never in a later period. Null on a
    /// one-time share, and while pending.
    /// </summary>
    public DateTime? PeriodStart { get; set; }
    /// <summary>When the owner accepted it; <c>requestConfirmDays</c> later both parties are asked to confirm (docs/SPEC.md §12).</summary>
    public DateTime? AcceptedAt { get; set; }
    /// <summary>When both parties were asked to confirm (set once, by the confirm job's conditional UPDATE).</summary>
    public DateTime? ConfirmAskedAt { get; set; }
    /// <summary>
    /// When the share's owner first answered: accepted, rejected or cancelled it while pending, or wrote in its thread. Null
    /// until then, and for a checkout (nobody is asked). The health dashboard's time to first response (docs/SPEC.md §13).
    /// </summary>
    public DateTime? RespondedAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }

    public bool IsOpen => Status is RequestStatus.Pending or RequestStatus.Accepted;
}

/// <summary>A comment on a share, visible to every member.</summary>
public class ShareComment : ISoftDeletable
{
    public const int BodyMaxLength = 2000;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ShareId { get; set; }
    public string AuthorId { get; set; } = "";
    public ApplicationUser Author { get; set; } = null!;
    public string Body { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    /// <summary>When its author last changed it; shown as "edited".</summary>
    public DateTime? EditedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
}

/// <summary>One message in the private thread between requester and owner.</summary>
public class RequestMessage
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid RequestId { get; set; }
    public string AuthorId { get; set; } = "";
    public ApplicationUser Author { get; set; } = null!;
    public string Body { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

internal sealed class WealthConfiguration :
    IEntityTypeConfiguration<ItemCategory>, IEntityTypeConfiguration<Item>, IEntityTypeConfiguration<Share>,
    IEntityTypeConfiguration<ShareRequest>, IEntityTypeConfiguration<RequestMessage>, IEntityTypeConfiguration<ShareComment>
{
    public void Configure(EntityTypeBuilder<ShareComment> comment)
    {
        comment.ToTable("share_comments");
        comment.Property(c => c.Body).HasMaxLength(ShareComment.BodyMaxLength).IsRequired();
        comment.HasOne<Share>().WithMany().HasForeignKey(c => c.ShareId).OnDelete(DeleteBehavior.Cascade);
        comment.HasOne(c => c.Author).WithMany().HasForeignKey(c => c.AuthorId).OnDelete(DeleteBehavior.Restrict);
        comment.HasIndex(c => new { c.ShareId, c.CreatedAt });
        comment.HasIndex(c => c.AuthorId);
    }

    public void Configure(EntityTypeBuilder<ItemCategory> category)
    {
        category.ToTable("item_categories");
        category.Property(c => c.Name).HasMaxLength(Item.NameMaxLength).IsRequired();
        category.Property(c => c.NameEs).HasMaxLength(Item.NameMaxLength);
        category.Property(c => c.CreatedBy).HasMaxLength(450);
        category.HasOne<Community>().WithMany().HasForeignKey(c => c.CommunityId).OnDelete(DeleteBehavior.Cascade);
        category.HasOne<ItemCategory>().WithMany().HasForeignKey(c => c.ParentId).OnDelete(DeleteBehavior.Restrict);
        category.HasIndex(c => new { c.CommunityId, c.ParentId, c.Name }).IsUnique();
        category.HasIndex(c => new { c.CommunityId, c.ParentId, c.NameEs }).IsUnique();
        category.HasIndex(c => c.ParentId);
    }

    public void Configure(EntityTypeBuilder<Item> item)
    {
        item.Property(i => i.Name).HasMaxLength(Item.NameMaxLength).IsRequired();
        item.Property(i => i.NormalizedName).HasMaxLength(Item.NameMaxLength).IsRequired();
        item.Property(i => i.NameEs).HasMaxLength(Item.NameMaxLength);
        item.Property(i => i.NormalizedNameEs).HasMaxLength(Item.NameMaxLength);
        item.Property(i => i.Kind).HasConversion<string>().HasMaxLength(10);
        item.Property(i => i.CreatedBy).HasMaxLength(450);
        item.HasOne<Community>().WithMany().HasForeignKey(i => i.CommunityId).OnDelete(DeleteBehavior.Cascade);
        item.HasOne<ItemCategory>().WithMany().HasForeignKey(i => i.CategoryId).OnDelete(DeleteBehavior.SetNull);
        item.HasIndex(i => new { i.CommunityId, i.NormalizedName }).IsUnique().HasFilter("deleted_at IS NULL");
        item.HasIndex(i => new { i.CommunityId, i.NormalizedNameEs }).IsUnique().HasFilter("deleted_at IS NULL");
        item.HasIndex(i => i.CategoryId);
    }

    public void Configure(EntityTypeBuilder<Share> share)
    {
        share.Property(s => s.Title).HasMaxLength(Share.TitleMaxLength).IsRequired();
        share.Property(s => s.Description).HasMaxLength(Share.DescriptionMaxLength);
        share.Property(s => s.Kind).HasConversion<string>().HasMaxLength(10);
        share.Property(s => s.Target).HasConversion<string>().HasMaxLength(10);
        share.Property(s => s.Status).HasConversion<string>().HasMaxLength(10);
        share.Property(s => s.Recurrence).HasConversion<string>().HasMaxLength(10);
        share.Property(s => s.CreatedBy).HasMaxLength(450);
        share.Ignore(s => s.UnitsFree);
        share.Ignore(s => s.IsRecurring);
        share.HasOne<Community>().WithMany().HasForeignKey(s => s.CommunityId).OnDelete(DeleteBehavior.Cascade);
        share.HasOne(s => s.Owner).WithMany().HasForeignKey(s => s.OwnerId).OnDelete(DeleteBehavior.Restrict);
        share.HasOne<Item>().WithMany().HasForeignKey(s => s.ItemId).OnDelete(DeleteBehavior.Restrict);
        share.HasOne<ItemCategory>().WithMany().HasForeignKey(s => s.CategoryId).OnDelete(DeleteBehavior.SetNull);
        share.HasOne<Councils.Council>().WithMany().HasForeignKey(s => s.SourceCouncilId).OnDelete(DeleteBehavior.Restrict);
        share.HasIndex(s => s.SourceCouncilId);
        share.HasOne<Pools.Pool>().WithMany().HasForeignKey(s => s.SourcePoolId).OnDelete(DeleteBehavior.Restrict);
        share.HasIndex(s => s.SourcePoolId);
        // Browsing lists a community's shares by status, newest first or expiring first.
        share.HasIndex(s => new { s.CommunityId, s.Status, s.CreatedAt });
        share.HasIndex(s => new { s.CommunityId, s.Status, s.ExpiresAt });
        // Browsing sorted by "expiring soon" walks this in order (nulls last on PostgreSQL, as the sort puts them); the
        // "most available" sort has an expression index of its own, on PostgreSQL (migration PagesAtScale).
        share.HasIndex(s => new { s.CommunityId, s.ExpiresAt, s.Id }).IsDescending(false, false, true)
            .HasFilter("status = 'Active' AND target = 'Community' AND deleted_at IS NULL");
        share.HasIndex(s => new { s.CommunityId, s.CategoryId });
        share.HasIndex(s => new { s.OwnerId, s.Status });
        share.HasIndex(s => s.ItemId);
        share.HasIndex(s => s.CategoryId);
        // The refill job finds the periods that ended.
        share.HasIndex(s => s.PeriodEnd).HasFilter("period_end IS NOT NULL");
        share.ToTable(t =>
        {
            t.HasCheckConstraint("ck_shares_units", "units_offered >= 1 AND units_reserved >= 0 AND units_given >= 0 AND units_reserved + units_given <= units_offered");
            t.HasCheckConstraint("ck_shares_caps", "(max_units_per_member IS NULL OR max_units_per_member >= 1) AND (min_trust IS NULL OR min_trust >= 0)");
            // A recurring share has a period (and only to the members, never from an inventory); a one-time share has none.
            t.HasCheckConstraint("ck_shares_period",
                "(recurrence = 'Once' AND period_start IS NULL AND period_end IS NULL) OR (recurrence <> 'Once' AND period_start IS NOT NULL AND period_end IS NOT NULL AND period_end > period_start " +
                "AND target = 'Community' AND source_council_id IS NULL)");
        });
    }

    public void Configure(EntityTypeBuilder<ShareRequest> request)
    {
        request.ToTable("share_requests");
        request.Property(r => r.Status).HasConversion<string>().HasMaxLength(10);
        request.Property(r => r.Message).HasMaxLength(ShareRequest.MessageMaxLength);
        request.Property(r => r.CreatedBy).HasMaxLength(450);
        request.HasOne(r => r.Share).WithMany().HasForeignKey(r => r.ShareId).OnDelete(DeleteBehavior.Cascade);
        request.HasOne(r => r.Requester).WithMany().HasForeignKey(r => r.RequesterId).OnDelete(DeleteBehavior.Restrict);
        request.HasIndex(r => new { r.ShareId, r.Status });
        request.HasIndex(r => new { r.RequesterId, r.Status });
        // The confirm job finds accepted requests not yet asked about.
        request.HasIndex(r => new { r.Status, r.AcceptedAt }).HasFilter("confirm_asked_at IS NULL");
        request.ToTable(t => t.HasCheckConstraint("ck_share_requests_units", "units >= 1"));
    }

    public void Configure(EntityTypeBuilder<RequestMessage> message)
    {
        message.ToTable("request_messages");
        message.Property(m => m.Body).HasMaxLength(2000).IsRequired();
        message.HasOne<ShareRequest>().WithMany().HasForeignKey(m => m.RequestId).OnDelete(DeleteBehavior.Cascade);
        message.HasOne(m => m.Author).WithMany().HasForeignKey(m => m.AuthorId).OnDelete(DeleteBehavior.Restrict);
        message.HasIndex(m => new { m.RequestId, m.CreatedAt });
        message.HasIndex(m => m.AuthorId);
    }
}
