using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;
using CommunityApp.Resources;

namespace CommunityApp.Features.Councils;

/// <summary>
/// The one way units move in or out of a council's inventory (docs/SPEC.md §6): a ledger line and the balance change in
/// the caller's transaction, under the council's row lock, so parallel writers of one inventory take turns and the
/// balance never goes below zero (also a check constraint on the balance and on each line's balance after).
/// Lock order where a share is involved: the share first, then the council.
/// </summary>
public static class InventoryLedger
{
    /// <summary>Adds <paramref name="units"/> (negative: takes them out) of one item; refuses with the units left when too few are there.</summary>
    public static async Task<int> ChangeAsync(AppDbContext db, Guid communityId, Guid councilId, Guid itemId, InventoryEntryKind kind, int units,
        string actorId, DateTime now, CancellationToken ct, Guid? shareId = null, Guid? contributionId = null, string? note = null, string field = "units")
    {
        if (units == 0) throw new ArgumentOutOfRangeException(nameof(units), "A ledger line moves at least one unit.");
        await db.LockForUpdateAsync<Council>(c => c.Id == councilId, ct);
        var balance = await db.InventoryBalances.SingleOrDefaultAsync(b => b.HolderId == councilId && b.ItemId == itemId, ct);
        var before = balance?.Units ?? 0;
        if (before + units < 0)
            throw new ValidationFailedException(new Dictionary<string, string> { [field] = Text.Get("Error.InventoryShort", before) });
        if (balance is null)
        {
            balance = new InventoryBalance { HolderId = councilId, CouncilId = councilId, ItemId = itemId };
            db.InventoryBalances.Add(balance);
        }
        balance.Units = before + units;
        balance.UpdatedAt = now;
        db.InventoryEntries.Add(new InventoryEntry
        {
            CommunityId = communityId, CouncilId = councilId, ItemId = itemId, Kind = kind, Units = units, BalanceAfter = balance.Units,
            ShareId = shareId, ContributionId = contributionId, Note = note, ActorId = actorId, CreatedAt = now,
        });
        return balance.Units;
    }

    /// <summary>
    /// A share from a council's inventory closed (cancelled or expired): the units it neither gave nor holds for accepted
    /// requests go back (units an accepted request still holds come back if that request is cancelled or fails). Called in
    /// the transaction that closes the share, after the share's row lock and its own update.
    /// </summary>
    public static async Task ReturnUnsharedAsync(AppDbContext db, Guid shareId, string actorId, DateTime now, CancellationToken ct)
    {
        var share = await db.Shares.AsNoTracking().Where(s => s.Id == shareId)
            .Select(s => new { s.CommunityId, s.SourceCouncilId, s.ItemId, Left = s.UnitsOffered - s.UnitsReserved - s.UnitsGiven }).SingleAsync(ct);
        if (share is { SourceCouncilId: { } councilId, ItemId: { } itemId, Left: > 0 })
            await ChangeAsync(db, share.CommunityId, councilId, itemId, InventoryEntryKind.Returned, share.Left, actorId, now, ct, shareId: shareId);
    }
}
