using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommunityApp.Features.Communities;

internal sealed class CommunityConfiguration : IEntityTypeConfiguration<Community>
{
    public void Configure(EntityTypeBuilder<Community> community)
    {
        community.Property(c => c.Name).HasMaxLength(Community.NameMaxLength).IsRequired();
        community.Property(c => c.Description).HasMaxLength(Community.DescriptionMaxLength);
        community.Property(c => c.CreatedBy).HasMaxLength(450);
        // One JSON document; jsonb on PostgreSQL (see PostgresAppDbContext), text on SQLite.
        community.Property(c => c.Settings)
            .HasConversion(s => s.ToJson(), json => CommunitySettings.FromJson(json),
                new ValueComparer<CommunitySettings>((a, b) => a!.ToJson() == b!.ToJson(), s => s.ToJson().GetHashCode(), s => CommunitySettings.FromJson(s.ToJson())))
            .IsRequired();
        community.HasIndex(c => c.DeletedAt);
        // Kept by triggers on memberships (migration MemberCount): never inserted or updated by EF Core.
        var memberCount = community.Property(c => c.MemberCount).HasDefaultValue(0);
        memberCount.Metadata.SetBeforeSaveBehavior(PropertySaveBehavior.Ignore);
        memberCount.Metadata.SetAfterSaveBehavior(PropertySaveBehavior.Ignore);
    }
}

internal sealed class MembershipConfiguration : IEntityTypeConfiguration<Membership>
{
    public void Configure(EntityTypeBuilder<Membership> membership)
    {
        membership.Property(m => m.Role).HasConversion<string>().HasMaxLength(20);
        membership.Property(m => m.CreatedBy).HasMaxLength(450);
        membership.Property(m => m.RemovedBy).HasMaxLength(450);
        // Deleting a community is a soft delete; a hard delete (data erasure) takes its memberships with it.
        membership.HasOne(m => m.Community).WithMany(c => c.Memberships).HasForeignKey(m => m.CommunityId).OnDelete(DeleteBehavior.Cascade);
        // A user who still has memberships cannot be hard-deleted by accident.
        membership.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Restrict);
        // One live membership per (community, user); left memberships stay for the audit trail.
        membership.HasIndex(m => new { m.CommunityId, m.UserId }).IsUnique().HasFilter("deleted_at IS NULL");
        membership.HasIndex(m => m.UserId);
        // The member list pages by trust.
        membership.HasIndex(m => new { m.CommunityId, m.TrustScore, m.Id });
        // … and by newest (keyset on joined, id); sorting by name walks the users' (display name, username) index.
        membership.HasIndex(m => new { m.CommunityId, m.CreatedAt, m.Id }).HasFilter("deleted_at IS NULL");
        membership.Property(m => m.AdminGrantSetBy).HasMaxLength(450);
        membership.ToTable(t =>
        {
            t.HasCheckConstraint("ck_memberships_trust_score", "trust_score >= 0");
            t.HasCheckConstraint("ck_memberships_admin_grant", "admin_grant >= 0");
        });
        membership.HasMany(m => m.FeatureRoles).WithOne().HasForeignKey(r => r.MembershipId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MemberFeatureRoleConfiguration : IEntityTypeConfiguration<MemberFeatureRole>
{
    public void Configure(EntityTypeBuilder<MemberFeatureRole> role)
    {
        role.HasKey(r => new { r.MembershipId, r.Role });
        role.Property(r => r.Role).HasConversion<string>().HasMaxLength(30);
        role.Property(r => r.CreatedBy).HasMaxLength(450);
    }
}

internal sealed class TrustLevelConfiguration : IEntityTypeConfiguration<TrustLevel>
{
    public void Configure(EntityTypeBuilder<TrustLevel> level)
    {
        level.Property(l => l.Name).HasMaxLength(TrustLevel.NameMaxLength).IsRequired();
        level.Property(l => l.CreatedBy).HasMaxLength(450);
        level.HasOne<Community>().WithMany(c => c.TrustLevels).HasForeignKey(l => l.CommunityId).OnDelete(DeleteBehavior.Cascade);
        level.HasIndex(l => new { l.CommunityId, l.Name }).IsUnique();
        level.HasIndex(l => new { l.CommunityId, l.MinScore }).IsUnique();
        level.ToTable(t => t.HasCheckConstraint("ck_trust_levels_min_score", "min_score >= 0"));
    }
}
