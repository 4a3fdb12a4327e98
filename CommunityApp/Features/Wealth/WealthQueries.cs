using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Needs;
using CommunityApp.Resources;

namespace CommunityApp.Features.Wealth;

public enum ShareSort
{
    Newest,
    ExpiringSoon,
    MostAvailable,
}

public sealed record ShareQuery(
    string? Text = null, Guid? CategoryId = null, WealthKind? Kind = null, ShareStatus? Status = ShareStatus.Active,
    bool OnlyRequestable = false, bool ExpiringSoon = false, ShareSort Sort = ShareSort.Newest, int PageIndex = 0, int PageSize = 20);

/// <summary>
/// A share as lists and its page show it. <see cref="CouncilId"/> and <see cref="CouncilName"/> name the council it goes to
/// (<see cref="Target"/> Council: a contribution) or whose inventory it shares. A recurring share offers
/// <see cref="UnitsOffered"/> per <see cref="Recurrence"/>; <see cref="UnitsFree"/> is what is left this period, and
/// <see cref="PeriodEnd"/> when it refills (both as of the clock, also before the refill job has run).
/// </summary>
public sealed record ShareRow(Guid Id, string Title, string? Description, WealthKind Kind, string OwnerName, string OwnerId, int UnitsOffered, int UnitsFree,
    ShareStatus Status, DateTime? ExpiresAt, int? MinTrust, string? CategoryName, DateTime CreatedAt, Guid? CategoryId,
    ShareTarget Target = ShareTarget.Community, Guid? CouncilId = null, string? CouncilName = null, Guid? PoolId = null, string? PoolName = null,
    NeedRecurrence Recurrence = NeedRecurrence.Once, DateTime? PeriodStart = null, DateTime? PeriodEnd = null)
{
    public bool IsRecurring => Recurrence != NeedRecurrence.Once;

    /// <summary>When an active recurring share offers its units again; null when it will not (one-time, closed, or expiring first).</summary>
    public DateTime? RefillsAt => Status == ShareStatus.Active && PeriodEnd is { } end && (ExpiresAt is null || ExpiresAt > end) ? end : null;

    /// <summary>The row as of <paramref name="now"/>: an active share's period that has ended is the next one, with every unit free.</summary>
    internal ShareRow At(DateTime now)
    {
        if (this is not { Status: ShareStatus.Active, PeriodStart: { } start, PeriodEnd: { } end } || end > now) return this;
        var (periodStart, periodEnd) = SharePeriods.Current(Recurrence, start, end, now);
        return this with { UnitsFree = UnitsOffered, PeriodStart = periodStart, PeriodEnd = periodEnd };
    }
}

public sealed record RequestRow(Guid Id, Guid ShareId, string ShareTitle, string RequesterId, string RequesterName, string OwnerName, int Units, string? Message,
    RequestStatus Status, DateTime CreatedAt);

public sealed record MessageRow(string AuthorName, string Body, DateTime At);

public sealed record CommentRow(Guid Id, string AuthorName, string Body, DateTime At, string AuthorId = "", DateTime? EditedAt = null);

/// <summary>A share's page. <see cref="Comments"/> are the newest ones, oldest first; <see cref="CommentCount"/> counts them all.</summary>
public sealed record ShareDetail(ShareRow Share, bool IsOwner, PermissionCheck RequestCheck, IReadOnlyList<RequestRow> Requests, IReadOnlyList<CommentRow> Comments,
    int MyOpenUnits, int? MaxUnitsPerMember, bool HasImage, Guid? ItemId, string? ItemName, int CommentCount = 0);

/// <summary>Comments older than the ones shown, oldest first, and whether there are older ones still.</summary>
public sealed record CommentPage(IReadOnlyList<CommentRow> Comments, bool HasOlder);

public sealed record CategoryRow(Guid Id, Guid? ParentId, string Name);

/// <summary>Reading wealth (docs/SPEC.md §5.2–5.3): browse and search, a share's page, my shares, my requests, incoming requests.</summary>
public sealed class WealthQueries(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxPageSize = 100;
    /// <summary>Browsing counts matches only up to here ("10000+"): counting 100,000 shares costs more than the page itself.</summary>
    public const int CountCap = 10_000;
    public static readonly TimeSpan ExpiringSoonWindow = TimeSpan.FromDays(3);

    public async Task<Page<ShareRow>> SearchAsync(string viewerId, Guid communityId, ShareQuery query, CancellationToken ct = default)
    {
        var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var pageIndex = Math.Max(0, query.PageIndex);
        if (!Texts.IsStorable(query.Text)) throw new ValidationFailedException(new Dictionary<string, string> { ["search"] = Texts.UnstorableMessage });
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // One connection for the call's two or three queries, not one from the pool for each.
        await db.Database.OpenConnectionAsync(ct);
        var viewer = await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        // Browsing lists what members can ask for; gifts to councils are listed on the council's page.
        var shares = db.Shares.Where(s => s.CommunityId == communityId && s.Target == ShareTarget.Community);
        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            var text = query.Text.Trim();
            shares = db.Database.IsNpgsql()
                ? shares.Where(s => EF.Property<NpgsqlTypes.NpgsqlTsVector>(s, "search_vector").Matches(EF.Functions.WebSearchToTsQuery("simple", text)))
                : shares.Where(s => s.Title.ToLower().Contains(text.ToLower()) || (s.Description != null && s.Description.ToLower().Contains(text.ToLower())));
        }
        if (query.CategoryId is { } category) shares = shares.Where(s => s.CategoryId == category);
        if (query.Kind is { } kind) shares = shares.Where(s => s.Kind == kind);
        if (query.Status is { } status)
        {
            // An active share past its expiry is already expired for everyone, before the job marks it.
            shares = status switch
            {
                ShareStatus.Active => shares.Where(s => s.Status == ShareStatus.Active && (s.ExpiresAt == null || s.ExpiresAt > now)),
                ShareStatus.Expired => shares.Where(s => s.Status == ShareStatus.Expired || (s.Status == ShareStatus.Active && s.ExpiresAt <= now)),
                _ => shares.Where(s => s.Status == status),
            };
        }
        if (query.ExpiringSoon)
        {
            var soon = now + ExpiringSoonWindow;
            shares = shares.Where(s => s.ExpiresAt != null && s.ExpiresAt > now && s.ExpiresAt <= soon);
        }
        if (query.OnlyRequestable)
        {
            var mayRequest = PermissionService.Decide(viewer, Permission.RequestWealth).Allowed;
            // A recurring share whose period has ended is full again, before the refill job stores it.
            shares = mayRequest
                ? shares.Where(s => s.OwnerId != viewerId && s.Status == ShareStatus.Active && (s.ExpiresAt == null || s.ExpiresAt > now)
                                    && (s.UnitsReserved + s.UnitsGiven < s.UnitsOffered || s.PeriodEnd <= now)).Where(PermissionService.MeetsShareCap(viewer))
                : shares.Where(_ => false);
        }
        // The matches are counted up to the cap; on a first page the count rides along with the rows (a scalar subquery the
        // database runs once), so the page costs one query, not two. An empty first page means no matches.
        var counted = shares.Take(CountCap + 1);
        var offset = Paging.Offset(pageIndex, pageSize);
        if (query.Sort == ShareSort.MostAvailable)
        {
            // The stored free units are what an index can order (PostgreSQL: ix_shares_browse_available). A recurring share whose
            // period has ended is full again before the refill job stores it: those few are read apart and merged, so the page
            // is exactly the one the "free as of now" order gives (a share ranks no higher by its stored units than by those).
            // Past the counted rows there is nothing to merge (and the read below never loads more than the count's cap); a
            // later page counts first, a first page reads its count with the rows.
            int? laterCount = offset == 0 ? null : await counted.CountAsync(ct);
            if (offset >= laterCount) return new Page<ShareRow>([], laterCount.Value, pageIndex, pageSize);
            var wanted = offset + pageSize;
            // Both orders in one query (UNION ALL).
            var byStored = shares.OrderByDescending(s => s.UnitsOffered - s.UnitsReserved - s.UnitsGiven).ThenByDescending(s => s.Id).Take(wanted);
            var refilled = shares.Where(s => s.PeriodEnd <= now).OrderByDescending(s => s.UnitsOffered).ThenByDescending(s => s.Id).Take(wanted);
            var read = await Project(db, byStored.Concat(refilled), now, CatalogNames.Spanish)
                .Select(r => new { Row = r, Total = counted.Count() }).ToListAsync(ct);
            var total = laterCount ?? (read.Count > 0 ? read[0].Total : 0);
            var page = read.Select(r => r.Row.At(now)).DistinctBy(r => r.Id)
                .OrderByDescending(r => r.UnitsFree).ThenByDescending(r => r.Id).Skip(offset).Take(pageSize).ToList();
            return new Page<ShareRow>(page, total, pageIndex, pageSize);
        }
        shares = query.Sort switch
        {
            // PostgreSQL puts nulls last in an ascending order, as this sort wants them: the (community, expires, id) index of active shares serves it.
            ShareSort.ExpiringSoon when db.Database.IsNpgsql() => shares.OrderBy(s => s.ExpiresAt).ThenByDescending(s => s.Id),
            ShareSort.ExpiringSoon => shares.OrderBy(s => s.ExpiresAt == null).ThenBy(s => s.ExpiresAt).ThenByDescending(s => s.Id),
            _ => shares.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id),
        };
        var rows = await Project(db, shares.Skip(offset).Take(pageSize), now, CatalogNames.Spanish)
            .Select(r => new { Row = r, Total = counted.Count() }).ToListAsync(ct);
        var matches = rows.Count > 0 ? rows[0].Total : offset == 0 ? 0 : await counted.CountAsync(ct);
        return new Page<ShareRow>(rows.Select(r => r.Row.At(now)).ToList(), matches, pageIndex, pageSize);
    }

    /// <summary>A share's page: the owner sees every request, others only their own. A share of another community is not found here, whatever its id.</summary>
    public async Task<ShareDetail> GetAsync(string viewerId, Guid communityId, Guid shareId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var viewer = await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        if (!await db.Shares.AnyAsync(s => s.Id == shareId && s.CommunityId == communityId, ct))
            throw new NotFoundException(Text.Get("Error.ShareNotFound"));
        var now = clock.GetUtcNow().UtcDateTime;
        var es = CatalogNames.Spanish;
        var share = (await Project(db, db.Shares.Where(s => s.Id == shareId), now, es).SingleAsync(ct)).At(now);
        var extra = await db.Shares.Where(s => s.Id == shareId)
            .Select(s => new { s.MaxUnitsPerMember, s.ItemId, ItemName = db.Items.Where(i => i.Id == s.ItemId).Select(i => es && i.NameEs != null ? i.NameEs : i.Name).FirstOrDefault() })
            .SingleAsync(ct);
        var isOwner = share.OwnerId == viewerId;
        var requests = await Requests(db.ShareRequests.Where(r => r.ShareId == shareId && (isOwner || r.RequesterId == viewerId))
            .OrderByDescending(r => r.CreatedAt).Take(MaxPageSize)).ToListAsync(ct);
        // The newest comments: a hundred posts must not bury the latest one.
        var comments = (await NewestComments(db.ShareComments.Where(c => c.ShareId == shareId)).Take(CommentPageSize).ToListAsync(ct)).AsEnumerable().Reverse().ToList();
        var commentCount = await db.ShareComments.CountAsync(c => c.ShareId == shareId, ct);
        var myOpen = requests.Where(r => r.RequesterId == viewerId && r.Status is RequestStatus.Pending or RequestStatus.Accepted).Sum(r => r.Units);
        var check = PermissionService.DecideShareRequest(viewer, share.MinTrust);
        var hasImage = await db.Set<ShareImage>().AnyAsync(i => i.ShareId == shareId, ct);
        return new ShareDetail(share, isOwner, check, requests, comments, myOpen, extra.MaxUnitsPerMember, hasImage, extra.ItemId, extra.ItemName, commentCount);
    }

    /// <summary>How many comments a share's page shows at first, and loads with each "earlier comments".</summary>
    public const int CommentPageSize = 20;

    /// <summary>The comments just before <paramref name="before"/> (the oldest one shown), oldest first.</summary>
    public async Task<CommentPage> EarlierCommentsAsync(string viewerId, Guid communityId, Guid shareId, Guid before, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var mark = await db.ShareComments.Where(c => c.Id == before && c.ShareId == shareId && db.Shares.Any(s => s.Id == shareId && s.CommunityId == communityId))
                       .Select(c => new { c.CreatedAt, c.Id }).SingleOrDefaultAsync(ct)
                   ?? throw new NotFoundException(Text.Get("Error.ShareNotFound"));
        var page = await NewestComments(db.ShareComments.Where(c => c.ShareId == shareId
                && (c.CreatedAt < mark.CreatedAt || (c.CreatedAt == mark.CreatedAt && c.Id.CompareTo(mark.Id) < 0))))
            .Take(CommentPageSize + 1).ToListAsync(ct);
        return new CommentPage(page.Take(CommentPageSize).Reverse().ToList(), page.Count > CommentPageSize);
    }

    private static IQueryable<CommentRow> NewestComments(IQueryable<ShareComment> comments) =>
        comments.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Select(c => new CommentRow(c.Id, c.Author.DisplayName, c.Body, c.CreatedAt, c.AuthorId, c.EditedAt));

    /// <summary>Requests on my shares in this community that wait for my answer (the navigation's badge).</summary>
    public async Task<int> OpenIncomingCountAsync(string viewerId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ShareRequests.CountAsync(r => r.Status == RequestStatus.Pending && r.Share.OwnerId == viewerId && r.Share.CommunityId == communityId, ct);
    }

    /// <summary>My requests (as requester) or incoming requests (on my shares), newest first, with counts by state.</summary>
    public async Task<(Page<RequestRow> Page, IReadOnlyDictionary<RequestStatus, int> Counts)> RequestsAsync(
        string viewerId, Guid communityId, bool incoming, RequestStatus? status, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var mine = db.ShareRequests.Where(r => r.Share.CommunityId == communityId && (incoming ? r.Share.OwnerId == viewerId : r.RequesterId == viewerId));
        var counts = await mine.GroupBy(r => r.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        if (status is { } s) mine = mine.Where(r => r.Status == s);
        var total = await mine.CountAsync(ct);
        var rows = await Requests(mine.OrderByDescending(r => r.CreatedAt).Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)).ToListAsync(ct);
        return (new Page<RequestRow>(rows, total, pageIndex, pageSize), counts);
    }

    public async Task<Page<ShareRow>> MySharesAsync(string viewerId, Guid communityId, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var mine = db.Shares.Where(s => s.CommunityId == communityId && s.OwnerId == viewerId);
        var total = await mine.CountAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = await Project(db, mine.OrderByDescending(s => s.CreatedAt).Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize), now, CatalogNames.Spanish).ToListAsync(ct);
        return new Page<ShareRow>(rows.Select(r => r.At(now)).ToList(), total, pageIndex, pageSize);
    }

    /// <summary>The community's categories by the name the viewer reads (docs/SPEC.md §5.1).</summary>
    public async Task<IReadOnlyList<CategoryRow>> CategoriesAsync(string viewerId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var es = CatalogNames.Spanish;
        return await db.ItemCategories.Where(c => c.CommunityId == communityId)
            .OrderBy(c => es && c.NameEs != null ? c.NameEs : c.Name).ThenBy(c => c.Id).Take(CatalogService.MaxCategories)
            .Select(c => new CategoryRow(c.Id, c.ParentId, es && c.NameEs != null ? c.NameEs : c.Name)).ToListAsync(ct);
    }

    /// <summary>The private thread of a request: only its requester and the share's owner may read it.</summary>
    public async Task<IReadOnlyList<MessageRow>> MessagesAsync(string viewerId, Guid requestId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var communityId = await db.ShareRequests.Where(r => r.Id == requestId && (r.RequesterId == viewerId || r.Share.OwnerId == viewerId))
                              .Select(r => (Guid?)r.Share.CommunityId).SingleOrDefaultAsync(ct)
                          ?? throw new NotFoundException(Text.Get("Error.RequestNotFound"));
        // A party who has since left or been removed reads nothing more.
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        return await db.RequestMessages.Where(m => m.RequestId == requestId).OrderBy(m => m.CreatedAt).Take(200)
            .Select(m => new MessageRow(m.Author.DisplayName, m.Body, m.CreatedAt)).ToListAsync(ct);
    }

    /// <summary>Shares as rows; <paramref name="es"/>: the category's Spanish name where it has one (<see cref="CatalogNames"/>).</summary>
    private static IQueryable<ShareRow> Project(AppDbContext db, IQueryable<Share> shares, DateTime now, bool es) =>
        shares.Select(s => new ShareRow(s.Id, s.Title, s.Description, s.Kind, s.Owner.DisplayName, s.OwnerId, s.UnitsOffered,
            s.UnitsOffered - s.UnitsReserved - s.UnitsGiven,
            s.Status == ShareStatus.Active && s.ExpiresAt != null && s.ExpiresAt <= now ? ShareStatus.Expired : s.Status,
            s.ExpiresAt, s.MinTrust, db.ItemCategories.Where(c => c.Id == s.CategoryId).Select(c => es && c.NameEs != null ? c.NameEs : c.Name).FirstOrDefault(), s.CreatedAt, s.CategoryId,
            s.Target, s.SourceCouncilId ?? s.TargetId,
            db.Councils.Where(c => c.Id == (s.SourceCouncilId ?? s.TargetId)).Select(c => c.Name).FirstOrDefault(),
            // A pool's share or a gift to a pool (docs/SPEC.md §7) names the pool.
            s.SourcePoolId ?? (s.Target == ShareTarget.Pool ? s.TargetId : null),
            db.Pools.Where(p => p.Id == (s.SourcePoolId ?? (s.Target == ShareTarget.Pool ? s.TargetId : null))).Select(p => p.Name).FirstOrDefault(),
            s.Recurrence, s.PeriodStart, s.PeriodEnd));

    private static IQueryable<RequestRow> Requests(IQueryable<ShareRequest> requests) =>
        requests.Select(r => new RequestRow(r.Id, r.ShareId, r.Share.Title, r.RequesterId, r.Requester.DisplayName, r.Share.Owner.DisplayName,
            r.Units, r.Message, r.Status, r.CreatedAt));
}
