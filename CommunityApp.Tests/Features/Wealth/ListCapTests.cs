using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Wealth;

/// <summary>Lists a page loads whole have caps the service holds (#15 §10): categories, a link's redemptions.</summary>
public sealed class ListCapTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task A_community_keeps_at_most_the_category_cap_and_the_next_one_is_refused_with_a_message()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        await using (var db = await fixture.NewContextAsync())
        {
            var existing = await db.ItemCategories.CountAsync(c => c.CommunityId == communityId);
            for (var i = existing; i < CatalogService.MaxCategories; i++)
                db.ItemCategories.Add(new ItemCategory { CommunityId = communityId, Name = $"Category {i:000}" });
            await db.SaveChangesAsync();
        }

        var refusal = await Should.ThrowAsync<ValidationFailedException>(() => fixture.Get<CatalogService>().AddCategoryAsync(admin, communityId, "One too many", null));

        refusal.Errors["name"].ShouldBe($"A community keeps at most {CatalogService.MaxCategories} categories; rename or reuse one.");
        await using var check = await fixture.NewContextAsync();
        (await check.ItemCategories.CountAsync(c => c.CommunityId == communityId)).ShouldBe(CatalogService.MaxCategories);
        (await fixture.Get<WealthQueries>().CategoriesAsync(admin, communityId)).Count.ShouldBe(CatalogService.MaxCategories);
    }

    [Fact]
    public async Task The_invites_list_names_a_links_latest_redemptions_and_counts_them_all()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var invites = fixture.Get<InviteService>();
        var (linkId, secret) = await invites.CreateLinkAsync(admin, communityId, new LinkInviteInput("Open day", MemberRole.Member, DateTime.UtcNow.AddDays(3), null));
        for (var i = 0; i < InviteService.RedemptionsShown + 5; i++) await invites.RedeemLinkAsync(await fixture.CreateUserAsync(), secret);

        var row = (await invites.ListAsync(admin, communityId)).Items.Single(r => r.Id == linkId);

        row.Uses.ShouldBe(InviteService.RedemptionsShown + 5);
        row.Redemptions.Count.ShouldBe(InviteService.RedemptionsShown);
        row.Redemptions.Select(r => r.RedeemedAt).ShouldBeInOrder(SortDirection.Descending);
    }
}
