using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Data;

namespace CommunityApp.Features.Disputes;

/// <summary>
/// What a dispute is about (docs/SPEC.md §12). Stored by name; a new kind of subject plugs in by opening disputes through
/// <see cref="DisputeService.OpenAsync"/> with its own id and parties.
/// </summary>
public enum DisputeSubjectKind
{
    /// <summary>A share request that was accepted but never fulfilled, or reported failed (§5.3).</summary>
    Request = 1,
    /// <summary>A value-recognition entry a member says is wrong (§18).</summary>
    RecognitionEntry = 2,
}

/// <summary>open → in mediation → resolved, or closed (docs/SPEC.md §12).</summary>
public enum DisputeStatus
{
    Open = 1,
    InMediation = 2,
    Resolved = 3,
    Closed = 4,
}

public enum MediatorStatus
{
    /// <summary>Offered by a handler, waiting for every party's answer.</summary>
    Offered = 1,
    /// <summary>Every party accepted: the mediator sees the details and may resolve or close.</summary>
    Accepted = 2,
    /// <summary>A party turned the offer down.</summary>
    Rejected = 3,
}

/// <summary>One line of a dispute's timeline: everything that happened to it, in order, kept for good.</summary>
public enum DisputeEventKind
{
    Opened = 1,
    MediatorOffered = 2,
    MediatorAcceptedByParty = 3,
    MediatorRejectedByParty = 4,
    MediatorAccepted = 5,
    Message = 6,
    Evidence = 7,
    Resolved = 8,
    Withdrawn = 9,
    Closed = 10,
    MediationStarted = 11,
}

public class Dispute : IAuditable
{
    public const int TitleMaxLength = 200;
    public const int DetailsMaxLength = 5000;
    public const int OutcomeMaxLength = 5000;
    public const int ReasonMaxLength = 1000;
    public const int MessageMaxLength = 5000;
    public const int MaxImages = 20;
    /// <summary>A dispute in mediation with no activity for this long reminds its mediators and the admins.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromDays(30);

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public DisputeSubjectKind SubjectKind { get; set; }
    public Guid SubjectId { get; set; }
    public string OpenedById { get; set; } = "";
    public string Title { get; set; } = "";
    public string Details { get; set; } = "";
    public DisputeStatus Status { get; set; }
    public DateTime LastActivityAt { get; set; }
    /// <summary>When the quiet-mediation reminder falls due; cleared by the job that sends it, set again by new activity.</summary>
    public DateTime? RemindAt { get; set; }
    public string? Outcome { get; set; }
    public bool? OutcomePublic { get; set; }
    public DateTime? ResolvedAt { get; set; }
    public string? ResolvedById { get; set; }
    public DateTime? ClosedAt { get; set; }
    public string? ClosedById { get; set; }
    public string? CloseReason { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }

    public bool IsActive => Status is DisputeStatus.Open or DisputeStatus.InMediation;
}

/// <summary>A party of a dispute, fixed when it opens: the people whose consent a mediator needs.</summary>
public class DisputeParty
{
    public Guid DisputeId { get; set; }
    public string UserId { get; set; } = "";
}

/// <summary>A handler's offer to mediate, and where it stands.</summary>
public class DisputeMediator
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid DisputeId { get; set; }
    public string UserId { get; set; } = "";
    public MediatorStatus Status { get; set; }
    public DateTime OfferedAt { get; set; }
    public DateTime? DecidedAt { get; set; }
}

/// <summary>One party's answer to one offered mediator (final).</summary>
public class DisputeMediatorAnswer
{
    public Guid MediatorId { get; set; }
    public string PartyId { get; set; } = "";
    public bool Accepted { get; set; }
    public DateTime AnsweredAt { get; set; }
}

public class DisputeEvent
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid DisputeId { get; set; }
    public DisputeEventKind Kind { get; set; }
    public string ActorId { get; set; } = "";
    /// <summary>The mediator an answer or offer is about.</summary>
    public string? SubjectUserId { get; set; }
    /// <summary>Markdown of a message, the outcome, or a reason.</summary>
    public string? Body { get; set; }
    public Guid? ImageId { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A picture attached as evidence, served only to those who see the dispute's details.</summary>
public class DisputeImage
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid DisputeId { get; set; }
    public string ContentType { get; set; } = "";
    public byte[] Bytes { get; set; } = [];
    public DateTime CreatedAt { get; set; }
}

internal sealed class DisputeConfiguration :
    IEntityTypeConfiguration<Dispute>, IEntityTypeConfiguration<DisputeParty>, IEntityTypeConfiguration<DisputeMediator>,
    IEntityTypeConfiguration<DisputeMediatorAnswer>, IEntityTypeConfiguration<DisputeEvent>, IEntityTypeConfiguration<DisputeImage>
{
    public void Configure(EntityTypeBuilder<Dispute> dispute)
    {
        dispute.ToTable("disputes", t =>
        {
            t.HasCheckConstraint("ck_disputes_resolved", "status <> 'Resolved' OR (outcome IS NOT NULL AND outcome_public IS NOT NULL AND resolved_at IS NOT NULL)");
            t.HasCheckConstraint("ck_disputes_closed", "status <> 'Closed' OR closed_at IS NOT NULL");
        });
        dispute.Property(d => d.SubjectKind).HasConversion<string>().HasMaxLength(20);
        dispute.Property(d => d.Status).HasConversion<string>().HasMaxLength(12);
        dispute.Property(d => d.Title).HasMaxLength(Dispute.TitleMaxLength);
        dispute.Property(d => d.Details).HasMaxLength(Dispute.DetailsMaxLength);
        dispute.Property(d => d.Outcome).HasMaxLength(Dispute.OutcomeMaxLength);
        dispute.Property(d => d.CloseReason).HasMaxLength(Dispute.ReasonMaxLength);
        dispute.Property(d => d.CreatedBy).HasMaxLength(450);
        dispute.HasOne<Communities.Community>().WithMany().HasForeignKey(d => d.CommunityId).OnDelete(DeleteBehavior.Cascade);
        dispute.HasOne<ApplicationUser>().WithMany().HasForeignKey(d => d.OpenedById).OnDelete(DeleteBehavior.Restrict);
        dispute.HasOne<ApplicationUser>().WithMany().HasForeignKey(d => d.ResolvedById).OnDelete(DeleteBehavior.Restrict);
        dispute.HasOne<ApplicationUser>().WithMany().HasForeignKey(d => d.ClosedById).OnDelete(DeleteBehavior.Restrict);
        // One open dispute per subject: parallel opens make exactly one.
        dispute.HasIndex(d => new { d.SubjectKind, d.SubjectId }).IsUnique().HasFilter("status IN ('Open', 'InMediation')")
            .HasDatabaseName("ux_disputes_open_subject");
        dispute.HasIndex(d => new { d.SubjectKind, d.SubjectId, d.Status });
        dispute.HasIndex(d => new { d.CommunityId, d.Status });
        dispute.HasIndex(d => d.OpenedById);
        dispute.HasIndex(d => d.ResolvedById);
        dispute.HasIndex(d => d.ClosedById);
        dispute.HasIndex(d => d.RemindAt);
    }

    public void Configure(EntityTypeBuilder<DisputeParty> party)
    {
        party.ToTable("dispute_parties");
        party.HasKey(p => new { p.DisputeId, p.UserId });
        party.HasOne<Dispute>().WithMany().HasForeignKey(p => p.DisputeId).OnDelete(DeleteBehavior.Cascade);
        party.HasOne<ApplicationUser>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Restrict);
        party.HasIndex(p => p.UserId);
    }

    public void Configure(EntityTypeBuilder<DisputeMediator> mediator)
    {
        mediator.ToTable("dispute_mediators");
        mediator.Property(m => m.Status).HasConversion<string>().HasMaxLength(10);
        mediator.HasOne<Dispute>().WithMany().HasForeignKey(m => m.DisputeId).OnDelete(DeleteBehavior.Cascade);
        mediator.HasOne<ApplicationUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Restrict);
        mediator.HasIndex(m => new { m.DisputeId, m.UserId }).IsUnique();
        mediator.HasIndex(m => new { m.UserId, m.Status });
    }

    public void Configure(EntityTypeBuilder<DisputeMediatorAnswer> answer)
    {
        answer.ToTable("dispute_mediator_answers");
        answer.HasKey(a => new { a.MediatorId, a.PartyId });
        answer.HasOne<DisputeMediator>().WithMany().HasForeignKey(a => a.MediatorId).OnDelete(DeleteBehavior.Cascade);
        answer.HasOne<ApplicationUser>().WithMany().HasForeignKey(a => a.PartyId).OnDelete(DeleteBehavior.Restrict);
        answer.HasIndex(a => a.PartyId);
    }

    public void Configure(EntityTypeBuilder<DisputeEvent> item)
    {
        item.ToTable("dispute_events");
        item.Property(e => e.Kind).HasConversion<string>().HasMaxLength(30);
        item.Property(e => e.Body).HasMaxLength(Dispute.MessageMaxLength);
        item.Property(e => e.SubjectUserId).HasMaxLength(450);
        item.HasOne<Dispute>().WithMany().HasForeignKey(e => e.DisputeId).OnDelete(DeleteBehavior.Cascade);
        item.HasOne<ApplicationUser>().WithMany().HasForeignKey(e => e.ActorId).OnDelete(DeleteBehavior.Restrict);
        item.HasOne<DisputeImage>().WithMany().HasForeignKey(e => e.ImageId).OnDelete(DeleteBehavior.Restrict);
        item.HasIndex(e => new { e.DisputeId, e.CreatedAt });
        item.HasIndex(e => e.ActorId);
        item.HasIndex(e => e.ImageId);
    }

    public void Configure(EntityTypeBuilder<DisputeImage> image)
    {
        image.ToTable("dispute_images");
        image.Property(i => i.ContentType).HasMaxLength(20);
        image.HasOne<Dispute>().WithMany().HasForeignKey(i => i.DisputeId).OnDelete(DeleteBehavior.Cascade);
        image.HasIndex(i => i.DisputeId);
    }
}
