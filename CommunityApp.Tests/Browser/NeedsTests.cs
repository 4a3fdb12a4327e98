using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>Needs through the UI (docs/SPEC.md §8): published on a desktop and on a 375 px phone, added up by item and period, live.</summary>
public sealed class NeedsTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task Members_publish_needs_on_desktop_and_phone_and_see_them_added_up_live()
    {
        await using var deskContext = await NewContextAsync();
        var desk = await deskContext.NewPageAsync();
        await SignUpAsync(desk, "amara", "Amara Owner");
        await using var phoneContext = await Browser.NewContextAsync(BaseUrl, phone: true);
        var phone = await phoneContext.NewPageAsync();
        await SignUpAsync(phone, "bruno", "Bruno Member");
        var communityId = await SetUpAsync(("amara", 0), ("bruno", 5));
        var urls = CommunityUrls.For(communityId);

        await desk.OpenAsync(urls.Needs);
        await Expect(desk.GetByText("Nobody has published a need yet.")).ToBeVisibleAsync();
        await desk.CheckPageAsync("70-needs-empty");
        await desk.GetByRole(AriaRole.Link, new() { Name = "Publish a need" }).ClickAsync();
        await desk.GetByLabel("Title").FillAsync("Carrots");
        await desk.GetByLabel("Units", new() { Exact = true }).FillAsync("5");
        await desk.GetByRole(AriaRole.Radio, new() { Name = "Every week" }).CheckAsync();
        await desk.CheckPageAsync("71-new-need");
        await desk.GetByRole(AriaRole.Button, new() { Name = "Publish need" }).ClickAsync();
        await Expect(desk.GetByRole(AriaRole.Heading, new() { Name = "Carrots" })).ToBeVisibleAsync();
        await Expect(desk.GetByTestId("need-units")).ToHaveTextAsync("5");
        await desk.CheckPageAsync("72-need");

        await desk.OpenAsync(urls.Needs);
        var group = desk.GetByTestId("needs-need").GetByTestId("need-group");
        await Expect(group).ToHaveTextAsync(new Regex(@"^\s*5 Carrots per week:\s+5 Amara Owner\s*$"));

        // On the phone: the same list, then a need of their own through the form, and the page fits the screen.
        await phone.OpenAsync(urls.Needs);
        await Expect(phone.GetByTestId("needs-need").GetByTestId("need-group")).ToHaveTextAsync(new Regex(@"5 Carrots per week:\s+5 Amara Owner"));
        await FitsAsync(phone);
        await phone.GetByRole(AriaRole.Link, new() { Name = "Publish a need" }).ClickAsync();
        await phone.GetByLabel("Title").FillAsync("carrots");
        await phone.GetByLabel("Units", new() { Exact = true }).FillAsync("8");
        await phone.GetByRole(AriaRole.Radio, new() { Name = "Every week" }).CheckAsync();
        await FitsAsync(phone);
        await phone.CheckPageAsync("73-new-need-phone");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Publish need" }).ClickAsync();
        await Expect(phone.GetByRole(AriaRole.Heading, new() { Name = "carrots" })).ToBeVisibleAsync();
        await FitsAsync(phone);
        await phone.CheckPageAsync("74-need-phone");

        // The desktop page, open all along, adds Bruno's need without a reload.
        await Expect(group).ToHaveTextAsync(new Regex(@"^\s*13 Carrots per week:\s+5 Amara Owner,\s+8 Bruno Member\s*$"));
        await desk.CheckPageAsync("75-needs");

        await phone.OpenAsync(urls.Needs);
        await Expect(phone.GetByTestId("needs-need").GetByTestId("need-group")).ToHaveTextAsync(new Regex(@"13 Carrots per week:\s+5 Amara Owner,\s+8 Bruno Member"));
        await FitsAsync(phone);
        await phone.CheckPageAsync("76-needs-phone");
        await phone.OpenAsync(urls.MyNeeds);
        await Expect(phone.GetByRole(AriaRole.Link, new() { Name = "carrots" })).ToBeVisibleAsync();
        await FitsAsync(phone);
        await phone.CheckPageAsync("77-my-needs-phone");
    }

    private static async Task FitsAsync(IPage page)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        widths[0].ShouldBeLessThanOrEqualTo(widths[1], $"{page.Url} scrolls sideways on a 375 px phone");
    }

    private async Task<Guid> SetUpAsync(params (string UserName, int Grant)[] members)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var ids = new List<string>();
        foreach (var (name, _) in members) ids.Add(await db.Users.Where(u => u.UserName == name).Select(u => u.Id).SingleAsync());
        var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(ids[0], new("Carrot Court", null));
        var (_, secret) = await services.GetRequiredService<InviteService>().CreateLinkAsync(ids[0], communityId, new("Neighbours", MemberRole.Member, DateTime.UtcNow.AddDays(1), null));
        for (var i = 1; i < members.Length; i++)
        {
            await services.GetRequiredService<InviteService>().RedeemLinkAsync(ids[i], secret);
            await services.GetRequiredService<TrustService>().SetAdminGrantAsync(ids[0], communityId, ids[i], members[i].Grant);
        }
        await db.Notifications.ExecuteDeleteAsync();
        return communityId;
    }
}
