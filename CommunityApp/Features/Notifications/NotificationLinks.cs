using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;

namespace CommunityApp.Features.Notifications;

/// <summary>
/// Whether a notification's link still opens for its reader (docs/SPEC.md §14): the reader may have left the community,
/// the share, council, initiative, pool or poll may be deleted, the thread gone or the post hidden or deleted. The check
/// asks the feature's own read service for the page the link opens, so the reason is the one that page would give; the
/// notification page shows it instead of sending the reader to a page that fails.
/// </summary>
public sealed class NotificationLinks(IServiceProvider services, IDbContextFactory<AppDbContext> dbFactory)
{
    /// <summary>Null when the link opens; otherwise why it does not, in the reader's language.</summary>
    public async Task<string?> UnavailableReasonAsync(string userId, NotificationRow notification, CancellationToken ct = default)
    {
        // An invite is for someone who is not a member yet; its link is their list of communities.
        if (notification.Kind == NotificationKind.InviteReceived) return null;
        if (!Uri.TryCreate(new Uri("http://app.local/"), notification.Link, out var uri)) return null;
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length < 2 || segments[0] != "c" || !Guid.TryParse(segments[1], out var communityId)) return null;
        Guid? Id(int index) => segments.Length > index && Guid.TryParse(segments[index], out var id) ? id : null;
        try
        {
            switch (segments.ElementAtOrDefault(2))
            {
                case "shares" when Id(3) is { } share:
                    await Get<Wealth.WealthQueries>().GetAsync(userId, communityId, share, ct);
                    break;
                case "councils" when Id(3) is { } council:
                    if (segments.ElementAtOrDefault(4) == "initiatives" && Id(5) is { } initiative)
                        await Get<Councils.InitiativeService>().GetAsync(userId, communityId, council, initiative, ct);
                    else
                        await Get<Councils.CouncilQueries>().GetAsync(userId, communityId, council, ct);
                    break;
                case "pools" when Id(3) is { } pool:
                    await Get<Pools.PoolQueries>().GetAsync(userId, communityId, pool, ct);
                    break;
                case "polls" when Id(3) is { } poll:
                    await Get<Polls.PollService>().GetAsync(userId, communityId, poll, ct);
                    break;
                case "forum" when segments.ElementAtOrDefault(3) == "threads" && Id(4) is { } thread:
                    var view = await Get<Forum.ForumQueries>().ThreadAsync(userId, communityId, thread, null, 1, ct);
                    if (PostOf(uri) is { } postId) return await PostUnavailableAsync(userId, thread, postId, view.Viewer.SeesHidden, ct);
                    break;
                default:
                    await using (var db = await dbFactory.CreateDbContextAsync(ct)) await Auth.PermissionService.DemandMemberAsync(db, communityId, userId, ct);
                    break;
            }
            return null;
        }
        catch (AppException ex) when (ex is NotFoundException or ForbiddenException)
        {
            return ex.Message;
        }
    }

    private T Get<T>() where T : notnull => services.GetRequiredService<T>();

    /// <summary>The post a forum link points at: its <c>?post=</c>, or the <c>#post-</c> anchor of older links.</summary>
    private static Guid? PostOf(Uri uri)
    {
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query);
        if (query.TryGetValue("post", out var value) && Guid.TryParse(value, out var id)) return id;
        return uri.Fragment.StartsWith("#post-", StringComparison.Ordinal) && Guid.TryParse(uri.Fragment["#post-".Length..], out id) ? id : null;
    }

    private async Task<string?> PostUnavailableAsync(string userId, Guid threadId, Guid postId, bool seesHidden, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var post = await db.ForumPosts.IgnoreQueryFilters().Where(p => p.Id == postId && p.ThreadId == threadId)
            .Select(p => new { p.DeletedAt, p.HiddenAt, p.AuthorId }).SingleOrDefaultAsync(ct);
        if (post is null || post.DeletedAt is not null) return Resources.Text.Get("Notifications.PostDeleted");
        if (post.HiddenAt is not null && !seesHidden && post.AuthorId != userId) return Resources.Text.Get("Notifications.PostHidden");
        return null;
    }
}
