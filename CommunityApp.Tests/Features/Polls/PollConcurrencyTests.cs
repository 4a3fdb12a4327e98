using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Polls;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Polls;

/// <summary>No lost vote and no double vote (docs/SPEC.md §9, §16) with many voters at the same moment, on PostgreSQL.</summary>
public sealed class PollConcurrencyTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private PollService Polls => fixture.Get<PollService>();

    private async Task<(Guid CommunityId, Guid PollId, Guid[] Options, string Admin)> PollAsync(PollKind kind = PollKind.SingleChoice)
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var id = await Polls.CreateAsync(admin, communityId, new PollInput("Which evening?", null, ["Monday", "Tuesday", "Thursday"], kind, kind == PollKind.DotVoting ? 5 : null));
        await using var db = await fixture.NewContextAsync();
        var options = await db.PollOptions.Where(o => o.PollId == id).OrderBy(o => o.Position).Select(o => o.Id).ToArrayAsync();
        return (communityId, id, options, admin);
    }

    [Fact]
    public async Task Thirty_parallel_votes_by_one_member_count_once()
    {
        var (communityId, pollId, options, _) = await PollAsync();
        var member = await fixture.AddMemberAsync(communityId);

        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Race.Attempt(() => Polls.VoteAsync(member, pollId, new VoteInput(options[i % 3], Reason: $"Try {i}")))));

        results.Count(won => won).ShouldBe(1);
        await using var db = await fixture.NewContextAsync();
        (await db.PollVotes.CountAsync(v => v.PollId == pollId)).ShouldBe(1);
        (await db.PollVotePoints.Where(v => v.PollId == pollId).SumAsync(v => v.Points)).ShouldBe(1);
        var poll = await Polls.GetAsync(member, communityId, pollId);
        (poll.Voters, poll.Options.Sum(o => o.Count)).ShouldBe((1, 1));
    }

    [Fact]
    public async Task Thirty_members_voting_at_the_same_moment_lose_no_vote()
    {
        var (communityId, pollId, options, admin) = await PollAsync(PollKind.DotVoting);
        var members = new List<string>();
        for (var i = 0; i < 30; i++) members.Add(await fixture.AddMemberAsync(communityId));

        var results = await Task.WhenAll(members.Select((m, i) => Race.Attempt(() =>
            Polls.VoteAsync(m, pollId, new VoteInput(Points: new Dictionary<Guid, int> { [options[i % 3]] = 3, [options[(i + 1) % 3]] = 2 })))));

        results.ShouldAllBe(won => won);
        await using var db = await fixture.NewContextAsync();
        (await db.PollVotes.CountAsync(v => v.PollId == pollId)).ShouldBe(30);
        var poll = await Polls.GetAsync(admin, communityId, pollId);
        poll.Voters.ShouldBe(30);
        poll.TotalPoints.ShouldBe(150);
        poll.Options.Select(o => o.Count).ShouldBe([50, 50, 50]);
    }

    [Fact]
    public async Task Votes_racing_the_close_either_count_before_it_or_are_refused()
    {
        var (communityId, pollId, options, admin) = await PollAsync();
        var members = new List<string>();
        for (var i = 0; i < 20; i++) members.Add(await fixture.AddMemberAsync(communityId));

        var votes = members.Select(m => Race.Attempt(() => Polls.VoteAsync(m, pollId, new VoteInput(options[0])))).ToList();
        var close = Polls.CloseAsync(admin, pollId);
        var results = await Task.WhenAll(votes);
        await close;

        await using var db = await fixture.NewContextAsync();
        var endsAt = await db.Polls.Where(p => p.Id == pollId).Select(p => p.EndsAt).SingleAsync();
        var counted = await db.PollVotes.Where(v => v.PollId == pollId).Select(v => v.At).ToListAsync();
        counted.Count.ShouldBe(results.Count(won => won));
        counted.ShouldAllBe(at => at <= endsAt);
    }
}
