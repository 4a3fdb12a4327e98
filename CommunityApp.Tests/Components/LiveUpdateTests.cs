using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using CommunityApp.Auth;
using CommunityApp.Components.Layout;
using CommunityApp.Events;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Components;

/// <summary>The live path: a service publishes, an open page re-renders without being asked.</summary>
public sealed class LiveUpdateTests(SqliteServiceFixture data) : IClassFixture<SqliteServiceFixture>
{
    [Fact]
    public async Task An_award_updates_the_receivers_open_home_page_and_notification_count()
    {
        var (communityId, _) = await data.CreateCommunityAsync();
        var receiver = await data.AddMemberAsync(communityId);
        var giver = await data.AddMemberAsync(communityId, score: 15);
        await using var context = PageTestContext.Create(data, receiver);
        context.Render<MudPopoverProvider>();
        var home = context.Render<CommunityHomePage>(p => p.Add(x => x.CommunityId, communityId));
        var bell = context.Render<NotificationBell>();
        home.WaitForAssertion(() => home.Find("[data-testid=my-trust]").TextContent.ShouldBe("0"));
        bell.Find("button").GetAttribute("aria-label").ShouldBe("Notifications, 0 unread");

        await context.Services.GetRequiredService<TrustService>().AwardAsync(giver, communityId, receiver);

        home.WaitForAssertion(() => home.Find("[data-testid=my-trust]").TextContent.ShouldBe("1"));
        bell.WaitForAssertion(() => bell.Find("button").GetAttribute("aria-label").ShouldBe("Notifications, 1 unread"));
    }

    [Fact]
    public async Task A_closed_page_stops_listening()
    {
        var (communityId, _) = await data.CreateCommunityAsync();
        var receiver = await data.AddMemberAsync(communityId);
        var giver = await data.AddMemberAsync(communityId, score: 15);
        await using var context = PageTestContext.Create(data, receiver);
        var hub = (InMemoryEventHub)context.Services.GetRequiredService<IEventHub>();
        var before = hub.SubscriberCount;
        var home = context.Render<CommunityHomePage>(p => p.Add(x => x.CommunityId, communityId));
        home.WaitForAssertion(() => home.Find("[data-testid=my-trust]"));
        hub.SubscriberCount.ShouldBeGreaterThan(before);

        await context.DisposeComponentsAsync();

        hub.SubscriberCount.ShouldBe(before);
        // Publishing to nobody is harmless.
        await context.Services.GetRequiredService<TrustService>().AwardAsync(giver, communityId, receiver);
    }
}
