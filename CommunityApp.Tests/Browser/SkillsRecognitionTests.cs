using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>
/// Skills and recognition (docs/SPEC.md §17, §18): a member lists a skill on her profile (a bad name first gets its field
/// message); another member, on a 375 px phone, finds her by skill and endorses it, and her open member list shows the new
/// count live; he then recognises her work until the monthly budget refuses, with the reason shown beside the field.
/// </summary>
public sealed class SkillsRecognitionTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task A_member_endorses_a_skill_live_on_anothers_member_list_and_grants_recognition_until_the_budget_refuses()
    {
        await using var anaContext = await NewContextAsync();
        var ana = await anaContext.NewPageAsync();
        await SignUpAsync(ana, "ana", "Ana Maker");
        await using var benContext = await Browser.NewContextAsync(BaseUrl, phone: true);
        var ben = await benContext.NewPageAsync();
        await SignUpAsync(ben, "ben", "Ben Phone");
        var communityId = await SetUpAsync();
        var urls = CommunityApp.Components.CommunityUrls.For(communityId);

        // Ana lists a skill on her profile: "C#" breaks the rule and saves nothing; "Carpentry" is added.
        await ana.OpenAsync("/profile");
        await ana.GetByLabel("New skill").FillAsync("C#");
        await ana.GetByRole(AriaRole.Button, new() { Name = "Add skill" }).ClickAsync();
        await Expect(ana.GetByText("Use 1 to 50 letters, digits, spaces, - and &.")).ToBeVisibleAsync();
        await Expect(ana.GetByTestId("my-skill")).ToHaveCountAsync(0);
        await ana.GetByLabel("New skill").FillAsync("Carpentry");
        await ana.GetByRole(AriaRole.Button, new() { Name = "Add skill" }).ClickAsync();
        await Expect(ana.GetByTestId("my-skill")).ToHaveTextAsync(["Carpentry"]);
        await ana.CheckPageAsync("120-profile-skills");

        // Ana keeps the member list open: her skill shows with no endorsement yet.
        await ana.OpenAsync(urls.Members);
        var anaRow = ana.GetByRole(AriaRole.Row).Filter(new() { HasText = "Ana Maker" });
        await Expect(anaRow.GetByTestId("member-skill")).ToHaveTextAsync(["Carpentry · 0"]);
        await ana.CheckPageAsync("121-members-skills");

        // Ben, on his phone, asks who can help with carpentry and endorses Ana's skill.
        await ben.OpenAsync(urls.Skills);
        await ben.GetByLabel("Who can help with …").FillAsync("carp");
        await Expect(ben.GetByTestId("skill-chip")).ToHaveTextAsync(["Carpentry · 0"]);
        await ben.GetByRole(AriaRole.Button, new() { Name = "Endorse Carpentry of Ana Maker" }).ClickAsync();
        await Expect(ben.GetByTestId("skill-chip")).ToHaveTextAsync(["Carpentry · 1"]);
        await Expect(ben.GetByRole(AriaRole.Button, new() { Name = "Withdraw endorsement of Carpentry of Ana Maker" })).ToBeVisibleAsync();
        await ben.CheckPageAsync("122-skills-phone");

        // Ana's open list follows without a reload.
        await Expect(anaRow.GetByTestId("member-skill")).ToHaveTextAsync(["Carpentry · 1"]);

        // Ben recognises Ana's work twice (8 units each), then 5 more is over his budget of 20: refused, with the reason.
        await ben.OpenAsync(urls.Recognition);
        await Expect(ben.GetByTestId("budget")).ToHaveTextAsync("Used 0 of 20 units this month.");
        await ben.GetByRole(AriaRole.Combobox, new() { Name = "Member" }).FillAsync("Ana");
        // Wait for the search of "Ana" (debounced) to replace the first list, which also names the admin, before choosing.
        await Expect(ben.Locator(".mud-popover-open").GetByText("Ana Maker (@ana)")).ToBeVisibleAsync();
        await Expect(ben.Locator(".mud-popover-open").GetByText("Skill Admin")).ToHaveCountAsync(0);
        await ClickOptionUntilChosenAsync(ben.GetByRole(AriaRole.Combobox, new() { Name = "Member" }),
            ben.Locator(".mud-popover-open").GetByText("Ana Maker (@ana)"), "Ana Maker (@ana)");
        foreach (var (reason, used) in new[] { ("Built the seed library shelves", 8), ("Fixed the workshop door", 16) })
        {
            await ben.GetByRole(AriaRole.Spinbutton, new() { Name = "Units" }).FillAsync("8");
            await ben.GetByLabel("What did you witness?").FillAsync(reason);
            await ben.GetByRole(AriaRole.Button, new() { Name = "Recognise", Exact = true }).ClickAsync();
            await Expect(ben.GetByTestId("budget")).ToHaveTextAsync($"Used {used} of 20 units this month.");
        }
        await ben.GetByRole(AriaRole.Spinbutton, new() { Name = "Units" }).FillAsync("5");
        await ben.GetByLabel("What did you witness?").FillAsync("Lent her tools");
        await ben.GetByRole(AriaRole.Button, new() { Name = "Recognise", Exact = true }).ClickAsync();
        await Expect(ben.GetByText("That is more than you have left this month: 4 of your 20 units.")).ToBeVisibleAsync();
        await Expect(ben.GetByTestId("budget")).ToHaveTextAsync("Used 16 of 20 units this month.");
        await Expect(ben.GetByTestId("entries-given").GetByTestId("entry")).ToHaveCountAsync(2);
        await ben.CheckPageAsync("123-recognition-refused-phone");

        // Ana sees what she received and the community's totals, which name nobody.
        await ana.OpenAsync(urls.Recognition);
        await Expect(ana.GetByTestId("entries-received").GetByTestId("entry")).ToHaveCountAsync(2);
        await Expect(ana.GetByTestId("totals-by-category")).ToContainTextAsync("Peer recognition");
        await Expect(ana.GetByTestId("totals-by-category")).Not.ToContainTextAsync("Ben Phone");
        await ana.CheckPageAsync("124-recognition");

        // Her notification centre says who endorsed her skill and who recognised her work.
        await ana.OpenAsync(CommunityApp.Features.Notifications.NotificationUrls.Centre);
        await Expect(ana.GetByTestId("notification").Filter(new() { HasText = "endorsed your skill “Carpentry”" })).ToHaveCountAsync(1);
        await Expect(ana.GetByTestId("notification").Filter(new() { HasText = "recognised your work" })).ToHaveCountAsync(2);
        await ana.CheckPageAsync("125-recognition-notifications");
    }

    private async Task<Guid> SetUpAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var admin = new ApplicationUser
        {
            UserName = "skilladmin", NormalizedUserName = "SKILLADMIN", Email = "skilladmin@example.test", NormalizedEmail = "SKILLADMIN@EXAMPLE.TEST",
            EmailConfirmed = true, DisplayName = "Skill Admin", SecurityStamp = Guid.NewGuid().ToString(),
        };
        db.Users.Add(admin);
        await db.SaveChangesAsync();
        var ids = await db.Users.Where(u => new[] { "ana", "ben" }.Contains(u.UserName!)).ToDictionaryAsync(u => u.UserName!, u => u.Id);
        var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(admin.Id, new("Maker Commons", null));
        var invites = services.GetRequiredService<InviteService>();
        var (_, secret) = await invites.CreateLinkAsync(admin.Id, communityId, new("Neighbours", MemberRole.Member, DateTime.UtcNow.AddDays(1), null));
        foreach (var id in ids.Values) await invites.RedeemLinkAsync(id, secret);
        // Ben holds the endorse permission (trust 10); Ana does not need it.
        await services.GetRequiredService<TrustService>().SetAdminGrantAsync(admin.Id, communityId, ids["ben"], 10);
        return communityId;
    }
}
