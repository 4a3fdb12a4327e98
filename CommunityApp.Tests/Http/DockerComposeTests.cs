using System.Diagnostics;

namespace CommunityApp.Tests.Http;

/// <summary>No Docker engine runs here, so the compose file is validated by docker-compose itself.</summary>
public sealed class DockerComposeTests
{
    [Theory]
    [InlineData]
    [InlineData("--profile", "tools")]
    public async Task The_compose_file_is_valid(params string[] extra)
    {
        var root = RepositoryRoot();
        var start = new ProcessStartInfo("docker-compose") { WorkingDirectory = root, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-f", "docker-compose.yml" }.Concat(extra).Append("config").Append("-q")) start.ArgumentList.Add(arg);

        using var process = Process.Start(start)!;
        var errors = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        process.ExitCode.ShouldBe(0, errors);
    }

    [Fact]
    public void Two_app_instances_run_behind_nginx_with_sticky_sessions_and_websockets()
    {
        var compose = File.ReadAllText(Path.Combine(RepositoryRoot(), "docker-compose.yml"));
        compose.ShouldContain("  app1: &app");
        compose.ShouldContain("  app2:\n    <<: *app");
        compose.ShouldContain("./nginx/communityapp.conf:/etc/nginx/conf.d/default.conf:ro");
        var nginx = File.ReadAllText(Path.Combine(RepositoryRoot(), "nginx", "communityapp.conf"));
        nginx.ShouldSatisfyAllConditions(
            n => n.ShouldContain("ip_hash;"),
            n => n.ShouldContain("server app1:8080"),
            n => n.ShouldContain("server app2:8080"),
            n => n.ShouldContain("proxy_set_header Upgrade $http_upgrade;"),
            n => n.ShouldContain("proxy_set_header Connection $connection_upgrade;"),
            n => n.ShouldContain("proxy_read_timeout 1h;"));
    }

    [Fact]
    public void The_keycloak_realm_has_the_apps_client_and_a_demo_user()
    {
        using var realm = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "keycloak", "realm-community.json")));
        realm.RootElement.GetProperty("clients").EnumerateArray().ShouldContain(c => c.GetProperty("clientId").GetString() == "communityapp");
        realm.RootElement.GetProperty("users").EnumerateArray().ShouldContain(u => u.GetProperty("username").GetString() == "demo");
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
