namespace CommunityApp.Tests.Infrastructure;

/// <summary>Waits for a condition, polling, up to a timeout: what tests use instead of fixed sleeps.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Returns as soon as <paramref name="condition"/> holds; fails naming <paramref name="what"/> after the timeout.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>
    /// Returns as soon as <paramref name="condition"/> holds. <paramref name="between"/> runs before each new check (a fake clock
    /// moved on, say), so a background loop that started late still gets its turn.
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Action? between = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (elapsed.Elapsed > limit) throw new TimeoutException($"Waited {limit.TotalSeconds:0} s for {what}.");
            between?.Invoke();
            await Task.Delay(20);
        }
    }
}
