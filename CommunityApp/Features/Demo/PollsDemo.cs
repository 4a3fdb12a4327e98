using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Polls;

namespace CommunityApp.Features.Demo;

/// <summary>
/// Polls (docs/SPEC.md §9): Ana asked which Saturday suits the spring clean-up (closed, with votes and reasons); Elif asks,
/// on behalf of the Riverside Pantry's Fruit pool, how to share this month's apples by dot voting (open, results shown once
/// you have voted, neighbours' points and reasons in). Every move goes through <see cref="PollService"/>. Runs once: skipped
/// when the community has any poll.
/// </summary>
internal sealed class PollsDemo : IDemoStep
{
    public async Task<bool> RunAsync(DemoStory s, bool earlierChanged, CancellationToken ct)
    {
        Guid? pantry;
        Guid? fruitPool;
        await using (var db = await s.DbAsync(ct))
        {
            if (await db.Polls.AnyAsync(p => p.CommunityId == s.CommunityId, ct)) return false;
            pantry = await db.Councils.Where(c => c.CommunityId == s.CommunityId && c.Name == "Riverside Pantry").Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct);
            fruitPool = pantry is null ? null : await db.Pools.Where(p => p.CouncilId == pantry).OrderBy(p => p.CreatedAt).Select(p => (Guid?)p.Id).FirstOrDefaultAsync(ct);
        }

        var cleanUp = await s.At(20, 9).Get<PollService>().CreateAsync(s["ana"], s.CommunityId, new PollInput(
            "Which Saturday for the spring clean-up of the riverbank?", "We need gloves, bags and about two hours. Bring the kids!",
            ["14 March", "21 March", "28 March"], DurationHours: 72), ct);
        (string Who, int Option, string? Reason)[] cleanUpVotes =
        [
            ("ben", 1, "The allotment is busy on the 14th."), ("carla", 1, null), ("dmitri", 0, "Earlier is better before the nettles grow."),
            ("elif", 1, "I can bake for everyone that day."), ("jo", 2, null), ("kwame", 1, null), ("lena", 1, "Blossom walk after!"),
        ];
        await VoteAsync(s, cleanUp, cleanUpVotes, 19, ct);

        var share = await s.At(2, 10).Get<PollService>().CreateAsync(s[pantry is null ? "ana" : "elif"], s.CommunityId, new PollInput(
            "How should we share this month's apples?", "Spread **10 points** over where the apples should go; the pool's distribution follows the result.",
            ["Families with small children", "The school's fruit break", "Jam for the Saturday lunch", "Older neighbours"], PollKind.DotVoting, 10,
            DurationHours: 120, Visibility: ResultsVisibility.AfterVote, CouncilId: pantry, PoolId: fruitPool), ct);
        (string Who, int[] Points, string? Reason)[] shareVotes =
        [
            ("farah", [6, 2, 0, 2], "Kids eat apples by the kilo."), ("hana", [2, 4, 0, 4], null), ("mateo", [0, 8, 2, 0], "The fruit break is the only fruit some kids get."),
            ("ivan", [3, 0, 3, 4], "I can deliver to the older neighbours on Mill Lane."), ("ben", [4, 3, 3, 0], null),
        ];
        var options = await OptionsAsync(s, share, ct);
        for (var i = 0; i < shareVotes.Length; i++)
        {
            var (who, points, reason) = shareVotes[i];
            await s.At(1, 9 + i * 2).Get<PollService>().VoteAsync(s[who], share,
                new VoteInput(Points: options.Select((id, n) => (id, n)).ToDictionary(o => o.id, o => points[o.n]), Reason: reason), ct);
        }
        await s.At(1, 20).Get<PollService>().CommentAsync(s["jo"], share, "Whatever wins, let's keep **two crates** back for the jam session.", ct);
        await s.At(1, 22).Get<PollService>().CommentAsync(s["farah"], share, "Thanks for asking first!", ct);
        return true;
    }

    private static async Task VoteAsync(DemoStory s, Guid pollId, (string Who, int Option, string? Reason)[] votes, int daysAgo, CancellationToken ct)
    {
        var options = await OptionsAsync(s, pollId, ct);
        for (var i = 0; i < votes.Length; i++)
            await s.At(daysAgo - i / 4, 10 + i).Get<PollService>().VoteAsync(s[votes[i].Who], pollId, new VoteInput(options[votes[i].Option], Reason: votes[i].Reason), ct);
    }

    private static async Task<List<Guid>> OptionsAsync(DemoStory s, Guid pollId, CancellationToken ct)
    {
        await using var db = await s.DbAsync(ct);
        return await db.PollOptions.Where(o => o.PollId == pollId).OrderBy(o => o.Position).Select(o => o.Id).ToListAsync(ct);
    }
}
