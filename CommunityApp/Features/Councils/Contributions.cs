using Microsoft.EntityFrameworkCore;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Wealth;
using CommunityApp.Resources;

namespace CommunityApp.Features.Councils;

/// <summary>
/// A share aimed at a council (docs/SPEC.md §5.2): the contribution it records, for <see cref="ShareService"/>. The
/// share names its item (the inventory is kept per item) and carries no request limits, since members do not request it;
/// one of the council's managers confirms it (<see cref="CouncilService.ConfirmContributionAsync"/>) or turns it down.
/// </summary>
public static class Contributions
{
    /// <summary>The field messages of a share's target: a council of this community, an item, and none of the request limits.</summary>
    public static async Task ValidateTargetAsync(AppDbContext db, Guid communityId, ShareInput input, Dictionary<string, string> errors, CancellationToken ct)
    {
        switch (input.Target)
        {
            case ShareTarget.Community:
                return;
            case ShareTarget.Council:
                if (input.TargetId is not { } councilId || !await db.Councils.AnyAsync(c => c.Id == councilId && c.CommunityId == communityId, ct))
                    errors["target"] = Text.Get("Error.UnknownCouncil");
                if (input.ItemId is null) errors.TryAdd("itemId", Text.Get("Error.ContributionItem"));
                if (input.MaxUnitsPerMember is not null) errors.TryAdd("maxUnitsPerMember", Text.Get("Error.ContributionNoLimits"));
                if (input.MinTrust is not null) errors.TryAdd("minTrust", Text.Get("Error.ContributionNoLimits"));
                if (input.ExpiresAt is not null) errors.TryAdd("expiresAt", Text.Get("Error.ContributionNoLimits"));
                return;
            case ShareTarget.Pool:
                // A pool of this community (docs/SPEC.md §7): only the items it accepts, at least its minimum, no request limits.
                var pool = input.TargetId is { } poolId
                    ? await db.Pools.Where(p => p.Id == poolId && p.CommunityId == communityId && db.Councils.Any(c => c.Id == p.CouncilId))
                        .Select(p => new { p.Id, p.MinContribution }).SingleOrDefaultAsync(ct)
                    : null;
                if (pool is null) errors["target"] = Text.Get("Error.UnknownPool");
                if (input.ItemId is null) errors.TryAdd("itemId", Text.Get("Error.ContributionItem"));
                else if (pool is not null && !await db.PoolItems.AnyAsync(i => i.PoolId == pool.Id && i.ItemId == input.ItemId, ct))
                {
                    var es = CatalogNames.Spanish;
                    var accepted = await db.PoolItems.Where(i => i.PoolId == pool.Id).OrderBy(i => es && i.Item.NameEs != null ? i.Item.NameEs : i.Item.Name)
                        .Select(i => es && i.Item.NameEs != null ? i.Item.NameEs : i.Item.Name).Take(20).ToListAsync(ct);
                    errors.TryAdd("itemId", Text.Get("Error.PoolItemNotAccepted", string.Join(", ", accepted)));
                }
                if (pool?.MinContribution is { } min && input.Units < min) errors.TryAdd("units", Text.Get("Error.PoolMinContribution", min));
                if (input.MaxUnitsPerMember is not null) errors.TryAdd("maxUnitsPerMember", Text.Get("Error.ContributionNoLimits"));
                if (input.MinTrust is not null) errors.TryAdd("minTrust", Text.Get("Error.ContributionNoLimits"));
                if (input.ExpiresAt is not null) errors.TryAdd("expiresAt", Text.Get("Error.ContributionNoLimits"));
                return;
            default:
                errors["target"] = Text.Get("Error.UnknownTarget");
                return;
        }
    }

    /// <summary>
    /// Records the pending contribution of a new share aimed at a council or at one of its pools and tells the council's
    /// managers; returns whom it told.
    /// </summary>
    public static async Task<IReadOnlyList<string>> AddAsync(AppDbContext db, Share share, string contributorId, DateTime now, CancellationToken ct)
    {
        var targetId = share.TargetId!.Value;
        var toPool = share.Target == ShareTarget.Pool;
        var target = toPool
            ? await db.Pools.Where(p => p.Id == targetId).Select(p => new { p.CouncilId, p.Name }).SingleAsync(ct)
            : await db.Councils.Where(c => c.Id == targetId).Select(c => new { CouncilId = c.Id, c.Name }).SingleAsync(ct);
        var councilId = target.CouncilId;
        var council = new { target.Name };
        db.Contributions.Add(new Contribution
        {
            CommunityId = share.CommunityId, CouncilId = councilId, PoolId = toPool ? targetId : null, ShareId = share.Id, ContributorId = contributorId,
            ItemId = share.ItemId!.Value, Units = share.UnitsOffered, Status = ContributionStatus.Pending,
        });
        var managers = await db.CouncilManagers
            .Where(m => m.CouncilId == councilId && m.UserId != contributorId && db.Memberships.Any(x => x.CommunityId == share.CommunityId && x.UserId == m.UserId))
            .Select(m => m.UserId).ToListAsync(ct);
        foreach (var manager in managers)
            await NotificationWriter.AddAsync(db, manager, share.CommunityId, NotificationKind.ContributionAwaiting, contributorId,
                toPool ? CommunityUrls.For(share.CommunityId).Pool(targetId) : CommunityUrls.For(share.CommunityId).Council(councilId), now, council.Name, ct);
        return managers;
    }

    /// <summary>The giver withdrew the share before a manager decided: the contribution is withdrawn with it.</summary>
    public static async Task WithdrawAsync(AppDbContext db, Share share, DateTime now, CancellationToken ct)
    {
        if (share.Target == ShareTarget.Community) return;
        await db.Contributions.Where(c => c.ShareId == share.Id && c.Status == ContributionStatus.Pending)
            .ExecuteUpdateStampedAsync(now, s => s.SetProperty(c => c.Status, ContributionStatus.Withdrawn), ct);
    }
}
