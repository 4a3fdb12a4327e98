using System.Diagnostics;
using CommunityApp.Features.Insight;
using CommunityApp.Tests.Features.Insight;

/// <summary>
/// ./bench.sh rings: the trust-ring detector (docs/SPEC.md §13) on synthetic graphs (the tests' generator). The ROC AUC of
/// the planted members against the honest ones for rings of 5, 20 and 100 members with 1 and 3 links out per ring member, in
/// an honest community of 5,000 (three seeds each: mean and lowest), and whether the ring was flagged as a cluster; then the
/// compute time at 50,000 members. Pure in memory: no database.
/// </summary>
public static class RingBench
{
    public static void Run()
    {
        int[] seeds = [11, 12, 13];
        foreach (var model in new[] { SyntheticTrustGraph.Model.PreferentialAttachment, SyntheticTrustGraph.Model.WattsStrogatz })
        {
            Console.WriteLine();
            Console.WriteLine($"Honest community: 5,000 members, {(model == SyntheticTrustGraph.Model.PreferentialAttachment ? "preferential attachment with triads (Holme–Kim, m = 5)" : "Watts–Strogatz (k = 10, p = 0.1)")}; seeds {string.Join(", ", seeds)}");
            Console.WriteLine("| ring size | links out per member | AUC mean | AUC lowest | ring flagged (runs) |");
            Console.WriteLine("|---:|---:|---:|---:|---:|");
            foreach (var ring in new[] { 5, 20, 100 })
                foreach (var links in new[] { 1, 3 })
                {
                    var aucs = new List<double>();
                    var flagged = 0;
                    foreach (var seed in seeds)
                    {
                        var graph = SyntheticTrustGraph.Build(5_000, ring, links, seed, model);
                        var analysis = TrustRingDetector.Analyse(graph.MemberCount, graph.Awards, graph.Seeds());
                        aucs.Add(graph.Auc(analysis));
                        var planted = graph.Ring.ToHashSet();
                        // Flagged: a cluster holding at least 80% of the ring, at least 80% of it planted.
                        if (analysis.Clusters.Any(c => c.Members.Count(planted.Contains) >= 0.8 * ring && c.Members.Count(planted.Contains) >= 0.8 * c.Members.Count)) flagged++;
                    }
                    Console.WriteLine($"| {ring} | {links} | {aucs.Average():0.000} | {aucs.Min():0.000} | {flagged}/{seeds.Length} |");
                }
        }

        Console.WriteLine();
        var big = SyntheticTrustGraph.Build(50_000, 20, 1, seed: 5);
        var seedsOfBig = big.Seeds();
        TrustRingDetector.Analyse(big.MemberCount, big.Awards, seedsOfBig); // warm-up
        var times = new List<double>();
        RingAnalysis? last = null;
        for (var i = 0; i < 7; i++)
        {
            var watch = Stopwatch.StartNew();
            last = TrustRingDetector.Analyse(big.MemberCount, big.Awards, seedsOfBig);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine($"50,020 members, {big.Awards.Count:N0} awards, {last!.Steps} steps: compute median {times[times.Count / 2]:0} ms, slowest {times[^1]:0} ms (7 runs); AUC {big.Auc(last):0.000}, {last.Clusters.Count} cluster(s) flagged");
    }
}
