using CommunityApp.Resources;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Trust;

namespace CommunityApp.Features.Insight;

public sealed record RingMemberRow(string UserId, string DisplayName, double Score, int TrustScore);

public sealed record RingClusterRow(
    Guid Id, double Conductance, IReadOnlyList<RingMemberRow> Members, IReadOnlyList<NetworkEdge> Awards,
    DateTime? ReviewedAt, string? ReviewedByName);

/// <summary>What the trust-ring page shows: when the signal was last computed (null: never) and the flagged clusters.</summary>
public sealed record TrustRingReport(DateTime? ComputedAt, int MemberCount, int AwardCount, IReadOnlyList<RingClusterRow> Clusters);

/// <summary>
/// The trust-ring signal (docs/SPEC.md §13): computes it from the current awards (<see cref="TrustRingDetector"/>), stores the
/// flagged clusters, shows them to admins and lets an admin mark one reviewed. It flags; it never changes any trust.
/// </summary>
public sealed class TrustRingService(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock, IConfiguration? configuration = null)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>How often a community's signal is recomputed (<c>Insight:TrustRingEvery</c>, a day by default).</summary>
    public TimeSpan Every => configuration?.GetValue("Insight:TrustRingEvery", TimeSpan.FromDays(1)) ?? TimeSpan.FromDays(1);

    /// <summary>Computes the signal of every community whose last run is older than <see cref="Every"/>; returns how many ran here.</summary>
    public async Task<int> ScanDueAsync(CancellationToken ct = default)
    {
        List<Guid> ids;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var due = Now - Every;
            ids = await db.Communities
                .Where(c => !db.Set<TrustRingScan>().Any(s => s.CommunityId == c.Id && s.ComputedAt != null && s.ComputedAt > due))
                .OrderBy(c => c.Id).Select(c => c.Id).ToListAsync(ct);
        }
        var ran = 0;
        foreach (var id in ids)
            if (await ScanAsync(id, ct)) ran++;
        return ran;
    }

    /// <summary>
    /// Claims the community's run (a conditional UPDATE of the last run's time on the value read; another instance that read
    /// the same value updates nothing and stops), computes the signal from one query of the current awards, and replaces the
    /// flagged clusters in the same transaction. A cluster with the same members as a reviewed one keeps its review.
    /// </summary>
    public Task<bool> ScanAsync(Guid communityId, CancellationToken ct = default) => ScanAsync(communityId, force: false, ct);

    /// <summary>An admin asks for the signal now, whatever the time of the last run (still claimed, so it runs once).</summary>
    public async Task RecomputeAsync(string actorId, Guid communityId, CancellationToken ct = default)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(ct)) await PermissionService.DemandAdminAsync(db, communityId, actorId, ct);
        await ScanAsync(communityId, force: true, ct);
    }

    private async Task<bool> ScanAsync(Guid communityId, bool force, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.InTransactionAsync(async () =>
        {
            var now = Now;
            var scan = await db.Set<TrustRingScan>().AsNoTracking().SingleOrDefaultAsync(s => s.CommunityId == communityId, ct);
            if (scan is null)
            {
                await db.Database.ExecuteSqlAsync($"INSERT INTO trust_ring_scans (community_id, member_count, award_count) VALUES ({communityId}, 0, 0) ON CONFLICT DO NOTHING", ct);
                scan = new TrustRingScan { CommunityId = communityId };
            }
            if (!force && scan.ComputedAt is { } last && last > now - Every) return false;
            var previous = scan.ComputedAt;
            var claimed = previous is null
                ? await db.Set<TrustRingScan>().Where(s => s.CommunityId == communityId && s.ComputedAt == null).ExecuteUpdateAsync(s => s.SetProperty(x => x.ComputedAt, now), ct)
                : await db.Set<TrustRingScan>().Where(s => s.CommunityId == communityId && s.ComputedAt == previous).ExecuteUpdateAsync(s => s.SetProperty(x => x.ComputedAt, now), ct);
            if (claimed == 0) return false;

            var members = await db.Memberships.Where(m => m.CommunityId == communityId)
                .OrderBy(m => m.UserId).Select(m => new { m.UserId, m.Role }).ToListAsync(ct);
            var index = new Dictionary<string, int>(members.Count, StringComparer.Ordinal);
            for (var i = 0; i < members.Count; i++) index[members[i].UserId] = i;
            var edges = new List<AwardEdge>();
            await foreach (var award in db.TrustAwards.Where(a => a.CommunityId == communityId)
                               .Select(a => new { a.GiverId, a.ReceiverId }).AsAsyncEnumerable().WithCancellation(ct))
                if (index.TryGetValue(award.GiverId, out var g) && index.TryGetValue(award.ReceiverId, out var r)) edges.Add(new AwardEdge(g, r));
            var admins = members.Select((m, i) => (m, i)).Where(x => x.m.Role == MemberRole.Admin).Select(x => x.i).ToHashSet();
            // The seeds: the admins and the members they trust (the awards they gave).
            var seeds = admins.Concat(edges.Where(e => admins.Contains(e.Giver)).Select(e => e.Receiver)).ToHashSet();
            var analysis = TrustRingDetector.Analyse(members.Count, edges, seeds);

            var clusters = db.Set<TrustRingCluster>();
            var reviewed = await clusters.Where(c => c.CommunityId == communityId && c.ReviewedAt != null)
                .Select(c => new { c.MemberKey, c.ReviewedAt, c.ReviewedBy }).ToListAsync(ct);
            await clusters.Where(c => c.CommunityId == communityId).ExecuteDeleteAsync(ct);
            foreach (var found in analysis.Clusters)
            {
                var ids = found.Members.Select(i => members[i].UserId).Order(StringComparer.Ordinal).ToList();
                var key = string.Join(',', ids);
                var review = reviewed.FirstOrDefault(r => r.MemberKey == key);
                clusters.Add(new TrustRingCluster
                {
                    CommunityId = communityId, ComputedAt = now, Conductance = found.Conductance, MemberCount = ids.Count, MemberKey = key,
                    ReviewedAt = review?.ReviewedAt, ReviewedBy = review?.ReviewedBy,
                    Members = found.Members.Select(i => new TrustRingMember { UserId = members[i].UserId, Score = analysis.Scores[i] }).ToList(),
                });
            }
            await db.Set<TrustRingScan>().Where(s => s.CommunityId == communityId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.MemberCount, members.Count).SetProperty(x => x.AwardCount, edges.Count), ct);
            await db.SaveChangesAsync(ct);
            return true;
        }, ct);
    }

    /// <summary>The flagged clusters with their members and the awards between them, for admins only.</summary>
    public async Task<TrustRingReport> ReportAsync(string actorId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandAdminAsync(db, communityId, actorId, ct);
        var scan = await db.Set<TrustRingScan>().AsNoTracking().SingleOrDefaultAsync(s => s.CommunityId == communityId, ct);
        var clusters = await db.Set<TrustRingCluster>().Where(c => c.CommunityId == communityId)
            .OrderBy(c => c.ReviewedAt != null).ThenBy(c => c.Conductance).ThenBy(c => c.Id)
            .Select(c => new
            {
                c.Id, c.Conductance, c.ReviewedAt,
                ReviewedByName = db.Users.Where(u => u.Id == c.ReviewedBy).Select(u => u.DisplayName).FirstOrDefault(),
                Members = c.Members.OrderBy(m => m.Score).Select(m => new
                {
                    m.UserId, m.User.DisplayName, m.Score,
                    TrustScore = db.Memberships.Where(x => x.CommunityId == communityId && x.UserId == m.UserId).Select(x => (int?)x.TrustScore).FirstOrDefault() ?? 0,
                }).ToList(),
            })
            .AsSplitQuery().ToListAsync(ct);
        var inClusters = clusters.SelectMany(c => c.Members.Select(m => m.UserId)).Distinct().ToList();
        var awards = await db.TrustAwards.Where(a => a.CommunityId == communityId && inClusters.Contains(a.GiverId) && inClusters.Contains(a.ReceiverId))
            .Select(a => new NetworkEdge(a.GiverId, a.ReceiverId)).ToListAsync(ct);
        var rows = clusters.Select(c =>
        {
            var ids = c.Members.Select(m => m.UserId).ToHashSet(StringComparer.Ordinal);
            return new RingClusterRow(c.Id, c.Conductance,
                c.Members.Select(m => new RingMemberRow(m.UserId, m.DisplayName, m.Score, m.TrustScore)).ToList(),
                awards.Where(a => ids.Contains(a.From) && ids.Contains(a.To)).ToList(), c.ReviewedAt, c.ReviewedByName);
        }).ToList();
        return new TrustRingReport(scan?.ComputedAt, scan?.MemberCount ?? 0, scan?.AwardCount ?? 0, rows);
    }

    /// <summary>An admin marks a flagged cluster reviewed (audited). Reviewing twice is refused.</summary>
    public async Task MarkReviewedAsync(string actorId, Guid communityId, Guid clusterId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await db.InTransactionAsync(async () =>
        {
            await PermissionService.DemandAdminAsync(db, communityId, actorId, ct);
            var now = Now;
            var cluster = await db.Set<TrustRingCluster>().AsNoTracking().Where(c => c.Id == clusterId && c.CommunityId == communityId)
                .Select(c => new { c.MemberCount, c.Conductance, c.ReviewedAt, Members = c.Members.OrderBy(m => m.User.DisplayName).Select(m => m.User.DisplayName).ToList() })
                .SingleOrDefaultAsync(ct) ?? throw new NotFoundException(Text.Get("Insight.Rings.NotFound"));
            var marked = await db.Set<TrustRingCluster>().Where(c => c.Id == clusterId && c.ReviewedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.ReviewedAt, now).SetProperty(c => c.ReviewedBy, actorId), ct);
            if (marked == 0) throw new AppException(Text.Get("Insight.Rings.AlreadyReviewed"));
            db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.TrustRingReviewed,
                new { clusterId, members = cluster.MemberCount, conductance = Math.Round(cluster.Conductance, 3), names = cluster.Members }, at: now));
            await db.SaveChangesAsync(ct);
        }, ct);
    }
}
