using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>
/// Insight (docs/SPEC.md §13): an admin sees the non-contributing members and downloads them as CSV, finds a planted trust
/// ring flagged on the trust-ring page (drawn on the graph) and marks it reviewed, and sees a member's sparklines on their
/// profile; a plain member is refused the admin pages; the non-contributors list on a 375 px phone. Axe on every page.
/// </summary>
public sealed class InsightTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task An_admin_reviews_non_contributors_and_a_flagged_trust_ring_and_a_member_profile_shows_sparklines()
    {
        await using var adminContext = await NewContextAsync();
        var admin = await adminContext.NewPageAsync();
        await SignUpAsync(admin, "ines", "Ines Admin");
        await using var memberContext = await NewContextAsync();
        var member = await memberContext.NewPageAsync();
        await SignUpAsync(member, "milo", "Milo Member");
        var (communityId, activeId) = await SetUpAsync();
        var urls = CommunityApp.Components.CommunityUrls.For(communityId);

        // Non-contributors: everyone but the active member has been silent for the 30 days.
        await admin.OpenAsync(urls.NonContributors);
        await Expect(admin.GetByTestId("non-contributors-intro")).ToContainTextAsync("more than 30 days ago");
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Members not contributing (35)" })).ToBeVisibleAsync();
        await Expect(admin.GetByTestId("non-contributors").GetByRole(AriaRole.Link, new() { Name = "Active Anna" })).ToHaveCountAsync(0);
        await admin.CheckPageAsync("insight-01-non-contributors");
        var download = await admin.RunAndWaitForDownloadAsync(() => admin.GetByTestId("non-contributors-csv").ClickAsync());
        download.SuggestedFilename.ShouldStartWith("non-contributors-");
        var lines = (await File.ReadAllTextAsync((await download.PathAsync())!)).Split("\r\n");
        lines[0].ShouldBe("Name,Username,Joined,Last contribution");
        lines.Count(l => l.Length > 0).ShouldBe(36);

        // Trust rings: not computed yet; computing now flags the planted ring of five.
        await admin.OpenAsync(urls.TrustRings);
        await Expect(admin.GetByTestId("rings-computed")).ToContainTextAsync("Not computed yet");
        await admin.CheckPageAsync("insight-02-rings-empty");
        await admin.GetByTestId("rings-recompute").ClickAsync();
        await Expect(admin.GetByTestId("ring-cluster")).ToHaveCountAsync(1);
        await Expect(admin.GetByTestId("ring-member")).ToHaveCountAsync(5);
        for (var i = 0; i < 5; i++) await Expect(admin.GetByTestId("ring-cluster")).ToContainTextAsync($"Ring {i}");
        await Expect(admin.Locator("figure.trust-graph svg line")).ToHaveCountAsync(20);
        await admin.CheckPageAsync("insight-03-ring-flagged");
        await admin.GetByTestId("ring-review").ClickAsync();
        await admin.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Mark reviewed" }).ClickAsync();
        await Expect(admin.GetByTestId("ring-reviewed")).ToContainTextAsync("Reviewed by Ines Admin");

        // The active member's profile: totals and twelve-month lines with their text alternative.
        await admin.OpenAsync(urls.Member(activeId));
        await Expect(admin.GetByTestId("spark-shares")).ToContainTextAsync("Shares published");
        await Expect(admin.GetByTestId("spark-shares").Locator("svg[role=img]")).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("^Shares published per month, last 12 months: .* 1$"));
        await Expect(admin.GetByTestId("member-stats").Locator("svg[role=img]")).ToHaveCountAsync(4);
        await admin.CheckPageAsync("insight-04-profile-sparklines");

        // A plain member: no ring page, no non-contributors (with the reason), but the sparklines panel on profiles.
        await member.OpenAsync(urls.TrustRings);
        await Expect(member.GetByTestId("ring-cluster")).ToHaveCountAsync(0);
        await member.CheckPageAsync("insight-05-rings-refused");
        await member.OpenAsync(urls.NonContributors);
        await Expect(member.GetByTestId("non-contributors-refused")).ToContainTextAsync("view health analytics");
        (await member.Context.APIRequest.GetAsync(urls.NonContributorsCsv("Name"))).Status.ShouldBe(403);

        // The admin on a 375 px phone: the list as cards, the download button in reach.
        await using var phoneContext = await Browser.NewContextAsync(BaseUrl, phone: true);
        var phone = await phoneContext.NewPageAsync();
        await SignInAsync(phone, "ines", "Sturdy-pass-9");
        await phone.OpenAsync(urls.NonContributors);
        await Expect(phone.GetByTestId("non-contributors-csv")).ToBeVisibleAsync();
        await Expect(phone.GetByTestId("non-contributors").Locator("tbody").GetByRole(AriaRole.Link)).ToHaveCountAsync(25);
        await Expect(phone.GetByTestId("non-contributors").Locator("tbody").GetByRole(AriaRole.Link).First).ToBeInViewportAsync();
        await phone.CheckPageAsync("insight-06-non-contributors-phone");
    }

    /// <summary>
    /// Ines's community: Milo, 29 honest members who award six others each (Ines awards six of them), and a ring of five who
    /// award each other, awarded once from outside. Everyone joined 60 days ago; only Anna shared something since.
    /// </summary>
    private async Task<(Guid CommunityId, string ActiveId)> SetUpAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var ids = await db.Users.Where(u => u.UserName == "ines" || u.UserName == "milo").ToDictionaryAsync(u => u.UserName!, u => u.Id);
        var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(ids["ines"], new("Orchard Commons", null));
        ApplicationUser User(string userName, string name) => new()
        {
            UserName = userName, NormalizedUserName = userName.ToUpperInvariant(), Email = $"{userName}@example.test",
            NormalizedEmail = $"{userName}@example.test".ToUpperInvariant(), EmailConfirmed = true, DisplayName = name, SecurityStamp = Guid.NewGuid().ToString(),
        };
        var honest = new List<string> { ids["ines"], ids["milo"] };
        var ring = new List<string>();
        var users = Enumerable.Range(0, 28).Select(i => User($"honest{i}", $"Honest {i:00}"))
            .Append(User("anna", "Active Anna"))
            .Concat(Enumerable.Range(0, 5).Select(i => User($"ring{i}", $"Ring {i}"))).ToList();
        db.Users.AddRange(users);
        db.Memberships.Add(new Membership { CommunityId = communityId, UserId = ids["milo"], Role = MemberRole.Member });
        foreach (var u in users)
        {
            db.Memberships.Add(new Membership { CommunityId = communityId, UserId = u.Id, Role = MemberRole.Member });
            (u.UserName!.StartsWith("ring", StringComparison.Ordinal) ? ring : honest).Add(u.Id);
        }
        var random = new Random(7);
        var now = DateTime.UtcNow;
        foreach (var giver in honest)
            foreach (var receiver in honest.Where(h => h != giver).OrderBy(_ => random.Next()).Take(6))
                db.TrustAwards.Add(new TrustAward { CommunityId = communityId, GiverId = giver, ReceiverId = receiver, RenewedAt = now });
        foreach (var giver in ring)
            foreach (var receiver in ring.Where(r => r != giver))
                db.TrustAwards.Add(new TrustAward { CommunityId = communityId, GiverId = giver, ReceiverId = receiver, RenewedAt = now });
        db.TrustAwards.Add(new TrustAward { CommunityId = communityId, GiverId = honest[3], ReceiverId = ring[0], RenewedAt = now });
        var anna = users.Single(u => u.UserName == "anna").Id;
        db.Shares.Add(new Share { CommunityId = communityId, OwnerId = anna, Title = "Apple crates", Kind = WealthKind.Object, UnitsOffered = 3 });
        await db.SaveChangesAsync();
        await db.Memberships.Where(m => m.CommunityId == communityId).ExecuteUpdateAsync(s => s.SetProperty(m => m.CreatedAt, now.AddDays(-60)));
        return (communityId, anna);
    }
}
