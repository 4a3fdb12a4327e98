using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommunityApp.Features.Invites;

internal sealed class InviteConfiguration : IEntityTypeConfiguration<Invite>
{
    public void Configure(EntityTypeBuilder<Invite> invite)
    {
        invite.Property(i => i.Kind).HasConversion<string>().HasMaxLength(10);
        invite.Property(i => i.Role).HasConversion<string>().HasMaxLength(20);
        invite.Property(i => i.State).HasConversion<string>().HasMaxLength(20);
        invite.Property(i => i.Title).HasMaxLength(Invite.TitleMaxLength);
        invite.Property(i => i.Secret).HasMaxLength(64);
        invite.Property(i => i.CreatedBy).HasMaxLength(450);
        invite.HasOne(i => i.Community).WithMany().HasForeignKey(i => i.CommunityId).OnDelete(DeleteBehavior.Cascade);
        // Invites are history: a user with invites cannot be hard-deleted by accident.
        invite.HasOne(i => i.InvitedUser).WithMany().HasForeignKey(i => i.InvitedUserId).OnDelete(DeleteBehavior.Restrict);
        invite.HasIndex(i => i.Secret).IsUnique();
        invite.HasIndex(i => new { i.CommunityId, i.CreatedAt });
        invite.HasIndex(i => new { i.InvitedUserId, i.State });
        // One pending direct invite per user and community: two admins inviting the same person at once make one invite.
        invite.HasIndex(i => new { i.CommunityId, i.InvitedUserId }).IsUnique().HasFilter("kind = 'Direct' AND state = 'Pending'")
            .HasDatabaseName("ux_invites_one_pending_direct");
        invite.ToTable(t =>
        {
            t.HasCheckConstraint("ck_invites_uses", "uses >= 0 AND (max_uses IS NULL OR (max_uses >= 1 AND uses <= max_uses))");
            t.HasCheckConstraint("ck_invites_target", "(kind = 'Direct' AND invited_user_id IS NOT NULL) OR (kind = 'Link' AND secret IS NOT NULL)");
        });
        invite.HasMany(i => i.Redemptions).WithOne().HasForeignKey(r => r.InviteId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class InviteRedemptionConfiguration : IEntityTypeConfiguration<InviteRedemption>
{
    public void Configure(EntityTypeBuilder<InviteRedemption> redemption)
    {
        redemption.HasIndex(r => new { r.InviteId, r.UserId }).IsUnique();
        redemption.HasIndex(r => r.UserId);
        redemption.HasOne(r => r.User).WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Restrict);
    }
}
