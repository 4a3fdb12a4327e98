using Npgsql;

/// <summary>
/// The baseline: each service call's work written by hand, in one round trip where SQL allows (the award takes four, as
/// its decisions need the answers). Every read starts with the same membership check the app makes (the member's row,
/// feature roles, levels, managed councils and the community's settings), and returns the same rows.
/// </summary>
static class HandWritten
{
    /// <summary>The member's standing, as the app's permission check loads it; @c is the community, @u the member.</summary>
    const string Standing = """
        SELECT m.id, m.role, m.trust_score, c.settings,
               ARRAY(SELECT r.role FROM member_feature_roles r WHERE r.membership_id = m.id),
               ARRAY(SELECT l.min_score FROM trust_levels l WHERE l.community_id = m.community_id),
               ARRAY(SELECT cm.council_id FROM council_managers cm JOIN councils co ON co.id = cm.council_id
                     WHERE cm.user_id = m.user_id AND co.community_id = m.community_id)
        FROM memberships m JOIN communities c ON c.id = m.community_id
        WHERE m.community_id = @c AND m.user_id = @u AND m.deleted_at IS NULL AND c.deleted_at IS NULL;
        """;

    /// <summary>Pages' totals stop at this many rows ("more than 10000"), as the app's do; the members' comes from the kept count.</summary>
    const int CountCap = 10_001;

    public static async Task PermissionAsync(NpgsqlConnection connection, Guid communityId, string userId)
    {
        await using var command = new NpgsqlCommand(Standing, connection) { Parameters = { new("c", communityId), new("u", userId) } };
        await DrainAsync(command);
    }

    /// <summary>
    /// Check the giver, lock the receiver, insert the award (false if the pair already has one), store the recounted
    /// score and write the history and the notification (unless the receiver turned that kind off).
    /// </summary>
    public static async Task<bool> AwardAsync(NpgsqlConnection connection, Guid communityId, string giverId, string receiverId)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var check = new NpgsqlCommand(Standing + """
            SELECT trust_score FROM memberships WHERE community_id = @c AND user_id = @r AND deleted_at IS NULL FOR NO KEY UPDATE;
            """, connection, transaction) { Parameters = { new("c", communityId), new("u", giverId), new("r", receiverId) } })
        {
            await DrainAsync(check);
        }
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO trust_awards (id, community_id, giver_id, receiver_id, renewed_at, created_at, updated_at)
            VALUES (gen_random_uuid(), @c, @u, @r, now(), now(), now())
            ON CONFLICT (community_id, giver_id, receiver_id) WHERE deleted_at IS NULL DO NOTHING
            RETURNING id;
            """, connection, transaction) { Parameters = { new("c", communityId), new("u", giverId), new("r", receiverId) } })
        {
            if (await insert.ExecuteScalarAsync() is null)
            {
                await transaction.RollbackAsync();
                return false;
            }
        }
        await using var score = new NpgsqlCommand("""
            UPDATE memberships SET trust_score = admin_grant + (SELECT count(*) FROM trust_awards a WHERE a.community_id = @c AND a.receiver_id = @r AND a.deleted_at IS NULL), updated_at = now()
            WHERE community_id = @c AND user_id = @r AND deleted_at IS NULL RETURNING trust_score;
            INSERT INTO trust_history (id, community_id, actor_id, subject_id, action, points, created_at) VALUES (gen_random_uuid(), @c, @u, @r, 'Awarded', 1, now());
            INSERT INTO notifications (id, user_id, community_id, kind, actor, subject, link, created_at, in_digest)
            SELECT gen_random_uuid(), @r, @c, 'TrustReceived', u.display_name, c.name, '/c/' || @c || '/trust/me', now(), false
            FROM asp_net_users u, communities c
            WHERE u.id = @u AND c.id = @c
              AND NOT EXISTS (SELECT 1 FROM notification_preferences p WHERE p.user_id = @r AND p.kind = 'TrustReceived' AND p.delivery = 'Off');
            """, connection, transaction) { Parameters = { new("c", communityId), new("u", giverId), new("r", receiverId) } };
        await DrainAsync(score);
        await transaction.CommitAsync();
        return true;
    }

    /// <summary>
    /// A first page of members in the given order, optionally searched by name or username (infix), with the capped count.
    /// A search reads its matches once up to the cap (the count) and sorts the page from them, or walks the order's index
    /// when there are more, as the app does (the planner's guess of how many match cannot pick a plan that reads every member).
    /// </summary>
    public static async Task MemberPageAsync(NpgsqlConnection connection, Guid communityId, string viewerId, string? search, string orderBy)
    {
        const string Extras = """
            ARRAY(SELECT r.role FROM member_feature_roles r WHERE r.membership_id = p.id),
            EXISTS (SELECT 1 FROM trust_awards a WHERE a.community_id = @c AND a.giver_id = @u AND a.receiver_id = p.user_id AND a.deleted_at IS NULL)
            """;
        const string Columns = "m.id, m.user_id, u.display_name, u.user_name, CASE WHEN u.email_confirmed THEN u.email END AS email, m.role, m.trust_score, m.created_at";
        var sql = search is null
            ? $"""
                SELECT least(member_count, {CountCap}) FROM communities WHERE id = @c;
                SELECT m.user_id, u.display_name, u.user_name, u.email, m.role, m.trust_score, m.created_at,
                       ARRAY(SELECT r.role FROM member_feature_roles r WHERE r.membership_id = m.id),
                       EXISTS (SELECT 1 FROM trust_awards a WHERE a.community_id = @c AND a.giver_id = @u AND a.receiver_id = m.user_id AND a.deleted_at IS NULL)
                FROM memberships m JOIN asp_net_users u ON u.id = m.user_id
                WHERE m.community_id = @c AND m.deleted_at IS NULL
                ORDER BY {orderBy}
                LIMIT 26;
                """
            : $"""
                WITH matched AS MATERIALIZED (
                         SELECT {Columns} FROM asp_net_users u
                         CROSS JOIN LATERAL (SELECT m.* FROM memberships m WHERE m.community_id = @c AND m.user_id = u.id AND m.deleted_at IS NULL LIMIT 1) m
                         WHERE lower(u.display_name) LIKE @s OR u.normalized_user_name LIKE upper(@s)
                         LIMIT {CountCap}),
                     counted AS (SELECT count(*) AS n FROM matched),
                     shown AS ((SELECT * FROM matched p WHERE (SELECT n FROM counted) < {CountCap} ORDER BY {orderBy.Replace("m.", "p.").Replace("u.", "p.")} LIMIT 26)
                               UNION ALL
                               (SELECT {Columns} FROM memberships m JOIN asp_net_users u ON u.id = m.user_id
                                WHERE m.community_id = @c AND m.deleted_at IS NULL AND (lower(u.display_name) LIKE @s OR u.normalized_user_name LIKE upper(@s))
                                  AND (SELECT n FROM counted) = {CountCap}
                                ORDER BY {orderBy} LIMIT 26))
                SELECT counted.n, p.*, {Extras} FROM counted LEFT JOIN shown p ON true ORDER BY {orderBy.Replace("m.", "p.").Replace("u.", "p.")};
                """;
        await using var command = new NpgsqlCommand(Standing + sql, connection)
        {
            Parameters = { new("c", communityId), new("u", viewerId), new("s", $"%{search?.ToLowerInvariant()}%") },
        };
        await DrainAsync(command);
    }

    /// <summary>The trust network's first page: members by trust with counts given and received and up to ten givers' names.</summary>
    public static async Task NetworkPageAsync(NpgsqlConnection connection, Guid communityId, string viewerId)
    {
        await using var command = new NpgsqlCommand(Standing + $"""
            SELECT least(member_count, {CountCap}) FROM communities WHERE id = @c;
            SELECT m.user_id, u.display_name, m.trust_score,
                   (SELECT count(*) FROM trust_awards a WHERE a.community_id = @c AND a.giver_id = m.user_id AND a.deleted_at IS NULL),
                   (SELECT count(*) FROM trust_awards a WHERE a.community_id = @c AND a.receiver_id = m.user_id AND a.deleted_at IS NULL),
                   ARRAY(SELECT g.display_name FROM trust_awards a JOIN asp_net_users g ON g.id = a.giver_id
                         WHERE a.community_id = @c AND a.receiver_id = m.user_id AND a.deleted_at IS NULL ORDER BY g.display_name LIMIT 10)
            FROM memberships m JOIN asp_net_users u ON u.id = m.user_id
            WHERE m.community_id = @c AND m.deleted_at IS NULL
            ORDER BY m.trust_score DESC, m.id DESC LIMIT 25;
            """, connection) { Parameters = { new("c", communityId), new("u", viewerId) } };
        await DrainAsync(command);
    }

    /// <summary>The audit log's first page for an admin, newest first, with the capped count.</summary>
    public static async Task AuditPageAsync(NpgsqlConnection connection, Guid communityId, string adminId)
    {
        await using var command = new NpgsqlCommand(Standing + $"""
            SELECT count(*) FROM (SELECT 1 FROM audit_log e WHERE e.community_id = @c LIMIT {CountCap}) capped;
            SELECT e.id, e.created_at, e.actor_id, a.display_name, e.action, t.display_name, e.details
            FROM audit_log e JOIN asp_net_users a ON a.id = e.actor_id LEFT JOIN asp_net_users t ON t.id = e.target_user_id
            WHERE e.community_id = @c ORDER BY e.created_at DESC, e.id DESC LIMIT 26;
            """, connection) { Parameters = { new("c", communityId), new("u", adminId) } };
        await DrainAsync(command);
    }

    /// <summary>
    /// A first page of shares in the given order with the capped count: each row with its owner's, category's, council's
    /// and pool's names and its period, as the app's share row has them. "Most available" (<paramref name="refills"/>) also
    /// reads, as the app does, the recurring shares whose period has ended (full again before the refill job stores them),
    /// to be merged by their full units.
    /// </summary>
    public static async Task SharePageAsync(NpgsqlConnection connection, Guid communityId, string viewerId, string? text, string orderBy, bool refills = false)
    {
        var match = text is null ? "" : "AND s.search_vector @@ websearch_to_tsquery('simple', @t)";
        var live = $"s.community_id = @c AND s.deleted_at IS NULL AND s.target = 'Community' AND s.status = 'Active' AND (s.expires_at IS NULL OR s.expires_at > now()) {match}";
        string Page(string where, string order) => $"""
            SELECT s.id, s.title, s.description, s.kind, u.display_name, s.owner_id, s.units_offered, s.units_offered - s.units_reserved - s.units_given,
                   s.status, s.expires_at, s.min_trust, c.name, s.created_at, s.category_id, s.target, co.id, co.name, p.id, p.name,
                   s.recurrence, s.period_start, s.period_end
            FROM shares s JOIN asp_net_users u ON u.id = s.owner_id LEFT JOIN item_categories c ON c.id = s.category_id
            LEFT JOIN councils co ON co.id = coalesce(s.source_council_id, s.target_id) AND co.deleted_at IS NULL
            LEFT JOIN pools p ON p.id = coalesce(s.source_pool_id, CASE WHEN s.target = 'Pool' THEN s.target_id END)
            WHERE {where}
            ORDER BY {order} LIMIT 20
            """;
        var rows = refills
            ? $"({Page(live, orderBy)}) UNION ALL ({Page(live + " AND s.period_end <= now()", "s.units_offered DESC, s.id DESC")})"
            : Page(live, orderBy);
        await using var command = new NpgsqlCommand(Standing + $"""
            SELECT count(*) FROM (SELECT 1 FROM shares s WHERE {live} LIMIT {CountCap}) capped;
            {rows};
            """, connection) { Parameters = { new("c", communityId), new("u", viewerId), new("t", text ?? "") } };
        await DrainAsync(command);
    }

    /// <summary>The community's frame on every community page: the member's row, the community, its kept member count and the member's title.</summary>
    public static async Task HomeAsync(NpgsqlConnection connection, Guid communityId, string userId)
    {
        await using var command = new NpgsqlCommand("""
            SELECT c.id, c.name, c.description,
                   c.member_count,
                   m.role, c.created_at, m.trust_score,
                   (SELECT l.name FROM trust_levels l WHERE l.community_id = c.id AND l.min_score <= m.trust_score ORDER BY l.min_score DESC LIMIT 1)
            FROM memberships m JOIN communities c ON c.id = m.community_id
            WHERE m.community_id = @c AND m.user_id = @u AND m.deleted_at IS NULL AND c.deleted_at IS NULL;
            """, connection) { Parameters = { new("c", communityId), new("u", userId) } };
        await DrainAsync(command);
    }

    /// <summary>The bell: the signed-in user's unread notifications, counted up to 100 (the badge shows "99+").</summary>
    public static async Task UnreadAsync(NpgsqlConnection connection, string userId)
    {
        await using var command = new NpgsqlCommand("""
            SELECT count(*) FROM (SELECT 1 FROM notifications WHERE user_id = @u AND read_at IS NULL LIMIT 100) capped;
            """, connection) { Parameters = { new("u", userId) } };
        await DrainAsync(command);
    }

    public static async Task MyTrustAsync(NpgsqlConnection connection, Guid communityId, string userId)
    {
        await using var command = new NpgsqlCommand(Standing + """
            SELECT m.admin_grant FROM memberships m WHERE m.community_id = @c AND m.user_id = @u AND m.deleted_at IS NULL;
            SELECT count(*) FROM trust_awards WHERE community_id = @c AND receiver_id = @u AND deleted_at IS NULL;
            SELECT a.giver_id, u.display_name, a.renewed_at FROM trust_awards a JOIN asp_net_users u ON u.id = a.giver_id
            WHERE a.community_id = @c AND a.receiver_id = @u AND a.deleted_at IS NULL ORDER BY a.renewed_at DESC LIMIT 100;
            SELECT count(*) FROM trust_awards WHERE community_id = @c AND giver_id = @u AND deleted_at IS NULL;
            SELECT a.receiver_id, u.display_name, a.renewed_at FROM trust_awards a JOIN asp_net_users u ON u.id = a.receiver_id
            WHERE a.community_id = @c AND a.giver_id = @u AND a.deleted_at IS NULL ORDER BY a.renewed_at LIMIT 100;
            SELECT h.created_at, h.action, ua.display_name, us.display_name, h.points FROM trust_history h
            JOIN asp_net_users ua ON ua.id = h.actor_id JOIN asp_net_users us ON us.id = h.subject_id
            WHERE h.community_id = @c AND (h.subject_id = @u OR h.actor_id = @u) ORDER BY h.created_at DESC, h.id DESC LIMIT 50;
            """, connection) { Parameters = { new("c", communityId), new("u", userId) } };
        await DrainAsync(command);
    }

    private static async Task DrainAsync(NpgsqlCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        do { while (await reader.ReadAsync()) { } } while (await reader.NextResultAsync());
    }
}
