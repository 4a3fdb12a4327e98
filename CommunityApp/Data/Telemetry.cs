using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CommunityApp.Data;

/// <summary>
/// Telemetry (docs/ARCHITECTURE.md, "Telemetry"): OpenTelemetry metrics and traces, off unless an exporter is configured.
/// <c>Telemetry:Prometheus:Enabled</c> serves the metrics at <c>/metrics</c> for Prometheus to scrape;
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (the standard OpenTelemetry variable) sends metrics and traces over OTLP. The metrics
/// are the app's own (<see cref="AppMetrics"/>: open circuits, job runs, failures and durations), ASP.NET Core's request
/// durations and Npgsql's command durations; the traces are ASP.NET Core's requests with their EF Core and Npgsql commands.
/// </summary>
public static class Telemetry
{
    public const string PrometheusEnabledKey = "Telemetry:Prometheus:Enabled";
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string MetricsPath = "/metrics";

    public static void AddTelemetry(this WebApplicationBuilder builder)
    {
        // Counted whether or not anything exports them: the cost is one increment per circuit.
        builder.Services.AddScoped<CircuitHandler, CircuitCounter>();
        var prometheus = builder.Configuration.GetValue<bool>(PrometheusEnabledKey);
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]);
        if (!prometheus && !otlp) return;

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("CommunityApp", serviceInstanceId: Environment.MachineName + "/" + Environment.ProcessId))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(AppMetrics.MeterName).AddAspNetCoreInstrumentation().AddNpgsqlInstrumentation();
                if (prometheus) metrics.AddPrometheusExporter();
                if (otlp) metrics.AddOtlpExporter();
            })
            .WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation(o => o.Filter = http => !IsProbe(http.Request.Path))
                    .AddEntityFrameworkCoreInstrumentation()
                    .AddNpgsql();
                if (otlp) tracing.AddOtlpExporter();
            });
    }

    /// <summary>
    /// The health endpoints: <c>/health/live</c> answers while the process runs (no check), <c>/health/ready</c> while the
    /// database answers and accepts writes, and <c>/health</c> as ready (what the Dockerfile and compose health checks ask).
    /// With Prometheus on, <c>/metrics</c>.
    /// </summary>
    public static void MapProbes(this WebApplication app)
    {
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        if (app.Configuration.GetValue<bool>(PrometheusEnabledKey)) app.MapPrometheusScrapingEndpoint(MetricsPath);
    }

    /// <summary>The tag of the health checks that decide readiness.</summary>
    public const string ReadyTag = "ready";

    private static bool IsProbe(PathString path) => path.StartsWithSegments("/health") || path.StartsWithSegments(MetricsPath);
}

/// <summary>Counts this instance's open Blazor circuits (<c>communityapp.circuits.open</c>).</summary>
public sealed class CircuitCounter : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        AppMetrics.CircuitOpened();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        AppMetrics.CircuitClosed();
        return Task.CompletedTask;
    }
}
