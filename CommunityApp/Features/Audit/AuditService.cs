using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;

namespace CommunityApp.Features.Audit;

/// <summary>
/// The log's filter and page. <see cref="After"/> pages by keyset (the entries older than that one, as "next" does);
/// without it, <see cref="PageIndex"/> skips whole pages.
/// </summary>
public sealed record AuditFilter(string? ActorId = null, AuditAction? Action = null, DateTime? From = null, DateTime? To = null, int PageIndex = 0, int PageSize = 25,
    AuditCursor? After = null);

/// <summary>The last entry of a page (newest first): the next page starts after it.</summary>
public sealed record AuditCursor(DateTime At, Guid Id);

public sealed record AuditRow(Guid Id, DateTime At, string ActorId, string ActorName, AuditAction Action, string? TargetName, string Details);

/// <summary>Reads a community's append-only audit log (docs/SPEC.md §14). Admins only.</summary>
public sealed class AuditService(IDbContextFactory<AppDbContext> dbFactory)
{
    public const int MaxPageSize = 100;
    /// <summary>Counting stops here ("more than 10000"): the log only grows.</summary>
    public const int CountCap = 10_000;

    public Task<Page<AuditRow>> ListAsync(string actorId, Guid communityId, AuditFilter filter, CancellationToken ct = default) =>
        ListAsync(actorId, communityId, filter, oneBatch: null, ct);

    /// <summary>
    /// <see cref="ListAsync(string, Guid, AuditFilter, CancellationToken)"/> through PostgreSQL's one batch
    /// (<paramref name="oneBatch"/> null: wherever the database is PostgreSQL) or EF Core's path (tests compare the two).
    /// </summary>
    internal async Task<Page<AuditRow>> ListAsync(string actorId, Guid communityId, AuditFilter filter, bool? oneBatch, CancellationToken ct = default)
    {
        var pageSize = Math.Clamp(filter.PageSize, 1, MaxPageSize);
        var pageIndex = Math.Max(0, filter.PageIndex);
        if (!Texts.IsStorable(filter.ActorId)) throw new ValidationFailedException(new Dictionary<string, string> { ["actorId"] = Texts.UnstorableMessage });
        filter = filter with { ActorId = string.IsNullOrEmpty(filter.ActorId) ? null : filter.ActorId, From = filter.From?.ToUniversalTime(), To = filter.To?.ToUniversalTime() };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (total, rows) = oneBatch ?? db.Database.IsNpgsql()
            ? await ReadInOneBatchAsync(db, actorId, communityId, filter, pageIndex, pageSize, ct)
            : await ReadThroughEfAsync(db, actorId, communityId, filter, pageIndex, pageSize, ct);
        return new Page<AuditRow>(rows, total, pageIndex, pageSize);
    }

    private static async Task<(int Total, List<AuditRow> Rows)> ReadThroughEfAsync(AppDbContext db, string actorId, Guid communityId,
        AuditFilter filter, int pageIndex, int pageSize, CancellationToken ct)
    {
        await PermissionService.DemandAdminAsync(db, communityId, actorId, ct);
        var entries = db.AuditLog.Where(e => e.CommunityId == communityId);
        if (filter.ActorId is { } actor) entries = entries.Where(e => e.ActorId == actor);
        if (filter.Action is { } action) entries = entries.Where(e => e.Action == action);
        if (filter.From is { } from) entries = entries.Where(e => e.CreatedAt >= from);
        if (filter.To is { } to) entries = entries.Where(e => e.CreatedAt < to);
        var total = await entries.Take(CountCap + 1).CountAsync(ct);
        if (filter.After is { } c) entries = entries.Where(e => e.CreatedAt <= c.At && (e.CreatedAt < c.At || e.Id.CompareTo(c.Id) < 0));
        var ordered = entries.OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id);
        var rows = await (filter.After is null ? ordered.Skip(Paging.Offset(pageIndex, pageSize)) : ordered).Take(pageSize)
            .Select(e => new AuditRow(e.Id, e.CreatedAt, e.ActorId, e.Actor.DisplayName, e.Action, e.TargetUser != null ? e.TargetUser.DisplayName : null, e.Details))
            .ToListAsync(ct);
        return (total, rows);
    }

    /// <summary>
    /// The log on PostgreSQL in one round trip: the viewer's standing, the capped count and the page in one batch of plain
    /// SQL (<see cref="PermissionService.DemandMemberInBatchAsync"/>), the same conditions, order and rows as
    /// <see cref="ReadThroughEfAsync"/>. A member who is not an admin gets the refusal <see cref="PermissionService.DemandAdminAsync"/>
    /// gives, and the rows read with it are dropped.
    /// </summary>
    private static async Task<(int Total, List<AuditRow> Rows)> ReadInOneBatchAsync(AppDbContext db, string actorId, Guid communityId,
        AuditFilter filter, int pageIndex, int pageSize, CancellationToken ct)
    {
        var count = new Npgsql.NpgsqlBatchCommand();
        var page = new Npgsql.NpgsqlBatchCommand();
        // The filter's conditions, with $n placeholders numbered per statement.
        string Where(Npgsql.NpgsqlBatchCommand command)
        {
            string Add(object value)
            {
                command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = value });
                return "$" + command.Parameters.Count;
            }
            var where = $"e.community_id = {Add(communityId)}";
            if (filter.ActorId is { } actor) where += $" AND e.actor_id = {Add(actor)}";
            if (filter.Action is { } action) where += $" AND e.action = {Add(action.ToString())}";
            if (filter.From is { } from) where += $" AND e.created_at >= {Add(from)}";
            if (filter.To is { } to) where += $" AND e.created_at < {Add(to)}";
            if (command == page && filter.After is { } c)
            {
                var (at, id) = (Add(c.At), Add(c.Id));
                where += $" AND e.created_at <= {at} AND (e.created_at < {at} OR e.id < {id})";
            }
            return where;
        }
        count.CommandText = $"SELECT count(*)::int FROM (SELECT 1 FROM audit_log e WHERE {Where(count)} LIMIT {CountCap + 1}) capped";
        var conditions = Where(page);
        page.Parameters.Add(new Npgsql.NpgsqlParameter { Value = filter.After is null ? Paging.Offset(pageIndex, pageSize) : 0 });
        page.Parameters.Add(new Npgsql.NpgsqlParameter { Value = pageSize });
        page.CommandText = $"""
            SELECT e.id, e.created_at, e.actor_id, a.display_name, e.action, t.display_name, e.details
            FROM audit_log e JOIN asp_net_users a ON a.id = e.actor_id LEFT JOIN asp_net_users t ON t.id = e.target_user_id
            WHERE {conditions}
            ORDER BY e.created_at DESC, e.id DESC OFFSET ${page.Parameters.Count - 1} LIMIT ${page.Parameters.Count}
            """;
        var (standing, result) = await PermissionService.DemandMemberInBatchAsync(db, communityId, actorId, [count, page], ReadAsync, ct);
        PermissionService.RequireAdmin(standing);
        return result;

        static async Task<(int, List<AuditRow>)> ReadAsync(Npgsql.NpgsqlDataReader reader, CancellationToken ct)
        {
            await reader.ReadAsync(ct);
            var total = reader.GetInt32(0);
            await reader.NextResultAsync(ct);
            var rows = new List<AuditRow>();
            while (await reader.ReadAsync(ct))
            {
                rows.Add(new AuditRow(reader.GetGuid(0), reader.GetDateTime(1), reader.GetString(2), reader.GetString(3),
                    Enum.Parse<AuditAction>(reader.GetString(4)), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6)));
            }
            return (total, rows);
        }
    }

    /// <summary>People who appear as actors in the log, for the filter's drop-down.</summary>
    public async Task<IReadOnlyList<(string Id, string Name)>> ActorsAsync(string actorId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandAdminAsync(db, communityId, actorId, ct);
        var actors = await db.AuditLog.Where(e => e.CommunityId == communityId).Select(e => e.ActorId).Distinct()
            .Join(db.Users, id => id, u => u.Id, (id, u) => new { u.Id, u.DisplayName })
            .OrderBy(u => u.DisplayName).Take(200).ToListAsync(ct);
        return actors.Select(a => (a.Id, a.DisplayName)).ToList();
    }
}
