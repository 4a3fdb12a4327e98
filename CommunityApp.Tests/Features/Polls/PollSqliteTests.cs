using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Polls;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Polls;

/// <summary>
/// Polls on the embedded default: the notifications a poll writes with one INSERT … SELECT (SQL of its own per provider)
/// read back, can be marked read, and the closing-soon reminder goes to non-voters once.
/// </summary>
public sealed class PollSqliteTests(SqliteServiceFixture fixture) : IClassFixture<SqliteServiceFixture>
{
    [Fact]
    public async Task Polls_and_their_notifications_work_on_SQLite()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId);
        var voter = await fixture.AddMemberAsync(communityId);
        var polls = fixture.Get<PollService>();
        var notifications = fixture.Get<NotificationService>();

        var id = await polls.CreateAsync(admin, communityId, new PollInput("Lunch on Sunday?", null, ["Yes", "No"], DurationHours: 30));
        var created = (await notifications.LatestAsync(member)).ShouldHaveSingleItem();
        (created.Kind, created.Subject, created.Link, created.CreatedAt.Kind).ShouldBe((NotificationKind.PollCreated, "Lunch on Sunday?", $"/c/{communityId}/polls/{id}", DateTimeKind.Utc));
        await notifications.MarkReadAsync(member, created.Id);
        (await notifications.UnreadCountAsync(member)).ShouldBe(0);

        var poll = await polls.GetAsync(voter, communityId, id);
        await polls.VoteAsync(voter, id, new VoteInput(poll.Options[0].Id, Reason: "Sunny."));
        await Should.ThrowAsync<AppException>(() => polls.VoteAsync(voter, id, new VoteInput(poll.Options[1].Id)));
        (await polls.GetAsync(admin, communityId, id)).Options.Select(o => o.Count).ShouldBe([1, 0]);
        (await polls.ListAsync(admin, communityId, null, 0, 10)).Items.ShouldHaveSingleItem().Voters.ShouldBe(1);

        fixture.Clock.Advance(TimeSpan.FromHours(7));
        (await polls.SendClosingSoonAsync(TestContext.Current.CancellationToken)).ShouldBe(1);
        (await polls.SendClosingSoonAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        await using var db = await fixture.NewContextAsync();
        (await db.Notifications.Where(n => n.Kind == NotificationKind.PollClosingSoon).Select(n => n.UserId).ToListAsync()).ShouldBe([admin, member], ignoreOrder: true);
    }
}
