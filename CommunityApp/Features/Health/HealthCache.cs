using Microsoft.Extensions.Caching.Memory;

namespace CommunityApp.Features.Health;

/// <summary>
/// The computed dashboards, keyed by community and range (docs/SPEC.md §13: <c>dashboardRefreshInterval</c> bounds how stale a
/// figure may be). An entry is served while it is younger than the community's interval by the <see cref="TimeProvider"/>;
/// after that the next reader computes it again. Readers who arrive while it is being computed share that one computation,
/// so a busy dashboard runs its queries once per interval, never once per render. A computation that failed is not kept.
/// The memory cache also drops entries on its own (after the interval in real time, or under memory pressure): that only
/// makes a figure fresher.
/// </summary>
public sealed class HealthCache(IMemoryCache cache, TimeProvider clock)
{
    private readonly Lock gate = new();

    private sealed record Entry(Task<HealthDashboard> Dashboard, DateTimeOffset Started);

    public Task<HealthDashboard> GetAsync(Guid communityId, HealthRange range, TimeSpan maxAge, Func<DateTime, Task<HealthDashboard>> compute)
    {
        var key = (nameof(HealthCache), communityId, range);
        lock (gate)
        {
            var now = clock.GetUtcNow();
            if (cache.TryGetValue(key, out Entry? entry) && entry is not null && now - entry.Started < maxAge && !entry.Dashboard.IsFaulted && !entry.Dashboard.IsCanceled)
                return entry.Dashboard;
            var fresh = new Entry(Task.Run(() => compute(now.UtcDateTime)), now);
            cache.Set(key, fresh, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = maxAge, Size = 1 });
            return fresh.Dashboard;
        }
    }
}
