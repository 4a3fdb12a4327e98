using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Data;
using CommunityApp.Features.Communities;

namespace CommunityApp.Features.Health;

/// <summary>How far a community's rollups reach: every whole UTC day before <see cref="RolledUntil"/> is in them.</summary>
public class HealthRollupState
{
    public Guid CommunityId { get; set; }
    public DateTime? RolledUntil { get; set; }
}

/// <summary>
/// Active members of one day, grouped by the day each was last active before it (<see cref="PreviousDay"/>, −1 for never):
/// a member is active in a range of days exactly once, on the first day of it whose previous day lies before the range, so
/// "how many distinct members were active from day A to day B" is the sum of <see cref="Members"/> over the cells with
/// A ≤ <see cref="Day"/> &lt; B and <see cref="PreviousDay"/> &lt; A. Days are numbered from 1970-01-01.
/// </summary>
public class HealthActiveCell
{
    public Guid CommunityId { get; set; }
    public int Day { get; set; }
    public int PreviousDay { get; set; }
    public int Members { get; set; }
}

/// <summary>What a closed day's rollup carries on to the next per member: the last active day and the running trust history.</summary>
public class HealthMemberState
{
    public Guid CommunityId { get; set; }
    public string UserId { get; set; } = "";
    public int? LastActiveDay { get; set; }
    /// <summary>The running sum of the member's trust history (awards, removals, renewals, grants, ends).</summary>
    public int TrustSum { get; set; }
    /// <summary>The highest that running sum has stood.</summary>
    public int TrustPeak { get; set; }
}

/// <summary>When a member's running trust history first stood at <see cref="Score"/> (every score from 1 up to their peak).</summary>
public class HealthTrustFirst
{
    public Guid CommunityId { get; set; }
    public string UserId { get; set; } = "";
    public int Score { get; set; }
    public DateTime ReachedAt { get; set; }
}

/// <summary>Counts of one closed day: trust awards given.</summary>
public class HealthDay
{
    public Guid CommunityId { get; set; }
    public int Day { get; set; }
    public int Awards { get; set; }
}

/// <summary>
/// The dashboard's rollups on PostgreSQL (docs/SPEC.md §13, docs/ARCHITECTURE.md "Health dashboard"): before a dashboard is
/// computed, every whole UTC day since the last roll is rolled up once: the active members per day and previous active day
/// (<see cref="HealthActiveCell"/>), the first time each member's trust history reached each score
/// (<see cref="HealthTrustFirst"/>) and the awards per day (<see cref="HealthDay"/>). A year's distinct active members and
/// the path of new members then read a few hundred thousand small rows instead of a running window over every award.
/// The roll holds the community's state row locked, so instances and parallel views roll each day once. A closed day is
/// not rolled again: rows written later with an earlier time (imports, the demo seed after a view) are not in it.
/// SQLite computes the same figures from the raw tables (small communities; <see cref="HealthMetrics"/>).
/// </summary>
public static class HealthRollups
{
    /// <summary>Where a community's history starts when it has never been rolled (nothing here is older).</summary>
    private static readonly DateTime Beginning = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Rolls every whole day before <paramref name="until"/> (a UTC midnight) not rolled yet; returns how far the rollups now reach.</summary>
    public static async Task<DateTime?> RollAsync(AppDbContext db, Guid communityId, DateTime until, CancellationToken ct = default)
    {
        if (db is not PostgresAppDbContext) return null;
        return await db.InTransactionAsync<DateTime?>(async () =>
        {
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO health_rollups (community_id, rolled_until) VALUES ({communityId}, NULL) ON CONFLICT (community_id) DO NOTHING", ct);
            var rolled = await db.Database.SqlQuery<DateTime?>(
                $"SELECT rolled_until AS \"Value\" FROM health_rollups WHERE community_id = {communityId} FOR UPDATE").SingleAsync(ct);
            var from = rolled ?? Beginning;
            if (from >= until) return from;
            var values = new Dictionary<string, object> { ["c"] = communityId, ["lo"] = from, ["hi"] = until };
            foreach (var statement in new[] { ActivityRoll, TrustRoll, AwardsRoll })
                await db.Database.ExecuteSqlAsync(HealthSql.Build(db, statement, values), ct);
            await db.Database.ExecuteSqlAsync($"UPDATE health_rollups SET rolled_until = {until} WHERE community_id = {communityId}", ct);
            return until;
        }, ct);
    }

    /// <summary>
    /// Each member's active days in [lo, hi), linked to the day before (the previous one in the range, or the last one rolled
    /// before), counted into cells; the member's last active day carried on.
    /// </summary>
    private const string ActivityRoll = $$"""
        WITH acts AS ({{HealthSql.Activity}}),
        days AS (SELECT u, (floor(extract(epoch from t) / 86400))::int AS d FROM acts GROUP BY 1, 2),
        linked AS (
            SELECT d.u, d.d, COALESCE(LAG(d.d) OVER (PARTITION BY d.u ORDER BY d.d), s.last_active_day, -1) AS p
            FROM days d LEFT JOIN health_member_states s ON s.community_id = @c AND s.user_id = d.u),
        cells AS (
            INSERT INTO health_active_cells (community_id, day, previous_day, members)
            SELECT @c, d, p, COUNT(*) FROM linked GROUP BY d, p
            RETURNING 1)
        INSERT INTO health_member_states (community_id, user_id, last_active_day, trust_sum, trust_peak)
        SELECT @c, u, MAX(d), 0, 0 FROM days GROUP BY u
        ON CONFLICT (community_id, user_id) DO UPDATE SET last_active_day = excluded.last_active_day
        """;

    /// <summary>
    /// The trust history of [lo, hi) run on from each member's carried sum: every score above the carried peak that the sum
    /// reaches is written with the time it first stood there; the sum and peak carried on.
    /// </summary>
    private const string TrustRoll = """
        WITH run AS (
            SELECT h.subject_id AS u, h.created_at AS t, h.id,
                   COALESCE(s.trust_sum, 0) + SUM(h.points) OVER (PARTITION BY h.subject_id ORDER BY h.created_at, h.id ROWS UNBOUNDED PRECEDING) AS score,
                   COALESCE(s.trust_peak, 0) AS carried
            FROM trust_history h LEFT JOIN health_member_states s ON s.community_id = @c AND s.user_id = h.subject_id
            WHERE h.community_id = @c AND h.created_at >= @lo AND h.created_at < @hi),
        peaks AS (
            SELECT u, t, score,
                   GREATEST(carried, MAX(score) OVER (PARTITION BY u ORDER BY t, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) AS before,
                   ROW_NUMBER() OVER (PARTITION BY u ORDER BY t DESC, id DESC) AS newest
            FROM run),
        firsts AS (
            INSERT INTO health_trust_firsts (community_id, user_id, score, reached_at)
            SELECT @c, u, g, t FROM peaks CROSS JOIN LATERAL generate_series(before + 1, score) AS g WHERE score > before
            RETURNING 1)
        INSERT INTO health_member_states (community_id, user_id, last_active_day, trust_sum, trust_peak)
        SELECT @c, u, NULL, score, GREATEST(before, score) FROM peaks WHERE newest = 1
        ON CONFLICT (community_id, user_id) DO UPDATE SET trust_sum = excluded.trust_sum, trust_peak = excluded.trust_peak
        """;

    /// <summary>Trust awards per day of [lo, hi).</summary>
    private const string AwardsRoll = """
        INSERT INTO health_days (community_id, day, awards)
        SELECT @c, (floor(extract(epoch from created_at) / 86400))::int, COUNT(*)
        FROM trust_history WHERE community_id = @c AND action = 'Awarded' AND created_at >= @lo AND created_at < @hi
        GROUP BY 2
        """;
}

internal sealed class HealthRollupConfiguration :
    IEntityTypeConfiguration<HealthRollupState>, IEntityTypeConfiguration<HealthActiveCell>, IEntityTypeConfiguration<HealthMemberState>,
    IEntityTypeConfiguration<HealthTrustFirst>, IEntityTypeConfiguration<HealthDay>
{
    public void Configure(EntityTypeBuilder<HealthRollupState> state)
    {
        state.ToTable("health_rollups");
        state.HasKey(s => s.CommunityId);
        state.HasOne<Community>().WithOne().HasForeignKey<HealthRollupState>(s => s.CommunityId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<HealthActiveCell> cell)
    {
        cell.ToTable("health_active_cells");
        cell.HasKey(c => new { c.CommunityId, c.Day, c.PreviousDay });
        cell.HasOne<Community>().WithMany().HasForeignKey(c => c.CommunityId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<HealthMemberState> member)
    {
        member.ToTable("health_member_states");
        member.HasKey(m => new { m.CommunityId, m.UserId });
        member.Property(m => m.UserId).HasMaxLength(450);
        member.HasOne<Community>().WithMany().HasForeignKey(m => m.CommunityId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<HealthTrustFirst> first)
    {
        first.ToTable("health_trust_firsts");
        first.HasKey(f => new { f.CommunityId, f.UserId, f.Score });
        first.Property(f => f.UserId).HasMaxLength(450);
        // The path of new members looks up who first reached a level's score.
        first.HasIndex(f => new { f.CommunityId, f.Score });
        first.HasOne<Community>().WithMany().HasForeignKey(f => f.CommunityId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<HealthDay> day)
    {
        day.ToTable("health_days");
        day.HasKey(d => new { d.CommunityId, d.Day });
        day.HasOne<Community>().WithMany().HasForeignKey(d => d.CommunityId).OnDelete(DeleteBehavior.Cascade);
    }
}
