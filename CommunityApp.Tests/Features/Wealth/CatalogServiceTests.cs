using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Wealth;

public sealed class CatalogServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private CatalogService Catalog => fixture.Get<CatalogService>();

    [Fact]
    public async Task Members_with_the_item_permission_manage_items_with_unique_names_ignoring_case()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var manager = await fixture.AddMemberAsync(communityId, featureRoles: FeatureRole.ItemManager);
        var member = await fixture.AddMemberAsync(communityId, score: 19);

        var parsnips = await Catalog.AddItemAsync(manager, communityId, "Parsnips", WealthKind.Object, null, 2);
        (await Should.ThrowAsync<ValidationFailedException>(() => Catalog.AddItemAsync(manager, communityId, " PARSNIPS ", WealthKind.Object, null, null))).Errors["name"].ShouldBe("“PARSNIPS” already exists.");
        (await Should.ThrowAsync<ForbiddenException>(() => Catalog.AddItemAsync(member, communityId, "Leeks", WealthKind.Object, null, null))).Message
            .ShouldBe("You need 20 trust to manage items and categories; you have 19.");
        var category = await Catalog.AddCategoryAsync(manager, communityId, " Roots ", null);
        (await Should.ThrowAsync<ValidationFailedException>(() => Catalog.AddCategoryAsync(manager, communityId, "roots", null))).Errors["name"].ShouldBe("“roots” already exists.");
        (await Should.ThrowAsync<ForbiddenException>(() => Catalog.AddCategoryAsync(member, communityId, "Herbs", null))).Message
            .ShouldBe("You need 20 trust to manage items and categories; you have 19.");

        // The starter items and the one accepted addition.
        var items = await Catalog.ItemsAsync(member, communityId);
        items.Count.ShouldBe(StarterCatalogue.Items.Count + 1);
        items.Single(i => i.Id == parsnips).ShouldSatisfyAllConditions(i => i.Name.ShouldBe("Parsnips"), i => i.ValuePoints.ShouldBe(2));
        await using var db = await fixture.NewContextAsync();
        // Only the accepted category is stored (trimmed, top level), and only its addition is audited, by the manager.
        var added = await db.ItemCategories.Where(c => c.CommunityId == communityId && (c.Name.ToLower() == "roots" || c.Name == "Herbs")).ToListAsync();
        added.ShouldHaveSingleItem().ShouldSatisfyAllConditions(c => c.Id.ShouldBe(category), c => c.Name.ShouldBe("Roots"), c => c.ParentId.ShouldBeNull());
        var audited = await db.AuditLog.Where(a => a.CommunityId == communityId && (a.Action == AuditAction.CategoryAdded || a.Action == AuditAction.ItemAdded)).ToListAsync();
        audited.Select(a => (a.Action, a.ActorId)).ShouldBe([(AuditAction.ItemAdded, manager), (AuditAction.CategoryAdded, manager)], ignoreOrder: true);
        audited.Single(a => a.Action == AuditAction.CategoryAdded).Details.ShouldContain($"\"categoryId\":\"{category}\"");
    }

    [Fact]
    public async Task An_item_with_active_shares_cannot_be_deleted()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var item = await Catalog.AddItemAsync(admin, communityId, "Angle grinder", WealthKind.Object, null, null);
        var shareId = await fixture.Get<ShareService>().CreateAsync(admin, communityId, new ShareInput("Cordless grinder", null, WealthKind.Object, 1, ItemId: item));

        (await Should.ThrowAsync<AppException>(() => Catalog.DeleteItemAsync(admin, communityId, item))).Message.ShouldBe("“Angle grinder” is offered by 1 active shares; it can be deleted once they end.");
        await fixture.Get<ShareService>().CancelShareAsync(admin, shareId);
        await Catalog.DeleteItemAsync(admin, communityId, item);

        (await Catalog.ItemsAsync(admin, communityId)).ShouldNotContain(i => i.Id == item);
    }
}
