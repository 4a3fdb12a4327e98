using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Data;
using CommunityApp.Features.Communities;

namespace CommunityApp.Features.Forum;

/// <summary>
/// A forum category (docs/SPEC.md §10): ordered by <see cref="Position"/> inside its community, managed by forum managers.
/// The name is unique per community ignoring case (<see cref="NormalizedName"/> and a unique index). Only an empty category
/// is deleted, so the row goes (the audit entry keeps its name).
/// </summary>
public class ForumCategory : IAuditable
{
    public const int NameMinLength = 1;
    public const int NameMaxLength = 60;
    public const int DescriptionMaxLength = 500;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public string Name { get; set; } = "";
    public string NormalizedName { get; set; } = "";
    public string Description { get; set; } = "";
    public int Position { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// A forum thread. Discourse's shape: its opening text is its first post (<see cref="ForumPost.IsOpening"/>), so votes and
/// flags are on posts only and a thread's score is its opening post's. <see cref="PostCount"/> (live posts, the opening
/// one included) and <see cref="LastPostAt"/> are kept by the writes that add and delete posts, under the thread's row lock.
/// </summary>
public class ForumThread : IAuditable, ISoftDeletable
{
    public const int TitleMinLength = 1;
    public const int TitleMaxLength = 200;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public Guid CategoryId { get; set; }
    public ForumCategory Category { get; set; } = null!;
    public string AuthorId { get; set; } = "";
    public ApplicationUser Author { get; set; } = null!;
    public string Title { get; set; } = "";
    public bool IsPinned { get; set; }
    public bool IsLocked { get; set; }
    public Guid? BestAnswerPostId { get; set; }
    public int PostCount { get; set; }
    public DateTime LastPostAt { get; set; }
    public List<ForumThreadTag> Tags { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
}

/// <summary>One tag of a thread (lowercase letters, digits and hyphens); the thread list filters by it.</summary>
public class ForumThreadTag
{
    public const int MaxLength = 30;
    public const int MaxPerThread = 5;

    public Guid ThreadId { get; set; }
    public Guid CommunityId { get; set; }
    public string Tag { get; set; } = "";
}

/// <summary>
/// A post: a thread's opening text or a reply, in markdown. <see cref="Score"/> (up minus down) is kept by the vote writes
/// under the post's row lock. The moderation columns belong to the flags and review queue (docs/SPEC.md §10): the weight of
/// the open flags, when the post was hidden by them, when its author asked for another review, and until when members
/// whose flags a reviewer disagreed with may not flag it again. The forum only shows them.
/// </summary>
public class ForumPost : IAuditable, ISoftDeletable
{
    public const int BodyMinLength = 1;
    public const int BodyMaxLength = 20_000;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ThreadId { get; set; }
    public ForumThread Thread { get; set; } = null!;
    public Guid CommunityId { get; set; }
    public string AuthorId { get; set; } = "";
    public ApplicationUser Author { get; set; } = null!;
    public string Body { get; set; } = "";
    public bool IsOpening { get; set; }
    public int Score { get; set; }
    public DateTime? EditedAt { get; set; }
    public int FlagWeight { get; set; }
    public DateTime? HiddenAt { get; set; }
    public DateTime? ReviewRequestedAt { get; set; }
    public DateTime? ReflagBlockedUntil { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
}

/// <summary>One member's vote on one post: +1 or −1; the key makes it one per member, withdrawing deletes the row.</summary>
public class ForumVote
{
    public Guid PostId { get; set; }
    public string UserId { get; set; } = "";
    public short Value { get; set; }
    public DateTime At { get; set; }
}

/// <summary>A member a post's <c>@username</c> told (once per post: an edit does not tell them again).</summary>
public class ForumMention
{
    public Guid PostId { get; set; }
    public string UserId { get; set; } = "";
    public DateTime At { get; set; }
}

internal sealed class ForumConfiguration :
    IEntityTypeConfiguration<ForumCategory>, IEntityTypeConfiguration<ForumThread>, IEntityTypeConfiguration<ForumThreadTag>,
    IEntityTypeConfiguration<ForumPost>, IEntityTypeConfiguration<ForumVote>, IEntityTypeConfiguration<ForumMention>
{
    public void Configure(EntityTypeBuilder<ForumCategory> category)
    {
        category.ToTable("forum_categories");
        category.Property(c => c.Name).HasMaxLength(ForumCategory.NameMaxLength).IsRequired();
        category.Property(c => c.NormalizedName).HasMaxLength(ForumCategory.NameMaxLength).IsRequired();
        category.Property(c => c.Description).HasMaxLength(ForumCategory.DescriptionMaxLength).IsRequired();
        category.Property(c => c.CreatedBy).HasMaxLength(450);
        category.HasOne<Community>().WithMany().HasForeignKey(c => c.CommunityId).OnDelete(DeleteBehavior.Cascade);
        category.HasIndex(c => new { c.CommunityId, c.NormalizedName }).IsUnique();
        category.HasIndex(c => new { c.CommunityId, c.Position });
    }

    public void Configure(EntityTypeBuilder<ForumThread> thread)
    {
        thread.ToTable("forum_threads");
        thread.Property(t => t.Title).HasMaxLength(ForumThread.TitleMaxLength).IsRequired();
        thread.Property(t => t.CreatedBy).HasMaxLength(450);
        thread.HasOne<Community>().WithMany().HasForeignKey(t => t.CommunityId).OnDelete(DeleteBehavior.Cascade);
        thread.HasOne(t => t.Category).WithMany().HasForeignKey(t => t.CategoryId).OnDelete(DeleteBehavior.Restrict);
        thread.HasOne(t => t.Author).WithMany().HasForeignKey(t => t.AuthorId).OnDelete(DeleteBehavior.Restrict);
        thread.HasOne<ForumPost>().WithMany().HasForeignKey(t => t.BestAnswerPostId).OnDelete(DeleteBehavior.SetNull);
        thread.HasMany(t => t.Tags).WithOne().HasForeignKey(x => x.ThreadId).OnDelete(DeleteBehavior.Cascade);
        // The category page: pinned first, then latest activity, keyset-paged (docs/SPEC.md §10).
        thread.HasIndex(t => new { t.CategoryId, t.IsPinned, t.LastPostAt, t.Id }).HasFilter("deleted_at IS NULL");
        thread.HasIndex(t => new { t.CommunityId, t.LastPostAt });
        thread.HasIndex(t => t.AuthorId);
        thread.HasIndex(t => t.BestAnswerPostId);
        thread.ToTable(t => t.HasCheckConstraint("ck_forum_threads_post_count", "post_count >= 0"));
    }

    public void Configure(EntityTypeBuilder<ForumThreadTag> tag)
    {
        tag.ToTable("forum_thread_tags");
        tag.HasKey(t => new { t.ThreadId, t.Tag });
        tag.Property(t => t.Tag).HasMaxLength(ForumThreadTag.MaxLength).IsRequired();
        tag.HasOne<Community>().WithMany().HasForeignKey(t => t.CommunityId).OnDelete(DeleteBehavior.Cascade);
        tag.HasIndex(t => new { t.CommunityId, t.Tag });
    }

    public void Configure(EntityTypeBuilder<ForumPost> post)
    {
        post.ToTable("forum_posts");
        post.Property(p => p.Body).HasMaxLength(ForumPost.BodyMaxLength).IsRequired();
        post.Property(p => p.CreatedBy).HasMaxLength(450);
        post.Property(p => p.FlagWeight).HasDefaultValue(0);
        post.HasOne(p => p.Thread).WithMany().HasForeignKey(p => p.ThreadId).OnDelete(DeleteBehavior.Cascade);
        post.HasOne<Community>().WithMany().HasForeignKey(p => p.CommunityId).OnDelete(DeleteBehavior.Cascade);
        post.HasOne(p => p.Author).WithMany().HasForeignKey(p => p.AuthorId).OnDelete(DeleteBehavior.Restrict);
        // A thread's posts in order, keyset-paged: (created_at, id).
        post.HasIndex(p => new { p.ThreadId, p.CreatedAt, p.Id });
        // One opening post per thread.
        post.HasIndex(p => p.ThreadId).IsUnique().HasFilter("is_opening").HasDatabaseName("ix_forum_posts_thread_id_opening");
        post.HasIndex(p => p.CommunityId);
        post.HasIndex(p => p.AuthorId);
        post.ToTable(t => t.HasCheckConstraint("ck_forum_posts_flag_weight", "flag_weight >= 0"));
    }

    public void Configure(EntityTypeBuilder<ForumVote> vote)
    {
        vote.ToTable("forum_votes");
        vote.HasKey(v => new { v.PostId, v.UserId });
        vote.HasOne<ForumPost>().WithMany().HasForeignKey(v => v.PostId).OnDelete(DeleteBehavior.Cascade);
        vote.HasOne<ApplicationUser>().WithMany().HasForeignKey(v => v.UserId).OnDelete(DeleteBehavior.Restrict);
        vote.HasIndex(v => v.UserId);
        vote.ToTable(t => t.HasCheckConstraint("ck_forum_votes_value", "value IN (-1, 1)"));
    }

    public void Configure(EntityTypeBuilder<ForumMention> mention)
    {
        mention.ToTable("forum_mentions");
        mention.HasKey(m => new { m.PostId, m.UserId });
        mention.HasOne<ForumPost>().WithMany().HasForeignKey(m => m.PostId).OnDelete(DeleteBehavior.Cascade);
        mention.HasOne<ApplicationUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Restrict);
        mention.HasIndex(m => m.UserId);
    }

    /// <summary>
    /// PostgreSQL only: full-text search over thread titles and post bodies, stored tsvectors kept by PostgreSQL itself with
    /// GIN indexes (the same shape as share search). SQLite searches with LIKE.
    /// </summary>
    internal static void ConfigurePostgres(ModelBuilder builder)
    {
        builder.Entity<ForumThread>().Property<NpgsqlTypes.NpgsqlTsVector>("search_vector")
            .HasComputedColumnSql("to_tsvector('simple', title)", stored: true);
        builder.Entity<ForumThread>().HasIndex("search_vector").HasMethod("GIN");
        builder.Entity<ForumPost>().Property<NpgsqlTypes.NpgsqlTsVector>("search_vector")
            .HasComputedColumnSql("to_tsvector('simple', body)", stored: true);
        builder.Entity<ForumPost>().HasIndex("search_vector").HasMethod("GIN");
    }
}
