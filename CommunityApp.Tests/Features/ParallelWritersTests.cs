using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features;

/// <summary>Writes that must hold with many writers at once, on PostgreSQL (#15 §16): caps, link uses, awards.</summary>
public sealed class ParallelWritersTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task One_members_parallel_requests_never_pass_the_per_member_cap()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var requester = await fixture.AddMemberAsync(communityId, score: 10);
        var shareId = await fixture.Get<ShareService>().CreateAsync(owner, communityId, new ShareInput("Eggs", null, WealthKind.Object, 50, MaxUnitsPerMember: 3));

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Race.Attempt(() => fixture.Get<ShareService>().RequestAsync(requester, shareId, 1, null))));

        results.Count(won => won).ShouldBe(3);
        await using var db = await fixture.NewContextAsync();
        (await db.ShareRequests.Where(r => r.ShareId == shareId && r.RequesterId == requester).SumAsync(r => r.Units)).ShouldBe(3);
    }

    [Fact]
    public async Task Thirty_people_on_a_link_with_ten_uses_make_exactly_ten_members()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var invites = fixture.Get<InviteService>();
        var (linkId, secret) = await invites.CreateLinkAsync(admin, communityId, new LinkInviteInput("Ten places", MemberRole.Member, DateTime.UtcNow.AddDays(2), 10));
        var people = new List<string>();
        for (var i = 0; i < 30; i++) people.Add(await fixture.CreateUserAsync());

        var results = await Task.WhenAll(people.Select(p => Race.Attempt(() => invites.RedeemLinkAsync(p, secret))));

        results.Count(won => won).ShouldBe(10);
        await using var db = await fixture.NewContextAsync();
        (await db.Invites.SingleAsync(i => i.Id == linkId)).Uses.ShouldBe(10);
        (await db.InviteRedemptions.CountAsync(r => r.InviteId == linkId)).ShouldBe(10);
        (await db.Memberships.CountAsync(m => m.CommunityId == communityId && people.Contains(m.UserId))).ShouldBe(10);
    }

    [Fact]
    public async Task One_person_redeeming_the_same_link_in_parallel_joins_once_and_uses_it_once()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var invites = fixture.Get<InviteService>();
        var (linkId, secret) = await invites.CreateLinkAsync(admin, communityId, new LinkInviteInput("Open", MemberRole.Member, DateTime.UtcNow.AddDays(2), 50));
        var person = await fixture.CreateUserAsync();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Race.Attempt(() => invites.RedeemLinkAsync(person, secret))));

        await using var db = await fixture.NewContextAsync();
        (await db.Memberships.CountAsync(m => m.CommunityId == communityId && m.UserId == person)).ShouldBe(1);
        (await db.InviteRedemptions.CountAsync(r => r.InviteId == linkId)).ShouldBe(1);
        (await db.Invites.SingleAsync(i => i.Id == linkId)).Uses.ShouldBe(1, "a refused parallel attempt rolls its use back");
    }

    [Fact]
    public async Task Award_churn_with_grants_and_renewals_leaves_every_score_equal_to_a_recompute()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var trust = fixture.Get<TrustService>();
        var givers = new List<string>();
        for (var i = 0; i < 6; i++) givers.Add(await fixture.AddMemberAsync(communityId, score: 15));
        var receivers = new List<string>();
        for (var i = 0; i < 4; i++) receivers.Add(await fixture.AddMemberAsync(communityId));

        var work = new List<Task>();
        for (var round = 0; round < 3; round++)
        {
            foreach (var giver in givers)
                foreach (var receiver in receivers)
                {
                    work.Add(Race.Attempt(() => trust.AwardAsync(giver, communityId, receiver)));
                    if ((giver.GetHashCode() + receiver.GetHashCode() + round) % 3 == 0) work.Add(Race.Attempt(() => trust.RemoveAsync(giver, communityId, receiver)));
                }
            foreach (var giver in givers) work.Add(Race.Attempt(() => trust.RenewAsync(giver, communityId)));
            foreach (var (receiver, i) in receivers.Select((r, i) => (r, i))) work.Add(Race.Attempt(() => trust.SetAdminGrantAsync(admin, communityId, receiver, round + i)));
        }
        await Task.WhenAll(work);

        await using var db = await fixture.NewContextAsync();
        var stored = await db.Memberships.Where(m => m.CommunityId == communityId && receivers.Contains(m.UserId)).ToDictionaryAsync(m => m.UserId, m => m.TrustScore);
        var expected = (await db.Memberships.Where(m => m.CommunityId == communityId && receivers.Contains(m.UserId))
                .Select(m => new { m.UserId, Score = m.AdminGrant + db.TrustAwards.Count(a => a.CommunityId == communityId && a.ReceiverId == m.UserId) })
                .ToListAsync())
            .ToDictionary(m => m.UserId, m => m.Score);
        stored.ShouldBe(expected);
        (await fixture.Get<TrustRecalculator>().RecomputeCommunityAsync(communityId)).ShouldBe(0, "no score needed fixing");
    }
}
