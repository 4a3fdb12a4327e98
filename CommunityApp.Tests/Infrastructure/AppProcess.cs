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
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CommunityApp.dll"));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{AppFactory.FreePort()}";
        start.Environment["App__PublicBaseUrl"] = AppFactory.ProductionPublicBaseUrl;
        start.Environment["Email__Enabled"] = "false";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;

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
}
