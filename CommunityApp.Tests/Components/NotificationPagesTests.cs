using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Polls;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Components;

/// <summary>The notification centre and preferences pages on SQLite: empty state, keyset pages, the kinds from the enum, the poll INSERT … SELECT honouring "off".</summary>
public sealed class NotificationPagesTests(SqliteServiceFixture data) : IClassFixture<SqliteServiceFixture>
{
    [Fact]
    public async Task The_centre_says_when_there_is_nothing_and_pages_older_ones()
    {
        var me = await data.CreateUserAsync();
        await using var context = PageTestContext.Create(data, me);
        context.Render<MudPopoverProvider>();
        var empty = context.Render<NotificationsPage>();
        empty.WaitForAssertion(() => empty.Find("[data-testid=notifications-empty]").TextContent.ShouldContain("No notifications yet."));
        await context.DisposeComponentsAsync();

        await using (var db = await data.NewContextAsync())
        {
            var at = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            for (var i = 0; i < NotificationService.PageSize + 5; i++)
                db.Notifications.Add(new Notification { UserId = me, Kind = NotificationKind.TrustReceived, Actor = "Ann", Subject = $"Place {i}", Link = "/communities", CreatedAt = at.AddMinutes(i / 3) });
            await db.SaveChangesAsync();
        }
        var page = context.Render<NotificationsPage>();
        page.WaitForAssertion(() => page.FindAll("[data-testid=notification]").Count.ShouldBe(NotificationService.PageSize));
        var first = page.FindAll("[data-testid=notification] a").Select(a => a.TextContent).ToList();
        page.Find("[data-testid=older]").Click();
        page.WaitForAssertion(() => page.FindAll("[data-testid=notification]").Count.ShouldBe(5));
        var second = page.FindAll("[data-testid=notification] a").Select(a => a.TextContent).ToList();
        first.Concat(second).Distinct().Count().ShouldBe(NotificationService.PageSize + 5, "no notification is on both pages or on none");
    }

    [Fact]
    public async Task The_preferences_page_lists_every_kind_and_off_holds_for_the_poll_notice_on_SQLite()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        var member = await data.AddMemberAsync(communityId);
        await using var context = PageTestContext.Create(data, member);
        context.Render<MudPopoverProvider>();
        var page = context.Render<NotificationPreferencesPage>();
        page.WaitForAssertion(() => page.FindAll("[data-testid^=pref-]").Count.ShouldBe(Enum.GetValues<NotificationKind>().Length));
        page.Markup.ShouldContain("New polls");

        var service = context.Services.GetRequiredService<NotificationService>();
        await service.SavePreferencesAsync(member, new Dictionary<NotificationKind, NotificationDelivery> { [NotificationKind.PollCreated] = NotificationDelivery.Off }, "en");
        var other = await data.AddMemberAsync(communityId);
        await service.SavePreferencesAsync(other, new Dictionary<NotificationKind, NotificationDelivery> { [NotificationKind.PollCreated] = NotificationDelivery.Digest }, "en");
        await context.Services.GetRequiredService<PollService>().CreateAsync(admin, communityId, new PollInput("Paint?", null, ["Yes", "No"], DurationHours: 48));

        (await service.UnreadCountAsync(member)).ShouldBe(0);
        await using var db = await data.NewContextAsync();
        db.Notifications.Where(n => n.UserId == other).Select(n => n.InDigest).ToList().ShouldBe([true]);
    }
}
