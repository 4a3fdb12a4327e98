using CommunityApp.Features.Insight;

namespace CommunityApp.Tests.Features.Insight;

/// <summary>
/// Synthetic award graphs for the trust-ring detector's tests and for <c>./bench.sh rings</c> (linked into the bench):
/// an honest small-world community (Watts–Strogatz: a ring lattice of <c>k</c> neighbours, each link rewired with
/// probability <c>p</c>; each link is an award in a random direction, returned with probability ½), admins among the
/// honest members, and a planted ring whose members award each other and are awarded by a few honest members.
/// Deterministic for a seed.
/// </summary>
public sealed record SyntheticTrustGraph(int MemberCount, List<AwardEdge> Awards, int[] Admins, int[] Ring)
{
    public enum Model
    {
        /// <summary>Preferential attachment with triad formation (Holme–Kim): popular members draw awards, friends of friends award each other.</summary>
        PreferentialAttachment,
        /// <summary>Watts–Strogatz: a ring lattice of <c>neighbours</c>, each link rewired with probability <c>rewire</c>.</summary>
        WattsStrogatz,
    }

    public static SyntheticTrustGraph Build(int honest, int ringSize, int linksOutPerRingMember, int seed, Model model = Model.PreferentialAttachment,
        int neighbours = 10, double rewire = 0.1, int admins = 5)
    {
        var random = new Random(seed);
        var awards = new List<AwardEdge>(honest * neighbours);
        var n = honest + ringSize;
        void Link(int a, int b)
        {
            if (random.Next(2) == 0) (a, b) = (b, a);
            awards.Add(new AwardEdge(a, b));
            if (random.NextDouble() < 0.5) awards.Add(new AwardEdge(b, a));
        }
        if (model == Model.WattsStrogatz)
        {
            for (var v = 0; v < honest; v++)
                for (var j = 1; j <= neighbours / 2; j++)
                {
                    var w = (v + j) % honest;
                    if (random.NextDouble() < rewire)
                    {
                        do w = random.Next(honest); while (w == v);
                    }
                    Link(v, w);
                }
        }
        else
        {
            // Holme–Kim: each newcomer makes m = neighbours/2 links, the first by preferential attachment (a random end of a
            // random link), each next one to a neighbour of the previous target with probability ½ (a triad), else again by
            // preferential attachment. The first m+1 members know each other.
            var m = neighbours / 2;
            var ends = new List<int>(honest * neighbours);
            var adjacency = Enumerable.Range(0, honest).Select(_ => new List<int>()).ToArray();
            void Connect(int a, int b)
            {
                Link(a, b);
                ends.Add(a); ends.Add(b);
                adjacency[a].Add(b); adjacency[b].Add(a);
            }
            for (var a = 0; a <= m; a++)
                for (var b = a + 1; b <= m; b++) Connect(a, b);
            var chosen = new HashSet<int>();
            for (var v = m + 1; v < honest; v++)
            {
                chosen.Clear();
                var previous = -1;
                while (chosen.Count < m)
                {
                    int target;
                    if (previous >= 0 && random.NextDouble() < 0.5 && adjacency[previous].Count > 0)
                        target = adjacency[previous][random.Next(adjacency[previous].Count)];
                    else
                        target = ends[random.Next(ends.Count)];
                    if (target == v || !chosen.Add(target)) { previous = -1; continue; }
                    previous = target;
                }
                foreach (var t in chosen) Connect(v, t);
            }
        }
        var adminIds = Enumerable.Range(0, admins).Select(_ => random.Next(honest)).Distinct().ToArray();
        var ring = Enumerable.Range(honest, ringSize).ToArray();
        // The ring: each member awards up to 10 others of the ring (everyone, in a small ring).
        foreach (var member in ring)
        {
            var others = ring.Where(o => o != member).OrderBy(_ => random.Next()).Take(Math.Min(10, ringSize - 1));
            foreach (var other in others) awards.Add(new AwardEdge(member, other));
        }
        // The links out: honest members (not admins) fooled into awarding ring members.
        foreach (var member in ring)
            for (var l = 0; l < linksOutPerRingMember; l++)
            {
                int h;
                do h = random.Next(honest); while (adminIds.Contains(h));
                awards.Add(new AwardEdge(h, member));
            }
        return new SyntheticTrustGraph(n, awards, adminIds, ring);
    }

    /// <summary>The seeds as the app picks them: the admins and the members the admins award.</summary>
    public int[] Seeds() => Admins.Concat(Awards.Where(a => Admins.Contains(a.Giver)).Select(a => a.Receiver)).Distinct().ToArray();

    /// <summary>The ROC AUC of the detector's ranking: planted members against honest ones.</summary>
    public double Auc(RingAnalysis analysis)
    {
        var ringStart = MemberCount - Ring.Length;
        return TrustRingDetector.RocAuc(analysis.Scores[ringStart..], analysis.Scores[..ringStart]);
    }
}
