using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Wealth;

/// <summary>The catalogue in full (docs/SPEC.md §5.1): rename items, search them, move and delete categories; what is in use stays.</summary>
public sealed class CatalogEditTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private CatalogService Catalog => fixture.Get<CatalogService>();

    [Fact]
    public async Task Items_are_renamed_to_free_names_only_searched_by_name_and_each_rename_is_audited()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId, score: 19);
        var parsnips = await Catalog.AddItemAsync(admin, communityId, "Parsnips", WealthKind.Object, null, null);
        await Catalog.AddItemAsync(admin, communityId, "Leeks", WealthKind.Object, null, null);

        (await Should.ThrowAsync<ValidationFailedException>(() => Catalog.RenameItemAsync(admin, communityId, parsnips, "LEEKS", null))).Errors["name"].ShouldBe("“LEEKS” already exists.");
        (await Should.ThrowAsync<ValidationFailedException>(() => Catalog.RenameItemAsync(admin, communityId, parsnips, " ", null))).Errors.Keys.ShouldBe(["name"]);
        await Should.ThrowAsync<ForbiddenException>(() => Catalog.RenameItemAsync(member, communityId, parsnips, "Swedes", null));
        await Catalog.RenameItemAsync(admin, communityId, parsnips, " Parsnips (kg) ", null);

        (await Catalog.ItemsAsync(member, communityId, "rsnips")).Select(i => i.Name).ShouldBe(["Parsnips (kg)"]);
        (await Catalog.ItemsAsync(member, communityId, "zzz")).ShouldBeEmpty();
        (await Catalog.ItemsAsync(member, communityId, null)).Count.ShouldBe(StarterCatalogue.Items.Count + 2);
        await using var db = await fixture.NewContextAsync();
        (await db.AuditLog.SingleAsync(a => a.CommunityId == communityId && a.Action == AuditAction.ItemRenamed)).Details.ShouldContain("Parsnips (kg)");
    }

    [Fact]
    public async Task A_category_in_use_stays_an_empty_one_is_deleted_and_moves_keep_the_catalogue_two_levels_deep()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var roots = await Catalog.AddCategoryAsync(admin, communityId, "Roots", null);
        var herbs = await Catalog.AddCategoryAsync(admin, communityId, "Herbs", null);
        var mint = await Catalog.AddCategoryAsync(admin, communityId, "Mint", herbs);
        await Catalog.AddItemAsync(admin, communityId, "Peppermint", WealthKind.Object, mint, null);

        (await Should.ThrowAsync<AppException>(() => Catalog.DeleteCategoryAsync(admin, communityId, mint))).Message
            .ShouldBe("“Mint” is in use (1 sub-categories, items or active shares): move or delete them first.");
        (await Should.ThrowAsync<ValidationFailedException>(() => Catalog.MoveCategoryAsync(admin, communityId, herbs, roots))).Errors["parentId"]
            .ShouldBe("“Herbs” has sub-categories, so it stays at the top level.");
        (await Should.ThrowAsync<ValidationFailedException>(() => Catalog.MoveCategoryAsync(admin, communityId, roots, mint))).Errors["parentId"]
            .ShouldBe("Categories are two levels deep: choose a top-level category.");

        await Catalog.MoveCategoryAsync(admin, communityId, mint, roots);
        await Catalog.DeleteCategoryAsync(admin, communityId, herbs);

        await using var db = await fixture.NewContextAsync();
        (await db.ItemCategories.SingleAsync(c => c.Id == mint)).ParentId.ShouldBe(roots);
        (await db.ItemCategories.AnyAsync(c => c.Id == herbs)).ShouldBeFalse();
        (await db.AuditLog.Where(a => a.CommunityId == communityId && (a.Action == AuditAction.CategoryMoved || a.Action == AuditAction.CategoryDeleted))
            .Select(a => a.Action).ToListAsync()).ShouldBe([AuditAction.CategoryMoved, AuditAction.CategoryDeleted], ignoreOrder: true);
    }
}
