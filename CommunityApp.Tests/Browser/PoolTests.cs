using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>
/// The pool journey of the issue (docs/SPEC.md §7, §8, §19): the council's manager creates a pool on the council page; a
/// member on a phone gives 10 kg of rice to it and the manager confirms; three members need rice (one publishes on the
/// phone); the manager previews a proportional distribution and gives it, and each member's open page shows their
/// allocation without a reload; then another member takes 2 kg of beans through the pool's checkout link on a phone.
/// </summary>
public sealed class PoolTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task A_pool_is_filled_distributed_proportionally_with_allocations_shown_live_and_checked_out_on_a_phone()
    {
        await using var managerContext = await NewContextAsync();
        var manager = await managerContext.NewPageAsync();
        await SignUpAsync(manager, "maria", "Maria Manager");
        await using var nadiaContext = await Browser.NewContextAsync(BaseUrl, phone: true);
        var nadia = await nadiaContext.NewPageAsync();
        await SignUpAsync(nadia, "nadia", "Nadia Member");
        await using var omarContext = await NewContextAsync();
        var omar = await omarContext.NewPageAsync();
        await SignUpAsync(omar, "omar", "Omar Member");
        await using var piaContext = await NewContextAsync();
        var pia = await piaContext.NewPageAsync();
        await SignUpAsync(pia, "pia", "Pia Member");
        await using var carlaContext = await Browser.NewContextAsync(BaseUrl, phone: true);
        var carla = await carlaContext.NewPageAsync();
        await SignUpAsync(carla, "carla", "Carla Scanner");
        var (communityId, councilId) = await SetUpAsync();
        var urls = CommunityApp.Components.CommunityUrls.For(communityId);

        // The manager creates the pool on the council page.
        await manager.OpenAsync(urls.Council(councilId));
        await manager.GetByRole(AriaRole.Tab, new() { Name = "Pools" }).ClickAsync();
        await manager.GetByLabel("Council name").FillAsync("Rice pool");
        await manager.GetByLabel("Description").FillAsync("Rice and beans for families.");
        await manager.Locator(".mud-select").Filter(new() { Has = manager.Locator("label", new() { HasTextString = "Accepted items" }) }).Locator(".mud-input-control").ClickAsync();
        await manager.GetByRole(AriaRole.Option, new() { Name = "Rice (kg)" }).ClickAsync();
        await manager.GetByRole(AriaRole.Option, new() { Name = "Beans (kg)" }).ClickAsync();
        await manager.Keyboard.PressAsync("Escape");
        await manager.GetByRole(AriaRole.Button, new() { Name = "Create pool" }).ClickAsync();
        await Expect(manager.GetByTestId("pool-name")).ToHaveTextAsync("Rice pool");
        var poolId = Guid.Parse(manager.Url.Split('/').Last());
        await manager.GetByRole(AriaRole.Button, new() { Name = "Edit pool" }).ClickAsync();
        await manager.GetByTestId("pool-edit").GetByLabel("Description").FillAsync("Rice and beans for families, every Saturday.");
        await manager.GetByTestId("pool-edit").GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(manager.GetByText("Rice and beans for families, every Saturday.")).ToBeVisibleAsync();
        await StockBeansAsync(communityId, poolId, 5);

        // A member gives 10 kg through the pool page on a phone; the manager's open page shows it and they confirm receipt.
        await nadia.OpenAsync(urls.Pool(poolId));
        await nadia.GetByRole(AriaRole.Link, new() { Name = "Give to the pool" }).ClickAsync();
        await ChooseAsync(nadia, "Item", "Rice (kg)");
        await nadia.GetByLabel("Title").FillAsync("Rice from the wholesaler");
        await nadia.GetByLabel("Units", new() { Exact = true }).FillAsync("10");
        await nadia.GetByRole(AriaRole.Button, new() { Name = "Share it" }).ClickAsync();
        await Expect(nadia.GetByTestId("share-council")).ToContainTextAsync("A contribution to Rice pool");
        await manager.GetByRole(AriaRole.Button, new() { Name = "Confirm receipt of Nadia Member's contribution" }).ClickAsync();
        await Expect(manager.GetByTestId("pool-inventory-row").Filter(new() { HasTextString = "Rice" })).ToHaveTextAsync("Rice (kg)10");

        // Three members need rice: Nadia publishes hers on the phone; Omar and Pia already have theirs.
        await nadia.OpenAsync(urls.NewNeed);
        await ChooseAsync(nadia, "Item", "Rice (kg)");
        await nadia.GetByLabel("Units", new() { Exact = true }).FillAsync("8");
        await nadia.GetByRole(AriaRole.Button, new() { Name = "Publish need" }).ClickAsync();
        await Expect(nadia.GetByRole(AriaRole.Heading, new() { Name = "Rice (kg)" })).ToBeVisibleAsync();
        foreach (var page in new[] { nadia, omar, pia })
        {
            await page.OpenAsync(urls.Pool(poolId));
            await Expect(page.GetByText("Nothing distributed yet.")).ToBeVisibleAsync();
        }

        // Proportional over 20 kg asked with 10 kg held: 8 → 4, 6 → 3, 6 → 3.
        await manager.ReloadAsync();
        await manager.WaitForInteractiveAsync();
        await ChooseAsync(manager, "Item", "Rice (kg)");
        await manager.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Expect(manager.GetByTestId("preview-summary")).ToHaveTextAsync("10 in the pool, 10 would be given, 0 left.");
        await Expect(manager.GetByTestId("preview-row")).ToHaveTextAsync(["Omar Member63", "Pia Member63", "Nadia Member84"]);
        await manager.CheckPageAsync("70-pool-preview");
        await manager.GetByRole(AriaRole.Button, new() { Name = "Give these units" }).ClickAsync();
        await manager.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Give these units" }).ClickAsync();
        await Expect(manager.GetByTestId("allocation")).ToHaveCountAsync(3);

        // Each member's open page follows, and each hears of their own allocation, without a reload (Nadia heard of her
        // confirmed contribution before).
        foreach (var (page, name, units, unread) in new[] { (nadia, "Nadia Member", 4, 2), (omar, "Omar Member", 3, 1), (pia, "Pia Member", 3, 1) })
        {
            await Expect(page.GetByTestId("allocation").Filter(new() { HasTextString = name })).ToContainTextAsync($"{name} · {units} × Rice (kg)");
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Notifications, {unread} unread" })).ToBeVisibleAsync();
        }
        await nadia.CheckPageAsync("71-pool-allocated-phone");

        // The manager makes a checkout link for the beans; Carla takes 2 kg on her phone.
        await ChooseAsync(manager, "Item", "Beans (kg)", within: manager.GetByTestId("checkout-links"));
        await manager.GetByLabel("Title (optional)").FillAsync("Pantry door");
        await manager.GetByRole(AriaRole.Button, new() { Name = "Create checkout link" }).ClickAsync();
        await Expect(manager.GetByTestId("checkout-link")).ToContainTextAsync("Pantry door · Beans (kg)");
        var url = (await manager.GetByTestId("checkout-url").TextContentAsync())!;
        await manager.CheckPageAsync("72-pool-checkout-links");

        await carla.OpenAsync(new Uri(url).PathAndQuery);
        await Expect(carla.GetByTestId("checkout-share")).ToHaveTextAsync("Beans (kg)");
        await Expect(carla.GetByTestId("checkout-left")).ToHaveTextAsync("5 left");
        await carla.GetByRole(AriaRole.Button, new() { Name = "One more" }).ClickAsync();
        await Expect(carla.GetByTestId("checkout-confirm")).ToHaveTextAsync("Take 2");
        await carla.CheckPageAsync("73-pool-checkout-phone");
        await carla.GetByTestId("checkout-confirm").ClickAsync();
        await Expect(carla.GetByTestId("checkout-done")).ToHaveTextAsync("You took 2 of “Beans (kg)”.");
        await Expect(carla.GetByTestId("checkout-left")).ToHaveTextAsync("3 left");

        // The manager's page shows the pool's beans, the link's count and the ledger line, live.
        await Expect(manager.GetByTestId("pool-inventory-row").Filter(new() { HasTextString = "Beans" })).ToHaveTextAsync("Beans (kg)3");
        await Expect(manager.GetByTestId("link-stats")).ToHaveTextAsync("2 units given in 1 checkouts");
        await Expect(manager.GetByText("Taken through a checkout link")).ToBeVisibleAsync();
    }

    /// <summary>
    /// A community run by Maria (admin) with a council she manages and Nadia, Omar, Pia and Carla as members with enough
    /// trust for needs and checkouts; rice and beans in the catalogue; Omar needs 6 kg of rice, then Pia 6 kg (Nadia's
    /// comes last, from the phone).
    /// </summary>
    private async Task<(Guid CommunityId, Guid CouncilId)> SetUpAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var ids = await db.Users.Where(u => new[] { "maria", "nadia", "omar", "pia", "carla" }.Contains(u.UserName!)).ToDictionaryAsync(u => u.UserName!, u => u.Id);
        var maria = ids["maria"];
        var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(maria, new("Pool Commons", null));
        var invites = services.GetRequiredService<InviteService>();
        var (_, secret) = await invites.CreateLinkAsync(maria, communityId, new("Neighbours", MemberRole.Member, DateTime.UtcNow.AddDays(1), null));
        foreach (var name in new[] { "nadia", "omar", "pia", "carla" })
        {
            await invites.RedeemLinkAsync(ids[name], secret);
            await services.GetRequiredService<TrustService>().SetAdminGrantAsync(maria, communityId, ids[name], 5);
        }
        var catalog = services.GetRequiredService<CatalogService>();
        var rice = await catalog.AddItemAsync(maria, communityId, "Rice (kg)", WealthKind.Object, null, null);
        await catalog.AddItemAsync(maria, communityId, "Beans (kg)", WealthKind.Object, null, null);
        var councilId = await services.GetRequiredService<CouncilService>().CreateAsync(maria, communityId, new CouncilInput("Food pantry", "Collects food and hands it to who needs it."));
        var needs = services.GetRequiredService<NeedService>();
        await needs.CreateAsync(ids["omar"], communityId, new NeedInput(rice, null, null, 6));
        await needs.CreateAsync(ids["pia"], communityId, new NeedInput(rice, null, null, 6));
        await db.Notifications.ExecuteDeleteAsync();
        return (communityId, councilId);
    }

    /// <summary>Carla gives the pool <paramref name="units"/> kg of beans and Maria confirms them (before anyone watches).</summary>
    private async Task StockBeansAsync(Guid communityId, Guid poolId, int units)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var maria = await db.Users.Where(u => u.UserName == "maria").Select(u => u.Id).SingleAsync();
        var carla = await db.Users.Where(u => u.UserName == "carla").Select(u => u.Id).SingleAsync();
        var beans = await db.Items.Where(i => i.CommunityId == communityId && i.Name == "Beans (kg)").Select(i => i.Id).SingleAsync();
        var share = await services.GetRequiredService<ShareService>().CreateAsync(carla, communityId,
            new ShareInput("Beans", null, WealthKind.Object, units, ItemId: beans, Target: ShareTarget.Pool, TargetId: poolId));
        var contribution = await db.Contributions.Where(c => c.ShareId == share).Select(c => c.Id).SingleAsync();
        await services.GetRequiredService<CouncilService>().ConfirmContributionAsync(maria, contribution);
        await db.Notifications.ExecuteDeleteAsync();
    }
}
