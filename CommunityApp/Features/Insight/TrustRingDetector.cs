namespace CommunityApp.Features.Insight;

/// <summary>One award as an edge of the trust graph, by member index (0 … n−1).</summary>
public readonly record struct AwardEdge(int Giver, int Receiver);

/// <summary>A group of suspect members whose trust comes mostly from each other.</summary>
public sealed record RingCluster(IReadOnlyList<int> Members, double Conductance, double MeanScore);

/// <summary>What the detector found: a score per member (trust ÷ degree; low is suspect) and the flagged clusters.</summary>
public sealed record RingAnalysis(double[] Scores, IReadOnlyList<RingCluster> Clusters, int Steps);

/// <summary>
/// The trust-ring signal of docs/SPEC.md §13, a SybilRank-style detector. Pure and in memory: the award graph as a
/// compressed sparse row (CSR) adjacency, treated as undirected (an award in either direction links two members; both
/// directions weigh 2). Trust starts at the seeds (the admins and the members they trust), spreads for ⌈log₂ n⌉
/// power-iteration steps of a lazy walk (half of each member's trust stays, half goes to their links by weight) (the early stop is the point: honest regions, well connected to the seeds, fill up, while a ring
/// reached through few edges gets little), and each member's score is their trust ÷ their degree. Members whose score is
/// below <see cref="Options.SuspectFraction"/> of the median are suspects; suspects linked by awards form clusters
/// (connected components of the suspect subgraph); a cluster of at least <see cref="Options.MinClusterSize"/> members whose
/// conductance (weight of edges leaving it ÷ its volume) is at most <see cref="Options.MaxConductance"/> is flagged.
/// It only flags: nothing here changes any trust.
/// </summary>
public static class TrustRingDetector
{
    public sealed record Options(double SuspectFraction = 0.6, int MinClusterSize = 3, double MaxConductance = 0.2, double Laziness = 0.5);

    public static RingAnalysis Analyse(int memberCount, IReadOnlyList<AwardEdge> awards, IReadOnlyCollection<int> seeds, Options? options = null)
    {
        options ??= new Options();
        var n = memberCount;
        var graph = Csr.Build(n, awards);
        var steps = n <= 1 ? 1 : (int)Math.Ceiling(Math.Log2(n));
        var trust = new double[n];
        var next = new double[n];
        var seedList = seeds.Where(s => s >= 0 && s < n && graph.Degree[s] > 0).Distinct().ToArray();
        if (seedList.Length == 0) return new RingAnalysis(new double[n], [], steps);
        foreach (var s in seedList) trust[s] = (double)n / seedList.Length;

        var offsets = graph.Offsets;
        var targets = graph.Targets;
        var weights = graph.Weights;
        var degree = graph.Degree;
        for (var step = 0; step < steps; step++)
        {
            // A lazy walk (part of each member's trust stays): no oscillation between the two sides of a bipartite-like cut.
            for (var u = 0; u < n; u++) next[u] = trust[u] * options.Laziness;
            for (var u = 0; u < n; u++)
            {
                var t = trust[u];
                if (t == 0) continue;
                var share = t * (1 - options.Laziness) / degree[u];
                for (var e = offsets[u]; e < offsets[u + 1]; e++) next[targets[e]] += share * weights[e];
            }
            (trust, next) = (next, trust);
        }

        var scores = new double[n];
        for (var v = 0; v < n; v++) scores[v] = degree[v] > 0 ? trust[v] / degree[v] : 0;
        return new RingAnalysis(scores, Clusters(graph, scores, options), steps);
    }

    private static List<RingCluster> Clusters(Csr graph, double[] scores, Options options)
    {
        var n = scores.Length;
        var connected = new List<double>(n);
        for (var v = 0; v < n; v++) if (graph.Degree[v] > 0) connected.Add(scores[v]);
        if (connected.Count == 0) return [];
        connected.Sort();
        var median = connected[connected.Count / 2];
        var cut = median * options.SuspectFraction;
        var suspect = new bool[n];
        for (var v = 0; v < n; v++) suspect[v] = graph.Degree[v] > 0 && scores[v] < cut;

        var component = new int[n];
        Array.Fill(component, -1);
        var clusters = new List<RingCluster>();
        var stack = new Stack<int>();
        var members = new List<int>();
        for (var start = 0; start < n; start++)
        {
            if (!suspect[start] || component[start] >= 0) continue;
            members.Clear();
            component[start] = start;
            stack.Push(start);
            double volume = 0, leaving = 0, scoreSum = 0;
            while (stack.Count > 0)
            {
                var u = stack.Pop();
                members.Add(u);
                volume += graph.Degree[u];
                scoreSum += scores[u];
                for (var e = graph.Offsets[u]; e < graph.Offsets[u + 1]; e++)
                {
                    var v = graph.Targets[e];
                    if (!suspect[v]) { leaving += graph.Weights[e]; continue; }
                    if (component[v] >= 0) continue;
                    component[v] = start;
                    stack.Push(v);
                }
            }
            if (members.Count < options.MinClusterSize) continue;
            var conductance = volume > 0 ? leaving / volume : 1;
            if (conductance <= options.MaxConductance)
                clusters.Add(new RingCluster(members.Order().ToList(), conductance, scoreSum / members.Count));
        }
        return clusters.OrderBy(c => c.Conductance).ThenByDescending(c => c.Members.Count).ToList();
    }

    /// <summary>
    /// The ROC AUC of a ranking where a lower score is more suspect: the chance that a random positive scores below a
    /// random negative (ties count half). 1 is a perfect ranking, 0.5 is chance.
    /// </summary>
    public static double RocAuc(IReadOnlyList<double> positives, IReadOnlyList<double> negatives)
    {
        if (positives.Count == 0 || negatives.Count == 0) return double.NaN;
        var all = positives.Select(s => (Score: s, Positive: true)).Concat(negatives.Select(s => (Score: s, Positive: false)))
            .OrderBy(x => x.Score).ToArray();
        // Mann–Whitney U over ranks of the negatives (ties share the average rank).
        double rankSumNegatives = 0;
        for (var i = 0; i < all.Length;)
        {
            var j = i;
            while (j < all.Length && all[j].Score == all[i].Score) j++;
            var averageRank = (i + 1 + j) / 2.0;
            for (var k = i; k < j; k++) if (!all[k].Positive) rankSumNegatives += averageRank;
            i = j;
        }
        var u = rankSumNegatives - (double)negatives.Count * (negatives.Count + 1) / 2;
        return u / ((double)positives.Count * negatives.Count);
    }

    /// <summary>The undirected, weighted adjacency in CSR form: the neighbours of v are Targets[Offsets[v] .. Offsets[v+1]).</summary>
    private sealed class Csr
    {
        public required int[] Offsets { get; init; }
        public required int[] Targets { get; init; }
        public required double[] Weights { get; init; }
        public required double[] Degree { get; init; }

        public static Csr Build(int n, IReadOnlyList<AwardEdge> awards)
        {
            // Each award adds weight 1 to both endpoints' link; a mutual pair ends up as one link of weight 2 each way.
            var pairs = new List<long>(awards.Count);
            foreach (var a in awards)
            {
                if (a.Giver == a.Receiver || (uint)a.Giver >= (uint)n || (uint)a.Receiver >= (uint)n) continue;
                pairs.Add(((long)a.Giver << 32) | (uint)a.Receiver);
                pairs.Add(((long)a.Receiver << 32) | (uint)a.Giver);
            }
            pairs.Sort();
            var counts = new int[n + 1];
            var distinct = 0;
            for (var i = 0; i < pairs.Count; i++)
                if (i == 0 || pairs[i] != pairs[i - 1]) { counts[(int)(pairs[i] >> 32) + 1]++; distinct++; }
            for (var v = 0; v < n; v++) counts[v + 1] += counts[v];
            var targets = new int[distinct];
            var weights = new double[distinct];
            var degree = new double[n];
            var at = -1;
            for (var i = 0; i < pairs.Count; i++)
            {
                var from = (int)(pairs[i] >> 32);
                if (i == 0 || pairs[i] != pairs[i - 1]) targets[++at] = (int)(pairs[i] & 0xFFFFFFFF);
                weights[at] += 1;
                degree[from] += 1;
            }
            return new Csr { Offsets = counts, Targets = targets, Weights = weights, Degree = degree };
        }
    }
}
