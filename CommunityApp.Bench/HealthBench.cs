using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using CommunityApp.Auth;
using CommunityApp.Features.Health;

/// <summary>
/// <c>./bench.sh health</c>: a community of 50,000 members (joined over two years), 1,000,000 trust awards in its history,
/// 100,000 shares, 100,000 requests (half fulfilled) and 20,000 needs, all spread over two years; then the health dashboard
/// (docs/SPEC.md §13) for each range, cold (every metric computed: <see cref="HealthService.ComputeAsync"/>) against the same
/// statements written out for PostgreSQL and sent at once on pooled connections (as the app sends them), and cached (<see cref="HealthService.GetAsync"/>: the
/// viewer's standing, the permission and the cache lookup) against the standing query alone. Interleaved like the other modes.
/// </summary>
static class HealthBench
{
    const int Members = 50_000;
    const int Awards = 1_000_000;
    const int Shares = 100_000;
    const int Needs = 20_000;
    const int ColdIterations = 7;
    const int CachedIterations = 300;

    public static async Task RunAsync(string server)
    {
        var connectionString = await BenchDatabase.CreateAsync(server, "bench_health");
        await using var services = await BenchDatabase.ServicesAsync(connectionString);
        Console.WriteLine($"Generating {Members:N0} members, {Awards:N0} awards, {Shares:N0} shares and requests, {Needs:N0} needs …");
        var watch = Stopwatch.StartNew();
        var communityId = await GenerateAsync(connectionString);
        Console.WriteLine($"  generated in {watch.Elapsed.TotalSeconds:F0} s");

        var health = services.GetRequiredService<HealthService>();
        var clock = services.GetRequiredService<TimeProvider>();
        // The rollups (HealthRollups) as a running app keeps them: every closed day once. First the two years up to yesterday
        // (what the first view after an upgrade does), then one day (what the first view of each day does).
        var today = HealthWindow.At(HealthRange.Week, clock.GetUtcNow().UtcDateTime).LastDay;
        var dbFactory = services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<CommunityApp.Data.AppDbContext>>();
        foreach (var (until, what) in new[] { (today.AddDays(-1), "two years up to yesterday"), (today, "one more day") })
        {
            watch.Restart();
            await using var rollDb = await dbFactory.CreateDbContextAsync();
            await HealthRollups.RollAsync(rollDb, communityId, until);
            Console.WriteLine($"  rolled up {what} in {watch.Elapsed.TotalMilliseconds:N0} ms");
        }
        await using (var analyze = new NpgsqlConnection(connectionString))
        {
            await analyze.OpenAsync();
            await new NpgsqlCommand("VACUUM ANALYZE health_active_cells, health_trust_firsts, health_days, health_member_states", analyze).ExecuteNonQueryAsync();
        }
        IReadOnlyList<TrustLevelInfo> levels;
        await using (var db = await services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<CommunityApp.Data.AppDbContext>>().CreateDbContextAsync())
            levels = (await PermissionService.DemandMemberAsync(db, communityId, "u0")).Levels;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        Console.WriteLine();
        Console.WriteLine("| range | cold: app median ms | app max ms | SQL median ms | SQL max ms | median ratio | cached: app median ms | app p95 ms | standing SQL median ms | p95 ratio |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var range in Enum.GetValues<HealthRange>())
        {
            var cold = await InterleavedAsync(ColdIterations,
                () => health.ComputeAsync(communityId, range, levels, clock.GetUtcNow().UtcDateTime),
                () => DashboardAsync(connectionString, communityId, HealthWindow.At(range, clock.GetUtcNow().UtcDateTime)));
            var cached = await BenchTiming.InterleavedAsync(CachedIterations,
                () => health.GetAsync("u0", communityId, range),
                () => StandingAsync(connection, communityId, "u0"));
            Console.WriteLine($"| {HealthWindow.Code(range)} | {cold.App.Median:F0} | {cold.App.P95:F0} | {cold.Sql.Median:F0} | {cold.Sql.P95:F0} | {cold.App.Median / cold.Sql.Median:F2} " +
                              $"| {cached.App.Median:F2} | {cached.App.P95:F2} | {cached.Sql.Median:F2} | {cached.App.P95 / cached.Sql.P95:F2} |");
        }
    }

    /// <summary>Like <see cref="BenchTiming.InterleavedAsync"/> for slow calls: one warm-up each, then the median and the slowest.</summary>
    static async Task<(Stats App, Stats Sql)> InterleavedAsync(int iterations, Func<Task> app, Func<Task> sql)
    {
        await app();
        await sql();
        var appSamples = new double[iterations];
        var sqlSamples = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var watch = Stopwatch.StartNew();
            await app();
            appSamples[i] = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            await sql();
            sqlSamples[i] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(appSamples);
        Array.Sort(sqlSamples);
        return (new Stats(appSamples[iterations / 2], appSamples[^1]), new Stats(sqlSamples[iterations / 2], sqlSamples[^1]));
    }

    /// <summary>Every metric's statement, written out for PostgreSQL, each on a pooled connection of its own, all at once (as the app runs them).</summary>
    static Task DashboardAsync(string connectionString, Guid communityId, HealthWindow window) =>
        Task.WhenAll(Dashboard.Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(async statement =>
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(statement, connection)
            {
                Parameters =
                {
                    new("c", communityId), new("prev", window.PreviousFrom), new("from", window.From), new("to", window.To),
                    new("e", (window.PreviousFrom - DateTime.UnixEpoch).TotalSeconds), new("bk", window.Buckets), new("nd", window.Days),
                    new("pd", HealthSql.DayNumber(window.PreviousFrom)), new("fd", HealthSql.DayNumber(window.From)), new("td", HealthSql.DayNumber(window.To)),
                    new("ru", window.LastDay), new("rud", HealthSql.DayNumber(window.LastDay)),
                },
            };
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) { }
        }));

    /// <summary>The viewer's standing, as the permission check reads it.</summary>
    static async Task StandingAsync(NpgsqlConnection connection, Guid communityId, string userId)
    {
        await using var command = new NpgsqlCommand("""
            SELECT m.id, m.role, m.trust_score, c.settings,
                   (SELECT array_agg(r.role) FROM member_feature_roles r WHERE r.membership_id = m.id),
                   (SELECT array_agg(l.min_score) FROM trust_levels l WHERE l.community_id = c.id)
            FROM memberships m JOIN communities c ON c.id = m.community_id
            WHERE m.community_id = @c AND m.user_id = @u AND m.deleted_at IS NULL AND c.deleted_at IS NULL
            """, connection) { Parameters = { new("c", communityId), new("u", userId) } };
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) { }
    }

    const string Dashboard = """
        WITH today AS (SELECT DISTINCT u FROM (
            SELECT actor_id AS u FROM trust_history WHERE community_id = @c AND action = 'Awarded' AND created_at >= @ru AND created_at < @to
            UNION ALL SELECT owner_id FROM shares WHERE community_id = @c AND created_at >= @ru AND created_at < @to
            UNION ALL SELECT r.requester_id FROM share_requests r JOIN shares s ON s.id = r.share_id
                WHERE s.community_id = @c AND r.created_at >= @ru AND r.created_at < @to
            UNION ALL SELECT s.owner_id FROM share_requests r JOIN shares s ON s.id = r.share_id
                WHERE s.community_id = @c AND r.status = 'Fulfilled' AND r.updated_at >= @ru AND r.updated_at < @to
            UNION ALL SELECT owner_id FROM needs WHERE community_id = @c AND created_at >= @ru AND created_at < @to
            UNION ALL SELECT author_id FROM forum_posts WHERE community_id = @c AND created_at >= @ru AND created_at < @to
            UNION ALL SELECT v.user_id FROM poll_votes v JOIN polls p ON p.id = v.poll_id WHERE p.community_id = @c AND v.at >= @ru AND v.at < @to
            UNION ALL SELECT v.user_id FROM initiative_votes v JOIN initiatives i ON i.id = v.initiative_id
                WHERE i.community_id = @c AND v.at >= @ru AND v.at < @to) a),
        cells AS (
            SELECT day, previous_day, members FROM health_active_cells WHERE community_id = @c AND day >= @pd AND day < @rud
            UNION ALL
            SELECT @rud, COALESCE(s.last_active_day, -1), COUNT(*) FROM today t
            LEFT JOIN health_member_states s ON s.community_id = @c AND s.user_id = t.u GROUP BY 2),
        bucketed AS (SELECT day, previous_day, members, (day - @pd) * @bk / @nd AS b FROM cells)
        SELECT b AS key, 0 AS sub, NULL AS label, (SUM(members))::float8 AS value, 0.0 AS extra
        FROM bucketed WHERE previous_day < @pd + (b * @nd + @bk - 1) / @bk GROUP BY b
        UNION ALL
        SELECT -1 - p, 0, NULL, (SUM(members))::float8, 0.0 FROM (SELECT CASE WHEN day >= @fd THEN 1 ELSE 0 END AS p, previous_day, members FROM cells) x
        WHERE previous_day < CASE WHEN p = 1 THEN @fd ELSE @pd END GROUP BY p;
        SELECT ((floor((extract(epoch from created_at) - @e) / 86400))::int * @bk / @nd) AS key, 0 AS sub, NULL AS label, (COUNT(*))::float8 AS value, (SUM(units_offered))::float8 AS extra
        FROM shares WHERE community_id = @c AND created_at >= @prev AND created_at < @to
        GROUP BY 1;
        SELECT ((floor((extract(epoch from r.updated_at) - @e) / 86400))::int * @bk / @nd) AS key, 0 AS sub, NULL AS label, (SUM(r.units))::float8 AS value, (COUNT(*))::float8 AS extra
        FROM share_requests r JOIN shares s ON s.id = r.share_id
        WHERE s.community_id = @c AND r.status = 'Fulfilled' AND r.updated_at >= @prev AND r.updated_at < @to
        GROUP BY 1;
        SELECT (day - @pd) * @bk / @nd AS key, 0 AS sub, NULL AS label, (SUM(awards))::float8 AS value, 0.0 AS extra
        FROM health_days WHERE community_id = @c AND day >= @pd AND day < @rud
        GROUP BY 1
        UNION ALL
        SELECT (@rud - @pd) * @bk / @nd, 0, NULL, (COUNT(*))::float8, 0.0
        FROM trust_history WHERE community_id = @c AND action = 'Awarded' AND created_at >= @ru AND created_at < @to
        UNION ALL
        SELECT -1, trust_score, NULL, (COUNT(*))::float8, 0.0 FROM memberships WHERE community_id = @c AND deleted_at IS NULL GROUP BY trust_score;
        WITH cohort AS (
            SELECT m.user_id, m.created_at AS joined FROM memberships m
            WHERE m.community_id = @c AND m.created_at >= @prev AND m.created_at < @to
              AND NOT EXISTS (SELECT 1 FROM memberships e WHERE e.community_id = @c AND e.user_id = m.user_id AND e.created_at < m.created_at)),
        today AS (
            SELECT h.subject_id AS u, h.created_at AS t, COALESCE(s.trust_peak, 0) AS carried,
                   COALESCE(s.trust_sum, 0) + SUM(h.points) OVER (PARTITION BY h.subject_id ORDER BY h.created_at, h.id ROWS UNBOUNDED PRECEDING) AS score
            FROM trust_history h LEFT JOIN health_member_states s ON s.community_id = @c AND s.user_id = h.subject_id
            WHERE h.community_id = @c AND h.created_at >= @ru AND h.created_at < @to),
        firsts AS (
            SELECT f.user_id AS u, l.min_score, f.reached_at AS at
            FROM health_trust_firsts f JOIN trust_levels l ON l.community_id = @c AND l.min_score > 0 AND f.score = l.min_score
            WHERE f.community_id = @c
            UNION ALL
            SELECT r.u, l.min_score, MIN(r.t) FROM today r
            JOIN trust_levels l ON l.community_id = @c AND l.min_score > r.carried AND r.score >= l.min_score
            GROUP BY r.u, l.min_score),
        reached AS (
            SELECT CASE WHEN c.joined >= @from THEN 1 ELSE 0 END AS p, f.min_score, extract(epoch from (f.at - c.joined))::float8 AS secs
            FROM cohort c JOIN firsts f ON f.u = c.user_id),
        ordered AS (
            SELECT p, min_score, secs, ROW_NUMBER() OVER (PARTITION BY p, min_score ORDER BY secs) AS rn,
                   COUNT(*) OVER (PARTITION BY p, min_score) AS n
            FROM reached)
        SELECT p AS key, min_score AS sub, NULL AS label, (AVG(secs))::float8 AS value, (MAX(n))::float8 AS extra
        FROM ordered WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY p, min_score
        UNION ALL
        SELECT CASE WHEN joined >= @from THEN 1 ELSE 0 END, -1, NULL, 0.0, (COUNT(*))::float8 FROM cohort GROUP BY 1;
        WITH acts AS (
            SELECT council_id AS k, created_at AS t FROM inventory_entries WHERE community_id = @c AND created_at >= @prev AND created_at < @to
            UNION ALL SELECT council_id, created_at FROM council_reports WHERE community_id = @c AND deleted_at IS NULL AND created_at >= @prev AND created_at < @to
            UNION ALL SELECT council_id, created_at FROM initiatives WHERE community_id = @c AND created_at >= @prev AND created_at < @to
            UNION ALL SELECT i.council_id, g.created_at FROM initiative_progress g JOIN initiatives i ON i.id = g.initiative_id
                WHERE i.community_id = @c AND g.created_at >= @prev AND g.created_at < @to)
        SELECT ((floor((extract(epoch from t) - @e) / 86400))::int * @bk / @nd) AS key, 0 AS sub, NULL AS label, (COUNT(*))::float8 AS value, 0.0 AS extra FROM acts GROUP BY 1
        UNION ALL
        SELECT -1, 0, c.name, (COUNT(*))::float8, 0.0 FROM acts a JOIN councils c ON c.id = a.k WHERE a.t >= @from GROUP BY c.id, c.name
        UNION ALL
        SELECT -2, 0, NULL, (COUNT(DISTINCT k))::float8, 0.0 FROM acts WHERE t >= @from
        UNION ALL
        SELECT -3, 0, NULL, (COUNT(DISTINCT k))::float8, 0.0 FROM acts WHERE t < @from;
        SELECT ((floor((extract(epoch from created_at) - @e) / 86400))::int * @bk / @nd) AS key, 0 AS sub, NULL AS label, (COUNT(*))::float8 AS value,
               (SUM(CASE WHEN status = 'Fulfilled' THEN 1 ELSE 0 END))::float8 AS extra
        FROM needs WHERE community_id = @c AND created_at >= @prev AND created_at < @to
        GROUP BY 1;
        WITH asked AS MATERIALIZED (
            SELECT n.created_at, CASE WHEN n.created_at >= @from THEN 1 ELSE 0 END AS p,
                   (SELECT MIN(x.at) FROM (
                       SELECT MIN(s.created_at) AS at FROM shares s
                       WHERE s.item_id = n.item_id AND s.community_id = n.community_id AND s.owner_id <> n.owner_id AND s.created_at >= n.created_at
                       UNION ALL SELECT MIN(a.created_at) FROM pool_allocations a WHERE a.need_id = n.id
                       UNION ALL SELECT n.fulfilled_at) x) AS answered
            FROM needs n WHERE n.community_id = @c AND n.created_at >= @prev AND n.created_at < @to),
        waits AS (
            SELECT 0 AS kind, CASE WHEN r.created_at >= @from THEN 1 ELSE 0 END AS p, extract(epoch from (r.responded_at - r.created_at))::float8 AS secs
            FROM share_requests r JOIN shares s ON s.id = r.share_id
            WHERE s.community_id = @c AND r.responded_at IS NOT NULL AND r.created_at >= @prev AND r.created_at < @to
            UNION ALL
            SELECT 1, p, extract(epoch from (answered - created_at))::float8 FROM asked WHERE answered IS NOT NULL),
        ordered AS (
            SELECT kind, p, secs, ROW_NUMBER() OVER (PARTITION BY kind, p ORDER BY secs) AS rn, COUNT(*) OVER (PARTITION BY kind, p) AS n FROM waits)
        SELECT p AS key, kind AS sub, NULL AS label, (AVG(secs))::float8 AS value, (MAX(n))::float8 AS extra
        FROM ordered WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY kind, p;
        SELECT ((floor((extract(epoch from created_at) - @e) / 86400))::int * @bk / @nd) AS key, 0 AS sub, NULL AS label, (COUNT(*))::float8 AS value, (0)::float8 AS extra
        FROM disputes WHERE community_id = @c AND created_at >= @prev AND created_at < @to GROUP BY 1
        UNION ALL
        SELECT ((floor((extract(epoch from resolved_at) - @e) / 86400))::int * @bk / @nd), 1, NULL, (COUNT(*))::float8, (0)::float8
        FROM disputes WHERE community_id = @c AND resolved_at >= @prev AND resolved_at < @to GROUP BY 1
        UNION ALL
        SELECT ((floor((extract(epoch from r.created_at) - @e) / 86400))::int * @bk / @nd), 2, NULL, (COUNT(*))::float8, (0)::float8
        FROM share_requests r JOIN shares s ON s.id = r.share_id
        WHERE s.community_id = @c AND r.created_at >= @prev AND r.created_at < @to GROUP BY 1;
        """;

    static async Task<Guid> GenerateAsync(string connectionString)
    {
        var communityId = Guid.CreateVersion7();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var settings = new CommunityApp.Features.Communities.CommunitySettings().ToJson();
        // Everything is spread over the last two years (730 days), so each range and the period before it hold data.
        var script = $"""
            INSERT INTO communities (id, name, settings, created_at, updated_at) VALUES ('{communityId}', 'Bench', '{settings}'::jsonb, now(), now());
            INSERT INTO trust_levels (id, community_id, name, min_score, created_at, updated_at) VALUES
                (gen_random_uuid(), '{communityId}', 'New', 0, now(), now()),
                (gen_random_uuid(), '{communityId}', 'Stable', 10, now(), now()),
                (gen_random_uuid(), '{communityId}', 'Trusted', 50, now(), now());
            INSERT INTO asp_net_users (id, user_name, normalized_user_name, email, normalized_email, email_confirmed, display_name,
                created_at, updated_at, phone_number_confirmed, two_factor_enabled, lockout_enabled, access_failed_count)
            SELECT 'u' || n, 'user' || n, 'USER' || n, 'user' || n || '@bench.test', 'USER' || n || '@BENCH.TEST', true, 'Member ' || n,
                now(), now(), false, false, true, 0
            FROM generate_series(0, {Members - 1}) n;
            INSERT INTO memberships (id, community_id, user_id, role, trust_score, admin_grant, created_at, updated_at)
            SELECT gen_random_uuid(), '{communityId}', 'u' || n, CASE WHEN n = 0 THEN 'Admin' ELSE 'Member' END, (n * 7) % 80, 0,
                now() - ((n % 730) || ' days')::interval - interval '1 hour', now()
            FROM generate_series(0, {Members - 1}) n;
            INSERT INTO trust_history (id, community_id, actor_id, subject_id, action, points, created_at)
            SELECT gen_random_uuid(), '{communityId}', 'u' || (n % {Members}), 'u' || ((n * 7 + 1) % {Members}), 'Awarded', 1,
                now() - ((n % 17520) || ' hours')::interval
            FROM generate_series(0, {Awards - 1}) n;
            INSERT INTO items (id, community_id, name, normalized_name, kind, created_at, updated_at)
            SELECT gen_random_uuid(), '{communityId}', 'Item ' || n, 'ITEM ' || n, 'Object', now(), now() FROM generate_series(0, 99) n;
            CREATE TEMP TABLE bench_items AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM items;
            INSERT INTO shares (id, community_id, owner_id, title, kind, item_id, units_offered, units_reserved, units_given, target, status, recurrence, created_at, updated_at)
            SELECT gen_random_uuid(), '{communityId}', 'u' || (n % {Members}), 'Share ' || n, 'Object', (SELECT id FROM bench_items WHERE bench_items.n = s.n % 100),
                5, 0, 0, 'Community', 'Active', 'Once', now() - ((n % 17520) || ' hours')::interval, now()
            FROM generate_series(0, {Shares - 1}) AS s(n);
            INSERT INTO share_requests (id, share_id, requester_id, units, status, responded_at, created_at, updated_at)
            SELECT gen_random_uuid(), s.id, 'u' || (abs(hashtext(s.id::text)) % {Members}), 1,
                CASE WHEN abs(hashtext(s.title)) % 2 = 0 THEN 'Fulfilled' ELSE 'Pending' END,
                CASE WHEN abs(hashtext(s.title)) % 2 = 0 THEN s.created_at + interval '3 hours' END,
                s.created_at + interval '1 hour', s.created_at + interval '1 day'
            FROM shares s;
            INSERT INTO needs (id, community_id, owner_id, item_id, units, priority, recurrence, status, period_start, fulfilled_at, created_at, updated_at)
            SELECT gen_random_uuid(), '{communityId}', 'u' || ((n * 13) % {Members}), (SELECT id FROM bench_items WHERE bench_items.n = s.n % 100), 2, 'Need', 'Once',
                CASE WHEN n % 3 = 0 THEN 'Fulfilled' ELSE 'Active' END, now() - ((n * 7 % 17520) || ' hours')::interval,
                CASE WHEN n % 3 = 0 THEN now() - ((n * 7 % 17520) || ' hours')::interval + interval '2 days' END,
                now() - ((n * 7 % 17520) || ' hours')::interval, now()
            FROM generate_series(0, {Needs - 1}) AS s(n);
            """;
        await using (var command = new NpgsqlCommand(script, connection) { CommandTimeout = 1200 })
        {
            await command.ExecuteNonQueryAsync();
        }
        await using (var vacuum = new NpgsqlCommand("VACUUM ANALYZE", connection) { CommandTimeout = 1200 })
        {
            await vacuum.ExecuteNonQueryAsync();
        }
        return communityId;
    }
}
