using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Members;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>
/// A dispute from start to end (docs/SPEC.md §12) in Chromium: Iván's request for Ana's mower never arrives; on a 375 px
/// phone he reports it and opens a dispute (an empty title first gets a field message). Jo, a dispute handler, sees it in the
/// queue without its title and offers to mediate; both parties accept him, and his dispute page opens; he resolves it in
/// private. Nora, another member, opening the dispute's address gets "not found", never the title. Every page is scanned by axe.
/// </summary>
public sealed class DisputeTests(BrowserFixture browser) : BrowserTest(browser)
{
    private const string Title = "The mower that never came";

    [Fact]
    public async Task A_failed_request_is_disputed_mediated_and_resolved_in_private_and_an_outsider_finds_nothing()
    {
        var contexts = new List<IBrowserContext>();
        try
        {
            async Task<IPage> OpenAsync(string userName, bool phone = false)
            {
                var context = phone ? await Browser.NewContextAsync(BaseUrl, phone: true) : await NewContextAsync();
                contexts.Add(context);
                var page = await context.NewPageAsync();
                await SignUpAsync(page, userName, userName[..1].ToUpperInvariant() + userName[1..]);
                return page;
            }
            var ana = await OpenAsync("ana");
            var ivan = await OpenAsync("ivan", phone: true);
            var jo = await OpenAsync("jo");
            var nora = await OpenAsync("nora");
            var (communityId, shareId) = await SetUpAsync();
            var urls = CommunityApp.Components.CommunityUrls.For(communityId);

            // Iván, on his phone: the mower never came. He reports it, then opens a dispute from the request's card.
            await ivan.OpenAsync(urls.Share(shareId));
            var card = ivan.GetByTestId("request-card");
            await card.GetByRole(AriaRole.Button, new() { Name = "It never arrived" }).ClickAsync();
            await ivan.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "It never arrived" }).ClickAsync();
            await card.GetByTestId("open-dispute-link").ClickAsync();
            await Expect(ivan.GetByTestId("open-dispute")).ToBeVisibleAsync();
            await ivan.WaitForInteractiveAsync();
            await ivan.GetByLabel("Title", new() { Exact = true }).FillAsync("");
            await ivan.GetByTestId("open-dispute").ClickAsync();
            await Expect(ivan.GetByText("Give the dispute a title.")).ToBeVisibleAsync();
            await Expect(ivan.GetByText("Say what happened.")).ToBeVisibleAsync();
            await ivan.CheckPageAsync("90-open-dispute-phone");
            await ivan.GetByLabel("Title", new() { Exact = true }).FillAsync(Title);
            await ivan.GetByLabel("What happened").FillAsync("We agreed on **Saturday**; nobody was home.");
            await ivan.GetByTestId("open-dispute").ClickAsync();
            await Expect(ivan.GetByTestId("dispute-title")).ToHaveTextAsync(Title);
            await Expect(ivan.GetByTestId("dispute-status")).ToHaveTextAsync("Open");
            var disputeUrl = new Uri(ivan.Url).AbsolutePath;
            await ivan.CheckPageAsync("91-dispute-open-phone");

            // Jo handles disputes: the queue shows the dispute, but not its title, and a badge counts it.
            await jo.OpenAsync(urls.Disputes);
            var item = jo.GetByTestId("queue-item");
            await Expect(item).ToHaveCountAsync(1);
            await Expect(jo.Locator("main")).Not.ToContainTextAsync(Title);
            await Expect(jo.GetByTestId("community-nav").GetByRole(AriaRole.Link, new() { Name = "Disputes" }).Locator(".nav-badge")).ToHaveTextAsync("1");
            await jo.CheckPageAsync("92-dispute-queue");
            await item.GetByTestId("offer-mediate").ClickAsync();
            await Expect(item.GetByTestId("my-offer")).ToHaveTextAsync("Offered");
            // Offering is not seeing: the dispute is still "not found" for him.
            await jo.OpenAsync(disputeUrl);
            await Expect(jo.GetByTestId("dispute-not-found")).ToBeVisibleAsync();

            // Live on Iván's page: Jo's offer appears; he accepts. Ana accepts on hers, and it moves into mediation.
            var ivansMediator = ivan.GetByTestId("mediator");
            await Expect(ivansMediator).ToContainTextAsync("Jo");
            await ivansMediator.GetByTestId("accept-mediator").ClickAsync();
            await Expect(ivansMediator).ToContainTextAsync("You accepted this mediator.");
            await ana.OpenAsync(disputeUrl);
            await ana.GetByTestId("mediator").GetByTestId("accept-mediator").ClickAsync();
            await Expect(ana.GetByTestId("dispute-status")).ToHaveTextAsync("In mediation");
            await Expect(ivan.GetByTestId("dispute-status")).ToHaveTextAsync("In mediation");
            await ana.CheckPageAsync("93-dispute-in-mediation");

            // Jo, now accepted, reads it and resolves it in private (an empty outcome first is refused beside the field).
            await jo.OpenAsync(disputeUrl);
            await Expect(jo.GetByTestId("dispute-title")).ToHaveTextAsync(Title);
            await jo.GetByTestId("resolve").ClickAsync();
            await jo.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Resolve" }).ClickAsync();
            await Expect(jo.GetByText("Write the outcome.")).ToBeVisibleAsync();
            await jo.GetByLabel("Outcome", new() { Exact = true }).FillAsync("Ana lends Iván the mower **next Saturday** and confirms the day before.");
            await jo.GetByTestId("resolve").ClickAsync();
            await jo.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Resolve" }).ClickAsync();
            await Expect(jo.GetByTestId("dispute-status")).ToHaveTextAsync("Resolved");
            await Expect(jo.GetByTestId("dispute-outcome")).ToContainTextAsync("Resolved (private outcome)");
            await Expect(ivan.GetByTestId("dispute-outcome")).ToContainTextAsync("next Saturday");
            await jo.CheckPageAsync("94-dispute-resolved");

            // Iván's notification centre has the dispute's story, newest first: it was resolved.
            await ivan.OpenAsync(CommunityApp.Features.Notifications.NotificationUrls.Centre);
            await Expect(ivan.GetByTestId("notification").First).ToContainTextAsync($"resolved the dispute “{Title}”");
            await Expect(ivan.GetByTestId("notification").Filter(new() { HasText = "offered to mediate" })).ToHaveCountAsync(1);
            await ivan.CheckPageAsync("94b-dispute-notifications");

            // Nora is a member but no party: the address says "not found", never the title.
            await nora.OpenAsync(disputeUrl);
            await Expect(nora.GetByTestId("dispute-not-found")).ToHaveTextAsync("Dispute not found.");
            await Expect(nora.Locator("body")).Not.ToContainTextAsync(Title);
            await nora.CheckPageAsync("95-dispute-not-found");
            await nora.OpenAsync(urls.Disputes);
            await Expect(nora.GetByTestId("no-disputes")).ToBeVisibleAsync();
            await Expect(nora.GetByTestId("queue-why")).ToBeVisibleAsync();
            await nora.CheckPageAsync("96-disputes-member");
        }
        finally
        {
            foreach (var context in contexts) await context.DisposeAsync();
        }
    }

    /// <summary>Ana's community, Iván (trust 10, to request), Jo (the dispute handler role) and Nora; Iván's request for Ana's mower, accepted.</summary>
    private async Task<(Guid CommunityId, Guid ShareId)> SetUpAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var ids = await db.Users.ToDictionaryAsync(u => u.UserName!, u => u.Id);
        var ana = ids["ana"];
        var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(ana, new("River Commons", null));
        var invites = services.GetRequiredService<InviteService>();
        var (_, secret) = await invites.CreateLinkAsync(ana, communityId, new("Neighbours", MemberRole.Member, DateTime.UtcNow.AddDays(1), null));
        foreach (var name in new[] { "ivan", "jo", "nora" }) await invites.RedeemLinkAsync(ids[name], secret);
        await db.Memberships.Where(m => m.CommunityId == communityId && m.UserId == ids["ivan"])
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.AdminGrant, 10).SetProperty(m => m.TrustScore, 10));
        await services.GetRequiredService<MemberService>().GrantFeatureRoleAsync(ana, communityId, ids["jo"], CommunityApp.Auth.FeatureRole.DisputeHandler);
        var shares = services.GetRequiredService<ShareService>();
        var shareId = await shares.CreateAsync(ana, communityId, new ShareInput("Petrol lawn mower", "Bring it back with a full tank.", WealthKind.Object, 1));
        var requestId = await shares.RequestAsync(ids["ivan"], shareId, 1, "For Saturday morning?");
        await shares.AcceptAsync(ana, requestId);
        await db.Notifications.ExecuteDeleteAsync();
        return (communityId, shareId);
    }
}
