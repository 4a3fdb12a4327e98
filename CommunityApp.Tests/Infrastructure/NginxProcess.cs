using System.Diagnostics;
using System.Net;

namespace CommunityApp.Tests.Infrastructure;

/// <summary>
/// nginx from the Debian package (./test.sh installs it) in front of app instances on loopback, with the repository's own
/// <c>nginx/communityapp.conf</c>: its upstream servers replaced by the instances' addresses and its listen port by a free
/// loopback one. It runs as the test's user with its prefix, configuration, pid and logs in a temporary folder
/// (<c>daemon off</c>, so disposing stops it). The test configuration adds an <c>X-Upstream</c> answer header naming the
/// instance that answered.
/// </summary>
public sealed class NginxProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly string folder;

    private NginxProcess(Process process, string folder, string baseUrl)
    {
        this.process = process;
        this.folder = folder;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public string ErrorLog => File.Exists(Path.Combine(folder, "error.log")) ? File.ReadAllText(Path.Combine(folder, "error.log")) : "";

    public static string Executable =>
        new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("nginx is not installed: ./test.sh installs it (apt-get install nginx).");

    public static async Task<NginxProcess> StartAsync(params string[] upstreams)
    {
        var folder = Directory.CreateTempSubdirectory("communityapp-nginx-").FullName;
        var port = AppFactory.FreePort();
        var site = File.ReadAllText(Path.Combine(RepositoryRoot(), "nginx", "communityapp.conf"))
            .Replace("server app1:8080", $"server {upstreams[0]}")
            .Replace("server app2:8080", $"server {upstreams[1]}")
            .Replace("listen 80;", $"listen 127.0.0.1:{port};\n    add_header X-Upstream $upstream_addr always;");
        File.WriteAllText(Path.Combine(folder, "site.conf"), site);
        var root = Environment.UserName == "root";
        File.WriteAllText(Path.Combine(folder, "nginx.conf"), $$"""
            {{(root ? "user root;" : "")}}
            worker_processes 1;
            daemon off;
            pid {{folder}}/nginx.pid;
            error_log {{folder}}/error.log warn;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path {{folder}}/client_body;
                proxy_temp_path {{folder}}/proxy;
                fastcgi_temp_path {{folder}}/fastcgi;
                uwsgi_temp_path {{folder}}/uwsgi;
                scgi_temp_path {{folder}}/scgi;
                include {{folder}}/site.conf;
            }
            """);
        var start = new ProcessStartInfo(Executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-p", folder, "-c", Path.Combine(folder, "nginx.conf"), "-e", Path.Combine(folder, "error.log") }) start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start nginx.");
        var nginx = new NginxProcess(process, folder, $"http://127.0.0.1:{port}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.UntilAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"nginx exited: {await process.StandardError.ReadToEndAsync()} {nginx.ErrorLog}");
            try { return (await http.GetAsync($"{nginx.BaseUrl}/health")).StatusCode == HttpStatusCode.OK; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }, "nginx answering /health from an instance");
        return nginx;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        try { Directory.Delete(folder, recursive: true); }
        catch (IOException) { /* a worker still closing its files; the folder is in /tmp */ }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "docker-compose.yml"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("docker-compose.yml not found");
    }
}
