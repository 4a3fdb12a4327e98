using System.Collections.Concurrent;

namespace CommunityApp.Tests.Infrastructure;

/// <summary>
/// Started apps on Kestrel with the default configuration, lent to one browser test at a time (<see cref="BrowserTest"/>).
/// Starting an app costs 2–3 s of CPU, a good part of a short browser journey; the pool starts one per test running at the
/// same moment (three at most, xunit.runner.json) instead of one per test. A returned app is made to look fresh
/// (<see cref="AppFactory.ResetAsync"/>): its database emptied, its captured logs and errors cleared, so a test still starts
/// from an empty database and reads only its own log lines. An app whose test failed, or whose reset failed, is stopped
/// instead of lent again. A test class whose settings differ from the default but hold no state between tests (the same
/// SMTP server for every class that reads mail) borrows from the apps with its configuration (<see cref="BrowserTest.SharesConfiguredApp"/>).
/// </summary>
public sealed class AppPool : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentBag<AppFactory>> idle = new();
    private readonly ConcurrentDictionary<AppFactory, string> all = new();

    /// <summary>A started app with the default configuration.</summary>
    public Task<AppFactory> RentAsync() => RentAsync(new AppFactory());

    /// <summary>
    /// A started app configured as <paramref name="configured"/> (not started yet: its settings and environment): an idle
    /// one with the same configuration, or <paramref name="configured"/> itself, started.
    /// </summary>
    public async Task<AppFactory> RentAsync(AppFactory configured)
    {
        var key = configured.ConfigurationKey;
        if (idle.TryGetValue(key, out var apps) && apps.TryTake(out var app))
        {
            await configured.DisposeAsync();
            return app;
        }
        all[configured] = key;
        await configured.InitializeAsync();
        configured.StartKestrel();
        return configured;
    }

    /// <summary>Hands the app back for the next test, or stops it when <paramref name="reusable"/> is false or it cannot be reset.</summary>
    public async Task ReturnAsync(AppFactory app, bool reusable)
    {
        if (reusable && all.TryGetValue(app, out var key) && await app.ResetAsync())
        {
            idle.GetOrAdd(key, _ => []).Add(app);
            return;
        }
        all.TryRemove(app, out _);
        await app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in all.Keys) await app.DisposeAsync();
        all.Clear();
    }
}
