using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Settings;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Trust;

/// <summary>The daily job that keeps decaying scores true and warns givers, on the app's clock.</summary>
public sealed class TrustDecayJobTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private static readonly TimeSpan Interval = TimeSpan.FromDays(1);

    [Fact]
    public async Task Shortly_after_start_and_then_daily_the_job_stores_decayed_scores_and_warns_each_giver_once()
    {
        await using var app = new FakeClockServices(fixture, new Dictionary<string, string?> { ["Trust:DecayJobInterval"] = Interval.ToString() });
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        await fixture.Get<SettingsService>().SaveAsync(admin, communityId, new SettingsPatch { DecayEnabled = true, DecayFullMonths = 6, DecayExpireMonths = 12 });
        var (oldGiver, newGiver) = (await fixture.AddMemberAsync(communityId, score: 20), await fixture.AddMemberAsync(communityId, score: 20));
        var (oldReceiver, newReceiver) = (await fixture.AddMemberAsync(communityId), await fixture.AddMemberAsync(communityId));
        var trust = fixture.Get<TrustService>();
        await trust.AwardAsync(oldGiver, communityId, oldReceiver);
        await trust.AwardAsync(newGiver, communityId, newReceiver);
        // One award is eight months old (about 2/3 of its weight, so the score's whole point is gone), the stored score not yet updated.
        await using (var db = await fixture.NewContextAsync())
        {
            var eightMonthsAgo = app.Clock.GetUtcNow().UtcDateTime.AddMonths(-8);
            await db.TrustAwards.Where(a => a.GiverId == oldGiver).ExecuteUpdateAsync(s => s.SetProperty(a => a.RenewedAt, eightMonthsAgo));
        }
        (await ScoreAsync(communityId, oldReceiver)).ShouldBe(1);
        var job = app.Job<TrustDecayJob>();
        await job.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            // The first run comes a minute after start-up, on the job's clock.
            app.Clock.Advance(TimeSpan.FromMinutes(1));
            await Eventually.UntilAsync(async () => await ScoreAsync(communityId, oldReceiver) == 0 && (await WarningsAsync(oldGiver)).Count > 0,
                "the old award's decay to be stored and its giver warned", between: () => app.Clock.Advance(TimeSpan.FromMinutes(1)));

            var receiverName = await DisplayNameAsync(oldReceiver);
            (await WarningsAsync(oldGiver)).ShouldHaveSingleItem().ShouldSatisfyAllConditions(
                n => n.CommunityId.ShouldBe(communityId),
                n => n.Actor.ShouldBe(receiverName),
                n => n.Link.ShouldBe($"/c/{communityId}/trust/me"));
            (await ScoreAsync(communityId, newReceiver)).ShouldBe(1);
            (await WarningsAsync(newGiver)).ShouldBeEmpty();

            // Seven months on, a daily run finds the newer award decaying too; the first giver is not warned again.
            app.Clock.Advance(TimeSpan.FromDays(213));
            await Eventually.UntilAsync(async () => await ScoreAsync(communityId, newReceiver) == 0 && (await WarningsAsync(newGiver)).Count > 0,
                "the newer award's decay to be stored and its giver warned", between: () => app.Clock.Advance(Interval));

            (await WarningsAsync(newGiver)).ShouldHaveSingleItem();
            (await WarningsAsync(oldGiver)).ShouldHaveSingleItem();
            (await ScoreAsync(communityId, oldReceiver)).ShouldBe(0);
        }
        finally
        {
            await job.StopAsync(CancellationToken.None);
        }
    }

    private async Task<int> ScoreAsync(Guid communityId, string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Memberships.Where(m => m.CommunityId == communityId && m.UserId == userId).Select(m => m.TrustScore).SingleAsync();
    }

    private async Task<List<Notification>> WarningsAsync(string giverId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Notifications.Where(n => n.UserId == giverId && n.Kind == NotificationKind.DecayStarted).AsNoTracking().ToListAsync();
    }

    private async Task<string> DisplayNameAsync(string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Users.Where(u => u.Id == userId).Select(u => u.DisplayName).SingleAsync();
    }
}
