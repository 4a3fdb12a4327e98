using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Pools;

namespace CommunityApp.Features.Polls;

/// <summary>How members answer a poll (docs/SPEC.md §9). Stored as text; the names are fixed.</summary>
public enum PollKind
{
    /// <summary>Each member picks one option.</summary>
    SingleChoice = 0,

    /// <summary>Each member spreads exactly <see cref="Poll.Points"/> points over the options (dot voting).</summary>
    DotVoting = 1,
}

/// <summary>Who sees the results while the poll is open (Loomio's habit, docs/SPEC.md §9). Stored as text.</summary>
public enum ResultsVisibility
{
    /// <summary>Everyone, all the time.</summary>
    Always = 0,

    /// <summary>A member once they have voted; everyone once the poll has closed.</summary>
    AfterVote = 1,

    /// <summary>Nobody until the poll has closed.</summary>
    AfterClose = 2,
}

/// <summary>
/// A question put to the members of a community (docs/SPEC.md §9), optionally on behalf of a council or one of its pools.
/// It is open while <see cref="EndsAt"/> is ahead: closing early sets the end to that moment, extending and reopening move
/// it. <see cref="RemindAt"/> is when the "closing soon" notification is due (24 h before the end), cleared by the one job
/// run that claims it.
/// </summary>
public class Poll : IAuditable
{
    public const int QuestionMaxLength = 200;
    public const int DescriptionMaxLength = 5000;
    public const int MinOptions = 2;
    public const int MaxOptions = 10;
    public const int MinHours = 1;
    public const int MaxHours = 720;
    public const int MinPoints = 1;
    public const int MaxPoints = 100;
    public static readonly TimeSpan ClosingSoon = TimeSpan.FromHours(24);

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public string CreatorId { get; set; } = "";
    public ApplicationUser Creator { get; set; } = null!;
    /// <summary>The council the poll speaks for (also set for a pool's poll: the pool's council).</summary>
    public Guid? CouncilId { get; set; }
    public Council? Council { get; set; }
    public Guid? PoolId { get; set; }
    public Pool? Pool { get; set; }
    public string Question { get; set; } = "";
    public string? Description { get; set; }
    public PollKind Kind { get; set; }
    /// <summary>The points each member spreads (dot voting only).</summary>
    public int? Points { get; set; }
    public ResultsVisibility Visibility { get; set; }
    /// <summary>When it opened, or was last reopened.</summary>
    public DateTime OpenedAt { get; set; }
    public DateTime EndsAt { get; set; }
    /// <summary>Set when someone closed it before its end (then <see cref="EndsAt"/> is that moment).</summary>
    public DateTime? ClosedEarlyAt { get; set; }
    /// <summary>When the "closing soon" notification is due; null when sent, or when the poll is too short to need one.</summary>
    public DateTime? RemindAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }

    public bool IsOpenAt(DateTime now) => EndsAt > now;

    /// <summary>24 h before the end, if the poll is open then: a poll shorter than a day gets no reminder.</summary>
    public static DateTime? ReminderFor(DateTime openedAt, DateTime endsAt) =>
        endsAt - ClosingSoon > openedAt ? endsAt - ClosingSoon : null;
}

/// <summary>One answer of a poll; <see cref="Position"/> orders them (0–9), <see cref="NormalizedText"/> keeps them distinct.</summary>
public class PollOption
{
    public const int TextMaxLength = 100;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PollId { get; set; }
    public int Position { get; set; }
    public string Text { get; set; } = "";
    /// <summary>Upper case, inner white space collapsed: two options equal ignoring case and spacing are one.</summary>
    public string NormalizedText { get; set; } = "";
}

/// <summary>One member's ballot on one poll: the key makes it one per member, and nothing ever changes it (final).</summary>
public class PollVote
{
    public const int ReasonMaxLength = 280;

    public Guid PollId { get; set; }
    public string UserId { get; set; } = "";
    public ApplicationUser User { get; set; } = null!;
    public string? Reason { get; set; }
    public DateTime At { get; set; }
}

/// <summary>What a ballot gives one option: 1 for a single choice, the points placed there for dot voting.</summary>
public class PollVotePoints
{
    public Guid PollId { get; set; }
    public string UserId { get; set; } = "";
    public Guid OptionId { get; set; }
    public int Points { get; set; }
}

/// <summary>A member's markdown comment on a poll; its author or an admin deletes it (soft delete).</summary>
public class PollComment : ISoftDeletable
{
    public const int BodyMaxLength = 2000;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PollId { get; set; }
    public string AuthorId { get; set; } = "";
    public ApplicationUser Author { get; set; } = null!;
    public string Body { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
}

internal sealed class PollConfiguration :
    IEntityTypeConfiguration<Poll>, IEntityTypeConfiguration<PollOption>, IEntityTypeConfiguration<PollVote>,
    IEntityTypeConfiguration<PollVotePoints>, IEntityTypeConfiguration<PollComment>
{
    public void Configure(EntityTypeBuilder<Poll> poll)
    {
        poll.ToTable("polls");
        poll.Property(p => p.Question).HasMaxLength(Poll.QuestionMaxLength).IsRequired();
        poll.Property(p => p.Description).HasMaxLength(Poll.DescriptionMaxLength);
        poll.Property(p => p.Kind).HasConversion<string>().HasMaxLength(20);
        poll.Property(p => p.Visibility).HasConversion<string>().HasMaxLength(20);
        poll.Property(p => p.CreatedBy).HasMaxLength(450);
        poll.HasOne<Community>().WithMany().HasForeignKey(p => p.CommunityId).OnDelete(DeleteBehavior.Cascade);
        poll.HasOne(p => p.Creator).WithMany().HasForeignKey(p => p.CreatorId).OnDelete(DeleteBehavior.Restrict);
        poll.HasOne(p => p.Council).WithMany().HasForeignKey(p => p.CouncilId).OnDelete(DeleteBehavior.Cascade);
        poll.HasOne(p => p.Pool).WithMany().HasForeignKey(p => p.PoolId).OnDelete(DeleteBehavior.Cascade);
        // The list shows a community's polls open first by end; the council page its own; the job finds due reminders.
        poll.HasIndex(p => new { p.CommunityId, p.EndsAt });
        poll.HasIndex(p => new { p.CouncilId, p.EndsAt });
        poll.HasIndex(p => p.PoolId);
        poll.HasIndex(p => p.CreatorId);
        poll.HasIndex(p => p.RemindAt).HasFilter("remind_at IS NOT NULL");
        poll.ToTable(t =>
        {
            t.HasCheckConstraint("ck_polls_points",
                $"(kind = 'SingleChoice' AND points IS NULL) OR (kind = 'DotVoting' AND points BETWEEN {Poll.MinPoints} AND {Poll.MaxPoints})");
            t.HasCheckConstraint("ck_polls_ends", "ends_at > opened_at OR closed_early_at IS NOT NULL");
            t.HasCheckConstraint("ck_polls_pool_council", "pool_id IS NULL OR council_id IS NOT NULL");
        });
    }

    public void Configure(EntityTypeBuilder<PollOption> option)
    {
        option.ToTable("poll_options");
        option.Property(o => o.Text).HasMaxLength(PollOption.TextMaxLength).IsRequired();
        option.Property(o => o.NormalizedText).HasMaxLength(PollOption.TextMaxLength).IsRequired();
        option.HasOne<Poll>().WithMany().HasForeignKey(o => o.PollId).OnDelete(DeleteBehavior.Cascade);
        // At most ten options, in order, no two alike; the ballots' points name an option of their own poll.
        option.HasIndex(o => new { o.PollId, o.Position }).IsUnique();
        option.HasIndex(o => new { o.PollId, o.NormalizedText }).IsUnique();
        option.HasAlternateKey(o => new { o.PollId, o.Id });
        option.ToTable(t => t.HasCheckConstraint("ck_poll_options_position", $"position >= 0 AND position < {Poll.MaxOptions}"));
    }

    public void Configure(EntityTypeBuilder<PollVote> vote)
    {
        vote.ToTable("poll_votes");
        vote.HasKey(v => new { v.PollId, v.UserId });
        vote.Property(v => v.Reason).HasMaxLength(PollVote.ReasonMaxLength);
        vote.HasOne<Poll>().WithMany().HasForeignKey(v => v.PollId).OnDelete(DeleteBehavior.Cascade);
        vote.HasOne(v => v.User).WithMany().HasForeignKey(v => v.UserId).OnDelete(DeleteBehavior.Restrict);
        vote.HasIndex(v => v.UserId);
        vote.HasIndex(v => new { v.PollId, v.At });
    }

    public void Configure(EntityTypeBuilder<PollVotePoints> points)
    {
        points.ToTable("poll_vote_points");
        points.HasKey(p => new { p.PollId, p.UserId, p.OptionId });
        points.HasOne<PollVote>().WithMany().HasForeignKey(p => new { p.PollId, p.UserId }).OnDelete(DeleteBehavior.Cascade);
        points.HasOne<PollOption>().WithMany().HasForeignKey(p => new { p.PollId, p.OptionId }).HasPrincipalKey(o => new { o.PollId, o.Id }).OnDelete(DeleteBehavior.Cascade);
        // The tally sums points per option of one poll.
        points.HasIndex(p => new { p.PollId, p.OptionId });
        points.ToTable(t => t.HasCheckConstraint("ck_poll_vote_points_points", $"points BETWEEN 1 AND {Poll.MaxPoints}"));
    }

    public void Configure(EntityTypeBuilder<PollComment> comment)
    {
        comment.ToTable("poll_comments");
        comment.Property(c => c.Body).HasMaxLength(PollComment.BodyMaxLength).IsRequired();
        comment.HasOne<Poll>().WithMany().HasForeignKey(c => c.PollId).OnDelete(DeleteBehavior.Cascade);
        comment.HasOne(c => c.Author).WithMany().HasForeignKey(c => c.AuthorId).OnDelete(DeleteBehavior.Restrict);
        comment.HasIndex(c => new { c.PollId, c.CreatedAt });
        comment.HasIndex(c => c.AuthorId);
    }
}
