using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>
/// The house every feature plugs into (issue 9): the grouped navigation as a phone drawer on every community page,
/// confirmations before destructive actions, out-of-range input refused with a message and nothing saved,
/// and the reconnect dialog when the connection drops.
/// </summary>
public sealed class InterfaceTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task On_a_phone_every_community_page_fits_the_screen_and_the_sections_are_in_a_drawer()
    {
        await CreateAccountAsync("pablo", "Pablo Member");
        await using var phoneContext = await Browser.NewContextAsync(BaseUrl, phone: true);
        var admin = await phoneContext.NewPageAsync();
        await SignUpAsync(admin, "ines", "Ines Admin");
        var (communityId, shareId, memberId) = await SetUpAsync("ines", "pablo", shareUnits: 3);
        var urls = CommunityUrls.For(communityId);
        Guid councilId, poolId, categoryId, threadId, pollId, requestId, disputeId;
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var adminId = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext().Users
                .Where(u => u.UserName == "ines").Select(u => u.Id).SingleAsync();
            councilId = await scope.ServiceProvider.GetRequiredService<CommunityApp.Features.Councils.CouncilService>()
                .CreateAsync(adminId, communityId, new("Phone Street Pantry", "Food for the neighbours of Phone Street."));
            var rice = await scope.ServiceProvider.GetRequiredService<CatalogService>().AddItemAsync(adminId, communityId, "Rice (kg)", WealthKind.Object, null, null);
            // The manager's pool page on a phone: the distribution form, sharing out, checkout links, the ledger.
            poolId = await scope.ServiceProvider.GetRequiredService<CommunityApp.Features.Pools.PoolService>()
                .CreateAsync(adminId, councilId, new("Phone Street rice", "Rice for the street.", [rice]));
            var forum = scope.ServiceProvider.GetRequiredService<CommunityApp.Features.Forum.ForumService>();
            categoryId = await forum.CreateCategoryAsync(adminId, communityId, new("Phone Street talk", "Everything about the street."));
            threadId = await forum.CreateThreadAsync(adminId, categoryId, new("Who has a ladder long enough for the gutters of number twelve?", "Asking for **number 12**.", "tools, gutters"));
            pollId = await scope.ServiceProvider.GetRequiredService<CommunityApp.Features.Polls.PollService>()
                .CreateAsync(adminId, communityId, new("When shall we clean the gutters together?", null, ["Saturday morning", "Sunday afternoon"]));
            // A request that failed, disputed by the member: the admin sees the dispute, and as the owner may open one too.
            var shares = scope.ServiceProvider.GetRequiredService<ShareService>();
            requestId = await shares.RequestAsync(memberId, shareId, 1, "For the gutters");
            await shares.AcceptAsync(adminId, requestId);
            await shares.FailAsync(memberId, requestId);
            disputeId = await scope.ServiceProvider.GetRequiredService<CommunityApp.Features.Disputes.DisputeService>().OpenForRequestAsync(memberId, requestId,
                new("The ladder that never came to number twelve on Saturday", "We agreed on **Saturday morning**; nobody was there."));
            // As in the set-up: the walk starts with no notifications.
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
            await db.Notifications.ExecuteDeleteAsync();
        }

        await admin.OpenAsync(urls.Home);
        var sections = admin.GetByRole(AriaRole.Navigation, new() { Name = "Community sections" });
        await Expect(sections).Not.ToBeInViewportAsync();
        // The drawer starts closed on a phone (CSS knows the width; nothing has to measure it first), and the menu button says so.
        var menu = admin.GetByRole(AriaRole.Button, new() { Name = "Toggle navigation" });
        await Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");
        await menu.ClickAsync();
        await Expect(menu).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(sections).ToBeInViewportAsync();
        await Expect(sections.GetByText("People")).ToBeVisibleAsync();
        await Expect(sections.GetByText("Admin", new() { Exact = true })).ToBeVisibleAsync();
        await admin.CheckPageAsync("60-phone-drawer");
        await sections.GetByRole(AriaRole.Link, new() { Name = "Members" }).ClickAsync();
        await Expect(admin).ToHaveURLAsync(BaseUrl.TrimEnd('/') + urls.Members);
        // Choosing a section closes the drawer over the page; opened again, it marks that section as the current page.
        await Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(sections).ToBeHiddenAsync();
        await menu.ClickAsync();
        await Expect(sections.GetByRole(AriaRole.Link, new() { Name = "Members" })).ToHaveAttributeAsync("aria-current", "page");
        await Expect(sections.GetByRole(AriaRole.Link, new() { Name = "Overview" })).Not.ToHaveAttributeAsync("aria-current", "page");
        // The page beside the drawer is dimmed; a tap on it closes the drawer.
        await admin.Mouse.ClickAsync(340, 400);
        await Expect(sections).ToBeHiddenAsync();
        await Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");

        // The bell's list spans the phone's screen under the app bar; Escape closes it.
        await admin.GetByRole(AriaRole.Button, new() { Name = "Notifications, 0 unread" }).ClickAsync();
        var bell = admin.GetByRole(AriaRole.Region, new() { Name = "Notifications" });
        await Expect(bell).ToContainTextAsync("No notifications yet.");
        var box = (await bell.BoundingBoxAsync())!;
        box.X.ShouldBeGreaterThanOrEqualTo(0);
        (box.X + box.Width).ShouldBeLessThanOrEqualTo(375);
        await admin.CheckPageAsync("60b-phone-notifications");
        await admin.Keyboard.PressAsync("Escape");
        await Expect(bell).ToBeHiddenAsync();

        (string Name, string Url)[] pages =
        [
            ("home", urls.Home), ("edit", urls.Edit), ("members", urls.Members), ("member", urls.Member(memberId)), ("trust", urls.Trust),
            ("my-trust", urls.MyTrust), ("shares", urls.Shares), ("new-share", urls.NewShare), ("share", urls.Share(shareId)),
            ("edit-share", urls.EditShare(shareId)), ("requests", urls.Requests), ("catalogue", urls.Catalogue), ("settings", urls.Settings),
            ("invites", urls.Invites), ("audit", urls.Audit), ("councils", urls.Councils), ("new-council", urls.NewCouncil),
            ("council", urls.Council(councilId)), ("pools", urls.Pools), ("pool", urls.Pool(poolId)), ("needs", urls.Needs), ("new-need", urls.NewNeed),
            ("forum", urls.Forum), ("forum-category", urls.ForumCategory(categoryId)), ("new-thread", urls.NewForumThread(categoryId)),
            ("thread", urls.ForumThread(threadId)), ("review-queue", urls.ForumReview), ("moderation-log", urls.ForumModerationLog),
            ("polls", urls.Polls), ("new-poll", urls.NewPoll), ("poll", urls.Poll(pollId)), ("health", urls.Health),
            ("notifications", CommunityApp.Features.Notifications.NotificationUrls.Centre),
            ("notification-preferences", CommunityApp.Features.Notifications.NotificationUrls.Preferences),
            ("disputes", urls.Disputes), ("new-dispute", urls.NewDispute(requestId)), ("dispute", urls.Dispute(disputeId)),
            ("skills", urls.Skills), ("recognition", urls.Recognition), ("profile", "/profile"),
            ("non-contributors", urls.NonContributors), ("trust-rings", urls.TrustRings),
        ];
        foreach (var ((name, url), index) in pages.Select((p, i) => (p, i)))
        {
            await admin.OpenAsync(url);
            await Expect(admin.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
            var widths = await admin.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
            widths[0].ShouldBeLessThanOrEqualTo(widths[1], $"{url} scrolls sideways on a 375 px phone");
            await Expect(sections).Not.ToBeInViewportAsync();
            // The app bar clips what does not fit, so the scroll width alone would not notice a cut-off control.
            await Expect(admin.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeInViewportAsync(new() { Ratio = 1 });
            await Expect(admin.GetByRole(AriaRole.Link, new() { Name = "CommunityApp" })).ToBeInViewportAsync(new() { Ratio = 1 });
            await admin.CheckPageAsync($"61-phone-{index:00}-{name}");
            if (name == "forum-category")
            {
                // One thread and no reply read as one, not "1 threads".
                await Expect(admin.GetByText("1 thread", new() { Exact = true })).ToBeVisibleAsync();
                await Expect(admin.GetByText("0 replies", new() { Exact = false })).ToBeVisibleAsync();
            }
        }
    }

    [Fact]
    public async Task Destructive_actions_ask_first_and_out_of_range_input_is_refused_with_a_message_and_nothing_saved()
    {
        await using var memberContext = await NewContextAsync();
        var member = await memberContext.NewPageAsync();
        await SignUpAsync(member, "pablo", "Pablo Member");
        await using var adminContext = await NewContextAsync();
        var admin = await adminContext.NewPageAsync();
        await SignUpAsync(admin, "ines", "Ines Admin");
        var (communityId, shareId, _) = await SetUpAsync("ines", "pablo", shareUnits: 1);
        var urls = CommunityUrls.For(communityId);

        // Units 0 and -1 are refused beside the field; no share is published.
        foreach (var units in new[] { "0", "-1" })
        {
            await admin.OpenAsync(urls.NewShare);
            await admin.GetByLabel("Title").FillAsync("Wheelbarrow");
            await admin.GetByLabel("Units", new() { Exact = true }).FillAsync(units);
            await admin.GetByRole(AriaRole.Button, new() { Name = "Share it" }).ClickAsync();
            await Expect(admin.GetByText("Use 1 to 100000 units.")).ToBeVisibleAsync();
            await Expect(admin.GetByLabel("Units", new() { Exact = true })).ToHaveValueAsync(units);
        }
        await admin.CheckPageAsync("62-new-share-units-refused");
        (await CountAsync(db => db.Shares.CountAsync(s => s.CommunityId == communityId))).ShouldBe(1);

        // Two units asked of a share with one left: refused, no request written.
        await member.OpenAsync(urls.Share(shareId));
        await member.GetByLabel("Units", new() { Exact = true }).FillAsync("2");
        await member.GetByRole(AriaRole.Button, new() { Name = "Request", Exact = true }).ClickAsync();
        await Expect(member.GetByText("Ask for 1 to 1 units.")).ToBeVisibleAsync();
        await Expect(member.GetByLabel("Units", new() { Exact = true })).ToHaveValueAsync("2");
        (await CountAsync(db => db.ShareRequests.CountAsync(r => r.ShareId == shareId))).ShouldBe(0);

        // A 5,000-character name is kept as typed and refused; the community keeps its name.
        await admin.OpenAsync(urls.Edit);
        var longName = new string('n', 5000);
        await admin.GetByLabel("Name").FillAsync(longName);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(admin.GetByText("Use at most 100 characters for the name.")).ToBeVisibleAsync();
        (await admin.GetByLabel("Name").InputValueAsync()).Length.ShouldBe(5000);
        (await CountAsync(db => db.Communities.Where(c => c.Id == communityId).Select(c => c.Name).SingleAsync())).ShouldBe("Phone Street");

        // Cancelling an invite asks first: "Keep it" changes nothing, confirming cancels it.
        await admin.OpenAsync(urls.Invites);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Cancel invite" }).ClickAsync();
        var dialog = admin.GetByRole(AriaRole.Dialog, new() { Name = "Cancel invite?" });
        await Expect(dialog).ToBeVisibleAsync();
        await admin.CheckPageAsync("63-cancel-invite-confirmation");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Keep it" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        (await CountAsync(db => db.Invites.CountAsync(i => i.CommunityId == communityId && i.State == InviteState.Cancelled))).ShouldBe(0);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Cancel invite" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel invite" }).ClickAsync();
        await Expect(admin.GetByText("Invite cancelled.")).ToBeVisibleAsync();
        (await CountAsync(db => db.Invites.CountAsync(i => i.CommunityId == communityId && i.State == InviteState.Cancelled))).ShouldBe(1);

        // Withdrawing a share asks first, naming it.
        await admin.OpenAsync(urls.Share(shareId));
        await admin.GetByRole(AriaRole.Button, new() { Name = "Withdraw this share" }).ClickAsync();
        var withdraw = admin.GetByRole(AriaRole.Dialog);
        await Expect(withdraw).ToContainTextAsync("Withdraw 'Ladder'?");
        await withdraw.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();
        (await CountAsync(db => db.Shares.Where(s => s.Id == shareId).Select(s => s.Status).SingleAsync())).ShouldBe(ShareStatus.Active);
    }

    [Fact]
    public async Task The_reconnect_dialog_and_the_error_bar_speak_the_members_language_and_stay_hidden_while_connected()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await SignUpAsync(page, "rosa", "Rosa Reader");
        await page.GetByRole(AriaRole.Link, new() { Name = "Español" }).ClickAsync();
        await page.WaitForInteractiveAsync();

        var dialog = page.Locator("#components-reconnect-modal");
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(dialog).ToContainTextAsync("Se perdió la conexión");
        await Expect(dialog).ToContainTextAsync("Reconectando con el servidor…");
        var errorBar = page.Locator("#blazor-error-ui");
        await Expect(errorBar).ToBeHiddenAsync();
        await Expect(errorBar).ToContainTextAsync("Algo salió mal y esta página dejó de responder.");
        // Its module (no inline script) answers blazor.web.js's state changes: shown while reconnecting, closed after.
        await dialog.EvaluateAsync("d => d.dispatchEvent(new CustomEvent('components-reconnect-state-changed', { detail: { state: 'show' } }))");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "Se perdió la conexión" })).ToBeVisibleAsync();
        await dialog.EvaluateAsync("d => d.dispatchEvent(new CustomEvent('components-reconnect-state-changed', { detail: { state: 'hide' } }))");
        await Expect(dialog).ToBeHiddenAsync();

        // Hidden before the stylesheets arrive too (a slow response): a bar hidden by app.css alone was shown, and read as a
        // second alert beside a page's own (the sign-in refusal) until the stylesheet came.
        var early = await context.NewPageAsync();
        var stylesheets = new TaskCompletionSource();
        await early.RouteAsync("**/*.css", async route =>
        {
            await stylesheets.Task;
            await route.ContinueAsync();
        });
        await early.GotoAsync("/Account/Login", new() { WaitUntil = WaitUntilState.Commit });
        await early.Locator("#blazor-error-ui").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await Expect(early.Locator("#blazor-error-ui")).ToBeHiddenAsync();
        await Expect(early.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        stylesheets.SetResult();
        await early.WaitForLoadStateAsync(LoadState.Load);
        await Expect(early.Locator("#blazor-error-ui")).ToBeHiddenAsync();
    }

    private async Task<T> CountAsync<T>(Func<AppDbContext, Task<T>> query)
    {
        await using var db = await App.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        return await query(db);
    }

    /// <summary>A community of the two users (the first its admin), the second trusted enough to request, one share of the admin's, an open invite.</summary>
    private async Task<(Guid CommunityId, Guid ShareId, string MemberId)> SetUpAsync(string adminName, string memberName, int shareUnits)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var adminId = await db.Users.Where(u => u.UserName == adminName).Select(u => u.Id).SingleAsync();
        var memberId = await db.Users.Where(u => u.UserName == memberName).Select(u => u.Id).SingleAsync();
        var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(adminId, new("Phone Street", "Neighbours on a small screen."));
        var invites = services.GetRequiredService<InviteService>();
        var (_, secret) = await invites.CreateLinkAsync(adminId, communityId, new("Neighbours", MemberRole.Member, DateTime.UtcNow.AddDays(7), null));
        await invites.RedeemLinkAsync(memberId, secret);
        await services.GetRequiredService<TrustService>().SetAdminGrantAsync(adminId, communityId, memberId, 20);
        var shareId = await services.GetRequiredService<ShareService>().CreateAsync(adminId, communityId, new("Ladder", "Three metres.", WealthKind.Object, shareUnits));
        await db.Notifications.ExecuteDeleteAsync();
        return (communityId, shareId, memberId);
    }
}
