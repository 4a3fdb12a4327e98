using System.Diagnostics;

namespace CommunityApp.Tests.Infrastructure;

/// <summary>
/// The built app as its own process (<c>dotnet CommunityApp.dll</c> from the test output, where the build copies it with its
/// appsettings), in Production on a free loopback port, for what only a real process shows: its exit code and its output.
/// </summary>
public static class AppProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string[] ErrorLines => StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        public override string ToString() => $"exit {ExitCode}\nstderr:\n{StandardError}\nstdout:\n{StandardOutput}";
    }

    /// <summary>Runs the app with <paramref name="settings"/> (as environment variables) until it exits; a process still running after the timeout is killed and fails the test.</summary>
    public static async Task<Result> RunUntilExitAsync(IReadOnlyDictionary<string, string> settings, TimeSpan? timeout = null)
    {
        var start = StartInfo(settings, out _);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet CommunityApp.dll.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"The app was still running after {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds:0} s: it started instead of refusing.\n{await output}");
        }
        return new Result(process.ExitCode, await output, await error);
    }

    private static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string> settings, out string baseUrl)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        baseUrl = $"http://127.0.0.1:{AppFactory.FreePort()}";
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CommunityApp.dll"));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = baseUrl;
        start.Environment["App__PublicBaseUrl"] = AppFactory.ProductionPublicBaseUrl;
        start.Environment["Email__Enabled"] = "false";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;
        return start;
    }

    /// <summary>Starts the app and waits until <c>/health</c> answers; <see cref="Running.TerminateAsync"/> sends it SIGTERM.</summary>
    public static async Task<Running> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var process = Process.Start(StartInfo(settings, out var baseUrl)) ?? throw new InvalidOperationException("Could not start dotnet CommunityApp.dll.");
        var running = new Running(process, baseUrl);
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.UntilAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"The app exited at start-up: {await running.ResultAsync()}");
            try { return (await http.GetAsync("/health")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }, "the app answering /health", TimeSpan.FromSeconds(60));
        return running;
    }

    /// <summary>A started app process; disposing kills it if it is still running.</summary>
    public sealed class Running : IAsyncDisposable
    {
        private readonly Process process;
        private readonly Task<string> output;
        private readonly Task<string> error;

        internal Running(Process process, string baseUrl)
        {
            this.process = process;
            BaseUrl = baseUrl;
            output = process.StandardOutput.ReadToEndAsync();
            error = process.StandardError.ReadToEndAsync();
        }

        public string BaseUrl { get; }

        /// <summary>SIGTERM, as <c>docker stop</c> or systemd sends it.</summary>
        public void Terminate()
        {
            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }

        /// <summary>Waits for the process to end (failing after <paramref name="timeout"/>) and returns its exit code and output.</summary>
        public async Task<Result> ResultAsync(TimeSpan? timeout = null)
        {
            using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(limit.Token);
            return new Result(process.ExitCode, await output, await error);
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            process.Dispose();
        }
    }
}
