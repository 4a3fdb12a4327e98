using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Wealth;

public sealed class ShareServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private ShareService Service => fixture.Get<ShareService>();

    private async Task<(Guid CommunityId, string Owner, Guid ShareId)> ShareAsync(int units = 3, int? maxPerMember = null, int? minTrust = null, DateTime? expiresAt = null)
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var shareId = await Service.CreateAsync(owner, communityId, new ShareInput("Garden tools", "Spade and rake", WealthKind.Object, units, maxPerMember, expiresAt, minTrust));
        return (communityId, owner, shareId);
    }

    private async Task<Share> LoadAsync(Guid shareId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Shares.AsNoTracking().SingleAsync(s => s.Id == shareId);
    }

    private async Task<RequestStatus> StatusAsync(Guid requestId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.ShareRequests.Where(r => r.Id == requestId).Select(r => r.Status).SingleAsync();
    }

    [Fact]
    public async Task A_new_community_gets_the_starter_catalogue()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        await using var db = await fixture.NewContextAsync();
        var categories = await db.ItemCategories.Where(c => c.CommunityId == communityId).ToListAsync();
        categories.Where(c => c.ParentId == null).Select(c => c.Name).ShouldBe(["Food", "Tools", "Household", "Services"], ignoreOrder: true);
        categories.Count(c => c.ParentId == categories.Single(p => p.Name == "Food").Id).ShouldBe(3);
    }

    [Fact]
    public async Task Accepting_reserves_fulfilling_consumes_and_the_last_unit_fulfils_the_share()
    {
        var (communityId, owner, shareId) = await ShareAsync(units: 3);
        var requester = await fixture.AddMemberAsync(communityId, score: 10);

        var first = await Service.RequestAsync(requester, shareId, 2, "For my allotment");
        await Service.AcceptAsync(owner, first);
        (await LoadAsync(shareId)).ShouldSatisfyAllConditions(s => s.UnitsReserved.ShouldBe(2), s => s.UnitsGiven.ShouldBe(0));
        await Service.FulfilAsync(requester, first);
        (await LoadAsync(shareId)).ShouldSatisfyAllConditions(s => s.UnitsReserved.ShouldBe(0), s => s.UnitsGiven.ShouldBe(2), s => s.Status.ShouldBe(ShareStatus.Active));

        var second = await Service.RequestAsync(requester, shareId, 1, null);
        await Service.AcceptAsync(owner, second);
        await Service.FulfilAsync(owner, second);

        var share = await LoadAsync(shareId);
        share.UnitsGiven.ShouldBe(3);
        share.Status.ShouldBe(ShareStatus.Fulfilled);
        await using var db = await fixture.NewContextAsync();
        (await db.Notifications.Where(n => n.UserId == owner).Select(n => n.Kind).ToListAsync()).ShouldContain(NotificationKind.RequestReceived);
        (await db.Notifications.Where(n => n.UserId == requester).Select(n => n.Kind).ToListAsync()).ShouldContain(NotificationKind.RequestAccepted);
    }

    [Fact]
    public async Task Cancelling_or_failing_an_accepted_request_releases_its_units()
    {
        var (communityId, owner, shareId) = await ShareAsync(units: 4);
        var requester = await fixture.AddMemberAsync(communityId, score: 10);
        var cancelled = await Service.RequestAsync(requester, shareId, 2, null);
        var failed = await Service.RequestAsync(requester, shareId, 2, null);
        await Service.AcceptAsync(owner, cancelled);
        await Service.AcceptAsync(owner, failed);
        (await LoadAsync(shareId)).UnitsReserved.ShouldBe(4);

        await Service.CancelAsync(owner, cancelled);
        await Service.FailAsync(requester, failed);

        (await LoadAsync(shareId)).UnitsReserved.ShouldBe(0);
        (await StatusAsync(cancelled)).ShouldBe(RequestStatus.Cancelled);
        (await StatusAsync(failed)).ShouldBe(RequestStatus.Failed);
    }

    [Fact]
    public async Task Transitions_by_the_wrong_actor_or_from_the_wrong_state_are_refused_and_change_nothing()
    {
        var (communityId, owner, shareId) = await ShareAsync(units: 2);
        var requester = await fixture.AddMemberAsync(communityId, score: 10);
        var stranger = await fixture.AddMemberAsync(communityId, score: 50);
        var request = await Service.RequestAsync(requester, shareId, 1, null);

        (await Should.ThrowAsync<ForbiddenException>(() => Service.AcceptAsync(requester, request))).Message.ShouldBe("Only the share's owner can do this.");
        await Should.ThrowAsync<NotFoundException>(() => Service.AcceptAsync(stranger, request));
        (await Should.ThrowAsync<AppException>(() => Service.FulfilAsync(requester, request))).Message.ShouldBe("This request is already pending.");
        await Should.ThrowAsync<AppException>(() => Service.FailAsync(requester, request));
        await Service.RejectAsync(owner, request);
        (await Should.ThrowAsync<AppException>(() => Service.AcceptAsync(owner, request))).Message.ShouldBe("This request is already rejected.");
        await Should.ThrowAsync<AppException>(() => Service.CancelAsync(requester, request));

        (await StatusAsync(request)).ShouldBe(RequestStatus.Rejected);
        (await LoadAsync(shareId)).UnitsReserved.ShouldBe(0);
    }

    [Fact]
    public async Task Only_the_two_parties_write_in_a_requests_thread_and_nothing_of_anyone_else_is_saved()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var shareId = await Service.CreateAsync(owner, communityId, new ShareInput("Sewing machine", null, WealthKind.Object, 1));
        var requester = await fixture.AddMemberAsync(communityId, score: 10);
        var bystander = await fixture.AddMemberAsync(communityId, score: 50);
        var request = await Service.RequestAsync(requester, shareId, 1, "May I borrow it?");

        // A member who is neither party, even the community's admin, learns nothing: the request is "not found" for them.
        foreach (var outsider in new[] { bystander, admin })
        {
            (await Should.ThrowAsync<NotFoundException>(() => Service.PostMessageAsync(outsider, request, "Let me in on this")))
                .Message.ShouldBe("That request does not exist.");
        }
        (await MessagesAsync(request)).ShouldBeEmpty();

        await Service.PostMessageAsync(requester, request, " Tuesday works ");
        await Service.PostMessageAsync(owner, request, "See you then");

        (await MessagesAsync(request)).Select(m => (m.AuthorId, m.Body)).ShouldBe([(requester, "Tuesday works"), (owner, "See you then")], ignoreOrder: true);
    }

    private async Task<List<RequestMessage>> MessagesAsync(Guid requestId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.RequestMessages.Where(m => m.RequestId == requestId).AsNoTracking().ToListAsync();
    }

    [Fact]
    public async Task Requests_are_refused_below_trust_above_the_cap_beyond_free_units_on_own_or_expired_shares()
    {
        var (communityId, owner, shareId) = await ShareAsync(units: 3, maxPerMember: 2, minTrust: 12);
        var low = await fixture.AddMemberAsync(communityId, score: 9);
        var middling = await fixture.AddMemberAsync(communityId, score: 11);
        var trusted = await fixture.AddMemberAsync(communityId, score: 12);
        var outsider = await fixture.CreateUserAsync();

        (await Should.ThrowAsync<ForbiddenException>(() => Service.RequestAsync(low, shareId, 1, null))).Message.ShouldBe("You need 10 trust to request shared wealth; you have 9.");
        (await Should.ThrowAsync<ForbiddenException>(() => Service.RequestAsync(middling, shareId, 1, null))).Message.ShouldBe("This share asks for 12 trust; you have 11.");
        await Should.ThrowAsync<ForbiddenException>(() => Service.RequestAsync(outsider, shareId, 1, null));
        (await Should.ThrowAsync<AppException>(() => Service.RequestAsync(owner, shareId, 1, null))).Message.ShouldBe("You cannot request your own share.");
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.RequestAsync(trusted, shareId, 0, null))).Errors["units"].ShouldBe("Ask for 1 to 3 units.");
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.RequestAsync(trusted, shareId, 4, null))).Errors.Keys.ShouldBe(["units"]);
        await Service.RequestAsync(trusted, shareId, 1, null);
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.RequestAsync(trusted, shareId, 2, null))).Errors["units"]
            .ShouldBe("Each member may have at most 2 units of this share; you already asked for 1.");

        await using (var db = await fixture.NewContextAsync())
        {
            await db.Shares.Where(s => s.Id == shareId).ExecuteUpdateAsync(s => s.SetProperty(x => x.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
            (await db.ShareRequests.CountAsync(r => r.ShareId == shareId)).ShouldBe(1);
        }
        (await Should.ThrowAsync<AppException>(() => Service.RequestAsync(trusted, shareId, 1, null))).Message.ShouldBe("This share has expired.");
    }

    [Fact]
    public async Task Bad_share_input_is_refused_and_nothing_is_created()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);

        var ex = await Should.ThrowAsync<ValidationFailedException>(() =>
            Service.CreateAsync(owner, communityId, new ShareInput(" ", null, WealthKind.Service, 0, 0, DateTime.UtcNow.AddDays(-1), -1)));

        ex.Errors.Keys.ShouldBe(["title", "units", "maxUnitsPerMember", "minTrust", "expiresAt"], ignoreOrder: true);
        await using var db = await fixture.NewContextAsync();
        (await db.Shares.CountAsync(s => s.CommunityId == communityId)).ShouldBe(0);
    }

    [Fact]
    public async Task Only_the_owner_edits_an_active_share_and_units_never_drop_below_those_in_use()
    {
        var (communityId, owner, shareId) = await ShareAsync(units: 4);
        var requester = await fixture.AddMemberAsync(communityId, score: 10);
        var request = await Service.RequestAsync(requester, shareId, 3, null);
        await Service.AcceptAsync(owner, request);

        (await Should.ThrowAsync<ValidationFailedException>(() => Service.UpdateAsync(owner, shareId, new ShareInput("Tools", null, WealthKind.Object, 2))))
            .Errors["units"].ShouldBe("Offer at least 3 units: that many are already reserved or given.");
        await Should.ThrowAsync<ForbiddenException>(() => Service.UpdateAsync(requester, shareId, new ShareInput("Mine now", null, WealthKind.Object, 4)));
        await Service.UpdateAsync(owner, shareId, new ShareInput("Garden tools, sharpened", "Spade, rake and shears", WealthKind.Object, 6, MaxUnitsPerMember: 3));

        var share = await LoadAsync(shareId);
        share.Title.ShouldBe("Garden tools, sharpened");
        share.UnitsOffered.ShouldBe(6);
        share.UnitsReserved.ShouldBe(3);
        await Service.CancelShareAsync(owner, shareId);
        await Should.ThrowAsync<AppException>(() => Service.UpdateAsync(owner, shareId, new ShareInput("Back", null, WealthKind.Object, 6)));
        (await StatusAsync(request)).ShouldBe(RequestStatus.Cancelled);
    }

    [Fact]
    public async Task Twenty_parallel_accepts_on_a_five_unit_share_accept_exactly_five()
    {
        var (communityId, owner, shareId) = await ShareAsync(units: 5);
        var requests = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            var requester = await fixture.AddMemberAsync(communityId, score: 10);
            requests.Add(await Service.RequestAsync(requester, shareId, 1, null));
        }

        var results = await Task.WhenAll(requests.Select(r => Race.Attempt(() => Service.AcceptAsync(owner, r))));

        results.Count(ok => ok).ShouldBe(5);
        (await LoadAsync(shareId)).UnitsReserved.ShouldBe(5);
        await using var db = await fixture.NewContextAsync();
        (await db.ShareRequests.CountAsync(r => r.ShareId == shareId && r.Status == RequestStatus.Accepted)).ShouldBe(5);
        (await db.ShareRequests.CountAsync(r => r.ShareId == shareId && r.Status == RequestStatus.Pending)).ShouldBe(15);
    }

    [Fact]
    public async Task Parallel_confirm_and_cancel_of_one_request_let_exactly_one_win()
    {
        for (var round = 0; round < 5; round++)
        {
            var (communityId, owner, shareId) = await ShareAsync(units: 1);
            var requester = await fixture.AddMemberAsync(communityId, score: 10);
            var request = await Service.RequestAsync(requester, shareId, 1, null);
            await Service.AcceptAsync(owner, request);

            var results = await Task.WhenAll(Race.Attempt(() => Service.FulfilAsync(requester, request)), Race.Attempt(() => Service.CancelAsync(owner, request)));

            results.Count(ok => ok).ShouldBe(1);
            var share = await LoadAsync(shareId);
            (share.UnitsReserved + share.UnitsGiven).ShouldBeLessThanOrEqualTo(1);
            if (await StatusAsync(request) == RequestStatus.Fulfilled) share.ShouldSatisfyAllConditions(s => s.UnitsGiven.ShouldBe(1), s => s.Status.ShouldBe(ShareStatus.Fulfilled));
            else share.ShouldSatisfyAllConditions(s => s.UnitsGiven.ShouldBe(0), s => s.UnitsReserved.ShouldBe(0));
        }
    }
}
