using System.Diagnostics;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using CommunityApp.Data;
using CommunityApp.Features;
using CommunityApp.Features.Pools;

/// <summary>
/// <c>./bench.sh pools</c>: a pool holding 5,000 units of one item and 10,000 active needs for it (one per member, a few
/// already served in part), then the distribution preview with each strategy through <see cref="PoolService"/>, against
/// the same rows read by hand-written SQL in one round trip and planned by the same <see cref="DistributionPlanner"/>.
/// Timed interleaved, like <see cref="CouncilBench"/>.
/// </summary>
static class PoolBench
{
    const int Needs = 10_000;
    const int Supply = 5_000;
    const int Iterations = 60;

    public static async Task RunAsync(string server)
    {
        var connectionString = await BenchDatabase.CreateAsync(server, "bench_pools");
        await using var services = await BenchDatabase.ServicesAsync(connectionString);
        Console.WriteLine($"Generating {Needs:N0} active needs and a pool of {Supply:N0} units …");
        var watch = Stopwatch.StartNew();
        var (communityId, poolId, itemId) = await GenerateAsync(connectionString);
        Console.WriteLine($"  generated in {watch.Elapsed.TotalSeconds:F0} s");

        var pools = services.GetRequiredService<PoolService>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        Console.WriteLine();
        Console.WriteLine("| needs | strategy | app median ms | app p95 ms | SQL + planner median ms | SQL + planner p95 ms | p95 ratio |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var strategy in Enum.GetValues<DistributionStrategy>())
        {
            var (app, hand) = await BenchTiming.InterleavedAsync(Iterations,
                async () =>
                {
                    var preview = await pools.PreviewAsync("u0", poolId, itemId, strategy);
                    if (preview.Rows.Count != Needs) throw new InvalidOperationException($"The preview planned {preview.Rows.Count} needs, not {Needs}.");
                },
                () => PreviewAsync(connection, communityId, poolId, itemId, strategy));
            Console.WriteLine($"| {Needs:N0} | {strategy} | {app.Median:F1} | {app.P95:F1} | {hand.Median:F1} | {hand.P95:F1} | {app.P95 / hand.P95:F2} |");
        }
    }

    /// <summary>The manager's standing, the pool, its balance and the needs with what the pool gave each this period, in one round trip; then the same planner.</summary>
    static async Task PreviewAsync(NpgsqlConnection connection, Guid communityId, Guid poolId, Guid itemId, DistributionStrategy strategy)
    {
        await using var command = new NpgsqlCommand("""
            SELECT m.role FROM memberships m WHERE m.community_id = @c AND m.user_id = 'u0' AND m.deleted_at IS NULL;
            SELECT p.max_units_per_member, (SELECT b.units FROM inventory_balances b WHERE b.holder_id = p.id AND b.item_id = @i) FROM pools p WHERE p.id = @p;
            SELECT n.id, n.owner_id, u.display_name, n.created_at,
                   n.units - coalesce((SELECT sum(a.units) FROM pool_allocations a WHERE a.need_id = n.id AND a.created_at >= n.period_start), 0)
            FROM needs n JOIN asp_net_users u ON u.id = n.owner_id
            WHERE n.community_id = @c AND n.item_id = @i AND n.status = 'Active'
              AND EXISTS (SELECT 1 FROM memberships m WHERE m.community_id = @c AND m.user_id = n.owner_id AND m.deleted_at IS NULL)
            ORDER BY n.created_at, n.id LIMIT 20000;
            """, connection) { Parameters = { new("c", communityId), new("p", poolId), new("i", itemId) } };
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) { }
        await reader.NextResultAsync();
        await reader.ReadAsync();
        int? cap = reader.IsDBNull(0) ? null : reader.GetInt32(0);
        var supply = reader.IsDBNull(1) ? 0 : reader.GetInt32(1);
        await reader.NextResultAsync();
        var needs = new List<NeedDemand>();
        while (await reader.ReadAsync())
        {
            var left = reader.GetInt32(4);
            if (left > 0) needs.Add(new NeedDemand(reader.GetGuid(0), reader.GetString(1), left, reader.GetDateTime(3)));
        }
        DistributionPlanner.Plan(supply, cap, strategy, needs);
    }

    static async Task<(Guid CommunityId, Guid PoolId, Guid ItemId)> GenerateAsync(string connectionString)
    {
        var (communityId, councilId, poolId, itemId) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var settings = new CommunityApp.Features.Communities.CommunitySettings().ToJson();
        var script = $"""
            INSERT INTO communities (id, name, settings, created_at, updated_at) VALUES ('{communityId}', 'Bench', '{settings}'::jsonb, now(), now());
            INSERT INTO trust_levels (id, community_id, name, min_score, created_at, updated_at) VALUES (gen_random_uuid(), '{communityId}', 'New', 0, now(), now());
            INSERT INTO asp_net_users (id, user_name, normalized_user_name, email, normalized_email, email_confirmed, display_name,
                created_at, updated_at, phone_number_confirmed, two_factor_enabled, lockout_enabled, access_failed_count)
            SELECT 'u' || n, 'user' || n, 'USER' || n, 'user' || n || '@bench.test', 'USER' || n || '@BENCH.TEST', true, 'Member ' || n,
                now(), now(), false, false, true, 0
            FROM generate_series(0, {Needs}) n;
            INSERT INTO memberships (id, community_id, user_id, role, trust_score, admin_grant, created_at, updated_at)
            SELECT gen_random_uuid(), '{communityId}', 'u' || n, CASE WHEN n = 0 THEN 'Admin' ELSE 'Member' END, 10, 10, now(), now()
            FROM generate_series(0, {Needs}) n;
            INSERT INTO items (id, community_id, name, normalized_name, kind, created_at, updated_at)
            VALUES ('{itemId}', '{communityId}', 'Apples (kg)', 'APPLES (KG)', 'Object', now(), now());
            INSERT INTO councils (id, community_id, name, normalized_name, description, trust_count, created_at, updated_at)
            VALUES ('{councilId}', '{communityId}', 'Pantry', 'PANTRY', 'The bench community''s pantry.', 0, now(), now());
            INSERT INTO council_managers (council_id, user_id, added_by, added_at) VALUES ('{councilId}', 'u0', 'u0', now());
            INSERT INTO pools (id, community_id, council_id, name, normalized_name, description, max_units_per_member, created_at, updated_at)
            VALUES ('{poolId}', '{communityId}', '{councilId}', 'Fruit', 'FRUIT', 'Fruit for whoever needs it.', 4, now(), now());
            INSERT INTO pool_items (pool_id, item_id) VALUES ('{poolId}', '{itemId}');
            INSERT INTO inventory_entries (id, community_id, council_id, pool_id, item_id, kind, units, balance_after, actor_id, created_at)
            VALUES (gen_random_uuid(), '{communityId}', '{councilId}', '{poolId}', '{itemId}', 'Received', {Supply}, {Supply}, 'u0', now());
            INSERT INTO inventory_balances (holder_id, council_id, item_id, units, updated_at) VALUES ('{poolId}', '{councilId}', '{itemId}', {Supply}, now());
            INSERT INTO needs (id, community_id, owner_id, item_id, units, priority, recurrence, status, period_start, created_at, updated_at)
            SELECT gen_random_uuid(), '{communityId}', 'u' || n, '{itemId}', 1 + n % 7, CASE WHEN n % 4 = 0 THEN 'Want' ELSE 'Need' END,
                'Once', 'Active', now() - interval '2 days', now() - (n || ' seconds')::interval, now()
            FROM generate_series(1, {Needs}) n;
            """;
        await using (var command = new NpgsqlCommand(script, connection) { CommandTimeout = 600 })
        {
            await command.ExecuteNonQueryAsync();
        }
        await using (var vacuum = new NpgsqlCommand("VACUUM ANALYZE", connection) { CommandTimeout = 600 })
        {
            await vacuum.ExecuteNonQueryAsync();
        }
        return (communityId, poolId, itemId);
    }
}
