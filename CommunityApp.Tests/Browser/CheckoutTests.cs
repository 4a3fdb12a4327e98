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

/// <summary>Checkout links (docs/SPEC.md §19) in two browsers: the owner makes a link on a desktop, a member takes from it on a phone.</summary>
public sealed class CheckoutTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task The_owner_creates_a_link_a_member_takes_two_on_a_phone_and_the_owners_page_shows_it_live()
    {
        await using var ownerContext = await NewContextAsync();
        var owner = await ownerContext.NewPageAsync();
        await SignUpAsync(owner, "elif", "Elif Jam");
        await using var phoneContext = await Browser.NewContextAsync(BaseUrl, phone: true);
        var phone = await phoneContext.NewPageAsync();
        await SignUpAsync(phone, "carla", "Carla Scanner");
        var (communityId, shareId) = await SetUpAsync();

        await owner.OpenAsync($"/c/{communityId}/shares/{shareId}");
        await owner.GetByLabel("Title (optional)").FillAsync("Saturday market");
        await owner.GetByLabel("Most per checkout").FillAsync("3");
        await owner.GetByRole(AriaRole.Button, new() { Name = "Create checkout link" }).ClickAsync();
        await Expect(owner.GetByTestId("checkout-link")).ToHaveCountAsync(1);
        await Expect(owner.GetByTestId("link-stats")).ToHaveTextAsync("0 units given in 0 checkouts");
        await Expect(owner.GetByTestId("checkout-qr")).ToBeVisibleAsync();
        var url = (await owner.GetByTestId("checkout-url").TextContentAsync())!;
        url.ShouldContain($"/c/{communityId}/checkout/");
        await owner.CheckPageAsync("60-checkout-links");

        await phone.OpenAsync(new Uri(url).PathAndQuery);
        await Expect(phone.GetByTestId("checkout-left")).ToHaveTextAsync("12 of 12 left");
        await phone.GetByLabel("Units", new() { Exact = true }).FillAsync("2");
        await Expect(phone.GetByTestId("checkout-confirm")).ToHaveTextAsync("Take 2");
        await phone.CheckPageAsync("61-checkout-phone");
        await phone.GetByTestId("checkout-confirm").ClickAsync();
        await Expect(phone.GetByTestId("checkout-done")).ToHaveTextAsync("You took 2 of “Apricot jam”.");
        await Expect(phone.GetByTestId("checkout-left")).ToHaveTextAsync("10 of 12 left");
        await phone.CheckPageAsync("62-checkout-phone-done");

        // The owner's open page follows without a reload: the link's count, the share's units, the checkout's row.
        await Expect(owner.GetByTestId("link-stats")).ToHaveTextAsync("2 units given in 1 checkouts");
        await owner.GetByRole(AriaRole.Button, new() { Name = "Checkouts" }).ClickAsync();
        await Expect(owner.GetByTestId("checkout-row")).ToContainTextAsync("Carla Scanner");
        await Expect(owner.GetByTestId("checkout-row")).ToContainTextAsync("2");
        await Expect(owner.GetByRole(AriaRole.Button, new() { Name = "Notifications, 1 unread" })).ToBeVisibleAsync();

        await owner.GetByRole(AriaRole.Link, new() { Name = "Print" }).ClickAsync();
        await Expect(owner.GetByTestId("print-card")).ToContainTextAsync("Saturday market");
        await Expect(owner.GetByTestId("checkout-url")).ToHaveTextAsync(url);
        await owner.CheckPageAsync("63-checkout-print");
        await owner.EmulateMediaAsync(new() { Media = Media.Print });
        await Expect(owner.Locator(".mud-appbar")).ToBeHiddenAsync();
        await Expect(owner.GetByTestId("print-card")).ToBeVisibleAsync();
        await owner.EmulateMediaAsync(new() { Media = Media.Screen });

        // Revoked, the link says so on the phone.
        await owner.GoBackAsync();
        await owner.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await owner.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(owner.GetByTestId("link-state")).ToHaveTextAsync("Revoked");
        await phone.ReloadAsync();
        await Expect(phone.GetByTestId("checkout-state")).ToHaveTextAsync("This checkout link was revoked by its owner.");
        await phone.CheckPageAsync("64-checkout-revoked");
    }

    private async Task<(Guid CommunityId, Guid ShareId)> SetUpAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var elif = await db.Users.Where(u => u.UserName == "elif").Select(u => u.Id).SingleAsync();
        var carla = await db.Users.Where(u => u.UserName == "carla").Select(u => u.Id).SingleAsync();
        var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(elif, new("Market Row", null));
        var (_, secret) = await services.GetRequiredService<InviteService>().CreateLinkAsync(elif, communityId, new("Neighbours", MemberRole.Member, DateTime.UtcNow.AddDays(1), null));
        await services.GetRequiredService<InviteService>().RedeemLinkAsync(carla, secret);
        await services.GetRequiredService<TrustService>().SetAdminGrantAsync(elif, communityId, carla, 5);
        var shareId = await services.GetRequiredService<ShareService>().CreateAsync(elif, communityId, new ShareInput("Apricot jam", "370 g jars", WealthKind.Object, 12));
        await db.Notifications.ExecuteDeleteAsync();
        return (communityId, shareId);
    }
}
