using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>
/// The council journey of the issue: an admin creates a council on a desktop, a member on a phone contributes 10 units
/// to it, the manager confirms receipt and the member's open page shows the inventory without a reload.
/// </summary>
public sealed class CouncilTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task An_admin_creates_a_council_a_member_contributes_on_a_phone_and_the_confirmed_units_show_live()
    {
        await using var adminContext = await NewContextAsync();
        var admin = await adminContext.NewPageAsync();
        await SignUpAsync(admin, "olivia", "Olivia Admin");
        await using var memberContext = await Browser.NewContextAsync(BaseUrl, phone: true);
        var member = await memberContext.NewPageAsync();
        await SignUpAsync(member, "pedro", "Pedro Member");
        var communityId = await SetUpAsync("olivia", "pedro");
        var urls = CommunityApp.Components.CommunityUrls.For(communityId);

        await admin.OpenAsync(urls.Councils);
        await Expect(admin.GetByText("No councils yet.")).ToBeVisibleAsync();
        await admin.CheckPageAsync("60-councils-empty");
        await admin.GetByRole(AriaRole.Link, new() { Name = "Create a council" }).ClickAsync();
        await admin.GetByLabel("Council name").FillAsync("Food pantry");
        await admin.GetByLabel("Description").FillAsync("x");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create a council" }).ClickAsync();
        // Bad input: a field message, and nothing saved.
        await Expect(admin.GetByText("Use 10 to 1000 characters.")).ToBeVisibleAsync();
        // The person goes back to the field the message is about (and the button's pressed look fades before the scan).
        await admin.GetByLabel("Description").FocusAsync();
        await admin.CheckPageAsync("61-new-council-refused");
        await admin.GetByLabel("Description").FillAsync("Collects food and hands it to who needs it.");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create a council" }).ClickAsync();
        await Expect(admin.GetByTestId("council-name")).ToHaveTextAsync("Food pantry");
        await admin.CheckPageAsync("62-council");

        await member.OpenAsync(urls.Councils);
        await member.GetByRole(AriaRole.Link, new() { Name = "Food pantry" }).ClickAsync();
        await member.GetByRole(AriaRole.Button, new() { Name = "Trust this council" }).ClickAsync();
        await Expect(member.GetByTestId("council-trust")).ToHaveTextAsync("Trusted by 1");
        await Expect(admin.GetByTestId("council-trust")).ToHaveTextAsync("Trusted by 1");
        await member.CheckPageAsync("63-council-phone");

        await member.GetByRole(AriaRole.Link, new() { Name = "Contribute" }).ClickAsync();
        await member.GetByLabel("Title").FillAsync("Rice from my allotment");
        await member.GetByLabel("Units", new() { Exact = true }).FillAsync("10");
        await member.GetByRole(AriaRole.Button, new() { Name = "Share it" }).ClickAsync();
        await Expect(member.GetByText("Choose the item you are giving: the council keeps its inventory by item.")).ToBeVisibleAsync();
        await ChooseAsync(member, "Item", "Rice (kg)");
        await member.CheckPageAsync("64-contribute-phone");
        await member.GetByRole(AriaRole.Button, new() { Name = "Share it" }).ClickAsync();
        await Expect(member.GetByTestId("share-council")).ToContainTextAsync("A contribution to Food pantry");
        await member.GetByRole(AriaRole.Link, new() { Name = "Food pantry" }).ClickAsync();
        await member.GetByRole(AriaRole.Tab, new() { Name = "Inventory" }).ClickAsync();
        await Expect(member.GetByTestId("contribution")).ToContainTextAsync("Awaiting confirmation");

        // The manager hears of it without a reload and confirms receipt.
        await Expect(admin.GetByRole(AriaRole.Button, new() { Name = "Notifications, 1 unread" })).ToBeVisibleAsync();
        await admin.GetByRole(AriaRole.Tab, new() { Name = "Inventory" }).ClickAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Confirm receipt of Pedro Member's contribution" }).ClickAsync();
        await Expect(admin.GetByTestId("inventory-row")).ToHaveTextAsync("Rice (kg)10");
        await admin.CheckPageAsync("65-council-inventory");

        await Expect(member.GetByTestId("inventory-row")).ToHaveTextAsync("Rice (kg)10");
        await Expect(member.GetByTestId("contribution")).ToContainTextAsync("Confirmed");
        await member.CheckPageAsync("66-council-inventory-phone");
    }

    /// <summary>Opens a MudSelect by its label and picks an option (MudBlazor opens it on the input control's mouse-down).</summary>

    private async Task<Guid> SetUpAsync(string adminName, string memberName)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var adminId = await db.Users.Where(u => u.UserName == adminName).Select(u => u.Id).SingleAsync();
        var memberId = await db.Users.Where(u => u.UserName == memberName).Select(u => u.Id).SingleAsync();
        var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(adminId, new("Harbour Commons", null));
        var (_, secret) = await services.GetRequiredService<InviteService>().CreateLinkAsync(adminId, communityId, new("Neighbours", MemberRole.Member, DateTime.UtcNow.AddDays(1), null));
        await services.GetRequiredService<InviteService>().RedeemLinkAsync(memberId, secret);
        await services.GetRequiredService<CatalogService>().AddItemAsync(adminId, communityId, "Rice (kg)", WealthKind.Object, null, null);
        await db.Notifications.ExecuteDeleteAsync();
        return communityId;
    }
}
