using System.Threading.RateLimiting;
using Microsoft.Extensions.Caching.Memory;

namespace CommunityApp.Auth;

/// <summary>
/// Lockout after wrong passwords, per account <em>and</em> client address, and progressive: after
/// <see cref="ThrottleOptions.SignInFailuresBeforeLockout"/> failures that pair waits <see cref="ThrottleOptions.FirstLockout"/>,
/// and each further failure after a lockout doubles the wait up to <see cref="ThrottleOptions.LongestLockout"/>. Someone
/// who knows a username can no longer keep its owner out: the owner signs in from their own address. A right password
/// clears the pair. Kept in memory per instance, bounded, forgotten after the longest lockout.
/// </summary>
public sealed class SignInThrottle(ThrottleOptions options, TimeProvider clock) : IDisposable
{
    private sealed class Entry
    {
        /// <summary>The <see cref="forgiveness"/> count when this entry started counting.</summary>
        public long Since;
        public int Failures;
        public int Lockouts;
        public DateTimeOffset LockedUntil;
    }

    private readonly MemoryCache entries = new(new MemoryCacheOptions { SizeLimit = 100_000 });
    private long forgiveness;

    private static string Key(string userId, string client) => userId + "\n" + client;

    /// <summary>When the pair may try again, or null when it may now.</summary>
    public DateTimeOffset? LockedUntil(string userId, string client)
    {
        if (!entries.TryGetValue(Key(userId, client), out Entry? entry)) return null;
        lock (entry!)
        {
            ForgetIfForgiven(userId, entry);
            return entry.LockedUntil > clock.GetUtcNow() ? entry.LockedUntil : null;
        }
    }

    /// <summary>Counts a wrong password; returns the end of the lockout it starts, or null.</summary>
    public DateTimeOffset? Failed(string userId, string client)
    {
        var entry = entries.GetOrCreate(Key(userId, client), e =>
        {
            e.Size = 1;
            e.SlidingExpiration = options.LongestLockout * 2;
            return new Entry { Since = Interlocked.Read(ref forgiveness) };
        })!;
        lock (entry)
        {
            ForgetIfForgiven(userId, entry);
            entry.Failures++;
            // The first lockout after N failures; after that, every failure once the wait is over locks again, for twice as long.
            if (entry.Lockouts == 0 && entry.Failures < options.SignInFailuresBeforeLockout) return null;
            var wait = options.FirstLockout * Math.Pow(2, Math.Min(entry.Lockouts, 16));
            if (wait > options.LongestLockout) wait = options.LongestLockout;
            entry.Lockouts++;
            entry.LockedUntil = clock.GetUtcNow() + wait;
            return entry.LockedUntil;
        }
    }

    public void Succeeded(string userId, string client) => entries.Remove(Key(userId, client));

    /// <summary>The owner proved who they are (a password reset by mail): every lockout of the account, from any address, ends.</summary>
    public void Forgive(string userId) =>
        entries.Set(ForgivenKey(userId), Interlocked.Increment(ref forgiveness), new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = options.LongestLockout * 2 });

    private static string ForgivenKey(string userId) => "forgiven\n" + userId;

    private void ForgetIfForgiven(string userId, Entry entry)
    {
        if (!entries.TryGetValue(ForgivenKey(userId), out long forgiven) || forgiven <= entry.Since) return;
        entry.Since = forgiven;
        entry.Failures = 0;
        entry.Lockouts = 0;
        entry.LockedUntil = default;
    }

    public void Dispose() => entries.Dispose();
}

/// <summary>A token bucket per key that holds <c>count</c> and refills evenly over <c>period</c>; idle keys are dropped.</summary>
public abstract class KeyedBucket(int count, TimeSpan period) : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => Throttling.Evenly(count, period)));

    public bool TryTake(string key)
    {
        using var lease = limiter.AttemptAcquire(key);
        return lease.IsAcquired;
    }

    public void Dispose()
    {
        limiter.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// At most <see cref="ThrottleOptions.AccountMailsPerHour"/> account mails to one account an hour, so the neutral forms
/// (forgot password, register, resend confirmation) cannot be used to flood someone's inbox. Over the limit the form
/// answers as always and no mail goes out.
/// </summary>
public sealed class AccountMailThrottle(ThrottleOptions options) : KeyedBucket(options.AccountMailsPerHour, TimeSpan.FromHours(1));

/// <summary>
/// At most <see cref="ThrottleOptions.ActionsPerMinute"/> interactive actions a minute per signed-in user (per circuit for
/// a visitor), checked by the pages' one action path, so a script on an open circuit cannot write without end.
/// </summary>
public sealed class ActionThrottle(ThrottleOptions options) : KeyedBucket(options.ActionsPerMinute, TimeSpan.FromMinutes(1));
