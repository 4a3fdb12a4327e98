using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using CommunityApp.Events;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Events;

/// <summary>The in-process hub behind live updates: who gets what, until when, and that one bad subscriber harms no one.</summary>
public sealed class EventHubTests
{
    private readonly CapturingLogger logger = new();

    private InMemoryEventHub NewHub() => new(logger);

    [Fact]
    public async Task A_subscriber_gets_the_events_of_its_type_only()
    {
        var hub = NewHub();
        var trust = new ConcurrentQueue<TrustChanged>();
        var notifications = new ConcurrentQueue<NotificationsChanged>();
        var everything = new ConcurrentQueue<AppEvent>();
        using var a = hub.Subscribe<TrustChanged>(e => Enqueue(trust, e));
        using var b = hub.Subscribe<NotificationsChanged>(e => Enqueue(notifications, e));
        using var c = hub.Subscribe<AppEvent>(e => Enqueue(everything, e));
        var community = Guid.NewGuid();

        hub.Publish(new TrustChanged(community, "u1"));
        hub.Publish(new NotificationsChanged("u2"));
        hub.Publish(new TrustChanged(community, "u3"));

        await Eventually.UntilAsync(() => trust.Count == 2 && notifications.Count == 1 && everything.Count == 3, "every subscriber's events");
        trust.Select(e => e.UserId).ShouldBe(["u1", "u3"], ignoreOrder: true);
        trust.ShouldAllBe(e => e.CommunityId == community);
        notifications.ShouldHaveSingleItem().UserId.ShouldBe("u2");
        everything.OfType<TrustChanged>().Count().ShouldBe(2);
        // An event handed to a subscriber of another type would fail its cast and be logged; none was.
        logger.Entries.ShouldBeEmpty();
    }

    [Fact]
    public async Task Disposing_the_handle_stops_delivery_to_that_subscriber_only()
    {
        var hub = NewHub();
        var left = new ConcurrentQueue<NotificationsChanged>();
        var stayed = new ConcurrentQueue<NotificationsChanged>();
        var leaving = hub.Subscribe<NotificationsChanged>(e => Enqueue(left, e));
        using var staying = hub.Subscribe<NotificationsChanged>(e => Enqueue(stayed, e));
        hub.Publish(new NotificationsChanged("before"));
        await Eventually.UntilAsync(() => left.Count == 1 && stayed.Count == 1, "the first event for both");

        leaving.Dispose();
        leaving.Dispose(); // A page may dispose twice; the second does nothing.
        hub.SubscriberCount.ShouldBe(1);
        hub.Publish(new NotificationsChanged("after"));

        // Publish reads the subscriptions when called, so once the one still subscribed has "after", no other delivery is pending.
        await Eventually.UntilAsync(() => stayed.Count == 2, "the second event for the one still subscribed");
        left.Select(e => e.UserId).ShouldBe(["before"]);
        stayed.Select(e => e.UserId).ShouldBe(["before", "after"], ignoreOrder: true);
    }

    [Fact]
    public async Task A_subscriber_that_throws_or_hangs_neither_fails_the_publisher_nor_stops_the_others()
    {
        var hub = NewHub();
        var received = new ConcurrentQueue<NotificationsChanged>();
        var never = new TaskCompletionSource();
        using var throwsAtOnce = hub.Subscribe<NotificationsChanged>(_ => throw new InvalidOperationException("broken page"));
        using var faultsLater = hub.Subscribe<NotificationsChanged>(async _ =>
        {
            await Task.Yield();
            throw new InvalidOperationException("closed tab");
        });
        using var hangs = hub.Subscribe<NotificationsChanged>(_ => never.Task);
        using var healthy = hub.Subscribe<NotificationsChanged>(e => Enqueue(received, e));

        Should.NotThrow(() => hub.Publish(new NotificationsChanged("first")));
        Should.NotThrow(() => hub.Publish(new NotificationsChanged("second")));

        await Eventually.UntilAsync(() => received.Count == 2, "both events for the healthy subscriber");
        received.Select(e => e.UserId).ShouldBe(["first", "second"], ignoreOrder: true);
        // Each failure is logged as a warning with its exception; the failing subscribers stay subscribed.
        await Eventually.UntilAsync(() => logger.Entries.Count == 4, "four logged failures");
        logger.Entries.ShouldAllBe(e => e.Level == LogLevel.Warning && e.Exception is InvalidOperationException);
        logger.Entries.Select(e => e.Exception!.Message).Order().ShouldBe(["broken page", "broken page", "closed tab", "closed tab"]);
        hub.SubscriberCount.ShouldBe(4);
    }

    private static Task Enqueue<T>(ConcurrentQueue<T> queue, T item)
    {
        queue.Enqueue(item);
        return Task.CompletedTask;
    }

    private sealed class CapturingLogger : ILogger<InMemoryEventHub>
    {
        public ConcurrentQueue<(LogLevel Level, Exception? Exception, string Message)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, exception, formatter(state, exception)));
    }
}
