using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;
using CommunityApp.Resources;

namespace CommunityApp.Features.Councils;

/// <summary>
/// The one way units move in or out of an inventory (docs/SPEC.md §6, §7): a ledger line and the balance change in
/// the caller's transaction, under the holder's row lock (the pool's row for a pool's inventory, the council's row
/// otherwise), so parallel writers of one inventory take turns and the balance never goes below zero (also a check
/// constraint on the balance and on each line's balance after). Lock order where a share is involved: the share first,
/// then the holder.
/// </summary>
public static class InventoryLedger
{
    /// <summary>
    /// Adds <paramref name="units"/> (negative: takes them out) of one item to the council's inventory, or to its pool's
    /// when <paramref name="poolId"/> is given; refuses with the units left when too few are there.
    /// </summary>
    public static async Task<int> ChangeAsync(AppDbContext db, Guid communityId, Guid councilId, Guid itemId, InventoryEntryKind kind, int units,
        string actorId, DateTime now, CancellationToken ct, Guid? shareId = null, Guid? contributionId = null, string? note = null, string field = "units",
        Guid? poolId = null)
    {
        if (units == 0) throw new ArgumentOutOfRangeException(nameof(units), "A ledger line moves at least one unit.");
        if (poolId is { } pool) await db.LockForUpdateAsync<Pools.Pool>(p => p.Id == pool, ct);
        else await db.LockForUpdateAsync<Council>(c => c.Id == councilId, ct);
        var holderId = poolId ?? councilId;
        var balance = await db.InventoryBalances.SingleOrDefaultAsync(b => b.HolderId == holderId && b.ItemId == itemId, ct);
        var before = balance?.Units ?? 0;
        if (before + units < 0)
            throw new ValidationFailedException(new Dictionary<string, string> { [field] = Text.Get("Error.InventoryShort", before) });
        if (balance is null)
        {
            balance = new InventoryBalance { HolderId = holderId, CouncilId = councilId, ItemId = itemId };
            db.InventoryBalances.Add(balance);
        }
        balance.Units = before + units;
        balance.UpdatedAt = now;
        db.InventoryEntries.Add(new InventoryEntry
        {
            CommunityId = communityId, CouncilId = councilId, PoolId = poolId, ItemId = itemId, Kind = kind, Units = units, BalanceAfter = balance.Units,
            ShareId = shareId, ContributionId = contributionId, Note = note, ActorId = actorId, CreatedAt = now,
        });
        return balance.Units;
    }

    /// <summary>
    /// A share from a council's (or a pool's) inventory closed (cancelled or expired): the units it neither gave nor holds for accepted
    /// requests go back (units an accepted request still holds come back if that request is cancelled or fails). Called in
    /// the transaction that closes the share, after the share's row lock and its own update.
    /// </summary>
    public static async Task ReturnUnsharedAsync(AppDbContext db, Guid shareId, string actorId, DateTime now, CancellationToken ct)
    {
        var share = await db.Shares.AsNoTracking().Where(s => s.Id == shareId)
            .Select(s => new { s.CommunityId, s.SourceCouncilId, s.SourcePoolId, s.ItemId, Left = s.UnitsOffered - s.UnitsReserved - s.UnitsGiven }).SingleAsync(ct);
        if (share is { SourceCouncilId: { } councilId, ItemId: { } itemId, Left: > 0 })
            await ChangeAsync(db, share.CommunityId, councilId, itemId, InventoryEntryKind.Returned, share.Left, actorId, now, ct, shareId: shareId, poolId: share.SourcePoolId);
    }
}
