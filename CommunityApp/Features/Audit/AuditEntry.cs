using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Data;

namespace CommunityApp.Features.Audit;

/// <summary>What an audit entry records (docs/SPEC.md §14). Stored as text; the names are fixed.</summary>
public enum AuditAction
{
    SettingsChanged = 1,
    TrustLevelAdded = 2,
    TrustLevelChanged = 3,
    TrustLevelDeleted = 4,
    RoleChanged = 5,
    FeatureRoleGranted = 6,
    FeatureRoleRevoked = 7,
    MemberRemoved = 8,
    MemberLeft = 9,
    InviteCreated = 10,
    InviteCancelled = 11,
    InviteRedeemed = 12,
    InviteDeclined = 13,
    CommunityEdited = 14,
    TrustGrantChanged = 15,
    CommunityDeleted = 16,
    CategoryAdded = 17,
    ItemAdded = 18,
    ItemDeleted = 19,
    ItemRenamed = 50,
    CategoryDeleted = 51,
    CategoryMoved = 52,
    CouncilCreated = 30,
    CouncilEdited = 31,
    CouncilDeleted = 32,
    CouncilManagerAdded = 33,
    CouncilManagerRemoved = 34,
    ContributionConfirmed = 35,
    ContributionRejected = 36,
    InventoryUsed = 37,
    InventoryShared = 38,
    PoolCreated = 39,
    PoolDistributed = 40,
    PoolShared = 41,
    PoolEdited = 42,
    CheckoutLinkCreated = 20,
    CheckoutLinkRevoked = 21,
    CouncilReportPublished = 60,
    CouncilReportEdited = 61,
    CouncilReportDeleted = 62,
    CouncilReportImageAdded = 63,
    CouncilReportImageRemoved = 64,
    InitiativeCreated = 65,
    InitiativeEdited = 66,
    InitiativeStatusChanged = 67,
    InitiativeProgressAdded = 68,
    PollCreated = 80,
    PollClosed = 81,
    PollExtended = 82,
    PollReopened = 83,
    ForumCategoryCreated = 90,
    ForumCategoryEdited = 91,
    ForumCategoryMoved = 92,
    ForumCategoryDeleted = 93,
    ForumThreadPinned = 94,
    ForumThreadLocked = 95,
    ForumThreadMoved = 96,
    ForumPostEdited = 97,
    ForumPostDeleted = 98,
    ForumThreadDeleted = 99,
    ForumFlagsAgreed = 100,
    ForumFlagsDisagreed = 101,
    ForumFlagsIgnored = 102,
    ForumPostHiddenByFlags = 103,
    DisputeMediationOffered = 110,
    DisputeMessagePosted = 111,
    DisputeEvidenceAdded = 112,
    DisputeResolved = 113,
    DisputeClosed = 114,
    ItemValueChanged = 120,
    /// <summary>An admin reviewed a flagged trust-ring cluster (docs/SPEC.md §13).</summary>
    TrustRingReviewed = 140,
}

/// <summary>One append-only line of a community's audit log: who did what to whom, with old → new values.</summary>
public class AuditEntry : ICreatedAt
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public string ActorId { get; set; } = "";
    public ApplicationUser Actor { get; set; } = null!;
    public AuditAction Action { get; set; }
    public string? TargetUserId { get; set; }
    public ApplicationUser? TargetUser { get; set; }

    /// <summary>JSON: for changes, <c>{"field":{"old":…,"new":…}}</c>; otherwise the facts of the action.</summary>
    public string Details { get; set; } = "{}";
    public DateTime CreatedAt { get; set; }

    /// <summary>A new entry; without <paramref name="at"/>, <see cref="AuditInterceptor"/> stamps it from the clock when it is saved.</summary>
    public static AuditEntry Record(Guid communityId, string actorId, AuditAction action, object details, string? targetUserId = null, DateTime? at = null) => new()
    {
        CommunityId = communityId,
        ActorId = actorId,
        Action = action,
        TargetUserId = targetUserId,
        Details = JsonSerializer.Serialize(details, JsonSerializerOptions.Web),
        CreatedAt = at ?? default,
    };

    /// <summary>An old → new pair for the details of a change.</summary>
    public static object Change(object? oldValue, object? newValue) => new { old = oldValue, @new = newValue };
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> entry)
    {
        entry.ToTable("audit_log");
        entry.Property(e => e.Action).HasConversion<string>().HasMaxLength(30);
        entry.HasOne<Communities.Community>().WithMany().HasForeignKey(e => e.CommunityId).OnDelete(DeleteBehavior.Cascade);
        entry.HasOne(e => e.Actor).WithMany().HasForeignKey(e => e.ActorId).OnDelete(DeleteBehavior.Restrict);
        entry.HasOne(e => e.TargetUser).WithMany().HasForeignKey(e => e.TargetUserId).OnDelete(DeleteBehavior.Restrict);
        // The log page filters by community, then date, actor or action.
        // Newest first, keyset on (created, id).
        entry.HasIndex(e => new { e.CommunityId, e.CreatedAt, e.Id });
        entry.HasIndex(e => new { e.CommunityId, e.ActorId, e.CreatedAt });
        entry.HasIndex(e => new { e.CommunityId, e.Action, e.CreatedAt });
        entry.HasIndex(e => e.ActorId);
        entry.HasIndex(e => e.TargetUserId);
    }
}
