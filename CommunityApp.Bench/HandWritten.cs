using Npgsql;

/// <summary>The baseline: the same data as each service call, fetched by hand-written SQL in one round trip.</summary>
static class HandWritten
{
    public static async Task PermissionAsync(NpgsqlConnection connection, Guid communityId, string userId)
    {
        await using var command = new NpgsqlCommand("""
            SELECT m.role, m.trust_score, c.settings,
                   ARRAY(SELECT r.role FROM member_feature_roles r WHERE r.membership_id = m.id),
                   ARRAY(SELECT l.min_score FROM trust_levels l WHERE l.community_id = m.community_id)
            FROM memberships m JOIN communities c ON c.id = m.community_id
            WHERE m.community_id = @c AND m.user_id = @u AND m.deleted_at IS NULL AND c.deleted_at IS NULL
            """, connection) { Parameters = { new("c", communityId), new("u", userId) } };
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) { _ = reader.GetValue(2); }
    }

    /// <summary>Lock the receiver, insert the award, recount the score, write history: false if the pair already has an award.</summary>
    public static async Task<bool> AwardAsync(NpgsqlConnection connection, Guid communityId, string giverId, string receiverId)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var check = new NpgsqlCommand("""
            SELECT trust_score FROM memberships WHERE community_id = @c AND user_id = @u AND deleted_at IS NULL;
            UPDATE memberships SET trust_score = trust_score WHERE community_id = @c AND user_id = @r AND deleted_at IS NULL;
            """, connection, transaction) { Parameters = { new("c", communityId), new("u", giverId), new("r", receiverId) } })
        {
            await check.ExecuteNonQueryAsync();
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
            UPDATE memberships SET trust_score = admin_grant + (SELECT count(*) FROM trust_awards a WHERE a.community_id = @c AND a.receiver_id = @r AND a.deleted_at IS NULL)
            WHERE community_id = @c AND user_id = @r AND deleted_at IS NULL;
            INSERT INTO trust_history (id, community_id, actor_id, subject_id, action, points, created_at) VALUES (gen_random_uuid(), @c, @u, @r, 'Awarded', 1, now());
            """, connection, transaction) { Parameters = { new("c", communityId), new("u", giverId), new("r", receiverId) } };
        await score.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
        return true;
    }

    public static async Task MemberPageAsync(NpgsqlConnection connection, Guid communityId, string viewerId)
    {
        await using var command = new NpgsqlCommand("""
            SELECT count(*) FROM memberships WHERE community_id = @c AND deleted_at IS NULL;
            SELECT m.user_id, u.display_name, u.user_name, u.email, m.role, m.trust_score, m.created_at,
                   ARRAY(SELECT r.role FROM member_feature_roles r WHERE r.membership_id = m.id),
                   EXISTS (SELECT 1 FROM trust_awards a WHERE a.community_id = @c AND a.giver_id = @u AND a.receiver_id = m.user_id AND a.deleted_at IS NULL)
            FROM memberships m JOIN asp_net_users u ON u.id = m.user_id
            WHERE m.community_id = @c AND m.deleted_at IS NULL
            ORDER BY m.trust_score DESC, m.id DESC
            LIMIT 25;
            """, connection) { Parameters = { new("c", communityId), new("u", viewerId) } };
        await using var reader = await command.ExecuteReaderAsync();
        do { while (await reader.ReadAsync()) { } } while (await reader.NextResultAsync());
    }

    public static async Task SharePageAsync(NpgsqlConnection connection, Guid communityId, string? text)
    {
        var match = text is null ? "" : "AND s.search_vector @@ websearch_to_tsquery('simple', @t)";
        await using var command = new NpgsqlCommand($"""
            SELECT count(*) FROM (SELECT 1 FROM shares s WHERE s.community_id = @c AND s.deleted_at IS NULL AND s.status = 'Active' AND (s.expires_at IS NULL OR s.expires_at > now()) {match} LIMIT 10001) capped;
            SELECT s.id, s.title, s.description, s.kind, u.display_name, s.owner_id, s.units_offered, s.units_offered - s.units_reserved - s.units_given,
                   s.status, s.expires_at, s.min_trust, c.name, s.created_at
            FROM shares s JOIN asp_net_users u ON u.id = s.owner_id LEFT JOIN item_categories c ON c.id = s.category_id
            WHERE s.community_id = @c AND s.deleted_at IS NULL AND s.status = 'Active' AND (s.expires_at IS NULL OR s.expires_at > now()) {match}
            ORDER BY s.created_at DESC, s.id DESC LIMIT 20;
            """, connection) { Parameters = { new("c", communityId), new("t", text ?? "") } };
        await using var reader = await command.ExecuteReaderAsync();
        do { while (await reader.ReadAsync()) { } } while (await reader.NextResultAsync());
    }

    public static async Task MyTrustAsync(NpgsqlConnection connection, Guid communityId, string userId)
    {
        await using var command = new NpgsqlCommand("""
            SELECT m.role, m.trust_score, m.admin_grant, c.settings FROM memberships m JOIN communities c ON c.id = m.community_id
            WHERE m.community_id = @c AND m.user_id = @u AND m.deleted_at IS NULL;
            SELECT id, name, min_score FROM trust_levels WHERE community_id = @c;
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
        await using var reader = await command.ExecuteReaderAsync();
        do { while (await reader.ReadAsync()) { } } while (await reader.NextResultAsync());
    }
}
