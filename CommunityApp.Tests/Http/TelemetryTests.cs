using System.Net;
using Npgsql;
using CommunityApp.Data;
using CommunityApp.Data.Jobs;
using CommunityApp.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CommunityApp.Tests.Http;

/// <summary>
/// Seeing it run: <c>/metrics</c> only when configured, with the app's circuit and job metrics and the instrumentation's
/// request and database durations; <c>/health/live</c> answers while the process runs, <c>/health/ready</c> (and
/// <c>/health</c>) only while the database answers.
/// </summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task Metrics_are_off_by_default_and_live_answers_while_ready_follows_the_database()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new AppFactory();
        await app.InitializeAsync();
        var client = app.CreateClient();
        (await client.GetAsync("/metrics", ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        foreach (var path in new[] { "/health/live", "/health/ready", "/health" })
            (await client.GetAsync(path, ct)).StatusCode.ShouldBe(HttpStatusCode.OK, path);

        // The database stops taking connections (as while it is down): not ready, still alive.
        var name = new NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;
        await TestDatabases.ExecuteAsync($"ALTER DATABASE {name} ALLOW_CONNECTIONS false");
        try
        {
            await TestDatabases.ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()");
            NpgsqlConnection.ClearAllPools();
            var ready = await client.GetAsync("/health/ready", ct);
            ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            (await ready.Content.ReadAsStringAsync(ct)).ShouldBe("Unhealthy");
            (await client.GetAsync("/health", ct)).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, "/health is ready, as the Dockerfile and compose ask it");
            var live = await client.GetAsync("/health/live", ct);
            live.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await live.Content.ReadAsStringAsync(ct)).ShouldBe("Healthy");
        }
        finally
        {
            await TestDatabases.ExecuteAsync($"ALTER DATABASE {name} ALLOW_CONNECTIONS true");
            NpgsqlConnection.ClearAllPools();
        }
        (await client.GetAsync("/health/ready", ct)).StatusCode.ShouldBe(HttpStatusCode.OK, "ready again once the database is back");
    }

    [Fact]
    public async Task Configured_the_metrics_endpoint_shows_circuits_jobs_requests_and_database_commands()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new AppFactory();
        app.Settings[Telemetry.PrometheusEnabledKey] = "true";
        await app.InitializeAsync();
        var client = app.CreateClient();
        var job = "test.metrics." + Guid.NewGuid().ToString("N")[..8];
        var runner = app.Services.GetRequiredService<JobRunner>();
        (await runner.RunAsync(job, TimeSpan.FromHours(1), (_, _) => Task.CompletedTask, ct)).ShouldBe(JobOutcome.Succeeded);
        (await runner.RunAsync(job + ".failing", TimeSpan.FromHours(1), (_, _) => throw new InvalidOperationException("no"), ct)).ShouldBe(JobOutcome.Failed);
        var circuits = new CircuitCounter();
        await circuits.OnCircuitOpenedAsync(null!, ct);
        try
        {
            (await client.GetAsync("/Account/Login", ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

            string text = "";
            await Eventually.UntilAsync(async () =>
            {
                text = await client.GetStringAsync("/metrics", ct);
                return text.Contains("http_server_request_duration_seconds") && text.Contains(job);
            }, "the scrape to show the request and the job");
            var lines = text.Split('\n');
            bool Has(string metric, params string[] labels) => lines.Any(l => l.StartsWith(metric + "{", StringComparison.Ordinal) && labels.All(l.Contains));
            var jobLines = string.Join('\n', lines.Where(l => l.StartsWith("communityapp_", StringComparison.Ordinal)));
            text.ShouldSatisfyAllConditions(
                () => Has("communityapp_jobs_runs_total", $"job=\"{job}\"", "outcome=\"succeeded\"").ShouldBeTrue(jobLines),
                () => Has("communityapp_jobs_runs_total", $"job=\"{job}.failing\"", "outcome=\"failed\"").ShouldBeTrue(jobLines),
                () => Has("communityapp_jobs_failures_total", $"job=\"{job}.failing\"").ShouldBeTrue(jobLines),
                () => Has("communityapp_jobs_duration_seconds_count", $"job=\"{job}\"").ShouldBeTrue(jobLines),
                () => text.ShouldContain("db_client_"));
            var open = lines.FirstOrDefault(l => l.StartsWith("communityapp_circuits_open", StringComparison.Ordinal) && !l.StartsWith("communityapp_circuits_open_", StringComparison.Ordinal));
            open.ShouldNotBeNull(jobLines);
            long.Parse(open.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(1);
        }
        finally
        {
            await circuits.OnCircuitClosedAsync(null!, ct);
        }
    }
}
