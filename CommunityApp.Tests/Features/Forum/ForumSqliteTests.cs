using CommunityApp.Features.Forum;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Forum;

/// <summary>The forum on the embedded default: its writes, pages and LIKE search work on SQLite too.</summary>
public sealed class ForumSqliteTests(SqliteServiceFixture fixture) : IClassFixture<SqliteServiceFixture>
{
    [Fact]
    public async Task Threads_replies_votes_mentions_pages_and_search_work_on_SQLite()
    {
        var forum = fixture.Get<ForumService>();
        var queries = fixture.Get<ForumQueries>();
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId, userId: await fixture.CreateUserAsync("sqlite_sam"));
        var category = await forum.CreateCategoryAsync(admin, communityId, new CategoryInput("General", ""));
        var threadId = await forum.CreateThreadAsync(admin, category, new ThreadInput("Embedded question", "Does it work?", "sqlite, smoke"));
        var replies = new List<Guid>();
        for (var i = 0; i < 5; i++) replies.Add(await forum.ReplyAsync(member, threadId, $"Reply {i} to @{(i == 0 ? "nobody" : "sqlite_sam")}"));
        await forum.MarkBestAnswerAsync(admin, threadId, replies[3]);
        (await forum.VoteAsync(admin, replies[3], 1)).ShouldBe(1);

        var first = await queries.ThreadAsync(admin, communityId, threadId, null, 2);
        first.Thread.Tags.ShouldBe(["smoke", "sqlite"]);
        first.BestAnswer!.Id.ShouldBe(replies[3]);
        first.Replies.Items.Select(p => p.Id).ShouldBe(replies[..2]);
        var second = await queries.ThreadAsync(admin, communityId, threadId, first.Replies.Next, 2);
        second.Replies.Items.Select(p => p.Id).ShouldBe(replies[2..4]);
        second.Replies.Items[1].MyVote.ShouldBe(1);
        var third = await queries.ThreadAsync(admin, communityId, threadId, second.Replies.Next, 2);
        third.Replies.Items.Select(p => p.Id).ShouldBe([replies[4]]);
        third.Replies.Next.ShouldBeNull();

        (await queries.CategoryAsync(member, communityId, category, "sqlite", null, 10)).Page.Items.ShouldHaveSingleItem().Replies.ShouldBe(5);
        (await queries.SearchAsync(member, communityId, "EMBEDDED", 0, 10)).Total.ShouldBe(1);
        (await queries.SearchAsync(member, communityId, "reply", 0, 10)).Total.ShouldBe(5);
        (await queries.HomeAsync(member, communityId)).Categories.ShouldHaveSingleItem().Threads.ShouldBe(1);
    }
}
