using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CommunityApp.Bench.Circuits;

/// <summary>
/// <c>./bench.sh circuits 1000 5000 10000</c>: N real circuits held on one server process, for CommunityApp's community
/// home (signed in as the demo's ana) and for the Blazor template with MudBlazor (CommunityApp.Bench/Baseline), measured
/// the same way in the same run. Each app runs as its own Release process (Production, server GC as shipped); the bench
/// reads its CPU time and working set from /proc and its live managed heap after a full GC from <c>/_bench/heap</c>
/// (mapped only under <c>Bench:Diagnostics</c>). Circuits are added up to each N in parallel batches; at each N:
/// CPU per circuit start (GET of the prerendered page + negotiate + circuit start + first renders, divided by the starts),
/// idle CPU over a quiet window, heap and working set per circuit above the warmed-up empty server, and click → render
/// latency with every circuit clicking once at a steady rate.
/// </summary>
public static partial class CircuitBench
{
    /// <param name="Clicks">How many of the held circuits click once at each N (spread over all of them), at <paramref name="ClicksPerSecond"/>.</param>
    /// <param name="Dropped">
    /// After the largest N, how many circuits lose their connection as a phone losing its network does (no disconnect
    /// beacon): the server keeps up to <c>CircuitOptions.DisconnectedCircuitMaxRetained</c> of them for the retention
    /// period, in case the tab reconnects, and disposes the rest; the heap before and after says what that costs.
    /// </param>
    /// <param name="Paused">Then how many of the still connected circuits pause and resume (<see cref="PauseRow"/>).</param>
    public sealed record Options(int[] Sizes, int Parallelism = 16, int Clicks = 1_000, double ClicksPerSecond = 100, int IdleSeconds = 20, string[]? Apps = null,
        int Dropped = 1_000, int Paused = 1_000);

    public sealed record Row(string App, int Circuits, double HeapKb, double WorkingSetKb, double CpuMsPerStart, double IdlePercentPer1000,
        double ClickP50, double ClickP95, int Failures, double StartSeconds);

    /// <summary>
    /// <see cref="Options.Dropped"/> circuits dropped at once from <see cref="Held"/>: the heap each one still holds once the
    /// server has noticed (a full GC), as a share of a held circuit's, and the CPU the server spent on the drops.
    /// </summary>
    public sealed record DropRow(string App, int Held, int Dropped, double HeapKbPerHeld, double HeapKbKeptPerDropped, double CpuMsPerDrop);

    /// <summary>
    /// As many circuits paused as .NET 10's <c>Blazor.pauseCircuit()</c> pauses one (the server persists the root
    /// components and their state, sends them to the browser, and disposes the circuit), then resumed: the heap a paused
    /// circuit still holds, the state the browser keeps, the CPU of each step and the time from resume to the page's button.
    /// </summary>
    public sealed record PauseRow(string App, int Held, int Paused, double HeapKbPerHeld, double HeapKbKeptPerPaused, double StateBytes,
        double CpuMsPerPause, double CpuMsPerResume, double ResumeP50, double ResumeP95, int Failures);

    public static async Task RunAsync(string postgresServer, Options options)
    {
        ThreadPool.SetMinThreads(64, 64);
        Console.WriteLine($"Machine load before the run (1, 5, 15 min): {BenchDatabase.Load()}");
        var rows = new List<Row>();
        var drops = new List<DropRow>();
        var pauses = new List<PauseRow>();
        var apps = options.Apps ?? ["baseline", "community"];
        foreach (var app in apps)
        {
            var (measured, dropped, paused) = app switch
            {
                "baseline" => await MeasureAsync(Target.Baseline(), options),
                "community" => await MeasureCommunityAsync(postgresServer, options),
                _ => throw new ArgumentException($"Unknown app '{app}' (baseline, community)."),
            };
            rows.AddRange(measured);
            drops.AddRange(dropped);
            pauses.AddRange(paused);
        }
        Console.WriteLine($"Machine load after the run (1, 5, 15 min): {BenchDatabase.Load()}");
        Console.WriteLine();
        Console.WriteLine("| app | circuits | heap per circuit | working set per circuit | CPU per circuit start | idle CPU per 1,000 circuits | click → render p50 | p95 | failed |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            Console.WriteLine($"| {r.App} | {r.Circuits:N0} | {r.HeapKb:F0} KB | {r.WorkingSetKb:F0} KB | {r.CpuMsPerStart:F1} ms | {r.IdlePercentPer1000:F2} % of a core | {r.ClickP50:F1} ms | {r.ClickP95:F1} ms | {r.Failures} |");
        }
        if (drops.Count == 0) return;
        Console.WriteLine();
        Console.WriteLine("| app | circuits held | dropped at once | heap per held circuit | heap kept per dropped circuit | share kept | CPU per drop |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var d in drops)
        {
            Console.WriteLine($"| {d.App} | {d.Held:N0} | {d.Dropped:N0} | {d.HeapKbPerHeld:F0} KB | {d.HeapKbKeptPerDropped:F0} KB | {d.HeapKbKeptPerDropped / d.HeapKbPerHeld:P0} | {d.CpuMsPerDrop:F2} ms |");
        }
        if (pauses.Count == 0) return;
        Console.WriteLine();
        Console.WriteLine("| app | circuits held | paused | heap per held circuit | heap kept per paused circuit | state kept by the browser | CPU per pause | CPU per resume | resume → button p50 | p95 | failed |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var x in pauses)
        {
            Console.WriteLine($"| {x.App} | {x.Held:N0} | {x.Paused:N0} | {x.HeapKbPerHeld:F0} KB | {x.HeapKbKeptPerPaused:F1} KB | {x.StateBytes / 1024:F1} KB | {x.CpuMsPerPause:F2} ms | {x.CpuMsPerResume:F2} ms | {x.ResumeP50:F1} ms | {x.ResumeP95:F1} ms | {x.Failures} |");
        }
    }

    /// <summary>An app to measure: how to start its process, sign in, and which page and button.</summary>
    private sealed record Target
    {
        public required string Name { get; init; }
        public required string Dll { get; init; }
        public required Dictionary<string, string> Environment { get; init; }
        public required Func<HttpClient, Task<(string Cookie, string Page)>> SignInAsync { get; init; }
        public string ClickLabel { get; init; } = "Toggle navigation";

        public static Target Baseline() => new()
        {
            Name = "Blazor template + MudBlazor",
            Dll = Path.GetFullPath("CommunityApp.Bench/Baseline/bin/Release/net10.0/BlazorBaseline.dll"),
            Environment = [],
            SignInAsync = _ => Task.FromResult(("", "")),
        };

        public static async Task<Target> CommunityAsync(string postgresServer, string dll)
        {
            var connectionString = await BenchDatabase.CreateAsync(postgresServer, "bench_circuits");
            return new Target
            {
                Name = "CommunityApp, community home",
                Dll = dll,
                Environment = new()
                {
                    ["Database__Provider"] = "Postgres",
                    // The app's own pool settings, on the bench's database.
                    ["ConnectionStrings__Postgres"] = connectionString + ";Maximum Pool Size=50",
                    ["Database__MigrateOnStartup"] = "true",
                    ["Demo__Seed"] = "true",
                    ["Email__Enabled"] = "false",
                    ["App__PublicBaseUrl"] = "http://app.test/",
                    // One client address opens every circuit: the per-address limits and the connection limit are raised
                    // for the run (the defaults stay as they are).
                    ["RateLimits__CircuitStartsPerMinute"] = "1000000",
                    ["RateLimits__CircuitsPerClient"] = "1000000",
                    ["RateLimits__AccountFormsPerMinute"] = "1000",
                    ["RateLimits__MaxConnections"] = "100000",
                },
                SignInAsync = SignInAsAnaAsync,
            };
        }
    }

    /// <summary>
    /// The community home; COMMUNITYAPP_BENCH_APP_DLL measures other builds instead, one after another (comma-separated
    /// paths: copies of the output before and after a change, to compare them in one run).
    /// </summary>
    private static async Task<(List<Row>, List<DropRow>, List<PauseRow>)> MeasureCommunityAsync(string postgresServer, Options options)
    {
        var builds = System.Environment.GetEnvironmentVariable("COMMUNITYAPP_BENCH_APP_DLL")?.Split(',', StringSplitOptions.RemoveEmptyEntries)
                     ?? [Path.GetFullPath("CommunityApp/bin/Release/net10.0/CommunityApp.dll")];
        var rows = new List<Row>();
        var drops = new List<DropRow>();
        var pauses = new List<PauseRow>();
        foreach (var dll in builds)
        {
            var target = await Target.CommunityAsync(postgresServer, dll);
            if (builds.Length > 1) target = target with { Name = $"{target.Name} ({Path.GetFileName(Path.GetDirectoryName(dll))})" };
            var (measured, dropped, paused) = await MeasureAsync(target, options);
            rows.AddRange(measured);
            drops.AddRange(dropped);
            pauses.AddRange(paused);
        }
        return (rows, drops, pauses);
    }

    private static async Task<(List<Row>, List<DropRow>, List<PauseRow>)> MeasureAsync(Target target, Options options)
    {
        Console.WriteLine();
        Console.WriteLine($"== {target.Name}");
        await using var server = await ServerProcess.StartAsync(target);
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, MaxConnectionsPerServer = 64 })
        {
            BaseAddress = server.BaseUri,
            Timeout = TimeSpan.FromSeconds(120),
        };
        var (cookie, page) = await target.SignInAsync(http);
        Console.WriteLine($"  page /{page}, server pid {server.Pid}");

        // Warm-up: JIT and first-use caches, then the circuits are closed as a tab closes them.
        var warm = new List<CircuitClient>();
        for (var i = 0; i < 30; i++)
        {
            var client = new CircuitClient(server.BaseUri, cookie, target.ClickLabel);
            await client.StartAsync(http, page, TimeSpan.FromSeconds(60));
            await client.ClickAsync(TimeSpan.FromSeconds(30));
            warm.Add(client);
        }
        Console.WriteLine($"  JS calls on start: {string.Join(", ", warm[0].JsCalls.Distinct())}");
        foreach (var client in warm) await client.CloseAsync(http);
        await QuietAsync(server);
        var emptyHeap = await HeapAsync(http);
        var emptyWorkingSet = server.WorkingSet;
        var emptyIdle = await IdleShareAsync(server, options.IdleSeconds);
        Console.WriteLine($"  empty server: heap {emptyHeap / 1024.0 / 1024:F1} MB, working set {emptyWorkingSet / 1024.0 / 1024:F1} MB, idle {emptyIdle * 100:F2} % of a core");

        var circuits = new ConcurrentBag<CircuitClient>();
        var rows = new List<Row>();
        var drops = new List<DropRow>();
        var pauses = new List<PauseRow>();
        var failures = 0;
        try
        {
            foreach (var size in options.Sizes.Order())
            {
                var toStart = size - circuits.Count;
                var cpuBefore = server.CpuTime;
                var watch = Stopwatch.StartNew();
                var failedNow = 0;
                string? firstError = null;
                await Parallel.ForEachAsync(Enumerable.Range(0, toStart), new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism }, async (_, ct) =>
                {
                    var client = new CircuitClient(server.BaseUri, cookie, target.ClickLabel);
                    try
                    {
                        await client.StartAsync(http, page, TimeSpan.FromSeconds(90), ct);
                        circuits.Add(client);
                    }
                    catch (Exception ex)
                    {
                        Interlocked.Increment(ref failedNow);
                        Interlocked.CompareExchange(ref firstError, ex.GetType().Name + ": " + ex.Message, null);
                        await client.DisposeAsync();
                    }
                });
                var startSeconds = watch.Elapsed.TotalSeconds;
                var started = toStart - failedNow;
                var cpuPerStart = (server.CpuTime - cpuBefore).TotalMilliseconds / Math.Max(1, started);
                failures += failedNow;
                Console.WriteLine($"  {circuits.Count:N0} circuits: {started:N0} started in {startSeconds:F0} s ({started / startSeconds:F0}/s), {cpuPerStart:F1} ms CPU each" +
                                  (failedNow > 0 ? $", {failedNow} failed (first: {firstError})" : ""));

                // Quiet: the circuits idle (SignalR pings both ways every 15 s, MudBlazor's timers, whatever the page runs).
                // The empty server's own idle CPU is taken off, so the figure is what the circuits cost.
                await QuietAsync(server);
                var idleShare = await IdleShareAsync(server, options.IdleSeconds);
                var idlePer1000 = Math.Max(0, idleShare - emptyIdle) * 100 * 1000 / Math.Max(1, circuits.Count);

                var heap = await HeapAsync(http);
                var workingSet = server.WorkingSet;
                var heapKb = (heap - emptyHeap) / 1024.0 / circuits.Count;
                var workingSetKb = (workingSet - emptyWorkingSet) / 1024.0 / circuits.Count;

                // Circuits spread over all the held ones click once each, at a steady rate, while the others are held.
                var latencies = new ConcurrentBag<double>();
                var clickFailures = 0;
                string? firstClickError = null;
                var held = circuits.ToArray();
                var step = Math.Max(1, held.Length / Math.Max(1, options.Clicks));
                var all = held.Where((_, i) => i % step == 0).Take(options.Clicks).ToArray();
                var pacing = Stopwatch.StartNew();
                var clicks = new List<Task>(all.Length);
                for (var i = 0; i < all.Length; i++)
                {
                    var due = TimeSpan.FromSeconds(i / options.ClicksPerSecond);
                    if (due > pacing.Elapsed) await Task.Delay(due - pacing.Elapsed);
                    var client = all[i];
                    clicks.Add(Task.Run(async () =>
                    {
                        try { latencies.Add((await client.ClickAsync(TimeSpan.FromSeconds(30))).TotalMilliseconds); }
                        catch (Exception ex)
                        {
                            Interlocked.Increment(ref clickFailures);
                            Interlocked.CompareExchange(ref firstClickError, ex.GetType().Name + ": " + ex.Message, null);
                        }
                    }));
                }
                await Task.WhenAll(clicks);
                var sorted = latencies.Order().ToArray();
                double Percentile(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * p))];
                failures += clickFailures;
                Console.WriteLine($"  heap {heapKb:F0} KB and working set {workingSetKb:F0} KB per circuit; idle {idleShare * 100:F1} % of a core " +
                                  $"({idlePer1000:F2} % per 1,000); clicks p50 {Percentile(0.5):F1} ms, p95 {Percentile(0.95):F1} ms" +
                                  $" ({latencies.Count:N0} clicks at {options.ClicksPerSecond:F0}/s)" +
                                  (clickFailures > 0 ? $", {clickFailures} clicks failed (first: {firstClickError})" : ""));
                rows.Add(new Row(target.Name, circuits.Count, heapKb, workingSetKb, cpuPerStart, idlePer1000, Percentile(0.5), Percentile(0.95),
                    failedNow + clickFailures, startSeconds));
            }
            if (options.Dropped > 0 && circuits.Count > options.Dropped && rows.Count > 0)
            {
                drops.Add(await DropAsync(server, http, target, circuits, options.Dropped, emptyHeap));
            }
            if (options.Paused > 0 && rows.Count > 0)
            {
                pauses.Add(await PauseAndResumeAsync(server, http, target, circuits, options.Paused, rows[^1].HeapKb));
            }
        }
        finally
        {
            await Parallel.ForEachAsync(circuits, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (c, _) => await c.DisposeAsync());
        }
        return (rows, drops, pauses);
    }

    /// <summary>
    /// Pauses <paramref name="count"/> of the connected circuits as <c>Blazor.pauseCircuit()</c> does, compares the heap
    /// with theirs when held, then resumes them all, 16 at a time, timing each from its <c>ResumeCircuit</c> to its button.
    /// </summary>
    /// <param name="perHeld">A held circuit's heap, in KB, from the largest N's row: the heap's drop over the pauses is compared with it.</param>
    private static async Task<PauseRow> PauseAndResumeAsync(ServerProcess server, HttpClient http, Target target, ConcurrentBag<CircuitClient> circuits,
        int count, double perHeld)
    {
        var connected = circuits.Where(c => c.Connected).ToArray();
        var held = connected.Length;
        var heapBefore = await HeapAsync(http);
        var chosen = connected.Take(count).ToArray();
        var failures = 0;
        string? firstError = null;
        long stateBytes = 0;
        var cpuBefore = server.CpuTime;
        var paused = new ConcurrentBag<CircuitClient>();
        await Parallel.ForEachAsync(chosen, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (c, _) =>
        {
            try
            {
                Interlocked.Add(ref stateBytes, await c.PauseAsync(TimeSpan.FromSeconds(60)));
                paused.Add(c);
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref failures);
                Interlocked.CompareExchange(ref firstError, ex.GetType().Name + ": " + ex.Message, null);
            }
        });
        await QuietAsync(server);
        var cpuPerPause = (server.CpuTime - cpuBefore).TotalMilliseconds / Math.Max(1, paused.Count);
        var heapPaused = await HeapAsync(http);
        var keptPerPaused = perHeld - (heapBefore - heapPaused) / 1024.0 / Math.Max(1, paused.Count);
        var stateAverage = (double)stateBytes / Math.Max(1, paused.Count);
        Console.WriteLine($"  {paused.Count:N0} of {held:N0} circuits paused: {keptPerPaused:F1} KB kept per paused circuit ({perHeld:F0} KB held), " +
                          $"{stateAverage / 1024:F1} KB of state kept by the browser, {cpuPerPause:F2} ms CPU per pause" +
                          (failures > 0 ? $", {failures} failed (first: {firstError})" : ""));

        var latencies = new ConcurrentBag<double>();
        cpuBefore = server.CpuTime;
        await Parallel.ForEachAsync(paused, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (c, ct) =>
        {
            try { latencies.Add((await c.ResumeAsync(TimeSpan.FromSeconds(60), ct)).TotalMilliseconds); }
            catch (Exception ex)
            {
                Interlocked.Increment(ref failures);
                Interlocked.CompareExchange(ref firstError, ex.GetType().Name + ": " + ex.Message, null);
            }
        });
        var cpuPerResume = (server.CpuTime - cpuBefore).TotalMilliseconds / Math.Max(1, latencies.Count);
        var sorted = latencies.Order().ToArray();
        double Percentile(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * p))];
        Console.WriteLine($"  {latencies.Count:N0} resumed: {cpuPerResume:F2} ms CPU each, resume → button p50 {Percentile(0.5):F1} ms, p95 {Percentile(0.95):F1} ms" +
                          (failures > 0 ? $", {failures} failed (first: {firstError})" : ""));
        return new PauseRow(target.Name, held, paused.Count, perHeld, keptPerPaused, stateAverage, cpuPerPause, cpuPerResume, Percentile(0.5), Percentile(0.95), failures);
    }

    /// <summary>
    /// Drops <paramref name="count"/> of the held circuits at once without the disconnect beacon (the WebSocket closes, as
    /// when a phone loses its network), waits for the server to settle, and compares the heap with the held circuits'.
    /// </summary>
    private static async Task<DropRow> DropAsync(ServerProcess server, HttpClient http, Target target, ConcurrentBag<CircuitClient> circuits, int count,
        long emptyHeap)
    {
        var held = circuits.Count;
        var heapHeld = await HeapAsync(http);
        var perHeld = (heapHeld - emptyHeap) / 1024.0 / held;
        var dropped = circuits.Take(count).ToArray();
        var cpuBefore = server.CpuTime;
        await Parallel.ForEachAsync(dropped, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (c, _) => await c.DisposeAsync());
        await QuietAsync(server);
        var cpuPerDrop = (server.CpuTime - cpuBefore).TotalMilliseconds / count;
        var heapAfter = await HeapAsync(http);
        // What the dropped circuits still hold: the heap above what the circuits still connected hold.
        var keptPerDropped = (heapAfter - emptyHeap - perHeld * 1024 * (held - count)) / 1024.0 / count;
        Console.WriteLine($"  {count:N0} of {held:N0} circuits dropped without the beacon: {keptPerDropped:F0} KB kept per dropped circuit " +
                          $"({keptPerDropped / perHeld:P0} of a held one's {perHeld:F0} KB), {cpuPerDrop:F2} ms CPU per drop");
        return new DropRow(target.Name, held, count, perHeld, keptPerDropped, cpuPerDrop);
    }

    /// <summary>
    /// Waits until the server's CPU settles after a burst (the runtime's tiered JIT recompiles hot methods for a while, and
    /// late renders finish): 5 s windows until two in a row differ by less than 1 % of a core, at most a minute.
    /// </summary>
    private static async Task QuietAsync(ServerProcess server)
    {
        var previous = double.MaxValue;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromMinutes(1))
        {
            var share = await IdleShareAsync(server, 5);
            if (Math.Abs(share - previous) < 0.01) return;
            previous = share;
        }
    }

    /// <summary>The server's CPU over a quiet window, as a share of one core.</summary>
    private static async Task<double> IdleShareAsync(ServerProcess server, int seconds)
    {
        var before = server.CpuTime;
        var watch = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        return (server.CpuTime - before).TotalSeconds / watch.Elapsed.TotalSeconds;
    }

    private static async Task<long> HeapAsync(HttpClient http)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync("_bench/heap"));
        return doc.RootElement.GetProperty("heap").GetInt64();
    }

    /// <summary>Signs in as the demo's ana through the sign-in form (its antiforgery token and cookie) and finds her community's home.</summary>
    private static async Task<(string Cookie, string Page)> SignInAsAnaAsync(HttpClient http)
    {
        var cookies = new Dictionary<string, string>();
        string Header() => string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}"));
        void Keep(HttpResponseMessage response)
        {
            if (!response.Headers.TryGetValues("Set-Cookie", out var values)) return;
            foreach (var value in values)
            {
                var pair = value.Split(';', 2)[0].Split('=', 2);
                cookies[pair[0]] = pair[1];
            }
        }

        using var form = await http.GetAsync("Account/Login");
        form.EnsureSuccessStatusCode();
        Keep(form);
        var token = Token().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
        using var post = new HttpRequestMessage(HttpMethod.Post, "Account/Login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Input.Login"] = "ana",
                ["Input.Password"] = CommunityApp.Features.Demo.DemoSeeder.Password,
                ["_handler"] = "login",
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            }),
        };
        post.Headers.Add("Cookie", Header());
        using var signedIn = await http.SendAsync(post);
        Keep(signedIn);
        if (signedIn.StatusCode != HttpStatusCode.Redirect || !cookies.Keys.Any(k => k.Contains("Identity", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"Signing in as ana failed: {(int)signedIn.StatusCode} {await signedIn.Content.ReadAsStringAsync()}");
        }
        using var list = new HttpRequestMessage(HttpMethod.Get, "communities");
        list.Headers.Add("Cookie", Header());
        using var communities = await http.SendAsync(list);
        var id = CommunityLink().Match(await communities.Content.ReadAsStringAsync());
        if (!id.Success) throw new InvalidOperationException("ana's community list shows no community.");
        return (Header(), $"c/{id.Groups[1].Value}");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [GeneratedRegex("/c/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")]
    private static partial Regex CommunityLink();

    /// <summary>The app as its own process on a free loopback port; its CPU time and working set from /proc.</summary>
    private sealed class ServerProcess : IAsyncDisposable
    {
        private readonly Process process;
        private readonly StreamWriter log;

        private ServerProcess(Process process, Uri baseUri, StreamWriter log)
        {
            this.process = process;
            BaseUri = baseUri;
            this.log = log;
        }

        public Uri BaseUri { get; }
        public int Pid => process.Id;

        public TimeSpan CpuTime
        {
            get
            {
                process.Refresh();
                return process.TotalProcessorTime;
            }
        }

        public long WorkingSet
        {
            get
            {
                process.Refresh();
                return process.WorkingSet64;
            }
        }

        public static async Task<ServerProcess> StartAsync(Target target)
        {
            if (!File.Exists(target.Dll)) throw new InvalidOperationException($"{target.Dll} is missing: ./bench.sh builds it.");
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var baseUri = new Uri($"http://127.0.0.1:{port}/");
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = Path.GetDirectoryName(target.Dll)!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(target.Dll);
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["ASPNETCORE_URLS"] = baseUri.ToString().TrimEnd('/');
            start.Environment["Bench__Diagnostics"] = "true";
            if (System.Environment.GetEnvironmentVariable("BENCH_DETAILED_ERRORS") == "1") start.Environment["DetailedErrors"] = "true";
            foreach (var (key, value) in target.Environment) start.Environment[key] = value;
            var logPath = Path.Combine(Path.GetTempPath(), $"bench-circuits-{Path.GetFileNameWithoutExtension(target.Dll)}.log");
            var log = new StreamWriter(logPath) { AutoFlush = true };
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new ServerProcess(process, baseUri, log);
            try
            {
                using var probe = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(5) };
                var deadline = Stopwatch.StartNew();
                while (true)
                {
                    if (process.HasExited) throw new InvalidOperationException($"{target.Name} exited at start-up; see {logPath}.");
                    try
                    {
                        if ((await probe.GetAsync("_bench/heap")).IsSuccessStatusCode) break;
                    }
                    catch (HttpRequestException) { }
                    catch (TaskCanceledException) { }
                    if (deadline.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"{target.Name} did not answer; see {logPath}.");
                    await Task.Delay(500);
                }
            }
            catch
            {
                // A server that never answered is not left running.
                await server.DisposeAsync();
                throw;
            }
            Console.WriteLine($"  server log: {logPath}");
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            process.Dispose();
            lock (log) log.Dispose();
        }
    }
}
