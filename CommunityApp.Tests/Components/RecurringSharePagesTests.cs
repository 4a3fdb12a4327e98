using Bunit;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Components;

/// <summary>Recurring shares on the pages (docs/SPEC.md §5.2): the form's period field, and "5 per week", what is left and when it refills.</summary>
public sealed class RecurringSharePagesTests(SqliteServiceFixture data) : IClassFixture<SqliteServiceFixture>
{
    private ShareService Shares => data.Get<ShareService>();

    [Fact]
    public async Task The_new_share_form_offers_a_period_and_refuses_bad_units_per_week_beside_the_field_saving_nothing()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        await using var context = PageTestContext.Create(data, admin);
        context.Render<MudPopoverProvider>();
        context.Render<MudSnackbarProvider>();

        var page = context.Render<NewSharePage>(p => p.Add(x => x.CommunityId, communityId));
        page.WaitForAssertion(() => page.Find("[data-testid=share-recurrence] legend").TextContent.ShouldBe("Offered"));
        page.FindAll("[data-testid=share-recurrence] label").Select(l => l.TextContent.Trim()).ShouldBe(["Once", "Every day", "Every week", "Every month"]);

        // Each step finds its element and acts on it in one go on the renderer, so a re-render in between cannot interfere.
        await page.InvokeAsync(() => page.Find("input").Change("Vegetable basket"));
        await page.InvokeAsync(() => page.FindAll("[data-testid=share-recurrence] input[type=radio]")[2].Click());
        page.WaitForAssertion(() => page.FindAll("label").Select(l => l.TextContent).ShouldContain("Units per week"));
        await page.InvokeAsync(() => UnitsInput(page, "Units per week").Change("0"));
        await page.InvokeAsync(() => page.FindAll("button").Single(b => b.TextContent.Trim() == "Share it").Click());

        page.WaitForAssertion(() => UnitsControl(page, "Units per week").TextContent.ShouldContain("Use 1 to 100000 units."));
        await using var db = await data.NewContextAsync();
        (await db.Shares.CountAsync(s => s.CommunityId == communityId)).ShouldBe(0);

        // Five a week is published as a weekly share.
        await page.InvokeAsync(() => UnitsInput(page, "Units per week").Change("5"));
        await page.InvokeAsync(() => page.FindAll("button").Single(b => b.TextContent.Trim() == "Share it").Click());
        page.WaitForAssertion(() => db.Shares.AsNoTracking().Count(s => s.CommunityId == communityId).ShouldBe(1));
        (await db.Shares.AsNoTracking().SingleAsync(s => s.CommunityId == communityId))
            .ShouldSatisfyAllConditions(s => s.Recurrence.ShouldBe(NeedRecurrence.Weekly), s => s.UnitsOffered.ShouldBe(5), s => s.PeriodEnd.ShouldNotBeNull());
    }

    [Fact]
    public async Task The_share_page_says_five_per_week_none_left_this_week_and_when_it_refills()
    {
        var (communityId, _) = await data.CreateCommunityAsync();
        var owner = await data.AddMemberAsync(communityId);
        var ana = await data.AddMemberAsync(communityId, score: 10);
        var ben = await data.AddMemberAsync(communityId, score: 10);
        var shareId = await Shares.CreateAsync(owner, communityId, new ShareInput("Vegetable basket", null, WealthKind.Object, 5, Recurrence: NeedRecurrence.Weekly));
        var request = await Shares.RequestAsync(ana, shareId, 5, null);
        await Shares.AcceptAsync(owner, request);
        await using var db = await data.NewContextAsync();
        var refills = SharePeriods.RefillText((await db.Shares.AsNoTracking().SingleAsync(s => s.Id == shareId)).PeriodEnd!.Value);
        await using var context = PageTestContext.Create(data, ben);
        context.Render<MudPopoverProvider>();

        var page = context.Render<SharePage>(p => p.Add(x => x.CommunityId, communityId).Add(x => x.ShareId, shareId));

        page.WaitForAssertion(() => page.Find("[data-testid=units-free]").TextContent.Trim().ShouldBe("0 / 5 per week"));
        page.Markup.ShouldContain("Left this week");
        page.Find("[data-testid=share-refills]").TextContent.ShouldBe(refills);
        page.Find("[data-testid=share-none-left]").TextContent.Trim().ShouldBe($"None left this week — refills on {refills}");
        page.Find("[data-testid=request-reason]").TextContent.ShouldBe($"None left this week — refills on {refills}");
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Request").HasAttribute("disabled").ShouldBeTrue();
        page.Find("[data-testid=share-status]").TextContent.ShouldBe("Active");
    }

    [Fact]
    public async Task The_share_list_shows_units_per_week_and_when_they_refill()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        var shareId = await Shares.CreateAsync(admin, communityId, new ShareInput("Eggs", null, WealthKind.Object, 6, Recurrence: NeedRecurrence.Weekly));
        await using var db = await data.NewContextAsync();
        var refills = SharePeriods.RefillText((await db.Shares.AsNoTracking().SingleAsync(s => s.Id == shareId)).PeriodEnd!.Value);
        await using var context = PageTestContext.Create(data, admin);
        context.Render<MudPopoverProvider>();

        var page = context.Render<SharesPage>(p => p.Add(x => x.CommunityId, communityId));

        page.WaitForAssertion(() => page.FindAll("tbody tr").ShouldHaveSingleItem().TextContent.ShouldContain("Eggs"));
        page.Find("tbody tr [data-testid=share-units]").TextContent.ShouldBe("6 / 6 per week");
        page.Find("tbody tr [data-testid=share-refill]").TextContent.Trim().ShouldBe($"Refills on {refills}");
    }

    [Fact]
    public async Task A_cancelled_weekly_share_promises_no_refill()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        var shareId = await Shares.CreateAsync(admin, communityId, new ShareInput("Milk", null, WealthKind.Object, 2, Recurrence: NeedRecurrence.Weekly));
        await Shares.CancelShareAsync(admin, shareId);
        await using var context = PageTestContext.Create(data, admin);
        context.Render<MudPopoverProvider>();

        var page = context.Render<SharePage>(p => p.Add(x => x.CommunityId, communityId).Add(x => x.ShareId, shareId));

        page.WaitForAssertion(() => page.Find("[data-testid=share-status]").TextContent.ShouldBe("Cancelled"));
        page.FindAll("[data-testid=share-refills]").ShouldBeEmpty();
        page.FindAll("[data-testid=share-none-left]").ShouldBeEmpty();
    }

    /// <summary>The field labelled <paramref name="label"/>, with its helper or error text.</summary>
    private static AngleSharp.Dom.IElement UnitsControl(IRenderedComponent<NewSharePage> page, string label) =>
        page.FindAll(".mud-input-control").Single(c => c.QuerySelector("label")?.TextContent == label);

    private static AngleSharp.Dom.IElement UnitsInput(IRenderedComponent<NewSharePage> page, string label) => UnitsControl(page, label).QuerySelector("input")!;
}
