using System.Linq.Expressions;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Communities;

namespace CommunityApp.Data;

/// <summary>
/// The one model, shared by both providers. Each provider has a derived context
/// (<see cref="PostgresAppDbContext"/>, <see cref="SqliteAppDbContext"/>) with its own migration set.
/// Entity configuration lives beside each feature as <see cref="IEntityTypeConfiguration{TEntity}"/>.
/// </summary>
public abstract class AppDbContext(DbContextOptions options) : IdentityDbContext<ApplicationUser>(options), IDataProtectionKeyContext
{
    /// <summary>The user on whose behalf this context writes; read by <see cref="AuditInterceptor"/>.</summary>
    public string? ActorId { get; set; }

    public DbSet<Community> Communities => Set<Community>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<MemberFeatureRole> MemberFeatureRoles => Set<MemberFeatureRole>();
    public DbSet<TrustLevel> TrustLevels => Set<TrustLevel>();
    public DbSet<Features.Invites.Invite> Invites => Set<Features.Invites.Invite>();
    public DbSet<Features.Invites.InviteRedemption> InviteRedemptions => Set<Features.Invites.InviteRedemption>();
    public DbSet<Features.Audit.AuditEntry> AuditLog => Set<Features.Audit.AuditEntry>();
    public DbSet<Features.Trust.TrustAward> TrustAwards => Set<Features.Trust.TrustAward>();
    public DbSet<Features.Trust.TrustHistoryEntry> TrustHistory => Set<Features.Trust.TrustHistoryEntry>();
    public DbSet<Features.Notifications.Notification> Notifications => Set<Features.Notifications.Notification>();
    public DbSet<Features.Notifications.NotificationPreference> NotificationPreferences => Set<Features.Notifications.NotificationPreference>();
    public DbSet<Features.Notifications.NotificationSettings> NotificationSettings => Set<Features.Notifications.NotificationSettings>();
    public DbSet<Features.Wealth.ItemCategory> ItemCategories => Set<Features.Wealth.ItemCategory>();
    public DbSet<Features.Wealth.Item> Items => Set<Features.Wealth.Item>();
    public DbSet<Features.Wealth.Share> Shares => Set<Features.Wealth.Share>();
    public DbSet<Features.Wealth.ShareRequest> ShareRequests => Set<Features.Wealth.ShareRequest>();
    public DbSet<Features.Wealth.RequestMessage> RequestMessages => Set<Features.Wealth.RequestMessage>();
    public DbSet<Features.Wealth.ShareComment> ShareComments => Set<Features.Wealth.ShareComment>();
    public DbSet<Features.Councils.Council> Councils => Set<Features.Councils.Council>();
    public DbSet<Features.Councils.CouncilManager> CouncilManagers => Set<Features.Councils.CouncilManager>();
    public DbSet<Features.Councils.CouncilTrust> CouncilTrusts => Set<Features.Councils.CouncilTrust>();
    public DbSet<Features.Councils.CouncilTrustHistoryEntry> CouncilTrustHistory => Set<Features.Councils.CouncilTrustHistoryEntry>();
    public DbSet<Features.Councils.InventoryEntry> InventoryEntries => Set<Features.Councils.InventoryEntry>();
    public DbSet<Features.Councils.InventoryBalance> InventoryBalances => Set<Features.Councils.InventoryBalance>();
    public DbSet<Features.Councils.Contribution> Contributions => Set<Features.Councils.Contribution>();
    public DbSet<Features.Councils.CouncilReport> CouncilReports => Set<Features.Councils.CouncilReport>();
    public DbSet<Features.Councils.CouncilReportImage> CouncilReportImages => Set<Features.Councils.CouncilReportImage>();
    public DbSet<Features.Councils.Initiative> Initiatives => Set<Features.Councils.Initiative>();
    public DbSet<Features.Councils.InitiativeVote> InitiativeVotes => Set<Features.Councils.InitiativeVote>();
    public DbSet<Features.Councils.InitiativeComment> InitiativeComments => Set<Features.Councils.InitiativeComment>();
    public DbSet<Features.Councils.InitiativeProgress> InitiativeProgress => Set<Features.Councils.InitiativeProgress>();
    public DbSet<Features.Needs.Need> Needs => Set<Features.Needs.Need>();
    public DbSet<Features.Pools.Pool> Pools => Set<Features.Pools.Pool>();
    public DbSet<Features.Pools.PoolItem> PoolItems => Set<Features.Pools.PoolItem>();
    public DbSet<Features.Pools.PoolAllocation> PoolAllocations => Set<Features.Pools.PoolAllocation>();
    public DbSet<Features.Checkout.CheckoutLink> CheckoutLinks => Set<Features.Checkout.CheckoutLink>();
    public DbSet<Features.Checkout.CheckoutEntry> Checkouts => Set<Features.Checkout.CheckoutEntry>();
    public DbSet<Features.Polls.Poll> Polls => Set<Features.Polls.Poll>();
    public DbSet<Features.Polls.PollOption> PollOptions => Set<Features.Polls.PollOption>();
    public DbSet<Features.Polls.PollVote> PollVotes => Set<Features.Polls.PollVote>();
    public DbSet<Features.Polls.PollVotePoints> PollVotePoints => Set<Features.Polls.PollVotePoints>();
    public DbSet<Features.Polls.PollComment> PollComments => Set<Features.Polls.PollComment>();
    public DbSet<Features.Forum.ForumCategory> ForumCategories => Set<Features.Forum.ForumCategory>();
    public DbSet<Features.Forum.ForumThread> ForumThreads => Set<Features.Forum.ForumThread>();
    public DbSet<Features.Forum.ForumThreadTag> ForumThreadTags => Set<Features.Forum.ForumThreadTag>();
    public DbSet<Features.Forum.ForumPost> ForumPosts => Set<Features.Forum.ForumPost>();
    public DbSet<Features.Forum.ForumVote> ForumVotes => Set<Features.Forum.ForumVote>();
    public DbSet<Features.Forum.ForumMention> ForumMentions => Set<Features.Forum.ForumMention>();
    public DbSet<Features.Forum.ForumFlag> ForumFlags => Set<Features.Forum.ForumFlag>();
    public DbSet<Features.Disputes.Dispute> Disputes => Set<Features.Disputes.Dispute>();
    public DbSet<Features.Disputes.DisputeParty> DisputeParties => Set<Features.Disputes.DisputeParty>();
    public DbSet<Features.Disputes.DisputeMediator> DisputeMediators => Set<Features.Disputes.DisputeMediator>();
    public DbSet<Features.Disputes.DisputeMediatorAnswer> DisputeMediatorAnswers => Set<Features.Disputes.DisputeMediatorAnswer>();
    public DbSet<Features.Disputes.DisputeEvent> DisputeEvents => Set<Features.Disputes.DisputeEvent>();
    public DbSet<Features.Disputes.DisputeImage> DisputeImages => Set<Features.Disputes.DisputeImage>();
    public DbSet<Features.Skills.Skill> Skills => Set<Features.Skills.Skill>();
    public DbSet<Features.Skills.SkillEndorsement> SkillEndorsements => Set<Features.Skills.SkillEndorsement>();
    public DbSet<Features.Recognition.RecognitionEntry> RecognitionEntries => Set<Features.Recognition.RecognitionEntry>();

    /// <summary>Data-protection keys (they sign the sign-in cookies) live in the database, so they survive restarts and are shared by instances.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>Background jobs' shared state: the claim that runs each period once across instances, and each job's last outcome.</summary>
    public DbSet<Jobs.JobRun> JobRuns => Set<Jobs.JobRun>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly, type => type.Namespace?.StartsWith("CommunityApp.Features") == true || type.Namespace == typeof(AppDbContext).Namespace
            || type.Namespace == typeof(Jobs.JobRun).Namespace);

        builder.Entity<Features.Invites.Invite>().HasQueryFilter(i => i.Community.DeletedAt == null);

        // Identity names its tables itself; keep them snake_case like the rest of the schema.
        builder.Entity<ApplicationUser>().ToTable("asp_net_users");
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityRole>().ToTable("asp_net_roles");
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityRoleClaim<string>>().ToTable("asp_net_role_claims");
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityUserClaim<string>>().ToTable("asp_net_user_claims");
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityUserLogin<string>>().ToTable("asp_net_user_logins");
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityUserRole<string>>().ToTable("asp_net_user_roles");
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityUserToken<string>>().ToTable("asp_net_user_tokens");
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityUserPasskey<string>>().ToTable("asp_net_user_passkeys");

        builder.Entity<ApplicationUser>(user =>
        {
            user.Property(u => u.DisplayName).HasMaxLength(100);
            user.Property(u => u.Bio).HasMaxLength(1000);
            user.Property(u => u.AvatarUrl).HasMaxLength(500);
            // The member list sorted by name walks this; searching names uses trigram indexes on PostgreSQL (migration PagesAtScale).
            user.HasIndex(u => new { u.DisplayName, u.UserName });
        });

        // Soft delete: every ISoftDeletable entity hides deleted rows unless a query says IgnoreQueryFilters().
        foreach (var entityType in builder.Model.GetEntityTypes().Where(t => typeof(ISoftDeletable).IsAssignableFrom(t.ClrType)))
        {
            var row = Expression.Parameter(entityType.ClrType, "row");
            var notDeleted = Expression.Lambda(
                Expression.Equal(Expression.Property(row, nameof(ISoftDeletable.DeletedAt)), Expression.Constant(null, typeof(DateTime?))),
                row);
            builder.Entity(entityType.ClrType).HasQueryFilter(notDeleted);
        }
        // A deleted community takes its memberships out of sight with it.
        builder.Entity<Membership>().HasQueryFilter(m => m.DeletedAt == null && m.Community.DeletedAt == null);
    }
}

public sealed class PostgresAppDbContext(DbContextOptions<PostgresAppDbContext> options) : AppDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<Community>().Property(c => c.Settings).HasColumnType("jsonb");
        // The kept member count (triggers on memberships) never goes below zero. Not on SQLite, where adding a check
        // constraint rebuilds the table, and a rebuild of communities fails under the triggers that name it.
        builder.Entity<Community>().ToTable(t => t.HasCheckConstraint("ck_communities_member_count", "member_count >= 0"));
        // Full-text search over shares: a stored tsvector kept by PostgreSQL itself, with a GIN index.
        builder.Entity<Features.Wealth.Share>()
            .Property<NpgsqlTypes.NpgsqlTsVector>("search_vector")
            .HasComputedColumnSql("to_tsvector('simple', title || ' ' || coalesce(description, ''))", stored: true);
        builder.Entity<Features.Wealth.Share>().HasIndex("search_vector").HasMethod("GIN");
        Features.Forum.ForumConfiguration.ConfigurePostgres(builder);
    }
}

public sealed class SqliteAppDbContext(DbContextOptions<SqliteAppDbContext> options) : AppDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        // SQLite stores timestamps as text without a zone; every timestamp the app writes is UTC.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    private sealed class UtcDateTimeConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTime, DateTime>(
        v => v.ToUniversalTime(), v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
