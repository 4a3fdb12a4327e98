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

    /// <summary>Counting stops here: a community of 500,000 members costs no more to page than one of 10,000.</summary>
    public const int CountCap = 10_000;

    /// <summary>
    /// One page of members, searchable by name and username (and e-mail for admins) anywhere in the text, sorted by trust,
    /// name or newest. Every sort has an index to walk and a total order (ties broken by the membership id, or the
    /// username for names), so keyset pages never skip or repeat a member.
    /// </summary>
    public async Task<MemberPage> ListAsync(string actorId, Guid communityId, MemberQuery query, CancellationToken ct = default)
    {
        var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var pageIndex = Math.Max(0, query.PageIndex);
        var search = query.Search?.Trim();
        if (!Texts.IsStorable(search)) throw new ValidationFailedException(new Dictionary<string, string> { ["search"] = Texts.UnstorableMessage });
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var me = await PermissionService.DemandMemberAsync(db, communityId, actorId, ct);

        var members = db.Memberships.Where(m => m.CommunityId == communityId);
        if (!string.IsNullOrEmpty(search))
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
        var total = await members.Take(CountCap + 1).CountAsync(ct);
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
        var shown = rows.Take(pageSize).ToList();
        var items = shown.Select(r => new MemberRow(
                r.UserId, r.DisplayName, r.UserName!, me.IsAdmin ? r.Email : null, r.Role,
                r.Roles.Order().ToList(), r.TrustScore, TrustTitles.For(me.Levels, r.TrustScore)?.Name, r.CreatedAt, r.AwardedByMe))
            .ToList();
        var next = rows.Count > pageSize && shown[^1] is var last ? new MemberCursor(last.TrustScore, last.CreatedAt, last.DisplayName, last.UserName!, last.Id) : null;
        return new MemberPage(items, total, pageIndex, pageSize, next);
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
