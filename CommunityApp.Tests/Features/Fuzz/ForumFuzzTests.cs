using FsCheck.Fluent;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Forum;
using CommunityApp.Tests.Infrastructure;
using static CommunityApp.Tests.Features.Fuzz.Fuzz;

namespace CommunityApp.Tests.Features.Fuzz;

/// <summary>
/// Property-based fuzzing of the forum (docs/SPEC.md §10), as <see cref="CollectiveFuzzTests"/> does for councils: every
/// generated category, thread and reply is either stored by the rules, or refused with a message per field and no row changed.
/// </summary>
public sealed class ForumFuzzTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private const int Cases = 40;

    private ForumService Forum => fixture.Get<ForumService>();

    [Fact]
    public async Task Categories_threads_and_replies_with_hostile_text()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var categoryId = await Forum.CreateCategoryAsync(admin, communityId, new CategoryInput("General", ""));
        var threadId = await Forum.CreateThreadAsync(admin, categoryId, new ThreadInput("Seed", "Seed", null));
        var gen = Gen.Zip(
            Gen.Zip(Hostile.Strings(ForumThread.TitleMinLength, ForumThread.TitleMaxLength), Hostile.Strings(ForumPost.BodyMinLength, ForumPost.BodyMaxLength)),
            Hostile.Strings(ForumThreadTag.MaxLength, ForumCategory.NameMaxLength));
        await CheckAsync("forum.thread-reply-category", gen, Cases, async input =>
        {
            var ((title, body), tags) = input;
            Guid created = default;
            if (await RefusedChangesNothingAsync(fixture, async () => created = await Forum.CreateThreadAsync(admin, categoryId, new ThreadInput(title, body, tags)), "title", "body", "tags") is null)
            {
                await using var db = await fixture.NewContextAsync();
                var thread = await db.ForumThreads.Include(t => t.Tags).AsNoTracking().SingleAsync(t => t.Id == created);
                ShouldBeStoredText(thread.Title, ForumThread.TitleMaxLength, name: true);
                thread.Tags.Count.ShouldBeLessThanOrEqualTo(ForumThreadTag.MaxPerThread);
                thread.Tags.ShouldAllBe(t => t.Tag.Length <= ForumThreadTag.MaxLength && t.Tag.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'));
                ShouldBeStoredText((await db.ForumPosts.SingleAsync(p => p.ThreadId == created)).Body, ForumPost.BodyMaxLength);
            }
            Guid reply = default;
            if (await RefusedChangesNothingAsync(fixture, async () => reply = await Forum.ReplyAsync(admin, threadId, body), "reply") is null)
            {
                await using var db = await fixture.NewContextAsync();
                ShouldBeStoredText((await db.ForumPosts.SingleAsync(p => p.Id == reply)).Body, ForumPost.BodyMaxLength);
            }
            Guid category = default;
            if (await RefusedChangesNothingAsync(fixture, async () => category = await Forum.CreateCategoryAsync(admin, communityId, new CategoryInput(tags, title)), "name", "description") is null)
            {
                await using var db = await fixture.NewContextAsync();
                var stored = await db.ForumCategories.SingleAsync(c => c.Id == category);
                ShouldBeStoredText(stored.Name, ForumCategory.NameMaxLength, name: true);
                ShouldBeStoredText(stored.Description, ForumCategory.DescriptionMaxLength);
            }
        });
    }
}
