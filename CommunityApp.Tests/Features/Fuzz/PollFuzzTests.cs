using FsCheck.Fluent;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Polls;
using CommunityApp.Tests.Infrastructure;
using static CommunityApp.Tests.Features.Fuzz.Fuzz;

namespace CommunityApp.Tests.Features.Fuzz;

/// <summary>
/// Property-based fuzzing of polls (docs/SPEC.md §9), as <see cref="CollectiveFuzzTests"/> does for councils: every generated
/// poll or ballot is either stored by the rules, or refused with the app's refusals only, a message per field, and no row.
/// </summary>
public sealed class PollFuzzTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private const int Cases = 40;

    private DateTime Now => fixture.Clock.GetUtcNow().UtcDateTime;

    private static readonly string[] CreateFields =
        ["question", "description", "options", "kind", "points", "duration", "endsAt", "visibility", "speaksFor", .. Enumerable.Range(0, Poll.MaxOptions + 1).Select(PollService.OptionField)];

    [Fact]
    public async Task Creating_polls_with_hostile_fields()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var gen = Hostile.All(
            Hostile.All(Hostile.Strings(Poll.QuestionMaxLength), Hostile.Strings(Poll.DescriptionMaxLength),
                Gen.Choose(0, Poll.MaxOptions + 1).SelectMany(n => Hostile.Strings(PollOption.TextMaxLength).ArrayOf(n))),
            Hostile.All(Hostile.Enum<PollKind>(), Hostile.NullableInts(Poll.MinPoints, Poll.MaxPoints), Hostile.Enum<ResultsVisibility>()),
            Hostile.All(Hostile.NullableInts(Poll.MinHours, Poll.MaxHours), Hostile.NullableDates(() => Now, Poll.MaxHours / 24), Gen.Constant(0)));
        await CheckAsync("poll.create", gen, Cases, async input =>
        {
            var ((question, description, options), (kind, points, visibility), (hours, endsAt, _)) = input;
            var poll = new PollInput(question, description, options, kind, points, hours, endsAt, visibility);
            Guid created = default;
            if (await RefusedChangesNothingAsync(fixture, async () => created = await fixture.Get<PollService>().CreateAsync(admin, communityId, poll), CreateFields) is not null) return;
            await using var db = await fixture.NewContextAsync();
            var stored = await db.Polls.AsNoTracking().SingleAsync(p => p.Id == created);
            ShouldBeStoredText(stored.Question, Poll.QuestionMaxLength);
            stored.Question.Length.ShouldBeGreaterThan(0);
            ShouldBeStoredText(stored.Description, Poll.DescriptionMaxLength);
            Enum.IsDefined(stored.Kind).ShouldBeTrue();
            Enum.IsDefined(stored.Visibility).ShouldBeTrue();
            (stored.EndsAt - stored.OpenedAt).TotalHours.ShouldBeInRange(Poll.MinHours - 0.01, Poll.MaxHours + 0.01);
            if (stored.Kind == PollKind.DotVoting) stored.Points!.Value.ShouldBeInRange(Poll.MinPoints, Poll.MaxPoints);
            var texts = await db.PollOptions.Where(o => o.PollId == created).Select(o => o.Text).ToListAsync();
            texts.Count.ShouldBeInRange(Poll.MinOptions, Poll.MaxOptions);
            foreach (var text in texts) ShouldBeStoredText(text, PollOption.TextMaxLength);
            texts.Select(PollService.Normalize).Distinct().Count().ShouldBe(texts.Count);
        });
    }

    [Fact]
    public async Task Voting_with_hostile_points_and_reasons()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var polls = fixture.Get<PollService>();
        var pollId = await polls.CreateAsync(admin, communityId, new PollInput("Share the rice", null, ["Families", "School"], PollKind.DotVoting, 10));
        var options = (await polls.GetAsync(admin, communityId, pollId)).Options.Select(o => o.Id).ToArray();
        var gen = Hostile.All(Hostile.Strings(PollVote.ReasonMaxLength), Hostile.Ints(0, 10), Hostile.Ints(0, 10));
        await CheckAsync("poll.vote", gen, Cases, async input =>
        {
            var (reason, first, second) = input;
            var member = await fixture.AddMemberAsync(communityId);
            var ballot = new VoteInput(Points: new Dictionary<Guid, int> { [options[0]] = first, [options[1]] = second }, Reason: reason);
            if (await RefusedChangesNothingAsync(fixture, () => polls.VoteAsync(member, pollId, ballot), "choice", "points", "reason") is not null) return;
            await using var db = await fixture.NewContextAsync();
            var stored = await db.PollVotes.AsNoTracking().SingleAsync(v => v.PollId == pollId && v.UserId == member);
            ShouldBeStoredText(stored.Reason, PollVote.ReasonMaxLength);
            (await db.PollVotePoints.Where(v => v.PollId == pollId && v.UserId == member).SumAsync(v => v.Points)).ShouldBe(10);
        });
    }
}
