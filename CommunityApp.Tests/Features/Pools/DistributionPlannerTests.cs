using FsCheck;
using FsCheck.Fluent;
using CommunityApp.Features.Pools;
using FuzzRunner = CommunityApp.Tests.Features.Fuzz.Fuzz;

namespace CommunityApp.Tests.Features.Pools;

/// <summary>
/// The pool distribution planner (docs/SPEC.md §7, rounding rules in docs/ARCHITECTURE.md "Pool distribution"):
/// exact allocations per strategy for the cases that matter, then the invariants as FsCheck properties.
/// </summary>
public class DistributionPlannerTests
{
    private static readonly DateTime T0 = new(2026, 3, 1, 9, 0, 0, DateTimeKind.Utc);

    /// <summary>Needs "member:units", created one minute apart in the order given; ids grow with the order too.</summary>
    private static NeedDemand[] Needs(params string[] needs) => needs.Select((text, i) =>
    {
        var parts = text.Split(':');
        return new NeedDemand(Id(i), parts[0], int.Parse(parts[1]), T0.AddMinutes(i));
    }).ToArray();

    private static Guid Id(int i) => new($"00000000-0000-0000-0000-{i + 1:D12}");

    private static int[] Units(DistributionPlan plan) => plan.Allocations.Select(a => a.Units).ToArray();

    public static TheoryData<string, DistributionStrategy, int, int?, string[], int[]> Cases => new()
    {
        // More demand (12) than supply.
        { "short supply", DistributionStrategy.Full, 8, null, ["ana:5", "ben:3", "cy:4"], [5, 3, 0] },
        { "short supply", DistributionStrategy.Equal, 8, null, ["ana:5", "ben:3", "cy:4"], [3, 3, 2] },
        { "short supply", DistributionStrategy.Proportional, 8, null, ["ana:5", "ben:3", "cy:4"], [3, 2, 3] },
        // A small need cannot take its even share; the rest is spread over the others (water-filling).
        { "water-filling", DistributionStrategy.Full, 9, null, ["ana:1", "ben:10", "cy:10"], [1, 8, 0] },
        { "water-filling", DistributionStrategy.Equal, 9, null, ["ana:1", "ben:10", "cy:10"], [1, 4, 4] },
        { "water-filling", DistributionStrategy.Equal, 10, null, ["ana:1", "ben:10", "cy:10"], [1, 5, 4] },
        { "water-filling", DistributionStrategy.Proportional, 10, null, ["ana:1", "ben:10", "cy:10"], [0, 5, 5] },
        // No supply.
        { "no supply", DistributionStrategy.Full, 0, null, ["ana:5", "ben:3"], [0, 0] },
        { "no supply", DistributionStrategy.Equal, 0, null, ["ana:5", "ben:3"], [0, 0] },
        { "no supply", DistributionStrategy.Proportional, 0, null, ["ana:5", "ben:3"], [0, 0] },
        // One unit, many needs: the earliest takes it.
        { "one unit", DistributionStrategy.Full, 1, null, ["ana:2", "ben:2", "cy:2", "dee:2"], [1, 0, 0, 0] },
        { "one unit", DistributionStrategy.Equal, 1, null, ["ana:2", "ben:2", "cy:2", "dee:2"], [1, 0, 0, 0] },
        { "one unit", DistributionStrategy.Proportional, 1, null, ["ana:2", "ben:2", "cy:2", "dee:2"], [1, 0, 0, 0] },
        // Proportional: the largest remainder wins over the earlier need (1×3/4 = .75 beats 1×1/4 = .25).
        { "one unit", DistributionStrategy.Proportional, 1, null, ["ana:1", "ben:3"], [0, 1] },
        // Equal remainders go to the earlier needs.
        { "tie", DistributionStrategy.Full, 5, null, ["ana:3", "ben:3", "cy:3"], [3, 2, 0] },
        { "tie", DistributionStrategy.Equal, 5, null, ["ana:3", "ben:3", "cy:3"], [2, 2, 1] },
        { "tie", DistributionStrategy.Proportional, 5, null, ["ana:3", "ben:3", "cy:3"], [2, 2, 1] },
        // Cap 6 per member, across ana's two needs: capped demand 5 + 6 + 1 = 12, supply 10. Equal: level 4 would give
        // ana 8, so ana's 6 are shared 3 + 3; Proportional: 10 × (5, 6, 1) / 12 = 4.17, 5, 0.83, the unit to .83.
        { "cap, short", DistributionStrategy.Full, 10, 6, ["ana:5", "ben:8", "ana:5"], [5, 5, 0] },
        { "cap, short", DistributionStrategy.Equal, 10, 6, ["ana:5", "ben:8", "ana:5"], [3, 4, 3] },
        { "cap, short", DistributionStrategy.Proportional, 10, 6, ["ana:5", "ben:8", "ana:5"], [4, 5, 1] },
        // The same with supply above the capped demand: each member gets the capped demand, the rest is left over.
        { "cap, plenty", DistributionStrategy.Full, 30, 6, ["ana:5", "ben:8", "ana:5"], [5, 6, 1] },
        { "cap, plenty", DistributionStrategy.Equal, 30, 6, ["ana:5", "ben:8", "ana:5"], [3, 6, 3] },
        { "cap, plenty", DistributionStrategy.Proportional, 30, 6, ["ana:5", "ben:8", "ana:5"], [5, 6, 1] },
        // Supply above demand, no cap: everyone gets everything asked.
        { "plenty", DistributionStrategy.Full, 10, null, ["ana:5", "ben:3"], [5, 3] },
        { "plenty", DistributionStrategy.Equal, 10, null, ["ana:5", "ben:3"], [5, 3] },
        { "plenty", DistributionStrategy.Proportional, 10, null, ["ana:5", "ben:3"], [5, 3] },
        // A cap of 0 gives nothing to anyone.
        { "cap 0", DistributionStrategy.Equal, 10, 0, ["ana:5", "ben:3"], [0, 0] },
        // No needs.
        { "no needs", DistributionStrategy.Proportional, 10, null, [], [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Plan_gives_the_expected_units(string name, DistributionStrategy strategy, int supply, int? cap, string[] needs, int[] expected)
    {
        var plan = DistributionPlanner.Plan(supply, cap, strategy, Needs(needs));

        Units(plan).ShouldBe(expected, name);
        plan.Given.ShouldBe(expected.Sum());
        plan.LeftOver.ShouldBe(supply - expected.Sum());
        plan.Supply.ShouldBe(supply);
        plan.Strategy.ShouldBe(strategy);
    }

    [Fact]
    public void Totals_report_given_left_over_and_capped_demand()
    {
        var plan = DistributionPlanner.Plan(15, 6, DistributionStrategy.Full, Needs("ana:5", "ben:8", "ana:5"));

        plan.Given.ShouldBe(12);
        plan.LeftOver.ShouldBe(3);
        plan.Demand.ShouldBe(12);
        plan.Requested.ShouldBe(18);
        plan.MaxUnitsPerMember.ShouldBe(6);
        plan.Allocations.Select(a => (a.NeedId, a.MemberId, a.Requested)).ShouldBe([(Id(0), "ana", 5), (Id(1), "ben", 8), (Id(2), "ana", 5)]);
        plan.UnitsFor(Id(1)).ShouldBe(6);
        plan.UnitsFor(Guid.NewGuid()).ShouldBe(0);
    }

    [Theory]
    [InlineData(DistributionStrategy.Full, new[] { 3, 2, 0 })]
    [InlineData(DistributionStrategy.Equal, new[] { 2, 2, 1 })]
    [InlineData(DistributionStrategy.Proportional, new[] { 2, 2, 1 })]
    public void Earlier_means_created_earlier_whatever_the_order_given(DistributionStrategy strategy, int[] byCreation)
    {
        var needs = Needs("ana:3", "ben:3", "cy:3");

        var plan = DistributionPlanner.Plan(5, null, strategy, needs.Reverse().ToArray());

        plan.Allocations.Select(a => a.NeedId).ShouldBe([Id(2), Id(1), Id(0)], "allocations follow the order given");
        needs.Select(n => plan.UnitsFor(n.NeedId)).ShouldBe(byCreation);
    }

    [Theory]
    [InlineData(DistributionStrategy.Full, new[] { 3, 2, 0 })]
    [InlineData(DistributionStrategy.Equal, new[] { 2, 2, 1 })]
    [InlineData(DistributionStrategy.Proportional, new[] { 2, 2, 1 })]
    public void Needs_created_at_the_same_time_are_ordered_by_id(DistributionStrategy strategy, int[] byId)
    {
        NeedDemand[] needs = [new(Id(2), "cy", 3, T0), new(Id(0), "ana", 3, T0), new(Id(1), "ben", 3, T0)];

        var plan = DistributionPlanner.Plan(5, null, strategy, needs);

        new[] { Id(0), Id(1), Id(2) }.Select(plan.UnitsFor).ShouldBe(byId);
    }

    [Fact]
    public void Invalid_input_is_refused()
    {
        var ok = Needs("ana:1");
        Should.Throw<ArgumentOutOfRangeException>(() => DistributionPlanner.Plan(-1, null, DistributionStrategy.Full, ok));
        Should.Throw<ArgumentOutOfRangeException>(() => DistributionPlanner.Plan(1, -1, DistributionStrategy.Full, ok));
        Should.Throw<ArgumentOutOfRangeException>(() => DistributionPlanner.Plan(1, null, (DistributionStrategy)99, ok));
        Should.Throw<ArgumentException>(() => DistributionPlanner.Plan(1, null, DistributionStrategy.Equal, Needs("ana:0")));
        Should.Throw<ArgumentException>(() => DistributionPlanner.Plan(1, null, DistributionStrategy.Equal, [ok[0], ok[0]]));
        Should.Throw<ArgumentException>(() => DistributionPlanner.Plan(1, null, DistributionStrategy.Equal, [ok[0] with { MemberId = null! }]));
        Should.Throw<ArgumentNullException>(() => DistributionPlanner.Plan(1, null, DistributionStrategy.Equal, null!));
    }

    [Fact]
    public void Huge_numbers_do_not_overflow()
    {
        var needs = Needs("ana:2147483647", "ben:2147483647", "cy:2147483647");
        foreach (var strategy in Enum.GetValues<DistributionStrategy>())
        {
            var plan = DistributionPlanner.Plan(int.MaxValue, null, strategy, needs);
            plan.Given.ShouldBe(int.MaxValue, strategy.ToString());
            plan.Demand.ShouldBe(3L * int.MaxValue);
            plan.Allocations.ShouldAllBe(a => a.Units >= 0 && a.Units <= a.Requested);
        }
        // int.MaxValue = 3 × 715827882 + 1: the extra unit goes to the earliest need.
        Units(DistributionPlanner.Plan(int.MaxValue, null, DistributionStrategy.Equal, needs)).ShouldBe([715827883, 715827882, 715827882]);
        Units(DistributionPlanner.Plan(int.MaxValue, null, DistributionStrategy.Proportional, needs)).ShouldBe([715827883, 715827882, 715827882]);
    }

    // ---- Properties -------------------------------------------------------------------------------------------

    public sealed record Input(int Supply, int? Cap, DistributionStrategy Strategy, NeedDemand[] Needs)
    {
        public override string ToString() =>
            $"supply {Supply}, cap {Cap?.ToString() ?? "none"}, {Strategy}, needs [{string.Join(", ", Needs.Select(n => $"{n.MemberId}:{n.Units}@{(n.CreatedAt - T0).TotalMinutes}#{n.NeedId.ToString()[^4..]}"))}]";
    }

    private static Gen<Input> Inputs()
    {
        var smallUnits = Gen.Frequency((6, Gen.Choose(1, 12)), (2, Gen.Choose(1, 100)), (1, Gen.Elements(int.MaxValue, int.MaxValue - 1, 1_000_000_000)));
        var need = Gen.Zip(Gen.Zip(Gen.Elements("ana", "ben", "cy", "dee"), smallUnits), Gen.Zip(Gen.Choose(0, 5), Gen.Choose(0, 1_000_000)),
            (mu, tr) => (Member: mu.Item1, Units: mu.Item2, Minute: tr.Item1, Random: tr.Item2));
        var needs = Gen.Choose(0, 10).SelectMany(n => Gen.ArrayOf(need, n)).Select(list => list.Select((x, i) =>
            // Unique ids whose order is unrelated to the list's; a few creation minutes so ties happen.
            new NeedDemand(new Guid(x.Random, 0, 0, 0, 0, 0, 0, 0, 0, (byte)(i >> 8), (byte)i), x.Member, x.Units, T0.AddMinutes(x.Minute))).ToArray());
        var supply = Gen.Frequency((6, Gen.Choose(0, 40)), (2, Gen.Choose(0, 500)), (1, Gen.Elements(0, 1, int.MaxValue, int.MaxValue - 1)));
        var cap = Gen.Frequency((2, Gen.Constant<int?>(null)), (4, Gen.Choose(0, 15).Select(c => (int?)c)), (1, Gen.Constant<int?>(int.MaxValue)));
        return Gen.Zip(Gen.Zip(supply, cap), Gen.Zip(Gen.Elements(Enum.GetValues<DistributionStrategy>()), needs),
            (sc, sn) => new Input(sc.Item1, sc.Item2, sn.Item1, sn.Item2));
    }

    private static Task Property(string name, Action<Input, DistributionPlan> check) =>
        FuzzRunner.CheckAsync($"planner.{name}", Inputs(), 400, input =>
        {
            check(input, DistributionPlanner.Plan(input.Supply, input.Cap, input.Strategy, input.Needs));
            return Task.CompletedTask;
        });

    /// <summary>The test's own reading of the capped demand: per member, the earlier needs take the cap room first.</summary>
    private static Dictionary<Guid, long> CappedDemand(Input input)
    {
        var result = new Dictionary<Guid, long>();
        var room = new Dictionary<string, long>();
        foreach (var need in Ordered(input.Needs))
        {
            var left = room.GetValueOrDefault(need.MemberId, input.Cap ?? long.MaxValue);
            result[need.NeedId] = Math.Min(need.Units, left);
            room[need.MemberId] = left - result[need.NeedId];
        }
        return result;
    }

    private static NeedDemand[] Ordered(IEnumerable<NeedDemand> needs) => needs.OrderBy(n => n.CreatedAt).ThenBy(n => n.NeedId).ToArray();

    private static long MemberAsked(Input input, string member) => input.Needs.Where(n => n.MemberId == member).Sum(n => (long)n.Units);

    [Fact]
    public Task Allocations_are_within_need_member_cap_and_supply() => Property("bounds", (input, plan) =>
    {
        plan.Allocations.Count.ShouldBe(input.Needs.Length);
        plan.Allocations.Select(a => a.NeedId).ShouldBe(input.Needs.Select(n => n.NeedId));
        foreach (var (allocation, need) in plan.Allocations.Zip(input.Needs))
        {
            allocation.Units.ShouldBeGreaterThanOrEqualTo(0);
            allocation.Units.ShouldBeLessThanOrEqualTo(need.Units);
            allocation.Requested.ShouldBe(need.Units);
            allocation.MemberId.ShouldBe(need.MemberId);
        }
        var given = plan.Allocations.Sum(a => (long)a.Units);
        given.ShouldBeLessThanOrEqualTo(input.Supply);
        plan.Given.ShouldBe((int)given);
        plan.LeftOver.ShouldBe(input.Supply - plan.Given);
        if (input.Cap is { } cap)
        {
            foreach (var member in plan.Allocations.GroupBy(a => a.MemberId))
            {
                member.Sum(a => (long)a.Units).ShouldBeLessThanOrEqualTo(cap, $"member {member.Key}");
            }
        }
    });

    [Fact]
    public Task Nothing_is_held_back_while_someone_can_take_it() => Property("conserving", (input, plan) =>
    {
        var demand = CappedDemand(input).Values.Sum();
        plan.Demand.ShouldBe(demand);
        plan.Requested.ShouldBe(input.Needs.Sum(n => (long)n.Units));
        plan.Given.ShouldBe((int)Math.Min(input.Supply, demand));
    });

    [Fact]
    public Task With_enough_supply_every_member_gets_the_capped_demand() => Property("plenty", (input, plan) =>
    {
        if (input.Supply < plan.Demand)
        {
            return;
        }
        foreach (var member in plan.Allocations.GroupBy(a => a.MemberId))
        {
            member.Sum(a => (long)a.Units).ShouldBe(Math.Min(MemberAsked(input, member.Key), input.Cap ?? long.MaxValue), $"member {member.Key}");
        }
        if (input.Strategy != DistributionStrategy.Equal)
        {
            var capped = CappedDemand(input);
            plan.Allocations.ShouldAllBe(a => a.Units == capped[a.NeedId]);
        }
    });

    [Fact]
    public Task The_plan_depends_only_on_the_needs_not_their_order() => Property("deterministic", (input, plan) =>
    {
        var again = DistributionPlanner.Plan(input.Supply, input.Cap, input.Strategy, input.Needs);
        again.ShouldBe(plan with { Allocations = again.Allocations });
        again.Allocations.ShouldBe(plan.Allocations);
        var shuffled = input.Needs.Reverse().ToArray();
        var other = DistributionPlanner.Plan(input.Supply, input.Cap, input.Strategy, shuffled);
        foreach (var need in input.Needs)
        {
            other.UnitsFor(need.NeedId).ShouldBe(plan.UnitsFor(need.NeedId));
        }
    });

    [Fact]
    public Task Full_serves_in_order_of_creation() => Property("full", (input, plan) =>
    {
        if (input.Strategy != DistributionStrategy.Full)
        {
            return;
        }
        var capped = CappedDemand(input);
        var short_ = false;
        foreach (var need in Ordered(input.Needs))
        {
            var units = plan.UnitsFor(need.NeedId);
            if (short_)
            {
                units.ShouldBe(0, "a later need got units after an earlier one was left short");
            }
            short_ |= units < capped[need.NeedId];
        }
    });

    [Fact]
    public Task Equal_leaves_no_need_two_units_behind_another_unless_it_cannot_take_more() => Property("equal", (input, plan) =>
    {
        if (input.Strategy != DistributionStrategy.Equal)
        {
            return;
        }
        var ordered = Ordered(input.Needs);
        var memberTotal = plan.Allocations.GroupBy(a => a.MemberId).ToDictionary(g => g.Key, g => g.Sum(a => (long)a.Units));
        bool Full(NeedDemand n) => plan.UnitsFor(n.NeedId) == n.Units;
        bool AtCap(NeedDemand n) => input.Cap is { } cap && memberTotal[n.MemberId] >= cap;
        for (var i = 0; i < ordered.Length; i++)
        {
            for (var j = 0; j < ordered.Length; j++)
            {
                var (a, b) = (ordered[i], ordered[j]);
                var (ua, ub) = (plan.UnitsFor(a.NeedId), plan.UnitsFor(b.NeedId));
                // a has fewer than b: two fewer, or one fewer while created earlier (remainders go to the earliest).
                if (ub >= ua + 2 || (ub == ua + 1 && i < j))
                {
                    var sameMember = a.MemberId == b.MemberId;
                    (Full(a) || (!sameMember && AtCap(a))).ShouldBeTrue(
                        $"need {i} ({a.MemberId}) got {ua} and need {j} ({b.MemberId}) got {ub}, yet {i} could take more");
                }
            }
        }
    });

    [Fact]
    public Task Proportional_rounds_each_share_by_the_largest_remainder() => Property("proportional", (input, plan) =>
    {
        if (input.Strategy != DistributionStrategy.Proportional || input.Supply >= plan.Demand)
        {
            return;
        }
        var capped = CappedDemand(input);
        var ordered = Ordered(input.Needs);
        var demand = (Int128)plan.Demand;
        var floor = ordered.Select(n => (long)((Int128)input.Supply * capped[n.NeedId] / demand)).ToArray();
        var remainder = ordered.Select(n => (Int128)input.Supply * capped[n.NeedId] % demand).ToArray();
        var units = ordered.Select(n => plan.UnitsFor(n.NeedId)).ToArray();
        for (var i = 0; i < ordered.Length; i++)
        {
            units[i].ShouldBeInRange((int)floor[i], (int)floor[i] + (remainder[i] > 0 ? 1 : 0), $"need {i}");
        }
        for (var i = 0; i < ordered.Length; i++)
        {
            for (var j = 0; j < ordered.Length; j++)
            {
                // i got the extra unit, j with a remainder did not: i's remainder is larger, or equal and i is earlier.
                if (units[i] > floor[i] && units[j] == floor[j] && remainder[j] > 0)
                {
                    (remainder[i] > remainder[j] || (remainder[i] == remainder[j] && i < j)).ShouldBeTrue($"need {j} should have had the unit of need {i}");
                }
            }
        }
    });
}
