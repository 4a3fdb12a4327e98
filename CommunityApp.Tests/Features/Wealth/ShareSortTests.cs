using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Wealth;

/// <summary>
/// The share sorts' pages and counts (the count rides with a first page's rows; later pages count apart), and "most
/// available" ranking a recurring share whose period ended as full before the refill job stores it.
/// </summary>
public sealed class ShareSortTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private static readonly DateTimeOffset Start = new(2031, 6, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Most_available_ranks_a_week_that_ended_as_full_and_every_page_has_the_count()
    {
        fixture.Clock.Set(Start);
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var taker = await fixture.AddMemberAsync(communityId, score: 10);
        var shares = fixture.Get<ShareService>();
        var queries = fixture.Get<WealthQueries>();
        var basket = await shares.CreateAsync(owner, communityId, new ShareInput("Basket", null, WealthKind.Object, 5, Recurrence: NeedRecurrence.Weekly));
        var request = await shares.RequestAsync(taker, basket, 5, null);
        await shares.AcceptAsync(owner, request);
        await shares.FulfilAsync(taker, request);
        foreach (var (title, units) in new[] { ("Three", 3), ("Two", 2), ("One", 1) })
        {
            await shares.CreateAsync(owner, communityId, new ShareInput(title, null, WealthKind.Object, units));
        }

        // "Title free, … of total".
        async Task<string> PageAsync(ShareSort sort, int index)
        {
            var page = await queries.SearchAsync(admin, communityId, new ShareQuery(Sort: sort, PageIndex: index, PageSize: 2));
            return $"{string.Join(", ", page.Items.Select(s => $"{s.Title} {s.UnitsFree}"))} of {page.Total}";
        }

        // This week the basket is all given: last.
        (await PageAsync(ShareSort.MostAvailable, 0)).ShouldBe("Three 3, Two 2 of 4");
        (await PageAsync(ShareSort.MostAvailable, 1)).ShouldBe("One 1, Basket 0 of 4");
        (await PageAsync(ShareSort.MostAvailable, 2)).ShouldBe(" of 4");

        // A week later, before the refill job has run, it is full again and first.
        fixture.Clock.Set(Start.AddDays(8));
        await using (var db = await fixture.NewContextAsync())
        {
            (await db.Shares.Where(s => s.Id == basket).Select(s => s.UnitsGiven).SingleAsync()).ShouldBe(5);
        }
        (await PageAsync(ShareSort.MostAvailable, 0)).ShouldBe("Basket 5, Three 3 of 4");
        (await PageAsync(ShareSort.MostAvailable, 1)).ShouldBe("Two 2, One 1 of 4");

        // The other sorts count on a first page, a later one and one past the end.
        (await PageAsync(ShareSort.Newest, 0)).ShouldEndWith(" of 4");
        (await PageAsync(ShareSort.Newest, 1)).ShouldEndWith(" of 4");
        (await PageAsync(ShareSort.ExpiringSoon, 0)).ShouldEndWith(" of 4");
        (await PageAsync(ShareSort.ExpiringSoon, 3)).ShouldBe(" of 4");
        (await queries.SearchAsync(admin, communityId, new ShareQuery("nothing-matches"))).ShouldSatisfyAllConditions(
            p => p.Items.ShouldBeEmpty(), p => p.Total.ShouldBe(0));
    }
}
