using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Events;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Wealth;

public sealed class WealthQueriesTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private WealthQueries Queries => fixture.Get<WealthQueries>();
    private ShareService Shares => fixture.Get<ShareService>();

    [Fact]
    public async Task Search_matches_words_in_title_and_description_with_filters_and_paging()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        await Shares.CreateAsync(owner, communityId, new ShareInput("Aluminium ladder", "Three metres", WealthKind.Object, 1));
        await Shares.CreateAsync(owner, communityId, new ShareInput("Bike repair", "Bring your bike", WealthKind.Service, 2, ExpiresAt: DateTime.UtcNow.AddDays(1)));
        await Shares.CreateAsync(owner, communityId, new ShareInput("Jam jars", "Twelve clean jars", WealthKind.Object, 12));

        (await Queries.SearchAsync(admin, communityId, new ShareQuery("ladder"))).Items.Select(s => s.Title).ShouldBe(["Aluminium ladder"], ignoreOrder: true);
        (await Queries.SearchAsync(admin, communityId, new ShareQuery("jars"))).Items.ShouldHaveSingleItem().Title.ShouldBe("Jam jars");
        (await Queries.SearchAsync(admin, communityId, new ShareQuery(Kind: WealthKind.Service))).Items.ShouldHaveSingleItem().Title.ShouldBe("Bike repair");
        (await Queries.SearchAsync(admin, communityId, new ShareQuery(ExpiringSoon: true))).Items.ShouldHaveSingleItem().Title.ShouldBe("Bike repair");
        var page = await Queries.SearchAsync(admin, communityId, new ShareQuery(Sort: ShareSort.MostAvailable, PageSize: 2));
        page.Total.ShouldBe(3);
        page.Items.Select(s => s.Title).ShouldBe(["Jam jars", "Bike repair"]);
        (await Queries.SearchAsync(admin, communityId, new ShareQuery(OnlyRequestable: true))).Total.ShouldBe(3);
        (await Queries.SearchAsync(owner, communityId, new ShareQuery(OnlyRequestable: true))).Total.ShouldBe(0);
    }

    [Fact]
    public async Task The_share_page_shows_the_owner_every_request_and_others_only_their_own()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var first = await fixture.AddMemberAsync(communityId, score: 10);
        var second = await fixture.AddMemberAsync(communityId, score: 10);
        var shareId = await Shares.CreateAsync(owner, communityId, new ShareInput("Seedlings", null, WealthKind.Object, 5, MinTrust: 10));
        var request = await Shares.RequestAsync(first, shareId, 1, "Tomatoes please");
        await Shares.RequestAsync(second, shareId, 2, null);
        await Shares.PostMessageAsync(owner, request, "Pick up Saturday?");
        await Shares.CommentAsync(second, shareId, "Lovely!");

        var asOwner = await Queries.GetAsync(owner, communityId, shareId);
        var asFirst = await Queries.GetAsync(first, communityId, shareId);

        asOwner.IsOwner.ShouldBeTrue();
        asOwner.Requests.Count.ShouldBe(2);
        asFirst.Requests.ShouldHaveSingleItem().Message.ShouldBe("Tomatoes please");
        asFirst.MyOpenUnits.ShouldBe(1);
        asFirst.Comments.ShouldHaveSingleItem().Body.ShouldBe("Lovely!");
        asFirst.RequestCheck.Allowed.ShouldBeTrue();
        (await Queries.MessagesAsync(first, request)).ShouldHaveSingleItem().Body.ShouldBe("Pick up Saturday?");
        await Should.ThrowAsync<NotFoundException>(() => Queries.MessagesAsync(second, request));
        var (incoming, counts) = await Queries.RequestsAsync(owner, communityId, incoming: true, null, 0, 10);
        incoming.Total.ShouldBe(2);
        counts[RequestStatus.Pending].ShouldBe(2);
    }

    [Fact]
    public async Task A_share_is_not_found_under_another_communitys_id_even_by_a_member_of_both()
    {
        var (communityA, _) = await fixture.CreateCommunityAsync("Community A");
        var (communityB, _) = await fixture.CreateCommunityAsync("Community B");
        var both = await fixture.AddMemberAsync(communityA);
        await fixture.AddMemberAsync(communityB, userId: both);
        var owner = await fixture.AddMemberAsync(communityB);
        var shareOfB = await Shares.CreateAsync(owner, communityB, new ShareInput("Canoe of B", "Only in B", WealthKind.Object, 1));

        (await Should.ThrowAsync<NotFoundException>(() => Queries.GetAsync(both, communityA, shareOfB))).Message.ShouldBe("That share does not exist.");
        // Its owner, who is not in A, is stopped at A's door.
        (await Should.ThrowAsync<ForbiddenException>(() => Queries.GetAsync(owner, communityA, shareOfB))).Message.ShouldBe("You are not a member of this community.");

        // Under its own community it is there for the same member, so the refusal above is about the community, not the viewer.
        (await Queries.GetAsync(both, communityB, shareOfB)).Share.Title.ShouldBe("Canoe of B");
    }

    [Fact]
    public async Task Expired_shares_are_marked_once_and_their_owner_told()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var shareId = await Shares.CreateAsync(owner, communityId, new ShareInput("Soup", null, WealthKind.Object, 2, ExpiresAt: DateTime.UtcNow.AddDays(1)));
        await using (var db = await fixture.NewContextAsync())
        {
            await db.Shares.Where(s => s.Id == shareId).ExecuteUpdateAsync(s => s.SetProperty(x => x.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
        }
        // Expired for everyone at once, before the job stores it.
        (await Queries.GetAsync(owner, communityId, shareId)).Share.Status.ShouldBe(ShareStatus.Expired);
        (await StoredStatusAsync(shareId)).ShouldBe(ShareStatus.Active);
        var told = new TaskCompletionSource();
        using var subscription = fixture.Get<IEventHub>().Subscribe<NotificationsChanged>(e =>
        {
            if (e.UserId == owner) told.TrySetResult();
            return Task.CompletedTask;
        });

        // The job's run is global (other tests' shares may expire in it too): only this share's outcome is asserted.
        await Shares.ExpireDueAsync();

        (await StoredStatusAsync(shareId)).ShouldBe(ShareStatus.Expired);
        var notification = (await ExpiryNotificationsAsync(owner)).ShouldHaveSingleItem();
        notification.ShouldSatisfyAllConditions(
            n => n.CommunityId.ShouldBe(communityId),
            n => n.Subject.ShouldBe("Soup"),
            n => n.Link.ShouldBe($"/c/{communityId}/shares/{shareId}"),
            n => n.ReadAt.ShouldBeNull());
        await told.Task.WaitAsync(TimeSpan.FromSeconds(5));

        await Shares.ExpireDueAsync();

        (await StoredStatusAsync(shareId)).ShouldBe(ShareStatus.Expired);
        (await ExpiryNotificationsAsync(owner)).ShouldHaveSingleItem().Id.ShouldBe(notification.Id);
    }

    private async Task<ShareStatus> StoredStatusAsync(Guid shareId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Shares.Where(s => s.Id == shareId).Select(s => s.Status).SingleAsync();
    }

    private async Task<List<Notification>> ExpiryNotificationsAsync(string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Notifications.Where(n => n.UserId == userId && n.Kind == NotificationKind.ShareExpired).ToListAsync();
    }
}
