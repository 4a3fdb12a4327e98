using System.Collections.Concurrent;

namespace CommunityApp.Tests.Infrastructure;

/// <summary>
/// Started apps on Kestrel with the default configuration, lent to one browser test at a time (<see cref="BrowserTest"/>).
/// Starting an app costs 2–3 s of CPU, a good part of a short browser journey; the pool starts one per test running at the
/// same moment (three at most, xunit.runner.json) instead of one per test. A returned app is made to look fresh
/// (<see cref="AppFactory.ResetAsync"/>): its database emptied, its captured logs and errors cleared, so a test still starts
/// from an empty database and reads only its own log lines. An app whose test failed, or whose reset failed, is stopped
/// instead of lent again.
/// </summary>
public sealed class AppPool : IAsyncDisposable
{
    private readonly ConcurrentBag<AppFactory> idle = [];
    private readonly ConcurrentDictionary<AppFactory, byte> all = new();

    public async Task<AppFactory> RentAsync()
    {
        if (idle.TryTake(out var app)) return app;
        app = new AppFactory();
        all[app] = 0;
        await app.InitializeAsync();
        app.StartKestrel();
        return app;
    }

    /// <summary>Hands the app back for the next test, or stops it when <paramref name="reusable"/> is false or it cannot be reset.</summary>
    public async Task ReturnAsync(AppFactory app, bool reusable)
    {
        if (reusable && await app.ResetAsync())
        {
            idle.Add(app);
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
