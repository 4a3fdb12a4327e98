namespace CommunityApp.Components;

/// <summary>
/// What <c>./bench.sh circuits</c> reads from the server it measures: the live managed heap after a full, compacting GC.
/// Mapped only when <c>Bench:Diagnostics</c> is true (the benchmark sets it on the process it starts); off by default, so
/// no deployment exposes it.
/// </summary>
public static class BenchDiagnostics
{
    public const string Setting = "Bench:Diagnostics";

    public static void MapBenchDiagnostics(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>(Setting)) return;
        app.MapGet("/_bench/heap", () =>
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            return Results.Json(new { heap = GC.GetTotalMemory(forceFullCollection: true) });
        });
    }
}
