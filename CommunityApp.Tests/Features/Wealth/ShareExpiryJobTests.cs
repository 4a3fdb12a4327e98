using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Wealth;

/// <summary>The background job that stores expiry: on its own timer, on the app's clock, once per share.</summary>
public sealed class ShareExpiryJobTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task On_its_timer_the_job_expires_a_due_share_and_tells_its_owner_once()
    {
        await using var app = new FakeClockServices(fixture, new Dictionary<string, string?> { ["Wealth:ExpiryJobInterval"] = Interval.ToString() });
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var shares = app.Get<ShareService>();
        var soon = await shares.CreateAsync(owner, communityId, new ShareInput("Bread", null, WealthKind.Object, 1, ExpiresAt: app.Clock.GetUtcNow().UtcDateTime.AddHours(1)));
        var later = await shares.CreateAsync(owner, communityId, new ShareInput("Honey", null, WealthKind.Object, 1, ExpiresAt: app.Clock.GetUtcNow().UtcDateTime.AddDays(30)));
        var job = app.Job<ShareExpiryJob>();
        await job.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            (await StatusAsync(soon)).ShouldBe(ShareStatus.Active);

            app.Clock.Advance(TimeSpan.FromHours(1) + Interval);
            // The loop may have started its timer after that move: each further interval gives it a tick.
            await Eventually.UntilAsync(async () => await StatusAsync(soon) == ShareStatus.Expired, "the due share to be stored as expired",
                between: () => app.Clock.Advance(Interval));

            (await StatusAsync(later)).ShouldBe(ShareStatus.Active);
            var told = (await ExpiredNoticesAsync(owner)).ShouldHaveSingleItem();
            told.ShouldSatisfyAllConditions(
                n => n.Subject.ShouldBe("Bread"),
                n => n.CommunityId.ShouldBe(communityId),
                n => n.Link.ShouldBe($"/c/{communityId}/shares/{soon}"));

            // Later runs: the second share's turn comes, and the first one is not told about again.
            app.Clock.Advance(TimeSpan.FromDays(30));
            await Eventually.UntilAsync(async () => await StatusAsync(later) == ShareStatus.Expired, "the later share to be stored as expired",
                between: () => app.Clock.Advance(Interval));

            (await ExpiredNoticesAsync(owner)).Select(n => n.Subject).ShouldBe(["Bread", "Honey"], ignoreOrder: true);
            (await StatusAsync(soon)).ShouldBe(ShareStatus.Expired);
        }
        finally
        {
            await job.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Stopped_mid_run_the_job_leaves_every_share_whole_expired_with_its_notice_or_untouched_and_the_next_run_finishes()
    {
        // Its own services: this test stops a run over 200 due shares of its own, and other tests' shares stay out of it.
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var shares = fixture.Get<ShareService>();
        var ids = new List<Guid>();
        for (var i = 0; i < 200; i++)
            ids.Add(await shares.CreateAsync(owner, communityId, new ShareInput($"Jar {i}", null, WealthKind.Object, 1, ExpiresAt: DateTime.UtcNow.AddDays(1))));
        await using (var db = await fixture.NewContextAsync())
        {
            await db.Shares.Where(s => ids.Contains(s.Id)).ExecuteUpdateAsync(s => s.SetProperty(x => x.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
        }

        using var stop = new CancellationTokenSource();
        var run = shares.ExpireDueAsync(stop.Token);
        await Eventually.UntilAsync(async () => (await ExpiredNoticesAsync(owner)).Count >= 10, "the run under way");
        await stop.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => run);

        var expired = await ExpiredAsync(ids);
        var told = (await ExpiredNoticesAsync(owner)).Select(n => n.Link).ToHashSet();
        expired.Count.ShouldBeLessThan(ids.Count, "the run stopped before the end");
        told.ShouldBe(expired.Select(id => $"/c/{communityId}/shares/{id}").ToHashSet(), ignoreOrder: true,
            "each share the stopped run expired has its notice, and no notice is without its share");

        await shares.ExpireDueAsync();

        (await ExpiredAsync(ids)).Count.ShouldBe(ids.Count);
        (await ExpiredNoticesAsync(owner)).Count.ShouldBe(ids.Count, "one notice per share across both runs");
    }

    private async Task<List<Guid>> ExpiredAsync(List<Guid> ids)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Shares.Where(s => ids.Contains(s.Id) && s.Status == ShareStatus.Expired).Select(s => s.Id).ToListAsync();
    }

    private async Task<ShareStatus> StatusAsync(Guid shareId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Shares.Where(s => s.Id == shareId).Select(s => s.Status).SingleAsync();
    }

    private async Task<List<Notification>> ExpiredNoticesAsync(string ownerId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Notifications.Where(n => n.UserId == ownerId && n.Kind == NotificationKind.ShareExpired).AsNoTracking().ToListAsync();
    }
}
