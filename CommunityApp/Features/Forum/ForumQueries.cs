using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;

namespace CommunityApp.Features.Forum;

public sealed record CategoryRow(Guid Id, string Name, string Description, int Threads, DateTime? LastActivityAt, Guid? LastThreadId, string? LastThreadTitle);

public sealed record ForumHome(IReadOnlyList<CategoryRow> Categories, bool MayManage, PermissionCheck CreateThreads);

/// <summary>Where a page of threads starts: after this thread in the order pinned first, then latest activity, then id.</summary>
public sealed record ThreadCursor(bool Pinned, DateTime LastPostAt, Guid Id);

/// <summary>Where a page of replies starts: after this post in the order written.</summary>
public sealed record PostCursor(DateTime CreatedAt, Guid Id);

/// <summary>One page of a keyset-paged list, and where the next one starts (null: this is the last).</summary>
public sealed record KeysetPage<T, TCursor>(IReadOnlyList<T> Items, TCursor? Next) where TCursor : class;

public sealed record ThreadRow(Guid Id, string Title, string AuthorName, IReadOnlyList<string> Tags, bool IsPinned, bool IsLocked, int Replies, int Score,
    bool Answered, DateTime LastPostAt, bool Hidden);

public sealed record CategoryOption(Guid Id, string Name);

public sealed record CategoryView(Guid Id, string Name, string Description, int Threads, KeysetPage<ThreadRow, ThreadCursor> Page, PermissionCheck CreateThreads, bool MayModerate);

/// <summary>
/// A post as a reader sees it. <see cref="Body"/> is null when the post is hidden by flags and the reader is neither its
/// author nor a reviewer, manager or admin (<see cref="ContentShown"/> false: the page shows the placeholder).
/// <see cref="Mentions"/> maps the upper-cased usernames this post told to their user ids, for profile links.
/// </summary>
public sealed record PostRow(Guid Id, string AuthorId, string AuthorName, string? Body, bool IsOpening, int Score, int MyVote, DateTime CreatedAt, DateTime? EditedAt,
    bool Hidden, bool ContentShown, bool Mine, bool MayEdit, int FlagWeight, DateTime? ReviewRequestedAt, IReadOnlyDictionary<string, string> Mentions);

public sealed record ThreadHeader(Guid Id, Guid CategoryId, string CategoryName, string Title, string AuthorId, string AuthorName, IReadOnlyList<string> Tags,
    bool IsPinned, bool IsLocked, int PostCount, DateTime CreatedAt, Guid? BestAnswerPostId);

/// <summary>What the reader may do on a thread's page.</summary>
public sealed record ForumViewer(string UserId, bool MayModerate, bool SeesHidden, bool IsThreadAuthor);

public sealed record ThreadView(ThreadHeader Thread, PostRow Opening, PostRow? BestAnswer, KeysetPage<PostRow, PostCursor> Replies, ForumViewer Viewer,
    IReadOnlyList<CategoryOption> Categories);

public sealed record SearchHit(Guid ThreadId, Guid PostId, string ThreadTitle, string Excerpt, string AuthorName, DateTime CreatedAt, bool IsOpening);

/// <summary>
/// Reading the forum (docs/SPEC.md §10): the forum home (categories in order with thread counts and latest activity), a
/// category's threads (pinned first, then latest activity, keyset-paged), a thread's page (header, opening post, best
/// answer, replies keyset-paged in the order written) and full-text search (PostgreSQL's stored tsvectors, LIKE on SQLite).
/// </summary>
public sealed class ForumQueries(IDbContextFactory<AppDbContext> dbFactory)
{
    public const int MaxPageSize = 100;
    public const int ExcerptLength = 240;

    public async Task<ForumHome> HomeAsync(string viewerId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var viewer = await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var categories = await db.ForumCategories.Where(c => c.CommunityId == communityId).OrderBy(c => c.Position).ThenBy(c => c.Id)
            .Select(c => new
            {
                c.Id, c.Name, c.Description,
                Threads = db.ForumThreads.Count(t => t.CategoryId == c.Id),
                Last = db.ForumThreads.Where(t => t.CategoryId == c.Id).OrderByDescending(t => t.LastPostAt).ThenByDescending(t => t.Id)
                    .Select(t => new { t.Id, t.Title, t.LastPostAt }).FirstOrDefault(),
            })
            .ToListAsync(ct);
        return new ForumHome(
            categories.Select(c => new CategoryRow(c.Id, c.Name, c.Description, c.Threads, c.Last?.LastPostAt, c.Last?.Id, c.Last?.Title)).ToList(),
            ForumRules.MayModerate(viewer), PermissionService.Decide(viewer, Permission.CreateThreads));
    }

    /// <summary>A category and one page of its threads (optionally with one tag): pinned first, then latest activity.</summary>
    public async Task<CategoryView> CategoryAsync(string viewerId, Guid communityId, Guid categoryId, string? tag, ThreadCursor? after, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var viewer = await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var category = await db.ForumCategories.Where(c => c.Id == categoryId && c.CommunityId == communityId)
            .Select(c => new { c.Id, c.Name, c.Description, Threads = db.ForumThreads.Count(t => t.CategoryId == c.Id) })
            .SingleOrDefaultAsync(ct) ?? throw ForumService.CategoryNotFound();
        var threads = db.ForumThreads.Where(t => t.CategoryId == categoryId);
        if (tag is not null)
        {
            var normalized = ForumRules.NormalizeTag(tag);
            threads = threads.Where(t => db.ForumThreadTags.Any(x => x.ThreadId == t.Id && x.Tag == normalized));
        }
        if (after is { } c)
            threads = threads.Where(t => (!t.IsPinned && c.Pinned)
                                         || (t.IsPinned == c.Pinned && (t.LastPostAt < c.LastPostAt || (t.LastPostAt == c.LastPostAt && t.Id.CompareTo(c.Id) < 0))));
        var rows = await threads.OrderByDescending(t => t.IsPinned).ThenByDescending(t => t.LastPostAt).ThenByDescending(t => t.Id)
            .Take(pageSize + 1)
            .Select(t => new
            {
                t.Id, t.Title, AuthorName = t.Author.DisplayName, t.IsPinned, t.IsLocked, t.PostCount, t.LastPostAt, t.BestAnswerPostId,
                Tags = t.Tags.OrderBy(x => x.Tag).Select(x => x.Tag).ToList(),
                Opening = db.ForumPosts.Where(p => p.ThreadId == t.Id && p.IsOpening).Select(p => new { p.Score, p.HiddenAt }).FirstOrDefault(),
            })
            .AsSplitQuery()
            .ToListAsync(ct);
        var page = rows.Take(pageSize).Select(t =>
        {
            // A thread whose opening post is hidden keeps its title (Discourse's way), flagged as hidden.
            var hidden = t.Opening?.HiddenAt is not null;
            return new ThreadRow(t.Id, t.Title, t.AuthorName, t.Tags, t.IsPinned, t.IsLocked, Math.Max(0, t.PostCount - 1), t.Opening?.Score ?? 0,
                t.BestAnswerPostId is not null, t.LastPostAt, hidden);
        }).ToList();
        var last = page.LastOrDefault();
        var next = rows.Count > pageSize && last is not null ? new ThreadCursor(last.IsPinned, last.LastPostAt, last.Id) : null;
        return new CategoryView(category.Id, category.Name, category.Description, category.Threads, new KeysetPage<ThreadRow, ThreadCursor>(page, next),
            PermissionService.Decide(viewer, Permission.CreateThreads), ForumRules.MayModerate(viewer));
    }

    /// <summary>The categories of a community in order (for the new-thread form and the move menu).</summary>
    public async Task<IReadOnlyList<CategoryOption>> CategoriesAsync(string viewerId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        return await db.ForumCategories.Where(c => c.CommunityId == communityId).OrderBy(c => c.Position).ThenBy(c => c.Id)
            .Select(c => new CategoryOption(c.Id, c.Name)).ToListAsync(ct);
    }

    /// <summary>
    /// A thread's page: its header, the opening post, the best answer, and one page of replies after <paramref name="after"/>
    /// (from the first when null), in three statements: the reader's standing, the header (tags folded into one column), and
    /// the posts (the opening post and best answer, then the page of replies, in one UNION ALL, each with the reader's vote
    /// and the mentions it told folded into columns). Managers also get the categories, for the move menu.
    /// </summary>
    public async Task<ThreadView> ThreadAsync(string viewerId, Guid communityId, Guid threadId, PostCursor? after, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var member = await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var row = await db.ForumThreads.Where(t => t.Id == threadId && t.CommunityId == communityId)
            .Select(t => new
            {
                t.Id, t.CategoryId, CategoryName = t.Category.Name, t.Title, t.AuthorId, AuthorName = t.Author.DisplayName,
                // An aggregate in a scalar subquery (string_agg, group_concat): one row, no join of the tags.
                Tags = db.ForumThreadTags.Where(x => x.ThreadId == t.Id).GroupBy(x => x.ThreadId).Select(g => string.Join(" ", g.Select(x => x.Tag))).FirstOrDefault(),
                t.IsPinned, t.IsLocked, t.PostCount, t.CreatedAt, t.BestAnswerPostId,
            })
            .SingleOrDefaultAsync(ct) ?? throw ForumService.ThreadNotFound();
        var header = new ThreadHeader(row.Id, row.CategoryId, row.CategoryName, row.Title, row.AuthorId, row.AuthorName,
            string.IsNullOrEmpty(row.Tags) ? [] : row.Tags.Split(' ').Order(StringComparer.Ordinal).ToList(), row.IsPinned, row.IsLocked, row.PostCount, row.CreatedAt, row.BestAnswerPostId);
        var viewer = new ForumViewer(viewerId, ForumRules.MayModerate(member), ForumRules.SeesHidden(member), header.AuthorId == viewerId);
        var posts = db.ForumPosts.Where(p => p.ThreadId == threadId);
        var best = header.BestAnswerPostId;
        var replies = posts.Where(p => !p.IsOpening);
        // The first condition repeats the keyset's bound so PostgreSQL starts its index range there instead of filtering the rows before.
        if (after is { } c) replies = replies.Where(p => p.CreatedAt >= c.CreatedAt && (p.CreatedAt > c.CreatedAt || (p.CreatedAt == c.CreatedAt && p.Id.CompareTo(c.Id) > 0)));
        var rows = await Project(db, posts.Where(p => p.IsOpening || p.Id == best)
                .Concat(replies.OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).Take(pageSize + 1)), viewerId)
            .ToListAsync(ct);
        // The UNION ALL may hold the best answer twice (at the top and in the page).
        var opening = rows.FirstOrDefault(p => p.IsOpening) ?? throw ForumService.ThreadNotFound();
        var bestRow = best is null ? null : rows.FirstOrDefault(p => p.Id == best);
        // The page is the replies after the cursor, in order; the best answer read for the top belongs to it only when it falls
        // inside it (before the cursor it is left out; after the page's last row it sorts past the pageSize + 1 rows read).
        // Guid.CompareTo orders as PostgreSQL orders uuids (and SQLite their text): by the canonical form.
        var page = rows.Where(p => !p.IsOpening).DistinctBy(p => p.Id)
            .Where(p => after is null || p.CreatedAt > after.CreatedAt || (p.CreatedAt == after.CreatedAt && p.Id.CompareTo(after.Id) > 0))
            .OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).Take(pageSize + 1).ToList();
        var shown = page.Take(pageSize).ToList();
        var next = page.Count > pageSize ? new PostCursor(shown[^1].CreatedAt, shown[^1].Id) : null;
        var categories = viewer.MayModerate
            ? await db.ForumCategories.Where(x => x.CommunityId == communityId).OrderBy(x => x.Position).ThenBy(x => x.Id).Select(x => new CategoryOption(x.Id, x.Name)).ToListAsync(ct)
            : [];
        return new ThreadView(header, ToRow(opening, viewer), bestRow is null ? null : ToRow(bestRow, viewer),
            new KeysetPage<PostRow, PostCursor>(shown.Select(p => ToRow(p, viewer)).ToList(), next), viewer, categories);
    }

    /// <summary>
    /// The page starts (cursors) that lead from the first page of replies to the one holding <paramref name="postId"/>, for a
    /// link to a reply past the first page (a notification, a search hit); empty for the opening post, the first page or an
    /// unknown post. Pages are <paramref name="pageSize"/> replies in the thread page's order (created, id).
    /// </summary>
    public async Task<IReadOnlyList<PostCursor>> CursorsToPostAsync(Guid threadId, Guid postId, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var target = await db.ForumPosts.Where(p => p.Id == postId && p.ThreadId == threadId && !p.IsOpening)
            .Select(p => new { p.CreatedAt, p.Id }).SingleOrDefaultAsync(ct);
        if (target is null) return [];
        var before = await db.ForumPosts.Where(p => p.ThreadId == threadId && !p.IsOpening
                && (p.CreatedAt < target.CreatedAt || (p.CreatedAt == target.CreatedAt && p.Id.CompareTo(target.Id) < 0)))
            .OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).Select(p => new PostCursor(p.CreatedAt, p.Id)).ToListAsync(ct);
        var cursors = new List<PostCursor>();
        for (var end = pageSize; end <= before.Count; end += pageSize) cursors.Add(before[end - 1]);
        return cursors;
    }

    /// <summary>Full-text search over thread titles and post bodies (deleted ones never; hidden ones only for who may read them), newest first, paged.</summary>
    public async Task<Page<SearchHit>> SearchAsync(string viewerId, Guid communityId, string? text, int pageIndex, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        pageIndex = Math.Max(0, pageIndex);
        if (!Texts.IsStorable(text)) throw new ValidationFailedException(new Dictionary<string, string> { ["search"] = Texts.UnstorableMessage });
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var viewer = await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var words = text?.Trim() ?? "";
        if (words.Length == 0) return new Page<SearchHit>([], 0, 0, pageSize);
        var seesHidden = ForumRules.SeesHidden(viewer);
        var posts = db.ForumPosts.Where(p => p.CommunityId == communityId && p.Thread.DeletedAt == null && (p.HiddenAt == null || seesHidden || p.AuthorId == viewerId));
        if (db.Database.IsNpgsql())
        {
            posts = posts.Where(p => EF.Property<NpgsqlTypes.NpgsqlTsVector>(p, "search_vector").Matches(EF.Functions.WebSearchToTsQuery("simple", words))
                                     || (p.IsOpening && EF.Property<NpgsqlTypes.NpgsqlTsVector>(p.Thread, "search_vector").Matches(EF.Functions.WebSearchToTsQuery("simple", words))));
        }
        else
        {
            var lower = words.ToLower();
            posts = posts.Where(p => p.Body.ToLower().Contains(lower) || (p.IsOpening && p.Thread.Title.ToLower().Contains(lower)));
        }
        var total = await posts.CountAsync(ct);
        var hits = await posts.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id)
            .Skip(Paging.Offset(pageIndex, pageSize)).Take(pageSize)
            .Select(p => new SearchHit(p.ThreadId, p.Id, p.Thread.Title, p.Body.Substring(0, ExcerptLength), p.Author.DisplayName, p.CreatedAt, p.IsOpening))
            .ToListAsync(ct);
        return new Page<SearchHit>(hits, total, pageIndex, pageSize);
    }

    private sealed record RawPost(Guid Id, string AuthorId, string AuthorName, string Body, bool IsOpening, int Score, int MyVote, DateTime CreatedAt, DateTime? EditedAt,
        DateTime? HiddenAt, int FlagWeight, DateTime? ReviewRequestedAt, string? Mentions);

    /// <summary>Separates the mentions folded into one column: "USERNAME:userId" entries (a username holds no colon).</summary>
    private const char MentionSeparator = '\u001F';

    private static IQueryable<RawPost> Project(AppDbContext db, IQueryable<ForumPost> posts, string viewerId) =>
        posts.Select(p => new RawPost(p.Id, p.AuthorId, p.Author.DisplayName, p.Body, p.IsOpening, p.Score,
            db.ForumVotes.Where(v => v.PostId == p.Id && v.UserId == viewerId).Select(v => (int)v.Value).FirstOrDefault(),
            p.CreatedAt, p.EditedAt, p.HiddenAt, p.FlagWeight, p.ReviewRequestedAt,
            db.ForumMentions.Where(m => m.PostId == p.Id)
                .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { m.PostId, Entry = u.NormalizedUserName + ":" + m.UserId })
                .GroupBy(x => x.PostId).Select(g => string.Join("\u001F", g.Select(x => x.Entry))).FirstOrDefault()));

    private static IReadOnlyDictionary<string, string> Mentions(string? folded)
    {
        var map = new Dictionary<string, string>();
        foreach (var entry in (folded ?? "").Split(MentionSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = entry.IndexOf(':');
            if (colon > 0) map[entry[..colon]] = entry[(colon + 1)..];
        }
        return map;
    }

    private static PostRow ToRow(RawPost p, ForumViewer viewer)
    {
        var mentions = Mentions(p.Mentions);
        var mine = p.AuthorId == viewer.UserId;
        var shown = p.HiddenAt is null || mine || viewer.SeesHidden;
        return new PostRow(p.Id, p.AuthorId, p.AuthorName, shown ? p.Body : null, p.IsOpening, p.Score, p.MyVote, p.CreatedAt, p.EditedAt,
            p.HiddenAt is not null, shown, mine, mine || viewer.MayModerate, p.FlagWeight, p.ReviewRequestedAt, mentions);
    }
}
