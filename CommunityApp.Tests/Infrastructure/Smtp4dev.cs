using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;

[assembly: AssemblyFixture(typeof(CommunityApp.Tests.Infrastructure.Smtp4dev.Shutdown))]

namespace CommunityApp.Tests.Infrastructure;

/// <summary>
/// A real SMTP server for the tests: the <c>Rnwood.Smtp4dev</c> dotnet tool from the repository's tool manifest
/// (<c>dotnet tool restore</c>, which ./test.sh runs), started on free loopback ports with an in-memory store. Use it as
/// a class fixture; tests read what arrived through its REST API (<c>/api/messages</c>) and tell their mails apart by
/// recipient, so one server serves every class of the run: the first fixture starts it (about 4 s of CPU), the process
/// exit stops it.
/// </summary>
public sealed class Smtp4dev : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Smtp4dev? shared;
    private Process? process;
    private string dataFolder = "";
    private readonly StringBuilder output = new();

    public string Host => "127.0.0.1";
    public int SmtpPort { get; private set; }
    public Uri ApiBase { get; private set; } = null!;
    private HttpClient Http { get; set; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Takes the run's server (starting it if this is the first fixture).</summary>
    public async ValueTask InitializeAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (shared is null || shared.process is null || shared.process.HasExited)
            {
                var server = new Smtp4dev();
                await server.StartAsync();
                shared = server;
            }
            SmtpPort = shared.SmtpPort;
            ApiBase = shared.ApiBase;
            Http = shared.Http;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The server stays up for the next class; <see cref="Shutdown"/> stops it at the end of the run.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Stops the run's server (if a class started one) once every test has run.</summary>
    public sealed class Shutdown : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Gate.WaitAsync();
            try
            {
                if (shared is not null) await shared.StopAsync();
                shared = null;
            }
            finally
            {
                Gate.Release();
            }
        }
    }

    /// <summary>The app settings that send the app's mail here (plain SMTP on loopback).</summary>
    public IEnumerable<KeyValuePair<string, string?>> AppSettings(string from = "CommunityApp <noreply@community.test>") =>
    [
        new("Email:Smtp:Host", Host),
        new("Email:Smtp:Port", SmtpPort.ToString()),
        new("Email:Smtp:Tls", "None"),
        new("Email:Smtp:From", from),
    ];

    private async Task StartAsync()
    {
        var root = RepositoryRoot();
        SmtpPort = AppFactory.FreePort();
        var webPort = AppFactory.FreePort();
        ApiBase = new Uri($"http://127.0.0.1:{webPort}/");
        dataFolder = Directory.CreateTempSubdirectory("communityapp-smtp4dev-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "tool", "run", "smtp4dev", "--",
                     $"--urls=http://127.0.0.1:{webPort}", $"--smtpport={SmtpPort}", "--bindaddress=127.0.0.1", "--hostname=127.0.0.1",
                     "--imapport=", "--pop3port=", "--db=", "--nousersettings", $"--baseappdatapath={dataFolder}", "--messagestokeep=1000",
                 })
        {
            start.ArgumentList.Add(arg);
        }
        process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet tool run smtp4dev.");
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Ready when the web API answers and the SMTP port accepts a connection; polled, with a generous limit for busy cores.
        var started = false;
        try
        {
            await Eventually.UntilAsync(async () => process.HasExited || (started = await ReadyAsync()), "smtp4dev to start", StartTimeout);
        }
        catch (TimeoutException)
        {
        }
        if (started) return;
        var exited = process.HasExited;
        await StopAsync();
        lock (output)
        {
            throw new InvalidOperationException(
                $"smtp4dev did not start within {StartTimeout.TotalSeconds:0} s (exited: {exited}). " +
                $"Run 'dotnet tool restore' in {root} first (./test.sh does).\n{output}");
        }
    }

    private async Task<bool> ReadyAsync()
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(ApiBase, "api/messages"));
            if (!response.IsSuccessStatusCode) return false;
            using var smtp = new TcpClient();
            await smtp.ConnectAsync(Host, SmtpPort);
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or TaskCanceledException)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<Smtp4devMessage>> MessagesAsync()
    {
        var page = await Http.GetFromJsonAsync<MessagePage>(new Uri(ApiBase, "api/messages?pageSize=1000"));
        return page?.Results ?? [];
    }

    /// <summary>Waits (polling the API) until a message to <paramref name="to"/> has arrived and returns it.</summary>
    public async Task<Smtp4devMessage> WaitForMessageToAsync(string to, TimeSpan? timeout = null)
    {
        Smtp4devMessage? match = null;
        await Eventually.UntilAsync(async () => (match = (await MessagesToAsync(to)).FirstOrDefault()) is not null,
            $"a mail to {to} in smtp4dev", timeout ?? TimeSpan.FromSeconds(20));
        return match!;
    }

    public async Task<IReadOnlyList<Smtp4devMessage>> MessagesToAsync(string to) =>
        (await MessagesAsync()).Where(m => m.To.Contains(to, StringComparer.OrdinalIgnoreCase)).ToList();

    /// <summary>The full message: its From header as sent (name and address) and its parts.</summary>
    public async Task<Smtp4devMessageDetail> DetailAsync(Guid id) =>
        (await Http.GetFromJsonAsync<Smtp4devMessageDetail>(new Uri(ApiBase, $"api/messages/{id}")))!;

    public Task<string> PlainTextAsync(Guid id) => Http.GetStringAsync(new Uri(ApiBase, $"api/messages/{id}/plaintext"));

    public Task<string> HtmlAsync(Guid id) => Http.GetStringAsync(new Uri(ApiBase, $"api/messages/{id}/html"));

    private async ValueTask StopAsync()
    {
        if (process is not null)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            process.Dispose();
            process = null;
        }
        Http.Dispose();
        if (Directory.Exists(dataFolder)) Directory.Delete(dataFolder, recursive: true);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, ".config", "dotnet-tools.json"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException(".config/dotnet-tools.json not found above " + AppContext.BaseDirectory);
    }

    private sealed record MessagePage(List<Smtp4devMessage> Results);
}

public sealed record Smtp4devMessage(Guid Id, string From, string[] To, string Subject, DateTime ReceivedDate);

public sealed record Smtp4devMessageDetail(Guid Id, string From, string[] To, string Subject, bool HasHtmlBody, bool HasPlainTextBody);
