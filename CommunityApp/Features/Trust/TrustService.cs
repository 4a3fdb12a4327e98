using CommunityApp.Components;
using CommunityApp.Resources;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Settings;

namespace CommunityApp.Features.Trust;

/// <summary>
/// Awards, removals, renewals and admin grants (docs/SPEC.md §4). Every change locks the receiver's membership row,
/// writes the change and its history, and recomputes the receiver's maintained score in one transaction,
/// so scores stay exact under concurrent clicks.
/// </summary>
public sealed class TrustService(IDbContextFactory<AppDbContext> dbFactory, IEventHub events, TimeProvider clock)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task AwardAsync(string giverId, Guid communityId, string receiverId, CancellationToken ct = default)
    {
        if (giverId == receiverId) throw new AppException(Text.Get("Error.SelfAward"));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = giverId;
        await db.InTransactionAsync(async () =>
        {
            var giver = await PermissionService.DemandAsync(db, communityId, giverId, Permission.AwardTrust, ct);
            if (!giver.Settings.Decay.Enabled && db.Database.IsNpgsql())
            {
                // Every award weighs 1: the rest of the award is one batch (one round trip), as SQL can decide it all.
                await AwardInOneBatchAsync(db, communityId, giverId, receiverId, Now, ct);
                return;
            }
            var before = await LockMemberScoreAsync(db, communityId, receiverId, ct);

            var now = Now;
            db.TrustAwards.Add(new TrustAward { CommunityId = communityId, GiverId = giverId, ReceiverId = receiverId, RenewedAt = now });
            // No read first: the filtered unique index refuses a second active award for the pair, and the refusal ends the
            // award (so no savepoint is needed to survive it).
            db.Database.AutoSavepointsEnabled = false;
            await SaveOnceAsync(db, Text.Get("Error.AlreadyTrusted"), ct);
            var after = await RecomputeAsync(db, communityId, receiverId, giver.Settings.Decay, now, ct);
            db.TrustHistory.Add(new TrustHistoryEntry { CommunityId = communityId, ActorId = giverId, SubjectId = receiverId, Action = TrustHistoryAction.Awarded, Points = after - before, CreatedAt = now });
            await NotificationWriter.AddAsync(db, receiverId, communityId, NotificationKind.TrustReceived, giverId, CommunityUrls.For(communityId).MyTrust, Now, null, ct);
            await db.SaveChangesAsync(ct);
        }, ct);
        Published(communityId, receiverId);
    }

    /// <summary>
    /// PostgreSQL, decay off: the award after the giver's permission check, in one batch of statements (one round trip)
    /// that does what the general path does in five: lock the receiver's membership row (as <see cref="RowLocks"/> does),
    /// insert the award (the filtered unique index refuses a second active one for the pair: "already trusted"), write the
    /// history line with the points the score moves, store the recounted score, and write the notification as
    /// <see cref="NotificationWriter.AddAsync"/> does (the receiver's preference: none when off, marked for the digest).
    /// Each statement of a batch reads the database as it is when it starts, so the recount, which starts after the lock
    /// is granted, sees every award committed before it: scores stay exact under parallel awards. When the receiver is
    /// not a member, the lock finds no row and nothing is written.
    /// </summary>
    private static async Task AwardInOneBatchAsync(AppDbContext db, Guid communityId, string giverId, string receiverId, DateTime now, CancellationToken ct)
    {
        const string receiver = "m.community_id = $1 AND m.user_id = $3 AND m.deleted_at IS NULL";
        const string recount = "(SELECT count(*) FROM trust_awards a WHERE a.community_id = $1 AND a.receiver_id = $3 AND a.deleted_at IS NULL)";
        const string awarded = "EXISTS (SELECT 1 FROM trust_awards a WHERE a.id = $5)";
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var transaction = (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction();
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new($"""
                    SELECT m.trust_score FROM memberships m JOIN communities c ON c.id = m.community_id
                    WHERE {receiver} AND c.deleted_at IS NULL FOR NO KEY UPDATE OF m
                    """),
                new($"""
                    INSERT INTO trust_awards (id, community_id, giver_id, receiver_id, renewed_at, created_at, created_by, updated_at)
                    SELECT $5, $1, $2, $3, $4, $4, $2, $4
                    WHERE EXISTS (SELECT 1 FROM memberships m JOIN communities c ON c.id = m.community_id WHERE {receiver} AND c.deleted_at IS NULL)
                    """),
                new($"""
                    INSERT INTO trust_history (id, community_id, actor_id, subject_id, action, points, created_at)
                    SELECT $6, $1, $2, $3, '{TrustHistoryAction.Awarded}', m.admin_grant + {recount} - m.trust_score, $4
                    FROM memberships m WHERE {receiver} AND {awarded}
                    """),
                new($"""
                    UPDATE memberships m SET updated_at = $4, trust_score = m.admin_grant + {recount}
                    WHERE {receiver} AND {awarded}
                    """),
                new($"""
                    INSERT INTO notifications (id, user_id, community_id, kind, actor, subject, link, created_at, in_digest)
                    SELECT $7, $3, $1, '{NotificationKind.TrustReceived}', u.display_name, c.name, $8, $4, coalesce(p.delivery = '{NotificationDelivery.Digest}', false)
                    FROM asp_net_users u JOIN communities c ON c.id = $1 AND c.deleted_at IS NULL
                    LEFT JOIN notification_preferences p ON p.user_id = $3 AND p.kind = '{NotificationKind.TrustReceived}'
                    WHERE u.id = $2 AND p.delivery IS DISTINCT FROM '{NotificationDelivery.Off}' AND {awarded}
                    """),
            },
        };
        object[] values = [communityId, giverId, receiverId, now, Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7(), CommunityUrls.For(communityId).MyTrust];
        foreach (var command in batch.BatchCommands)
        {
            // Each statement gets every value, $1 … $8, whether it reads them or not: PostgreSQL types the unused ones.
            foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(ct);
            var member = await reader.ReadAsync(ct);
            while (await reader.NextResultAsync(ct)) { }
            if (!member) throw new AppException(Text.Get("Error.PersonNotMember"));
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // The filtered unique index: the pair already has an active award (a parallel click made it first).
            throw new AppException(Text.Get("Error.AlreadyTrusted"), ex);
        }
    }

    /// <summary>The giver may remove their award at any time, whatever their own score.</summary>
    public async Task RemoveAsync(string giverId, Guid communityId, string receiverId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = giverId;
        await db.InTransactionAsync(async () =>
        {
            var giver = await PermissionService.DemandMemberAsync(db, communityId, giverId, ct);
            await LockMemberAsync(db, communityId, receiverId, ct);
            var award = await db.TrustAwards.SingleOrDefaultAsync(a => a.CommunityId == communityId && a.GiverId == giverId && a.ReceiverId == receiverId, ct)
                        ?? throw new AppException(Text.Get("Error.NoAward"));
            var now = Now;
            var before = await ScoreAsync(db, communityId, receiverId, ct);
            award.DeletedAt = now;
            await db.SaveChangesAsync(ct);
            var after = await RecomputeAsync(db, communityId, receiverId, giver.Settings.Decay, now, ct);
            db.TrustHistory.Add(new TrustHistoryEntry { CommunityId = communityId, ActorId = giverId, SubjectId = receiverId, Action = TrustHistoryAction.Removed, Points = after - before, CreatedAt = now });
            await NotificationWriter.AddAsync(db, receiverId, communityId, NotificationKind.TrustRemoved, giverId, CommunityUrls.For(communityId).MyTrust, Now, null, ct);
            await db.SaveChangesAsync(ct);
        }, ct);
        Published(communityId, receiverId);
    }

    /// <summary>Renews the giver's awards (the given receivers, or all when none are given): they count fully again.</summary>
    public async Task<int> RenewAsync(string giverId, Guid communityId, IReadOnlyCollection<string>? receiverIds = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = giverId;
        var receivers = await db.InTransactionAsync(async () =>
        {
            var giver = await PermissionService.DemandMemberAsync(db, communityId, giverId, ct);
            var awards = db.TrustAwards.Where(a => a.CommunityId == communityId && a.GiverId == giverId);
            if (receiverIds is { Count: > 0 }) awards = awards.Where(a => receiverIds.Contains(a.ReceiverId));
            // Lock in a fixed order so two renewals touching the same receivers cannot deadlock.
            var receivers = await awards.Select(a => a.ReceiverId).OrderBy(id => id).ToListAsync(ct);
            var now = Now;
            foreach (var receiverId in receivers)
            {
                await LockMemberAsync(db, communityId, receiverId, ct);
                var before = await ScoreAsync(db, communityId, receiverId, ct);
                await db.TrustAwards.Where(a => a.CommunityId == communityId && a.GiverId == giverId && a.ReceiverId == receiverId)
                    .ExecuteUpdateStampedAsync(now, s => s.SetProperty(a => a.RenewedAt, now).SetProperty(a => a.DecayWarnedAt, (DateTime?)null), ct);
                var after = await RecomputeAsync(db, communityId, receiverId, giver.Settings.Decay, now, ct);
                db.TrustHistory.Add(new TrustHistoryEntry { CommunityId = communityId, ActorId = giverId, SubjectId = receiverId, Action = TrustHistoryAction.Renewed, Points = after - before, CreatedAt = now });
            }
            await db.SaveChangesAsync(ct);
            return receivers;
        }, ct);
        foreach (var receiverId in receivers) events.Publish(new TrustChanged(communityId, receiverId));
        return receivers.Count;
    }

    /// <summary>Sets a member's admin-granted trust (0 clears it). Any admin may review and change another admin's grant.</summary>
    public async Task SetAdminGrantAsync(string adminId, Guid communityId, string userId, int amount, CancellationToken ct = default)
    {
        if (amount is < 0 or > SettingsLimits.MaxScore)
            throw new ValidationFailedException(new Dictionary<string, string> { ["amount"] = Text.Get("Error.GrantRange", SettingsLimits.MaxScore) });
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = adminId;
        var changed = await db.InTransactionAsync(async () =>
        {
            var admin = await PermissionService.DemandAdminAsync(db, communityId, adminId, ct);
            await LockMemberAsync(db, communityId, userId, ct);
            var membership = await db.Memberships.SingleAsync(m => m.CommunityId == communityId && m.UserId == userId, ct);
            if (membership.AdminGrant == amount) return false;
            var now = Now;
            var (oldGrant, before) = (membership.AdminGrant, membership.TrustScore);
            membership.AdminGrant = amount;
            membership.AdminGrantSetBy = amount == 0 ? null : adminId;
            membership.AdminGrantSetAt = amount == 0 ? null : now;
            await db.SaveChangesAsync(ct);
            var after = await RecomputeAsync(db, communityId, userId, admin.Settings.Decay, now, ct);
            db.TrustHistory.Add(new TrustHistoryEntry { CommunityId = communityId, ActorId = adminId, SubjectId = userId, Action = TrustHistoryAction.GrantChanged, Points = after - before, CreatedAt = now });
            db.AuditLog.Add(AuditEntry.Record(communityId, adminId, AuditAction.TrustGrantChanged, new { grant = AuditEntry.Change(oldGrant, amount) }, userId, now));
            await NotificationWriter.AddAsync(db, userId, communityId, NotificationKind.TrustGrantChanged, adminId, CommunityUrls.For(communityId).MyTrust, Now, null, ct);
            await db.SaveChangesAsync(ct);
            return true;
        }, ct);
        if (changed) Published(communityId, userId);
    }

    /// <summary>
    /// Recomputes and stores a member's score from the admin grant and their active awards (weighted when decay is on).
    /// Callers hold the member's row lock, so the result includes every committed change.
    /// </summary>
    internal static async Task<int> RecomputeAsync(AppDbContext db, Guid communityId, string userId, DecaySettings decay, DateTime now, CancellationToken ct)
    {
        var member = db.Memberships.Where(m => m.CommunityId == communityId && m.UserId == userId);
        var received = db.TrustAwards.Where(a => a.CommunityId == communityId && a.ReceiverId == userId);
        if (!decay.Enabled && db.Database.IsNpgsql())
        {
            // Every award weighs 1: the database counts them in the statement that stores the score, and returns it.
            var stored = await db.Database.SqlQuery<int>($"""
                UPDATE memberships SET updated_at = {now},
                    trust_score = admin_grant + (SELECT count(*) FROM trust_awards a WHERE a.community_id = {communityId} AND a.receiver_id = {userId} AND a.deleted_at IS NULL)
                WHERE community_id = {communityId} AND user_id = {userId} AND deleted_at IS NULL
                RETURNING trust_score AS "Value"
                """).ToListAsync(ct);
            return stored.Single();
        }
        if (!decay.Enabled)
        {
            // Every award weighs 1: the database counts them in the same statement that stores the score.
            await member.ExecuteUpdateStampedAsync(now, s => s.SetProperty(m => m.TrustScore,
                m => m.AdminGrant + db.TrustAwards.Count(a => a.CommunityId == communityId && a.ReceiverId == userId)), ct);
            return await member.Select(m => m.TrustScore).SingleAsync(ct);
        }
        var grant = await member.Select(m => m.AdminGrant).SingleAsync(ct);
        var score = TrustDecay.Score(grant, (await received.Select(a => a.RenewedAt).ToListAsync(ct)).Select(d => TrustDecay.Weight(decay, d, now)));
        await member.ExecuteUpdateStampedAsync(now, s => s.SetProperty(m => m.TrustScore, score), ct);
        return score;
    }

    /// <summary>
    /// A member leaves or is removed (docs/SPEC.md §4.1): every award they gave or received ends, with a history entry
    /// each, and the scores of the members who received theirs are recomputed in the caller's transaction, before the
    /// membership itself is deleted. Returns those members, for the live update after commit.
    /// </summary>
    internal static async Task<IReadOnlyList<string>> EndAwardsAsync(AppDbContext db, Guid communityId, Membership leaving, DecaySettings decay,
        DateTime now, CancellationToken ct)
    {
        var userId = leaving.UserId;
        var received = await db.TrustAwards.Where(a => a.CommunityId == communityId && a.ReceiverId == userId).OrderBy(a => a.Id).ToListAsync(ct);
        // The leaver's own score falls award by award, so each entry carries what that award was worth.
        var weights = received.Select(a => TrustDecay.Weight(decay, a.RenewedAt, now)).ToList();
        for (var i = 0; i < received.Count; i++)
        {
            received[i].DeletedAt = now;
            var points = TrustDecay.Score(leaving.AdminGrant, weights.Skip(i + 1)) - TrustDecay.Score(leaving.AdminGrant, weights.Skip(i));
            db.TrustHistory.Add(new TrustHistoryEntry { CommunityId = communityId, ActorId = received[i].GiverId, SubjectId = userId, Action = TrustHistoryAction.Ended, Points = points, CreatedAt = now });
        }

        // Lock the receivers in a fixed order, as renewals do, so concurrent trust changes cannot deadlock with this.
        var receivers = await db.TrustAwards.Where(a => a.CommunityId == communityId && a.GiverId == userId)
            .Select(a => a.ReceiverId).OrderBy(id => id).ToListAsync(ct);
        foreach (var receiverId in receivers)
        {
            await LockMemberAsync(db, communityId, receiverId, ct);
            var before = await ScoreAsync(db, communityId, receiverId, ct);
            await db.TrustAwards.Where(a => a.CommunityId == communityId && a.GiverId == userId && a.ReceiverId == receiverId)
                .ExecuteUpdateStampedAsync(now, s => s.SetProperty(a => a.DeletedAt, now), ct);
            var after = await RecomputeAsync(db, communityId, receiverId, decay, now, ct);
            db.TrustHistory.Add(new TrustHistoryEntry { CommunityId = communityId, ActorId = userId, SubjectId = receiverId, Action = TrustHistoryAction.Ended, Points = after - before, CreatedAt = now });
        }
        return receivers;
    }

    /// <summary>Takes the member's row lock until the transaction ends and returns their stored score; refuses when the user is not a member.</summary>
    private static async Task<int> LockMemberScoreAsync(AppDbContext db, Guid communityId, string userId, CancellationToken ct)
    {
        var scores = await db.LockAndReadAsync<Membership, int>(m => m.CommunityId == communityId && m.UserId == userId, m => m.TrustScore, ct);
        return scores.Count == 1 ? scores[0] : throw new AppException(Text.Get("Error.PersonNotMember"));
    }

    /// <summary>Takes the member's row lock until the transaction ends; refuses when the user is not a member.</summary>
    private static async Task LockMemberAsync(AppDbContext db, Guid communityId, string userId, CancellationToken ct)
    {
        var locked = await db.LockForUpdateAsync<Membership>(m => m.CommunityId == communityId && m.UserId == userId, ct);
        if (locked == 0) throw new AppException(Text.Get("Error.PersonNotMember"));
    }

    private static Task<int> ScoreAsync(AppDbContext db, Guid communityId, string userId, CancellationToken ct) =>
        db.Memberships.Where(m => m.CommunityId == communityId && m.UserId == userId).Select(m => m.TrustScore).SingleAsync(ct);

    private static async Task SaveOnceAsync(AppDbContext db, string duplicateMessage, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
        {
            // The filtered unique index: a parallel request created the same active award first.
            throw new AppException(duplicateMessage, ex);
        }
    }

    private void Published(Guid communityId, string receiverId)
    {
        events.Publish(new TrustChanged(communityId, receiverId));
        events.Publish(new NotificationsChanged(receiverId));
    }
}
