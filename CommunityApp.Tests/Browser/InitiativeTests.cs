using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Invites;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>
/// Council reports and initiatives (docs/SPEC.md §6): the manager sees the Reports and Initiatives tabs on a desktop, a
/// member on a phone votes and comments on an initiative, and the manager's open initiative page shows both live.
/// </summary>
public sealed class InitiativeTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task A_member_on_a_phone_votes_and_comments_and_the_manager_sees_it_live()
    {
        await using var adminContext = await NewContextAsync();
        var admin = await adminContext.NewPageAsync();
        await SignUpAsync(admin, "rosa", "Rosa Admin");
        await using var memberContext = await Browser.NewContextAsync(BaseUrl, phone: true);
        var member = await memberContext.NewPageAsync();
        await SignUpAsync(member, "sami", "Sami Member");
        var (communityId, councilId, initiativeId) = await SetUpAsync("rosa", "sami");
        var urls = CommunityApp.Components.CommunityUrls.For(communityId);

        await admin.OpenAsync(urls.Council(councilId));
        await admin.GetByRole(AriaRole.Tab, new() { Name = "Reports" }).ClickAsync();
        await Expect(admin.GetByTestId("report")).ToContainTextAsync("We fed 34 neighbours.");
        await admin.CheckPageAsync("70-council-reports");
        await admin.GetByRole(AriaRole.Tab, new() { Name = "Initiatives" }).ClickAsync();
        await Expect(admin.GetByTestId("initiative")).ToContainTextAsync("Community fridge");
        await admin.CheckPageAsync("71-council-initiatives");
        await admin.GetByRole(AriaRole.Link, new() { Name = "Community fridge" }).ClickAsync();
        await Expect(admin.GetByTestId("initiative-score")).ToHaveTextAsync("Score 0");

        await member.OpenAsync(urls.Initiative(councilId, initiativeId));
        await member.GetByRole(AriaRole.Button, new() { Name = "For (0)" }).ClickAsync();
        await Expect(member.GetByTestId("initiative-score")).ToHaveTextAsync("Score 1");
        await member.GetByLabel("Your comment").FillAsync("I can clean it on Mondays.");
        await member.GetByRole(AriaRole.Button, new() { Name = "Post comment" }).ClickAsync();
        await Expect(member.GetByTestId("comment")).ToContainTextAsync("I can clean it on Mondays.");
        await member.CheckPageAsync("72-initiative-phone");

        await Expect(admin.GetByTestId("initiative-score")).ToHaveTextAsync("Score 1");
        await Expect(admin.GetByTestId("comment")).ToContainTextAsync("I can clean it on Mondays.");
        await admin.CheckPageAsync("73-initiative");
    }

    private async Task<(Guid CommunityId, Guid CouncilId, Guid InitiativeId)> SetUpAsync(string adminName, string memberName)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var adminId = await db.Users.Where(u => u.UserName == adminName).Select(u => u.Id).SingleAsync();
        var memberId = await db.Users.Where(u => u.UserName == memberName).Select(u => u.Id).SingleAsync();
        var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(adminId, new("River Commons", null));
        var (_, secret) = await services.GetRequiredService<InviteService>().CreateLinkAsync(adminId, communityId, new("Neighbours", MemberRole.Member, DateTime.UtcNow.AddDays(1), null));
        await services.GetRequiredService<InviteService>().RedeemLinkAsync(memberId, secret);
        var councilId = await services.GetRequiredService<CouncilService>().CreateAsync(adminId, communityId, new CouncilInput("Food pantry", "Collects food and hands it to who needs it."));
        await services.GetRequiredService<CouncilReportService>().CreateAsync(adminId, councilId, new ReportInput("Saturday lunch", "We fed 34 neighbours.\n\n- 4 kg of apples"));
        var initiativeId = await services.GetRequiredService<InitiativeService>().CreateAsync(adminId, councilId, new InitiativeInput("Community fridge", "A fridge anyone can fill."));
        await db.Notifications.ExecuteDeleteAsync();
        return (communityId, councilId, initiativeId);
    }
}
