namespace CommunityApp.Components;

/// <summary>
/// The one place that builds community URLs; the <c>@page</c> templates of the community pages match these.
/// Pages get it as <c>Urls</c> from the community page base; services that write links use <see cref="For"/>.
/// </summary>
public readonly record struct CommunityUrls(Guid CommunityId)
{
    public static CommunityUrls For(Guid communityId) => new(communityId);

    public string Home => $"/c/{CommunityId}";
    public string Edit => Home + "/edit";
    public string Members => Home + "/members";
    public string Member(string userId) => $"{Home}/members/{Uri.EscapeDataString(userId)}";
    public string Trust => Home + "/trust";
    public string MyTrust => Home + "/trust/me";
    public string Shares => Home + "/shares";
    public string NewShare => Home + "/shares/new";
    public string Share(Guid shareId) => $"{Home}/shares/{shareId}";
    public string EditShare(Guid shareId) => $"{Home}/shares/{shareId}/edit";
    public string PrintCheckoutLink(Guid shareId, Guid linkId) => $"{Home}/shares/{shareId}/checkout-links/{linkId}/print";
    public string PrintPoolCheckoutLink(Guid poolId, Guid linkId) => $"{Home}/pools/{poolId}/checkout-links/{linkId}/print";
    /// <summary>A checkout link (docs/SPEC.md §19); the absolute one for QR codes comes from <c>PublicUrls</c>.</summary>
    public string Checkout(string token) => $"{Home}/checkout/{Uri.EscapeDataString(token)}";
    public string Requests => Home + "/requests";
    public string Catalogue => Home + "/catalogue";
    public string Councils => Home + "/councils";
    public string NewCouncil => Home + "/councils/new";
    public string Council(Guid councilId) => $"{Home}/councils/{councilId}";
    public string Initiative(Guid councilId, Guid initiativeId) => $"{Home}/councils/{councilId}/initiatives/{initiativeId}";
    public string Pools => Home + "/pools";
    public string Pool(Guid poolId) => $"{Home}/pools/{poolId}";
    public string Needs => Home + "/needs";
    public string MyNeeds => Home + "/needs/mine";
    public string NewNeed => Home + "/needs/new";
    public string Need(Guid needId) => $"{Home}/needs/{needId}";
    public string EditNeed(Guid needId) => $"{Home}/needs/{needId}/edit";
    public string Polls => Home + "/polls";
    public string NewPoll => Home + "/polls/new";
    /// <summary>A new poll on behalf of a council, or of one of its pools.</summary>
    public string NewPollFor(Guid councilId, Guid? poolId = null) => poolId is { } pool ? $"{NewPoll}?council={councilId}&pool={pool}" : $"{NewPoll}?council={councilId}";
    public string Poll(Guid pollId) => $"{Home}/polls/{pollId}";
    /// <summary>The results as CSV (an endpoint, not a page).</summary>
    public string PollResultsCsv(Guid pollId) => $"{Home}/polls/{pollId}/results.csv";
    public string Forum => Home + "/forum";
    public string ForumSearch(string text) => $"{Home}/forum?q={Uri.EscapeDataString(text)}";
    public string ForumCategory(Guid categoryId) => $"{Home}/forum/categories/{categoryId}";
    public string NewForumThread(Guid categoryId) => $"{Home}/forum/categories/{categoryId}/new";
    public string ForumThread(Guid threadId) => $"{Home}/forum/threads/{threadId}";
    /// <summary>A post inside its thread: the thread opens at the page of replies holding it and scrolls to its card's anchor.</summary>
    public string ForumPost(Guid threadId, Guid postId) => $"{Home}/forum/threads/{threadId}?post={postId}#post-{postId}";
    public string ForumReview => Home + "/forum/review";
    public string ForumModerationLog => Home + "/forum/moderation-log";
    public string Disputes => Home + "/disputes";
    /// <summary>The form that opens a dispute about a request.</summary>
    public string NewDispute(Guid requestId) => $"{Home}/disputes/new?request={requestId}";
    /// <summary>The form that opens a dispute about a value-recognition entry (docs/SPEC.md §18).</summary>
    public string NewDisputeForEntry(Guid entryId) => $"{Home}/disputes/new?entry={entryId}";
    public string Dispute(Guid disputeId) => $"{Home}/disputes/{disputeId}";
    public string Skills => Home + "/skills";
    public string Recognition => Home + "/recognition";
    public string Settings => Home + "/settings";
    public string Invites => Home + "/invites";
    public string Audit => Home + "/audit";
    /// <summary>The community health dashboard (docs/SPEC.md §13).</summary>
    public string Health => Home + "/health";
    /// <summary>The dashboard's figures for one range ("7d", "30d", "90d", "1y") as CSV (an endpoint, not a page).</summary>
    public string HealthCsv(string range) => $"{Home}/health/figures.csv?range={Uri.EscapeDataString(range)}";
    public string NonContributors => Home + "/insight/non-contributors";
    public string TrustRings => Home + "/insight/trust-rings";
    /// <summary>CSV exports (endpoints, not pages), with the page's filters and sort in the query.</summary>
    public string MembersCsv(string? search, string sort) => $"{Home}/members.csv?sort={sort}{Query("search", search)}";
    public string NonContributorsCsv(string sort) => $"{Home}/insight/non-contributors.csv?sort={sort}";
    public string AuditCsv(string? actorId, string? action, DateTime? from, DateTime? to) =>
        $"{Home}/audit.csv?x=1{Query("actor", actorId)}{Query("action", action)}{Query("from", from?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))}{Query("to", to?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))}";
    public string RequestsCsv(bool incoming, string? status) => $"{Home}/requests.csv?incoming={(incoming ? "true" : "false")}{Query("status", status)}";

    private static string Query(string name, string? value) => string.IsNullOrEmpty(value) ? "" : $"&{name}={Uri.EscapeDataString(value)}";
}
