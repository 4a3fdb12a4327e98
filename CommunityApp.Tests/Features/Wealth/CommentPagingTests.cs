using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Wealth;

/// <summary>A share's comments: the newest are on the page, and every older one is reachable page by page.</summary>
public abstract class CommentPagingTests(ServiceFixture fixture)
{
    [Fact]
    public async Task The_page_shows_the_newest_comments_and_earlier_ones_load_in_pages_without_gaps_or_repeats()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var shareId = await fixture.Get<ShareService>().CreateAsync(owner, communityId, new ShareInput("Bread", null, WealthKind.Object, 1));
        var start = new DateTime(2026, 11, 1, 8, 0, 0, DateTimeKind.Utc);
        await using (var db = await fixture.NewContextAsync())
        {
            // 45 comments; every third pair shares its timestamp, so the order needs its tie-break.
            for (var i = 0; i < 45; i++)
                db.ShareComments.Add(new ShareComment { ShareId = shareId, AuthorId = owner, Body = $"comment {i:00}", CreatedAt = start.AddMinutes(i / 2) });
            await db.SaveChangesAsync();
        }
        var queries = fixture.Get<WealthQueries>();

        var detail = await queries.GetAsync(owner, communityId, shareId);
        var seen = detail.Comments.ToList();
        var pages = 0;
        for (var more = true; more; pages++)
        {
            var page = await queries.EarlierCommentsAsync(owner, communityId, shareId, seen[0].Id);
            seen.InsertRange(0, page.Comments);
            more = page.HasOlder;
        }

        detail.CommentCount.ShouldBe(45);
        detail.Comments.Count.ShouldBe(WealthQueries.CommentPageSize);
        detail.Comments[^1].Body.ShouldBe("comment 44", "the newest comment is on the page");
        pages.ShouldBe(2);
        seen.Select(c => c.Id).Distinct().Count().ShouldBe(45, "no comment twice");
        seen.Select(c => c.At).ShouldBeInOrder();
        var outsider = await fixture.CreateUserAsync();
        (await Should.ThrowAsync<ForbiddenException>(() => queries.EarlierCommentsAsync(outsider, communityId, shareId, seen[0].Id)))
            .Message.ShouldBe("You are not a member of this community.");
    }
}

public sealed class PostgresCommentPagingTests(ServiceFixture fixture) : CommentPagingTests(fixture), IClassFixture<ServiceFixture>;

public sealed class SqliteCommentPagingTests(SqliteServiceFixture fixture) : CommentPagingTests(fixture), IClassFixture<SqliteServiceFixture>;
