using System.Collections.Concurrent;

namespace CommunityApp.Events;

/// <summary>Something that happened, published after its transaction committed.</summary>
public abstract record AppEvent;

/// <summary>A member's trust score (and so their title and gated controls) may have changed.</summary>
public sealed record TrustChanged(Guid CommunityId, string UserId) : AppEvent;

/// <summary>A user's notifications changed (a new one, or some were read).</summary>
public sealed record NotificationsChanged(string UserId) : AppEvent;

/// <summary>
/// Live updates (docs/ARCHITECTURE.md, "Live updates"): services publish, open pages subscribe and unsubscribe when disposed.
/// In process on SQLite (<see cref="InMemoryEventHub"/>); across instances over PostgreSQL LISTEN/NOTIFY (<see cref="PostgresEventHub"/>).
/// </summary>
public interface IEventHub
{
    void Publish(AppEvent appEvent);

    /// <summary>Calls <paramref name="handler"/> for every published <typeparamref name="T"/> until the returned handle is disposed.</summary>
    IDisposable Subscribe<T>(Func<T, Task> handler) where T : AppEvent;
}

public sealed class InMemoryEventHub(ILogger<InMemoryEventHub> logger) : IEventHub
{
    private readonly ConcurrentDictionary<Guid, (Type Type, Func<AppEvent, Task> Handler)> subscriptions = new();

    /// <summary>How many handlers listen now: closed pages must leave none behind.</summary>
    public int SubscriberCount => subscriptions.Count;

    public void Publish(AppEvent appEvent)
    {
        foreach (var (type, handler) in subscriptions.Values)
        {
            if (type.IsInstanceOfType(appEvent)) _ = DeliverAsync(handler, appEvent);
        }
    }

    public IDisposable Subscribe<T>(Func<T, Task> handler) where T : AppEvent
    {
        var id = Guid.NewGuid();
        subscriptions[id] = (typeof(T), e => handler((T)e));
        return new Subscription(() => subscriptions.TryRemove(id, out _));
    }

    // Publishing never waits for, nor fails because of, a subscriber (a closed tab, a slow page).
    private async Task DeliverAsync(Func<AppEvent, Task> handler, AppEvent appEvent)
    {
        try
        {
            await Task.Yield();
            await handler(appEvent);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "A subscriber failed to handle {Event}", appEvent);
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private int disposed;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) dispose();
        }
    }
}

public static class EventHubSetup
{
    /// <summary>The hub over PostgreSQL LISTEN/NOTIFY (instances on one database see each other's events), a hosted service too.</summary>
    public static IServiceCollection AddPostgresEventHub(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(sp => new PostgresEventHub(connectionString, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IEventHub>(sp => sp.GetRequiredService<PostgresEventHub>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresEventHub>());
        return services;
    }

    /// <summary>The in-process hub, unless a hub was registered already (<see cref="PostgresEventHub"/> on PostgreSQL, by <c>AddData</c>).</summary>
    public static IServiceCollection AddEventHub(this IServiceCollection services)
    {
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton<IEventHub, InMemoryEventHub>(services);
        return services;
    }
}
