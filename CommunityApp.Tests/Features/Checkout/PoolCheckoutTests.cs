using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Checkout;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Pools;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Checkout;

/// <summary>
/// A pool's checkout links (docs/SPEC.md §19) on PostgreSQL: a manager's link for one item, taken from the pool's inventory
/// through the ledger, permanent until revoked, "all gone" while the pool is empty and open again when it is refilled.
/// </summary>
public sealed class PoolCheckoutTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private CheckoutService Service => fixture.Get<CheckoutService>();
    private PoolService Pools => fixture.Get<PoolService>();
    private CouncilService Councils => fixture.Get<CouncilService>();
    private ShareService Shares => fixture.Get<ShareService>();

    private sealed record Setup(Guid CommunityId, string Admin, string Manager, string Member, Guid CouncilId, Guid ItemId, Guid OtherItemId, Guid PoolId);

    /// <summary>A community with a council manager, a member (trust 10), a pool accepting rice (most 4 per member) and holding <paramref name="stock"/> kg.</summary>
    private async Task<Setup> SetUpAsync(int stock, int? maxPerMember = null)
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var manager = await fixture.AddMemberAsync(communityId, score: 25);
        var member = await fixture.AddMemberAsync(communityId, score: 10);
        var councilId = await Councils.CreateAsync(manager, communityId, new CouncilInput("Food pantry", "Collects food and hands it to who needs it."));
        var catalog = fixture.Get<CatalogService>();
        var itemId = await catalog.AddItemAsync(admin, communityId, "Rice (kg)", WealthKind.Object, null, null);
        var otherId = await catalog.AddItemAsync(admin, communityId, "Beans (kg)", WealthKind.Object, null, null);
        var poolId = await Pools.CreateAsync(manager, councilId, new PoolInput("Rice pool", "Rice for families.", [itemId], null, maxPerMember));
        var s = new Setup(communityId, admin, manager, member, councilId, itemId, otherId, poolId);
        if (stock > 0) await StockAsync(s, stock);
        return s;
    }

    private async Task StockAsync(Setup s, int units)
    {
        var giver = await fixture.AddMemberAsync(s.CommunityId, score: 10);
        var share = await Shares.CreateAsync(giver, s.CommunityId, new ShareInput("Rice for the pool", null, WealthKind.Object, units, ItemId: s.ItemId,
            Target: ShareTarget.Pool, TargetId: s.PoolId));
        await using var db = await fixture.NewContextAsync();
        await Councils.ConfirmContributionAsync(s.Manager, await db.Contributions.Where(c => c.ShareId == share).Select(c => c.Id).SingleAsync());
    }

    /// <summary>The pool's balance of rice, its checked-out ledger lines, and the checkouts recorded.</summary>
    private async Task<(int Balance, int CheckedOut, int Checkouts)> PoolRowsAsync(Setup s)
    {
        await using var db = await fixture.NewContextAsync();
        return (await db.InventoryBalances.Where(b => b.HolderId == s.PoolId && b.ItemId == s.ItemId).Select(b => b.Units).SingleOrDefaultAsync(),
            -await db.InventoryEntries.Where(e => e.PoolId == s.PoolId && e.Kind == InventoryEntryKind.CheckedOut).SumAsync(e => e.Units),
            await db.Checkouts.CountAsync(c => db.CheckoutLinks.Any(l => l.Id == c.LinkId && l.PoolId == s.PoolId)));
    }

    [Fact]
    public async Task Managers_and_admins_create_a_link_for_an_item_the_pool_accepts_and_it_is_audited()
    {
        var s = await SetUpAsync(stock: 0);

        var (linkId, token) = await Service.CreateForPoolAsync(s.Manager, s.PoolId, s.ItemId, new CheckoutLinkInput("Pantry door", 2));
        await Service.CreateForPoolAsync(s.Admin, s.PoolId, s.ItemId, new CheckoutLinkInput());

        (await Should.ThrowAsync<ForbiddenException>(() => Service.CreateForPoolAsync(s.Member, s.PoolId, s.ItemId, new CheckoutLinkInput())))
            .Message.ShouldBe("Only the managers of the pool's council and admins can do that.");
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.CreateForPoolAsync(s.Manager, s.PoolId, s.OtherItemId, new CheckoutLinkInput())))
            .Errors.ShouldBe(new Dictionary<string, string> { ["itemId"] = "Choose an item this pool accepts." });
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.CreateForPoolAsync(s.Manager, s.PoolId, null, new CheckoutLinkInput(new string('x', 101), 0))))
            .Errors.Keys.Order().ShouldBe(["cap", "itemId", "title"]);
        var links = await Service.ListForPoolAsync(s.Manager, s.PoolId);
        links.Total.ShouldBe(2);
        links.Items.Single(l => l.Id == linkId).ShouldSatisfyAllConditions(
            l => l.Title.ShouldBe("Pantry door"), l => l.ItemName.ShouldBe("Rice (kg)"), l => l.Url.ShouldBe($"{ServiceFixture.PublicBaseUrl}c/{s.CommunityId}/checkout/{token}"));
        await Should.ThrowAsync<ForbiddenException>(() => Service.ListForPoolAsync(s.Member, s.PoolId));
        await using var db = await fixture.NewContextAsync();
        (await db.AuditLog.Where(a => a.CommunityId == s.CommunityId && a.Action == AuditAction.CheckoutLinkCreated).Select(a => a.ActorId).ToListAsync())
            .Order().ShouldBe(new[] { s.Admin, s.Manager }.Order());
        (await db.CheckoutLinks.CountAsync(l => l.PoolId == s.PoolId)).ShouldBe(2);
    }

    [Fact]
    public async Task A_checkout_takes_units_out_of_the_pool_through_the_ledger_and_counts_the_link()
    {
        var s = await SetUpAsync(stock: 10);
        var (linkId, token) = await Service.CreateForPoolAsync(s.Manager, s.PoolId, s.ItemId, new CheckoutLinkInput("Pantry door", 3));

        var view = await Service.GetAsync(s.Member, s.CommunityId, token);
        (view.State, view.Title, view.OwnerName, view.UnitsLeft, view.UnitsOffered, view.MaxPerCheckout, view.PoolId, view.ShareId)
            .ShouldBe((CheckoutLinkState.Open, "Rice (kg)", "Rice pool", 10, (int?)null, 3, (Guid?)s.PoolId, (Guid?)null));
        await Service.CheckoutAsync(s.Member, s.CommunityId, token, 2);

        (await PoolRowsAsync(s)).ShouldBe((8, 2, 1));
        await using var db = await fixture.NewContextAsync();
        var line = await db.InventoryEntries.SingleAsync(e => e.PoolId == s.PoolId && e.Kind == InventoryEntryKind.CheckedOut);
        (line.Units, line.BalanceAfter, line.ActorId, line.CouncilId).ShouldBe((-2, 8, s.Member, s.CouncilId));
        line.Note.ShouldEndWith(" · Pantry door");
        (await db.Checkouts.SingleAsync(c => c.LinkId == linkId)).ShouldSatisfyAllConditions(c => c.RequestId.ShouldBeNull(), c => c.Units.ShouldBe(2), c => c.UserId.ShouldBe(s.Member));
        var link = (await Service.ListForPoolAsync(s.Manager, s.PoolId)).Items.Single();
        (link.UnitsGiven, link.CheckoutCount).ShouldBe((2, 1));
        (await Service.CheckoutsAsync(s.Manager, linkId)).Items.ShouldHaveSingleItem().Units.ShouldBe(2);
        (await Service.GetAsync(s.Member, s.CommunityId, token)).UnitsLeft.ShouldBe(8);
    }

    [Fact]
    public async Task The_link_cap_and_the_pools_most_per_member_bound_one_checkout_and_a_refusal_saves_nothing()
    {
        var s = await SetUpAsync(stock: 10, maxPerMember: 4);
        var (_, token) = await Service.CreateForPoolAsync(s.Manager, s.PoolId, s.ItemId, new CheckoutLinkInput(null, 6));

        (await Service.GetAsync(s.Member, s.CommunityId, token)).MaxPerCheckout.ShouldBe(4);
        foreach (var units in new[] { 0, -1, 5, int.MaxValue })
            (await Should.ThrowAsync<ValidationFailedException>(() => Service.CheckoutAsync(s.Member, s.CommunityId, token, units)))
                .Errors.ShouldBe(new Dictionary<string, string> { ["units"] = "Take from 1 to 4." });
        var weak = await fixture.AddMemberAsync(s.CommunityId, score: 4);
        (await Should.ThrowAsync<ForbiddenException>(() => Service.CheckoutAsync(weak, s.CommunityId, token, 1))).Message.ShouldBe("You need 5 trust to use checkout links; you have 4.");
        (await PoolRowsAsync(s)).ShouldBe((10, 0, 0));
    }

    [Fact]
    public async Task An_empty_pool_says_all_gone_and_the_same_link_works_again_once_the_pool_is_refilled()
    {
        var s = await SetUpAsync(stock: 3);
        var (_, token) = await Service.CreateForPoolAsync(s.Manager, s.PoolId, s.ItemId, new CheckoutLinkInput());

        (await Should.ThrowAsync<ValidationFailedException>(() => Service.CheckoutAsync(s.Member, s.CommunityId, token, 4)))
            .Errors["units"].ShouldBe("Not enough left: only 3 left.");
        await Service.CheckoutAsync(s.Member, s.CommunityId, token, 3);
        (await Service.GetAsync(s.Member, s.CommunityId, token)).State.ShouldBe(CheckoutLinkState.AllGone);
        (await Should.ThrowAsync<AppException>(() => Service.CheckoutAsync(s.Member, s.CommunityId, token, 1))).Message.ShouldBe("Not enough left: all gone.");

        await StockAsync(s, 5);

        var view = await Service.GetAsync(s.Member, s.CommunityId, token);
        (view.State, view.UnitsLeft).ShouldBe((CheckoutLinkState.Open, 5));
        await Service.CheckoutAsync(s.Member, s.CommunityId, token, 1);
        (await PoolRowsAsync(s)).ShouldBe((4, 4, 2));
    }

    [Fact]
    public async Task A_revoked_pool_link_stops_at_once_is_audited_and_only_managers_revoke_it()
    {
        var s = await SetUpAsync(stock: 5);
        var (linkId, token) = await Service.CreateForPoolAsync(s.Manager, s.PoolId, s.ItemId, new CheckoutLinkInput("Market"));

        await Should.ThrowAsync<ForbiddenException>(() => Service.RevokeAsync(s.Member, linkId));
        await Service.RevokeAsync(s.Manager, linkId);

        (await Service.GetAsync(s.Member, s.CommunityId, token)).State.ShouldBe(CheckoutLinkState.Revoked);
        (await Should.ThrowAsync<AppException>(() => Service.CheckoutAsync(s.Member, s.CommunityId, token, 1))).Message.ShouldBe("This checkout link was revoked by its owner.");
        (await PoolRowsAsync(s)).ShouldBe((5, 0, 0));
        await using var db = await fixture.NewContextAsync();
        (await db.AuditLog.SingleAsync(a => a.CommunityId == s.CommunityId && a.Action == AuditAction.CheckoutLinkRevoked)).Details.ShouldContain("Rice pool");
    }

    [Fact]
    public async Task Fifty_parallel_distributions_and_checkouts_give_out_exactly_the_twenty_units_the_pool_holds()
    {
        var s = await SetUpAsync(stock: 20);
        for (var i = 0; i < 10; i++) await Needs(s, await fixture.AddMemberAsync(s.CommunityId, score: 10), 5);
        var (_, token) = await Service.CreateForPoolAsync(s.Manager, s.PoolId, s.ItemId, new CheckoutLinkInput());
        var takers = new List<string>();
        for (var i = 0; i < 25; i++) takers.Add(await fixture.AddMemberAsync(s.CommunityId, score: 10));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            try
            {
                if (i % 2 == 0) return (await Pools.DistributeAsync(s.Manager, s.PoolId, s.ItemId, DistributionStrategy.Equal)).Given.Given;
                await Service.CheckoutAsync(takers[i / 2], s.CommunityId, token, 1);
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
        var checkedOut = await db.Checkouts.Where(c => db.CheckoutLinks.Any(l => l.Id == c.LinkId && l.PoolId == s.PoolId)).SumAsync(c => c.Units);
        (allocated + checkedOut).ShouldBe(20);
        (await PoolRowsAsync(s)).Balance.ShouldBe(0);
        (await db.InventoryEntries.Where(e => e.PoolId == s.PoolId).SumAsync(e => e.Units)).ShouldBe(0);
        (await db.CheckoutLinks.Where(l => l.PoolId == s.PoolId).Select(l => l.UnitsGiven).SingleAsync()).ShouldBe(checkedOut);
    }

    private Task<Guid> Needs(Setup s, string owner, int units) =>
        fixture.Get<CommunityApp.Features.Needs.NeedService>().CreateAsync(owner, s.CommunityId, new CommunityApp.Features.Needs.NeedInput(s.ItemId, null, null, units));
}
