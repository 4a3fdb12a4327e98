using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Members;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Wealth;

/// <summary>Shares and their requests under parallel writers on PostgreSQL, and parties who are no longer members.</summary>
public sealed class ShareConcurrencyTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private ShareService Shares => fixture.Get<ShareService>();

    [Fact]
    public async Task Cancelling_a_share_while_its_requests_are_accepted_fulfilled_and_cancelled_never_deadlocks_and_leaves_it_consistent()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var requesters = new List<string>();
        for (var i = 0; i < 6; i++) requesters.Add(await fixture.AddMemberAsync(communityId, score: 10));

        for (var round = 0; round < 20; round++)
        {
            var shareId = await Shares.CreateAsync(owner, communityId, new ShareInput($"Round {round}", null, WealthKind.Object, 6));
            var requests = new List<Guid>();
            foreach (var requester in requesters) requests.Add(await Shares.RequestAsync(requester, shareId, 1, null));
            for (var i = 0; i < 3; i++) await Shares.AcceptAsync(owner, requests[i]);

            // Anything but success or a plain refusal (a deadlock, a serialization failure) fails the test here.
            var outcomes = await Task.WhenAll(
                Race.Attempt(() => Shares.CancelShareAsync(owner, shareId)),
                Race.Attempt(() => Shares.FulfilAsync(requesters[0], requests[0])),
                Race.Attempt(() => Shares.FulfilAsync(requesters[1], requests[1])),
                Race.Attempt(() => Shares.CancelAsync(requesters[2], requests[2])),
                Race.Attempt(() => Shares.AcceptAsync(owner, requests[3])),
                Race.Attempt(() => Shares.AcceptAsync(owner, requests[4])),
                Race.Attempt(() => Shares.RejectAsync(owner, requests[5])));

            outcomes[0].ShouldBeTrue($"round {round}: the owner's cancel always succeeds on an active share");
            await using var db = await fixture.NewContextAsync();
            var share = await db.Shares.SingleAsync(s => s.Id == shareId);
            var rows = await db.ShareRequests.Where(r => r.ShareId == shareId).ToListAsync();
            share.Status.ShouldBe(ShareStatus.Cancelled);
            share.UnitsReserved.ShouldBe(0, $"round {round}");
            rows.ShouldNotContain(r => r.Status == RequestStatus.Pending || r.Status == RequestStatus.Accepted, $"round {round}: nothing stays open on a cancelled share");
            share.UnitsGiven.ShouldBe(rows.Where(r => r.Status == RequestStatus.Fulfilled).Sum(r => r.Units), $"round {round}");
        }
    }

    [Fact]
    public async Task A_party_who_was_removed_can_neither_move_the_request_nor_read_or_write_its_thread()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var requester = await fixture.AddMemberAsync(communityId, score: 10);
        var shareId = await Shares.CreateAsync(owner, communityId, new ShareInput("Ladder", null, WealthKind.Object, 1));
        var requestId = await Shares.RequestAsync(requester, shareId, 1, null);
        await Shares.AcceptAsync(owner, requestId);
        await Shares.PostMessageAsync(requester, requestId, "Saturday?");

        await fixture.Get<MemberService>().RemoveAsync(admin, communityId, requester);

        const string notMember = "You are not a member of this community.";
        (await Should.ThrowAsync<ForbiddenException>(() => Shares.FulfilAsync(requester, requestId))).Message.ShouldBe(notMember);
        (await Should.ThrowAsync<ForbiddenException>(() => Shares.FailAsync(requester, requestId))).Message.ShouldBe(notMember);
        (await Should.ThrowAsync<ForbiddenException>(() => Shares.PostMessageAsync(requester, requestId, "Still there?"))).Message.ShouldBe(notMember);
        (await Should.ThrowAsync<ForbiddenException>(() => fixture.Get<WealthQueries>().MessagesAsync(requester, requestId))).Message.ShouldBe(notMember);

        await using var db = await fixture.NewContextAsync();
        (await db.ShareRequests.SingleAsync(r => r.Id == requestId)).Status.ShouldBe(RequestStatus.Accepted);
        (await db.RequestMessages.CountAsync(m => m.RequestId == requestId)).ShouldBe(1);
        (await fixture.Get<WealthQueries>().MessagesAsync(owner, requestId)).ShouldHaveSingleItem().Body.ShouldBe("Saturday?");
    }
}
