using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CommunityApp.Tests.Infrastructure;

/// <summary>
/// The real app on its own PostgreSQL database. <see cref="StartKestrelAsync"/> serves it on a real
/// loopback port for the browser; otherwise it runs on the in-memory test server for HTTP tests.
/// Log lines are captured so a test can read what the app logged (in Development without SMTP, the mails it would send).
/// </summary>
public sealed class AppFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private string connectionString = "";

    /// <summary>
    /// Configuration for this app. Every test client comes from one address (loopback, or none on the test server), so the
    /// per-address limits are raised here: account forms, and new circuits (a browser test that loads 30 pages in a minute
    /// met a refused circuit and Blazor's error bar). The throttling tests set their own to meet them. In Development the
    /// static assets would be sent "no-cache" (for hot reload), so every page a browser test loads asked again for each
    /// stylesheet and script, through the app's whole pipeline; the test apps cache them as Production does (the
    /// fingerprinted ones for a year).
    /// </summary>
    public Dictionary<string, string?> Settings { get; } = new(DefaultSettings);

    private static readonly Dictionary<string, string?> DefaultSettings = new()
    {
        ["RateLimits:AccountFormsPerMinute"] = "1000",
        ["RateLimits:CircuitStartsPerMinute"] = "1000",
        ["RateLimits:ActionsPerMinute"] = "100000",
        ["EnableStaticAssetsDevelopmentCaching"] = "true",
    };

    /// <summary>Not started, and configured as every other default app is: it may be swapped for a shared one (<see cref="AppPool"/>).</summary>
    public bool HasDefaultConfiguration =>
        connectionString.Length == 0 && EnvironmentName == "Development" && Settings.Count == DefaultSettings.Count &&
        Settings.All(s => DefaultSettings.TryGetValue(s.Key, out var value) && value == s.Value);
    /// <summary>The environment and settings: apps with the same key are configured alike (<see cref="AppPool"/>).</summary>
    public string ConfigurationKey =>
        EnvironmentName + "\n" + string.Join("\n", Settings.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}"));

    /// <summary>The host environment; Development unless a test needs the production behaviour (mail by SMTP, for one).</summary>
    public string EnvironmentName { get; set; } = "Development";
    public ConcurrentQueue<string> Logs { get; } = new();
    private int actionsEnded;

    /// <summary>How many actions the one action path has finished (its debug line "Action … ended"), for a test that waits for a click's action.</summary>
    public int ActionsEnded => Volatile.Read(ref actionsEnded);

    /// <summary>What the app logged at Error or above, with the category and the exception.</summary>
    public ConcurrentQueue<string> Errors { get; } = new();
    /// <summary><c>App:PublicBaseUrl</c> outside Development unless <see cref="Settings"/> says otherwise.</summary>
    public const string ProductionPublicBaseUrl = "http://app.test/";
    public string BaseUrl { get; private set; } = "";
    /// <summary>This factory's own PostgreSQL database (another factory can be pointed at it through <see cref="Settings"/>).</summary>
    public string ConnectionString => connectionString;

    public async ValueTask InitializeAsync()
    {
        if (!sharesDatabase) connectionString = await TestDatabases.CreatePostgresAsync();
    }

    private bool sharesDatabase;

    /// <summary>
    /// Another instance of the app on this one's database (several instances on one PostgreSQL), with the same settings; it
    /// leaves the database to this one, which empties or drops it.
    /// </summary>
    public AppFactory SecondInstance()
    {
        var second = new AppFactory { connectionString = connectionString, sharesDatabase = true, EnvironmentName = EnvironmentName };
        foreach (var (key, value) in Settings) second.Settings[key] = value;
        return second;
    }

    /// <summary>Starts Kestrel on 127.0.0.1 (a given port, or a free one) and returns the base URL.</summary>
    public string StartKestrel(int port = 0)
    {
        // Started already (another test of the same class fixture): the same server.
        if (BaseUrl.Length > 0 && port == 0) return BaseUrl;
        UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = address.Replace("localhost", "127.0.0.1").TrimEnd('/');
        PageChecks.ServesAxe(BaseUrl);
        return BaseUrl;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        builder.UseSetting("Database:Provider", "Postgres");
        builder.UseSetting("ConnectionStrings:Postgres", connectionString);
        builder.UseSetting("Demo:Seed", "false");
        // Outside Development the app requires its public address; a test that means to leave it out sets it to null in Settings.
        if (EnvironmentName != "Development") builder.UseSetting("App:PublicBaseUrl", ProductionPublicBaseUrl);
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging
            .AddProvider(new CapturingLoggerProvider(Logs, Errors, () => Interlocked.Increment(ref actionsEnded)))
            .AddFilter<CapturingLoggerProvider>(ActionRunnerCategory, LogLevel.Debug));
        builder.ConfigureServices(services =>
        {
            services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
            // Identity's 100,000 PBKDF2 rounds cost a tenth of a core-second per registration and sign-in, which is what they are
            // for; the tests register hundreds of accounts and test sign-in, not the cost of guessing.
            services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1_000);
            services.AddSingleton<IStartupFilter, AxeScriptFilter>();
        });
    }

    /// <summary>
    /// Serves axe-core at <see cref="PageChecks.AxeScriptPath"/> ahead of the app's own pipeline, cached for good, so the
    /// browser fetches and compiles it once per context instead of being handed the source for every page checked.
    /// </summary>
    private sealed class AxeScriptFilter : IStartupFilter
    {
        private static readonly Lazy<byte[]> Script = new(() => System.Text.Encoding.UTF8.GetBytes(PageChecks.AxeScript));

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (http, nextMiddleware) =>
            {
                if (!HttpMethods.IsGet(http.Request.Method) || http.Request.Path != PageChecks.AxeScriptPath)
                {
                    await nextMiddleware(http);
                    return;
                }
                http.Response.ContentType = "text/javascript; charset=utf-8";
                http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
                http.Response.ContentLength = Script.Value.Length;
                await http.Response.Body.WriteAsync(Script.Value);
            });
            next(app);
        };
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (connectionString.Length > 0 && !sharesDatabase) await TestDatabases.RecycleAsync(connectionString);
    }

    /// <summary>
    /// Makes a started app look freshly started to the next test that borrows it (<see cref="AppPool"/>): its database emptied
    /// back to the template's state (the data-protection keys the running app holds excepted), its captured log lines, errors and
    /// action count cleared. False when the database could not be emptied at once; the app is then not to be reused.
    /// </summary>
    internal async Task<bool> ResetAsync()
    {
        if (!await TestDatabases.EmptyAsync(connectionString, keep: "data_protection_keys")) return false;
        Logs.Clear();
        Errors.Clear();
        Volatile.Write(ref actionsEnded, 0);
        return true;
    }

    private static readonly string ActionRunnerCategory = typeof(CommunityApp.Components.Shared.ActionRunner).FullName!;

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> sink, ConcurrentQueue<string> errors, Action actionEnded) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, sink, errors, categoryName == ActionRunnerCategory ? actionEnded : null);
        public void Dispose() { }
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> sink, ConcurrentQueue<string> errors, Action? actionEnded) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information || actionEnded is not null;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            if (logLevel < LogLevel.Information)
            {
                if (message.StartsWith("Action ", StringComparison.Ordinal) && message.Contains(" ended", StringComparison.Ordinal)) actionEnded?.Invoke();
                return;
            }
            sink.Enqueue(message);
            if (logLevel >= LogLevel.Error) errors.Enqueue($"{category}: {message} {exception}");
        }
    }
}
