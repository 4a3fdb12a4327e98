using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Data;

namespace CommunityApp.Features.Notifications;

/// <summary>How a member wants one type of notification (docs/SPEC.md §14). Stored as text; the names are fixed.</summary>
public enum NotificationDelivery
{
    /// <summary>The default: in the bell and the centre.</summary>
    InApp = 0,

    /// <summary>In the app, and in the daily e-mail digest.</summary>
    Digest = 1,

    /// <summary>Not written at all.</summary>
    Off = 2,
}

/// <summary>A member's choice for one kind; no row means <see cref="NotificationDelivery.InApp"/>.</summary>
public class NotificationPreference
{
    public string UserId { get; set; } = "";
    public NotificationKind Kind { get; set; }
    public NotificationDelivery Delivery { get; set; }
}

/// <summary>
/// A member's digest state: the language the digest is written in (the one they saved their preferences in) and when
/// the last digest went out, which the daily job claims by a conditional UPDATE so it goes out once a day.
/// </summary>
public class NotificationSettings
{
    public string UserId { get; set; } = "";
    public string Language { get; set; } = "en";
    public DateTime? DigestSentAt { get; set; }
}

internal sealed class NotificationPreferenceConfiguration : IEntityTypeConfiguration<NotificationPreference>
{
    public void Configure(EntityTypeBuilder<NotificationPreference> preference)
    {
        preference.HasKey(p => new { p.UserId, p.Kind });
        preference.Property(p => p.Kind).HasConversion<string>().HasMaxLength(30);
        preference.Property(p => p.Delivery).HasConversion<string>().HasMaxLength(10);
        preference.HasOne<ApplicationUser>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class NotificationSettingsConfiguration : IEntityTypeConfiguration<NotificationSettings>
{
    public void Configure(EntityTypeBuilder<NotificationSettings> settings)
    {
        settings.HasKey(s => s.UserId);
        settings.Property(s => s.Language).HasMaxLength(10);
        settings.HasOne<ApplicationUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

public static class NotificationPreferences
{
    /// <summary>Every kind, in enum order: kinds added to <see cref="NotificationKind"/> appear on the preferences page by themselves.</summary>
    public static IReadOnlyList<NotificationKind> Kinds { get; } = Enum.GetValues<NotificationKind>().Distinct().OrderBy(k => (int)k).ToList();

    public static async Task<NotificationDelivery> DeliveryAsync(AppDbContext db, string userId, NotificationKind kind, CancellationToken ct) =>
        await db.NotificationPreferences.Where(p => p.UserId == userId && p.Kind == kind).Select(p => (NotificationDelivery?)p.Delivery)
            .SingleOrDefaultAsync(ct) ?? NotificationDelivery.InApp;
}
