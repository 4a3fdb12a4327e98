using System.Globalization;
using Bunit;
using MudBlazor;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Components;

/// <summary>Pages name items and categories in the viewer's language (docs/SPEC.md §5.1): the Spanish name under es, the English one under en.</summary>
public sealed class CatalogueLanguageTests(SqliteServiceFixture data) : IClassFixture<SqliteServiceFixture>
{
    private static void Speak(string culture) => CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = new CultureInfo(culture);

    [Theory]
    [InlineData("en", "Carrots", "Zanahorias", "Vegetables", "in Spanish: Zanahorias")]
    [InlineData("es", "Zanahorias", "Carrots", "Verduras", "en inglés: Carrots")]
    public async Task The_catalogue_page_names_items_and_categories_in_the_viewers_language(string culture, string carrots, string notShown, string vegetables, string otherName)
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        await using var context = PageTestContext.Create(data, admin);
        context.Render<MudPopoverProvider>();
        Speak(culture);

        var page = context.Render<CatalogPage>(p => p.Add(x => x.CommunityId, communityId));

        page.WaitForAssertion(() => page.FindAll("[data-testid=item-name]").Count.ShouldBe(StarterCatalogue.Items.Count));
        var names = page.FindAll("[data-testid=item-name]").Select(e => e.TextContent.Trim()).ToList();
        names.ShouldContain(carrots);
        names.ShouldNotContain(notShown);
        var row = page.FindAll("[data-testid=item]").Single(r => r.QuerySelector("[data-testid=item-name]")!.TextContent.Trim() == carrots);
        row.QuerySelector("[data-testid=item-other-name]")!.TextContent.Trim().ShouldBe(otherName, "whoever keeps the catalogue sees the other name too");
        page.FindAll("[data-testid=category]").Select(c => c.TextContent).ShouldContain(c => c.Contains(vegetables));
    }

    [Theory]
    [InlineData("en", "Carrots", "Vegetables", "Zanahorias")]
    [InlineData("es", "Zanahorias", "Verduras", "Carrots")]
    public async Task A_share_page_names_its_item_and_category_in_the_viewers_language(string culture, string carrots, string vegetables, string notShown)
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        var member = await data.AddMemberAsync(communityId, score: 10);
        var (item, category) = (await data.ItemIdAsync(communityId, "Carrots"), (await data.Get<CatalogService>().ItemsAsync(admin, communityId, "Carrots")).Single().CategoryId);
        var shareId = await data.Get<ShareService>().CreateAsync(admin, communityId, new ShareInput("From the allotment", null, WealthKind.Object, 3, ItemId: item, CategoryId: category));
        await using var context = PageTestContext.Create(data, member);
        context.Render<MudPopoverProvider>();
        Speak(culture);

        var page = context.Render<SharePage>(p => p.Add(x => x.CommunityId, communityId).Add(x => x.ShareId, shareId));

        page.WaitForAssertion(() => page.Find("[data-testid=share-what]").TextContent.ShouldContain($" · {carrots} · {vegetables}"));
        page.Find("[data-testid=share-what]").TextContent.ShouldNotContain(notShown);
    }
}
