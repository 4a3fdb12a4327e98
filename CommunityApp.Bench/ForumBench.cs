using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using CommunityApp.Features.Forum;

/// <summary>
/// <c>./bench.sh forum</c>: a community of 5,000 members with a forum of 1,000 threads of 20 posts and one thread of 5,000
/// posts (10,000 votes and 500 mentions on it), then the thread page's data for the big thread (the reader's standing, the
/// header, the opening post and best answer, the first page of 20 replies with the reader's votes and the mentions)
/// through <see cref="ForumQueries.ThreadAsync"/>, and the same for a page deep in the thread (keyset), against the same
/// rows read by hand-written SQL in one round trip. Timed interleaved, like <see cref="CouncilBench"/>.
/// </summary>
static class ForumBench
{
    const int Members = 5_000;
    const int Threads = 1_000;
    const int PostsPerThread = 20;
    const int BigThreadPosts = 5_000;
    const int Iterations = 300;

    public static async Task RunAsync(string server)
    {
        var connectionString = await BenchDatabase.CreateAsync(server, "bench_forum");
        await using var services = await BenchDatabase.ServicesAsync(connectionString);
        Console.WriteLine($"Generating {Members:N0} members, {Threads:N0} threads of {PostsPerThread} posts and one of {BigThreadPosts:N0} posts …");
        var watch = Stopwatch.StartNew();
        var (communityId, threadId) = await GenerateAsync(connectionString);
        Console.WriteLine($"  generated in {watch.Elapsed.TotalSeconds:F0} s");

        var queries = services.GetRequiredService<ForumQueries>();
        // A page deep in the thread: the cursor of the 4,000th reply.
        PostCursor deep;
        await using (var sql = new NpgsqlConnection(connectionString))
        {
            await sql.OpenAsync();
            await using var read = new NpgsqlCommand("""
                SELECT created_at, id FROM forum_posts WHERE thread_id = @t AND NOT is_opening ORDER BY created_at, id OFFSET 4000 LIMIT 1
                """, sql) { Parameters = { new("t", threadId) } };
            await using var reader = await read.ExecuteReaderAsync();
            await reader.ReadAsync();
            deep = new PostCursor(reader.GetDateTime(0), reader.GetGuid(1));
        }

        var random = new Random(42);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        Console.WriteLine();
        Console.WriteLine("| posts in the thread | page | app median ms | app p95 ms | SQL median ms | SQL p95 ms | p95 ratio |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (name, cursor) in new[] { ("first (thread opens)", (PostCursor?)null), ("after reply 4,000", deep) })
        {
            var (app, hand) = await BenchTiming.InterleavedAsync(Iterations,
                () => queries.ThreadAsync($"u{random.Next(Members)}", communityId, threadId, cursor, ForumThreadPageSize),
                () => ThreadPageAsync(connection, communityId, $"u{random.Next(Members)}", threadId, cursor));
            Console.WriteLine($"| {BigThreadPosts:N0} | {name} | {app.Median:F2} | {app.P95:F2} | {hand.Median:F2} | {hand.P95:F2} | {app.P95 / hand.P95:F2} |");
        }
    }

    /// <summary>The thread page's page size (<c>ForumThreadPage.PageSize</c>).</summary>
    const int ForumThreadPageSize = 20;

    /// <summary>What the thread page shows, in one round trip.</summary>
    static async Task ThreadPageAsync(NpgsqlConnection connection, Guid communityId, string userId, Guid threadId, PostCursor? after)
    {
        await using var command = new NpgsqlCommand("""
            SELECT m.id, m.role, m.trust_score, c.settings,
                   (SELECT array_agg(r.role) FROM member_feature_roles r WHERE r.membership_id = m.id),
                   (SELECT array_agg(l.min_score) FROM trust_levels l WHERE l.community_id = c.id)
            FROM memberships m JOIN communities c ON c.id = m.community_id
            WHERE m.community_id = @c AND m.user_id = @u AND m.deleted_at IS NULL AND c.deleted_at IS NULL;
            SELECT t.id, t.category_id, k.name, t.title, t.author_id, u.display_name, t.is_pinned, t.is_locked, t.post_count, t.created_at, t.best_answer_post_id,
                   (SELECT array_agg(g.tag ORDER BY g.tag) FROM forum_thread_tags g WHERE g.thread_id = t.id)
            FROM forum_threads t JOIN forum_categories k ON k.id = t.category_id JOIN asp_net_users u ON u.id = t.author_id
            WHERE t.id = @t AND t.community_id = @c AND t.deleted_at IS NULL;
            WITH page AS (
                SELECT p.* FROM forum_posts p
                WHERE p.thread_id = @t AND p.deleted_at IS NULL
                  AND (p.is_opening OR p.id = (SELECT best_answer_post_id FROM forum_threads WHERE id = @t))
                UNION ALL
                (SELECT p.* FROM forum_posts p
                 WHERE p.thread_id = @t AND p.deleted_at IS NULL AND NOT p.is_opening
                   AND (@after_at::timestamptz IS NULL OR (p.created_at, p.id) > (@after_at, @after_id))
                 ORDER BY p.created_at, p.id LIMIT 21))
            SELECT p.id, p.author_id, u.display_name, p.body, p.is_opening, p.score, coalesce(v.value, 0), p.created_at, p.edited_at, p.hidden_at,
                   p.flag_weight, p.review_requested_at,
                   (SELECT array_agg(x.user_id || ':' || mu.normalized_user_name) FROM forum_mentions x JOIN asp_net_users mu ON mu.id = x.user_id WHERE x.post_id = p.id)
            FROM page p JOIN asp_net_users u ON u.id = p.author_id
            LEFT JOIN forum_votes v ON v.post_id = p.id AND v.user_id = @u;
            """, connection)
        {
            Parameters =
            {
                new("c", communityId), new("u", userId), new("t", threadId),
                new("after_at", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = after is null ? DBNull.Value : after.CreatedAt },
                new("after_id", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = after is null ? Guid.Empty : after.Id },
            },
        };
        await using var reader = await command.ExecuteReaderAsync();
        do
        {
            while (await reader.ReadAsync()) { }
        } while (await reader.NextResultAsync());
    }

    static async Task<(Guid CommunityId, Guid ThreadId)> GenerateAsync(string connectionString)
    {
        var communityId = Guid.CreateVersion7();
        var categoryId = Guid.CreateVersion7();
        var threadId = Guid.CreateVersion7();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var settings = new CommunityApp.Features.Communities.CommunitySettings().ToJson();
        const string body = "A reply of a few sentences, like most forum posts: it says what worked for the writer and asks a question back. "
                            + "It mentions nobody, links nowhere, and carries a little **markdown** so the body is not trivially short.";
        // The big thread's posts are written one second apart; reply 0 is the best answer; every other reply gets 2 votes; every
        // tenth reply mentions a member.
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
            INSERT INTO forum_categories (id, community_id, name, normalized_name, description, position, created_at, updated_at)
            VALUES ('{categoryId}', '{communityId}', 'General', 'GENERAL', 'Anything', 1, now(), now());
            INSERT INTO forum_threads (id, community_id, category_id, author_id, title, is_pinned, is_locked, post_count, last_post_at, created_at, updated_at)
            SELECT CASE WHEN n = 0 THEN '{threadId}'::uuid ELSE gen_random_uuid() END, '{communityId}', '{categoryId}', 'u' || (n % {Members}),
                'Thread number ' || n || ' about bikes and gardens', false, false,
                CASE WHEN n = 0 THEN {BigThreadPosts} ELSE {PostsPerThread} END, now() - (n || ' minutes')::interval,
                now() - interval '30 days' - (n || ' minutes')::interval, now()
            FROM generate_series(0, {Threads}) n;
            INSERT INTO forum_thread_tags (thread_id, tag, community_id) SELECT id, 'bikes', community_id FROM forum_threads;
            INSERT INTO forum_posts (id, thread_id, community_id, author_id, body, is_opening, score, flag_weight, created_at, updated_at)
            SELECT gen_random_uuid(), t.id, t.community_id, 'u' || ((p * 7) % {Members}),
                CASE WHEN p % 10 = 5 THEN 'Thanks @user' || (p % {Members}) || '. ' ELSE '' END || '{body}', p = 0,
                CASE WHEN t.id = '{threadId}' AND p % 2 = 1 THEN 2 ELSE 0 END, 0,
                t.created_at + (p || ' seconds')::interval, now()
            FROM forum_threads t
            CROSS JOIN LATERAL generate_series(0, CASE WHEN t.id = '{threadId}' THEN {BigThreadPosts - 1} ELSE {PostsPerThread - 1} END) p;
            CREATE TEMP TABLE big AS
                SELECT id, row_number() OVER (ORDER BY created_at, id) - 1 AS n, author_id FROM forum_posts WHERE thread_id = '{threadId}';
            UPDATE forum_threads SET best_answer_post_id = (SELECT id FROM big WHERE n = 1) WHERE id = '{threadId}';
            INSERT INTO forum_votes (post_id, user_id, value, at)
            SELECT b.id, 'u' || ((b.n * 13 + k * 1777) % {Members}), 1, now() FROM big b, generate_series(0, 1) k
            WHERE b.n % 2 = 1 AND 'u' || ((b.n * 13 + k * 1777) % {Members}) <> b.author_id;
            INSERT INTO forum_mentions (post_id, user_id, at)
            SELECT b.id, 'u' || (b.n % {Members}), now() FROM big b WHERE b.n % 10 = 5 AND 'u' || (b.n % {Members}) <> b.author_id;
            """;
        await using (var command = new NpgsqlCommand(script, connection) { CommandTimeout = 600 })
        {
            await command.ExecuteNonQueryAsync();
        }
        await using (var vacuum = new NpgsqlCommand("VACUUM ANALYZE", connection) { CommandTimeout = 600 })
        {
            await vacuum.ExecuteNonQueryAsync();
        }
        return (communityId, threadId);
    }
}
