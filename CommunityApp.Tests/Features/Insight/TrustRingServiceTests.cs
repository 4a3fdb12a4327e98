using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Insight;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Insight;

/// <summary>
/// The trust-ring job and storage on PostgreSQL (docs/SPEC.md §13): a small community with a planted ring is flagged once
/// even when two instances run at the same moment; admins see it with its awards, mark it reviewed (audited, once), and the
/// review survives the next run while the ring is the same. Nobody else sees it.
/// </summary>
public sealed class TrustRingServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    /// <summary>30 honest members who award 6 others each (the admin awards 6 of them), and a ring of 5 who award each other, awarded once from outside.</summary>
    private async Task<(Guid CommunityId, string Admin, string Member, List<string> Ring)> PlantedRingAsync()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var honest = new List<string> { admin };
        for (var i = 0; i < 29; i++) honest.Add(await fixture.AddMemberAsync(communityId));
        var ring = new List<string>();
        for (var i = 0; i < 5; i++) ring.Add(await fixture.AddMemberAsync(communityId));
        var random = new Random(7);
        await using var db = await fixture.NewContextAsync();
        foreach (var giver in honest)
            foreach (var receiver in honest.Where(h => h != giver).OrderBy(_ => random.Next()).Take(6))
                db.TrustAwards.Add(new TrustAward { CommunityId = communityId, GiverId = giver, ReceiverId = receiver, RenewedAt = DateTime.UtcNow });
        foreach (var giver in ring)
            foreach (var receiver in ring.Where(r => r != giver))
                db.TrustAwards.Add(new TrustAward { CommunityId = communityId, GiverId = giver, ReceiverId = receiver, RenewedAt = DateTime.UtcNow });
        db.TrustAwards.Add(new TrustAward { CommunityId = communityId, GiverId = honest[3], ReceiverId = ring[0], RenewedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        return (communityId, admin, honest[1], ring);
    }

    [Fact]
    public async Task Two_instances_flag_a_planted_ring_once_and_an_admin_reviews_it()
    {
        var (communityId, admin, member, ring) = await PlantedRingAsync();
        await using var first = new FakeClockServices(fixture);
        await using var second = new FakeClockServices(fixture);

        var runs = await Task.WhenAll(first.Get<TrustRingService>().ScanAsync(communityId), second.Get<TrustRingService>().ScanAsync(communityId));

        runs.Count(r => r).ShouldBe(1, "one instance claims the run, the other sees it taken");
        var report = await first.Get<TrustRingService>().ReportAsync(admin, communityId);
        report.ComputedAt.ShouldNotBeNull();
        (report.MemberCount, report.AwardCount).ShouldBe((35, 30 * 6 + 5 * 4 + 1));
        var cluster = report.Clusters.ShouldHaveSingleItem();
        cluster.Members.Select(m => m.UserId).ShouldBe(ring, ignoreOrder: true);
        cluster.Awards.Count.ShouldBe(20); // the ring's own awards, drawn on the graph
        cluster.Awards.ShouldAllBe(a => ring.Contains(a.From) && ring.Contains(a.To));
        cluster.Conductance.ShouldBe(1.0 / (5 * 8 + 1), 1e-9); // one award out ÷ the volume (each mutual pair weighs 2 both ways)
        cluster.ReviewedAt.ShouldBeNull();

        // Not due again within the day: neither instance runs.
        (await first.Get<TrustRingService>().ScanAsync(communityId)).ShouldBeFalse();

        await first.Get<TrustRingService>().MarkReviewedAsync(admin, communityId, cluster.Id);
        var again = await Refusals.Refusal(() => second.Get<TrustRingService>().MarkReviewedAsync(admin, communityId, cluster.Id));
        again.ShouldBe("Someone already marked this cluster reviewed.");
        await using (var db = await fixture.NewContextAsync())
        {
            var entry = await db.AuditLog.SingleAsync(e => e.CommunityId == communityId && e.Action == AuditAction.TrustRingReviewed);
            entry.ActorId.ShouldBe(admin);
            entry.Details.ShouldContain("\"members\":5");
        }

        // A day later the job runs again: same ring, so it keeps its review.
        first.Clock.Advance(TimeSpan.FromHours(25));
        (await first.Get<TrustRingService>().ScanDueAsync()).ShouldBeGreaterThanOrEqualTo(1);
        var next = (await first.Get<TrustRingService>().ReportAsync(admin, communityId)).Clusters.ShouldHaveSingleItem();
        next.Id.ShouldNotBe(cluster.Id);
        next.ReviewedAt.ShouldNotBeNull();
        next.ReviewedByName.ShouldNotBeNull();

        await Should.ThrowAsync<ForbiddenException>(() => first.Get<TrustRingService>().ReportAsync(member, communityId));
        await Should.ThrowAsync<ForbiddenException>(() => first.Get<TrustRingService>().MarkReviewedAsync(member, communityId, next.Id));
        await Should.ThrowAsync<ForbiddenException>(() => first.Get<TrustRingService>().RecomputeAsync(member, communityId));
    }

    [Fact]
    public async Task A_community_without_a_ring_stores_a_run_and_no_cluster()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var others = new List<string>();
        for (var i = 0; i < 8; i++) others.Add(await fixture.AddMemberAsync(communityId));
        await using (var db = await fixture.NewContextAsync())
        {
            foreach (var giver in others.Prepend(admin))
                foreach (var receiver in others.Prepend(admin).Where(r => r != giver))
                    db.TrustAwards.Add(new TrustAward { CommunityId = communityId, GiverId = giver, ReceiverId = receiver, RenewedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        var rings = fixture.Get<TrustRingService>();
        (await rings.ReportAsync(admin, communityId)).ComputedAt.ShouldBeNull();

        await rings.RecomputeAsync(admin, communityId);

        var report = await rings.ReportAsync(admin, communityId);
        report.ComputedAt.ShouldNotBeNull();
        report.Clusters.ShouldBeEmpty();
    }
}
