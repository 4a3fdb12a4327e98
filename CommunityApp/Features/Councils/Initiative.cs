using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Data;
using CommunityApp.Features.Communities;

namespace CommunityApp.Features.Councils;

/// <summary>An initiative's state (docs/SPEC.md §6). Stored as text; the names are fixed.</summary>
public enum InitiativeStatus
{
    Active = 0,
    Completed = 1,
    Cancelled = 2,
}

/// <summary>A member's vote on an initiative; withdrawing a vote deletes its row.</summary>
public enum VoteDirection
{
    Up = 1,
    Down = -1,
}

/// <summary>
/// Something a council means to do (docs/SPEC.md §6): a title and a markdown description, a status the managers move, and
/// the members' up and down votes. <see cref="Score"/> = <see cref="UpVotes"/> − <see cref="DownVotes"/> is kept on this row,
/// in the same transaction as the vote that moves it, under this row's lock.
/// </summary>
public class Initiative : IAuditable
{
    public const int TitleMinLength = 1;
    public const int TitleMaxLength = 200;
    public const int DescriptionMinLength = 1;
    public const int DescriptionMaxLength = 20_000;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public Guid CouncilId { get; set; }
    public Council Council { get; set; } = null!;
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public InitiativeStatus Status { get; set; }
    public int UpVotes { get; set; }
    public int DownVotes { get; set; }
    public int Score { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>One member's vote on one initiative (the key makes it one per member).</summary>
public class InitiativeVote
{
    public Guid InitiativeId { get; set; }
    public string UserId { get; set; } = "";
    public VoteDirection Direction { get; set; }
    public DateTime At { get; set; }
}

/// <summary>A member's plain-text comment on an initiative; its author deletes it (soft delete).</summary>
public class InitiativeComment : ISoftDeletable
{
    public const int BodyMinLength = 1;
    public const int BodyMaxLength = 2000;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid InitiativeId { get; set; }
    public string AuthorId { get; set; } = "";
    public ApplicationUser Author { get; set; } = null!;
    public string Body { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
}

/// <summary>A dated progress report on an initiative, written by a manager in markdown.</summary>
public class InitiativeProgress
{
    public const int BodyMinLength = 1;
    public const int BodyMaxLength = 20_000;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid InitiativeId { get; set; }
    public string AuthorId { get; set; } = "";
    public ApplicationUser Author { get; set; } = null!;
    public string Body { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

internal sealed class InitiativeConfiguration :
    IEntityTypeConfiguration<Initiative>, IEntityTypeConfiguration<InitiativeVote>, IEntityTypeConfiguration<InitiativeComment>, IEntityTypeConfiguration<InitiativeProgress>
{
    public void Configure(EntityTypeBuilder<Initiative> initiative)
    {
        initiative.ToTable("initiatives");
        initiative.Property(i => i.Title).HasMaxLength(Initiative.TitleMaxLength).IsRequired();
        initiative.Property(i => i.Description).HasMaxLength(Initiative.DescriptionMaxLength).IsRequired();
        initiative.Property(i => i.Status).HasConversion<string>().HasMaxLength(10);
        initiative.Property(i => i.CreatedBy).HasMaxLength(450);
        initiative.HasOne<Community>().WithMany().HasForeignKey(i => i.CommunityId).OnDelete(DeleteBehavior.Cascade);
        initiative.HasOne(i => i.Council).WithMany().HasForeignKey(i => i.CouncilId).OnDelete(DeleteBehavior.Cascade);
        // The Initiatives tab lists a council's initiatives by status, best score first.
        initiative.HasIndex(i => new { i.CouncilId, i.Status, i.Score });
        initiative.HasIndex(i => i.CommunityId);
        initiative.ToTable(t => t.HasCheckConstraint("ck_initiatives_votes", "up_votes >= 0 AND down_votes >= 0 AND score = up_votes - down_votes"));
    }

    public void Configure(EntityTypeBuilder<InitiativeVote> vote)
    {
        vote.ToTable("initiative_votes");
        vote.HasKey(v => new { v.InitiativeId, v.UserId });
        vote.Property(v => v.Direction).HasConversion<string>().HasMaxLength(10);
        vote.HasOne<Initiative>().WithMany().HasForeignKey(v => v.InitiativeId).OnDelete(DeleteBehavior.Cascade);
        vote.HasOne<ApplicationUser>().WithMany().HasForeignKey(v => v.UserId).OnDelete(DeleteBehavior.Restrict);
        vote.HasIndex(v => v.UserId);
    }

    public void Configure(EntityTypeBuilder<InitiativeComment> comment)
    {
        comment.ToTable("initiative_comments");
        comment.Property(c => c.Body).HasMaxLength(InitiativeComment.BodyMaxLength).IsRequired();
        comment.HasOne<Initiative>().WithMany().HasForeignKey(c => c.InitiativeId).OnDelete(DeleteBehavior.Cascade);
        comment.HasOne(c => c.Author).WithMany().HasForeignKey(c => c.AuthorId).OnDelete(DeleteBehavior.Restrict);
        comment.HasIndex(c => new { c.InitiativeId, c.CreatedAt });
        comment.HasIndex(c => c.AuthorId);
    }

    public void Configure(EntityTypeBuilder<InitiativeProgress> progress)
    {
        progress.ToTable("initiative_progress");
        progress.Property(p => p.Body).HasMaxLength(InitiativeProgress.BodyMaxLength).IsRequired();
        progress.HasOne<Initiative>().WithMany().HasForeignKey(p => p.InitiativeId).OnDelete(DeleteBehavior.Cascade);
        progress.HasOne(p => p.Author).WithMany().HasForeignKey(p => p.AuthorId).OnDelete(DeleteBehavior.Restrict);
        progress.HasIndex(p => new { p.InitiativeId, p.CreatedAt });
        progress.HasIndex(p => p.AuthorId);
    }
}
