using CommunityApp.Data.Jobs;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Resources;

namespace CommunityApp.Features.Notifications;

/// <summary>
/// The daily e-mail digest (docs/SPEC.md §14): once a day, each member with notifications of a "digest" kind not yet
/// mailed gets one mail listing them with their links, in the language they saved their preferences in; only to a
/// confirmed address; nothing when there is nothing new. Safe with several app instances: the member's day is claimed by a
/// conditional UPDATE of <see cref="NotificationSettings.DigestSentAt"/> in the transaction that marks the notifications
/// mailed and sends the mail, so two runs never both send it.
/// </summary>
public sealed class NotificationDigest(IDbContextFactory<AppDbContext> dbFactory, IMailSender mail, PublicUrls urls, TimeProvider clock, ILogger<NotificationDigest> logger)
{
    /// <summary>At most this many notifications in one mail; the rest wait for the next day's.</summary>
    public const int MaxItems = 100;

    /// <summary>Sends every digest due today; returns how many mails went out.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var today = now.Date;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var due = await db.NotificationSettings
            .Where(s => (s.DigestSentAt == null || s.DigestSentAt < today)
                        && db.Notifications.Any(n => n.UserId == s.UserId && n.InDigest && n.MailedAt == null)
                        && db.Users.Any(u => u.Id == s.UserId && u.EmailConfirmed && u.Email != null))
            .OrderBy(s => s.UserId).Select(s => s.UserId).Take(1_000).ToListAsync(ct);
        var sent = 0;
        foreach (var userId in due)
        {
            try
            {
                if (await SendOneAsync(db, userId, now, today, ct)) sent++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The claim rolled back with the failure: the next run tries this member again.
                logger.LogError(ex, "The notification digest to user {UserId} failed", userId);
            }
        }
        return sent;
    }

    private async Task<bool> SendOneAsync(AppDbContext db, string userId, DateTime now, DateTime today, CancellationToken ct) =>
        await db.InTransactionAsync(async () =>
        {
            var claimed = await db.NotificationSettings.Where(s => s.UserId == userId && (s.DigestSentAt == null || s.DigestSentAt < today))
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.DigestSentAt, now), ct);
            if (claimed == 0) return false;
            var items = await db.Notifications.Where(n => n.UserId == userId && n.InDigest && n.MailedAt == null)
                .OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).Take(MaxItems)
                .Select(n => new { n.Id, n.Kind, n.Actor, n.Subject, n.Link }).ToListAsync(ct);
            if (items.Count == 0) return false;
            var ids = items.Select(n => n.Id).ToList();
            await db.Notifications.Where(n => ids.Contains(n.Id)).ExecuteUpdateAsync(s => s.SetProperty(n => n.MailedAt, now), ct);
            var reader = await db.Users.Where(u => u.Id == userId).Select(u => new { u.Email, u.DisplayName }).SingleAsync(ct);
            var language = await db.NotificationSettings.Where(s => s.UserId == userId).Select(s => s.Language).SingleAsync(ct);
            var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
            OutgoingMail message;
            try
            {
                CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(language);
                message = MailComposer.Compose(reader.Email!, reader.DisplayName, Text.Get("Digest.Subject", items.Count),
                    [Text.Get("Digest.Intro", items.Count)], Text.Get("Digest.OpenCentre"), urls.Absolute(NotificationUrls.Centre),
                    items.Select(n => (Text.Get($"Notification.{n.Kind}", n.Actor, n.Subject), urls.Absolute(NotificationUrls.Open(n.Id)))).ToList(),
                    [Text.Get("Digest.Preferences", urls.Absolute(NotificationUrls.Preferences))]);
            }
            finally
            {
                (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, uiCulture);
            }
            // Sent inside the transaction: a failed send rolls the claim and the marks back, for the next run.
            await mail.SendAsync(message, ct);
            return true;
        }, ct);
}

/// <summary>Runs <see cref="NotificationDigest.SendDueAsync"/> at an interval (<c>Notifications:DigestJobInterval</c>, an hour by default).</summary>
public sealed class NotificationDigestJob(JobRunner runner, IConfiguration configuration, TimeProvider clock, ILogger<NotificationDigestJob> logger) : PeriodicJob(runner, clock)
{
    public override string Name => "notifications.digest";

    public override TimeSpan Period { get; } = configuration.GetValue("Notifications:DigestJobInterval", TimeSpan.FromHours(1));

    protected override async Task RunOnceAsync(IServiceProvider services, CancellationToken ct)
    {
        var sent = await services.GetRequiredService<NotificationDigest>().SendDueAsync(ct);
        if (sent > 0) logger.LogInformation("{Count} notification digests mailed", sent);
    }
}

/// <summary>The notification pages' addresses.</summary>
public static class NotificationUrls
{
    public const string Centre = "/notifications";
    public const string Preferences = "/notifications/preferences";
    public static string Open(Guid id) => $"/notifications/open/{id}";
}

public static class NotificationsFeature
{
    public static IServiceCollection AddNotifications(this IServiceCollection services) => services
        .AddScoped<NotificationService>()
        .AddScoped<NotificationLinks>()
        .AddScoped<NotificationDigest>()
        .AddHostedService<NotificationDigestJob>();
}
