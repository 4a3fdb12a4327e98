using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Wealth;

/// <summary>Share comments: their authors edit and delete their own, nobody else's (docs/SPEC.md §5.2).</summary>
public sealed class CommentEditTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private ShareService Service => fixture.Get<ShareService>();

    [Fact]
    public async Task An_author_edits_and_deletes_their_own_comment_and_nobody_else_can()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var author = await fixture.AddMemberAsync(communityId);
        var other = await fixture.AddMemberAsync(communityId);
        var shareId = await Service.CreateAsync(owner, communityId, new ShareInput("Ladder", null, WealthKind.Object, 1));
        await Service.CommentAsync(author, shareId, "Is it still free on Sunday?");
        Guid commentId;
        await using (var db = await fixture.NewContextAsync()) commentId = await db.ShareComments.Where(c => c.ShareId == shareId).Select(c => c.Id).SingleAsync();

        (await Should.ThrowAsync<ForbiddenException>(() => Service.EditCommentAsync(other, commentId, "Taken over"))).Message.ShouldBe("Only the comment's author can change it.");
        await Should.ThrowAsync<ForbiddenException>(() => Service.DeleteCommentAsync(owner, commentId));
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.EditCommentAsync(author, commentId, new string('x', ShareComment.BodyMaxLength + 1))))
            .Errors.Keys.ShouldBe(["body"]);
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.EditCommentAsync(author, commentId, "  "))).Errors.Keys.ShouldBe(["body"]);

        await Service.EditCommentAsync(author, commentId, " Is it still free on Saturday? ");
        var edited = (await fixture.Get<WealthQueries>().GetAsync(other, communityId, shareId)).Comments.Single();
        (edited.Body, edited.EditedAt is not null, edited.AuthorId).ShouldBe(("Is it still free on Saturday?", true, author));

        await Service.DeleteCommentAsync(author, commentId);
        var detail = await fixture.Get<WealthQueries>().GetAsync(other, communityId, shareId);
        (detail.Comments.Count, detail.CommentCount).ShouldBe((0, 0));
        await using var after = await fixture.NewContextAsync();
        (await after.ShareComments.IgnoreQueryFilters().SingleAsync(c => c.Id == commentId)).ShouldSatisfyAllConditions(
            c => c.DeletedAt.ShouldNotBeNull(), c => c.Body.ShouldBe("Is it still free on Saturday?"));
        await Should.ThrowAsync<NotFoundException>(() => Service.EditCommentAsync(author, commentId, "Back again"));
    }
}
