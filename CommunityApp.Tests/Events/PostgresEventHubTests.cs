using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using CommunityApp.Events;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Polls;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Events;

/// <summary>
/// The hub over PostgreSQL LISTEN/NOTIFY: two hubs on one database stand for two app instances. An event published on
/// one reaches the other's subscribers, each instance delivers its own events once, and a listener whose connection
/// drops comes back.
/// </summary>
public sealed class PostgresEventHubTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>, IAsyncLifetime
{
    private PostgresEventHub a = null!, b = null!;

    public async ValueTask InitializeAsync()
    {
        a = new PostgresEventHub(fixture.ConnectionString, NullLoggerFactory.Instance);
        b = new PostgresEventHub(fixture.ConnectionString, NullLoggerFactory.Instance);
        await a.StartAsync(TestContext.Current.CancellationToken);
        await b.StartAsync(TestContext.Current.CancellationToken);
        await Task.WhenAll(a.Listening, b.Listening).WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hub in new[] { a, b })
        {
            await hub.StopAsync(CancellationToken.None);
            await hub.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_event_published_on_one_instance_reaches_both_instances_subscribers_once()
    {
        var onA = new ConcurrentQueue<AppEvent>();
        var onB = new ConcurrentQueue<AppEvent>();
        using var subA = a.Subscribe<AppEvent>(e => Enqueue(onA, e));
        using var subB = b.Subscribe<AppEvent>(e => Enqueue(onB, e));
        var community = Guid.NewGuid();

        a.Publish(new TrustChanged(community, "ana"));
        b.Publish(new NeedsChanged(community));
        a.Publish(new NotificationsChanged("ben"));

        await Eventually.UntilAsync(() => onA.Count >= 3 && onB.Count >= 3, "each instance to see the three events");
        // A marker published last, so anything delivered twice would have arrived before it.
        a.Publish(new NotificationsChanged("marker"));
        await Eventually.UntilAsync(() => onB.OfType<NotificationsChanged>().Any(e => e.UserId == "marker"), "the marker on B");
        AppEvent[] expected = [new TrustChanged(community, "ana"), new NeedsChanged(community), new NotificationsChanged("ben"), new NotificationsChanged("marker")];
        onA.ShouldBe(expected, ignoreOrder: true, "A's own events once (not again from the notification), B's once");
        onB.ShouldBe(expected, ignoreOrder: true, "typed records survive the trip");
    }

    [Fact]
    public async Task A_listener_whose_connection_drops_listens_again()
    {
        var onB = new ConcurrentQueue<NotificationsChanged>();
        using var subB = b.Subscribe<NotificationsChanged>(e => Enqueue(onB, e));
        await using (var admin = new NpgsqlConnection(fixture.ConnectionString))
        {
            await admin.OpenAsync(TestContext.Current.CancellationToken);
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'CommunityApp events' AND datname = current_database()", admin);
            ((long)(await kill.ExecuteScalarAsync(TestContext.Current.CancellationToken))!).ShouldBe(2);
        }

        var sent = 0;
        await Eventually.UntilAsync(() => Task.FromResult(!onB.IsEmpty), "an event from A to reach B after the drop",
            between: () => a.Publish(new NotificationsChanged($"after-drop-{sent++}")));
        onB.ShouldAllBe(e => e.UserId.StartsWith("after-drop-"));
    }

    [Fact]
    public void A_payload_names_its_type_and_origin_and_stays_small()
    {
        var payload = a.Serialize(PollChangedProbe());
        payload.ShouldContain(typeof(PollChanged).FullName!);
        payload.ShouldContain(a.Origin.ToString());
        System.Text.Encoding.UTF8.GetByteCount(a.Serialize(new TrustChanged(Guid.NewGuid(), new string('x', 450)))).ShouldBeLessThan(PostgresEventHub.MaxPayloadBytes);
    }

    private static PollChanged PollChangedProbe() => new(Guid.NewGuid(), Guid.NewGuid(), null);

    private static Task Enqueue<T>(ConcurrentQueue<T> queue, T item)
    {
        queue.Enqueue(item);
        return Task.CompletedTask;
    }
}
