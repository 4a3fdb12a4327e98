using CommunityApp.Resources;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Audit;

namespace CommunityApp.Features.Communities;

public sealed record CommunityInput(string Name, string? Description);

public sealed record MyCommunityRow(Guid Id, string Name, string? Description, MemberRole Role, int MemberCount);

public sealed record CommunityHome(Guid Id, string Name, string? Description, int MemberCount, MemberRole MyRole, DateTime CreatedAt, int MyTrustScore, string? MyTitle)
{
    public bool IsAdmin => MyRole == MemberRole.Admin;
}

/// <summary>Creating, listing, showing, editing and deleting communities (docs/SPEC.md §2). Only members see inside.</summary>
public sealed class CommunityService(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxPageSize = 100;

    /// <summary>How many communities one person may create in 24 hours (a flood guard; deleted ones count too).</summary>
    public const int MaxCreatedPerDay = 5;

    /// <summary>
    /// Creates a community with the default settings and trust levels and the starter catalogue (categories and common
    /// items in English and Spanish, <see cref="Wealth.StarterCatalogue"/>); the creator becomes its first admin.
    /// </summary>
    public async Task<Guid> CreateAsync(string actorId, CommunityInput input, CancellationToken ct = default)
    {
        var (name, description) = Validate(input);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        return await db.InTransactionAsync(async () =>
        {
            // The user's row lock makes the daily cap hold for parallel requests too.
            if (await db.LockForUpdateAsync<ApplicationUser>(u => u.Id == actorId, ct) == 0) throw new ForbiddenException(Text.Get("Error.SignIn"));
            var since = clock.GetUtcNow().UtcDateTime.AddDays(-1);
            if (await db.Communities.IgnoreQueryFilters().CountAsync(c => c.CreatedBy == actorId && c.CreatedAt > since, ct) >= MaxCreatedPerDay)
                throw new ValidationFailedException(new Dictionary<string, string> { ["Name"] = Text.Get("Error.TooManyCommunities", MaxCreatedPerDay) });

            var community = new Community { Name = name, Description = description, TrustLevels = [.. TrustLevel.Defaults()] };
            community.Memberships.Add(new Membership { UserId = actorId, Role = MemberRole.Admin });
            db.Communities.Add(community);
            var (categories, items) = Wealth.StarterCatalogue.For(community.Id);
            db.ItemCategories.AddRange(categories);
            db.Items.AddRange(items);
            await db.SaveChangesAsync(ct);
            return community.Id;
        }, ct);
    }

    /// <summary>The communities the user belongs to, newest first, one page at a time.</summary>
    public async Task<Page<MyCommunityRow>> ListMineAsync(string actorId, int pageIndex = 0, int pageSize = 20, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        pageIndex = Math.Max(0, pageIndex);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var mine = db.Memberships.Where(m => m.UserId == actorId);
        var total = await mine.CountAsync(ct);
        var rows = await mine
            .OrderByDescending(m => m.CreatedAt).ThenBy(m => m.Id)
            .Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(m => new MyCommunityRow(m.CommunityId, m.Community.Name, m.Community.Description, m.Role,
                m.Community.MemberCount))
            .ToListAsync(ct);
        return new Page<MyCommunityRow>(rows, total, pageIndex, pageSize);
    }

    /// <summary>The community's home for one of its members; anyone else gets <see cref="ForbiddenException"/>, never the data.</summary>
    /// <remarks>
    /// Every community page loads it (its frame: the name, the member count, my role and title). On PostgreSQL it is one
    /// plain statement read straight from the reader: the statement takes 0.3 ms, and EF Core's fixed cost per query was
    /// half as much again (docs/ARCHITECTURE.md, "Performance habits").
    /// </remarks>
    public Task<CommunityHome> GetHomeAsync(string actorId, Guid communityId, CancellationToken ct = default) =>
        GetHomeAsync(actorId, communityId, plainSql: null, ct);

    /// <summary><see cref="GetHomeAsync(string, Guid, CancellationToken)"/> through the plain statement (null: wherever the database is PostgreSQL) or EF Core (tests compare the two).</summary>
    internal async Task<CommunityHome> GetHomeAsync(string actorId, Guid communityId, bool? plainSql, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var home = plainSql ?? db.Database.IsNpgsql()
            ? await ReadHomeAsync(db, actorId, communityId, ct)
            : await db.Memberships
                .Where(m => m.CommunityId == communityId && m.UserId == actorId)
                .Select(m => new CommunityHome(m.CommunityId, m.Community.Name, m.Community.Description,
                    m.Community.MemberCount, m.Role, m.Community.CreatedAt, m.TrustScore,
                    m.Community.TrustLevels.Where(l => l.MinScore <= m.TrustScore).OrderByDescending(l => l.MinScore).Select(l => l.Name).FirstOrDefault()))
                .SingleOrDefaultAsync(ct);
        return home ?? throw await PermissionService.NotVisibleAsync(db, communityId, ct);
    }

    /// <summary>
    /// The community's live members as the database keeps them (<see cref="Community.MemberCount"/>): one row read, never a
    /// count; 0 for a community deleted or gone meanwhile.
    /// </summary>
    internal static Task<int> MemberCountAsync(AppDbContext db, Guid communityId, CancellationToken ct) =>
        db.Communities.Where(c => c.Id == communityId).Select(c => c.MemberCount).FirstOrDefaultAsync(ct);

    /// <summary>The EF Core query's conditions (the live membership in a live community) and columns, as one statement.</summary>
    private static async Task<CommunityHome?> ReadHomeAsync(AppDbContext db, string actorId, Guid communityId, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = new Npgsql.NpgsqlCommand("""
                SELECT c.name, c.description, c.member_count, m.role, c.created_at, m.trust_score,
                       (SELECT l.name FROM trust_levels l WHERE l.community_id = c.id AND l.min_score <= m.trust_score ORDER BY l.min_score DESC LIMIT 1)
                FROM memberships m JOIN communities c ON c.id = m.community_id
                WHERE m.community_id = $1 AND m.user_id = $2 AND m.deleted_at IS NULL AND c.deleted_at IS NULL
                """, (Npgsql.NpgsqlConnection)db.Database.GetDbConnection())
            {
                Parameters = { new() { Value = communityId }, new() { Value = actorId } },
            };
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) return null;
            return new CommunityHome(communityId, reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt32(2),
                Enum.Parse<MemberRole>(reader.GetString(3)), reader.GetDateTime(4), reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public async Task UpdateAsync(string actorId, Guid communityId, CommunityInput input, CancellationToken ct = default)
    {
        var (name, description) = Validate(input);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await PermissionService.DemandAdminAsync(db, communityId, actorId, ct);
        var community = await db.Communities.SingleAsync(c => c.Id == communityId, ct);
        var changes = new Dictionary<string, object>();
        if (community.Name != name) changes["name"] = AuditEntry.Change(community.Name, name);
        if (community.Description != description) changes["description"] = AuditEntry.Change(community.Description, description);
        if (changes.Count == 0) return;
        community.Name = name;
        community.Description = description;
        db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.CommunityEdited, changes, at: clock.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Soft-deletes the community: it disappears for everyone but stays in the database for audit and restore.</summary>
    public async Task DeleteAsync(string actorId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await PermissionService.DemandAdminAsync(db, communityId, actorId, ct);
        var community = await db.Communities.SingleAsync(c => c.Id == communityId, ct);
        community.DeletedAt = clock.GetUtcNow().UtcDateTime;
        db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.CommunityDeleted, new { name = community.Name }, at: community.DeletedAt));
        await db.SaveChangesAsync(ct);
    }

    private static (string Name, string? Description) Validate(CommunityInput input)
    {
        var name = Names.Normalize(input.Name);
        var description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim();
        if (description is not null && Texts.TryCompose(description, out var composed)) description = composed;
        var errors = new Dictionary<string, string>();
        if (name.Length == 0) errors["Name"] = Text.Get("Error.NameRequired");
        else if (name.Length > Community.NameMaxLength) errors["Name"] = Text.Get("Error.NameTooLong", Community.NameMaxLength);
        else if (Names.HasHiddenCharacters(name)) errors["Name"] = Names.HiddenCharactersMessage;
        if (description?.Length > Community.DescriptionMaxLength) errors["Description"] = Text.Get("Error.DescriptionTooLong", Community.DescriptionMaxLength);
        else if (!Texts.IsStorable(description)) errors["Description"] = Texts.UnstorableMessage;
        ValidationFailedException.ThrowIfAny(errors);
        return (name, description);
    }
}
