using System.Diagnostics;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features;
using CommunityApp.Features.Members;
using CommunityApp.Features.Trust;

// Trust benchmark (issue: "Trust … fast at scale"). Run on demand with ./bench.sh, never in the test suite.
// For each community size it generates members and awards in PostgreSQL, then times each operation
// through the app's services and through one hand-written SQL query (or transaction) doing the same work.

var server = Environment.GetEnvironmentVariable("COMMUNITYAPP_BENCH_POSTGRES")
             ?? throw new InvalidOperationException("Set COMMUNITYAPP_BENCH_POSTGRES (./bench.sh does).");
if (args is ["rings", ..])
{
    // ./bench.sh rings: the trust-ring detector on synthetic graphs (RingBench.cs); in memory, no database.
    Console.WriteLine($"Machine load before the run (1, 5, 15 min): {BenchDatabase.Load()}");
    RingBench.Run();
    return;
}
if (args is ["circuits", .. var circuitArgs])
{
    // ./bench.sh circuits [N …]: N real Blazor circuits held, CommunityApp's community home beside the template (Circuits/).
    var circuitSizes = circuitArgs.Where(a => int.TryParse(a, out _)).Select(int.Parse).ToArray();
    var apps = circuitArgs.Where(a => !int.TryParse(a, out _)).ToArray();
    await CommunityApp.Bench.Circuits.CircuitBench.RunAsync(server,
        new(circuitSizes.Length > 0 ? circuitSizes : [1_000, 5_000, 10_000], Apps: apps.Length > 0 ? apps : null));
    return;
}
if (args is ["councils", ..])
{
    // ./bench.sh councils: the council page over 1,000 councils and 100,000 ledger lines (CouncilBench.cs).
    Console.WriteLine($"Machine load before the run (1, 5, 15 min): {BenchDatabase.Load()}");
    await CouncilBench.RunAsync(server);
    return;
}
if (args is ["pools", ..])
{
    // ./bench.sh pools: the distribution preview over 10,000 needs (PoolBench.cs).
    Console.WriteLine($"Machine load before the run (1, 5, 15 min): {BenchDatabase.Load()}");
    await PoolBench.RunAsync(server);
    return;
}
if (args is ["forum", ..])
{
    // ./bench.sh forum: a thread of 5,000 posts opening, and a page deep in it (ForumBench.cs).
    Console.WriteLine($"Machine load before the run (1, 5, 15 min): {BenchDatabase.Load()}");
    await ForumBench.RunAsync(server);
    return;
}
if (args is ["health", ..])
{
    // ./bench.sh health: the health dashboard over 50,000 members, 1,000,000 awards and 100,000 shares (HealthBench.cs).
    Console.WriteLine($"Machine load before the run (1, 5, 15 min): {BenchDatabase.Load()}");
    await HealthBench.RunAsync(server);
    Console.WriteLine($"Machine load after the run (1, 5, 15 min): {BenchDatabase.Load()}");
    return;
}
var sizes = args.Length > 0 ? args.Select(int.Parse).ToArray() : [5_000, 50_000];
const int AwardsPerMember = 20;
const int Iterations = 300;

var results = new List<(int Members, string Operation, Stats App, Stats Sql)>();
foreach (var members in sizes)
{
    var connectionString = await BenchDatabase.CreateAsync(server, $"bench_{members}");
    await using var services = await BenchDatabase.ServicesAsync(connectionString);
    Console.WriteLine($"Generating {members:N0} members and {members * AwardsPerMember:N0} awards …");
    var generate = Stopwatch.StartNew();
    var communityId = await GenerateAsync(connectionString, members, AwardsPerMember);
    Console.WriteLine($"  generated in {generate.Elapsed.TotalSeconds:F0} s");

    var random = new Random(42);
    string User() => $"u{random.Next(members)}";
    await using var sql = new NpgsqlConnection(connectionString);
    await sql.OpenAsync();

    var permissions = services.GetRequiredService<PermissionService>();
    results.Add((members, "permission check",
        await TimeAsync(() => permissions.CheckAsync(User(), Permission.AwardTrust, PermissionScope.Community(communityId))),
        await TimeAsync(() => HandWritten.PermissionAsync(sql, communityId, User()))));

    var trust = services.GetRequiredService<TrustService>();
    results.Add((members, "award transaction",
        await TimeAsync(async () =>
        {
            // Random pairs: a pair already awarded is refused quickly and retried, as a real double click would be.
            while (true)
            {
                var (giver, receiver) = (User(), User());
                if (giver == receiver) continue;
                try { await trust.AwardAsync(giver, communityId, receiver); return; }
                catch (CommunityApp.AppException) { }
            }
        }),
        await TimeAsync(async () =>
        {
            while (true)
            {
                var (giver, receiver) = (User(), User());
                if (giver != receiver && await HandWritten.AwardAsync(sql, communityId, giver, receiver)) return;
            }
        })));

    var memberList = services.GetRequiredService<MemberService>();
    results.Add((members, "member list, first page by trust",
        await TimeAsync(() => memberList.ListAsync(User(), communityId, new MemberQuery(Sort: MemberSort.TrustDescending, PageSize: 25))),
        await TimeAsync(() => HandWritten.MemberPageAsync(sql, communityId, User()))));

    var wealth = services.GetRequiredService<CommunityApp.Features.Wealth.WealthQueries>();
    results.Add((members, "shares, first page (100,000 shares)",
        await TimeAsync(() => wealth.SearchAsync(User(), communityId, new CommunityApp.Features.Wealth.ShareQuery(PageSize: 20))),
        await TimeAsync(() => HandWritten.SharePageAsync(sql, communityId, null))));
    results.Add((members, "shares, full-text search first page",
        await TimeAsync(() => wealth.SearchAsync(User(), communityId, new CommunityApp.Features.Wealth.ShareQuery("ladder", PageSize: 20))),
        await TimeAsync(() => HandWritten.SharePageAsync(sql, communityId, "ladder"))));

    var views = services.GetRequiredService<TrustViewService>();
    results.Add((members, "my-trust page data",
        await TimeAsync(() => views.GetMyTrustAsync(User(), communityId)),
        await TimeAsync(() => HandWritten.MyTrustAsync(sql, communityId, User()))));
}

Console.WriteLine();
Console.WriteLine("| members | operation | app median ms | app p95 ms | SQL median ms | SQL p95 ms | p95 ratio |");
Console.WriteLine("|---|---|---|---|---|---|---|");
foreach (var (members, operation, app, sqlStats) in results)
{
    Console.WriteLine($"| {members:N0} | {operation} | {app.Median:F2} | {app.P95:F2} | {sqlStats.Median:F2} | {sqlStats.P95:F2} | {app.P95 / sqlStats.P95:F2} |");
}
if (sizes.Length > 1)
{
    Console.WriteLine();
    Console.WriteLine($"Growth of app p95 from {sizes[0]:N0} to {sizes[^1]:N0} members:");
    foreach (var operation in results.Select(r => r.Operation).Distinct())
    {
        var small = results.First(r => r.Operation == operation && r.Members == sizes[0]).App.P95;
        var large = results.First(r => r.Operation == operation && r.Members == sizes[^1]).App.P95;
        Console.WriteLine($"- {operation}: ×{large / small:F2}");
    }
}

static async Task<Stats> TimeAsync(Func<Task> operation)
{
    for (var i = 0; i < 20; i++) await operation();
    var samples = new double[Iterations];
    for (var i = 0; i < Iterations; i++)
    {
        var watch = Stopwatch.StartNew();
        await operation();
        samples[i] = watch.Elapsed.TotalMilliseconds;
    }
    Array.Sort(samples);
    return new Stats(samples[Iterations / 2], samples[(int)(Iterations * 0.95)]);
}

static async Task<Guid> GenerateAsync(string connectionString, int members, int awardsPerMember)
{
    var communityId = Guid.CreateVersion7();
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    var settings = new CommunityApp.Features.Communities.CommunitySettings().ToJson();
    // Award k goes from member (r + k·7 + 1) mod N to member r: distinct givers, never oneself.
    var script = $"""
        INSERT INTO communities (id, name, settings, created_at, updated_at)
        VALUES ('{communityId}', 'Bench', '{settings}'::jsonb, now(), now());
        INSERT INTO trust_levels (id, community_id, name, min_score, created_at, updated_at) VALUES
            (gen_random_uuid(), '{communityId}', 'New', 0, now(), now()),
            (gen_random_uuid(), '{communityId}', 'Stable', 10, now(), now()),
            (gen_random_uuid(), '{communityId}', 'Trusted', 50, now(), now());
        INSERT INTO asp_net_users (id, user_name, normalized_user_name, email, normalized_email, email_confirmed, display_name,
            created_at, updated_at, phone_number_confirmed, two_factor_enabled, lockout_enabled, access_failed_count)
        SELECT 'u' || n, 'user' || n, 'USER' || n, 'user' || n || '@bench.test', 'USER' || n || '@BENCH.TEST', true, 'Member ' || n,
            now(), now(), false, false, true, 0
        FROM generate_series(0, {members - 1}) n;
        INSERT INTO trust_awards (id, community_id, giver_id, receiver_id, renewed_at, created_at, updated_at)
        SELECT gen_random_uuid(), '{communityId}', 'u' || ((r + k * 7 + 1) % {members}), 'u' || r,
            now() - (random() * interval '300 days'), now(), now()
        FROM generate_series(0, {members - 1}) r, generate_series(0, {awardsPerMember - 1}) k;
        INSERT INTO memberships (id, community_id, user_id, role, trust_score, admin_grant, created_at, updated_at)
        SELECT gen_random_uuid(), '{communityId}', 'u' || n, CASE WHEN n = 0 THEN 'Admin' ELSE 'Member' END,
            (SELECT count(*) FROM trust_awards a WHERE a.community_id = '{communityId}' AND a.receiver_id = 'u' || n AND a.deleted_at IS NULL),
            0, now() - (n || ' minutes')::interval, now()
        FROM generate_series(0, {members - 1}) n;
        INSERT INTO shares (id, community_id, owner_id, title, description, kind, units_offered, units_reserved, units_given,
            target, status, created_at, updated_at)
        SELECT gen_random_uuid(), '{communityId}', 'u' || (n % {members}),
            (ARRAY['Ladder','Drill','Jam jars','Bike repair','Soup','Books'])[1 + n % 6] || ' ' || n,
            'Offered by a neighbour: ' || (ARRAY['aluminium ladder','cordless drill','homemade jam','bike tune-up','vegetable soup','old novels'])[1 + n % 6],
            CASE WHEN n % 6 IN (3, 4) THEN 'Service' ELSE 'Object' END, 1 + n % 5, 0, 0, 'Community', 'Active',
            now() - (n || ' seconds')::interval, now()
        FROM generate_series(0, 99999) n;
        """;
    await using (var command = new NpgsqlCommand(script, connection) { CommandTimeout = 600 })
    {
        await command.ExecuteNonQueryAsync();
    }
    // As autovacuum would in production: statistics and the visibility map that index-only scans need.
    await using (var vacuum = new NpgsqlCommand("VACUUM ANALYZE", connection) { CommandTimeout = 600 })
    {
        await vacuum.ExecuteNonQueryAsync();
    }
    return communityId;
}

sealed record Stats(double Median, double P95);
