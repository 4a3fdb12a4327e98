using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Pools;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Pools;

/// <summary>Pools (docs/SPEC.md §7): creation, contributions into the pool, distribution from needs and shares from the pool, on PostgreSQL.</summary>
public sealed class PoolServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private PoolService Service => fixture.Get<PoolService>();
    private PoolQueries Queries => fixture.Get<PoolQueries>();
    private CouncilService Councils => fixture.Get<CouncilService>();
    private ShareService Shares => fixture.Get<ShareService>();
    private NeedService Needs => fixture.Get<NeedService>();

    private sealed record Setup(Guid CommunityId, string Admin, string Manager, string Member, Guid CouncilId, Guid ItemId, Guid OtherItemId, Guid PoolId);

    /// <summary>A community with an admin, a council manager, a plain member (trust 25), two items and a pool of the council accepting rice.</summary>
    private async Task<Setup> SetUpAsync(int? minContribution = null, int? maxPerMember = null)
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var manager = await fixture.AddMemberAsync(communityId, score: 25);
        var member = await fixture.AddMemberAsync(communityId, score: 25);
        var councilId = await Councils.CreateAsync(manager, communityId, new CouncilInput("Food pantry", "Collects food and hands it to who needs it."));
        var catalog = fixture.Get<CatalogService>();
        var itemId = await catalog.AddItemAsync(admin, communityId, "Rice (kg)", WealthKind.Object, null, null);
        var otherId = await catalog.AddItemAsync(admin, communityId, "Beans (kg)", WealthKind.Object, null, null);
        var poolId = await Service.CreateAsync(manager, councilId, new PoolInput("Rice pool", "Rice for families.", [itemId], minContribution, maxPerMember));
        return new Setup(communityId, admin, manager, member, councilId, itemId, otherId, poolId);
    }

    private Task<Guid> ContributeAsync(Setup s, string giver, int units, Guid? itemId = null) =>
        Shares.CreateAsync(giver, s.CommunityId, new ShareInput("Rice for the pool", null, WealthKind.Object, units, ItemId: itemId ?? s.ItemId,
            Target: ShareTarget.Pool, TargetId: s.PoolId));

    private async Task StockAsync(Setup s, int units)
    {
        var share = await ContributeAsync(s, s.Member, units);
        await using var db = await fixture.NewContextAsync();
        var contribution = await db.Contributions.Where(c => c.ShareId == share).Select(c => c.Id).SingleAsync();
        await Councils.ConfirmContributionAsync(s.Manager, contribution);
    }

    private async Task<Guid> NeedAsync(Setup s, string owner, int units) => await Needs.CreateAsync(owner, s.CommunityId, new NeedInput(s.ItemId, null, null, units));

    private async Task<(int Balance, int LedgerSum, int Lowest)> PoolInventoryAsync(Setup s)
    {
        await using var db = await fixture.NewContextAsync();
        var balance = await db.InventoryBalances.Where(b => b.HolderId == s.PoolId && b.ItemId == s.ItemId).Select(b => (int?)b.Units).SingleOrDefaultAsync() ?? 0;
        var lines = db.InventoryEntries.Where(e => e.PoolId == s.PoolId && e.ItemId == s.ItemId);
        return (balance, await lines.SumAsync(e => e.Units), await lines.MinAsync(e => (int?)e.BalanceAfter) ?? 0);
    }

    [Fact]
    public async Task Managers_and_admins_create_pools_others_are_refused_and_creation_is_audited()
    {
        var s = await SetUpAsync();
        // Trust alone (25 ≥ the pool threshold of 20) is not enough: a pool belongs to a council its creator manages.
        (await Should.ThrowAsync<ForbiddenException>(() => Service.CreateAsync(s.Member, s.CouncilId, new PoolInput("Bean pool", null, [s.OtherItemId]))))
            .Message.ShouldBe("Only the council's managers and admins can do that.");
        var adminPool = await Service.CreateAsync(s.Admin, s.CouncilId, new PoolInput("Bean pool", null, [s.OtherItemId, s.ItemId]));

        var detail = await Queries.GetAsync(s.Member, s.CommunityId, adminPool);
        detail.Items.Select(i => i.Name).ShouldBe(["Beans (kg)", "Rice (kg)"]);
        detail.MayManage.ShouldBeFalse();
        (await Queries.GetAsync(s.Manager, s.CommunityId, adminPool)).MayManage.ShouldBeTrue();
        (await Queries.ListAsync(s.Member, s.CommunityId, s.CouncilId, 0, 20)).Items.Select(p => p.Name).ShouldBe(["Bean pool", "Rice pool"]);
        await using var db = await fixture.NewContextAsync();
        (await db.AuditLog.Where(a => a.CommunityId == s.CommunityId && a.Action == AuditAction.PoolCreated).OrderBy(a => a.CreatedAt).Select(a => a.ActorId).ToListAsync())
            .ShouldBe([s.Manager, s.Admin]);
    }

    [Fact]
    public async Task Pool_fields_outside_their_rules_are_refused_with_field_messages_and_nothing_is_saved()
    {
        var s = await SetUpAsync();
        async Task<IReadOnlyDictionary<string, string>> Refused(PoolInput input) =>
            (await Should.ThrowAsync<ValidationFailedException>(() => Service.CreateAsync(s.Manager, s.CouncilId, input))).Errors;

        (await Refused(new PoolInput("ab", null, [s.ItemId])))["name"].ShouldBe("Use 3 to 100 characters.");
        (await Refused(new PoolInput(new string('x', 101), null, [s.ItemId])))["name"].ShouldBe("Use 3 to 100 characters.");
        (await Refused(new PoolInput("RICE POOL", null, [s.ItemId])))["name"].ShouldBe("“RICE POOL” already exists.");
        (await Refused(new PoolInput("Other pool", new string('y', 1001), [s.ItemId])))["description"].ShouldBe("Use at most 1000 characters.");
        (await Refused(new PoolInput("Other pool", null, [])))["itemIds"].ShouldBe("Choose at least one item.");
        (await Refused(new PoolInput("Other pool", null, [Guid.NewGuid()])))["itemIds"].ShouldBe("That item or category is not in this community's catalogue.");
        var limits = await Refused(new PoolInput("Other pool", null, [s.ItemId], 0, 0));
        limits.Keys.Order().ShouldBe(["maxUnitsPerMember", "minContribution"]);

        await using var db = await fixture.NewContextAsync();
        (await db.Pools.CountAsync(p => p.CouncilId == s.CouncilId)).ShouldBe(1);
        (await db.PoolItems.CountAsync(i => i.ItemId == s.ItemId || i.ItemId == s.OtherItemId)).ShouldBe(1);
    }

    [Fact]
    public async Task Contributions_must_bring_an_accepted_item_and_the_minimum_and_confirmed_units_enter_the_pool_not_the_council()
    {
        var s = await SetUpAsync(minContribution: 5);
        (await Should.ThrowAsync<ValidationFailedException>(() => ContributeAsync(s, s.Member, 6, s.OtherItemId))).Errors
            .ShouldBe(new Dictionary<string, string> { ["itemId"] = "This pool accepts only: Rice (kg)." });
        (await Should.ThrowAsync<ValidationFailedException>(() => ContributeAsync(s, s.Member, 4))).Errors
            .ShouldBe(new Dictionary<string, string> { ["units"] = "This pool takes at least 5 units per contribution." });
        (await Should.ThrowAsync<ValidationFailedException>(() => Shares.CreateAsync(s.Member, s.CommunityId,
            new ShareInput("Rice", null, WealthKind.Object, 6, ItemId: s.ItemId, Target: ShareTarget.Pool, TargetId: Guid.NewGuid())))).Errors["target"]
            .ShouldBe("Choose a pool of this community.");
        await using (var db = await fixture.NewContextAsync())
            (await db.Shares.CountAsync(x => x.CommunityId == s.CommunityId)).ShouldBe(0);

        await StockAsync(s, 6);

        await using var check = await fixture.NewContextAsync();
        var contribution = await check.Contributions.SingleAsync(c => c.CommunityId == s.CommunityId);
        (contribution.PoolId, contribution.CouncilId, contribution.Status).ShouldBe((s.PoolId, s.CouncilId, ContributionStatus.Confirmed));
        (await check.Notifications.Where(n => n.UserId == s.Manager && n.Kind == NotificationKind.ContributionAwaiting).Select(n => n.Link).SingleAsync())
            .ShouldEndWith($"/pools/{s.PoolId}");
        (await PoolInventoryAsync(s)).ShouldBe((6, 6, 6));
        (await check.InventoryBalances.AnyAsync(b => b.HolderId == s.CouncilId)).ShouldBeFalse();
        (await Councils.ConfirmContributionAsync(s.Manager, contribution.Id).ShouldThrowAsync<AppException>()).Message.ShouldBe("This contribution was already confirmed.");
        (await fixture.Get<CouncilQueries>().LedgerAsync(s.Manager, s.CommunityId, s.CouncilId, null, 0, 20)).Total.ShouldBe(0);
        (await Queries.LedgerAsync(s.Member, s.CommunityId, s.PoolId, 0, 20)).Items.Single().Kind.ShouldBe(InventoryEntryKind.Received);
        (await Queries.ContributionsAsync(s.Manager, s.CommunityId, s.PoolId)).Single().Units.ShouldBe(6);
    }

    [Fact]
    public async Task Proportional_distribution_gives_what_the_planner_proposes_and_records_each_allocation()
    {
        var s = await SetUpAsync();
        await StockAsync(s, 10);
        var ana = await fixture.AddMemberAsync(s.CommunityId, score: 10);
        var ben = await fixture.AddMemberAsync(s.CommunityId, score: 10);
        var cai = await fixture.AddMemberAsync(s.CommunityId, score: 10);
        var needs = new[] { await NeedAsync(s, ana, 5), await NeedAsync(s, ben, 8), await NeedAsync(s, cai, 7) };

        var preview = await Service.PreviewAsync(s.Manager, s.PoolId, s.ItemId, DistributionStrategy.Proportional);

        preview.Rows.Select(r => r.NeedId).ShouldBe(needs);
        preview.Rows.Select(r => r.Asked).ShouldBe([5, 8, 7]);
        // 10 × 5/20 = 2.5, 10 × 8/20 = 4, 10 × 7/20 = 3.5: whole parts 2, 4, 3; the last unit to the earlier of the equal remainders.
        preview.Rows.Select(r => r.Proposed).ShouldBe([3, 4, 3]);
        var planner = DistributionPlanner.Plan(10, null, DistributionStrategy.Proportional,
            [.. preview.Rows.Select(r => new NeedDemand(r.NeedId, r.MemberId, r.Asked, r.CreatedAt))]);
        preview.Rows.Select(r => r.Proposed).ShouldBe(planner.Allocations.Select(a => a.Units));
        await using (var before = await fixture.NewContextAsync())
            (await before.PoolAllocations.CountAsync(a => a.PoolId == s.PoolId)).ShouldBe(0);

        var result = await Service.DistributeAsync(s.Manager, s.PoolId, s.ItemId, DistributionStrategy.Proportional, preview);

        result.DiffersFromPreview.ShouldBeFalse();
        result.Given.Given.ShouldBe(10);
        await using var db = await fixture.NewContextAsync();
        var allocations = await db.PoolAllocations.Where(a => a.PoolId == s.PoolId).OrderBy(a => a.CreatedAt).ThenBy(a => a.Units).ToListAsync();
        allocations.Select(a => (a.NeedId, a.MemberId, a.Units)).OrderBy(a => a.MemberId)
            .ShouldBe(new[] { (needs[0], ana, 3), (needs[1], ben, 4), (needs[2], cai, 3) }.OrderBy(a => a.Item2));
        allocations.Select(a => a.DistributionId).Distinct().ShouldBe([result.DistributionId]);
        (await db.InventoryEntries.Where(e => e.PoolId == s.PoolId && e.Kind == InventoryEntryKind.Distributed).Select(e => e.Units).ToListAsync()).Order().ShouldBe([-4, -3, -3]);
        (await PoolInventoryAsync(s)).ShouldBe((0, 0, 0));
        // Served in part: the needs stay active, asking for what is still missing.
        (await db.Needs.Where(n => needs.Contains(n.Id)).Select(n => n.Status).ToListAsync()).ShouldAllBe(x => x == NeedStatus.Active);
        (await db.Notifications.Where(n => n.Kind == NotificationKind.PoolAllocated && (n.UserId == ana || n.UserId == ben || n.UserId == cai)).CountAsync()).ShouldBe(3);
        (await db.AuditLog.CountAsync(a => a.CommunityId == s.CommunityId && a.Action == AuditAction.PoolDistributed)).ShouldBe(1);

        await StockAsync(s, 20);
        var again = await Service.PreviewAsync(s.Manager, s.PoolId, s.ItemId, DistributionStrategy.Proportional);
        again.Rows.Select(r => r.Asked).ShouldBe([2, 4, 4]);
    }

    [Fact]
    public async Task Full_distribution_fulfils_needs_served_in_full_and_respects_the_cap_per_member()
    {
        var s = await SetUpAsync(maxPerMember: 6);
        await StockAsync(s, 12);
        var ana = await fixture.AddMemberAsync(s.CommunityId, score: 10);
        var ben = await fixture.AddMemberAsync(s.CommunityId, score: 10);
        var first = await NeedAsync(s, ana, 5);
        var second = await NeedAsync(s, ben, 9);

        var result = await Service.DistributeAsync(s.Manager, s.PoolId, s.ItemId, DistributionStrategy.Full);

        result.Given.Rows.Select(r => r.Proposed).ShouldBe([5, 6]);
        await using var db = await fixture.NewContextAsync();
        (await db.Needs.SingleAsync(n => n.Id == first)).Status.ShouldBe(NeedStatus.Fulfilled);
        (await db.Needs.SingleAsync(n => n.Id == second)).Status.ShouldBe(NeedStatus.Active);
        (await PoolInventoryAsync(s)).Balance.ShouldBe(1);
    }

    [Fact]
    public async Task A_need_cancelled_between_preview_and_confirm_is_left_out_and_the_manager_is_told_the_plan_changed()
    {
        var s = await SetUpAsync();
        await StockAsync(s, 10);
        var ana = await fixture.AddMemberAsync(s.CommunityId, score: 10);
        var ben = await fixture.AddMemberAsync(s.CommunityId, score: 10);
        var kept = await NeedAsync(s, ana, 4);
        var cancelled = await NeedAsync(s, ben, 4);
        var preview = await Service.PreviewAsync(s.Manager, s.PoolId, s.ItemId, DistributionStrategy.Equal);
        preview.Rows.Select(r => r.Proposed).ShouldBe([4, 4]);

        await Needs.CancelAsync(ben, cancelled);
        var result = await Service.DistributeAsync(s.Manager, s.PoolId, s.ItemId, DistributionStrategy.Equal, preview);

        result.DiffersFromPreview.ShouldBeTrue();
        result.Given.Rows.Select(r => (r.NeedId, r.Proposed)).ShouldBe([(kept, 4)]);
        await using var db = await fixture.NewContextAsync();
        (await db.PoolAllocations.Where(a => a.PoolId == s.PoolId).Select(a => a.NeedId).ToListAsync()).ShouldBe([kept]);
        (await db.Needs.SingleAsync(n => n.Id == cancelled)).Status.ShouldBe(NeedStatus.Cancelled);
        (await PoolInventoryAsync(s)).Balance.ShouldBe(6);
    }

    [Fact]
    public async Task Distributing_is_for_managers_only_and_refuses_when_there_is_nothing_to_give()
    {
        var s = await SetUpAsync();
        (await Should.ThrowAsync<ForbiddenException>(() => Service.PreviewAsync(s.Member, s.PoolId, s.ItemId, DistributionStrategy.Full)))
            .Message.ShouldBe("Only the managers of the pool's council and admins can do that.");
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.PreviewAsync(s.Manager, s.PoolId, s.OtherItemId, DistributionStrategy.Full)))
            .Errors["itemId"].ShouldBe("Choose an item this pool accepts.");
        await NeedAsync(s, s.Member, 3);
        (await Should.ThrowAsync<AppException>(() => Service.DistributeAsync(s.Manager, s.PoolId, s.ItemId, DistributionStrategy.Full)))
            .Message.ShouldBe("The pool holds none of this item.");
        await using var db = await fixture.NewContextAsync();
        (await db.PoolAllocations.CountAsync(a => a.PoolId == s.PoolId)).ShouldBe(0);
        (await db.AuditLog.CountAsync(a => a.CommunityId == s.CommunityId && a.Action == AuditAction.PoolDistributed)).ShouldBe(0);
    }

    [Fact]
    public async Task A_share_from_the_pool_takes_its_units_out_and_gives_back_what_it_did_not_give_when_cancelled()
    {
        var s = await SetUpAsync();
        await StockAsync(s, 10);
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.ShareFromPoolAsync(s.Manager, s.PoolId, new CouncilShareInput(s.ItemId, 11, "Rice", null))))
            .Errors["units"].ShouldBe("Not enough in the inventory: 10 left.");
        var share = await Service.ShareFromPoolAsync(s.Manager, s.PoolId, new CouncilShareInput(s.ItemId, 4, "Rice to take", null));
        (await PoolInventoryAsync(s)).Balance.ShouldBe(6);
        var shown = (await fixture.Get<WealthQueries>().GetAsync(s.Member, s.CommunityId, share)).Share;
        (shown.PoolId, shown.PoolName, shown.CouncilId).ShouldBe((s.PoolId, "Rice pool", s.CouncilId));

        await Shares.CancelShareAsync(s.Manager, share);

        (await PoolInventoryAsync(s)).ShouldBe((10, 10, 6));
        await using var db = await fixture.NewContextAsync();
        (await db.Shares.SingleAsync(x => x.Id == share)).SourcePoolId.ShouldBe(s.PoolId);
        (await db.InventoryEntries.Where(e => e.PoolId == s.PoolId).OrderBy(e => e.CreatedAt).Select(e => e.Kind).ToListAsync())
            .ShouldBe([InventoryEntryKind.Received, InventoryEntryKind.SharedOut, InventoryEntryKind.Returned]);
        (await db.AuditLog.CountAsync(a => a.CommunityId == s.CommunityId && a.Action == AuditAction.PoolShared)).ShouldBe(1);
    }

    [Fact]
    public async Task Fifty_parallel_distributions_and_shares_give_out_exactly_the_twenty_units_the_pool_holds()
    {
        var s = await SetUpAsync();
        await StockAsync(s, 20);
        for (var i = 0; i < 10; i++) await NeedAsync(s, await fixture.AddMemberAsync(s.CommunityId, score: 10), 5);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            try
            {
                if (i % 2 == 0) return (await Service.DistributeAsync(s.Manager, s.PoolId, s.ItemId, DistributionStrategy.Equal)).Given.Given;
                await Service.ShareFromPoolAsync(s.Manager, s.PoolId, new CouncilShareInput(s.ItemId, 1, $"Rice {i}", null));
                return 1;
            }
            catch (AppException)
            {
                return 0;
            }
        }));

        outcomes.Sum().ShouldBe(20);
        await using var db = await fixture.NewContextAsync();
        var allocated = await db.PoolAllocations.Where(a => a.PoolId == s.PoolId).SumAsync(a => a.Units);
        var shared = await db.Shares.Where(x => x.SourcePoolId == s.PoolId).SumAsync(x => x.UnitsOffered);
        (allocated + shared).ShouldBe(20);
        (await PoolInventoryAsync(s)).ShouldBe((0, 0, 0));
        (await db.Needs.Where(n => n.CommunityId == s.CommunityId).SumAsync(n => n.Units)).ShouldBe(50);
    }

    [Fact]
    public async Task Managers_edit_a_pool_the_audit_lists_what_changed_and_an_item_still_held_or_linked_stays()
    {
        var s = await SetUpAsync();
        await StockAsync(s, 4);
        var outsider = await fixture.AddMemberAsync(s.CommunityId, score: 50);
        var otherPool = await Service.CreateAsync(s.Manager, s.CouncilId, new PoolInput("Bean pool", "Beans.", [s.OtherItemId]));

        await Service.UpdateAsync(s.Manager, s.PoolId, new PoolInput("Rice and beans", "Rice and beans for families.", [s.ItemId, s.OtherItemId], 2, 5));

        var pool = await Queries.GetAsync(s.Member, s.CommunityId, s.PoolId);
        (pool.Name, pool.Description, pool.MinContribution, pool.MaxUnitsPerMember).ShouldBe(("Rice and beans", "Rice and beans for families.", (int?)2, (int?)5));
        pool.Items.Select(i => i.ItemId).Order().ShouldBe(new[] { s.ItemId, s.OtherItemId }.Order());
        await using (var db = await fixture.NewContextAsync())
        {
            var audit = await db.AuditLog.SingleAsync(a => a.CommunityId == s.CommunityId && a.Action == AuditAction.PoolEdited);
            audit.ActorId.ShouldBe(s.Manager);
            audit.Details.ShouldContain("Rice pool");
            audit.Details.ShouldContain("Rice and beans");
            audit.Details.ShouldContain("\"added\":1");
        }

        // Refusals: not a manager; a name another pool of the council has; rice still held; beans with an open link.
        var same = new PoolInput("Rice and beans", "Rice and beans for families.", [s.OtherItemId], 2, 5);
        (await Should.ThrowAsync<ForbiddenException>(() => Service.UpdateAsync(outsider, s.PoolId, same))).Message.ShouldBe("Only the managers of the pool's council and admins can do that.");
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.UpdateAsync(s.Manager, s.PoolId, same with { Name = "bean POOL", ItemIds = [s.ItemId, s.OtherItemId] })))
            .Errors.ShouldBe(new Dictionary<string, string> { ["name"] = "“bean POOL” already exists." });
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.UpdateAsync(s.Manager, s.PoolId, same)))
            .Errors.ShouldBe(new Dictionary<string, string> { ["itemIds"] = "The pool still holds 4 of Rice (kg): hand them out before it stops accepting them." });
        await fixture.Get<CommunityApp.Features.Checkout.CheckoutService>().CreateForPoolAsync(s.Manager, s.PoolId, s.OtherItemId, new());
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.UpdateAsync(s.Manager, s.PoolId, same with { ItemIds = [s.ItemId] })))
            .Errors.ShouldBe(new Dictionary<string, string> { ["itemIds"] = "An open checkout link gives Beans (kg): revoke it before the pool stops accepting it." });

        // Saving what is there changes nothing and writes no audit entry.
        await Service.UpdateAsync(s.Admin, s.PoolId, new PoolInput("Rice and beans", "Rice and beans for families.", [s.OtherItemId, s.ItemId], 2, 5));
        await using var after = await fixture.NewContextAsync();
        (await after.AuditLog.CountAsync(a => a.CommunityId == s.CommunityId && a.Action == AuditAction.PoolEdited)).ShouldBe(1);
        (await after.Pools.Where(p => p.Id == otherPool).Select(p => p.Name).SingleAsync()).ShouldBe("Bean pool");
    }
}
