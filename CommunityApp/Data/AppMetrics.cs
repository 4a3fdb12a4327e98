using System.Diagnostics.Metrics;

namespace CommunityApp.Data;

/// <summary>
/// The app's own metrics (docs/ARCHITECTURE.md, "Telemetry"), on the meter <see cref="MeterName"/>: open circuits, and
/// background job runs, failures and durations. Exported with the ASP.NET Core, EF Core and Npgsql instrumentation when
/// telemetry is configured (<c>Telemetry:Prometheus:Enabled</c>, <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).
/// </summary>
public static class AppMetrics
{
    public const string MeterName = "CommunityApp";

    private static readonly Meter Meter = new(MeterName);
    private static long openCircuits;

    private static readonly Counter<long> JobRuns = Meter.CreateCounter<long>("communityapp.jobs.runs", "{run}",
        "Background job runs this instance made, by job and outcome (succeeded, failed)");
    private static readonly Counter<long> JobFailures = Meter.CreateCounter<long>("communityapp.jobs.failures", "{run}",
        "Background job runs that failed on this instance, by job");
    private static readonly Counter<long> JobSkips = Meter.CreateCounter<long>("communityapp.jobs.skipped", "{run}",
        "Background job ticks whose period another instance had already claimed, by job");
    private static readonly Histogram<double> JobDuration = Meter.CreateHistogram<double>("communityapp.jobs.duration", "s",
        "How long a background job run took, by job");

    static AppMetrics() => Meter.CreateObservableUpDownCounter("communityapp.circuits.open", () => Interlocked.Read(ref openCircuits), "{circuit}",
        "Blazor circuits open on this instance");

    public static long OpenCircuits => Interlocked.Read(ref openCircuits);

    public static void CircuitOpened() => Interlocked.Increment(ref openCircuits);

    public static void CircuitClosed() => Interlocked.Decrement(ref openCircuits);

    public static void JobFinished(string job, bool failed, double seconds)
    {
        var tag = new KeyValuePair<string, object?>("job", job);
        JobRuns.Add(1, tag, new("outcome", failed ? "failed" : "succeeded"));
        if (failed) JobFailures.Add(1, tag);
        JobDuration.Record(seconds, tag);
    }

    public static void JobSkipped(string job) => JobSkips.Add(1, new KeyValuePair<string, object?>("job", job));
}
