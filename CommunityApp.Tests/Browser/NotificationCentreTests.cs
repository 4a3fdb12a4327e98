using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Polls;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>
/// The notification centre (docs/SPEC.md §14) in the browser: the bell's "See all" opens it, it filters by type and by
/// unread, a new notification appears live, "mark all shown as read" lowers the bell, the preferences page saves the
/// digest choice, and the digest mail arrives at the SMTP server; every page passes axe, and the centre fits a 375 px phone.
/// </summary>
public sealed class NotificationCentreTests(BrowserFixture browser, Smtp4dev smtp) : BrowserTest(browser), IClassFixture<Smtp4dev>
{
    public override async ValueTask InitializeAsync()
    {
        foreach (var (key, value) in smtp.AppSettings()) App.Settings[key] = value;
        await base.InitializeAsync();
    }

    /// <summary>Its app differs from the default only in sending mail to the run's smtp4dev: it borrows one configured so.</summary>
    protected internal override bool SharesConfiguredApp => true;

    [Fact]
    public async Task The_centre_filters_marks_read_live_saves_preferences_and_the_digest_arrives_by_mail()
    {
        await using var ninaContext = await NewContextAsync();
        var nina = await ninaContext.NewPageAsync();
        await SignUpAsync(nina, "nina", "Nina Reader");
        var (communityId, adminId, ninaId) = await SetUpAsync();
        await using (var scope = App.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<TrustService>().AwardAsync(adminId, communityId, ninaId);
            await scope.ServiceProvider.GetRequiredService<PollService>().CreateAsync(adminId, communityId, new PollInput("Paint the hall?", null, ["Yes", "No"], DurationHours: 48));
        }

        // The bell's "See all" opens the centre.
        await nina.OpenAsync("/communities");
        await nina.GetByRole(AriaRole.Button, new() { Name = "Notifications, 2 unread" }).ClickAsync();
        await nina.GetByTestId("notifications-see-all").ClickAsync();
        await Expect(nina.GetByRole(AriaRole.Heading, new() { Name = "Notifications", Level = 1 })).ToBeVisibleAsync();
        await Expect(nina.GetByTestId("notification")).ToHaveCountAsync(2);
        await Expect(nina.GetByTestId("notification").First).ToContainTextAsync("Ines Admin asks: “Paint the hall?” Vote in the poll.");
        await nina.CheckPageAsync("90-notification-centre");

        // By type: only the trust one; "mark all shown as read" marks it and the bell follows.
        await ChooseAsync(nina, "Type", "Trust received");
        await Expect(nina.GetByTestId("notification")).ToHaveCountAsync(1);
        await Expect(nina.GetByTestId("notification")).ToContainTextAsync("Ines Admin trusts you in Bell Street.");
        await nina.GetByTestId("mark-all").ClickAsync();
        await Expect(nina.GetByRole(AriaRole.Button, new() { Name = "Notifications, 1 unread" })).ToBeVisibleAsync();
        await Expect(nina.GetByTestId("mark-all")).ToBeDisabledAsync();

        // Unread only, all types: the poll one is left; a new poll appears without a reload.
        await ChooseAsync(nina, "Type", "All types");
        await nina.GetByLabel("Unread only").CheckAsync();
        await Expect(nina.GetByTestId("notification")).ToHaveCountAsync(1);
        await using (var scope = App.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<PollService>().CreateAsync(adminId, communityId, new PollInput("Plant a tree?", null, ["Yes", "No"], DurationHours: 48));
        await Expect(nina.GetByTestId("notification")).ToHaveCountAsync(2);
        await Expect(nina.GetByRole(AriaRole.Button, new() { Name = "Notifications, 2 unread" })).ToBeVisibleAsync();
        await nina.CheckPageAsync("91-notification-centre-unread");

        // Opening one reads it and goes to its page.
        await nina.GetByRole(AriaRole.Link, new() { Name = "Ines Admin asks: “Plant a tree?” Vote in the poll." }).ClickAsync();
        await Expect(nina.GetByTestId("poll-question")).ToHaveTextAsync("Plant a tree?");
        await Expect(nina.GetByRole(AriaRole.Button, new() { Name = "Notifications, 1 unread" })).ToBeVisibleAsync();

        // Preferences: new polls in the daily digest too.
        await nina.OpenAsync(NotificationUrls.Preferences);
        await Expect(nina.GetByRole(AriaRole.Heading, new() { Name = "Notification preferences" })).ToBeVisibleAsync();
        await ChooseAsync(nina, "New polls", "In the app and the daily e-mail");
        await nina.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(nina.GetByText("Preferences saved.")).ToBeVisibleAsync();
        await nina.CheckPageAsync("92-notification-preferences");
        await nina.ReloadAsync();
        await Expect(nina.GetByTestId($"pref-{NotificationKind.PollCreated}")).ToContainTextAsync("In the app and the daily e-mail");

        // The next poll goes into the digest, which arrives by mail with its link.
        await using (var scope = App.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PollService>().CreateAsync(adminId, communityId, new PollInput("Open on Sundays?", null, ["Yes", "No"], DurationHours: 48));
            (await scope.ServiceProvider.GetRequiredService<NotificationDigest>().SendDueAsync()).ShouldBe(1);
        }
        var message = await smtp.WaitForMessageToAsync("nina@example.test");
        message.Subject.ShouldBe("Your CommunityApp digest: 1 new");
        var text = await smtp.PlainTextAsync(message.Id);
        text.ShouldContain("Ines Admin asks: “Open on Sundays?” Vote in the poll.");
        var link = LinkIn(text, "/notifications/open/");
        await nina.GotoAsync(link);
        await Expect(nina.GetByTestId("poll-question")).ToHaveTextAsync("Open on Sundays?");

        // On a phone: the centre fits the screen.
        await using var phoneContext = await Browser.NewContextAsync(BaseUrl, phone: true);
        var phone = await phoneContext.NewPageAsync();
        await SignInAsync(phone, "nina", "Sturdy-pass-9", returnUrl: NotificationUrls.Centre);
        await Expect(phone.GetByTestId("notification").First).ToBeVisibleAsync();
        var widths = await phone.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        widths[0].ShouldBeLessThanOrEqualTo(widths[1], "the centre scrolls sideways on a 375 px phone");
        await phone.CheckPageAsync("93-notification-centre-phone");
    }

    [Fact]
    public async Task A_notification_about_a_community_the_reader_left_says_so_instead_of_failing()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await SignUpAsync(page, "nina", "Nina Reader");
        var (communityId, adminId, ninaId) = await SetUpAsync();
        await using (var scope = App.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<TrustService>().AwardAsync(adminId, communityId, ninaId);
            await scope.ServiceProvider.GetRequiredService<CommunityApp.Features.Members.MemberService>().LeaveAsync(ninaId, communityId);
        }

        await page.OpenAsync(NotificationUrls.Centre);
        await page.GetByRole(AriaRole.Link, new() { Name = "Ines Admin trusts you in Bell Street." }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This is no longer available" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("notification-unavailable")).ToContainTextAsync("You are not a member of this community.");
        await page.CheckPageAsync("94-notification-unavailable");
    }

    [Fact]
    public async Task A_reply_notification_past_the_first_page_opens_the_page_holding_the_reply_and_shows_it()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await SignUpAsync(page, "nina", "Nina Reader");
        var (communityId, adminId, ninaId) = await SetUpAsync();
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var forum = scope.ServiceProvider.GetRequiredService<CommunityApp.Features.Forum.ForumService>();
            var category = await forum.CreateCategoryAsync(adminId, communityId, new("General", ""));
            var thread = await forum.CreateThreadAsync(adminId, category, new("Street party", "Who brings what?", ""));
            for (var i = 1; i <= 24; i++) await forum.ReplyAsync(adminId, thread, $"Early note {i}");
            await forum.ReplyAsync(ninaId, thread, "I bring the lemonade.");
        }
        await using var ines = await NewContextAsync();
        var inesPage = await ines.NewPageAsync();
        await SignInAsync(inesPage, "ines", "Sturdy-pass-9", returnUrl: NotificationUrls.Centre);
        await inesPage.GetByRole(AriaRole.Link, new() { Name = "Nina Reader replied to your thread “Street party”." }).ClickAsync();
        var reply = inesPage.GetByTestId("post").Filter(new() { HasText = "I bring the lemonade." });
        await Expect(reply).ToBeVisibleAsync();
        await Expect(reply).ToBeInViewportAsync();
    }

    /// <summary>Ines's community "Bell Street" with Nina as a member; no notifications yet.</summary>
    private async Task<(Guid CommunityId, string AdminId, string NinaId)> SetUpAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var admin = new ApplicationUser { UserName = "ines", Email = "ines@example.test", EmailConfirmed = true, DisplayName = "Ines Admin" };
        (await services.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<ApplicationUser>>().CreateAsync(admin, "Sturdy-pass-9")).Succeeded.ShouldBeTrue();
        var nina = await db.Users.Where(u => u.UserName == "nina").Select(u => u.Id).SingleAsync();
        var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(admin.Id, new("Bell Street", null));
        var invites = services.GetRequiredService<InviteService>();
        var (_, secret) = await invites.CreateLinkAsync(admin.Id, communityId, new("Neighbours", MemberRole.Member, DateTime.UtcNow.AddDays(1), null));
        await invites.RedeemLinkAsync(nina, secret);
        await db.Notifications.ExecuteDeleteAsync();
        return (communityId, admin.Id, nina);
    }
}
