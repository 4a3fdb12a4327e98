using CommunityApp.Resources;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Trust;

namespace CommunityApp.Features.Members;

public enum MemberSort
{
    TrustDescending,
    TrustAscending,
    Name,
    NameDescending,
    Newest,
}

/// <summary>
/// What the member list asks for. <see cref="After"/> pages by keyset (the rows after that one in the sort, as "next" does);
/// without it, <see cref="PageIndex"/> skips whole pages (a jump to a page not reached one by one).
/// </summary>
public sealed record MemberQuery(string? Search = null, MemberSort Sort = MemberSort.TrustDescending, int PageIndex = 0, int PageSize = 25,
    MemberCursor? After = null);

/// <summary>Where a page of members ended, in every sort's terms: the next page starts after it.</summary>
public sealed record MemberCursor(int TrustScore, DateTime JoinedAt, string DisplayName, string UserName, Guid MembershipId);

public sealed record MemberRow(
    string UserId, string DisplayName, string UserName, string? Email, MemberRole Role,
    IReadOnlyList<FeatureRole> FeatureRoles, int TrustScore, string? Title, DateTime JoinedAt, bool AwardedByMe);

/// <summary>
/// One page of members. <see cref="Total"/> counts matches only up to <see cref="MemberService.CountCap"/> + 1
/// (<see cref="TotalCapped"/>: "more than 10000"); <see cref="Next"/> is the cursor of the page after, null on the last.
/// </summary>
public sealed record MemberPage(IReadOnlyList<MemberRow> Items, int Total, int PageIndex, int PageSize, MemberCursor? Next)
{
    public bool TotalCapped => Total > MemberService.CountCap;
}

/// <summary>Membership (docs/SPEC.md §3.1, §3.2): the member list, roles, feature roles, removal and leaving, with the last-admin rule.</summary>
public sealed class MemberService(IDbContextFactory<AppDbContext> dbFactory, IEventHub events, TimeProvider clock)
{
    public const int MaxPageSize = 100;

    /// <summary>
    /// The pager's total stops here ("more than 10000"), so its last page is never more than 10,000 members in. The
    /// community's members are not counted (the database keeps the count, <see cref="Community.MemberCount"/>);
    /// a search's matches are, up to this cap.
    /// </summary>
    public const int CountCap = 10_000;

    /// <summary>
    /// One page of members, searchable by name and username (and e-mail for admins) anywhere in the text, sorted by trust,
    /// name or newest. Every sort has an index to walk and a total order (ties broken by the membership id, or the
    /// username for names), so keyset pages never skip or repeat a member.
    /// </summary>
    public Task<MemberPage> ListAsync(string actorId, Guid communityId, MemberQuery query, CancellationToken ct = default) =>
        ListAsync(actorId, communityId, query, oneBatch: null, ct);

    /// <summary>
    /// <see cref="ListAsync(string, Guid, MemberQuery, CancellationToken)"/>, through the one-batch path of PostgreSQL
    /// (<paramref name="oneBatch"/> null: wherever the database is PostgreSQL) or EF Core's (tests compare the two).
    /// </summary>
    internal async Task<MemberPage> ListAsync(string actorId, Guid communityId, MemberQuery query, bool? oneBatch, CancellationToken ct = default)
    {
        var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var pageIndex = Math.Max(0, query.PageIndex);
        var search = query.Search?.Trim();
        if (!Texts.IsStorable(search)) throw new ValidationFailedException(new Dictionary<string, string> { ["search"] = Texts.UnstorableMessage });
        if (string.IsNullOrEmpty(search)) search = null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (me, total, rows) = oneBatch ?? db.Database.IsNpgsql()
            ? await ReadInOneBatchAsync(db, actorId, communityId, query, search, pageIndex, pageSize, ct)
            : await ReadThroughEfAsync(db, actorId, communityId, query, search, pageIndex, pageSize, ct);
        var shown = rows.Take(pageSize).ToList();
        var items = shown.Select(r => new MemberRow(
                r.UserId, r.DisplayName, r.UserName, me.IsAdmin ? r.Email : null, r.Role,
                r.Roles.Order().ToList(), r.TrustScore, TrustTitles.For(me.Levels, r.TrustScore)?.Name, r.CreatedAt, r.AwardedByMe))
            .ToList();
        var next = rows.Count > pageSize && shown[^1] is var last ? new MemberCursor(last.TrustScore, last.CreatedAt, last.DisplayName, last.UserName, last.Id) : null;
        return new MemberPage(items, total, pageIndex, pageSize, next);
    }

    /// <summary>A row of the member list as read, before the viewer's rights shape it (up to one more than the page, to know there is a next).</summary>
    private sealed record ListedMember(Guid Id, string UserId, string DisplayName, string UserName, string? Email, MemberRole Role, int TrustScore,
        DateTime CreatedAt, IReadOnlyList<FeatureRole> Roles, bool AwardedByMe);

    private static async Task<(MemberStanding Me, int Total, List<ListedMember> Rows)> ReadThroughEfAsync(AppDbContext db, string actorId, Guid communityId,
        MemberQuery query, string? search, int pageIndex, int pageSize, CancellationToken ct)
    {
        var me = await PermissionService.DemandMemberAsync(db, communityId, actorId, ct);
        var members = db.Memberships.Where(m => m.CommunityId == communityId);
        if (search is not null)
        {
            // An infix LIKE on the lower-cased display name and the normalized columns: PostgreSQL answers it from trigram
            // indexes (pg_trgm), so a keystroke does not scan every member.
            var lower = Names.LikeContains(search.ToLowerInvariant());
            var upper = Names.LikeContains(search.ToUpperInvariant());
            members = me.IsAdmin
                ? members.Where(m => EF.Functions.Like(m.User.NormalizedUserName!, upper, Names.LikeEscape) || EF.Functions.Like(m.User.DisplayName.ToLower(), lower, Names.LikeEscape)
                                     || (m.User.EmailConfirmed && EF.Functions.Like(m.User.NormalizedEmail!, upper, Names.LikeEscape)))
                : members.Where(m => EF.Functions.Like(m.User.NormalizedUserName!, upper, Names.LikeEscape) || EF.Functions.Like(m.User.DisplayName.ToLower(), lower, Names.LikeEscape));
        }
        var total = search is null
            ? Math.Min(await CommunityService.MemberCountAsync(db, communityId, ct), CountCap + 1)
            : await members.Take(CountCap + 1).CountAsync(ct);
        if (query.After is { } after) members = After(members, query.Sort, after);
        members = query.Sort switch
        {
            // Ties broken by the membership id so the (community, trust, id) index serves the first page without a sort.
            MemberSort.TrustAscending => members.OrderBy(m => m.TrustScore).ThenBy(m => m.Id),
            MemberSort.Name => members.OrderBy(m => m.User.DisplayName).ThenBy(m => m.User.UserName),
            MemberSort.NameDescending => members.OrderByDescending(m => m.User.DisplayName).ThenByDescending(m => m.User.UserName),
            MemberSort.Newest => members.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id),
            _ => members.OrderByDescending(m => m.TrustScore).ThenByDescending(m => m.Id),
        };
        if (query.After is null) members = members.Skip(Paging.Offset(pageIndex, pageSize));
        var rows = await members
            .Take(pageSize + 1)
            .Select(m => new
            {
                m.Id, m.UserId, m.User.DisplayName, m.User.UserName, Email = m.User.EmailConfirmed ? m.User.Email : null, m.Role, m.TrustScore, m.CreatedAt,
                Roles = m.FeatureRoles.Select(r => r.Role).ToList(),
                AwardedByMe = db.TrustAwards.Any(a => a.CommunityId == communityId && a.GiverId == actorId && a.ReceiverId == m.UserId),
            })
            // One round trip: the feature roles (a few per member at most) join onto the page's rows.
            .AsSingleQuery()
            .ToListAsync(ct);
        return (me, total, rows.Select(r => new ListedMember(r.Id, r.UserId, r.DisplayName, r.UserName!, r.Email, r.Role, r.TrustScore, r.CreatedAt, r.Roles, r.AwardedByMe)).ToList());
    }

    /// <summary>
    /// The member list on PostgreSQL in one round trip: the viewer's standing, the capped count and the page (its feature
    /// roles and "awarded by me" read per row of the page) in one batch of plain SQL, the same conditions, order and rows as
    /// <see cref="ReadThroughEfAsync"/>. The search is a member's (names and usernames); when the viewer turns out to be an
    /// admin, whose search also reads confirmed e-mails, the count and the page are read again with that condition.
    /// </summary>
    private static async Task<(MemberStanding Me, int Total, List<ListedMember> Rows)> ReadInOneBatchAsync(AppDbContext db, string actorId, Guid communityId,
        MemberQuery query, string? search, int pageIndex, int pageSize, CancellationToken ct)
    {
        var (me, (total, rows)) = await PermissionService.DemandMemberInBatchAsync(db, communityId, actorId,
            ListStatements(actorId, communityId, query, search, emails: false, pageIndex, pageSize), ReadListAsync, ct);
        if (search is null || !me.IsAdmin) return (me, total, rows);
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var batch = new Npgsql.NpgsqlBatch((Npgsql.NpgsqlConnection)db.Database.GetDbConnection());
            foreach (var statement in ListStatements(actorId, communityId, query, search, emails: true, pageIndex, pageSize)) batch.BatchCommands.Add(statement);
            await using var reader = await batch.ExecuteReaderAsync(ct);
            (total, rows) = await ReadListAsync(reader, ct);
            return (me, total, rows);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// The capped count and the page of <see cref="ReadInOneBatchAsync"/>. Without a search, two statements: the count
    /// (the community's kept member count, capped) and the page, walking the sort's index. With one, a single statement, so
    /// that no plan depends on the planner's guess of how many members match: the matches are read once, up to the cap,
    /// from the trigram indexes (the count); when they are fewer than the cap the page is sorted from them, and only
    /// when there are more (a broad search) does the page walk the sort's index, where matches are then near. Left to
    /// itself, the planner walked the trust index for some rare infixes it guessed common, reading a hundred thousand
    /// members for 26 rows (about 0.5 s at 500,000 members, one search in ten).
    /// </summary>
    private static Npgsql.NpgsqlBatchCommand[] ListStatements(string actorId, Guid communityId, MemberQuery query, string? search, bool emails,
        int pageIndex, int pageSize)
    {
        var count = new Npgsql.NpgsqlBatchCommand();
        var page = new Npgsql.NpgsqlBatchCommand();
        // $n placeholders, numbered per statement.
        static string Add(Npgsql.NpgsqlBatchCommand command, object value)
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = value });
            return "$" + command.Parameters.Count;
        }

        var community = Add(page, communityId);
        var actor = Add(page, actorId);
        var match = "";
        if (search is not null)
        {
            var lower = Add(page, Names.LikeContains(search.ToLowerInvariant()));
            var upper = Add(page, Names.LikeContains(search.ToUpperInvariant()));
            var email = emails ? $" OR (u.email_confirmed AND u.normalized_email LIKE {upper} ESCAPE '\\')" : "";
            match = $" AND (u.normalized_user_name LIKE {upper} ESCAPE '\\' OR lower(u.display_name) LIKE {lower} ESCAPE '\\'{email})";
        }
        // The sort's column and its tie-break, as EF Core's OrderBy/ThenBy of the same sort.
        var (first, tie, descending) = query.Sort switch
        {
            MemberSort.TrustAscending => ("trust_score", "id", false),
            MemberSort.Name => ("display_name", "user_name", false),
            MemberSort.NameDescending => ("display_name", "user_name", true),
            MemberSort.Newest => ("created_at", "id", true),
            _ => ("trust_score", "id", true),
        };
        string Of(string column) => column is "display_name" or "user_name" ? "u." + column : "m." + column;
        var direction = descending ? " DESC" : "";
        string Order(Func<string, string> of) => $"{of(first)}{direction}, {of(tie)}{direction}";
        Func<Func<string, string>, string> afterOn = _ => "";
        if (query.After is { } c)
        {
            // The rows after the cursor in the sort; the first condition repeats the keyset's bound so the index range starts there.
            var (firstValue, tieValue) = query.Sort switch
            {
                MemberSort.Name or MemberSort.NameDescending => ((object)c.DisplayName, (object)c.UserName),
                MemberSort.Newest => (c.JoinedAt, c.MembershipId),
                _ => (c.TrustScore, c.MembershipId),
            };
            var (bound, tieBound, beyond) = (Add(page, firstValue), Add(page, tieValue), descending ? "<" : ">");
            afterOn = of => $" AND {of(first)} {beyond}= {bound} AND ({of(first)} {beyond} {bound} OR {of(tie)} {beyond} {tieBound})";
        }
        var after = afterOn(Of);
        var limit = (query.After is null ? $" OFFSET {Add(page, Paging.Offset(pageIndex, pageSize))}" : "") + $" LIMIT {Add(page, pageSize + 1)}";
        var members = $"memberships m JOIN asp_net_users u ON u.id = m.user_id WHERE m.community_id = {community} AND m.deleted_at IS NULL{match}";
        const string Columns = "m.id, m.user_id, u.display_name, u.user_name, CASE WHEN u.email_confirmed THEN u.email END AS email, m.role, m.trust_score, m.created_at";
        string OfPage(string column) => "p." + column;
        // The page's rows, each with its feature roles and whether the viewer awarded them, read for the page's rows only.
        var row = $"""
            p.id, p.user_id, p.display_name, p.user_name, p.email, p.role, p.trust_score, p.created_at,
                   ARRAY(SELECT r.role FROM member_feature_roles r WHERE r.membership_id = p.id),
                   EXISTS (SELECT 1 FROM trust_awards a WHERE a.deleted_at IS NULL AND a.community_id = {community} AND a.giver_id = {actor} AND a.receiver_id = p.user_id)
            """;
        if (search is null)
        {
            count.CommandText = $"""
                SELECT coalesce((SELECT least(c.member_count, {CountCap + 1}) FROM communities c WHERE c.id = {Add(count, communityId)}), 0)
                """;
            page.CommandText = $"""
                SELECT {row}
                FROM (SELECT {Columns} FROM {members}{after} ORDER BY {Order(Of)}{limit}) p
                ORDER BY {Order(OfPage)}
                """;
            return [count, page];
        }
        // The matches start from the users the trigram indexes find, each looked up in the community by its membership
        // (a LATERAL with LIMIT 1, which the planner cannot turn into a join): joined the other way, the planner's guess of
        // 1% matching (above) made it hash the community's every membership, 30 ms at 500,000 members, for 200 matches.
        var matchedMembers = $"""
            asp_net_users u CROSS JOIN LATERAL (SELECT m.id, m.user_id, m.role, m.trust_score, m.created_at FROM memberships m
                WHERE m.community_id = {community} AND m.user_id = u.id AND m.deleted_at IS NULL LIMIT 1) m
            WHERE TRUE{match}
            """;
        page.CommandText = $"""
            WITH matched AS MATERIALIZED (SELECT {Columns} FROM {matchedMembers} LIMIT {CountCap + 1}),
                 counted AS (SELECT count(*)::int AS n FROM matched),
                 shown AS ((SELECT p.* FROM matched p WHERE (SELECT n FROM counted) <= {CountCap}{afterOn(OfPage)} ORDER BY {Order(OfPage)}{limit})
                           UNION ALL
                           (SELECT {Columns} FROM {members}{after} AND (SELECT n FROM counted) > {CountCap} ORDER BY {Order(Of)}{limit}))
            SELECT counted.n, page.*
            FROM counted LEFT JOIN LATERAL (SELECT {row} FROM shown p) page ON true
            ORDER BY {Order(column => "page." + column)}
            """;
        return [page];
    }

    /// <summary>
    /// Reads <see cref="ListStatements"/>' results: the count, then the page's rows; or, from the one statement of a search,
    /// rows that each carry the count first (one row of nulls but the count when the page is empty).
    /// </summary>
    private static async Task<(int Total, List<ListedMember> Rows)> ReadListAsync(Npgsql.NpgsqlDataReader reader, CancellationToken ct)
    {
        await reader.ReadAsync(ct);
        var total = reader.GetInt32(0);
        var rows = new List<ListedMember>();
        var column = 1;
        if (reader.FieldCount == 1)
        {
            await reader.NextResultAsync(ct);
            if (!await reader.ReadAsync(ct)) return (total, rows);
            column = 0;
        }
        do
        {
            if (reader.IsDBNull(column)) break;
            rows.Add(new ListedMember(reader.GetGuid(column), reader.GetString(column + 1), reader.GetString(column + 2), reader.GetString(column + 3),
                reader.IsDBNull(column + 4) ? null : reader.GetString(column + 4), Enum.Parse<MemberRole>(reader.GetString(column + 5)),
                reader.GetInt32(column + 6), reader.GetDateTime(column + 7), reader.GetFieldValue<string[]>(column + 8).Select(Enum.Parse<FeatureRole>).ToList(),
                reader.GetBoolean(column + 9)));
        } while (await reader.ReadAsync(ct));
        return (total, rows);
    }

    /// <summary>The members after <paramref name="c"/> in <paramref name="sort"/>; the first condition repeats the keyset's bound so the index range starts there.</summary>
    private static IQueryable<Membership> After(IQueryable<Membership> members, MemberSort sort, MemberCursor c) => sort switch
    {
        MemberSort.TrustAscending => members.Where(m => m.TrustScore >= c.TrustScore && (m.TrustScore > c.TrustScore || m.Id.CompareTo(c.MembershipId) > 0)),
        MemberSort.Name => members.Where(m => m.User.DisplayName.CompareTo(c.DisplayName) >= 0
            && (m.User.DisplayName.CompareTo(c.DisplayName) > 0 || m.User.UserName!.CompareTo(c.UserName) > 0)),
        MemberSort.NameDescending => members.Where(m => m.User.DisplayName.CompareTo(c.DisplayName) <= 0
            && (m.User.DisplayName.CompareTo(c.DisplayName) < 0 || m.User.UserName!.CompareTo(c.UserName) < 0)),
        MemberSort.Newest => members.Where(m => m.CreatedAt <= c.JoinedAt && (m.CreatedAt < c.JoinedAt || m.Id.CompareTo(c.MembershipId) < 0)),
        _ => members.Where(m => m.TrustScore <= c.TrustScore && (m.TrustScore < c.TrustScore || m.Id.CompareTo(c.MembershipId) < 0)),
    };

    public async Task ChangeRoleAsync(string actorId, Guid communityId, string userId, MemberRole role, CancellationToken ct = default)
    {
        if (!Enum.IsDefined(role))
            throw new ValidationFailedException(new Dictionary<string, string> { ["role"] = Text.Get("Error.ChooseRole") });
        await InAdminTransactionAsync(actorId, communityId, async db =>
        {
            var target = await FindMemberAsync(db, communityId, userId, ct);
            if (target.Role == role) return;
            if (target.Role == MemberRole.Admin)
            {
                await EnsureAnotherAdminAsync(db, communityId, userId, Text.Get("Error.LastAdminDemote"), ct);
                // What they could grant as an admin ends with the role (docs/SPEC.md §11).
                await InviteService.CancelCreatedByAsync(db, communityId, userId, actorId, "creatorDemoted", Now, ct);
            }
            db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.RoleChanged,
                new { role = AuditEntry.Change(target.Role.ToString(), role.ToString()) }, userId, Now));
            target.Role = role;
        }, ct);
    }

    public async Task GrantFeatureRoleAsync(string actorId, Guid communityId, string userId, FeatureRole role, CancellationToken ct = default)
    {
        if (!Enum.IsDefined(role)) throw new ValidationFailedException(new Dictionary<string, string> { ["Role"] = Text.Get("Error.UnknownRole") });
        await InAdminTransactionAsync(actorId, communityId, async db =>
        {
            var target = await FindMemberAsync(db, communityId, userId, ct);
            if (await db.MemberFeatureRoles.AnyAsync(r => r.MembershipId == target.Id && r.Role == role, ct)) return;
            db.MemberFeatureRoles.Add(new MemberFeatureRole { MembershipId = target.Id, Role = role });
            db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.FeatureRoleGranted, new { role = role.ToString() }, userId, Now));
        }, ct);
    }

    /// <summary>Revokes a role an admin granted. Access the member earned by trust is untouched: it changes only with the score.</summary>
    public async Task RevokeFeatureRoleAsync(string actorId, Guid communityId, string userId, FeatureRole role, CancellationToken ct = default)
    {
        await InAdminTransactionAsync(actorId, communityId, async db =>
        {
            var target = await FindMemberAsync(db, communityId, userId, ct);
            var granted = await db.MemberFeatureRoles.SingleOrDefaultAsync(r => r.MembershipId == target.Id && r.Role == role, ct);
            if (granted is null) return;
            db.MemberFeatureRoles.Remove(granted);
            db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.FeatureRoleRevoked, new { role = role.ToString() }, userId, Now));
        }, ct);
    }

    /// <summary>An admin removes a member; their awards, given and received, end with the membership (docs/SPEC.md §4.1).</summary>
    public async Task RemoveAsync(string actorId, Guid communityId, string userId, CancellationToken ct = default)
    {
        if (userId == actorId) throw new AppException(Text.Get("Error.UseLeave"));
        IReadOnlyList<string> affected = [];
        await InAdminTransactionAsync(actorId, communityId, async (db, admin) =>
        {
            var target = await FindMemberAsync(db, communityId, userId, ct);
            if (target.Role == MemberRole.Admin) await EnsureAnotherAdminAsync(db, communityId, userId, Text.Get("Error.LastAdminRemove"), ct);
            affected = await TrustService.EndAwardsAsync(db, communityId, target, admin.Settings.Decay, Now, ct);
            await InviteService.CancelCreatedByAsync(db, communityId, userId, actorId, "creatorRemoved", Now, ct);
            target.DeletedAt = Now;
            target.RemovedBy = actorId;
            db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.MemberRemoved, new { role = target.Role.ToString() }, userId, Now));
        }, ct);
        PublishTrustChanged(communityId, affected);
    }

    public async Task LeaveAsync(string actorId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var affected = await db.InTransactionAsync(async () =>
        {
            await LockCommunityAsync(db, communityId, ct);
            var standing = await PermissionService.DemandMemberAsync(db, communityId, actorId, ct);
            var me = await FindMemberAsync(db, communityId, actorId, ct);
            if (me.Role == MemberRole.Admin) await EnsureAnotherAdminAsync(db, communityId, actorId, Text.Get("Error.LastAdminLeave"), ct);
            var affected = await TrustService.EndAwardsAsync(db, communityId, me, standing.Settings.Decay, Now, ct);
            await InviteService.CancelCreatedByAsync(db, communityId, actorId, actorId, "creatorLeft", Now, ct);
            me.DeletedAt = Now;
            db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.MemberLeft, new { role = me.Role.ToString() }, actorId, Now));
            await db.SaveChangesAsync(ct);
            return affected;
        }, ct);
        PublishTrustChanged(communityId, affected);
    }

    private void PublishTrustChanged(Guid communityId, IEnumerable<string> members)
    {
        foreach (var userId in members) events.Publish(new TrustChanged(communityId, userId));
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Admin actions on membership run in one transaction that first locks the community row, so two
    /// admins demoting each other at the same moment cannot leave the community without an admin.
    /// </summary>
    private Task InAdminTransactionAsync(string actorId, Guid communityId, Func<AppDbContext, Task> change, CancellationToken ct) =>
        InAdminTransactionAsync(actorId, communityId, (db, _) => change(db), ct);

    private async Task InAdminTransactionAsync(string actorId, Guid communityId, Func<AppDbContext, MemberStanding, Task> change, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await db.InTransactionAsync(async () =>
        {
            await LockCommunityAsync(db, communityId, ct);
            var admin = await PermissionService.DemandAdminAsync(db, communityId, actorId, ct);
            await change(db, admin);
            await db.SaveChangesAsync(ct);
        }, ct);
    }

    /// <summary>Locks the community row until the transaction ends (see <see cref="RowLocks"/>).</summary>
    internal static Task LockCommunityAsync(AppDbContext db, Guid communityId, CancellationToken ct) =>
        db.LockForUpdateAsync<Community>(c => c.Id == communityId, ct);

    private static async Task<Membership> FindMemberAsync(AppDbContext db, Guid communityId, string userId, CancellationToken ct) =>
        await db.Memberships.SingleOrDefaultAsync(m => m.CommunityId == communityId && m.UserId == userId, ct)
        ?? throw new NotFoundException(Text.Get("Error.PersonNotMember"));

    private static async Task EnsureAnotherAdminAsync(AppDbContext db, Guid communityId, string userId, string refusal, CancellationToken ct)
    {
        if (!await db.Memberships.AnyAsync(m => m.CommunityId == communityId && m.Role == MemberRole.Admin && m.UserId != userId, ct))
            throw new AppException(refusal);
    }
}
