using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Npgsql;

namespace CommunityApp.Events;

/// <summary>
/// The event hub across app instances on one PostgreSQL (docs/ARCHITECTURE.md, "Live updates"). An event published here
/// reaches this instance's subscribers at once (in process, as <see cref="InMemoryEventHub"/> does) and is sent to the
/// other instances with <c>pg_notify</c> on <see cref="Channel"/>, as a small JSON payload naming its type and this hub's
/// origin id. Each hub keeps one dedicated connection that <c>LISTEN</c>s and waits for notifications (reconnecting after a
/// drop); a notification from another origin is delivered to this instance's subscribers, one from its own origin is
/// skipped, so an instance delivers its own events once. Notifications are sent after the publishing transaction
/// committed (services publish after commit) and in publish order, from a queue, so <see cref="Publish"/> never waits on
/// the database. Events missed while a listener is reconnecting are not replayed: pages reload on the next event.
/// </summary>
public sealed class PostgresEventHub : IEventHub, IHostedService, IAsyncDisposable
{
    public const string Channel = "communityapp_events";

    /// <summary>PostgreSQL refuses a NOTIFY payload of 8000 bytes or more.</summary>
    public const int MaxPayloadBytes = 7999;

    private static readonly Dictionary<string, Type> EventTypes = typeof(AppEvent).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(AppEvent)) && !t.IsAbstract)
        .ToDictionary(t => t.FullName!);

    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];

    private readonly InMemoryEventHub local;
    private readonly NpgsqlDataSource sender;
    private readonly string listenConnectionString;
    private readonly ILogger<PostgresEventHub> logger;
    // Reconnecting waits real time, whatever clock the app runs on.
    private readonly TimeProvider reconnectClock = TimeProvider.System;
    private readonly Channel<string> outbox = System.Threading.Channels.Channel.CreateUnbounded<string>(new() { SingleReader = true });
    private readonly CancellationTokenSource stopping = new();
    private readonly TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? sendLoop, listenLoop;
    private int stopped, disposed;

    public PostgresEventHub(string connectionString, ILoggerFactory loggers)
    {
        local = new InMemoryEventHub(loggers.CreateLogger<InMemoryEventHub>());
        logger = loggers.CreateLogger<PostgresEventHub>();
        sender = NpgsqlDataSource.Create(connectionString);
        listenConnectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // Its own connection, never returned to a pool; a keepalive finds a dropped one while it waits.
            Pooling = false,
            KeepAlive = 15,
            ApplicationName = "CommunityApp events",
        }.ConnectionString;
    }

    /// <summary>This hub's origin id in the payloads it sends.</summary>
    public Guid Origin { get; } = Guid.NewGuid();

    /// <summary>How many handlers listen on this instance.</summary>
    public int SubscriberCount => local.SubscriberCount;

    /// <summary>Completes once the listener first LISTENs (tests wait for it before publishing elsewhere).</summary>
    public Task Listening => listening.Task;

    public void Publish(AppEvent appEvent)
    {
        local.Publish(appEvent);
        var payload = Serialize(appEvent);
        if (Encoding.UTF8.GetByteCount(payload) > MaxPayloadBytes)
        {
            logger.LogWarning("The event {Event} is too large for a notification; only this instance's pages see it", appEvent.GetType().Name);
            return;
        }
        outbox.Writer.TryWrite(payload);
    }

    public IDisposable Subscribe<T>(Func<T, Task> handler) where T : AppEvent => local.Subscribe(handler);

    public string Serialize(AppEvent appEvent) => JsonSerializer.Serialize(new Envelope(Origin, appEvent.GetType().FullName!,
        JsonSerializer.SerializeToElement(appEvent, appEvent.GetType())));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        sendLoop = Task.Run(() => SendAsync(stopping.Token), CancellationToken.None);
        listenLoop = Task.Run(() => ListenAsync(stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host may be stopped twice (stopped, then disposed): the second time there is nothing left to do.
        if (Interlocked.Exchange(ref stopped, 1) == 1) return;
        outbox.Writer.TryComplete();
        // What was published before shutting down still goes out (the queue is short), unless the host stops waiting.
        try
        {
            if (sendLoop is not null) await sendLoop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host stopped waiting.
        }
        await stopping.CancelAsync();
        if (listenLoop is not null) await listenLoop.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        Interlocked.Exchange(ref stopped, 1);
        outbox.Writer.TryComplete();
        await stopping.CancelAsync();
        if (listenLoop is not null) await listenLoop.ConfigureAwait(false);
        await sender.DisposeAsync();
    }

    private async Task SendAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var payload in outbox.Reader.ReadAllAsync(ct))
            {
                try
                {
                    await using var command = sender.CreateCommand("SELECT pg_notify($1, $2)");
                    command.Parameters.Add(new() { Value = Channel });
                    command.Parameters.Add(new() { Value = payload });
                    await command.ExecuteNonQueryAsync(ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "An event could not be sent to the other instances; their pages update on the next one");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    private async Task ListenAsync(CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(listenConnectionString);
                connection.Notification += (_, e) => Receive(e.Payload);
                await connection.OpenAsync(ct);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection)) await listen.ExecuteNonQueryAsync(ct);
                if (failures > 0) logger.LogInformation("Listening for other instances' events again");
                failures = 0;
                listening.TrySetResult();
                while (true) await connection.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var wait = Backoff[Math.Min(failures, Backoff.Length - 1)];
                failures++;
                logger.LogWarning(ex, "The event listener lost its connection; reconnecting in {Wait}", wait);
                try { await Task.Delay(wait, reconnectClock, ct); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private void Receive(string payload)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize<Envelope>(payload);
            if (envelope is null || envelope.O == Origin) return;
            if (!EventTypes.TryGetValue(envelope.T, out var type))
            {
                // Another version of the app, during a rolling deployment.
                logger.LogDebug("Skipped an event of unknown type {Type}", envelope.T);
                return;
            }
            if (envelope.E.Deserialize(type) is AppEvent appEvent) local.Publish(appEvent);
        }
        catch (JsonException ex)
        {
            logger.LogWarning(ex, "Skipped an unreadable event notification");
        }
    }

    private sealed record Envelope(Guid O, string T, JsonElement E);
}
