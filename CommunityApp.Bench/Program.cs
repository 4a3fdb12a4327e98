// Benchmarks, run on demand with ./bench.sh, never in the test suite. Without a mode: the pages and actions of a community
// at each size (PagesBench.cs), each timed through the app's services and through hand-written SQL doing the same work.

var server = Environment.GetEnvironmentVariable("COMMUNITYAPP_BENCH_POSTGRES")
             ?? throw new InvalidOperationException("Set COMMUNITYAPP_BENCH_POSTGRES (./bench.sh does).");
if (args is ["rings", ..])
{
    // ./bench.sh rings: the trust-ring detector on synthetic graphs (RingBench.cs); in memory, no database.
    Console.WriteLine($"Machine load before the run (1, 5, 15 min): {BenchDatabase.Load()}");
    RingBench.Run();
    return;
}
if (args is ["circuits", .. var circuitArgs])
{
    // ./bench.sh circuits [N …]: N real Blazor circuits held, CommunityApp's community home beside the template (Circuits/).
    var circuitSizes = circuitArgs.Where(a => int.TryParse(a, out _)).Select(int.Parse).ToArray();
    var apps = circuitArgs.Where(a => !int.TryParse(a, out _)).ToArray();
    await CommunityApp.Bench.Circuits.CircuitBench.RunAsync(server,
        new(circuitSizes.Length > 0 ? circuitSizes : [1_000, 5_000, 10_000], Apps: apps.Length > 0 ? apps : null));
    return;
}
if (args is ["councils", ..])
{
    // ./bench.sh councils: the council page over 1,000 councils and 100,000 ledger lines (CouncilBench.cs).
    Console.WriteLine($"Machine load before the run (1, 5, 15 min): {BenchDatabase.Load()}");
    await CouncilBench.RunAsync(server);
    return;
}
if (args is ["pools", ..])
{
    // ./bench.sh pools: the distribution preview over 10,000 needs (PoolBench.cs).
    Console.WriteLine($"Machine load before the run (1, 5, 15 min): {BenchDatabase.Load()}");
    await PoolBench.RunAsync(server);
    return;
}
if (args is ["forum", ..])
{
    // ./bench.sh forum: a thread of 5,000 posts opening, and a page deep in it (ForumBench.cs).
    Console.WriteLine($"Machine load before the run (1, 5, 15 min): {BenchDatabase.Load()}");
    await ForumBench.RunAsync(server);
    return;
}
if (args is ["health", ..])
{
    // ./bench.sh health: the health dashboard over 50,000 members, 1,000,000 awards and 100,000 shares (HealthBench.cs).
    Console.WriteLine($"Machine load before the run (1, 5, 15 min): {BenchDatabase.Load()}");
    await HealthBench.RunAsync(server);
    Console.WriteLine($"Machine load after the run (1, 5, 15 min): {BenchDatabase.Load()}");
    return;
}
var sizes = args.Length > 0 ? args.Select(int.Parse).ToArray() : [5_000, 50_000];
await PagesBench.RunAsync(server, sizes);
