using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace CommunityApp.Bench.Circuits;

/// <summary>
/// One Blazor Server circuit opened the way blazor.web.js (.NET 10) opens it for a Blazor Web App, without a browser:
/// GET the page (its prerendered HTML carries the <c>&lt;!--Blazor:{…}--&gt;</c> markers of the interactive root
/// components and the persisted component state), connect to <c>/_blazor</c> over WebSockets with the "blazorpack"
/// protocol, <c>StartCircuit</c> with no components, then <c>UpdateRootComponents</c> adding each marker. Every render
/// batch is acknowledged (<c>OnRenderCompleted</c>), every JS interop call with a handle is answered
/// (<c>EndInvokeJSFromDotNet</c>), and a click goes where the browser sends it: <c>DispatchEventAsync</c> on the web
/// renderer's .NET object, through <c>BeginInvokeDotNetFromJS</c>.
/// </summary>
public sealed partial class CircuitClient : IAsyncDisposable
{
    private readonly Uri baseUri;
    private readonly string cookieHeader;
    private readonly string clickLabel;
    private readonly object gate = new();
    private HubConnection? connection;
    private long rendererObjectId;
    private ulong clickHandler;
    private int clickComponent = -1;
    private long batches;
    private long callIds;
    private TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<long>? nextBatch;
    private Uri? pageUri;
    private TaskCompletionSource<(string Components, string State)>? paused;
    private (string Components, string State)? pausedState;

    /// <param name="baseUri">The app's base address, ending in "/".</param>
    /// <param name="cookieHeader">The Cookie header of a signed-in session ("" for none).</param>
    /// <param name="clickLabel">The aria-label of the button <see cref="ClickAsync"/> clicks.</param>
    public CircuitClient(Uri baseUri, string cookieHeader, string clickLabel)
    {
        this.baseUri = baseUri;
        this.cookieHeader = cookieHeader;
        this.clickLabel = clickLabel;
    }

    /// <summary>
    /// The negotiate requests of every circuit go through one connection pool, as a browser's tabs share its keep-alive
    /// connections to a site. SignalR's client otherwise builds an HttpClient per connection, and each left an idle
    /// keep-alive connection open on the server beside its WebSocket: memory the benchmark counted per circuit (for the
    /// template as for the app) that no browser tab costs.
    /// </summary>
    private static readonly SocketsHttpHandler NegotiatePool = new() { UseCookies = false, MaxConnectionsPerServer = 64 };

    /// <summary>Lends <see cref="NegotiatePool"/> to one connection: disposing the connection's HttpClient leaves the pool open.</summary>
    private sealed class SharedNegotiatePool() : DelegatingHandler(NegotiatePool)
    {
        protected override void Dispose(bool disposing) { }
    }

    /// <summary>BENCH_TRACE=1 prints what each render batch carries.</summary>
    private static readonly bool Trace = Environment.GetEnvironmentVariable("BENCH_TRACE") == "1";

    public string? CircuitId { get; private set; }
    /// <summary>Whether the circuit has a connection: false once dropped, paused or closed.</summary>
    public bool Connected => connection is not null;
    /// <summary>The first error the server reported (<c>JS.Error</c>, a failed JS answer, a closed connection), if any.</summary>
    public string? Error { get; private set; }
    public long RenderBatches => Interlocked.Read(ref batches);
    /// <summary>JS interop identifiers the server called, for a reader who wants to see what the page asks of the browser.</summary>
    public List<string> JsCalls { get; } = [];

    /// <summary>When set (before starting), every string the render batches carried is kept in <see cref="Strings"/>.</summary>
    public bool KeepStrings { get; init; }
    /// <summary>The strings the render batches carried, when <see cref="KeepStrings"/>.</summary>
    public HashSet<string> Strings { get; } = [];

    /// <summary>
    /// Opens the circuit on <paramref name="page"/> (relative) and waits until its button to click has rendered;
    /// <paramref name="afterPrerender"/> runs between the prerendered page's arrival and the circuit's start.
    /// </summary>
    public async Task StartAsync(HttpClient http, string page, TimeSpan timeout, CancellationToken ct = default, Func<Task>? afterPrerender = null)
    {
        var pageUri = new Uri(baseUri, page);
        using var request = new HttpRequestMessage(HttpMethod.Get, pageUri);
        if (cookieHeader.Length > 0) request.Headers.Add("Cookie", cookieHeader);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        var html = await response.Content.ReadAsStringAsync(ct);
        var markers = Markers(html);
        if (markers.Count == 0) throw new InvalidOperationException($"{page} carries no interactive server component marker.");
        var state = ServerState().Match(html) is { Success: true } m ? m.Groups[1].Value : "";
        if (afterPrerender is not null) await afterPrerender();

        connection = await ConnectAsync(ct);
        this.pageUri = pageUri;
        CircuitId = await connection.InvokeAsync<string?>("StartCircuit", baseUri.ToString(), pageUri.ToString(), "[]", state, ct)
                    ?? throw new InvalidOperationException("The server refused to start the circuit.");
        var operations = markers.Select((marker, i) => new { type = "add", ssrComponentId = i + 1, marker }).ToArray();
        await connection.SendAsync("UpdateRootComponents", JsonSerializer.Serialize(new { batchId = 1, operations }), state, ct);
        await UntilReadyAsync(page, timeout, ct);
    }

    private async Task UntilReadyAsync(string page, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await ready.Task.WaitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            string[] calls;
            lock (JsCalls) calls = [.. JsCalls];
            throw new TimeoutException($"The circuit on {page} did not become ready in {timeout.TotalSeconds:0} s: {RenderBatches} render batches, " +
                $"renderer object {rendererObjectId}, '{clickLabel}' handler {clickHandler}, JS calls [{string.Join(", ", calls)}], error {Error ?? "none"}.");
        }
    }

    /// <summary>A started connection to <c>/_blazor</c> with the handlers a browser's blazor.web.js registers.</summary>
    private async Task<HubConnection> ConnectAsync(CancellationToken ct)
    {
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(baseUri, "_blazor"), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.HttpMessageHandlerFactory = _ => new SharedNegotiatePool();
                if (cookieHeader.Length > 0) options.Headers["Cookie"] = cookieHeader;
            })
            .AddBlazorPack()
            .Build();
        // The server pings every 15 s; blazor.web.js waits 30 s, as the .NET client does by default.
        hub.On<long, byte[]>("JS.RenderBatch", OnRenderBatchAsync);
        // .NET 10: the handle, the identifier, the arguments, the result type, the target instance and the call type.
        hub.On<long, string, string, int, long, int>("JS.BeginInvokeJS", OnBeginInvokeJSAsync);
        hub.On<string>("JS.Error", error => Fail("JS.Error: " + error));
        hub.On<string, bool, string>("JS.EndInvokeDotNet", (_, success, result) =>
        {
            if (!success) Fail("JS.EndInvokeDotNet failed: " + result);
        });
        // A pause (.NET 10): the server sends the circuit's root components and state for the browser to keep.
        hub.On<string, string, string, bool>("JS.SavePersistedState", (circuitId, components, state) =>
        {
            paused?.TrySetResult((components, state));
            return true;
        });
        hub.Closed += error =>
        {
            // Only the current connection's end is a failure: a paused circuit's connection is closed on purpose.
            if (ReferenceEquals(connection, hub)) Fail("connection closed" + (error is null ? "" : ": " + error.Message));
            return Task.CompletedTask;
        };
        await hub.StartAsync(ct);
        return hub;
    }

    /// <summary>
    /// Pauses the circuit as <c>Blazor.pauseCircuit()</c> does (.NET 10): the server persists its root components and
    /// their <c>[PersistentState]</c>, disposes it and sends the state here; the connection then closes. Returns the
    /// size of the state kept in the browser.
    /// </summary>
    public async Task<int> PauseAsync(TimeSpan timeout)
    {
        paused = new TaskCompletionSource<(string, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!await connection!.InvokeAsync<bool>("PauseCircuit")) throw new InvalidOperationException("The server refused to pause the circuit.");
        var (components, state) = await paused.Task.WaitAsync(timeout);
        pausedState = (components, state);
        if (Trace) Console.WriteLine($"paused: components {components[..Math.Min(600, components.Length)]}; state {state.Length} chars");
        await DisposeAsync();
        return components.Length + state.Length;
    }

    /// <summary>Resumes a paused circuit as blazor.web.js does (<c>ResumeCircuit</c> with the kept state) and waits until its button is back.</summary>
    public async Task<TimeSpan> ResumeAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var (components, state) = pausedState ?? throw new InvalidOperationException("The circuit is not paused.");
        var watch = Stopwatch.StartNew();
        lock (gate)
        {
            ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (rendererObjectId, clickHandler, clickComponent, Error) = (0, 0, -1, null);
        }
        connection = await ConnectAsync(ct);
        CircuitId = await connection.InvokeAsync<string?>("ResumeCircuit", CircuitId, baseUri.ToString(), pageUri!.ToString(), components, state, ct)
                    ?? throw new InvalidOperationException("The server refused to resume the circuit.");
        pausedState = null;
        // The browser then adds the persisted root components back (its component manager's reload): one "add" per
        // component, each with the marker the server persisted for it.
        using (var persisted = JsonDocument.Parse(components))
        {
            var operations = persisted.RootElement.EnumerateObject().Select(c => new
            {
                type = "add",
                ssrComponentId = int.Parse(c.Name, System.Globalization.CultureInfo.InvariantCulture),
                marker = new
                {
                    type = c.Value.GetProperty("Type").GetString(),
                    prerenderId = c.Value.GetProperty("PrerenderId").GetString(),
                    key = new
                    {
                        locationHash = c.Value.GetProperty("Key").GetProperty("LocationHash").GetString(),
                        formattedComponentKey = c.Value.GetProperty("Key").GetProperty("FormattedComponentKey").GetString(),
                    },
                    sequence = c.Value.GetProperty("Sequence").GetInt32(),
                    descriptor = c.Value.GetProperty("Descriptor").GetString(),
                },
            }).ToArray();
            await connection.SendAsync("UpdateRootComponents", JsonSerializer.Serialize(new { batchId = 1, operations }), "", ct);
        }
        await UntilReadyAsync(pageUri.ToString(), timeout, ct);
        return watch.Elapsed;
    }

    /// <summary>Clicks the button and returns the time until the next render batch arrives.</summary>
    public async Task<TimeSpan> ClickAsync(TimeSpan timeout)
    {
        ulong handler;
        var batch = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            handler = clickHandler;
            nextBatch = batch;
        }
        if (handler == 0 || rendererObjectId == 0) throw new InvalidOperationException($"No '{clickLabel}' button to click. {Error}");
        var descriptor = $$"""{"eventHandlerId":{{handler}},"eventName":"click","eventFieldInfo":null}""";
        const string mouse = """{"detail":1,"screenX":0,"screenY":0,"clientX":0,"clientY":0,"offsetX":0,"offsetY":0,"pageX":0,"pageY":0,"movementX":0,"movementY":0,"button":0,"buttons":0,"ctrlKey":false,"shiftKey":false,"altKey":false,"metaKey":false,"type":"click"}""";
        var watch = Stopwatch.StartNew();
        await connection!.SendAsync("BeginInvokeDotNetFromJS", Interlocked.Increment(ref callIds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            null, "DispatchEventAsync", rendererObjectId, $"[{descriptor},{mouse}]");
        await batch.Task.WaitAsync(timeout);
        return watch.Elapsed;
    }

    /// <summary>Closes the circuit as a closing tab does: the disconnect beacon ends it on the server at once, then the connection closes.</summary>
    public async Task CloseAsync(HttpClient http)
    {
        if (CircuitId is not null)
        {
            using var beacon = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, "_blazor/disconnect"))
            {
                Content = new FormUrlEncodedContent([new("circuitId", CircuitId)]),
            };
            if (cookieHeader.Length > 0) beacon.Headers.Add("Cookie", cookieHeader);
            try { using var _ = await http.SendAsync(beacon); } catch (HttpRequestException) { }
        }
        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is not null)
        {
            var c = connection;
            connection = null;
            await c.DisposeAsync();
        }
    }

    private async Task OnRenderBatchAsync(long batchId, byte[] data)
    {
        Interlocked.Increment(ref batches);
        TaskCompletionSource<long>? waiting;
        lock (gate)
        {
            try
            {
                // The button is found where its component inserts it; when that component re-renders, a SetAttribute edit
                // in its diff carries the button's new handler id (the old one is disposed in the same batch).
                var reader = new RenderBatchReader(data);
                if (KeepStrings) Strings.UnionWith(reader.Strings());
                foreach (var (componentId, type, frame) in reader.Edits())
                {
                    if (type == RenderBatchReader.PrependFrame)
                    {
                        foreach (var element in reader.ElementsFrom(frame))
                        {
                            if (element.Attributes.GetValueOrDefault("aria-label") == clickLabel && element.Handlers.TryGetValue("onclick", out var id))
                            {
                                clickComponent = componentId;
                                clickHandler = id;
                            }
                        }
                    }
                    else if (type == RenderBatchReader.SetAttribute && componentId == clickComponent && reader.IsAttribute(frame) &&
                             reader.AttributeName(frame) == "onclick" && reader.AttributeHandler(frame) is var handler and not 0)
                    {
                        clickHandler = handler;
                    }
                }
                var disposed = reader.DisposedHandlers();
                if (clickHandler != 0 && disposed.Contains(clickHandler)) clickHandler = 0;
                if (Trace) Console.WriteLine($"batch {batchId}: {data.Length} bytes, click handler {clickHandler} of component {clickComponent}, disposed [{string.Join(",", disposed)}]");
            }
            catch (Exception ex) when (ex is ArgumentOutOfRangeException or IndexOutOfRangeException)
            {
                Fail("unreadable render batch: " + ex.Message);
            }
            waiting = nextBatch;
            nextBatch = null;
        }
        if (connection is { } c) await c.SendAsync("OnRenderCompleted", batchId, null);
        waiting?.TrySetResult(batchId);
        CheckReady();
    }

    private async Task OnBeginInvokeJSAsync(long asyncHandle, string identifier, string argsJson, int resultType, long targetInstanceId, int callType)
    {
        lock (JsCalls) JsCalls.Add(identifier);
        if (identifier == "Blazor._internal.attachWebRendererInterop" && DotNetObject().Match(argsJson) is { Success: true } m)
        {
            rendererObjectId = long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            CheckReady();
        }
        if (asyncHandle == 0 || connection is not { } c) return;
        // What a browser would answer where the caller reads the result; null (undefined) for the rest.
        var result = JsAnswers.TryGetValue(identifier, out var answer) ? answer : "null";
        await c.SendAsync("EndInvokeJSFromDotNet", asyncHandle, true, $"[{asyncHandle},true,{result}]");
    }

    /// <summary>JS calls whose result the .NET side reads, answered as a 1280×800 desktop browser would.</summary>
    private static readonly Dictionary<string, string> JsAnswers = new()
    {
        ["window.hasOwnProperty"] = "true",
        ["Blazor._internal.PageTitle.getAndRemoveExistingTitle"] = "\"\"",
        ["mudResizeListener.getBreakpoint"] = "4",
        ["mudResizeListenerFactory.getBreakpoint"] = "4",
        ["mudResizeListener.matchMedia"] = "true",
        ["mudResizeListenerFactory.matchMedia"] = "true",
        ["mudResizeListener.getBrowserWindowSize"] = """{"height":800,"width":1280}""",
        ["mudResizeListenerFactory.listenForResize"] = "null",
        ["mudResizeObserver.connect"] = "[]",
        ["mudKeyInterceptor.connect"] = "null",
        ["mudPopover.initialize"] = "null",
        ["mudElementRef.getBoundingClientRect"] = """{"top":0,"left":0,"width":100,"height":40,"x":0,"y":0,"bottom":40,"right":100,"scrollX":0,"scrollY":0,"windowHeight":800,"windowWidth":1280}""",
        ["mudpopoverHelper.countProviders"] = "1",
        ["mudPopover.countProviders"] = "1",
        ["mudThemeProvider.watchDarkThemeMedia"] = "null",
        ["darkModeChange"] = "false",
    };

    private void CheckReady()
    {
        lock (gate)
        {
            if (clickHandler != 0 && rendererObjectId != 0) ready.TrySetResult();
        }
    }

    private void Fail(string error)
    {
        Error ??= error;
        ready.TrySetException(new InvalidOperationException(error));
        lock (gate) nextBatch?.TrySetException(new InvalidOperationException(error));
    }

    /// <summary>The start markers of the interactive server root components, in document order (as discoverComponents sorts them, by sequence).</summary>
    public static List<JsonElement> Markers(string html) =>
        [.. Marker().Matches(html)
            .Select(m => JsonDocument.Parse(m.Groups[1].Value).RootElement.Clone())
            .Where(e => e.TryGetProperty("type", out var type) && type.GetString() == "server" && e.TryGetProperty("descriptor", out _))
            .OrderBy(e => e.GetProperty("sequence").GetInt32())];

    [GeneratedRegex(@"<!--Blazor:(\{.*?\})-->", RegexOptions.Singleline)]
    private static partial Regex Marker();

    [GeneratedRegex(@"<!--Blazor-Server-Component-State:([A-Za-z0-9+/=]+)-->")]
    private static partial Regex ServerState();

    [GeneratedRegex(@"""__dotNetObject""\s*:\s*(\d+)")]
    private static partial Regex DotNetObject();
}

public static class BlazorPackExtensions
{
    public static IHubConnectionBuilder AddBlazorPack(this IHubConnectionBuilder builder)
    {
        builder.Services.AddSingleton<IHubProtocol, BlazorPackHubProtocol>();
        return builder;
    }
}
