using FsCheck.Fluent;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Checkout;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Pools;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;
using static CommunityApp.Tests.Features.Fuzz.Fuzz;

namespace CommunityApp.Tests.Features.Fuzz;

/// <summary>
/// Property-based fuzzing of councils, pools, needs and checkout links (docs/SPEC.md §6–8, §19), as
/// <see cref="CommunityFuzzTests"/> does for communities: every generated input is either accepted and stored by the rules,
/// or refused with the app's refusals only, a message per field, and a refused call changes no row.
/// </summary>
public sealed class CollectiveFuzzTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private const int Cases = 40;

    private T Get<T>() where T : notnull => fixture.Get<T>();

    private DateTime Now => fixture.Clock.GetUtcNow().UtcDateTime;

    /// <summary>A community whose admin manages a council with a pool accepting one item of the catalogue.</summary>
    private async Task<(Guid CommunityId, string Admin, Guid CouncilId, Guid PoolId, Guid ItemId)> SetUpAsync()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var itemId = await Get<CatalogService>().AddItemAsync(admin, communityId, "Rice " + Guid.NewGuid().ToString("N")[..6], WealthKind.Object, null, null);
        var councilId = await Get<CouncilService>().CreateAsync(admin, communityId, new CouncilInput("Food pantry", "Collects food and hands it to who needs it."));
        var poolId = await Get<PoolService>().CreateAsync(admin, councilId, new PoolInput("Rice pool", "Rice for families.", [itemId]));
        return (communityId, admin, councilId, poolId, itemId);
    }

    [Fact]
    public async Task Creating_and_editing_councils_with_hostile_names_and_descriptions()
    {
        var (communityId, admin, councilId, _, _) = await SetUpAsync();
        var gen = Gen.Zip(Hostile.Strings(Council.NameMinLength, Council.NameMaxLength), Hostile.Strings(Council.DescriptionMinLength, Council.DescriptionMaxLength));
        await CheckAsync("council.create-update", gen, Cases, async input =>
        {
            var council = new CouncilInput(input.Item1!, input.Item2!);
            Guid created = default;
            if (await RefusedChangesNothingAsync(fixture, async () => created = await Get<CouncilService>().CreateAsync(admin, communityId, council), "name", "description") is null)
                await CouncilShouldBeStoredAsync(created);
            if (await RefusedChangesNothingAsync(fixture, () => Get<CouncilService>().UpdateAsync(admin, councilId, council), "name", "description") is null)
                await CouncilShouldBeStoredAsync(councilId);
        });
    }

    private async Task CouncilShouldBeStoredAsync(Guid id)
    {
        await using var db = await fixture.NewContextAsync();
        var council = await db.Councils.AsNoTracking().SingleAsync(c => c.Id == id);
        ShouldBeStoredText(council.Name, Council.NameMaxLength, name: true);
        council.Name.Length.ShouldBeGreaterThanOrEqualTo(Council.NameMinLength);
        ShouldBeStoredText(council.Description, Council.DescriptionMaxLength);
        council.Description.Length.ShouldBeGreaterThanOrEqualTo(Council.DescriptionMinLength);
    }

    [Fact]
    public async Task Creating_and_editing_pools_with_hostile_fields()
    {
        var (_, admin, councilId, poolId, itemId) = await SetUpAsync();
        var gen = Hostile.All(
            Gen.Zip(Hostile.Strings(Pool.NameMinLength, Pool.NameMaxLength), Hostile.Strings(Pool.DescriptionMaxLength)),
            Gen.Zip(Hostile.NullableInts(1, Share.MaxUnits), Hostile.NullableInts(1, Share.MaxUnits)),
            Hostile.Guids(itemId));
        string[] fields = ["name", "description", "itemIds", "minContribution", "maxUnitsPerMember"];
        await CheckAsync("pool.create-update", gen, Cases, async input =>
        {
            var pool = new PoolInput(input.Item1.Item1!, input.Item1.Item2, input.Item3 is { } item ? [item] : [], input.Item2.Item1, input.Item2.Item2);
            Guid created = default;
            if (await RefusedChangesNothingAsync(fixture, async () => created = await Get<PoolService>().CreateAsync(admin, councilId, pool), fields) is null)
                await PoolShouldBeStoredAsync(created);
            if (await RefusedChangesNothingAsync(fixture, () => Get<PoolService>().UpdateAsync(admin, poolId, pool), fields) is null)
                await PoolShouldBeStoredAsync(poolId);
        });
    }

    private async Task PoolShouldBeStoredAsync(Guid id)
    {
        await using var db = await fixture.NewContextAsync();
        var pool = await db.Pools.AsNoTracking().SingleAsync(p => p.Id == id);
        ShouldBeStoredText(pool.Name, Pool.NameMaxLength, name: true);
        pool.Name.Length.ShouldBeGreaterThanOrEqualTo(Pool.NameMinLength);
        ShouldBeStoredText(pool.Description, Pool.DescriptionMaxLength);
        if (pool.MinContribution is { } min) min.ShouldBeInRange(1, Share.MaxUnits);
        if (pool.MaxUnitsPerMember is { } max) max.ShouldBeInRange(1, Share.MaxUnits);
        (await db.PoolItems.CountAsync(i => i.PoolId == id)).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Publishing_needs_with_hostile_fields()
    {
        var (communityId, admin, _, _, itemId) = await SetUpAsync();
        var gen = Hostile.All(
            Hostile.All(Hostile.Strings(Need.TitleMaxLength), Hostile.Strings(Need.DescriptionMaxLength), Hostile.Guids(itemId)),
            Hostile.All(Hostile.Ints(1, Need.MaxUnits), Hostile.Enum<NeedPriority>(), Hostile.Enum<NeedRecurrence>()),
            Hostile.NullableDates(() => Now, Need.MaxExpiryDays));
        string[] fields = ["itemId", "title", "description", "units", "priority", "recurrence", "expiresAt", "councilId"];
        await CheckAsync("need.create", gen, Cases, async input =>
        {
            var ((title, description, item), (units, priority, recurrence), expires) = input;
            var need = new NeedInput(item, title, description, units, priority, recurrence, ExpiresAt: expires);
            Guid created = default;
            if (await RefusedChangesNothingAsync(fixture, async () => created = await Get<NeedService>().CreateAsync(admin, communityId, need), fields) is not null) return;
            await using var db = await fixture.NewContextAsync();
            var stored = await db.Needs.AsNoTracking().SingleAsync(n => n.Id == created);
            ShouldBeStoredText(stored.Title, Need.TitleMaxLength);
            ShouldBeStoredText(stored.Description, Need.DescriptionMaxLength);
            (stored.ItemId is not null || !string.IsNullOrEmpty(stored.Title)).ShouldBeTrue("a need names an item or has a title");
            stored.Units.ShouldBeInRange(1, Need.MaxUnits);
            Enum.IsDefined(stored.Priority).ShouldBeTrue();
            Enum.IsDefined(stored.Recurrence).ShouldBeTrue();
            if (stored.ExpiresAt is { } until) until.ShouldBeInRange(Now.AddSeconds(-5), Now.AddDays(Need.MaxExpiryDays).AddSeconds(5));
        });
    }

    [Fact]
    public async Task Creating_checkout_links_and_checking_out_with_hostile_fields()
    {
        var (communityId, admin, _, poolId, itemId) = await SetUpAsync();
        var shareId = await Get<ShareService>().CreateAsync(admin, communityId, new ShareInput("Apricot jam", null, WealthKind.Object, 50));
        var member = await fixture.AddMemberAsync(communityId, score: 10);
        var (_, token) = await Get<CheckoutService>().CreateAsync(admin, shareId, new CheckoutLinkInput(null, 3));
        var gen = Hostile.All(Hostile.Strings(CheckoutLink.TitleMaxLength), Hostile.NullableInts(1, Share.MaxUnits), Hostile.Ints(1, 3, 50));
        await CheckAsync("checkout.links", gen, Cases, async input =>
        {
            var (title, cap, units) = input;
            var link = new CheckoutLinkInput(title, cap);
            (Guid Id, string Token) created = default;
            if (await RefusedChangesNothingAsync(fixture, async () => created = await Get<CheckoutService>().CreateForPoolAsync(admin, poolId, itemId, link), "itemId", "title", "cap") is null)
            {
                await using var db = await fixture.NewContextAsync();
                var stored = await db.CheckoutLinks.AsNoTracking().SingleAsync(l => l.Id == created.Id);
                ShouldBeStoredText(stored.Title, CheckoutLink.TitleMaxLength);
                if (stored.CapPerCheckout is { } storedCap) storedCap.ShouldBeInRange(1, Share.MaxUnits);
                await Get<CheckoutService>().RevokeAsync(admin, created.Id);
            }
            await RefusedChangesNothingAsync(fixture, () => Get<CheckoutService>().CheckoutAsync(member, communityId, token, units), "units");
        });
        await using var after = await fixture.NewContextAsync();
        var share = await after.Shares.AsNoTracking().SingleAsync(s => s.Id == shareId);
        (share.UnitsGiven + share.UnitsReserved).ShouldBeLessThanOrEqualTo(share.UnitsOffered);
        (await after.Checkouts.Where(c => after.CheckoutLinks.Any(l => l.Id == c.LinkId && l.ShareId == shareId)).SumAsync(c => c.Units)).ShouldBe(share.UnitsGiven);
    }
}
