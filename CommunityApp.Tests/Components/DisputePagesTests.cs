using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using CommunityApp.Auth;
using CommunityApp.Features.Disputes;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Components;

/// <summary>The dispute pages (docs/SPEC.md §12) over the real services: privacy, the handlers' queue, live offers, field messages.</summary>
public sealed class DisputePagesTests(SqliteServiceFixture data) : IClassFixture<SqliteServiceFixture>
{
    private DisputeService Disputes => data.Get<DisputeService>();

    private async Task<(Guid CommunityId, string Requester, string Owner, string Handler, string Outsider, Guid RequestId)> FailedRequestAsync()
    {
        var (communityId, _) = await data.CreateCommunityAsync();
        var requester = await data.AddMemberAsync(communityId, score: 10);
        var owner = await data.AddMemberAsync(communityId);
        var handler = await data.AddMemberAsync(communityId, featureRoles: FeatureRole.DisputeHandler);
        var outsider = await data.AddMemberAsync(communityId);
        var shares = data.Get<ShareService>();
        var shareId = await shares.CreateAsync(owner, communityId, new ShareInput("Lawn mower", null, WealthKind.Object, 1));
        var requestId = await shares.RequestAsync(requester, shareId, 1, null);
        await shares.AcceptAsync(owner, requestId);
        await shares.FailAsync(requester, requestId);
        return (communityId, requester, owner, handler, outsider, requestId);
    }

    [Fact]
    public async Task A_party_sees_the_dispute_and_an_offer_to_mediate_appears_live_while_an_outsider_gets_not_found()
    {
        var w = await FailedRequestAsync();
        var id = await Disputes.OpenForRequestAsync(w.Requester, w.RequestId, new DisputeInput("Secret title", "Details"));
        await using var context = PageTestContext.Create(data, w.Owner);
        context.Render<MudPopoverProvider>();
        var page = context.Render<DisputePage>(p => p.Add(x => x.CommunityId, w.CommunityId).Add(x => x.DisputeId, id));
        page.WaitForAssertion(() => page.Find("[data-testid=dispute-title]").TextContent.ShouldBe("Secret title"));
        page.FindAll("[data-testid=mediator]").ShouldBeEmpty();

        // Through the page's own services, whose event hub the page listens to.
        await context.Services.GetRequiredService<DisputeService>().OfferToMediateAsync(w.Handler, id);
        page.WaitForAssertion(() => page.Find("[data-testid=accept-mediator]"));

        await using var outsiderContext = PageTestContext.Create(data, w.Outsider);
        var hidden = outsiderContext.Render<DisputePage>(p => p.Add(x => x.CommunityId, w.CommunityId).Add(x => x.DisputeId, id));
        hidden.WaitForAssertion(() => hidden.Find("[data-testid=dispute-not-found]").TextContent.ShouldBe("Dispute not found."));
        hidden.Markup.ShouldNotContain("Secret title");
    }

    [Fact]
    public async Task A_handler_sees_the_queue_without_titles_and_an_empty_message_gets_its_field_message()
    {
        var w = await FailedRequestAsync();
        var id = await Disputes.OpenForRequestAsync(w.Requester, w.RequestId, new DisputeInput("Secret title", "Details"));
        await using var context = PageTestContext.Create(data, w.Handler);
        context.Render<MudPopoverProvider>();
        var list = context.Render<DisputesPage>(p => p.Add(x => x.CommunityId, w.CommunityId));
        list.WaitForAssertion(() => list.FindAll("[data-testid=queue-item]").Count.ShouldBe(1));
        list.Markup.ShouldNotContain("Secret title");
        list.Find("[data-testid=offer-mediate]").Click();
        list.WaitForAssertion(() => list.Find("[data-testid=my-offer]").TextContent.ShouldBe("Offered"));

        await using var partyContext = PageTestContext.Create(data, w.Requester);
        partyContext.Render<MudPopoverProvider>();
        var page = partyContext.Render<DisputePage>(p => p.Add(x => x.CommunityId, w.CommunityId).Add(x => x.DisputeId, id));
        page.WaitForAssertion(() => page.Find("[data-testid=post-message]"));
        page.Find("[data-testid=post-message]").Click();
        page.WaitForAssertion(() => page.Markup.ShouldContain("Write a message."));
        (await Disputes.TimelineAsync(w.Requester, id, 0, 50)).Items.ShouldNotContain(e => e.Kind == DisputeEventKind.Message);
    }

    [Fact]
    public async Task A_members_view_of_the_queue_explains_who_handles_disputes()
    {
        var w = await FailedRequestAsync();
        await using var context = PageTestContext.Create(data, w.Outsider);
        var list = context.Render<DisputesPage>(p => p.Add(x => x.CommunityId, w.CommunityId));
        list.WaitForAssertion(() => list.Find("[data-testid=queue-why]").TextContent.ShouldContain("Needs 20 trust, you have 0"));
        list.Find("[data-testid=no-disputes]");
    }
}
