using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Settings;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Trust;

/// <summary>The daily trust pass fails safely: one broken community is logged and skipped, the others are processed.</summary>
public sealed class TrustJobResilienceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task A_community_whose_settings_do_not_load_is_skipped_and_the_others_still_decay()
    {
        var broken = await DecayingCommunityAsync();
        var healthy = await DecayingCommunityAsync();
        var brokenReceiver = await AwardedLongAgoAsync(broken);
        var healthyReceiver = await AwardedLongAgoAsync(healthy);
        await using (var db = await fixture.NewContextAsync())
            await db.Database.ExecuteSqlAsync($"UPDATE communities SET settings = '{{\"decay\":{{\"enabled\":\"maybe\"}}}}' WHERE id = {broken}");

        var failed = await fixture.Get<TrustRecalculator>().RunDailyAsync();

        failed.ShouldBeGreaterThanOrEqualTo(1);
        (await ScoreAsync(healthy, healthyReceiver)).ShouldBe(0, "the healthy community's expired award no longer counts");
        (await ScoreAsync(broken, brokenReceiver)).ShouldBe(1, "the broken community is left as it was");
    }

    private async Task<Guid> DecayingCommunityAsync()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        await fixture.Get<SettingsService>().SaveAsync(admin, communityId, new SettingsPatch { DecayEnabled = true, DecayFullMonths = 1, DecayExpireMonths = 2 });
        return communityId;
    }

    /// <summary>A receiver whose one award was given (or last renewed) a year ago: fully decayed, though its stored score still counts it.</summary>
    private async Task<string> AwardedLongAgoAsync(Guid communityId)
    {
        var giver = await fixture.AddMemberAsync(communityId, score: 15);
        var receiver = await fixture.AddMemberAsync(communityId);
        await fixture.Get<TrustService>().AwardAsync(giver, communityId, receiver);
        await using var db = await fixture.NewContextAsync();
        await db.TrustAwards.Where(a => a.CommunityId == communityId && a.ReceiverId == receiver)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.RenewedAt, DateTime.UtcNow.AddYears(-1)));
        (await ScoreAsync(communityId, receiver)).ShouldBe(1);
        return receiver;
    }

    private async Task<int> ScoreAsync(Guid communityId, string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Memberships.Where(m => m.CommunityId == communityId && m.UserId == userId).Select(m => m.TrustScore).SingleAsync();
    }
}
