using CommunityApp.Resources;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using CommunityApp.Data;
using CommunityApp.Features.Communities;

namespace CommunityApp.Auth;

/// <summary>Why a permission is held or not; pages turn it into words ("granted by role Poll creator").</summary>
public enum PermissionReason
{
    /// <summary>Nobody is signed in.</summary>
    SignedOut,
    NotMember,
    Admin,
    FeatureRole,
    AllowList,
    TrustScore,
    BelowThreshold,
    /// <summary>The threshold names a trust level that no longer exists: refused, never read as 0.</summary>
    ThresholdMisconfigured,
    /// <summary>The permission is held, but the share asks for more trust than the member has (its own cap).</summary>
    BelowShareCap,
    /// <summary>Granted in a council's scope because the member manages that council.</summary>
    CouncilManager,
}

/// <summary>The answer to "may U do P in C": yes or no, and why.</summary>
public sealed record PermissionCheck(Permission Permission, bool Allowed, PermissionReason Reason, int Score, int? Required, FeatureRole? Role)
{
    /// <summary>The answer as a sentence for refusals and explanations ("You need 15 trust to award trust; you have 12.").</summary>
    public string Explain() => Reason switch
    {
        PermissionReason.SignedOut => Text.Get("Error.SignedOut"),
        PermissionReason.NotMember => Text.Get("Error.NotMember"),
        PermissionReason.BelowThreshold => Text.Get("Error.NeedTrust", Required, Text.Get($"Verb.{Permission}"), Score),
        PermissionReason.BelowShareCap => Text.Get("Error.ShareCap", Required, Score),
        PermissionReason.ThresholdMisconfigured => Text.Get("Error.ThresholdMissingLevel", Text.Get($"Verb.{Permission}")),
        PermissionReason.Admin => Text.Get("Error.AllowedAdmin"),
        PermissionReason.FeatureRole => Text.Get("Error.AllowedRole", Text.Get($"FeatureRole.{Role}")),
        PermissionReason.AllowList => Text.Get("Error.AllowedList"),
        PermissionReason.TrustScore => Text.Get("Error.AllowedTrust", Score, Required),
        PermissionReason.CouncilManager => Text.Get("Error.AllowedCouncilManager"),
        _ => throw new ArgumentOutOfRangeException(nameof(Reason), Reason, null),
    };

    /// <summary>The answer in a few words, beside a control ("Needs 15 trust, you have 12", "Granted by role Poll creator").</summary>
    public string Describe() => Reason switch
    {
        PermissionReason.SignedOut => Text.Get("Reason.SignedOut"),
        PermissionReason.NotMember => Text.Get("Reason.NotMember"),
        PermissionReason.BelowThreshold or PermissionReason.BelowShareCap => Text.Get("Reason.BelowThreshold", Required, Score),
        PermissionReason.ThresholdMisconfigured => Text.Get("Reason.ThresholdMisconfigured"),
        PermissionReason.Admin => Text.Get("Reason.Admin"),
        PermissionReason.FeatureRole => Text.Get("Reason.FeatureRole", Text.Get($"FeatureRole.{Role}")),
        PermissionReason.AllowList => Text.Get("Reason.AllowList"),
        PermissionReason.TrustScore => Text.Get("Reason.TrustScore", Score, Required),
        PermissionReason.CouncilManager => Text.Get("Reason.CouncilManager"),
        _ => throw new ArgumentOutOfRangeException(nameof(Reason), Reason, null),
    };

    /// <summary>The refusal to throw when the check failed: outsiders get the plain "not a member", others the reason.</summary>
    public AppException Refusal() => new ForbiddenException(Explain());
}

/// <summary>A trust level as the permission rules and pages need it.</summary>
public sealed record TrustLevelInfo(Guid Id, string Name, int MinScore);

/// <summary>Everything the permission rule needs to know about one member of one community, loaded in one query.</summary>
public sealed record MemberStanding(
    Guid CommunityId, Guid MembershipId, string UserId, MemberRole Role, int Score,
    IReadOnlySet<FeatureRole> FeatureRoles, CommunitySettings Settings, IReadOnlyList<TrustLevelInfo> Levels)
{
    public bool IsAdmin => Role == MemberRole.Admin;

    /// <summary>Councils of this community the member manages: the council scope and the <c>disputeHandlingCouncils</c> list read it.</summary>
    public IReadOnlySet<Guid> ManagedCouncils { get; init; } = new HashSet<Guid>();

    /// <summary>The trust an admin granted the member (part of <see cref="Score"/>).</summary>
    public int AdminGrant { get; init; }

    public bool Manages(Guid councilId) => ManagedCouncils.Contains(councilId);

    /// <summary>The member's title: the highest level whose minimum is at most the score.</summary>
    public TrustLevelInfo? Title => TrustTitles.For(Levels, Score);
}

public static class TrustTitles
{
    public static TrustLevelInfo? For(IEnumerable<TrustLevelInfo> levels, int score) =>
        levels.Where(l => l.MinScore <= score).MaxBy(l => l.MinScore);

    /// <summary>The score a threshold asks for, or null when it names a level that does not exist.</summary>
    public static int? Resolve(Threshold threshold, IEnumerable<TrustLevelInfo> levels) =>
        threshold.Type == ThresholdType.Number ? threshold.Value : levels.FirstOrDefault(l => l.Id == threshold.LevelId)?.MinScore;
}

/// <summary>
/// The one place that answers "may user U do P in community C, and why" (docs/SPEC.md §3.3):
/// admin OR a feature role that grants P OR an allow-list OR trust score ≥ the resolved threshold.
/// Services call <see cref="DemandAsync"/> inside their transaction; pages call <see cref="CheckAllAsync"/> to explain controls.
/// </summary>
public sealed class PermissionService(IDbContextFactory<AppDbContext> dbFactory)
{
    /// <summary>
    /// The rule, for a member's standing in the scope's community (null: not a member). The order is the order of
    /// docs/SPEC.md §3.3: admin, a feature role, an allow-list, then the trust score against the resolved threshold.
    /// </summary>
    public static PermissionCheck Decide(MemberStanding? member, Permission permission, PermissionScope scope)
    {
        if (member is null || member.CommunityId != scope.CommunityId) return new(permission, false, PermissionReason.NotMember, 0, null, null);
        var definition = PermissionCatalog.Get(permission);
        var required = TrustTitles.Resolve(member.Settings.ThresholdFor(permission), member.Levels);
        if (member.IsAdmin) return new(permission, true, PermissionReason.Admin, member.Score, required, null);
        if (definition.GrantedByRole is { } role && member.FeatureRoles.Contains(role)) return new(permission, true, PermissionReason.FeatureRole, member.Score, required, role);
        if (OnAllowList(member, permission)) return new(permission, true, PermissionReason.AllowList, member.Score, required, null);
        if (scope is CouncilScope council && member.Manages(council.CouncilId) && CouncilManagerPermissions.Contains(permission))
            return new(permission, true, PermissionReason.CouncilManager, member.Score, required, null);
        if (required is null) return new(permission, false, PermissionReason.ThresholdMisconfigured, member.Score, null, null);
        return member.Score >= required
            ? new(permission, true, PermissionReason.TrustScore, member.Score, required, null)
            : new(permission, false, PermissionReason.BelowThreshold, member.Score, required, null);
    }

    /// <summary>What a council's managers may do in its scope whatever their trust (docs/SPEC.md §3.1, §7, §8, §9).</summary>
    public static readonly IReadOnlySet<Permission> CouncilManagerPermissions = new HashSet<Permission> { Permission.PublishNeeds, Permission.CreatePools, Permission.CreatePolls };

    /// <summary>
    /// Managing one council (its inventory, contributions, shares and managers): its managers, and admins, who look after
    /// every council of their community (a council whose managers all left still has someone who can appoint new ones).
    /// </summary>
    public static bool MayManageCouncil(MemberStanding member, Guid councilId) => member.IsAdmin || member.Manages(councilId);

    /// <summary>The community scope of the member's own community: most checks.</summary>
    public static PermissionCheck Decide(MemberStanding member, Permission permission) =>
        Decide(member, permission, PermissionScope.Community(member.CommunityId));

    /// <summary>
    /// The community's allow-lists: <c>pollCreatorUsers</c> names users who may create polls, and
    /// <c>disputeHandlingCouncils</c> names councils whose managers handle disputes.
    /// </summary>
    private static bool OnAllowList(MemberStanding member, Permission permission) => permission switch
    {
        Permission.CreatePolls => member.Settings.PollCreatorUsers.Contains(member.UserId),
        Permission.HandleDisputes => member.Settings.DisputeHandlingCouncils.Any(member.ManagedCouncils.Contains),
        _ => false,
    };

    /// <summary>
    /// Requesting from one share: the request-wealth permission (or, through a checkout link, the checkout permission,
    /// docs/SPEC.md §19), then the share's own trust cap (admins are exempt).
    /// The one place that decides the cap; <see cref="MeetsShareCap"/> is the same rule for a query.
    /// </summary>
    public static PermissionCheck DecideShareRequest(MemberStanding member, int? shareMinTrust, Permission permission = Permission.RequestWealth)
    {
        var check = Decide(member, permission);
        return check.Allowed && shareMinTrust is { } cap && !member.IsAdmin && member.Score < cap
            ? check with { Allowed = false, Reason = PermissionReason.BelowShareCap, Required = cap }
            : check;
    }

    /// <summary>The share cap of <see cref="DecideShareRequest"/> as a filter the database runs.</summary>
    public static System.Linq.Expressions.Expression<Func<Features.Wealth.Share, bool>> MeetsShareCap(MemberStanding member)
    {
        if (member.IsAdmin) return s => true;
        var score = member.Score;
        return s => s.MinTrust == null || s.MinTrust <= score;
    }

    /// <summary>
    /// The member's standing in one round trip: their row, feature roles and managed councils, and the community's
    /// settings and levels from <see cref="CommunityCache"/> when its stamp (read in the same query) still matches; a second
    /// query reads them when it does not.
    /// </summary>
    public static async Task<MemberStanding?> LoadStandingAsync(AppDbContext db, Guid communityId, string userId, CancellationToken ct = default)
    {
        var row = db is PostgresAppDbContext
            ? await ReadStandingAsync(db, communityId, userId, ct)
            : await db.Memberships
                .Where(m => m.CommunityId == communityId && m.UserId == userId)
                .Select(m => new StandingRow(
                    m.Id,
                    m.Role,
                    m.TrustScore,
                    m.AdminGrant,
                    m.FeatureRoles.Select(r => r.Role).ToList(),
                    // Correlated on the membership row, so it joins (SQLite has no APPLY).
                    db.CouncilManagers.Where(c => c.UserId == m.UserId && c.Council.CommunityId == m.CommunityId).Select(c => c.CouncilId).ToList(),
                    m.Community.UpdatedAt,
                    m.Community.TrustLevels.Count(),
                    m.Community.TrustLevels.Max(l => (DateTime?)l.UpdatedAt)))
                // One round trip: the small collections (feature roles, managed councils) join onto the one membership row.
                .AsSingleQuery()
                .SingleOrDefaultAsync(ct);
        return row is null ? null : await StandingAsync(db, communityId, userId, row, ct);
    }

    /// <summary>The standing of a member's row: the community's settings and levels from the cache, or read when its stamp moved.</summary>
    private static async Task<MemberStanding> StandingAsync(AppDbContext db, Guid communityId, string userId, StandingRow row, CancellationToken ct)
    {
        var stamp = new CommunityCache.Stamp(row.UpdatedAt, row.LevelCount, row.LevelsUpdatedAt);
        var community = CommunityCache.Get(communityId, stamp) ?? await LoadCommunityAsync(db, communityId, ct);
        return new MemberStanding(communityId, row.Id, userId, row.Role, row.TrustScore, row.Roles.ToHashSet(), community.Settings, community.Levels)
        {
            ManagedCouncils = row.Councils.ToHashSet(),
            AdminGrant = row.AdminGrant,
        };
    }

    /// <summary>
    /// <see cref="DemandMemberAsync"/> and a page's own statements in one round trip (PostgreSQL): one batch, the standing
    /// statement first, then <paramref name="statements"/>. <paramref name="read"/> reads their results, and only when the
    /// member's row is there; for anyone else the results are dropped unread and the refusal is the one
    /// <see cref="DemandMemberAsync"/> gives. The statements must not depend on the standing: a page whose query does (an
    /// admin's wider search) checks it afterwards.
    /// </summary>
    public static async Task<(MemberStanding Standing, T Result)> DemandMemberInBatchAsync<T>(AppDbContext db, Guid communityId, string userId,
        IEnumerable<Npgsql.NpgsqlBatchCommand> statements, Func<Npgsql.NpgsqlDataReader, CancellationToken, Task<T>> read, CancellationToken ct = default)
    {
        StandingRow? row;
        T result = default!;
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var batch = new Npgsql.NpgsqlBatch((Npgsql.NpgsqlConnection)db.Database.GetDbConnection(),
                (Npgsql.NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
            batch.BatchCommands.Add(new Npgsql.NpgsqlBatchCommand(StandingSql) { Parameters = { new() { Value = communityId }, new() { Value = userId } } });
            foreach (var statement in statements) batch.BatchCommands.Add(statement);
            await using (var reader = await batch.ExecuteReaderAsync(ct))
            {
                row = await ReadStandingRowAsync(reader, ct);
                if (row is not null)
                {
                    await reader.NextResultAsync(ct);
                    result = await read(reader, ct);
                }
            }
            // The community's settings when the cache's stamp moved, and the refusal's question, once the batch's reader is closed.
            return row is null
                ? throw await NotVisibleAsync(db, communityId, ct)
                : (await StandingAsync(db, communityId, userId, row, ct), result);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The member's row of <see cref="LoadStandingAsync"/>, with the community's stamp.</summary>
    private sealed record StandingRow(Guid Id, MemberRole Role, int TrustScore, int AdminGrant, List<FeatureRole> Roles, List<Guid> Councils,
        DateTime UpdatedAt, int LevelCount, DateTime? LevelsUpdatedAt);

    /// <summary>
    /// The standing query on PostgreSQL, written as SQL: the same row, with the feature roles and managed councils as
    /// arrays rather than joined rows, read straight from the reader. It is the fixed cost of every page and action, and
    /// EF Core's single query (joins ordered for its collection shaper) and materialisation cost about as much again as
    /// the statement itself (measured in <c>./bench.sh</c>'s permission check). The filters are the model's query filters:
    /// a deleted membership, community or council is not there.
    /// </summary>
    private static async Task<StandingRow?> ReadStandingAsync(AppDbContext db, Guid communityId, string userId, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = new Npgsql.NpgsqlCommand(StandingSql, (Npgsql.NpgsqlConnection)db.Database.GetDbConnection())
            {
                Transaction = (Npgsql.NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction(),
                Parameters = { new() { Value = communityId }, new() { Value = userId } },
            };
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await ReadStandingRowAsync(reader, ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The standing statement of <see cref="ReadStandingAsync"/>: $1 the community, $2 the member.</summary>
    private const string StandingSql = """
        SELECT m.id, m.role, m.trust_score, m.admin_grant,
               ARRAY(SELECT r.role FROM member_feature_roles r WHERE r.membership_id = m.id),
               ARRAY(SELECT cm.council_id FROM council_managers cm JOIN councils co ON co.id = cm.council_id
                     WHERE cm.user_id = m.user_id AND co.community_id = m.community_id AND co.deleted_at IS NULL),
               c.updated_at,
               (SELECT count(*)::int FROM trust_levels l WHERE l.community_id = c.id),
               (SELECT max(l.updated_at) FROM trust_levels l WHERE l.community_id = c.id)
        FROM memberships m JOIN communities c ON c.id = m.community_id
        WHERE m.community_id = $1 AND m.user_id = $2 AND m.deleted_at IS NULL AND c.deleted_at IS NULL
        """;

    /// <summary>The member's row from the standing statement's result (null: not a member).</summary>
    private static async Task<StandingRow?> ReadStandingRowAsync(Npgsql.NpgsqlDataReader reader, CancellationToken ct)
    {
        if (!await reader.ReadAsync(ct)) return null;
        var row = new StandingRow(reader.GetGuid(0), Enum.Parse<MemberRole>(reader.GetString(1)), reader.GetInt32(2), reader.GetInt32(3),
            reader.GetFieldValue<string[]>(4).Select(Enum.Parse<FeatureRole>).ToList(), reader.GetFieldValue<Guid[]>(5).ToList(),
            reader.GetDateTime(6), reader.GetInt32(7), reader.IsDBNull(8) ? null : reader.GetDateTime(8));
        // One active membership per member and community (a filtered unique index), as SingleOrDefault would insist.
        return await reader.ReadAsync(ct) ? throw new InvalidOperationException("More than one membership row.") : row;
    }

    /// <summary>Reads a community's settings and levels with their stamp, and caches them.</summary>
    private static async Task<CommunityCache.Entry> LoadCommunityAsync(AppDbContext db, Guid communityId, CancellationToken ct)
    {
        var read = await db.Communities.IgnoreQueryFilters().Where(c => c.Id == communityId)
            .Select(c => new
            {
                c.Settings,
                c.UpdatedAt,
                Levels = c.TrustLevels.Select(l => new TrustLevelInfo(l.Id, l.Name, l.MinScore)).ToList(),
                LevelsUpdatedAt = c.TrustLevels.Max(l => (DateTime?)l.UpdatedAt),
            })
            .AsSingleQuery()
            .SingleAsync(ct);
        var entry = new CommunityCache.Entry(new CommunityCache.Stamp(read.UpdatedAt, read.Levels.Count, read.LevelsUpdatedAt), read.Settings, read.Levels);
        CommunityCache.Set(communityId, entry);
        return entry;
    }

    /// <summary>May <paramref name="userId"/> (empty: signed out) do <paramref name="permission"/> in <paramref name="scope"/>, and why.</summary>
    public async Task<PermissionCheck> CheckAsync(string? userId, Permission permission, PermissionScope scope, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(userId)) return new(permission, false, PermissionReason.SignedOut, 0, null, null);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return Decide(await LoadStandingAsync(db, scope.CommunityId, userId, ct), permission, scope);
    }

    /// <summary>Every permission for one member, in the order of docs/SPEC.md §3.3, for pages that explain what the member can do.</summary>
    public async Task<IReadOnlyList<PermissionCheck>> CheckAllAsync(string? userId, PermissionScope scope, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(userId)) return PermissionCatalog.All.Select(p => new PermissionCheck(p.Permission, false, PermissionReason.SignedOut, 0, null, null)).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var standing = await LoadStandingAsync(db, scope.CommunityId, userId, ct);
        return PermissionCatalog.All.Select(p => Decide(standing, p.Permission, scope)).ToList();
    }

    /// <summary>The member's standing if they hold the permission in the scope; otherwise a <see cref="ForbiddenException"/> that says why.</summary>
    public static async Task<MemberStanding> DemandAsync(AppDbContext db, string userId, Permission permission, PermissionScope scope, CancellationToken ct = default)
    {
        var standing = await DemandMemberAsync(db, scope.CommunityId, userId, ct);
        var check = Decide(standing, permission, scope);
        return check.Allowed ? standing : throw check.Refusal();
    }

    /// <summary><see cref="DemandAsync(AppDbContext, string, Permission, PermissionScope, CancellationToken)"/> in the community scope.</summary>
    public static Task<MemberStanding> DemandAsync(AppDbContext db, Guid communityId, string userId, Permission permission, CancellationToken ct = default) =>
        DemandAsync(db, userId, permission, PermissionScope.Community(communityId), ct);

    public static async Task<MemberStanding> DemandMemberAsync(AppDbContext db, Guid communityId, string userId, CancellationToken ct = default) =>
        await LoadStandingAsync(db, communityId, userId, ct) ?? throw await NotVisibleAsync(db, communityId, ct);

    public static async Task<MemberStanding> DemandAdminAsync(AppDbContext db, Guid communityId, string userId, CancellationToken ct = default) =>
        RequireAdmin(await DemandMemberAsync(db, communityId, userId, ct));

    /// <summary>The standing when it is an admin's; otherwise <see cref="DemandAdminAsync"/>'s refusal.</summary>
    public static MemberStanding RequireAdmin(MemberStanding standing) =>
        standing.IsAdmin ? standing : throw new ForbiddenException(Text.Get("Error.AdminsOnly"));

    /// <summary>Outsiders learn only whether the community exists, never anything in it.</summary>
    public static async Task<AppException> NotVisibleAsync(AppDbContext db, Guid communityId, CancellationToken ct) =>
        await db.Communities.AnyAsync(c => c.Id == communityId, ct)
            ? new ForbiddenException(Text.Get("Error.NotMember"))
            : new NotFoundException(Text.Get("Error.CommunityNotFound"));
}
