using System.Globalization;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Wealth;

/// <summary>
/// The catalogue in English and Spanish (docs/SPEC.md §5.1) on PostgreSQL: the starter items of a new community, each
/// language's name unique ignoring case, renames that change and audit only what changed, search and lists in the viewer's
/// language.
/// </summary>
public sealed class CatalogNamesTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private CatalogService Catalog => fixture.Get<CatalogService>();

    private static void Speak(string culture) => CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = new CultureInfo(culture);

    [Fact]
    public async Task A_new_community_gets_the_starter_items_in_their_categories_named_in_English_and_Spanish()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();

        await using var db = await fixture.NewContextAsync();
        var categories = await db.ItemCategories.Where(c => c.CommunityId == communityId).ToListAsync();
        var items = await db.Items.Where(i => i.CommunityId == communityId).ToListAsync();
        string CategoryOf(Item item) => categories.Single(c => c.Id == item.CategoryId).Name;

        categories.Count.ShouldBe(15);
        categories.ShouldAllBe(c => c.NameEs != null);
        categories.Single(c => c.Name == "Food").NameEs.ShouldBe("Alimentos");
        categories.Single(c => c.Name == "Vegetables").ShouldSatisfyAllConditions(
            c => c.NameEs.ShouldBe("Verduras"), c => c.ParentId.ShouldBe(categories.Single(p => p.Name == "Food").Id));

        items.Count.ShouldBe(StarterCatalogue.Items.Count);
        items.Count.ShouldBeInRange(25, 40);
        items.Select(i => (i.Name, i.NameEs, i.Kind, CategoryOf(i))).ShouldBe(StarterCatalogue.Items.Select(s => (s.Name, (string?)s.NameEs, s.Kind, s.Category)), ignoreOrder: true);
        (string? NameEs, WealthKind Kind, string Category) Named(string name)
        {
            var item = items.Single(i => i.Name == name);
            return (item.NameEs, item.Kind, CategoryOf(item));
        }
        Named("Carrots").ShouldBe(("Zanahorias", WealthKind.Object, "Vegetables"));
        Named("Eggs").ShouldBe(("Huevos", WealthKind.Object, "Food"));
        Named("Drill").ShouldBe(("Taladro", WealthKind.Object, "Workshop"));
        Named("Childcare").ShouldBe(("Cuidado de niños", WealthKind.Service, "Care"));
        Named("Lift to town").ShouldBe(("Viaje en coche al pueblo", WealthKind.Service, "Transport"));
        // Every sub-category holds something, food, tools and services alike.
        categories.Where(c => c.ParentId != null).ShouldAllBe(c => items.Any(i => i.CategoryId == c.Id));
        // Stored as the catalogue stores names: composed, trimmed, with their comparison keys; by the community's creator.
        items.ShouldAllBe(i => Names.Normalize(i.Name) == i.Name && Names.Normalize(i.NameEs) == i.NameEs && !Names.HasHiddenCharacters(i.NameEs!));
        items.ShouldAllBe(i => i.NormalizedName == i.Name.ToUpperInvariant() && i.NormalizedNameEs == i.NameEs!.ToUpperInvariant());
        items.ShouldAllBe(i => i.CreatedBy == admin && i.ValuePoints == null && i.DeletedAt == null);
        items.Select(i => i.NormalizedName).ShouldBeUnique();
        items.Select(i => i.NormalizedNameEs).ShouldBeUnique();
    }

    [Fact]
    public async Task A_name_taken_in_either_language_ignoring_case_is_refused_with_its_field_and_nothing_is_saved()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var drill = await fixture.ItemIdAsync(communityId, "Drill");
        var vegetables = await CategoryIdAsync(communityId, "Vegetables");
        var before = await WriteCounter.WritesAsync(fixture.ConnectionString);

        var spanish = await Should.ThrowAsync<ValidationFailedException>(() => Catalog.AddItemAsync(admin, communityId, "Spring onions", WealthKind.Object, vegetables, null, " ZANAHORIAS "));
        spanish.Errors.ShouldBe(new Dictionary<string, string> { ["nameEs"] = "“ZANAHORIAS” already exists." });
        (await Should.ThrowAsync<ValidationFailedException>(() => Catalog.AddItemAsync(admin, communityId, "carrots", WealthKind.Object, null, null, "huevos")))
            .Errors.Keys.ShouldBe(["name", "nameEs"], ignoreOrder: true);
        (await Should.ThrowAsync<ValidationFailedException>(() => Catalog.AddItemAsync(admin, communityId, "Spring onions", WealthKind.Object, null, null, new string('c', 101))))
            .Errors.ShouldBe(new Dictionary<string, string> { ["nameEs"] = "Use at most 100 characters." });
        (await Should.ThrowAsync<ValidationFailedException>(() => Catalog.AddItemAsync(admin, communityId, "  ", WealthKind.Object, null, null, "Cebolletas\u200b")))
            .Errors.Keys.ShouldBe(["name", "nameEs"], ignoreOrder: true);
        (await Should.ThrowAsync<ValidationFailedException>(() => Catalog.RenameItemAsync(admin, communityId, drill, "Drill", "zanahorias")))
            .Errors.ShouldBe(new Dictionary<string, string> { ["nameEs"] = "“zanahorias” already exists." });
        var food = await CategoryIdAsync(communityId, "Food");
        (await Should.ThrowAsync<ValidationFailedException>(() => Catalog.AddCategoryAsync(admin, communityId, "Roots", food, "VERDURAS")))
            .Errors.ShouldBe(new Dictionary<string, string> { ["nameEs"] = "“VERDURAS” already exists." });

        (await WriteCounter.WritesAsync(fixture.ConnectionString)).ShouldBe(before, "a refusal writes nothing");
        await using var db = await fixture.NewContextAsync();
        (await db.Items.SingleAsync(i => i.Id == drill)).NameEs.ShouldBe("Taladro");

        // The same Spanish name on another item of another community is no clash.
        var (otherId, otherAdmin) = await fixture.CreateCommunityAsync("Other");
        await Catalog.RenameItemAsync(otherAdmin, otherId, await fixture.ItemIdAsync(otherId, "Drill"), "Drill", "Zanahorias de madera");
        await Catalog.AddItemAsync(admin, communityId, "Wooden carrots", WealthKind.Object, null, null, "Zanahorias de madera");
    }

    [Fact]
    public async Task Parallel_additions_of_one_Spanish_name_leave_one_item_and_refuse_the_rest_on_that_field()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async n =>
        {
            try
            {
                await Catalog.AddItemAsync(admin, communityId, $"Spring onions {n}", WealthKind.Object, null, null, "Cebolletas");
                return null;
            }
            catch (ValidationFailedException refused)
            {
                return refused.Errors;
            }
        }));

        outcomes.Count(o => o is null).ShouldBe(1);
        outcomes.OfType<IReadOnlyDictionary<string, string>>().ShouldAllBe(e => e.Count == 1 && e["nameEs"] == "“Cebolletas” already exists.");
        await using var db = await fixture.NewContextAsync();
        (await db.Items.CountAsync(i => i.CommunityId == communityId && i.NameEs == "Cebolletas")).ShouldBe(1);
        (await db.AuditLog.CountAsync(a => a.CommunityId == communityId && a.Action == AuditAction.ItemAdded)).ShouldBe(1);
    }

    [Fact]
    public async Task A_rename_changes_only_what_changed_and_audits_both_names_old_to_new()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var parsnips = await Catalog.AddItemAsync(admin, communityId, "Parsnips", WealthKind.Object, null, 1);

        await Catalog.RenameItemAsync(admin, communityId, parsnips, "Parsnips", " Chirivías ");
        var spanishOnly = await LoadAsync(parsnips);
        await Catalog.RenameItemAsync(admin, communityId, parsnips, "Parsnips (kg)", "Chirivías");
        await Catalog.RenameItemAsync(admin, communityId, parsnips, " Parsnips (kg) ", "Chirivías");
        var englishOnly = await LoadAsync(parsnips);
        await Catalog.RenameItemAsync(admin, communityId, parsnips, "Parsnips (kg)", "   ");

        spanishOnly.ShouldSatisfyAllConditions(
            i => (i.Name, i.NormalizedName).ShouldBe(("Parsnips", "PARSNIPS")), i => (i.NameEs, i.NormalizedNameEs).ShouldBe(("Chirivías", "CHIRIVÍAS")));
        englishOnly.ShouldSatisfyAllConditions(
            i => (i.Name, i.NormalizedName).ShouldBe(("Parsnips (kg)", "PARSNIPS (KG)")), i => i.NameEs.ShouldBe("Chirivías"), i => i.ValuePoints.ShouldBe(1));
        var cleared = await LoadAsync(parsnips);
        (cleared.Name, cleared.NameEs, cleared.NormalizedNameEs).ShouldBe(("Parsnips (kg)", null, null));
        await using var db = await fixture.NewContextAsync();
        // Three renames that changed something, each entry naming the item in both languages; the one that changed nothing wrote nothing.
        var entries = await db.AuditLog.Where(a => a.CommunityId == communityId && a.Action == AuditAction.ItemRenamed).OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)
            .Select(a => a.Details).ToListAsync();
        entries.Select(AuditDetails.Describe).ShouldBe([
            "name: Parsnips\nnameEs: — → Chirivías",
            "name: Parsnips → Parsnips (kg)\nnameEs: Chirivías",
            "name: Parsnips (kg)\nnameEs: Chirivías → —",
        ]);
        entries.ShouldAllBe(d => d.Contains($"\"itemId\":\"{parsnips}\""));
    }

    [Fact]
    public async Task Search_finds_an_item_by_either_name_and_lists_show_the_viewers_language()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId, score: 10);
        var carrots = await fixture.ItemIdAsync(communityId, "Carrots");
        var parsnips = await Catalog.AddItemAsync(admin, communityId, "Parsnips", WealthKind.Object, null, null);
        var shareId = await fixture.Get<ShareService>().CreateAsync(admin, communityId,
            new ShareInput("From the allotment", null, WealthKind.Object, 3, ItemId: carrots, CategoryId: await CategoryIdAsync(communityId, "Vegetables")));

        (await Catalog.ItemsAsync(member, communityId, "ZANAHOR")).Select(i => (i.Id, i.Name, i.EnglishName, i.SpanishName)).ShouldBe([(carrots, "Carrots", "Carrots", "Zanahorias")]);
        (await fixture.Get<WealthQueries>().GetAsync(member, communityId, shareId)).ShouldSatisfyAllConditions(
            d => d.ItemName.ShouldBe("Carrots"), d => d.Share.CategoryName.ShouldBe("Vegetables"));

        Speak("es");
        (await Catalog.ItemsAsync(member, communityId, "zanahor")).Select(i => (i.Id, i.Name)).ShouldBe([(carrots, "Zanahorias")]);
        (await Catalog.ItemsAsync(member, communityId, "carrot")).Select(i => i.Name).ShouldBe(["Zanahorias"]);
        var all = await Catalog.ItemsAsync(member, communityId);
        (all[0].Name, all[^1].Name).ShouldBe(("Arreglos de ropa", "Zanahorias"), "sorted by the Spanish names (Clothes mending first, Carrots last)");
        all.Single(i => i.Id == parsnips).Name.ShouldBe("Parsnips", "no Spanish name: the English one");
        (await fixture.Get<WealthQueries>().GetAsync(member, communityId, shareId)).ShouldSatisfyAllConditions(
            d => d.ItemName.ShouldBe("Zanahorias"), d => d.Share.CategoryName.ShouldBe("Verduras"));
        (await fixture.Get<WealthQueries>().CategoriesAsync(member, communityId)).Select(c => c.Name).ShouldContain("Herramientas");
        (await Should.ThrowAsync<ValidationFailedException>(() => Catalog.AddItemAsync(admin, communityId, "Beetroot", WealthKind.Object, null, null, "Zanahorias")))
            .Errors["nameEs"].ShouldBe("«Zanahorias» ya existe.");
    }

    private async Task<Guid> CategoryIdAsync(Guid communityId, string name)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.ItemCategories.Where(c => c.CommunityId == communityId && c.Name == name).Select(c => c.Id).SingleAsync();
    }

    private async Task<Item> LoadAsync(Guid itemId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Items.AsNoTracking().SingleAsync(i => i.Id == itemId);
    }
}
