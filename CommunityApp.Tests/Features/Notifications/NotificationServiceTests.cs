using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Events;
using CommunityApp.Features.Notifications;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Notifications;

/// <summary>Reading notifications (docs/SPEC.md §14): each user marks only their own, and the bell's count follows.</summary>
public sealed class NotificationServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private static readonly DateTime Written = new(2030, 5, 1, 8, 0, 0, DateTimeKind.Utc);
    private static readonly DateTimeOffset ReadInstant = new(2030, 5, 2, 12, 30, 0, TimeSpan.Zero);

    private NotificationService Service => fixture.Get<NotificationService>();

    [Fact]
    public async Task Marking_one_read_sets_its_read_time_lowers_the_count_and_touches_nothing_else()
    {
        fixture.Clock.Set(ReadInstant);
        var me = await fixture.CreateUserAsync();
        var other = await fixture.CreateUserAsync();
        var (mine, alsoMine) = (await AddAsync(me), await AddAsync(me));
        var theirs = await AddAsync(other);
        using var subscription = Record(out var events);
        (await Service.UnreadCountAsync(me)).ShouldBe(2);

        await Service.MarkReadAsync(me, mine);

        (await ReadAtAsync(mine)).ShouldBe(ReadInstant.UtcDateTime);
        (await ReadAtAsync(alsoMine)).ShouldBeNull();
        (await ReadAtAsync(theirs)).ShouldBeNull();
        (await Service.UnreadCountAsync(me)).ShouldBe(1);
        (await Service.UnreadCountAsync(other)).ShouldBe(1);
        (await Service.LatestAsync(me)).Select(n => (n.Id, n.IsRead)).ShouldBe([(mine, true), (alsoMine, false)], ignoreOrder: true);
        await Eventually.UntilAsync(() => events.Contains(me), "the bell of the reader told");

        // Marking it again keeps the first read time.
        fixture.Clock.Set(ReadInstant.AddHours(1));
        await Service.MarkReadAsync(me, mine);
        (await ReadAtAsync(mine)).ShouldBe(ReadInstant.UtcDateTime);
    }

    [Fact]
    public async Task Nobody_marks_someone_elses_notification()
    {
        fixture.Clock.Set(ReadInstant);
        var me = await fixture.CreateUserAsync();
        var intruder = await fixture.CreateUserAsync();
        var mine = await AddAsync(me);
        var theirs = await AddAsync(intruder);
        using var subscription = Record(out var events);

        await Service.MarkReadAsync(intruder, mine);

        (await ReadAtAsync(mine)).ShouldBeNull();
        (await Service.UnreadCountAsync(me)).ShouldBe(1);
        // The intruder's own mark is told to their bell once: the attempt on mine was not counted as a change.
        await Service.MarkReadAsync(intruder, theirs);
        await Eventually.UntilAsync(() => events.Contains(intruder), "the intruder's own mark told");
        events.Count(u => u == intruder).ShouldBe(1);
        events.ShouldNotContain(me);
    }

    [Fact]
    public async Task Marking_all_read_marks_every_unread_one_of_the_user_and_no_one_elses()
    {
        fixture.Clock.Set(ReadInstant);
        var me = await fixture.CreateUserAsync();
        var other = await fixture.CreateUserAsync();
        var earlier = Written.AddHours(2);
        var alreadyRead = await AddAsync(me, readAt: earlier);
        var unread = new[] { await AddAsync(me), await AddAsync(me), await AddAsync(me) };
        var theirs = new[] { await AddAsync(other), await AddAsync(other) };
        using var subscription = Record(out var events);
        (await Service.UnreadCountAsync(me)).ShouldBe(3);

        await Service.MarkAllReadAsync(me);

        foreach (var id in unread) (await ReadAtAsync(id)).ShouldBe(ReadInstant.UtcDateTime);
        (await ReadAtAsync(alreadyRead)).ShouldBe(earlier);
        foreach (var id in theirs) (await ReadAtAsync(id)).ShouldBeNull();
        (await Service.UnreadCountAsync(me)).ShouldBe(0);
        (await Service.UnreadCountAsync(other)).ShouldBe(2);
        (await Service.LatestAsync(me)).ShouldAllBe(n => n.IsRead);
        (await Service.LatestAsync(other)).ShouldAllBe(n => !n.IsRead);
        await Eventually.UntilAsync(() => events.Contains(me), "the reader's bell told");
        events.ShouldNotContain(other);
    }

    /// <summary>Records whom the hub tells that their notifications changed, until disposed.</summary>
    private IDisposable Record(out ConcurrentBag<string> told)
    {
        var bag = told = new ConcurrentBag<string>();
        return fixture.Get<IEventHub>().Subscribe<NotificationsChanged>(e =>
        {
            bag.Add(e.UserId);
            return Task.CompletedTask;
        });
    }

    [Fact]
    public async Task The_bells_plain_statement_counts_what_EF_Core_counts_up_to_the_cap()
    {
        var (few, many, none) = (await fixture.CreateUserAsync(), await fixture.CreateUserAsync(), await fixture.CreateUserAsync());
        await AddAsync(few);
        await AddAsync(few);
        await AddAsync(few, readAt: Written);
        await AddAsync(none, readAt: Written);
        await using (var db = await fixture.NewContextAsync())
        {
            db.Notifications.AddRange(Enumerable.Range(0, NotificationService.UnreadCap + 5).Select(_ => new Notification
            {
                UserId = many, Kind = NotificationKind.TrustReceived, Actor = "Someone", Subject = "A community", Link = "/communities", CreatedAt = Written,
            }));
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        foreach (var (user, expected) in new[] { (few, 2), (many, NotificationService.UnreadCap), (none, 0), ("no such user", 0) })
        {
            (await Service.UnreadCountAsync(user, plainSql: true)).ShouldBe(expected, user);
            (await Service.UnreadCountAsync(user, plainSql: false)).ShouldBe(expected, user);
        }
    }

    private async Task<Guid> AddAsync(string userId, DateTime? readAt = null)
    {
        await using var db = await fixture.NewContextAsync();
        var notification = new Notification
        {
            UserId = userId, Kind = NotificationKind.TrustReceived, Actor = "Someone", Subject = "A community", Link = "/communities",
            CreatedAt = Written, ReadAt = readAt,
        };
        db.Notifications.Add(notification);
        await db.SaveChangesAsync();
        return notification.Id;
    }

    private async Task<DateTime?> ReadAtAsync(Guid id)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Notifications.Where(n => n.Id == id).Select(n => n.ReadAt).SingleAsync();
    }
}
