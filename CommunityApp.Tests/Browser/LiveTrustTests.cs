using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Settings;
using CommunityApp.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CommunityApp.Tests.Browser;

/// <summary>Two people, two browsers: one awards trust, the other's open page changes without a reload.</summary>
public sealed class LiveTrustTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task Awarding_and_removing_trust_updates_the_receivers_open_page_and_gated_controls_live()
    {
        await using var adminContext = await NewContextAsync();
        var admin = await adminContext.NewPageAsync();
        await SignUpAsync(admin, "irene", "Irene Admin");
        await using var memberContext = await NewContextAsync();
        var member = await memberContext.NewPageAsync();
        await SignUpAsync(member, "tomas", "Tomas Member");

        // Set-up through the services: a community where publishing needs takes 1 trust, with Tomas in it.
        var communityId = await SetUpCommunityAsync("irene", "tomas");
        await member.OpenAsync($"/c/{communityId}");
        var needs = member.Locator("li[data-permission=PublishNeeds] [data-testid=permission-reason]");
        await Expect(member.GetByTestId("my-trust")).ToHaveTextAsync("0");
        await Expect(needs).ToHaveTextAsync("Needs 1 trust, you have 0");

        await admin.OpenAsync($"/c/{communityId}/members");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Award trust to Tomas Member" }).ClickAsync();
        await Expect(admin.GetByText("You now trust Tomas Member.")).ToBeVisibleAsync();

        // No reload on the member's side.
        await Expect(member.GetByTestId("my-trust")).ToHaveTextAsync("1");
        await Expect(needs).ToHaveTextAsync("Your trust 1 meets 1");
        await Expect(member.GetByRole(AriaRole.Button, new() { Name = "Notifications, 1 unread" })).ToBeVisibleAsync();
        await member.CheckPageAsync("40-home-after-live-award");

        await member.GetByRole(AriaRole.Button, new() { Name = "Notifications, 1 unread" }).ClickAsync();
        await Expect(member.GetByText("Irene Admin trusts you in Live Street.")).ToBeVisibleAsync();
        await member.CheckPageAsync("41-notifications");
        await member.Keyboard.PressAsync("Escape");
        await Expect(member.GetByText("Irene Admin trusts you in Live Street.")).ToBeHiddenAsync();
        await Expect(member.GetByRole(AriaRole.Button, new() { Name = "Notifications, 1 unread" })).ToHaveAttributeAsync("aria-expanded", "false");

        // On a wide screen the drawer sits beside the page; the menu button puts it away and brings it back.
        var sections = member.GetByRole(AriaRole.Navigation, new() { Name = "Community sections" });
        var menu = member.GetByRole(AriaRole.Button, new() { Name = "Toggle navigation" });
        await Expect(sections).ToBeInViewportAsync();
        await menu.ClickAsync();
        await Expect(sections).Not.ToBeInViewportAsync();
        await Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");
        await menu.ClickAsync();
        await Expect(sections).ToBeInViewportAsync();

        await admin.GetByRole(AriaRole.Button, new() { Name = "Remove trust from Tomas Member" }).ClickAsync();
        var confirm = admin.GetByRole(AriaRole.Dialog, new() { Name = "Remove your trust?" });
        await Expect(confirm).ToContainTextAsync("Remove the trust you gave Tomas Member?");
        await admin.CheckPageAsync("41b-remove-trust-confirmation");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Remove trust" }).ClickAsync();
        await Expect(member.GetByTestId("my-trust")).ToHaveTextAsync("0");
        await Expect(needs).ToHaveTextAsync("Needs 1 trust, you have 0");

        await member.OpenAsync($"/c/{communityId}/trust/me");
        await Expect(member.GetByTestId("my-score")).ToHaveTextAsync("0");
        await member.CheckPageAsync("42-my-trust");
        await admin.OpenAsync($"/c/{communityId}/trust");
        await Expect(admin.GetByRole(AriaRole.Group, new() { Name = "Trust network: 2 members, 0 awards. Arrows point from giver to receiver." })).ToBeVisibleAsync();
        await admin.CheckPageAsync("43-community-trust");
        await admin.OpenAsync($"/c/{communityId}/members/{await UserIdAsync("tomas")}");
        await admin.GetByLabel("Granted trust").FillAsync("20");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save grant" }).ClickAsync();
        await Expect(admin.GetByTestId("member-score")).ToHaveTextAsync("20");
        await Expect(member.GetByTestId("my-score")).ToHaveTextAsync("20");
        await admin.CheckPageAsync("44-member-profile");
    }

    private async Task<Guid> SetUpCommunityAsync(string adminName, string memberName)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var adminId = await UserIdAsync(adminName);
        var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(adminId, new("Live Street", null));
        var (_, secret) = await services.GetRequiredService<InviteService>().CreateLinkAsync(adminId, communityId, new("Test", MemberRole.Member, DateTime.UtcNow.AddDays(1), null));
        await services.GetRequiredService<InviteService>().RedeemLinkAsync(await UserIdAsync(memberName), secret);
        var settings = services.GetRequiredService<SettingsService>();
        await settings.SaveAsync(adminId, communityId, new SettingsPatch { Thresholds = new Dictionary<string, string> { ["minTrustForNeeds"] = "1" } });
        return communityId;
    }

    private async Task<string> UserIdAsync(string userName)
    {
        await using var db = await App.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        return await db.Users.Where(u => u.UserName == userName).Select(u => u.Id).SingleAsync();
    }
}
