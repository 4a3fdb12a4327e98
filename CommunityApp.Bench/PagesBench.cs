using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Members;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;

/// <summary>
/// The pages and actions of one community at each size (issue #14, part 2): 1,000,000 awards with their trust history,
/// 100,000 shares owned across the members, notifications and 100,000 audit entries. Each operation runs through the
/// app's services and through hand-written SQL doing the same work (the same membership or admin check, the same rows,
/// a pooled connection opened per call), interleaved, and the app side's round trips per call are counted (Npgsql's
/// commands and batches, the commit aside).
/// The daily decay pass is timed once per size, on its first run after decay is switched on (every score changes).
/// </summary>
static class PagesBench
{
    const int Awards = 1_000_000;
    const int Shares = 100_000;
    const int AuditEntries = 100_000;
    /// <summary>Calls timed per operation and side (BENCH_ITERATIONS, 300 unless set).</summary>
    static readonly int Iterations = int.TryParse(Environment.GetEnvironmentVariable("BENCH_ITERATIONS"), out var n) ? n : 300;
    /// <summary>BENCH_ONLY: a comma-separated list of words; only operations whose name contains one of them run.</summary>
    static readonly string[] Only = (Environment.GetEnvironmentVariable("BENCH_ONLY") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    static readonly bool Reuse = Environment.GetEnvironmentVariable("BENCH_REUSE") == "1";
    const string AuditDetails = """{"role":{"old":"Member","new":"Admin"}}""";

    sealed record Row(int Members, string Operation, Stats App, Stats Sql, int Commands);

    public static async Task RunAsync(string server, int[] sizes)
    {
        Console.WriteLine($"Machine load before the run (1, 5, 15 min): {BenchDatabase.Load()}");
        var rows = new List<Row>();
        var decayRuns = new List<(int Members, double Seconds, int Commands, int Changed)>();
        var decayLimit = int.TryParse(Environment.GetEnvironmentVariable("BENCH_DECAY_MAX_MEMBERS"), out var limit) ? limit : int.MaxValue;
        using var counter = new CommandCounter();
        foreach (var members in sizes)
        {
            // BENCH_REUSE=1 (against a server you keep, COMMUNITYAPP_BENCH_POSTGRES): an earlier run's generated community
            // is used again, with decay switched off as generated; a few hundred awards from earlier runs stay.
            var reused = Reuse ? await BenchDatabase.ExistingAsync(server, $"bench_{members}") : null;
            var existing = reused is null ? null : await ReuseAsync(reused);
            // The check's pooled connection would not survive the DROP DATABASE … WITH (FORCE) of a fresh generation.
            NpgsqlConnection.ClearAllPools();
            var connectionString = existing is null ? await BenchDatabase.CreateAsync(server, $"bench_{members}") : reused!;
            await using var services = await BenchDatabase.ServicesAsync(connectionString);
            Guid communityId;
            if (existing is not null)
            {
                communityId = existing.Value;
                Console.WriteLine($"Reusing the generated community of {members:N0} members; load {BenchDatabase.Load()}");
            }
            else
            {
                Console.WriteLine($"Generating {members:N0} members, {Awards:N0} awards and their history, {Shares:N0} shares, notifications, {AuditEntries:N0} audit entries …");
                var generate = Stopwatch.StartNew();
                communityId = await GenerateAsync(connectionString, members);
                Console.WriteLine($"  generated in {generate.Elapsed.TotalSeconds:F0} s; load {BenchDatabase.Load()}");
            }

            await using var source = new NpgsqlDataSourceBuilder(connectionString).Build();
            var random = new Random(42);
            string User() => $"u{random.Next(members)}";
            // Admins: the first ten members (the audit log is theirs to read).
            string Admin() => $"u{random.Next(10)}";
            // Part of a member's number (or of "Member n" for the smallest numbers): a match inside names, at least three characters.
            string Infix() => random.Next(members).ToString() is var n && n.Length >= 3 ? n[..Math.Min(4, n.Length)] : "ber " + n;
            // The k-th search of each side looks for the same infix, whichever side goes first in its pair.
            var infixes = new List<string>();
            string InfixAt(int k)
            {
                while (infixes.Count <= k) infixes.Add(Infix());
                return infixes[k];
            }

            async Task Measure(string operation, Func<Task> app, Func<NpgsqlConnection, Task> sql)
            {
                if (Only.Length > 0 && !Only.Any(o => operation.Contains(o, StringComparison.OrdinalIgnoreCase))) return;
                // Commands of a warm call (the first call of a community fills its settings cache).
                await app();
                var commands = await counter.CountAsync(app);
                var (appStats, sqlStats) = await BenchTiming.InterleavedAsync(Iterations, app, async () =>
                {
                    await using var connection = await source.OpenConnectionAsync();
                    await sql(connection);
                });
                rows.Add(new Row(members, operation, appStats, sqlStats, commands));
                Console.WriteLine($"  {operation}: app p95 {appStats.P95:F2} ms, SQL p95 {sqlStats.P95:F2} ms, {commands} commands");
            }

            var permissions = services.GetRequiredService<PermissionService>();
            await Measure("permission check",
                () => permissions.CheckAsync(User(), Permission.AwardTrust, PermissionScope.Community(communityId)),
                c => HandWritten.PermissionAsync(c, communityId, User()));

            var trust = services.GetRequiredService<TrustService>();
            await Measure("award transaction",
                async () =>
                {
                    // Random pairs: a pair already awarded is refused and retried, as a real double click would be.
                    while (true)
                    {
                        var (giver, receiver) = (User(), User());
                        if (giver == receiver) continue;
                        try { await trust.AwardAsync(giver, communityId, receiver); return; }
                        catch (CommunityApp.AppException) { }
                    }
                },
                async c =>
                {
                    while (true)
                    {
                        var (giver, receiver) = (User(), User());
                        if (giver != receiver && await HandWritten.AwardAsync(c, communityId, giver, receiver)) return;
                    }
                });

            var memberList = services.GetRequiredService<MemberService>();
            await Measure("members, first page by trust",
                () => memberList.ListAsync(User(), communityId, new MemberQuery(Sort: MemberSort.TrustDescending, PageSize: 25)),
                c => HandWritten.MemberPageAsync(c, communityId, User(), null, "m.trust_score DESC, m.id DESC"));
            await Measure("members, sorted by name",
                () => memberList.ListAsync(User(), communityId, new MemberQuery(Sort: MemberSort.Name, PageSize: 25)),
                c => HandWritten.MemberPageAsync(c, communityId, User(), null, "u.display_name, u.user_name, m.id"));
            await Measure("members, newest first",
                () => memberList.ListAsync(User(), communityId, new MemberQuery(Sort: MemberSort.Newest, PageSize: 25)),
                c => HandWritten.MemberPageAsync(c, communityId, User(), null, "m.created_at DESC, m.id DESC"));
            // Both sides search the same infixes (the SQL side's count starts at 2: the app's warm call and counted call
            // come first), so their p95s come from the same searches, not from separate draws of slow and quick infixes.
            var (appSearches, sqlSearches) = (0, 2);
            await Measure("members, search (infix)",
                () => memberList.ListAsync(User(), communityId, new MemberQuery(InfixAt(appSearches++), PageSize: 25)),
                c => HandWritten.MemberPageAsync(c, communityId, User(), InfixAt(sqlSearches++), "m.trust_score DESC, m.id DESC"));

            var views = services.GetRequiredService<TrustViewService>();
            await Measure("trust network, first page",
                () => views.NetworkAsync(User(), communityId, null, 0, 25),
                c => HandWritten.NetworkPageAsync(c, communityId, User()));
            await Measure("my-trust page data",
                () => views.GetMyTrustAsync(User(), communityId),
                c => HandWritten.MyTrustAsync(c, communityId, User()));

            var audit = services.GetRequiredService<AuditService>();
            await Measure("audit log, first page",
                () => audit.ListAsync(Admin(), communityId, new AuditFilter(PageSize: 25)),
                c => HandWritten.AuditPageAsync(c, communityId, Admin()));

            var wealth = services.GetRequiredService<WealthQueries>();
            await Measure("shares, newest",
                () => wealth.SearchAsync(User(), communityId, new ShareQuery(PageSize: 20)),
                c => HandWritten.SharePageAsync(c, communityId, User(), null, "s.created_at DESC, s.id DESC"));
            await Measure("shares, expiring soon",
                () => wealth.SearchAsync(User(), communityId, new ShareQuery(Sort: ShareSort.ExpiringSoon, PageSize: 20)),
                c => HandWritten.SharePageAsync(c, communityId, User(), null, "s.expires_at, s.id DESC"));
            await Measure("shares, most available",
                () => wealth.SearchAsync(User(), communityId, new ShareQuery(Sort: ShareSort.MostAvailable, PageSize: 20)),
                c => HandWritten.SharePageAsync(c, communityId, User(), null, "s.units_offered - s.units_reserved - s.units_given DESC, s.id DESC", refills: true));
            await Measure("shares, full-text search",
                () => wealth.SearchAsync(User(), communityId, new ShareQuery("ladder", PageSize: 20)),
                c => HandWritten.SharePageAsync(c, communityId, User(), "ladder", "s.created_at DESC, s.id DESC"));

            var communities = services.GetRequiredService<CommunityApp.Features.Communities.CommunityService>();
            await Measure("community frame (every community page)",
                () => communities.GetHomeAsync(User(), communityId),
                c => HandWritten.HomeAsync(c, communityId, User()));

            var notifications = services.GetRequiredService<NotificationService>();
            await Measure("bell unread count",
                () => notifications.UnreadCountAsync(User()),
                c => HandWritten.UnreadAsync(c, User()));

            if (members <= decayLimit)
            {
                // Decay on (6 months full, gone at 12): the first daily pass changes nearly every score.
                await using (var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
                {
                    var settings = Settings(decay: true);
                    await db.Database.ExecuteSqlAsync($"UPDATE communities SET settings = {settings.ToJson()}::jsonb, updated_at = now() WHERE id = {communityId}");
                }
                var recalculator = services.GetRequiredService<TrustRecalculator>();
                var changed = 0;
                var watch = Stopwatch.StartNew();
                var commands = await counter.CountAsync(async () => changed = await recalculator.RecomputeCommunityAsync(communityId));
                decayRuns.Add((members, watch.Elapsed.TotalSeconds, commands, changed));
                Console.WriteLine($"  decay pass: {watch.Elapsed.TotalSeconds:F1} s, {changed:N0} scores changed, {commands:N0} commands");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Machine load after the run (1, 5, 15 min): {BenchDatabase.Load()}");
        Console.WriteLine();
        Console.WriteLine("| members | operation | app median ms | app p95 ms | SQL median ms | SQL p95 ms | median ratio | p95 ratio | round trips |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            Console.WriteLine($"| {row.Members:N0} | {row.Operation} | {row.App.Median:F2} | {row.App.P95:F2} | {row.Sql.Median:F2} | {row.Sql.P95:F2} | {row.App.Median / row.Sql.Median:F2} | {row.App.P95 / row.Sql.P95:F2} | {row.Commands} |");
        }
        if (decayRuns.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("| members | decay pass s | scores changed | commands |");
            Console.WriteLine("|---|---|---|---|");
            foreach (var run in decayRuns) Console.WriteLine($"| {run.Members:N0} | {run.Seconds:F1} | {run.Changed:N0} | {run.Commands:N0} |");
        }
        if (sizes.Length > 1)
        {
            Console.WriteLine();
            Console.WriteLine($"Growth of app p95 from {sizes[0]:N0} to {sizes[^1]:N0} members:");
            foreach (var operation in rows.Select(r => r.Operation).Distinct())
            {
                var small = rows.First(r => r.Operation == operation && r.Members == sizes[0]).App.P95;
                var large = rows.First(r => r.Operation == operation && r.Members == sizes[^1]).App.P95;
                Console.WriteLine($"- {operation}: ×{large / small:F2}");
            }
        }
    }

    static CommunitySettings Settings(bool decay) => new()
    {
        Thresholds = { ["minTrustToAwardTrust"] = Threshold.Number(0) },
        Decay = new DecaySettings { Enabled = decay },
    };

    /// <summary>The generated community of an earlier run, with decay off again (null: none there).</summary>
    static async Task<Guid?> ReuseAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // The shares are generated last: a run stopped while generating leaves none, and that community is generated again.
        await using var tables = new NpgsqlCommand("SELECT to_regclass('shares') IS NOT NULL", connection);
        if (await tables.ExecuteScalarAsync() is not true) return null;
        await using var find = new NpgsqlCommand("SELECT id FROM communities c WHERE name = 'Bench' AND EXISTS (SELECT 1 FROM shares s WHERE s.community_id = c.id)", connection);
        if (await find.ExecuteScalarAsync() is not Guid id) return null;
        await using var reset = new NpgsqlCommand("UPDATE communities SET settings = @s::jsonb, updated_at = now() WHERE id = @id", connection)
        {
            Parameters = { new("s", Settings(decay: false).ToJson()), new("id", id) },
        };
        await reset.ExecuteNonQueryAsync();
        return id;
    }

    /// <summary>
    /// One community of <paramref name="members"/> members, set-based (generate_series), so 500,000 members take a minute
    /// or two. Award k of member r comes from member (r + 7k + 1) mod N: distinct givers, never oneself, renewed over the
    /// last 18 months. Every award has its history line; scores are the award counts (decay off until the decay pass).
    /// </summary>
    static async Task<Guid> GenerateAsync(string connectionString, int members)
    {
        var communityId = Guid.CreateVersion7();
        var perMember = Math.Max(1, Awards / members);
        var notificationsPerMember = Math.Clamp(2_000_000 / members, 2, 20);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // Anyone may award trust: with 1,000,000 awards over 500,000 members most scores are 2, below the default threshold.
        var settings = Settings(decay: false).ToJson();
        string[] script =
        [
            $"""
            INSERT INTO communities (id, name, settings, created_at, updated_at)
            VALUES ('{communityId}', 'Bench', '{settings}'::jsonb, now(), now());
            INSERT INTO trust_levels (id, community_id, name, min_score, created_at, updated_at) VALUES
                (gen_random_uuid(), '{communityId}', 'New', 0, now(), now()),
                (gen_random_uuid(), '{communityId}', 'Stable', 10, now(), now()),
                (gen_random_uuid(), '{communityId}', 'Trusted', 50, now(), now());
            """,
            $"""
            INSERT INTO asp_net_users (id, user_name, normalized_user_name, email, normalized_email, email_confirmed, display_name,
                created_at, updated_at, phone_number_confirmed, two_factor_enabled, lockout_enabled, access_failed_count)
            SELECT 'u' || n, 'user' || n, 'USER' || n, 'user' || n || '@bench.test', 'USER' || n || '@BENCH.TEST', true,
                (ARRAY['Ana','Ben','Carla','Dev','Eli','Fatima','Gus','Hana','Ivo','Jun'])[1 + n % 10] || ' Member ' || n,
                now(), now(), false, false, true, 0
            FROM generate_series(0, {members - 1}) n;
            """,
            $"""
            INSERT INTO trust_awards (id, community_id, giver_id, receiver_id, renewed_at, created_at, updated_at)
            SELECT gen_random_uuid(), '{communityId}', 'u' || ((r + k * 7 + 1) % {members}), 'u' || r,
                now() - (random() * interval '540 days'), now(), now()
            FROM generate_series(0, {members - 1}) r, generate_series(0, {perMember - 1}) k;
            """,
            $"""
            INSERT INTO trust_history (id, community_id, actor_id, subject_id, action, points, created_at)
            SELECT gen_random_uuid(), community_id, giver_id, receiver_id, 'Awarded', 1, renewed_at FROM trust_awards;
            """,
            $"""
            INSERT INTO memberships (id, community_id, user_id, role, trust_score, admin_grant, created_at, updated_at)
            SELECT gen_random_uuid(), '{communityId}', 'u' || n, CASE WHEN n < 10 THEN 'Admin' ELSE 'Member' END,
                coalesce(a.awards, 0), 0, now() - (n || ' minutes')::interval, now()
            FROM generate_series(0, {members - 1}) n
            LEFT JOIN (SELECT receiver_id, count(*) AS awards FROM trust_awards GROUP BY receiver_id) a ON a.receiver_id = 'u' || n;
            """,
            $"""
            INSERT INTO notifications (id, user_id, community_id, kind, actor, subject, link, created_at, read_at, in_digest)
            SELECT gen_random_uuid(), 'u' || n, '{communityId}', 'TrustReceived', 'Member ' || k, 'Bench', '/c/{communityId}/trust/me',
                now() - ((n + k) || ' minutes')::interval, CASE WHEN k % 2 = 0 THEN now() END, false
            FROM generate_series(0, {members - 1}) n, generate_series(0, {notificationsPerMember - 1}) k;
            """,
            $"""
            INSERT INTO audit_log (id, community_id, actor_id, action, target_user_id, details, created_at)
            SELECT gen_random_uuid(), '{communityId}', 'u' || (n % 10), 'RoleChanged', 'u' || (n % {members}),
                '{AuditDetails}', now() - (n || ' seconds')::interval
            FROM generate_series(0, {AuditEntries - 1}) n;
            """,
            $"""
            INSERT INTO shares (id, community_id, owner_id, title, description, kind, units_offered, units_reserved, units_given,
                target, status, expires_at, created_at, updated_at)
            SELECT gen_random_uuid(), '{communityId}', 'u' || ((n * 7919) % {members}),
                (ARRAY['Ladder','Drill','Jam jars','Bike repair','Soup','Books'])[1 + n % 6] || ' ' || n,
                'Offered by a neighbour: ' || (ARRAY['aluminium ladder','cordless drill','homemade jam','bike tune-up','vegetable soup','old novels'])[1 + n % 6],
                CASE WHEN n % 6 IN (3, 4) THEN 'Service' ELSE 'Object' END, 1 + n % 5, (n / 5) % 2, 0, 'Community', 'Active',
                CASE WHEN n % 3 = 0 THEN NULL ELSE now() + ((n % 2000) || ' hours')::interval END,
                now() - (n || ' seconds')::interval, now()
            FROM generate_series(0, {Shares - 1}) n;
            """,
        ];
        foreach (var statement in script)
        {
            await using var command = new NpgsqlCommand(statement, connection) { CommandTimeout = 1800 };
            await command.ExecuteNonQueryAsync();
        }
        // As autovacuum would in production: statistics and the visibility map that index-only scans need.
        await using (var vacuum = new NpgsqlCommand("VACUUM ANALYZE", connection) { CommandTimeout = 1800 })
        {
            await vacuum.ExecuteNonQueryAsync();
        }
        return communityId;
    }
}

/// <summary>
/// Counts the database round trips of one call at a time, other than its commit: Npgsql's command and batch activities
/// (EF Core's commands and the app's own ADO.NET batches alike; a batch of statements is one). Between counts it samples
/// nothing, so the timed calls of neither side pay for it.
/// </summary>
sealed class CommandCounter : IDisposable
{
    private readonly ActivityListener listener;
    private int count;
    private volatile bool counting;

    public CommandCounter()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => counting ? ActivitySamplingResult.AllData : ActivitySamplingResult.None,
            ActivityStarted = _ =>
            {
                if (counting) Interlocked.Increment(ref count);
            },
        };
        ActivitySource.AddActivityListener(listener);
    }

    public async Task<int> CountAsync(Func<Task> call)
    {
        Interlocked.Exchange(ref count, 0);
        counting = true;
        try { await call(); }
        finally { counting = false; }
        return count;
    }

    public void Dispose() => listener.Dispose();
}
