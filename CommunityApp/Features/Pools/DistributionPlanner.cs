namespace CommunityApp.Features.Pools;

/// <summary>How a pool's supply is spread over the active needs (docs/SPEC.md §7).</summary>
public enum DistributionStrategy
{
    /// <summary>First come, first served: each need in order takes what it asks, up to its member's cap.</summary>
    Full,

    /// <summary>As evenly as possible over the needs (water-filling), the indivisible rest one each to the earliest.</summary>
    Equal,

    /// <summary>Each need in proportion to its capped demand, whole units by the largest remainder.</summary>
    Proportional,
}

/// <summary>One need offered to the planner: <paramref name="Units"/> ≥ 1 asked by <paramref name="MemberId"/>.</summary>
public readonly record struct NeedDemand(Guid NeedId, string MemberId, int Units, DateTime CreatedAt);

/// <summary>What the plan proposes for one need: <paramref name="Units"/> of the <paramref name="Requested"/> (0 allowed).</summary>
public readonly record struct PlannedAllocation(Guid NeedId, string MemberId, int Requested, int Units);

/// <summary>
/// A distribution preview. <see cref="Allocations"/> follow the order the needs were given in.
/// <see cref="Demand"/> is the capped demand (what unlimited supply would give: each member's asked units up to the cap),
/// <see cref="Requested"/> the units asked before caps; <see cref="Given"/> + <see cref="LeftOver"/> = <see cref="Supply"/>.
/// </summary>
public sealed record DistributionPlan(
    DistributionStrategy Strategy,
    int Supply,
    int? MaxUnitsPerMember,
    IReadOnlyList<PlannedAllocation> Allocations,
    int Given,
    int LeftOver,
    long Demand,
    long Requested)
{
    /// <summary>The units proposed for one need (0 when the need is not in the plan).</summary>
    public int UnitsFor(Guid needId)
    {
        foreach (var allocation in Allocations)
        {
            if (allocation.NeedId == needId)
            {
                return allocation.Units;
            }
        }
        return 0;
    }
}

/// <summary>
/// Pure, deterministic planning of a pool distribution (docs/SPEC.md §7; the rounding rules are in docs/ARCHITECTURE.md,
/// "Pool distribution"). "Earlier" always means earlier <see cref="NeedDemand.CreatedAt"/>, then the smaller
/// <see cref="NeedDemand.NeedId"/>, so the plan does not depend on the order the needs are given in. The member cap applies
/// per member across all their needs; within a member the earlier needs take the cap room first (Full, Proportional) or
/// share it evenly (Equal).
/// </summary>
public static class DistributionPlanner
{
    public static DistributionPlan Plan(int supply, int? maxUnitsPerMember, DistributionStrategy strategy, IReadOnlyList<NeedDemand> needs)
    {
        ArgumentNullException.ThrowIfNull(needs);
        ArgumentOutOfRangeException.ThrowIfNegative(supply);
        if (maxUnitsPerMember is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxUnitsPerMember), maxUnitsPerMember, "The cap per member cannot be negative.");
        }
        if (!Enum.IsDefined(strategy))
        {
            throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown distribution strategy.");
        }
        var ids = new HashSet<Guid>(needs.Count);
        foreach (var need in needs)
        {
            if (need.Units < 1)
            {
                throw new ArgumentException($"Need {need.NeedId} asks for {need.Units} units; a need asks for at least 1.", nameof(needs));
            }
            if (need.MemberId is null)
            {
                throw new ArgumentException($"Need {need.NeedId} has no member.", nameof(needs));
            }
            if (!ids.Add(need.NeedId))
            {
                throw new ArgumentException($"Need {need.NeedId} appears twice.", nameof(needs));
            }
        }

        var n = needs.Count;
        // Positions of the needs from the earliest to the latest.
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }
        Array.Sort(order, (a, b) => Earlier(needs[a], needs[b]));

        // Member index per need, and each member's needs in order (earliest first).
        var memberOf = new int[n];
        var memberIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var members = new List<List<int>>();
        foreach (var i in order)
        {
            if (!memberIndex.TryGetValue(needs[i].MemberId, out var m))
            {
                m = members.Count;
                memberIndex.Add(needs[i].MemberId, m);
                members.Add([]);
            }
            memberOf[i] = m;
            members[m].Add(i);
        }
        long cap = maxUnitsPerMember ?? long.MaxValue;

        // Capped demand per need: what unlimited supply gives it, the member's earlier needs taking the cap room first.
        var capped = new int[n];
        long demand = 0, requested = 0;
        foreach (var memberNeeds in members)
        {
            var room = cap;
            foreach (var i in memberNeeds)
            {
                capped[i] = (int)Math.Min(needs[i].Units, room);
                room -= capped[i];
                demand += capped[i];
                requested += needs[i].Units;
            }
        }

        var units = strategy switch
        {
            DistributionStrategy.Full => Full(supply, order, capped),
            DistributionStrategy.Equal => Equal(supply, needs, order, memberOf, members, cap, demand),
            _ => Proportional(supply, order, capped, demand),
        };

        var allocations = new PlannedAllocation[n];
        var given = 0;
        for (var i = 0; i < n; i++)
        {
            allocations[i] = new(needs[i].NeedId, needs[i].MemberId, needs[i].Units, units[i]);
            given += units[i];
        }
        return new(strategy, supply, maxUnitsPerMember, allocations, given, supply - given, demand, requested);
    }

    private static int Earlier(NeedDemand a, NeedDemand b)
    {
        var byTime = a.CreatedAt.Ticks.CompareTo(b.CreatedAt.Ticks);
        return byTime != 0 ? byTime : a.NeedId.CompareTo(b.NeedId);
    }

    /// <summary>In order, each need takes its capped demand while supply lasts.</summary>
    private static int[] Full(int supply, int[] order, int[] capped)
    {
        var units = new int[capped.Length];
        var left = supply;
        foreach (var i in order)
        {
            units[i] = Math.Min(capped[i], left);
            left -= units[i];
        }
        return units;
    }

    /// <summary>
    /// Water-filling: the highest whole level L such that giving every need min(units, L), each member's total cut to the
    /// cap, fits the supply; a member cut by the cap shares it evenly over their needs (the rest one each to their earliest);
    /// the units left (fewer than the needs that could take one more) go one each to the earliest needs that can take one.
    /// </summary>
    private static int[] Equal(int supply, IReadOnlyList<NeedDemand> needs, int[] order, int[] memberOf, List<List<int>> members, long cap, long demand)
    {
        var n = needs.Count;
        var units = new int[n];
        if (n == 0 || supply == 0)
        {
            return units;
        }
        var maxUnits = 0;
        foreach (var need in needs)
        {
            maxUnits = Math.Max(maxUnits, need.Units);
        }

        var level = maxUnits;
        if (supply < demand)
        {
            // Largest level whose total fits; the total grows with the level, and level 0 always fits.
            int low = 0, high = maxUnits;
            while (low < high)
            {
                var mid = (int)(low + ((long)high - low + 1) / 2);
                if (TotalAtLevel(needs, members, cap, mid) <= supply)
                {
                    low = mid;
                }
                else
                {
                    high = mid - 1;
                }
            }
            level = low;
        }

        long given = 0;
        var memberTotals = new long[members.Count];
        for (var m = 0; m < members.Count; m++)
        {
            var memberNeeds = members[m];
            long atLevel = 0;
            foreach (var i in memberNeeds)
            {
                atLevel += Math.Min(needs[i].Units, level);
            }
            if (atLevel <= cap)
            {
                foreach (var i in memberNeeds)
                {
                    units[i] = Math.Min(needs[i].Units, level);
                }
                memberTotals[m] = atLevel;
            }
            else
            {
                SpreadEvenly((int)cap, memberNeeds, needs, units);
                memberTotals[m] = cap;
            }
            given += memberTotals[m];
        }

        var left = supply - given;
        foreach (var i in order)
        {
            if (left == 0)
            {
                break;
            }
            if (units[i] < needs[i].Units && memberTotals[memberOf[i]] < cap)
            {
                units[i]++;
                memberTotals[memberOf[i]]++;
                left--;
            }
        }
        return units;
    }

    private static long TotalAtLevel(IReadOnlyList<NeedDemand> needs, List<List<int>> members, long cap, int level)
    {
        long total = 0;
        foreach (var memberNeeds in members)
        {
            long member = 0;
            foreach (var i in memberNeeds)
            {
                member += Math.Min(needs[i].Units, level);
            }
            total += Math.Min(member, cap);
        }
        return total;
    }

    /// <summary>Water-fills <paramref name="amount"/> (less than the needs ask together) over one member's needs.</summary>
    private static void SpreadEvenly(int amount, List<int> memberNeeds, IReadOnlyList<NeedDemand> needs, int[] units)
    {
        int low = 0, high = amount;
        while (low < high)
        {
            var mid = (int)(low + ((long)high - low + 1) / 2);
            long total = 0;
            foreach (var i in memberNeeds)
            {
                total += Math.Min(needs[i].Units, mid);
            }
            if (total <= amount)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }
        long left = amount;
        foreach (var i in memberNeeds)
        {
            units[i] = Math.Min(needs[i].Units, low);
            left -= units[i];
        }
        foreach (var i in memberNeeds)
        {
            if (left == 0)
            {
                break;
            }
            if (units[i] < needs[i].Units)
            {
                units[i]++;
                left--;
            }
        }
    }

    /// <summary>
    /// Each need's exact share is supply × capped / demand; each takes the whole part, and the units left go one each to the
    /// largest fractional parts, equal fractions to the earlier need. With supply ≥ demand every need takes its capped demand.
    /// </summary>
    private static int[] Proportional(int supply, int[] order, int[] capped, long demand)
    {
        var n = capped.Length;
        var units = new int[n];
        if (supply >= demand)
        {
            Array.Copy(capped, units, n);
            return units;
        }
        // supply < demand here, so demand > 0 and every product fits a long (both factors below 2^31).
        var remainders = new long[n];
        long left = supply;
        for (var i = 0; i < n; i++)
        {
            var exact = (long)supply * capped[i];
            units[i] = (int)(exact / demand);
            remainders[i] = exact % demand;
            left -= units[i];
        }
        if (left > 0)
        {
            // The fractional parts add up to `left`, each below 1, so more than `left` needs have one.
            var position = new int[n];
            for (var k = 0; k < n; k++)
            {
                position[order[k]] = k;
            }
            var rank = (int[])order.Clone();
            Array.Sort(rank, (a, b) =>
            {
                var byRemainder = remainders[b].CompareTo(remainders[a]);
                return byRemainder != 0 ? byRemainder : position[a].CompareTo(position[b]);
            });
            for (var k = 0; k < left; k++)
            {
                units[rank[k]]++;
            }
        }
        return units;
    }
}
