using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Data;

namespace CommunityApp.Features.Notifications;

/// <summary>What a notification is about (docs/SPEC.md §14). Stored as text; the names are fixed.</summary>
public enum NotificationKind
{
    TrustReceived = 1,
    TrustRemoved = 2,
    DecayStarted = 3,
    InviteReceived = 4,
    TrustGrantChanged = 5,
    RequestReceived = 6,
    RequestAccepted = 7,
    RequestRejected = 8,
    RequestCancelled = 9,
    RequestFulfilled = 10,
    RequestFailed = 11,
    ShareExpired = 12,
    NeedMatched = 13,
    ShareCheckedOut = 14,
    ContributionAwaiting = 20,
    ContributionConfirmed = 21,
    ContributionRejected = 22,
    CouncilManagerAdded = 23,
    InitiativeCommented = 40,
    PoolAllocated = 24,
    PollCreated = 50,
    PollClosingSoon = 51,
    ForumMentioned = 55,
    ForumReplied = 56,
    ForumPostHidden = 60,
    ForumPostRestored = 61,
    ForumFlagsAgreed = 62,
    DisputeOpened = 70,
    DisputeMediatorOffered = 71,
    DisputeMediatorAccepted = 72,
    DisputeMediatorRejected = 73,
    DisputeMessage = 74,
    DisputeResolved = 75,
    DisputeClosed = 76,
    RequestConfirmDue = 77,
    DisputeMediationQuiet = 78,
    DisputeEvidenceAdded = 79,
    SkillEndorsed = 80,
    RecognitionReceived = 81,
}

/// <summary>An in-app notification, stored so it survives reloads; read when <see cref="ReadAt"/> is set.</summary>
public class Notification
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string UserId { get; set; } = "";
    public Guid? CommunityId { get; set; }
    public NotificationKind Kind { get; set; }

    /// <summary>The names the text needs (who, and which community or share), so the text is rendered in the reader's language.</summary>
    public string Actor { get; set; } = "";
    public string Subject { get; set; } = "";
    public string Link { get; set; } = "/";
    public DateTime CreatedAt { get; set; }
    public DateTime? ReadAt { get; set; }

    /// <summary>Written while the reader wanted this kind in the daily e-mail digest too (docs/SPEC.md §14).</summary>
    public bool InDigest { get; set; }

    /// <summary>When the daily digest mailed it; null while it waits (or when it is not a digest one).</summary>
    public DateTime? MailedAt { get; set; }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> notification)
    {
        notification.Property(n => n.Kind).HasConversion<string>().HasMaxLength(30);
        notification.Property(n => n.Actor).HasMaxLength(100);
        notification.Property(n => n.Subject).HasMaxLength(200);
        notification.Property(n => n.Link).HasMaxLength(300);
        notification.HasOne<ApplicationUser>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.Cascade);
        notification.HasOne<Communities.Community>().WithMany().HasForeignKey(n => n.CommunityId).OnDelete(DeleteBehavior.Cascade);
        // The bell counts unread ones; the list pages newest first.
        notification.HasIndex(n => new { n.UserId, n.ReadAt });
        // The centre pages newest first by (created, id), keyset; the digest finds what waits to be mailed.
        notification.HasIndex(n => new { n.UserId, n.CreatedAt, n.Id });
        notification.HasIndex(n => new { n.InDigest, n.MailedAt, n.UserId });
        notification.HasIndex(n => n.CommunityId);
    }
}

public static class NotificationWriter
{
    /// <summary>
    /// Adds a notification to the context's pending changes, so it commits with the change it reports.
    /// The subject defaults to the community's name.
    /// </summary>
    public static async Task AddAsync(AppDbContext db, string userId, Guid communityId, NotificationKind kind, string actorId, string link,
        DateTime now, string? subject, CancellationToken ct)
    {
        // One round trip: the reader's preference for this kind, the actor's name and (unless given) the community's.
        var found = await db.Users.Where(u => u.Id == actorId)
            .Select(u => new
            {
                u.DisplayName,
                Delivery = db.NotificationPreferences.Where(p => p.UserId == userId && p.Kind == kind).Select(p => (NotificationDelivery?)p.Delivery).FirstOrDefault(),
                Community = subject == null ? db.Communities.Where(c => c.Id == communityId).Select(c => c.Name).FirstOrDefault() : null,
            })
            .SingleAsync(ct);
        var delivery = found.Delivery ?? NotificationDelivery.InApp;
        if (delivery == NotificationDelivery.Off) return;
        var actor = found.DisplayName;
        subject ??= found.Community ?? throw new InvalidOperationException($"Community {communityId} not found");
        db.Notifications.Add(new Notification
        {
            UserId = userId, CommunityId = communityId, Kind = kind, Actor = actor, Subject = subject, Link = link, CreatedAt = now,
            InDigest = delivery == NotificationDelivery.Digest,
        });
    }

    /// <summary>
    /// Adds notifications already built (the bulk paths of jobs: expiry, decay warnings), each as its reader's preference
    /// says: "off" writes nothing, "digest" marks it for the daily mail. Returns the ones added.
    /// </summary>
    public static async Task<List<Notification>> AddRangeAsync(AppDbContext db, IReadOnlyCollection<Notification> notifications, CancellationToken ct)
    {
        var users = notifications.Select(n => n.UserId).Distinct().ToList();
        var kinds = notifications.Select(n => n.Kind).Distinct().ToList();
        var chosen = await db.NotificationPreferences.AsNoTracking().Where(p => users.Contains(p.UserId) && kinds.Contains(p.Kind))
            .ToDictionaryAsync(p => (p.UserId, p.Kind), p => p.Delivery, ct);
        var added = new List<Notification>();
        foreach (var n in notifications)
        {
            var delivery = chosen.GetValueOrDefault((n.UserId, n.Kind), NotificationDelivery.InApp);
            if (delivery == NotificationDelivery.Off) continue;
            n.InDigest = delivery == NotificationDelivery.Digest;
            added.Add(n);
        }
        db.Notifications.AddRange(added);
        return added;
    }
}
