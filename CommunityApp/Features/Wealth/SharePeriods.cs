using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;
using CommunityApp.Features.Needs;

namespace CommunityApp.Features.Wealth;

/// <summary>
/// The periods of a recurring share (docs/SPEC.md §5.2), counted like a recurring need's (<see cref="Need.PeriodAt"/>):
/// whole periods from the first one, which starts when the share is published (or its period is changed).
/// </summary>
public static class SharePeriods
{
    /// <summary>The period that contains <paramref name="now"/>: the stored one while it lasts, the one a refill would start after it.</summary>
    public static (DateTime Start, DateTime End) Current(NeedRecurrence recurrence, DateTime start, DateTime end, DateTime now) =>
        end > now ? (start, end) : Need.PeriodAt(recurrence, start, now);

    /// <summary>When a share refills, as its page and its refusals say it ("Mon 14 Dec, 09:00"), in the user's culture.</summary>
    public static string RefillText(DateTime at) => at.ToLocalTime().ToString("ddd d MMM, HH:mm", System.Globalization.CultureInfo.CurrentCulture);

    /// <summary>
    /// Starts the period that contains <paramref name="now"/> with nothing reserved or given, if the share's period is
    /// still the one that began at <paramref name="periodStart"/> and has ended, and the share is active and unexpired:
    /// true when this call refilled it, false when it was not due or someone else refilled it first.
    /// </summary>
    internal static async Task<bool> RefillAsync(AppDbContext db, Guid shareId, NeedRecurrence recurrence, DateTime periodStart, DateTime now, CancellationToken ct)
    {
        var (start, end) = Need.PeriodAt(recurrence, periodStart, now);
        return await db.Shares.Where(s => s.Id == shareId && s.PeriodStart == periodStart && s.PeriodEnd <= now && s.Status == ShareStatus.Active
                                          && (s.ExpiresAt == null || s.ExpiresAt > now))
            .ExecuteUpdateStampedAsync(now, s => s.SetProperty(x => x.PeriodStart, start).SetProperty(x => x.PeriodEnd, end)
                .SetProperty(x => x.UnitsReserved, 0).SetProperty(x => x.UnitsGiven, 0), ct) == 1;
    }

    /// <summary>
    /// Refills <paramref name="share"/> as read when its period has ended: for code that holds the share's row lock and
    /// decides on its units (requests, accepts, checkouts, edits), so none waits for the job. True when the caller must read the share again.
    /// </summary>
    internal static Task<bool> RefillIfDueAsync(AppDbContext db, Share share, DateTime now, CancellationToken ct) =>
        share is { PeriodStart: { } start, PeriodEnd: { } end } && end <= now ? RefillAsync(db, share.Id, share.Recurrence, start, now, ct) : Task.FromResult(false);
}
