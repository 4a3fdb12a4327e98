using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Notifications;

/// <summary>
/// The daily digest (docs/SPEC.md §14): the digest kinds not yet mailed, once a day, in the member's language, with links,
/// only to confirmed addresses, nothing when empty; once across two app instances; and through a real SMTP server.
/// A database of its own: the digest sees every member.
/// </summary>
public sealed class NotificationDigestTests(ServiceFixture fixture, Smtp4dev smtp) : IClassFixture<ServiceFixture>, IClassFixture<Smtp4dev>
{
    private static Dictionary<NotificationKind, NotificationDelivery> Digest(params NotificationKind[] kinds) =>
        kinds.ToDictionary(k => k, _ => NotificationDelivery.Digest);

    /// <summary>A community where <c>Giver</c> can trust others, and a receiver who wants trust in the digest, in <paramref name="language"/>.</summary>
    private async Task<(Guid CommunityId, string Giver, string Receiver)> SetUpAsync(string language, bool confirmed = true)
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var giver = await fixture.AddMemberAsync(communityId, score: 50);
        var receiver = await fixture.AddMemberAsync(communityId, userId: await fixture.CreateUserAsync(emailConfirmed: confirmed));
        await fixture.Get<NotificationService>().SavePreferencesAsync(receiver, Digest(NotificationKind.TrustReceived, NotificationKind.TrustRemoved), language);
        return (communityId, giver, receiver);
    }

    private async Task<string> EmailAsync(string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Users.Where(u => u.Id == userId).Select(u => u.Email!).SingleAsync();
    }

    private async Task<List<Notification>> OfAsync(string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Notifications.Where(n => n.UserId == userId).ToListAsync();
    }

    [Fact]
    public async Task Mails_the_digest_once_a_day_in_the_members_language_with_links_and_nothing_when_empty_or_unconfirmed()
    {
        var (communityId, giver, receiver) = await SetUpAsync("es");
        var (otherCommunity, otherGiver, unconfirmed) = await SetUpAsync("en", confirmed: false);
        var plain = await fixture.AddMemberAsync(communityId);
        var trust = fixture.Get<TrustService>();
        await trust.AwardAsync(giver, communityId, receiver);
        await trust.AwardAsync(otherGiver, otherCommunity, unconfirmed);
        await trust.AwardAsync(giver, communityId, plain);
        await using var app = new FakeClockServices(fixture);
        var outbox = app.Get<MailOutbox>();

        (await app.Get<NotificationDigest>().SendDueAsync(TestContext.Current.CancellationToken)).ShouldBe(1);

        var mail = outbox.Sent.ShouldHaveSingleItem();
        mail.To.ShouldBe(await EmailAsync(receiver));
        mail.Subject.ShouldBe("Tu resumen de CommunityApp: 1 nuevas");
        var notification = (await OfAsync(receiver)).ShouldHaveSingleItem();
        notification.MailedAt.ShouldNotBeNull();
        notification.ReadAt.ShouldBeNull("the digest does not read it for the member");
        mail.TextBody.ShouldContain($"{ServiceFixture.PublicBaseUrl}notifications/open/{notification.Id}");
        mail.HtmlBody.ShouldContain($"href=\"{ServiceFixture.PublicBaseUrl}notifications/open/{notification.Id}\"");
        mail.TextBody.ShouldContain("confía en ti");
        (await OfAsync(unconfirmed)).ShouldHaveSingleItem().MailedAt.ShouldBeNull("an unconfirmed address gets no mail");
        (await OfAsync(plain)).ShouldHaveSingleItem().InDigest.ShouldBeFalse();

        // Later the same day: a new one waits for tomorrow.
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await trust.RemoveAsync(giver, communityId, receiver);
        (await app.Get<NotificationDigest>().SendDueAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        app.Clock.Advance(TimeSpan.FromDays(1));
        (await app.Get<NotificationDigest>().SendDueAsync(TestContext.Current.CancellationToken)).ShouldBe(1);
        outbox.Sent.Count.ShouldBe(2);
        outbox.Sent.Last().TextBody.ShouldContain("retiró su confianza");
        // Nothing new: nothing sent.
        app.Clock.Advance(TimeSpan.FromDays(1));
        (await app.Get<NotificationDigest>().SendDueAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        outbox.Sent.Count.ShouldBe(2);
    }

    [Fact]
    public async Task On_their_timers_two_job_instances_send_the_digest_once()
    {
        var (communityId, giver, receiver) = await SetUpAsync("en");
        await fixture.Get<TrustService>().AwardAsync(giver, communityId, receiver);
        var settings = new Dictionary<string, string?> { ["Notifications:DigestJobInterval"] = TimeSpan.FromMinutes(5).ToString() };
        await using var first = new FakeClockServices(fixture, settings);
        await using var second = new FakeClockServices(fixture, settings);
        var email = await EmailAsync(receiver);
        int Sent() => first.Get<MailOutbox>().To(email).Count + second.Get<MailOutbox>().To(email).Count;
        var jobs = new[] { first.Job<NotificationDigestJob>(), second.Job<NotificationDigestJob>() };
        foreach (var job in jobs) await job.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            await Eventually.UntilAsync(() => Task.FromResult(Sent() > 0), "the digest to be sent", between: () =>
            {
                first.Clock.Advance(TimeSpan.FromMinutes(5));
                second.Clock.Advance(TimeSpan.FromMinutes(5));
            });
            for (var i = 0; i < 5; i++)
            {
                first.Clock.Advance(TimeSpan.FromMinutes(5));
                second.Clock.Advance(TimeSpan.FromMinutes(5));
            }
            await Eventually.UntilAsync(async () => (await OfAsync(receiver)).All(n => n.MailedAt != null), "the notification marked mailed");
            Sent().ShouldBe(1);
        }
        finally
        {
            foreach (var job in jobs) await job.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_digest_arrives_at_the_SMTP_server()
    {
        var (communityId, giver, receiver) = await SetUpAsync("en");
        await fixture.Get<TrustService>().AwardAsync(giver, communityId, receiver);
        var sender = new SmtpMailSender(Options.Create(new SmtpOptions { Host = smtp.Host, Port = smtp.SmtpPort, Tls = SmtpTls.None, From = "CommunityApp <noreply@community.test>" }),
            NullLogger<SmtpMailSender>.Instance);
        var digest = new NotificationDigest(fixture.Get<IDbContextFactory<AppDbContext>>(), sender, fixture.Get<PublicUrls>(), fixture.Clock, NullLogger<NotificationDigest>.Instance);

        (await digest.SendDueAsync(TestContext.Current.CancellationToken)).ShouldBeGreaterThanOrEqualTo(1);

        var email = await EmailAsync(receiver);
        var message = await smtp.WaitForMessageToAsync(email);
        message.Subject.ShouldBe("Your CommunityApp digest: 1 new");
        var notification = (await OfAsync(receiver)).ShouldHaveSingleItem();
        (await smtp.PlainTextAsync(message.Id)).ShouldContain($"{ServiceFixture.PublicBaseUrl}notifications/open/{notification.Id}");
        (await smtp.HtmlAsync(message.Id)).ShouldContain("trusts you in");
    }
}
