using CommunityApp.Data.Jobs;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Notifications;

namespace CommunityApp.Features.Trust;

/// <summary>
/// Keeps maintained scores true as time passes: with decay on, award weights fall every day, so scores are
/// recomputed daily and whenever an admin changes the decay settings. Also warns givers, once per award,
/// when an award starts decaying.
/// </summary>
public sealed class TrustRecalculator(IDbContextFactory<AppDbContext> dbFactory, IEventHub events, TimeProvider clock, ILogger<TrustRecalculator> logger)
{
    private const int Batch = 5_000;

    /// <summary>
    /// The daily pass over every community with decay on. One community that fails (its settings do not load, a write
    /// breaks) is logged and skipped: the others are still processed. Returns how many communities failed.
    /// </summary>
    public async Task<int> RunDailyAsync(CancellationToken ct = default)
    {
        List<Guid> ids;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            ids = await db.Communities.OrderBy(c => c.Id).Select(c => c.Id).ToListAsync(ct);
        }
        var failed = 0;
        foreach (var id in ids)
        {
            try
            {
                DecaySettings decay;
                await using (var db = await dbFactory.CreateDbContextAsync(ct))
                {
                    decay = (await db.Communities.Where(c => c.Id == id).Select(c => c.Settings).SingleAsync(ct)).Decay;
                }
                if (!decay.Enabled) continue;
                var changed = await RecomputeCommunityAsync(id, ct);
                var warned = await WarnDecayStartedAsync(id, decay, ct);
                logger.LogInformation("Trust decay for community {Community}: {Changed} scores changed, {Warned} givers warned", id, changed, warned);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed++;
                logger.LogError(ex, "Trust decay for community {Community} failed; the other communities go on", id);
            }
        }
        return failed;
    }

    /// <summary>
    /// Recomputes every score in the community that differs from the grant plus its (weighted) awards. Returns how many changed.
    /// Set-based, a batch of members at a time: the batch's scores are computed from one read of their awards; the members
    /// whose score moved are then locked together (in user-id order, as renewals lock), their awards read again under the
    /// locks so a concurrent award or removal is counted, and their scores stored with one UPDATE per distinct score,
    /// all in one transaction per batch. About eight commands per batch instead of five per changed member.
    /// </summary>
    public async Task<int> RecomputeCommunityAsync(Guid communityId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = 0;
        string? after = null;
        DecaySettings decay;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            decay = (await db.Communities.Where(c => c.Id == communityId).Select(c => c.Settings).SingleAsync(ct)).Decay;
        }
        while (true)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var page = db.Memberships.Where(m => m.CommunityId == communityId);
            if (after is not null) page = page.Where(m => string.Compare(m.UserId, after) > 0);
            var members = await page.OrderBy(m => m.UserId).Take(Batch).Select(m => new { m.UserId, m.AdminGrant, m.TrustScore }).ToListAsync(ct);
            if (members.Count == 0) return changed;
            after = members[^1].UserId;
            var ids = members.Select(m => m.UserId).ToList();
            var weights = await WeightsAsync(db, communityId, ids, decay, now, ct);
            var stale = members.Where(m => TrustDecay.Score(m.AdminGrant, weights[m.UserId]) != m.TrustScore).Select(m => m.UserId).ToList();
            if (stale.Count == 0) continue;
            var stored = await db.InTransactionAsync(async () =>
            {
                await db.LockForUpdateAsync<Membership, string>(m => m.CommunityId == communityId && stale.Contains(m.UserId), m => m.UserId, ct);
                var current = await db.Memberships.Where(m => m.CommunityId == communityId && stale.Contains(m.UserId))
                    .Select(m => new { m.UserId, m.AdminGrant, m.TrustScore }).ToListAsync(ct);
                var fresh = await WeightsAsync(db, communityId, stale, decay, now, ct);
                var scores = current.Select(m => (m.UserId, Score: TrustDecay.Score(m.AdminGrant, fresh[m.UserId]), Stored: m.TrustScore))
                    .Where(m => m.Score != m.Stored).ToList();
                foreach (var group in scores.GroupBy(m => m.Score))
                {
                    var users = group.Select(m => m.UserId).ToList();
                    await db.Memberships.Where(m => m.CommunityId == communityId && users.Contains(m.UserId))
                        .ExecuteUpdateStampedAsync(now, s => s.SetProperty(m => m.TrustScore, group.Key), ct);
                }
                return scores.Select(m => m.UserId).ToList();
            }, ct);
            foreach (var userId in stored) events.Publish(new TrustChanged(communityId, userId));
            changed += stored.Count;
        }
    }

    /// <summary>The weights of the active awards received by <paramref name="receivers"/>, by receiver.</summary>
    private static async Task<ILookup<string, double>> WeightsAsync(AppDbContext db, Guid communityId, List<string> receivers, DecaySettings decay,
        DateTime now, CancellationToken ct) =>
        (await db.TrustAwards.Where(a => a.CommunityId == communityId && receivers.Contains(a.ReceiverId))
            .Select(a => new { a.ReceiverId, a.RenewedAt }).ToListAsync(ct))
        .ToLookup(a => a.ReceiverId, a => TrustDecay.Weight(decay, a.RenewedAt, now));

    /// <summary>Notifies givers whose awards have started decaying; each award is warned about once (until renewed).</summary>
    public async Task<int> WarnDecayStartedAsync(Guid communityId, DecaySettings decay, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var cutoff = now.AddMonths(-decay.FullMonths);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var due = await db.TrustAwards
            .Where(a => a.CommunityId == communityId && a.DecayWarnedAt == null && a.RenewedAt <= cutoff)
            .OrderBy(a => a.RenewedAt).Take(5_000)
            .Select(a => new { a.Id, a.GiverId, Receiver = a.Receiver.DisplayName })
            .ToListAsync(ct);
        if (due.Count == 0) return 0;
        var communityName = await db.Communities.Where(c => c.Id == communityId).Select(c => c.Name).SingleAsync(ct);
        var ids = due.Select(a => a.Id).ToList();
        try
        {
            await db.InTransactionAsync(async () =>
            {
                // Only awards still unwarned are claimed, so two runs at once cannot warn twice; a partial claim rolls back.
                var claimed = await db.TrustAwards.Where(a => ids.Contains(a.Id) && a.DecayWarnedAt == null)
                    .ExecuteUpdateStampedAsync(now, s => s.SetProperty(a => a.DecayWarnedAt, now), ct);
                if (claimed != due.Count) throw new ClaimedElsewhere();
                await NotificationWriter.AddRangeAsync(db, due.Select(a => new Notification
                {
                    UserId = a.GiverId, CommunityId = communityId, Kind = NotificationKind.DecayStarted,
                    Actor = a.Receiver, Subject = communityName, Link = CommunityUrls.For(communityId).MyTrust, CreatedAt = now,
                }).ToList(), ct);
                await db.SaveChangesAsync(ct);
            }, ct);
        }
        catch (ClaimedElsewhere)
        {
            return 0;
        }
        foreach (var giver in due.Select(a => a.GiverId).Distinct()) events.Publish(new NotificationsChanged(giver));
        return due.Count;
    }

    /// <summary>Another run claimed some of the awards first: this run rolls back and leaves them to it.</summary>
    private sealed class ClaimedElsewhere : Exception;
}

/// <summary>Runs <see cref="TrustRecalculator.RunDailyAsync"/> shortly after start-up and then once a day.</summary>
public sealed class TrustDecayJob(JobRunner runner, IConfiguration configuration, TimeProvider clock) : PeriodicJob(runner, clock)
{
    public override string Name => "trust.decay";

    public override TimeSpan Period { get; } = configuration.GetValue("Trust:DecayJobInterval", TimeSpan.FromDays(1));

    protected override TimeSpan? FirstRunAfter => TimeSpan.FromMinutes(1);

    protected override async Task RunOnceAsync(IServiceProvider services, CancellationToken ct)
    {
        // One community that fails is logged and skipped by the run; the run is recorded as failed so it shows.
        var failed = await services.GetRequiredService<TrustRecalculator>().RunDailyAsync(ct);
        if (failed > 0) throw new JobPartlyFailedException($"Trust decay failed for {failed} communities (see the log); the others were processed");
    }
}
