using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(CommunityApp.Tests.Infrastructure.BrowserFixture))]

namespace CommunityApp.Tests.Infrastructure;

/// <summary>One headless Debian Chromium for the whole run, driven by Playwright (it cannot download its own browser here).</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The started apps the browser tests borrow (<see cref="BrowserTest"/>).</summary>
    public AppPool Apps { get; } = new();

    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>
    /// Each page check saves a full-page screenshot when <c>COMMUNITYAPP_SCREENSHOTS=1</c> (README, "Screenshots"); off by
    /// default, since taking them is a good part of the browser tests' time.
    /// </summary>
    public static bool TakeScreenshots { get; } = Environment.GetEnvironmentVariable("COMMUNITYAPP_SCREENSHOTS") is "1" or "true";

    /// <summary>
    /// Headless Chromium is the whole browser, and since Chromium 14x every window (Playwright opens one per page) preloads
    /// the address bar's suggestion popup as a WebUI page in a renderer of its own, which nobody here ever sees: measured on
    /// this machine, a third of Chromium's CPU for a sign-in and four pages. Playwright passes its own --disable-features,
    /// and Chromium reads only one, so its list (Playwright 1.64's chromiumSwitches) is repeated here before ours.
    /// </summary>
    private static readonly string[] DisabledFeatures =
    [
        "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "DialMediaRouteProvider", "GlobalMediaControls",
        "HttpsUpgrades", "LensOverlay", "MediaRouter", "PaintHolding", "ThirdPartyStoragePartitioning",
        "BlockOriginHeaderModificationOnRedirect", "AvoidCorsURLLoaderRestartOnRedirect", "Translate", "AutoDeElevate",
        "OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled",
        "WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "WebUIOmniboxFullPopup",
    ];

    public async ValueTask InitializeAsync()
    {
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
                    "--disable-features=" + string.Join(',', DisabledFeatures)],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    /// <summary>A fresh browser profile: a desktop window, or a 375 px wide touch phone.</summary>
    public async Task<IBrowserContext> NewContextAsync(string baseUrl, bool phone = false)
    {
        var context = await Browser.NewContextAsync(phone
            ? new() { BaseURL = baseUrl, Locale = "en-US", ViewportSize = new() { Width = 375, Height = 812 }, IsMobile = true, HasTouch = true, DeviceScaleFactor = 2 }
            : new() { BaseURL = baseUrl, Locale = "en-US", ViewportSize = new() { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(15_000);
        Watch(context, baseUrl);
        context.Page += (_, page) => PageChecks.TrackCircuit(page);
        return context;
    }

    private static readonly ConcurrentDictionary<IBrowserContext, (string BaseUrl, ConcurrentQueue<string> Violations)> Watched = new();

    /// <summary>
    /// Chromium reports every Content-Security-Policy refusal (a blocked script, style, connection or form target) to the
    /// console. The page check fails on any in its page's context, and every browser test's end on any in the contexts it opened.
    /// </summary>
    private static void Watch(IBrowserContext context, string baseUrl)
    {
        var violations = new ConcurrentQueue<string>();
        var origin = new Uri(baseUrl).GetLeftPart(UriPartial.Authority);
        Watched[context] = (baseUrl.TrimEnd('/'), violations);
        context.Console += (_, message) =>
        {
            // Only the app's own pages: another site's page (the OIDC provider's login) answers to its own policy.
            var url = message.Page?.Url ?? "";
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) && url.StartsWith(origin + "/", StringComparison.OrdinalIgnoreCase))
            {
                violations.Enqueue($"{message.Text} (on {url})");
            }
        };
    }

    /// <summary>The CSP refusals one context has seen so far.</summary>
    public static IReadOnlyList<string> CspViolations(IBrowserContext context) =>
        Watched.TryGetValue(context, out var watched) ? [.. watched.Violations] : [];

    /// <summary>Fails when any context opened on <paramref name="baseUrl"/> (open or closed by now) saw a CSP refusal; then forgets those contexts.</summary>
    public static void ShouldHaveNoCspViolations(string baseUrl)
    {
        var mine = Watched.Where(w => w.Value.BaseUrl == baseUrl.TrimEnd('/')).ToList();
        foreach (var (context, _) in mine) Watched.TryRemove(context, out _);
        var violations = mine.SelectMany(w => w.Value.Violations).ToList();
        violations.ShouldBeEmpty($"Content-Security-Policy violations on {baseUrl}:\n" + string.Join("\n", violations));
    }

    public async ValueTask DisposeAsync()
    {
        await Apps.DisposeAsync();
        if (Browser is not null) await Browser.DisposeAsync();
        playwright?.Dispose();
    }
}

public static class PageChecks
{
    // axe-core as Deque.AxeCore ships it. It runs in the page and only the violations come back: the library's own
    // RunAxe returns every pass and inapplicable rule with its nodes, which took ten times as long as the scan itself.
    private static readonly Lazy<string> AxeSource = new(() => new Deque.AxeCore.Commons.BundledAxeScriptProvider().GetScript());

    /// <summary>axe-core's source (650 KB of script), which every test app serves at <see cref="AxeScriptPath"/>.</summary>
    internal static string AxeScript => AxeSource.Value;

    /// <summary>
    /// Where the test apps serve axe-core (<see cref="AppFactory"/>), cached by the browser: handing the 650 KB source to
    /// every scanned page through Playwright cost about 70 ms of CPU a page (serialised by the test process, parsed and
    /// passed on by Playwright's driver and Chromium, compiled afresh), a tenth of a page check.
    /// </summary>
    internal const string AxeScriptPath = "/_tests/axe.min.js";

    private static readonly ConcurrentDictionary<string, byte> AxeOrigins = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Says that the app at <paramref name="baseUrl"/> serves <see cref="AxeScriptPath"/>.</summary>
    internal static void ServesAxe(string baseUrl) => AxeOrigins[new Uri(baseUrl).GetLeftPart(UriPartial.Authority)] = 0;

    /// <summary>
    /// Puts axe into the page: from its app's cached copy when the page is on a test app (a script element, removed once run;
    /// same origin, so the Content-Security-Policy allows it), otherwise (another site, a page set by hand) as evaluated source.
    /// </summary>
    private static async Task LoadAxeAsync(IPage page)
    {
        if (Uri.TryCreate(page.Url, UriKind.Absolute, out var url) && AxeOrigins.ContainsKey(url.GetLeftPart(UriPartial.Authority)) &&
            await page.EvaluateAsync<bool>("""
                src => new Promise(done => {
                    const script = document.createElement('script');
                    script.src = src;
                    script.onload = () => { script.remove(); done(typeof window.axe === 'object'); };
                    script.onerror = () => { script.remove(); done(false); };
                    document.head.appendChild(script);
                })
                """, AxeScriptPath))
        {
            return;
        }
        await page.EvaluateAsync(AxeSource.Value);
    }

    /// <summary>
    /// Every axe rule, the experimental and AAA ones included (axe leaves those off by default). Snackbars fade in and out:
    /// a half-transparent one fails contrast although it passes when shown. MudBlazor's focus-trap sentinels (empty,
    /// invisible, focusable only to keep focus inside a dialog) are not content.
    /// </summary>
    private const string Scan = """
        async () => {
            const rules = Object.fromEntries(axe.getRules().map(r => [r.ruleId, { enabled: true }]));
            const result = await axe.run({ exclude: ['.mud-snackbar', 'div.fixed.pointer-events-none[tabindex]'] }, { rules, resultTypes: ['violations'] });
            return result.violations.map(v => `- ${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map(n => n.html).join(', ')}`);
        }
        """;

    /// <summary>
    /// Screenshot under the test output, then no Content-Security-Policy refusal so far in the page's context, then an axe
    /// scan with every rule that fails on any violation.
    /// </summary>
    public static async Task CheckPageAsync(this IPage page, string name)
    {
        await page.WaitForLoadedAsync();
        await page.WaitForSettledAsync();
        if (BrowserFixture.TakeScreenshots)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"{name}.png"), FullPage = true });
        }
        var refused = BrowserFixture.CspViolations(page.Context);
        refused.ShouldBeEmpty($"Content-Security-Policy violations by {name} ({page.Url}):\n" + string.Join("\n", refused));
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'")) await LoadAxeAsync(page);
        var violations = await page.EvaluateAsync<string[]>(Scan);
        violations.ShouldBeEmpty($"Accessibility violations on {name} ({page.Url}):\n" + string.Join("\n", violations));
    }

    /// <summary>
    /// Waits until the document, its images and its fonts have loaded (what the contrast checks and a screenshot see). Not
    /// "network idle": that waits half a second on every page, and a slow request elsewhere on the page can hold it forever.
    /// </summary>
    public static async Task WaitForLoadedAsync(this IPage page)
    {
        try
        {
            await page.WaitForLoadStateAsync(LoadState.Load);
            await page.WaitForFunctionAsync("""
                () => document.fonts.status === 'loaded' && [...document.images].every(i => i.complete)
                """, null, new() { PollingInterval = 50 });
        }
        catch (TimeoutException ex)
        {
            // Say what was still pending: a bare "Timeout 15000ms exceeded" left a rare failure after sign-out unexplained.
            throw new TimeoutException($"{ex.Message}\nThe page was not loaded: {await PendingAsync(page)}", ex);
        }
    }

    private static async Task<string> PendingAsync(IPage page)
    {
        try
        {
            return await page.EvaluateAsync<string>("""
                () => `${location.href}: readyState ${document.readyState}, fonts ${document.fonts.status}, ` +
                      `images not complete [${[...document.images].filter(i => !i.complete).map(i => i.currentSrc || i.src).join(', ')}], ` +
                      `resources still loading [${performance.getEntriesByType('resource').filter(r => r.responseEnd === 0).map(r => r.name).join(', ')}]`
                """);
        }
        catch (PlaywrightException ex)
        {
            return $"{page.Url}: the page could not be asked ({ex.Message.Split('\n')[0]})";
        }
    }

    /// <summary>
    /// Waits until no finite animation or transition is running (snackbars fading in, drawers sliding, dialogs opening):
    /// half-faded text fails contrast checks and half-drawn screenshots mislead. Endless ones (spinners) do not count.
    /// </summary>
    public static Task WaitForSettledAsync(this IPage page) =>
        page.WaitForFunctionAsync("""
            () => document.getAnimations().every(a => a.playState !== 'running' || a.effect?.getComputedTiming().endTime === Infinity)
            """, null, new() { PollingInterval = 50 });

    private sealed class CircuitTraffic
    {
        public long Frames;
        public long LastFrame = Stopwatch.GetTimestamp();
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IPage, CircuitTraffic> Traffic = new();

    /// <summary>Counts the frames the server sends on the page's circuit (its WebSocket), for <see cref="WaitForRenderAsync"/>.</summary>
    internal static void TrackCircuit(IPage page)
    {
        var traffic = Traffic.GetOrCreateValue(page);
        page.WebSocket += (_, socket) => socket.FrameReceived += (_, _) =>
        {
            Interlocked.Exchange(ref traffic.LastFrame, Stopwatch.GetTimestamp());
            Interlocked.Increment(ref traffic.Frames);
        };
    }

    /// <summary>
    /// After the server finished handling an event: waits for the render it sends (a frame, then 100 ms of quiet), or 300 ms
    /// without any frame, which means the event changed nothing on the page.
    /// </summary>
    public static async Task WaitForRenderAsync(this IPage page)
    {
        if (!Traffic.TryGetValue(page, out var traffic)) return;
        var frames = Interlocked.Read(ref traffic.Frames);
        var started = Stopwatch.GetTimestamp();
        while (Interlocked.Read(ref traffic.Frames) == frames && Stopwatch.GetElapsedTime(started) < TimeSpan.FromMilliseconds(300))
            await Task.Delay(10);
        if (Interlocked.Read(ref traffic.Frames) == frames) return;
        started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(Interlocked.Read(ref traffic.LastFrame)) < TimeSpan.FromMilliseconds(100) && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(3))
            await Task.Delay(10);
    }

    /// <summary>Waits until the server circuit has taken over the prerendered page, so typed input is not lost.</summary>
    public static Task WaitForInteractiveAsync(this IPage page) =>
        page.Locator("[data-interactive=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });

    /// <summary>Opens a page and waits until it is interactive.</summary>
    public static async Task OpenAsync(this IPage page, string url)
    {
        await page.GotoAsync(url);
        await page.WaitForInteractiveAsync();
    }
}
