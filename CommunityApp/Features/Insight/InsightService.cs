using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;

namespace CommunityApp.Features.Insight;

/// <summary>One month of a member's activity (the month's first day, UTC).</summary>
public sealed record MonthActivity(DateTime Month, int Shares, int Fulfilled, int TrustGiven, int TrustReceived);

/// <summary>
/// A member's statistics (docs/SPEC.md §13): shares published, requests fulfilled as the giver, the fulfilment rate
/// (fulfilled ÷ requests to their shares that ended fulfilled, rejected or failed; null when none ended), the active awards
/// they gave and received, and the last 12 months of each (trust: awards given and received that month).
/// </summary>
public sealed record MemberStats(int SharesPublished, int RequestsFulfilled, double? FulfilmentRate, int TrustGiven, int TrustReceived, IReadOnlyList<MonthActivity> Months)
{
    public bool IsEmpty => SharesPublished == 0 && RequestsFulfilled == 0 && TrustGiven == 0 && TrustReceived == 0 && Months.All(m => m.Shares + m.Fulfilled + m.TrustGiven + m.TrustReceived == 0);
}

public enum NonContributorSort
{
    LastContribution,
    LastContributionDescending,
    Name,
    NameDescending,
    Joined,
    JoinedDescending,
}

public sealed record NonContributorQuery(NonContributorSort Sort = NonContributorSort.LastContribution, int PageIndex = 0, int PageSize = 25);

/// <summary>A member without a share, need or fulfilment in the window; <see cref="LastContribution"/> null: never.</summary>
public sealed record NonContributorRow(string UserId, string DisplayName, string UserName, DateTime JoinedAt, DateTime? LastContribution);

public sealed record NonContributorPage(Page<NonContributorRow> Page, int ThresholdDays, DateTime Since);

/// <summary>Member statistics and the non-contributing members (docs/SPEC.md §13).</summary>
public sealed class InsightService(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxPageSize = 100;
    public const int Months = 12;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>Any member may read another member's statistics. Two queries: the totals, then the dated events of the last 12 months.</summary>
    public async Task<MemberStats> MemberStatsAsync(string viewerId, Guid communityId, string memberId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var totals = await db.Memberships.Where(m => m.CommunityId == communityId && m.UserId == memberId)
            .Select(m => new
            {
                Shares = db.Shares.Count(s => s.CommunityId == communityId && s.OwnerId == memberId),
                Fulfilled = db.ShareRequests.Count(r => r.Share.CommunityId == communityId && r.Share.OwnerId == memberId && r.Status == RequestStatus.Fulfilled),
                Ended = db.ShareRequests.Count(r => r.Share.CommunityId == communityId && r.Share.OwnerId == memberId
                                                    && (r.Status == RequestStatus.Fulfilled || r.Status == RequestStatus.Rejected || r.Status == RequestStatus.Failed)),
                Given = db.TrustAwards.Count(a => a.CommunityId == communityId && a.GiverId == memberId),
                Received = db.TrustAwards.Count(a => a.CommunityId == communityId && a.ReceiverId == memberId),
            })
            .SingleOrDefaultAsync(ct) ?? throw new NotFoundException(Resources.Text.Get("Error.PersonNotMember"));

        var now = Now;
        var first = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(-(Months - 1));
        // One query: the dated events of the window, by kind (0 share, 1 fulfilment, 2 award given, 3 award received).
        var events = await db.Shares.Where(s => s.CommunityId == communityId && s.OwnerId == memberId && s.CreatedAt >= first).Select(s => new { Kind = 0, At = s.CreatedAt })
            .Concat(db.ShareRequests.Where(r => r.Share.CommunityId == communityId && r.Share.OwnerId == memberId && r.Status == RequestStatus.Fulfilled && r.UpdatedAt >= first)
                .Select(r => new { Kind = 1, At = r.UpdatedAt }))
            .Concat(db.TrustHistory.Where(h => h.CommunityId == communityId && h.ActorId == memberId && h.Action == TrustHistoryAction.Awarded && h.CreatedAt >= first)
                .Select(h => new { Kind = 2, At = h.CreatedAt }))
            .Concat(db.TrustHistory.Where(h => h.CommunityId == communityId && h.SubjectId == memberId && h.Action == TrustHistoryAction.Awarded && h.CreatedAt >= first)
                .Select(h => new { Kind = 3, At = h.CreatedAt }))
            .ToListAsync(ct);
        var counts = new int[Months, 4];
        foreach (var e in events)
        {
            var month = (e.At.Year - first.Year) * 12 + e.At.Month - first.Month;
            if (month is >= 0 and < Months) counts[month, e.Kind]++;
        }
        var months = Enumerable.Range(0, Months).Select(i => new MonthActivity(first.AddMonths(i), counts[i, 0], counts[i, 1], counts[i, 2], counts[i, 3])).ToList();
        return new MemberStats(totals.Shares, totals.Fulfilled, totals.Ended == 0 ? null : (double)totals.Fulfilled / totals.Ended, totals.Given, totals.Received, months);
    }

    /// <summary>
    /// Members who joined before the window and have no share, need or fulfilment (as the giver) within the community's
    /// <c>nonContributionThresholdDays</c>, for admins and holders of the analytics permission; sortable, one page at a time.
    /// </summary>
    public async Task<NonContributorPage> NonContributorsAsync(string actorId, Guid communityId, NonContributorQuery query, CancellationToken ct = default)
    {
        var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var pageIndex = Math.Max(0, query.PageIndex);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var standing = await PermissionService.DemandAsync(db, communityId, actorId, Permission.ViewHealthAnalytics, ct);
        var days = standing.Settings.Analytics.NonContributionThresholdDays;
        var since = Now.AddDays(-days);
        var rows = NonContributors(db, communityId, since);
        var total = await rows.CountAsync(ct);
        var items = await Sorted(rows, query.Sort).Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(r => new NonContributorRow(r.UserId, r.DisplayName, r.UserName, r.JoinedAt, r.Last)).ToListAsync(ct);
        return new NonContributorPage(new Page<NonContributorRow>(items, total, pageIndex, pageSize), days, since);
    }

    internal sealed class Candidate
    {
        public string UserId { get; init; } = "";
        public string DisplayName { get; init; } = "";
        public string UserName { get; init; } = "";
        public DateTime JoinedAt { get; init; }
        public DateTime? Last { get; init; }
    }

    /// <summary>The non-contributors as one query: each member's latest share, need and fulfilment, the latest of the three.</summary>
    internal static IQueryable<Candidate> NonContributors(AppDbContext db, Guid communityId, DateTime since) =>
        db.Memberships.Where(m => m.CommunityId == communityId && m.CreatedAt <= since)
            .Select(m => new
            {
                m.UserId, m.User.DisplayName, m.User.UserName, m.CreatedAt,
                Share = db.Shares.Where(s => s.CommunityId == communityId && s.OwnerId == m.UserId).Max(s => (DateTime?)s.CreatedAt),
                Need = db.Needs.Where(n => n.CommunityId == communityId && n.OwnerId == m.UserId).Max(n => (DateTime?)n.CreatedAt),
                Fulfilment = db.ShareRequests.Where(r => r.Share.CommunityId == communityId && r.Share.OwnerId == m.UserId && r.Status == RequestStatus.Fulfilled).Max(r => (DateTime?)r.UpdatedAt),
            })
            .Where(x => (x.Share == null || x.Share < since) && (x.Need == null || x.Need < since) && (x.Fulfilment == null || x.Fulfilment < since))
            .Select(x => new Candidate
            {
                UserId = x.UserId, DisplayName = x.DisplayName, UserName = x.UserName!, JoinedAt = x.CreatedAt,
                Last = x.Share != null && (x.Need == null || x.Share >= x.Need) && (x.Fulfilment == null || x.Share >= x.Fulfilment) ? x.Share
                    : x.Need != null && (x.Fulfilment == null || x.Need >= x.Fulfilment) ? x.Need
                    : x.Fulfilment,
            });

    internal static IQueryable<Candidate> Sorted(IQueryable<Candidate> rows, NonContributorSort sort) => sort switch
    {
        // Never contributed first, then the longest silent; ties by user id so pages never overlap.
        NonContributorSort.LastContribution => rows.OrderBy(r => r.Last != null).ThenBy(r => r.Last).ThenBy(r => r.UserId),
        NonContributorSort.LastContributionDescending => rows.OrderBy(r => r.Last == null).ThenByDescending(r => r.Last).ThenBy(r => r.UserId),
        NonContributorSort.Name => rows.OrderBy(r => r.DisplayName).ThenBy(r => r.UserId),
        NonContributorSort.NameDescending => rows.OrderByDescending(r => r.DisplayName).ThenBy(r => r.UserId),
        NonContributorSort.Joined => rows.OrderBy(r => r.JoinedAt).ThenBy(r => r.UserId),
        _ => rows.OrderByDescending(r => r.JoinedAt).ThenBy(r => r.UserId),
    };
}
