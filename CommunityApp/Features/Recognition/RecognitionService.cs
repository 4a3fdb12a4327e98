using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Wealth;
using CommunityApp.Resources;

namespace CommunityApp.Features.Recognition;

/// <summary>A contribution entry was logged in a community (a grant, a fulfilled request, a confirmed contribution): open pages reload.</summary>
public sealed record RecognitionChanged(Guid CommunityId) : AppEvent;

/// <summary>What the giver has granted this calendar month (UTC) of the community's monthly budget.</summary>
public sealed record RecognitionBudget(int Used, int Budget)
{
    public int Left => Math.Max(0, Budget - Used);
}

public enum RecognitionDirection
{
    Received = 0,
    Given = 1,
}

/// <summary>One line of a member's own contributions, as they read it.</summary>
public sealed record RecognitionRow(
    Guid Id, RecognitionKind Kind, DateTime At, string ContributorId, string ContributorName, string GiverId, string GiverName,
    int Units, int? ValuePerUnit, int Value, string? ItemName, string? CategoryName, string? Reason);

/// <summary>The community's totals for one category (null: none, or peer recognition when <see cref="Peer"/>).</summary>
public sealed record CategoryTotal(Guid? CategoryId, string? CategoryName, bool Peer, int Entries, long Value);

/// <summary>The community's totals for one calendar month (UTC).</summary>
public sealed record MonthTotal(int Year, int Month, int Entries, long Value);

public sealed record RecognitionTotals(IReadOnlyList<CategoryTotal> ByCategory, IReadOnlyList<MonthTotal> ByMonth);

/// <summary>
/// Who a dispute about a contribution entry is between (docs/SPEC.md §18: "a wrong entry is disputed like a request"): the
/// entry's two parties, the contributor it credits and the giver (for an automatic entry, the request's owner and requester,
/// or the contributor and the manager who confirmed). The Disputes feature opens its dispute (subject kind
/// <c>RecognitionEntry</c>) with these user ids.
/// </summary>
public sealed record RecognitionDisputeParties(Guid EntryId, Guid CommunityId, RecognitionKind Kind, IReadOnlyList<string> PartyUserIds);

/// <summary>
/// Value recognition (docs/SPEC.md §18). It makes contributions visible and never grants access. Peer grants: never to
/// oneself, at most the community's <c>recognitionMonthlyBudget</c> units per giver per calendar month (UTC), at most three
/// grants to the same member a month, decided under the giver's membership row lock so parallel grants never exceed the
/// budget. Automatic entries are written by <see cref="RecognitionLog"/> in the transaction of the change they record.
/// Members read their own entries; the community reads totals by category and month, never a ranking of individuals.
/// </summary>
public sealed class RecognitionService(IDbContextFactory<AppDbContext> dbFactory, IEventHub events, TimeProvider clock)
{
    public const int MaxGrantsToSamePerson = 3;
    public const int MaxPageSize = 50;
    /// <summary>The totals by month cover this many months, the current one included.</summary>
    public const int Months = 12;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>The first moment of the calendar month (UTC) holding <paramref name="at"/>.</summary>
    public static DateTime MonthStart(DateTime at) => new(at.Year, at.Month, 1, 0, 0, 0, DateTimeKind.Utc);

    // ---------------------------------------------------------------- peer grants

    /// <summary>
    /// Grants <paramref name="units"/> value units to <paramref name="receiverId"/> for work the actor witnessed. Field messages:
    /// <c>receiver</c> (none, oneself, not a member, already three grants this month), <c>units</c> (1 … budget, and no more
    /// than is left this month), <c>reason</c> (1–200 characters). Returns the entry's id.
    /// </summary>
    public async Task<Guid> GrantAsync(string actorId, Guid communityId, string? receiverId, int units, string? reason, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string>();
        if (string.IsNullOrEmpty(receiverId)) errors["receiver"] = Text.Get("Recognition.Error.ChooseMember");
        else if (receiverId == actorId) errors["receiver"] = Text.Get("Recognition.Error.Self");
        var text = reason?.Trim() ?? "";
        if (text.Length is 0 or > RecognitionEntry.ReasonMaxLength) errors["reason"] = Text.Get("Error.LengthRange", 1, RecognitionEntry.ReasonMaxLength);
        else if (!Texts.IsStorable(text) || !Texts.TryCompose(text, out text)) errors["reason"] = Texts.UnstorableMessage;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var now = Now;
        var (start, end) = (MonthStart(now), MonthStart(now).AddMonths(1));
        var entry = await db.InTransactionAsync(async () =>
        {
            var giver = await PermissionService.DemandAsync(db, communityId, actorId, Permission.GrantRecognition, ct);
            var budget = giver.Settings.RecognitionMonthlyBudget;
            if (units < 1 || units > Math.Max(1, budget)) errors["units"] = Text.Get("Recognition.Error.Units", Math.Max(1, budget));
            ValidationFailedException.ThrowIfAny(errors);
            if (!await db.Memberships.AnyAsync(m => m.CommunityId == communityId && m.UserId == receiverId, ct))
                throw Invalid("receiver", Text.Get("Recognition.Error.NotMember"));
            // The giver's membership row: parallel grants by one giver take turns, so the sum read below is the sum.
            await db.LockForUpdateAsync<Membership>(m => m.Id == giver.MembershipId, ct);
            var thisMonth = db.RecognitionEntries.Where(e => e.CommunityId == communityId && e.Kind == RecognitionKind.Peer && e.GiverId == actorId && e.At >= start && e.At < end);
            if (await thisMonth.CountAsync(e => e.ContributorId == receiverId, ct) >= MaxGrantsToSamePerson)
                throw Invalid("receiver", Text.Get("Recognition.Error.SamePerson", MaxGrantsToSamePerson));
            var used = await thisMonth.SumAsync(e => (int?)e.Units, ct) ?? 0;
            if (used + units > budget) throw Invalid("units", Text.Get("Recognition.Error.Budget", Math.Max(0, budget - used), budget));
            var entry = new RecognitionEntry
            {
                CommunityId = communityId, Kind = RecognitionKind.Peer, ContributorId = receiverId!, GiverId = actorId, Units = units, Value = units,
                Reason = text, At = now,
            };
            db.RecognitionEntries.Add(entry);
            await NotificationWriter.AddAsync(db, receiverId!, communityId, NotificationKind.RecognitionReceived, actorId, CommunityUrls.For(communityId).Recognition, now, null, ct);
            await db.SaveChangesAsync(ct);
            return entry;
        }, ct);
        events.Publish(new NotificationsChanged(entry.ContributorId));
        events.Publish(new RecognitionChanged(communityId));
        return entry.Id;
    }

    /// <summary>What the member has granted this calendar month of the community's budget ("used 12 of 20").</summary>
    public async Task<RecognitionBudget> BudgetAsync(string actorId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var me = await PermissionService.DemandMemberAsync(db, communityId, actorId, ct);
        var start = MonthStart(Now);
        var end = start.AddMonths(1);
        var used = await db.RecognitionEntries
            .Where(e => e.CommunityId == communityId && e.Kind == RecognitionKind.Peer && e.GiverId == actorId && e.At >= start && e.At < end)
            .SumAsync(e => (int?)e.Units, ct) ?? 0;
        return new RecognitionBudget(used, me.Settings.RecognitionMonthlyBudget);
    }

    // ---------------------------------------------------------------- reading

    /// <summary>The member's own entries in the community, received (credited to them) or given, newest first, paged.</summary>
    public async Task<Page<RecognitionRow>> MineAsync(string actorId, Guid communityId, RecognitionDirection direction, int pageIndex, int pageSize,
        CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        pageIndex = Math.Max(0, pageIndex);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, actorId, ct);
        var entries = db.RecognitionEntries.Where(e => e.CommunityId == communityId);
        entries = direction == RecognitionDirection.Given ? entries.Where(e => e.GiverId == actorId) : entries.Where(e => e.ContributorId == actorId);
        var total = await entries.CountAsync(ct);
        var rows = await entries.OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(e => new
            {
                e.Id, e.Kind, e.At, e.ContributorId, ContributorName = e.Contributor.DisplayName, e.GiverId, GiverName = e.Giver.DisplayName,
                e.Units, e.ValuePerUnit, e.Value, e.Reason,
                Item = db.Items.IgnoreQueryFilters().Where(i => i.Id == e.ItemId).Select(i => new { i.Name, i.NameEs }).FirstOrDefault(),
                Category = db.ItemCategories.Where(c => c.Id == e.CategoryId).Select(c => new { c.Name, c.NameEs }).FirstOrDefault(),
            })
            .ToListAsync(ct);
        return new Page<RecognitionRow>(rows.Select(r => new RecognitionRow(r.Id, r.Kind, r.At, r.ContributorId, r.ContributorName, r.GiverId, r.GiverName,
            r.Units, r.ValuePerUnit, r.Value, r.Item is null ? null : CatalogNames.Shown(r.Item.Name, r.Item.NameEs),
            r.Category is null ? null : CatalogNames.Shown(r.Category.Name, r.Category.NameEs), r.Reason)).ToList(), total, pageIndex, pageSize);
    }

    /// <summary>
    /// The community's totals (any member reads them): by category (peer recognition as its own line) and by calendar month
    /// for the last twelve months. Aggregates only: no line names a member.
    /// </summary>
    public async Task<RecognitionTotals> TotalsAsync(string actorId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, actorId, ct);
        var entries = db.RecognitionEntries.Where(e => e.CommunityId == communityId);
        var byCategory = await entries.GroupBy(e => new { Peer = e.Kind == RecognitionKind.Peer, e.CategoryId })
            .Select(g => new { g.Key.Peer, g.Key.CategoryId, Entries = g.Count(), Value = g.Sum(e => (long)e.Value) })
            .ToListAsync(ct);
        var ids = byCategory.Select(c => c.CategoryId).OfType<Guid>().ToList();
        var names = await db.ItemCategories.Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => CatalogNames.Shown(c.Name, c.NameEs), ct);
        var since = MonthStart(Now).AddMonths(1 - Months);
        var byMonth = await entries.Where(e => e.At >= since)
            .GroupBy(e => new { e.At.Year, e.At.Month })
            .Select(g => new { g.Key.Year, g.Key.Month, Entries = g.Count(), Value = g.Sum(e => (long)e.Value) })
            .ToListAsync(ct);
        return new RecognitionTotals(
            byCategory.Select(c => new CategoryTotal(c.CategoryId, c.CategoryId is { } id ? names.GetValueOrDefault(id) : null, c.Peer, c.Entries, c.Value))
                .OrderByDescending(c => c.Value).ThenBy(c => c.CategoryName, StringComparer.CurrentCulture).ToList(),
            byMonth.Select(m => new MonthTotal(m.Year, m.Month, m.Entries, m.Value)).OrderByDescending(m => m.Year).ThenByDescending(m => m.Month).ToList());
    }

    // ---------------------------------------------------------------- disputes (the hook the Disputes feature calls)

    /// <summary>
    /// The parties of a dispute about entry <paramref name="entryId"/>, for <paramref name="userId"/>: the contributor and the
    /// giver (for an automatic entry the request's owner and requester, or the contributor and the confirming manager).
    /// Refused (<see cref="NotFoundException"/>) when there is no such entry or the user is not a member of its community,
    /// and (<see cref="ForbiddenException"/>, "Recognition.Error.NotAParty") when the user is not one of its parties.
    /// </summary>
    public async Task<RecognitionDisputeParties> DisputePartiesAsync(string userId, Guid entryId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var entry = await db.RecognitionEntries.AsNoTracking().Where(e => e.Id == entryId)
                        .Select(e => new { e.CommunityId, e.Kind, e.ContributorId, e.GiverId }).SingleOrDefaultAsync(ct)
                    ?? throw new NotFoundException(Text.Get("Recognition.Error.EntryNotFound"));
        if (await PermissionService.LoadStandingAsync(db, entry.CommunityId, userId, ct) is null) throw new NotFoundException(Text.Get("Recognition.Error.EntryNotFound"));
        if (userId != entry.ContributorId && userId != entry.GiverId) throw new ForbiddenException(Text.Get("Recognition.Error.NotAParty"));
        return new RecognitionDisputeParties(entryId, entry.CommunityId, entry.Kind, new[] { entry.ContributorId, entry.GiverId }.Distinct().ToList());
    }

    private static ValidationFailedException Invalid(string field, string message) => new(new Dictionary<string, string> { [field] = message });
}

/// <summary>
/// The automatic contribution entries (docs/SPEC.md §18), added to the context of the change they record so they commit
/// with it: a fulfilled request (<see cref="ShareService.FulfilAsync"/>, a checkout through a link) and a confirmed
/// contribution to a council or pool (<see cref="CouncilService.ConfirmContributionAsync"/>). The value is the item's value
/// per unit at that moment times the units; the category is the item's (or the share's, when it names no item).
/// </summary>
public static class RecognitionLog
{
    public static async Task ForRequestAsync(AppDbContext db, Share share, Guid requestId, string requesterId, int units, DateTime now, CancellationToken ct)
    {
        var (value, categoryId) = await ValueAsync(db, share.ItemId, ct);
        db.RecognitionEntries.Add(new RecognitionEntry
        {
            CommunityId = share.CommunityId, Kind = RecognitionKind.Request, ContributorId = share.OwnerId, GiverId = requesterId, Units = units,
            ValuePerUnit = value, Value = units * (value ?? 0), ItemId = share.ItemId, CategoryId = categoryId ?? share.CategoryId, ShareRequestId = requestId, At = now,
        });
    }

    public static async Task ForContributionAsync(AppDbContext db, Contribution contribution, string deciderId, DateTime now, CancellationToken ct)
    {
        var (value, categoryId) = await ValueAsync(db, contribution.ItemId, ct);
        db.RecognitionEntries.Add(new RecognitionEntry
        {
            CommunityId = contribution.CommunityId, Kind = RecognitionKind.Contribution, ContributorId = contribution.ContributorId, GiverId = deciderId,
            Units = contribution.Units, ValuePerUnit = value, Value = contribution.Units * (value ?? 0), ItemId = contribution.ItemId, CategoryId = categoryId,
            ContributionId = contribution.Id, At = now,
        });
    }

    private static async Task<(int? Value, Guid? CategoryId)> ValueAsync(AppDbContext db, Guid? itemId, CancellationToken ct)
    {
        if (itemId is not { } id) return (null, null);
        var item = await db.Items.IgnoreQueryFilters().Where(i => i.Id == id).Select(i => new { i.ValuePoints, i.CategoryId }).SingleOrDefaultAsync(ct);
        return (item?.ValuePoints, item?.CategoryId);
    }
}
