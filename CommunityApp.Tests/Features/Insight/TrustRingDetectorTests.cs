using CommunityApp.Features.Insight;

namespace CommunityApp.Tests.Features.Insight;

/// <summary>The trust-ring detector on synthetic graphs (docs/SPEC.md §13): pure, no database, deterministic seeds.</summary>
public sealed class TrustRingDetectorTests
{
    [Theory]
    [InlineData(1, 11)]
    [InlineData(1, 12)]
    [InlineData(3, 12)]
    public void A_planted_ring_of_20_in_5000_honest_members_ranks_below_the_honest_ones(int linksOut, int seed)
    {
        var graph = SyntheticTrustGraph.Build(honest: 5_000, ringSize: 20, linksOutPerRingMember: linksOut, seed: seed);

        var analysis = TrustRingDetector.Analyse(graph.MemberCount, graph.Awards, graph.Seeds());

        analysis.Steps.ShouldBe(13); // ⌈log₂ 5,020⌉
        graph.Auc(analysis).ShouldBeGreaterThanOrEqualTo(0.9);
        var flagged = analysis.Clusters.ShouldHaveSingleItem();
        flagged.Members.ShouldBe(graph.Ring, ignoreOrder: true);
        flagged.Conductance.ShouldBeLessThan(0.2);
    }

    [Fact]
    public void An_honest_community_alone_has_no_flagged_cluster()
    {
        var graph = SyntheticTrustGraph.Build(honest: 5_000, ringSize: 0, linksOutPerRingMember: 0, seed: 21);

        TrustRingDetector.Analyse(graph.MemberCount, graph.Awards, graph.Seeds()).Clusters.ShouldBeEmpty();
    }

    [Fact]
    public void Conductance_is_the_weight_leaving_the_cluster_over_its_volume()
    {
        // Admin 0 and friends 1–5 in a dense honest group; 6, 7, 8 award each other (both ways) and 5 awards 6 once.
        var awards = new List<AwardEdge>();
        for (var a = 0; a <= 5; a++)
            for (var b = 0; b <= 5; b++)
                if (a != b) awards.Add(new(a, b));
        foreach (var (a, b) in new[] { (6, 7), (7, 8), (8, 6) }) { awards.Add(new(a, b)); awards.Add(new(b, a)); }
        awards.Add(new(5, 6));

        var analysis = TrustRingDetector.Analyse(9, awards, [0], new TrustRingDetector.Options(SuspectFraction: 0.5));

        var cluster = analysis.Clusters.ShouldHaveSingleItem();
        cluster.Members.ShouldBe([6, 7, 8]);
        // Volume: 6 has 2+2+1, 7 and 8 have 2+2 each = 13; leaving: the one award 5 → 6.
        cluster.Conductance.ShouldBe(1.0 / 13, 1e-12);
    }

    [Fact]
    public void No_seed_or_no_award_gives_nothing_to_flag()
    {
        TrustRingDetector.Analyse(0, [], []).Clusters.ShouldBeEmpty();
        TrustRingDetector.Analyse(3, [new(1, 2), new(2, 1)], [0]).Clusters.ShouldBeEmpty();
    }

    [Fact]
    public void Auc_counts_ties_as_half()
    {
        TrustRingDetector.RocAuc([0.1, 0.2], [0.3, 0.4]).ShouldBe(1);
        TrustRingDetector.RocAuc([0.5], [0.5]).ShouldBe(0.5);
        TrustRingDetector.RocAuc([0.9], [0.1, 1.0]).ShouldBe(0.5);
    }
}
