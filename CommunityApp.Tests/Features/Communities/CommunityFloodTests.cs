using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Communities;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Communities;

/// <summary>One person cannot flood the site with communities (#15 §10): a daily cap that holds in parallel.</summary>
public sealed class CommunityFloodTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Ten_parallel_creations_by_one_person_make_the_daily_five_and_the_next_day_allows_more()
    {
        var start = new DateTimeOffset(2031, 3, 1, 9, 0, 0, TimeSpan.Zero);
        fixture.Clock.Set(start);
        try
        {
            var user = await fixture.CreateUserAsync();
            var service = fixture.Get<CommunityService>();

            var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Race.Attempt(() => service.CreateAsync(user, new($"Flood {i}", null)))));

            results.Count(created => created).ShouldBe(CommunityService.MaxCreatedPerDay);
            var refusal = await Should.ThrowAsync<ValidationFailedException>(() => service.CreateAsync(user, new("One more", null)));
            refusal.Errors["Name"].ShouldBe("You have created 5 communities in the last 24 hours; try again tomorrow.");
            await using (var db = await fixture.NewContextAsync())
                (await db.Communities.CountAsync(c => c.CreatedBy == user)).ShouldBe(CommunityService.MaxCreatedPerDay);

            fixture.Clock.Advance(TimeSpan.FromHours(24.5));
            await service.CreateAsync(user, new("Next day", null));
        }
        finally
        {
            fixture.Clock.Reset();
        }
    }
}
