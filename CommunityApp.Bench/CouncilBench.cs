using System.Diagnostics;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using CommunityApp.Data;
using CommunityApp.Features;
using CommunityApp.Features.Councils;

/// <summary>
/// <c>./bench.sh councils</c>: a community of 5,000 members with 1,000 councils (two managers each) and 100,000 inventory
/// ledger lines, then the council page's data (details and managers, balances, contributions, shares, the first ledger
/// page) through <see cref="CouncilQueries"/> against the same data by hand-written SQL in one round trip. The two are
/// timed interleaved, one call of each in turn, so a change in the machine's load falls on both alike.
/// </summary>
static class CouncilBench
{
    const int Members = 5_000;
    const int Councils = 1_000;
    const int LedgerLines = 100_000;
    const int Iterations = 300;

    public static async Task RunAsync(string server)
    {
        var connectionString = await BenchDatabase.CreateAsync(server, "bench_councils");
        await using var services = await BenchDatabase.ServicesAsync(connectionString);
        Console.WriteLine($"Generating {Members:N0} members, {Councils:N0} councils and {LedgerLines:N0} ledger lines …");
        var watch = Stopwatch.StartNew();
        var communityId = await GenerateAsync(connectionString);
        Console.WriteLine($"  generated in {watch.Elapsed.TotalSeconds:F0} s");
        var councilIds = new List<Guid>();
        await using (var sql = new NpgsqlConnection(connectionString))
        {
            await sql.OpenAsync();
            await using var read = new NpgsqlCommand("SELECT id FROM councils ORDER BY id", sql);
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync()) councilIds.Add(reader.GetGuid(0));
        }

        var queries = services.GetRequiredService<CouncilQueries>();
        var random = new Random(42);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var (app, hand) = await BenchTiming.InterleavedAsync(Iterations,
            async () =>
            {
                var (user, council) = ($"u{random.Next(Members)}", councilIds[random.Next(councilIds.Count)]);
                // What the page loads: its data, the ledger's first page included, in one call.
                await queries.PageAsync(user, communityId, council);
            },
            () => CouncilPageAsync(connection, communityId, $"u{random.Next(Members)}", councilIds[random.Next(councilIds.Count)]));

        Console.WriteLine();
        Console.WriteLine("| councils | ledger lines | operation | app median ms | app p95 ms | SQL median ms | SQL p95 ms | p95 ratio |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        Console.WriteLine($"| {Councils:N0} | {LedgerLines:N0} | council page data | {app.Median:F2} | {app.P95:F2} | {hand.Median:F2} | {hand.P95:F2} | {app.P95 / hand.P95:F2} |");
    }

    /// <summary>What the council page shows, in one round trip.</summary>
    static async Task CouncilPageAsync(NpgsqlConnection connection, Guid communityId, string userId, Guid councilId)
    {
        await using var command = new NpgsqlCommand("""
            SELECT m.role, m.trust_score FROM memberships m WHERE m.community_id = @c AND m.user_id = @u AND m.deleted_at IS NULL;
            SELECT c.name, c.description, c.trust_count, c.created_at,
                   EXISTS (SELECT 1 FROM council_trusts t WHERE t.council_id = c.id AND t.user_id = @u AND t.deleted_at IS NULL),
                   (SELECT count(*) FROM contributions x WHERE x.council_id = c.id AND x.status = 'Pending')
            FROM councils c WHERE c.id = @k AND c.community_id = @c AND c.deleted_at IS NULL;
            SELECT cm.user_id, u.display_name, u.user_name FROM council_managers cm JOIN asp_net_users u ON u.id = cm.user_id
            WHERE cm.council_id = @k ORDER BY cm.added_at LIMIT 100;
            SELECT b.item_id, i.name, b.units FROM inventory_balances b JOIN items i ON i.id = b.item_id WHERE b.holder_id = @k ORDER BY b.units > 0 DESC, i.name LIMIT 500;
            SELECT x.id, x.units, x.status FROM contributions x WHERE x.council_id = @k AND x.status = 'Pending' ORDER BY x.created_at LIMIT 100;
            SELECT s.id, s.title, s.units_offered FROM shares s WHERE s.source_council_id = @k AND s.deleted_at IS NULL ORDER BY s.created_at DESC LIMIT 100;
            SELECT count(*) FROM inventory_entries e WHERE e.council_id = @k;
            SELECT e.id, i.name, e.kind, e.units, e.balance_after, u.display_name, e.note, e.created_at
            FROM inventory_entries e JOIN items i ON i.id = e.item_id JOIN asp_net_users u ON u.id = e.actor_id
            WHERE e.council_id = @k ORDER BY e.created_at DESC, e.id DESC LIMIT 10;
            """, connection) { Parameters = { new("c", communityId), new("u", userId), new("k", councilId) } };
        await using var reader = await command.ExecuteReaderAsync();
        do
        {
            while (await reader.ReadAsync()) { }
        } while (await reader.NextResultAsync());
    }

    static async Task<Guid> GenerateAsync(string connectionString)
    {
        var communityId = Guid.CreateVersion7();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var settings = new CommunityApp.Features.Communities.CommunitySettings().ToJson();
        // Council k is managed by members 2k and 2k+1; each holds 5 items; its 100 ledger lines receive, use and share them.
        var script = $"""
            INSERT INTO communities (id, name, settings, created_at, updated_at) VALUES ('{communityId}', 'Bench', '{settings}'::jsonb, now(), now());
            INSERT INTO trust_levels (id, community_id, name, min_score, created_at, updated_at) VALUES
                (gen_random_uuid(), '{communityId}', 'New', 0, now(), now());
            INSERT INTO asp_net_users (id, user_name, normalized_user_name, email, normalized_email, email_confirmed, display_name,
                created_at, updated_at, phone_number_confirmed, two_factor_enabled, lockout_enabled, access_failed_count)
            SELECT 'u' || n, 'user' || n, 'USER' || n, 'user' || n || '@bench.test', 'USER' || n || '@BENCH.TEST', true, 'Member ' || n,
                now(), now(), false, false, true, 0
            FROM generate_series(0, {Members - 1}) n;
            INSERT INTO memberships (id, community_id, user_id, role, trust_score, admin_grant, created_at, updated_at)
            SELECT gen_random_uuid(), '{communityId}', 'u' || n, CASE WHEN n = 0 THEN 'Admin' ELSE 'Member' END, n % 40, n % 40, now(), now()
            FROM generate_series(0, {Members - 1}) n;
            INSERT INTO items (id, community_id, name, normalized_name, kind, created_at, updated_at)
            SELECT gen_random_uuid(), '{communityId}', 'Item ' || n, 'ITEM ' || n, 'Object', now(), now() FROM generate_series(0, 49) n;
            CREATE TEMP TABLE bench_items AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM items;
            INSERT INTO councils (id, community_id, name, normalized_name, description, trust_count, created_at, updated_at)
            SELECT gen_random_uuid(), '{communityId}', 'Council ' || n, 'COUNCIL ' || n, 'A council of the bench community, number ' || n, n % 50,
                now() - (n || ' minutes')::interval, now()
            FROM generate_series(0, {Councils - 1}) n;
            CREATE TEMP TABLE bench_councils AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM councils;
            INSERT INTO council_managers (council_id, user_id, added_by, added_at)
            SELECT c.id, 'u' || ((c.n * 2 + m) % {Members}), 'u0', now() FROM bench_councils c, generate_series(0, 1) m;
            INSERT INTO inventory_entries (id, community_id, council_id, item_id, kind, units, balance_after, actor_id, note, created_at)
            SELECT gen_random_uuid(), '{communityId}', c.id, i.id,
                CASE WHEN l % 3 = 0 THEN 'Used' ELSE 'Received' END,
                CASE WHEN l % 3 = 0 THEN -1 ELSE 2 END, 1 + l, 'u' || ((c.n * 2) % {Members}),
                CASE WHEN l % 3 = 0 THEN 'Soup kitchen' END, now() - (l || ' hours')::interval
            FROM bench_councils c CROSS JOIN generate_series(0, {LedgerLines / Councils - 1}) l
            JOIN bench_items i ON i.n = (c.n + l % 5) % 50;
            INSERT INTO inventory_balances (holder_id, council_id, item_id, units, updated_at)
            SELECT council_id, council_id, item_id, sum(units), now() FROM inventory_entries GROUP BY council_id, item_id;
            """;
        await using (var command = new NpgsqlCommand(script, connection) { CommandTimeout = 600 })
        {
            await command.ExecuteNonQueryAsync();
        }
        await using (var vacuum = new NpgsqlCommand("VACUUM ANALYZE", connection) { CommandTimeout = 600 })
        {
            await vacuum.ExecuteNonQueryAsync();
        }
        return communityId;
    }
}
