using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Notifications;
using CommunityApp.Resources;

namespace CommunityApp.Features.Skills;

/// <summary>A user's skills changed (<see cref="CommunityId"/> null: on the profile, so in every community), or an endorsement in one community.</summary>
public sealed record SkillsChanged(Guid? CommunityId, string UserId) : AppEvent;

public sealed record MySkill(Guid Id, string Name);

/// <summary>A skill and its endorsements in one community, as the member list shows it.</summary>
public sealed record SkillCount(Guid SkillId, string Name, int Endorsements);

/// <summary>One member who lists a matching skill: "who can help with carpentry".</summary>
public sealed record SkillHolderRow(Guid SkillId, string UserId, string DisplayName, string UserName, string SkillName, int Endorsements, bool EndorsedByMe);

/// <summary>
/// Skills and endorsements (docs/SPEC.md §17). A user lists skills on their profile (across communities); in a community, a
/// member with <see cref="Permission.EndorseSkills"/> endorses a member's skill once (the unique index makes parallel tries
/// count once) and may withdraw it. The endorsed member is notified; open member lists update live.
/// </summary>
public sealed class SkillService(IDbContextFactory<AppDbContext> dbFactory, IEventHub events, TimeProvider clock)
{
    public const int MaxPageSize = 50;
    /// <summary>How many skills the member list shows per member.</summary>
    public const int TopCount = 3;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    // ---------------------------------------------------------------- the profile's skills

    public async Task<IReadOnlyList<MySkill>> MineAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Skills.Where(s => s.UserId == userId).OrderBy(s => s.NormalizedName).Select(s => new MySkill(s.Id, s.Name)).ToListAsync(ct);
    }

    /// <summary>Adds a skill to the user's profile: the name rule, no duplicate ignoring case, at most 30. Field <c>skill</c>.</summary>
    public async Task<Guid> AddAsync(string userId, string? name, CancellationToken ct = default)
    {
        var clean = Skill.Clean(name) ?? throw Invalid(Text.Get("Skills.Error.Name", Skill.NameMaxLength));
        var normalized = Skill.Normalize(clean);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = userId;
        var skill = await db.InTransactionAsync(async () =>
        {
            // The user's row is the lock: two adds at once cannot both pass the count.
            await db.LockForUpdateAsync<ApplicationUser>(u => u.Id == userId, ct);
            var existing = await db.Skills.Where(s => s.UserId == userId).Select(s => s.NormalizedName).ToListAsync(ct);
            if (existing.Contains(normalized)) throw Invalid(Text.Get("Skills.Error.Duplicate", clean));
            if (existing.Count >= Skill.MaxPerUser) throw Invalid(Text.Get("Skills.Error.TooMany", Skill.MaxPerUser));
            var skill = new Skill { UserId = userId, Name = clean, NormalizedName = normalized, CreatedAt = Now };
            db.Skills.Add(skill);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
            {
                throw new ValidationFailedException(new Dictionary<string, string> { ["skill"] = Text.Get("Skills.Error.Duplicate", clean) }, ex);
            }
            return skill;
        }, ct);
        events.Publish(new SkillsChanged(null, userId));
        return skill.Id;
    }

    /// <summary>Removes one of the user's own skills, and its endorsements in every community with it.</summary>
    public async Task RemoveAsync(string userId, Guid skillId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var removed = await db.Skills.Where(s => s.Id == skillId && s.UserId == userId).ExecuteDeleteAsync(ct);
        if (removed == 0) throw new NotFoundException(Text.Get("Skills.Error.NotFound"));
        events.Publish(new SkillsChanged(null, userId));
    }

    // ---------------------------------------------------------------- endorsing

    /// <summary>
    /// Endorses a member's skill in the community: the endorse permission (its reason when refused), the skill's owner a member
    /// here, once per endorser (the unique index refuses a second one, also in parallel). Self-endorsement counts one.
    /// </summary>
    public async Task EndorseAsync(string actorId, Guid communityId, Guid skillId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await PermissionService.DemandAsync(db, actorId, Permission.EndorseSkills, PermissionScope.Community(communityId), ct);
        var skill = await db.Skills.AsNoTracking().Where(s => s.Id == skillId && db.Memberships.Any(m => m.CommunityId == communityId && m.UserId == s.UserId))
                        .Select(s => new { s.UserId, s.Name }).SingleOrDefaultAsync(ct)
                    ?? throw new NotFoundException(Text.Get("Skills.Error.NotFound"));
        if (await db.SkillEndorsements.AnyAsync(e => e.CommunityId == communityId && e.SkillId == skillId && e.EndorserId == actorId, ct))
            throw new AppException(Text.Get("Skills.Error.AlreadyEndorsed"));
        var now = Now;
        db.SkillEndorsements.Add(new SkillEndorsement { CommunityId = communityId, SkillId = skillId, EndorserId = actorId, CreatedAt = now });
        if (skill.UserId != actorId)
            await NotificationWriter.AddAsync(db, skill.UserId, communityId, NotificationKind.SkillEndorsed, actorId, CommunityUrls.For(communityId).Skills, now, skill.Name, ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
        {
            throw new AppException(Text.Get("Skills.Error.AlreadyEndorsed"), ex);
        }
        events.Publish(new SkillsChanged(communityId, skill.UserId));
        if (skill.UserId != actorId) events.Publish(new NotificationsChanged(skill.UserId));
    }

    /// <summary>Withdraws the actor's own endorsement of a skill in the community.</summary>
    public async Task WithdrawAsync(string actorId, Guid communityId, Guid skillId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, actorId, ct);
        var owner = await db.Skills.Where(s => s.Id == skillId).Select(s => s.UserId).SingleOrDefaultAsync(ct);
        var removed = await db.SkillEndorsements.Where(e => e.CommunityId == communityId && e.SkillId == skillId && e.EndorserId == actorId).ExecuteDeleteAsync(ct);
        if (removed == 0 || owner is null) throw new AppException(Text.Get("Skills.Error.NotEndorsed"));
        events.Publish(new SkillsChanged(communityId, owner));
    }

    // ---------------------------------------------------------------- reading

    /// <summary>
    /// Each listed member's top three skills with their endorsement counts in the community (most first, then by name): one
    /// query for a whole page of the member list, never one per row.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<SkillCount>>> TopSkillsAsync(string viewerId, Guid communityId, IReadOnlyCollection<string> userIds,
        CancellationToken ct = default)
    {
        if (userIds.Count == 0) return new Dictionary<string, IReadOnlyList<SkillCount>>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var ids = userIds.Distinct().ToList();
        var rows = await db.Skills.Where(s => ids.Contains(s.UserId))
            .Select(s => new { s.UserId, s.Id, s.Name, s.NormalizedName, Count = db.SkillEndorsements.Count(e => e.SkillId == s.Id && e.CommunityId == communityId) })
            .ToListAsync(ct);
        return rows.GroupBy(r => r.UserId).ToDictionary(g => g.Key, g => (IReadOnlyList<SkillCount>)g
            .OrderByDescending(r => r.Count).ThenBy(r => r.NormalizedName, StringComparer.Ordinal).Take(TopCount)
            .Select(r => new SkillCount(r.Id, r.Name, r.Count)).ToList());
    }

    /// <summary>
    /// "Who can help with …": the community's members whose skill contains <paramref name="search"/> (ignoring case; every
    /// skill when empty), most endorsed first, paged in the database.
    /// </summary>
    public async Task<Page<SkillHolderRow>> SearchAsync(string viewerId, Guid communityId, string? search, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        if (!Texts.IsStorable(search)) throw new ValidationFailedException(new Dictionary<string, string> { ["search"] = Texts.UnstorableMessage });
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        pageIndex = Math.Max(0, pageIndex);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var skills = db.Skills.Where(s => db.Memberships.Any(m => m.CommunityId == communityId && m.UserId == s.UserId));
        var text = Skill.Normalize(search ?? "");
        if (text.Length > 0) skills = skills.Where(s => s.NormalizedName.Contains(text));
        var total = await skills.CountAsync(ct);
        var rows = await skills
            .Select(s => new
            {
                s.Id, s.UserId, s.User.DisplayName, s.User.UserName, s.Name, s.NormalizedName,
                Count = db.SkillEndorsements.Count(e => e.SkillId == s.Id && e.CommunityId == communityId),
                Mine = db.SkillEndorsements.Any(e => e.SkillId == s.Id && e.CommunityId == communityId && e.EndorserId == viewerId),
            })
            .OrderByDescending(r => r.Count).ThenBy(r => r.NormalizedName).ThenBy(r => r.Id)
            .Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .ToListAsync(ct);
        return new Page<SkillHolderRow>(rows.Select(r => new SkillHolderRow(r.Id, r.UserId, r.DisplayName, r.UserName!, r.Name, r.Count, r.Mine)).ToList(),
            total, pageIndex, pageSize);
    }

    private static ValidationFailedException Invalid(string message) => new(new Dictionary<string, string> { ["skill"] = message });
}
