using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Wealth;
using CommunityApp.Resources;

namespace CommunityApp.Features.Needs;

/// <summary>A need's fields; <see cref="CouncilId"/> publishes it for a council (its managers may, in the council's scope).</summary>
public sealed record NeedInput(Guid? ItemId, string? Title, string? Description, int Units, NeedPriority Priority = NeedPriority.Need,
    NeedRecurrence Recurrence = NeedRecurrence.Once, Guid? CouncilId = null, DateTime? ExpiresAt = null);

/// <summary>
/// Needs (docs/SPEC.md §8): publishing takes the needs permission; the owner edits, cancels and fulfils their own.
/// State moves are conditional UPDATEs on the state they were read in, so two clicks (or two app instances) move a
/// need once.
/// </summary>
public sealed class NeedService(IDbContextFactory<AppDbContext> dbFactory, IEventHub events, TimeProvider clock)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private static PermissionScope ScopeOf(Guid communityId, Guid? councilId) =>
        councilId is { } council ? PermissionScope.Council(communityId, council) : PermissionScope.Community(communityId);

    public async Task<Guid> CreateAsync(string ownerId, Guid communityId, NeedInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = ownerId;
        // A council need is published in the council's scope, where its managers hold the needs permission.
        if (input.CouncilId is { } councilId && !await db.Councils.AnyAsync(c => c.Id == councilId && c.CommunityId == communityId, ct))
            throw new ValidationFailedException(new Dictionary<string, string> { ["councilId"] = Text.Get("Error.UnknownCouncil") });
        await PermissionService.DemandAsync(db, ownerId, Permission.PublishNeeds, ScopeOf(communityId, input.CouncilId), ct);
        var now = Now;
        await ValidateAsync(db, communityId, input, now, ct);
        var need = new Need { CommunityId = communityId, OwnerId = ownerId, Status = NeedStatus.Active, CouncilId = input.CouncilId };
        Apply(need, input, now);
        db.Needs.Add(need);
        await db.SaveChangesAsync(ct);
        events.Publish(new NeedsChanged(communityId));
        return need.Id;
    }

    /// <summary>
    /// The owner edits an active need (still holding the needs permission). Changing how often it recurs starts a new
    /// period now; otherwise the period stays.
    /// </summary>
    public async Task UpdateAsync(string ownerId, Guid needId, NeedInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = ownerId;
        var communityId = await db.InTransactionAsync(async () =>
        {
            await db.LockForUpdateAsync<Need>(n => n.Id == needId, ct);
            var need = await db.Needs.SingleOrDefaultAsync(n => n.Id == needId, ct) ?? throw new NotFoundException(Text.Get("Error.NeedNotFound"));
            await PermissionService.DemandAsync(db, ownerId, Permission.PublishNeeds, ScopeOf(need.CommunityId, need.CouncilId), ct);
            if (need.OwnerId != ownerId) throw new ForbiddenException(Text.Get("Error.OnlyNeedOwner"));
            if (need.Status != NeedStatus.Active) throw Closed(need.Status);
            await ValidateAsync(db, need.CommunityId, input, Now, ct);
            var recurrenceChanged = need.Recurrence != input.Recurrence;
            Apply(need, input, recurrenceChanged ? Now : null);
            await db.SaveChangesAsync(ct);
            return need.CommunityId;
        }, ct);
        events.Publish(new NeedsChanged(communityId));
    }

    /// <summary>The owner cancels an active need, or a recurring one that is fulfilled for this period (so it stops coming back).</summary>
    public async Task CancelAsync(string ownerId, Guid needId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = ownerId;
        var need = await OwnNeedAsync(db, ownerId, needId, ct);
        var moved = await db.Needs.Where(n => n.Id == needId && (n.Status == NeedStatus.Active || (n.Status == NeedStatus.Fulfilled && n.Recurrence != NeedRecurrence.Once)))
            .ExecuteUpdateStampedAsync(Now, s => s.SetProperty(n => n.Status, NeedStatus.Cancelled), ct);
        if (moved == 0) throw Closed(await db.Needs.Where(n => n.Id == needId).Select(n => n.Status).SingleAsync(ct));
        events.Publish(new NeedsChanged(need.CommunityId));
    }

    /// <summary>
    /// The owner marks an active need fulfilled, optionally naming the share request that met it: one of their own
    /// fulfilled requests in the need's community. A recurring need comes back at its next period.
    /// </summary>
    public async Task FulfilAsync(string ownerId, Guid needId, Guid? fulfilledByRequestId = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = ownerId;
        var need = await OwnNeedAsync(db, ownerId, needId, ct);
        if (fulfilledByRequestId is { } requestId && !await db.ShareRequests.AnyAsync(r => r.Id == requestId && r.RequesterId == ownerId
                && r.Status == RequestStatus.Fulfilled && r.Share.CommunityId == need.CommunityId, ct))
            throw new ValidationFailedException(new Dictionary<string, string> { ["fulfilledBy"] = Text.Get("Error.FulfilledByInvalid") });
        var now = Now;
        var moved = await db.Needs.Where(n => n.Id == needId && n.Status == NeedStatus.Active)
            .ExecuteUpdateStampedAsync(now, s => s.SetProperty(n => n.Status, NeedStatus.Fulfilled).SetProperty(n => n.FulfilledAt, now)
                .SetProperty(n => n.FulfilledByRequestId, fulfilledByRequestId), ct);
        if (moved == 0) throw Closed(await db.Needs.Where(n => n.Id == needId).Select(n => n.Status).SingleAsync(ct));
        events.Publish(new NeedsChanged(need.CommunityId));
    }

    /// <summary>
    /// Starts the next period of every recurring need whose period has ended (run by <see cref="NeedRecurrenceJob"/>).
    /// Each need moves by a conditional UPDATE on the period start it was read with, so when two app instances run
    /// the job at once, one of them starts the period and the other changes nothing.
    /// </summary>
    /// <summary>
    /// Expires active needs whose "needed until" has passed (docs/SPEC.md §8). Fulfilled and cancelled needs keep their
    /// state; safe with several app instances (a conditional UPDATE on the active state). Returns how many it expired.
    /// </summary>
    public async Task<int> ExpireDueAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = Now;
        var expired = 0;
        var communities = new HashSet<Guid>();
        while (true)
        {
            var due = await db.Needs.Where(n => n.Status == NeedStatus.Active && n.ExpiresAt != null && n.ExpiresAt <= now)
                .OrderBy(n => n.ExpiresAt).Take(1_000).Select(n => new { n.Id, n.CommunityId }).ToListAsync(ct);
            if (due.Count == 0) break;
            var ids = due.Select(n => n.Id).ToList();
            // Conditional on the state it was read in: a need fulfilled or cancelled meanwhile stays so, and a second instance changes nothing.
            var moved = await db.Needs.Where(n => ids.Contains(n.Id) && n.Status == NeedStatus.Active && n.ExpiresAt <= now)
                .ExecuteUpdateStampedAsync(now, s => s.SetProperty(n => n.Status, NeedStatus.Expired), ct);
            expired += moved;
            foreach (var need in due) communities.Add(need.CommunityId);
            if (moved == 0) break;
        }
        foreach (var community in communities) events.Publish(new NeedsChanged(community));
        return expired;
    }

    public async Task<int> ReplenishDueAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = Now;
        var started = 0;
        var communities = new HashSet<Guid>();
        while (true)
        {
            var due = await db.Needs.Where(n => n.PeriodEnd != null && n.PeriodEnd <= now && (n.Status == NeedStatus.Active || n.Status == NeedStatus.Fulfilled)
                                                && (n.ExpiresAt == null || n.ExpiresAt > now))
                .OrderBy(n => n.PeriodEnd).Take(500).Select(n => new { n.Id, n.CommunityId, n.Recurrence, n.PeriodStart }).ToListAsync(ct);
            if (due.Count == 0) break;
            var startedNow = 0;
            foreach (var need in due)
            {
                if (await StartPeriodAsync(db, need.Id, need.Recurrence, need.PeriodStart, now, ct))
                {
                    startedNow++;
                    communities.Add(need.CommunityId);
                }
            }
            started += startedNow;
            // Another instance took this batch: it goes on with the rest, and so does the next run here.
            if (startedNow == 0) break;
        }
        foreach (var community in communities) events.Publish(new NeedsChanged(community));
        return started;
    }

    /// <summary>
    /// Starts the period of one recurring need that contains <paramref name="now"/>, if its period is still the one
    /// that began at <paramref name="periodStart"/>: true when this call started it, false when someone else did first.
    /// </summary>
    internal static async Task<bool> StartPeriodAsync(AppDbContext db, Guid needId, NeedRecurrence recurrence, DateTime periodStart, DateTime now, CancellationToken ct)
    {
        var (start, end) = Need.PeriodAt(recurrence, periodStart, now);
        return await db.Needs.Where(n => n.Id == needId && n.PeriodStart == periodStart && (n.Status == NeedStatus.Active || n.Status == NeedStatus.Fulfilled)
                                         && (n.ExpiresAt == null || n.ExpiresAt > now))
            .ExecuteUpdateStampedAsync(now, s => s.SetProperty(n => n.PeriodStart, start).SetProperty(n => n.PeriodEnd, end)
                .SetProperty(n => n.Status, NeedStatus.Active).SetProperty(n => n.FulfilledAt, (DateTime?)null)
                .SetProperty(n => n.FulfilledByRequestId, (Guid?)null), ct) == 1;
    }

    private static async Task<Need> OwnNeedAsync(AppDbContext db, string ownerId, Guid needId, CancellationToken ct)
    {
        var need = await db.Needs.AsNoTracking().SingleOrDefaultAsync(n => n.Id == needId, ct) ?? throw new NotFoundException(Text.Get("Error.NeedNotFound"));
        // A member who left keeps no say over what they published, whatever the page still shows.
        await PermissionService.DemandMemberAsync(db, need.CommunityId, ownerId, ct);
        if (need.OwnerId != ownerId) throw new ForbiddenException(Text.Get("Error.OnlyNeedOwner"));
        return need;
    }

    private static AppException Closed(NeedStatus status) =>
        new(Text.Get("Error.NeedClosed", Text.Get($"NeedStatus.{status}").ToLowerInvariant()));

    private static async Task ValidateAsync(AppDbContext db, Guid communityId, NeedInput input, DateTime now, CancellationToken ct)
    {
        var title = string.IsNullOrWhiteSpace(input.Title) ? null : input.Title.Trim();
        var errors = new Dictionary<string, string>();
        if (input.ItemId is { } itemId)
        {
            if (!await db.Items.AnyAsync(i => i.Id == itemId && i.CommunityId == communityId, ct)) errors["itemId"] = Text.Get("Error.UnknownItem");
        }
        else if (title is null) errors["title"] = Text.Get("Error.NeedTitleRequired");
        if (title is { Length: > Need.TitleMaxLength }) errors["title"] = Text.Get("Error.MaxChars", Need.TitleMaxLength);
        else if (!Texts.IsStorable(title)) errors["title"] = Texts.UnstorableMessage;
        if (input.Description?.Trim().Length > Need.DescriptionMaxLength) errors["description"] = Text.Get("Error.MaxChars", Need.DescriptionMaxLength);
        else if (!Texts.IsStorable(input.Description)) errors["description"] = Texts.UnstorableMessage;
        if (input.Units is < 1 or > Need.MaxUnits) errors["units"] = Text.Get("Error.NeedUnits", Need.MaxUnits);
        if (!Enum.IsDefined(input.Priority)) errors["priority"] = Text.Get("Error.ChoosePriority");
        if (!Enum.IsDefined(input.Recurrence)) errors["recurrence"] = Text.Get("Error.ChooseRecurrence");
        if (input.ExpiresAt is { } expires && expires.ToUniversalTime() <= now) errors["expiresAt"] = Text.Get("Error.ExpiryFuture");
        else if (input.ExpiresAt is { } until && until.ToUniversalTime() > now.AddDays(Need.MaxExpiryDays)) errors["expiresAt"] = Text.Get("Error.ExpiryRange", Need.MaxExpiryDays);
        ValidationFailedException.ThrowIfAny(errors);
    }

    /// <summary>Copies the input; <paramref name="periodStart"/> starts a new period (publishing, or a new recurrence).</summary>
    private static void Apply(Need need, NeedInput input, DateTime? periodStart)
    {
        need.ItemId = input.ItemId;
        need.Title = string.IsNullOrWhiteSpace(input.Title) ? null : input.Title.Trim();
        need.Description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim();
        need.Units = input.Units;
        need.ExpiresAt = input.ExpiresAt?.ToUniversalTime();
        need.Priority = input.Priority;
        need.Recurrence = input.Recurrence;
        if (periodStart is { } start)
        {
            need.PeriodStart = start;
            need.PeriodEnd = Need.EndOf(input.Recurrence, start);
        }
    }
}
