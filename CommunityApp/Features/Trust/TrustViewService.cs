using CommunityApp.Resources;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Communities;

namespace CommunityApp.Features.Trust;

public sealed record UnlockStep(Permission Permission, int? RequiredScore, bool Achieved, PermissionCheck Check);

public sealed record AwardLine(string UserId, string DisplayName, DateTime RenewedAt, double Weight, DateTime? DecayStartsAt);

public sealed record HistoryLine(DateTime At, TrustHistoryAction Action, string ActorName, string SubjectName, int Points);

public sealed record MyTrustView(
    int Score, int AdminGrant, TrustLevelInfo? Title, TrustLevelInfo? NextLevel, double ProgressToNext,
    IReadOnlyList<UnlockStep> Unlocks, bool DecayEnabled,
    int ReceivedCount, IReadOnlyList<AwardLine> Received, int GivenCount, IReadOnlyList<AwardLine> Given, IReadOnlyList<HistoryLine> History);

public sealed record MemberTrustView(
    string UserId, string DisplayName, string UserName, string? Bio, MemberRole Role, int Score, string? Title,
    bool IsMe, bool AwardedByMe, PermissionCheck AwardCheck, int ReceivedCount, int GivenCount,
    int AdminGrant, string? GrantSetByName, DateTime? GrantSetAt, IReadOnlyList<HistoryLine> History);

public sealed record NetworkRow(string UserId, string DisplayName, int Score, int GivenCount, int ReceivedCount, IReadOnlyList<string> TrustedBy);

public sealed record NetworkEdge(string From, string To);

public sealed record NetworkGraph(IReadOnlyList<NetworkRow> Nodes, IReadOnlyList<NetworkEdge> Edges);

/// <summary>What the trust pages show: my trust, a member's trust, the community's trust network. Every list is bounded or paged.</summary>
public sealed class TrustViewService(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock)
{
    public const int ListLimit = 100;
    public const int HistoryLimit = 50;
    /// <summary>Up to this many members the network is drawn as a graph; above it, a searchable list.</summary>
    public const int GraphLimit = 40;

    public async Task<MyTrustView> GetMyTrustAsync(string userId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var me = await PermissionService.DemandMemberAsync(db, communityId, userId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var decay = me.Settings.Decay;
        var adminGrant = me.AdminGrant;

        var levels = me.Levels.OrderBy(l => l.MinScore).ToList();
        var title = me.Title;
        var next = levels.FirstOrDefault(l => l.MinScore > me.Score);
        var floor = title?.MinScore ?? 0;
        var progress = next is null ? 1 : Math.Clamp((me.Score - floor) / (double)(next.MinScore - floor), 0, 1);

        var unlocks = PermissionCatalog.All
            .Select(p => PermissionService.Decide(me, p.Permission))
            .Select(c => new UnlockStep(c.Permission, c.Required, c.Allowed, c))
            .OrderBy(u => u.RequiredScore ?? int.MaxValue).ThenBy(u => u.Permission)
            .ToList();

        var awards = db.Database.IsNpgsql()
            ? await MyAwardsInOneBatchAsync(db, communityId, userId, ct)
            : await MyAwardsAsync(db, communityId, userId, ct);
        return new MyTrustView(me.Score, adminGrant, title, next, progress, unlocks, decay.Enabled,
            awards.ReceivedCount, awards.Received.Select(a => Line(a.UserId, a.DisplayName, a.RenewedAt, decay, now)).ToList(),
            awards.GivenCount, awards.Given.Select(a => Line(a.UserId, a.DisplayName, a.RenewedAt, decay, now)).ToList(),
            awards.History);
    }

    /// <summary>My trust's awards (the other member, when) and history, before weights are applied.</summary>
    private sealed record MyAwards(int ReceivedCount, List<(string UserId, string DisplayName, DateTime RenewedAt)> Received,
        int GivenCount, List<(string UserId, string DisplayName, DateTime RenewedAt)> Given, IReadOnlyList<HistoryLine> History);

    private static async Task<MyAwards> MyAwardsAsync(AppDbContext db, Guid communityId, string userId, CancellationToken ct)
    {
        var received = db.TrustAwards.Where(a => a.CommunityId == communityId && a.ReceiverId == userId);
        var given = db.TrustAwards.Where(a => a.CommunityId == communityId && a.GiverId == userId);
        var receivedLines = await received.OrderByDescending(a => a.RenewedAt).Take(ListLimit)
            .Select(a => new { a.GiverId, a.Giver.DisplayName, a.RenewedAt }).ToListAsync(ct);
        // Givers see the awards closest to decaying first.
        var givenLines = await given.OrderBy(a => a.RenewedAt).Take(ListLimit)
            .Select(a => new { a.ReceiverId, a.Receiver.DisplayName, a.RenewedAt }).ToListAsync(ct);

        // Both counts in one round trip.
        var counts = await db.Memberships.Where(m => m.CommunityId == communityId && m.UserId == userId)
            .Select(m => new { Received = received.Count(), Given = given.Count() }).SingleAsync(ct);
        return new MyAwards(counts.Received, receivedLines.Select(a => (a.GiverId, a.DisplayName, a.RenewedAt)).ToList(),
            counts.Given, givenLines.Select(a => (a.ReceiverId, a.DisplayName, a.RenewedAt)).ToList(),
            await HistoryAsync(db, communityId, h => h.SubjectId == userId || h.ActorId == userId, ct));
    }

    /// <summary>
    /// <see cref="MyAwardsAsync"/> on PostgreSQL: the same four reads (awards received, awards given, both counts, the
    /// history), the same rows in the same order, sent as one batch (one round trip instead of four).
    /// </summary>
    private static async Task<MyAwards> MyAwardsInOneBatchAsync(AppDbContext db, Guid communityId, string userId, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var batch = new Npgsql.NpgsqlBatch((Npgsql.NpgsqlConnection)db.Database.GetDbConnection())
            {
                BatchCommands =
                {
                    new($"""
                        SELECT a.giver_id, u.display_name, a.renewed_at
                        FROM (SELECT giver_id, renewed_at FROM trust_awards WHERE deleted_at IS NULL AND community_id = $1 AND receiver_id = $2
                              ORDER BY renewed_at DESC LIMIT {ListLimit}) a
                        JOIN asp_net_users u ON u.id = a.giver_id
                        ORDER BY a.renewed_at DESC
                        """),
                    // Givers see the awards closest to decaying first.
                    new($"""
                        SELECT a.receiver_id, u.display_name, a.renewed_at
                        FROM (SELECT receiver_id, renewed_at FROM trust_awards WHERE deleted_at IS NULL AND community_id = $1 AND giver_id = $2
                              ORDER BY renewed_at LIMIT {ListLimit}) a
                        JOIN asp_net_users u ON u.id = a.receiver_id
                        ORDER BY a.renewed_at
                        """),
                    new("""
                        SELECT (SELECT count(*)::int FROM trust_awards WHERE deleted_at IS NULL AND community_id = $1 AND receiver_id = $2),
                               (SELECT count(*)::int FROM trust_awards WHERE deleted_at IS NULL AND community_id = $1 AND giver_id = $2)
                        """),
                    new($"""
                        SELECT h.created_at, h.action, ua.display_name, us.display_name, h.points
                        FROM (SELECT id, action, actor_id, created_at, points, subject_id FROM trust_history
                              WHERE community_id = $1 AND (subject_id = $2 OR actor_id = $2)
                              ORDER BY created_at DESC, id DESC LIMIT {HistoryLimit}) h
                        JOIN asp_net_users ua ON ua.id = h.actor_id
                        JOIN asp_net_users us ON us.id = h.subject_id
                        ORDER BY h.created_at DESC, h.id DESC
                        """),
                },
            };
            foreach (var command in batch.BatchCommands)
            {
                command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = communityId });
                command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = userId });
            }
            await using var reader = await batch.ExecuteReaderAsync(ct);
            var received = new List<(string, string, DateTime)>();
            while (await reader.ReadAsync(ct)) received.Add((reader.GetString(0), reader.GetString(1), reader.GetDateTime(2)));
            await reader.NextResultAsync(ct);
            var given = new List<(string, string, DateTime)>();
            while (await reader.ReadAsync(ct)) given.Add((reader.GetString(0), reader.GetString(1), reader.GetDateTime(2)));
            await reader.NextResultAsync(ct);
            await reader.ReadAsync(ct);
            var (receivedCount, givenCount) = (reader.GetInt32(0), reader.GetInt32(1));
            await reader.NextResultAsync(ct);
            var history = new List<HistoryLine>();
            while (await reader.ReadAsync(ct))
            {
                history.Add(new HistoryLine(reader.GetDateTime(0), Enum.Parse<TrustHistoryAction>(reader.GetString(1)), reader.GetString(2), reader.GetString(3), reader.GetInt32(4)));
            }
            return new MyAwards(receivedCount, received, givenCount, given, history);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public async Task<MemberTrustView> GetMemberAsync(string viewerId, Guid communityId, string memberId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var viewer = await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var member = await db.Memberships.Where(m => m.CommunityId == communityId && m.UserId == memberId)
            .Select(m => new
            {
                m.UserId, m.User.DisplayName, m.User.UserName, m.User.Bio, m.Role, m.TrustScore, m.AdminGrant, m.AdminGrantSetAt,
                GrantSetBy = db.Users.Where(u => u.Id == m.AdminGrantSetBy).Select(u => u.DisplayName).FirstOrDefault(),
                AwardedByMe = db.TrustAwards.Any(a => a.CommunityId == communityId && a.GiverId == viewerId && a.ReceiverId == m.UserId),
                Received = db.TrustAwards.Count(a => a.CommunityId == communityId && a.ReceiverId == m.UserId),
                Given = db.TrustAwards.Count(a => a.CommunityId == communityId && a.GiverId == m.UserId),
            })
            .SingleOrDefaultAsync(ct) ?? throw new NotFoundException(Text.Get("Error.PersonNotMember"));
        var history = viewer.IsAdmin || viewerId == memberId
            ? await HistoryAsync(db, communityId, h => h.SubjectId == memberId, ct)
            : [];
        return new MemberTrustView(member.UserId, member.DisplayName, member.UserName!, member.Bio, member.Role, member.TrustScore,
            TrustTitles.For(viewer.Levels, member.TrustScore)?.Name, viewerId == memberId, member.AwardedByMe,
            PermissionService.Decide(viewer, Permission.AwardTrust), member.Received, member.Given,
            viewer.IsAdmin ? member.AdminGrant : 0, viewer.IsAdmin ? member.GrantSetBy : null, viewer.IsAdmin ? member.AdminGrantSetAt : null, history);
    }

    /// <summary>Who trusts whom, one page of members at a time (searchable), with counts given and received.</summary>
    public Task<Page<NetworkRow>> NetworkAsync(string viewerId, Guid communityId, string? search, int pageIndex, int pageSize, CancellationToken ct = default) =>
        NetworkAsync(viewerId, communityId, search, pageIndex, pageSize, oneBatch: null, ct);

    /// <summary>
    /// <see cref="NetworkAsync(string, Guid, string?, int, int, CancellationToken)"/> through the one-batch path of PostgreSQL
    /// (<paramref name="oneBatch"/> null: wherever the database is PostgreSQL) or EF Core's (tests compare the two).
    /// </summary>
    internal async Task<Page<NetworkRow>> NetworkAsync(string viewerId, Guid communityId, string? search, int pageIndex, int pageSize, bool? oneBatch,
        CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, ListLimit);
        pageIndex = Math.Max(0, pageIndex);
        if (!Texts.IsStorable(search)) throw new ValidationFailedException(new Dictionary<string, string> { ["search"] = Texts.UnstorableMessage });
        search = string.IsNullOrWhiteSpace(search) ? null : search.Trim();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (oneBatch ?? db.Database.IsNpgsql())
        {
            var (_, page) = await PermissionService.DemandMemberInBatchAsync(db, communityId, viewerId,
                NetworkStatements(communityId, search, pageIndex, pageSize), ReadNetworkAsync, ct);
            return page with { PageIndex = pageIndex, PageSize = pageSize };
        }
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var members = db.Memberships.Where(m => m.CommunityId == communityId);
        if (search is not null)
        {
            // The member list's infix search, served by the same trigram indexes on PostgreSQL.
            var lower = Names.LikeContains(search.ToLowerInvariant());
            var upper = Names.LikeContains(search.ToUpperInvariant());
            members = members.Where(m => EF.Functions.Like(m.User.DisplayName.ToLower(), lower, Names.LikeEscape) || EF.Functions.Like(m.User.NormalizedUserName!, upper, Names.LikeEscape));
        }
        // Capped as the member list's total is: the ranking's pager says "more than 10000" beyond it. Without a search the
        // total is the community's kept member count; a search's matches are counted up to the cap.
        var total = search is null
            ? Math.Min(await Communities.CommunityService.MemberCountAsync(db, communityId, ct), Members.MemberService.CountCap + 1)
            : await members.Take(Members.MemberService.CountCap + 1).CountAsync(ct);
        var rows = await members.OrderByDescending(m => m.TrustScore).ThenByDescending(m => m.Id)
            .Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(m => new
            {
                m.UserId, m.User.DisplayName, m.TrustScore,
                Given = db.TrustAwards.Count(a => a.CommunityId == communityId && a.GiverId == m.UserId),
                Received = db.TrustAwards.Count(a => a.CommunityId == communityId && a.ReceiverId == m.UserId),
                TrustedBy = db.TrustAwards.Where(a => a.CommunityId == communityId && a.ReceiverId == m.UserId)
                    .OrderBy(a => a.Giver.DisplayName).Select(a => a.Giver.DisplayName).Take(10).ToList(),
            })
            .AsSplitQuery()
            .ToListAsync(ct);
        return new Page<NetworkRow>(rows.Select(r => new NetworkRow(r.UserId, r.DisplayName, r.TrustScore, r.Given, r.Received, r.TrustedBy)).ToList(), total, pageIndex, pageSize);
    }

    /// <summary>
    /// The network's page on PostgreSQL, sent with the viewer's standing in one batch: the capped count, then the page's
    /// members with their counts (index lookups per row) and up to ten givers' names each (by name), the same conditions,
    /// order and rows as the EF Core path (which, on PostgreSQL, would number every award of the community to keep ten per
    /// member). A search is one statement, as the member list's (<c>MemberService.ListStatements</c>): its matches read once
    /// up to the cap and the page sorted from them, the trust index walked only past the cap.
    /// </summary>
    private static Npgsql.NpgsqlBatchCommand[] NetworkStatements(Guid communityId, string? search, int pageIndex, int pageSize)
    {
        const int Cap = Members.MemberService.CountCap;
        const string Listed = "memberships m JOIN asp_net_users u ON u.id = m.user_id WHERE m.community_id = $1 AND m.deleted_at IS NULL";
        const string Extras = """
            (SELECT count(*)::int FROM trust_awards a WHERE a.deleted_at IS NULL AND a.community_id = $1 AND a.giver_id = p.user_id),
                   (SELECT count(*)::int FROM trust_awards a WHERE a.deleted_at IS NULL AND a.community_id = $1 AND a.receiver_id = p.user_id),
                   ARRAY(SELECT g.display_name FROM trust_awards a JOIN asp_net_users g ON g.id = a.giver_id
                         WHERE a.deleted_at IS NULL AND a.community_id = $1 AND a.receiver_id = p.user_id
                         ORDER BY g.display_name LIMIT 10)
            """;
        if (search is null)
        {
            var count = new Npgsql.NpgsqlBatchCommand($"""
                SELECT coalesce((SELECT least(c.member_count, {Cap + 1}) FROM communities c WHERE c.id = $1), 0)
                """) { Parameters = { new() { Value = communityId } } };
            var page = new Npgsql.NpgsqlBatchCommand($"""
                SELECT p.user_id, p.display_name, p.trust_score, {Extras}
                FROM (SELECT m.id, m.user_id, u.display_name, m.trust_score FROM {Listed}
                      ORDER BY m.trust_score DESC, m.id DESC OFFSET $2 LIMIT $3) p
                ORDER BY p.trust_score DESC, p.id DESC
                """) { Parameters = { new() { Value = communityId }, new() { Value = Paging.Offset(pageIndex, pageSize) }, new() { Value = pageSize } } };
            return [count, page];
        }
        const string Match = " AND (lower(u.display_name) LIKE $2 ESCAPE '\\' OR u.normalized_user_name LIKE $3 ESCAPE '\\')";
        // From the users the trigram indexes find, each looked up in the community (as the member list's search does).
        const string MatchedMembers = """
            asp_net_users u CROSS JOIN LATERAL (SELECT m.id, m.user_id, m.trust_score FROM memberships m
                WHERE m.community_id = $1 AND m.user_id = u.id AND m.deleted_at IS NULL LIMIT 1) m
            WHERE TRUE
            """ + Match;
        var searched = new Npgsql.NpgsqlBatchCommand($"""
            WITH matched AS MATERIALIZED (SELECT m.id, m.user_id, u.display_name, m.trust_score FROM {MatchedMembers} LIMIT {Cap + 1}),
                 counted AS (SELECT count(*)::int AS n FROM matched),
                 shown AS ((SELECT p.* FROM matched p WHERE (SELECT n FROM counted) <= {Cap} ORDER BY p.trust_score DESC, p.id DESC OFFSET $4 LIMIT $5)
                           UNION ALL
                           (SELECT m.id, m.user_id, u.display_name, m.trust_score FROM {Listed}{Match} AND (SELECT n FROM counted) > {Cap}
                            ORDER BY m.trust_score DESC, m.id DESC OFFSET $4 LIMIT $5))
            SELECT counted.n, page.*
            FROM counted LEFT JOIN LATERAL (SELECT p.user_id, p.display_name, p.trust_score, p.id, {Extras} FROM shown p) page ON true
            ORDER BY page.trust_score DESC, page.id DESC
            """);
        foreach (var value in new object[] { communityId, Names.LikeContains(search.ToLowerInvariant()), Names.LikeContains(search.ToUpperInvariant()),
                     Paging.Offset(pageIndex, pageSize), pageSize })
        {
            searched.Parameters.Add(new Npgsql.NpgsqlParameter { Value = value });
        }
        return [searched];
    }

    /// <summary>
    /// Reads <see cref="NetworkStatements"/>' results: the count, then the page's rows; or, from a search's one statement,
    /// rows that each carry the count first (one row of nulls but the count when the page is empty).
    /// </summary>
    private static async Task<Page<NetworkRow>> ReadNetworkAsync(Npgsql.NpgsqlDataReader reader, CancellationToken ct)
    {
        await reader.ReadAsync(ct);
        var total = reader.GetInt32(0);
        var rows = new List<NetworkRow>();
        if (reader.FieldCount == 1)
        {
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add(new NetworkRow(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetFieldValue<string[]>(5)));
            }
            return new Page<NetworkRow>(rows, total, 0, 0);
        }
        do
        {
            // The count, the member, the membership id (the order's tie-break), the counts and names.
            if (reader.IsDBNull(1)) break;
            rows.Add(new NetworkRow(reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt32(5), reader.GetInt32(6), reader.GetFieldValue<string[]>(7)));
        } while (await reader.ReadAsync(ct));
        return new Page<NetworkRow>(rows, total, 0, 0);
    }

    /// <summary>The whole network as nodes and edges, only for communities small enough to draw; null otherwise.</summary>
    public async Task<NetworkGraph?> GraphAsync(string viewerId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        if (await Communities.CommunityService.MemberCountAsync(db, communityId, ct) > GraphLimit) return null;
        var nodes = await db.Memberships.Where(m => m.CommunityId == communityId).OrderByDescending(m => m.TrustScore)
            .Select(m => new NetworkRow(m.UserId, m.User.DisplayName, m.TrustScore, 0, 0, new List<string>())).ToListAsync(ct);
        // Only edges between current members, filtered by the database: at most GraphLimit² of them.
        var live = db.Memberships.Where(m => m.CommunityId == communityId).Select(m => m.UserId);
        var edges = await db.TrustAwards.Where(a => a.CommunityId == communityId && live.Contains(a.GiverId) && live.Contains(a.ReceiverId))
            .Select(a => new NetworkEdge(a.GiverId, a.ReceiverId)).ToListAsync(ct);
        return new NetworkGraph(
            nodes.Select(n => n with { GivenCount = edges.Count(e => e.From == n.UserId), ReceivedCount = edges.Count(e => e.To == n.UserId) }).ToList(),
            edges);
    }

    public async Task<IReadOnlyList<TrustLevelInfo>> LevelsAsync(string viewerId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct)).Levels;
    }

    private static AwardLine Line(string userId, string name, DateTime renewedAt, DecaySettings decay, DateTime now) =>
        new(userId, name, renewedAt, TrustDecay.Weight(decay, renewedAt, now), decay.Enabled ? TrustDecay.DecayStarts(decay, renewedAt) : null);

    private static async Task<IReadOnlyList<HistoryLine>> HistoryAsync(AppDbContext db, Guid communityId,
        System.Linq.Expressions.Expression<Func<TrustHistoryEntry, bool>> filter, CancellationToken ct) =>
        await db.TrustHistory.Where(h => h.CommunityId == communityId).Where(filter)
            .OrderByDescending(h => h.CreatedAt).ThenByDescending(h => h.Id).Take(HistoryLimit)
            .Select(h => new HistoryLine(h.CreatedAt, h.Action, h.Actor.DisplayName, h.Subject.DisplayName, h.Points))
            .ToListAsync(ct);
}
