using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Trust;

/// <summary>
/// The award's write path on PostgreSQL with decay off (one batch after the permission check: lock, insert, history,
/// recount, notification) under parallel clicks: every line and count exact, double clicks refused by the unique index.
/// </summary>
public sealed class AwardBatchTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Twenty_givers_clicking_twice_at_once_give_twenty_awards_each_line_plus_one_on_top_of_the_grant()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var receiver = await fixture.AddMemberAsync(communityId);
        await fixture.Get<TrustService>().SetAdminGrantAsync(admin, communityId, receiver, 7);
        var givers = new List<string>();
        for (var i = 0; i < 20; i++) givers.Add(await fixture.AddMemberAsync(communityId, score: 20));

        var clicks = givers.Concat(givers).Select(g => Race.Attempt(() => fixture.Get<TrustService>().AwardAsync(g, communityId, receiver)));
        var results = await Task.WhenAll(clicks);

        results.Count(ok => ok).ShouldBe(20);
        await using var db = await fixture.NewContextAsync();
        (await db.Memberships.Where(m => m.CommunityId == communityId && m.UserId == receiver).Select(m => m.TrustScore).SingleAsync()).ShouldBe(27);
        var awards = await db.TrustAwards.Where(a => a.CommunityId == communityId && a.ReceiverId == receiver).ToListAsync();
        awards.Select(a => a.GiverId).ShouldBe(givers, ignoreOrder: true);
        awards.ShouldAllBe(a => a.CreatedBy == a.GiverId && a.RenewedAt == a.CreatedAt && a.UpdatedAt == a.CreatedAt);
        var lines = await db.TrustHistory.Where(h => h.CommunityId == communityId && h.SubjectId == receiver && h.Action == TrustHistoryAction.Awarded).ToListAsync();
        lines.Select(h => h.ActorId).ShouldBe(givers, ignoreOrder: true);
        lines.ShouldAllBe(h => h.Points == 1);
        var received = await db.Notifications.Where(n => n.UserId == receiver && n.Kind == NotificationKind.TrustReceived).ToListAsync();
        received.Count.ShouldBe(20);
        received.ShouldAllBe(n => n.CommunityId == communityId && n.Subject == "Test community" && n.Link == $"/c/{communityId}/trust/me" && !n.InDigest);
    }
}
