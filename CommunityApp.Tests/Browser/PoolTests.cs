using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Members;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Pools;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>
/// The pool journey (docs/SPEC.md §7): the member gives rice through the pool page on a phone, the manager confirms it and previews a distribution of the pool's rice over the
/// members' needs, confirms it through the confirmation dialog, and the member with the need, on a phone, sees the
/// allocation on the open pool page and hears of it without a reload.
/// </summary>
public sealed class PoolTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task A_manager_previews_and_confirms_a_distribution_and_the_member_sees_the_allocation_live()
    {
        await using var adminContext = await NewContextAsync();
        var admin = await adminContext.NewPageAsync();
        await SignUpAsync(admin, "maria", "Maria Manager");
        await using var memberContext = await Browser.NewContextAsync(BaseUrl, phone: true);
        var member = await memberContext.NewPageAsync();
        await SignUpAsync(member, "nadia", "Nadia Member");
        var (communityId, poolId) = await SetUpAsync("maria", "nadia");
        var urls = CommunityApp.Components.CommunityUrls.For(communityId);

        await member.OpenAsync(urls.Pool(poolId));
        await Expect(member.GetByTestId("pool-name")).ToHaveTextAsync("Rice pool");
        await Expect(member.GetByText("Nothing distributed yet.")).ToBeVisibleAsync();
        await member.CheckPageAsync("70-pool-phone");

        // The member gives through the pool page: the pool and its one item are chosen already.
        await member.GetByRole(AriaRole.Link, new() { Name = "Give to the pool" }).ClickAsync();
        await member.GetByLabel("Title").FillAsync("Two more bags of rice");
        await member.GetByLabel("Units", new() { Exact = true }).FillAsync("2");
        await member.CheckPageAsync("70b-give-to-pool-phone");
        await member.GetByRole(AriaRole.Button, new() { Name = "Share it" }).ClickAsync();
        await Expect(member.GetByTestId("share-council")).ToContainTextAsync("A contribution to Rice pool");
        await member.GetByRole(AriaRole.Link, new() { Name = "Rice pool" }).ClickAsync();
        await Expect(member.GetByTestId("pool-contribution").First).ToContainTextAsync("Awaiting confirmation");

        await admin.OpenAsync(urls.Council(await CouncilOfAsync(poolId)));
        await admin.GetByRole(AriaRole.Tab, new() { Name = "Pools" }).ClickAsync();
        await Expect(admin.GetByTestId("council-pool")).ToContainTextAsync("Rice pool");
        await admin.GetByRole(AriaRole.Link, new() { Name = "Rice pool" }).ClickAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Confirm receipt of Nadia Member's contribution" }).ClickAsync();
        await Expect(admin.GetByTestId("pool-inventory-row")).ToHaveTextAsync("Rice (kg)12");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Expect(admin.GetByTestId("preview-row")).ToHaveTextAsync("Nadia Member66");
        await Expect(admin.GetByTestId("preview-summary")).ToHaveTextAsync("12 in the pool, 6 would be given, 6 left.");
        await admin.CheckPageAsync("71-pool-preview");

        await admin.GetByRole(AriaRole.Button, new() { Name = "Give these units" }).ClickAsync();
        await admin.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Give these units" }).ClickAsync();
        await Expect(admin.GetByTestId("allocation")).ToContainTextAsync("Nadia Member · 6 × Rice (kg)");
        await Expect(admin.GetByTestId("pool-inventory-row")).ToHaveTextAsync("Rice (kg)6");

        // The member's open page follows, and the notification arrives without a reload.
        await Expect(member.GetByTestId("allocation")).ToContainTextAsync("Nadia Member · 6 × Rice (kg)");
        await Expect(member.GetByTestId("pool-inventory-row")).ToHaveTextAsync("Rice (kg)6");
        // Two: the contribution confirmed, then the allocation.
        await Expect(member.GetByRole(AriaRole.Button, new() { Name = "Notifications, 2 unread" })).ToBeVisibleAsync();
        await member.CheckPageAsync("72-pool-allocated-phone");
    }

    private async Task<Guid> CouncilOfAsync(Guid poolId)
    {
        await using var scope = App.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        return await db.Pools.Where(p => p.Id == poolId).Select(p => p.CouncilId).SingleAsync();
    }

    /// <summary>A community where the manager runs a council with a pool holding 10 rice, and the member needs 6 rice.</summary>
    private async Task<(Guid CommunityId, Guid PoolId)> SetUpAsync(string adminName, string memberName)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var adminId = await db.Users.Where(u => u.UserName == adminName).Select(u => u.Id).SingleAsync();
        var memberId = await db.Users.Where(u => u.UserName == memberName).Select(u => u.Id).SingleAsync();
        var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(adminId, new("Pool Commons", null));
        var (_, secret) = await services.GetRequiredService<InviteService>().CreateLinkAsync(adminId, communityId, new("Neighbours", MemberRole.Member, DateTime.UtcNow.AddDays(1), null));
        await services.GetRequiredService<InviteService>().RedeemLinkAsync(memberId, secret);
        await services.GetRequiredService<MemberService>().GrantFeatureRoleAsync(adminId, communityId, memberId, CommunityApp.Auth.FeatureRole.NeedsPublisher);
        var rice = await services.GetRequiredService<CatalogService>().AddItemAsync(adminId, communityId, "Rice (kg)", WealthKind.Object, null, null);
        var councilId = await services.GetRequiredService<CouncilService>().CreateAsync(adminId, communityId, new CouncilInput("Food pantry", "Collects food and hands it to who needs it."));
        var poolId = await services.GetRequiredService<PoolService>().CreateAsync(adminId, councilId, new PoolInput("Rice pool", "Rice for families.", [rice]));
        var share = await services.GetRequiredService<ShareService>().CreateAsync(memberId, communityId,
            new ShareInput("Rice for the pool", null, WealthKind.Object, 10, ItemId: rice, Target: ShareTarget.Pool, TargetId: poolId));
        var contribution = await db.Contributions.Where(c => c.ShareId == share).Select(c => c.Id).SingleAsync();
        await services.GetRequiredService<CouncilService>().ConfirmContributionAsync(adminId, contribution);
        await services.GetRequiredService<NeedService>().CreateAsync(memberId, communityId, new NeedInput(rice, null, null, 6));
        await db.Notifications.ExecuteDeleteAsync();
        return (communityId, poolId);
    }
}
