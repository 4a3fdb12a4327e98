using System.Diagnostics;

namespace CommunityApp.Tests.Infrastructure;

/// <summary>
/// A real OpenID Connect provider (the npm package oidc-provider, in OidcProvider/) run as a child process.
/// Its login page accepts any login name; the token's sub, name and email derive from it
/// ("oidc-alice" → sub oidc-alice, name "Oidc Alice", email oidc-alice@example.test, verified); a login starting with
/// "unverified-" has email_verified false.
/// </summary>
public sealed class OidcProviderProcess : IAsyncDisposable
{
    public const string ClientId = "communityapp";
    public const string ClientSecret = "communityapp-test-secret";

    private readonly Process process;

    private OidcProviderProcess(Process process, string issuer)
    {
        this.process = process;
        Issuer = issuer;
    }

    public string Issuer { get; }

    public static async Task<OidcProviderProcess> StartAsync(string appBaseUrl)
    {
        var folder = FindFolder();
        if (!Directory.Exists(Path.Combine(folder, "node_modules")))
        {
            throw new InvalidOperationException($"Run 'npm ci' in {folder} first (./test.sh does).");
        }
        var port = AppFactory.FreePort();
        var start = new ProcessStartInfo("node", "server.js")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["PORT"] = port.ToString(),
                ["CLIENT_ID"] = ClientId,
                ["CLIENT_SECRET"] = ClientSecret,
                ["REDIRECT_URI"] = $"{appBaseUrl}/signin-oidc",
                ["POST_LOGOUT_REDIRECT_URI"] = $"{appBaseUrl}/signout-callback-oidc",
                ["PARENT_PID"] = Environment.ProcessId.ToString(),
            },
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        process.BeginErrorReadLine();

        // Generous: on two busy cores a cold node start can take a while.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            line = null;
        }
        if (line is null || !line.StartsWith("OIDC provider listening on "))
        {
            process.Kill(entireProcessTree: true);
            lock (errors) throw new InvalidOperationException($"The OIDC provider did not start within a minute: {line}\n{errors}");
        }
        return new OidcProviderProcess(process, line["OIDC provider listening on ".Length..].Trim());
    }

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "CommunityApp.Tests", "OidcProvider");
            if (File.Exists(Path.Combine(candidate, "server.js"))) return candidate;
        }
        throw new DirectoryNotFoundException("CommunityApp.Tests/OidcProvider not found above " + AppContext.BaseDirectory);
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
