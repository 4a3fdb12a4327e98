using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>
/// The poll journey of the issue (docs/SPEC.md §9): a trusted member creates a poll whose results stay hidden until you vote;
/// two others vote with reasons (one on a 375 px phone), and each sees the results only after their own vote; the
/// creator's open page follows the votes live; the creator closes it (with a confirmation) and downloads the CSV.
/// </summary>
public sealed class PollTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task A_member_runs_a_poll_with_hidden_results_two_vote_with_reasons_and_the_creator_closes_it_and_downloads_the_csv()
    {
        await using var rosaContext = await NewContextAsync();
        var rosa = await rosaContext.NewPageAsync();
        await SignUpAsync(rosa, "rosa", "Rosa Creator");
        await using var samContext = await NewContextAsync();
        var sam = await samContext.NewPageAsync();
        await SignUpAsync(sam, "sam", "Sam Voter");
        await using var tiaContext = await Browser.NewContextAsync(BaseUrl, phone: true);
        var tia = await tiaContext.NewPageAsync();
        await SignUpAsync(tia, "tia", "Tia Phone");
        var communityId = await SetUpAsync();
        var urls = CommunityApp.Components.CommunityUrls.For(communityId);

        // Rosa (trust 15) creates the poll; a question left out gets its field message first.
        await rosa.OpenAsync(urls.Polls);
        await Expect(rosa.GetByTestId("polls-empty")).ToHaveTextAsync("No polls yet.");
        await rosa.CheckPageAsync("80-polls-empty");
        await rosa.GetByRole(AriaRole.Link, new() { Name = "New poll" }).ClickAsync();
        await rosa.GetByLabel("Option 1", new() { Exact = true }).FillAsync("Saturday morning");
        await rosa.GetByLabel("Option 2", new() { Exact = true }).FillAsync("Sunday afternoon");
        await rosa.GetByRole(AriaRole.Button, new() { Name = "Add option" }).ClickAsync();
        await rosa.GetByLabel("Option 3", new() { Exact = true }).FillAsync("Wednesday evening");
        await rosa.GetByRole(AriaRole.Button, new() { Name = "Create poll" }).ClickAsync();
        await Expect(rosa.GetByText("Use 1 to 200 characters.")).ToBeVisibleAsync();
        await rosa.GetByLabel("Question").FocusAsync();
        await rosa.CheckPageAsync("81-new-poll-refused");
        await rosa.GetByLabel("Question").FillAsync("When shall we hold the repair café?");
        await Expect(rosa.GetByRole(AriaRole.Radio, new() { Name = "Hidden until you vote" })).ToBeCheckedAsync();
        await rosa.GetByLabel("Hours", new() { Exact = true }).FillAsync("48");
        await rosa.GetByRole(AriaRole.Button, new() { Name = "Create poll" }).ClickAsync();
        await Expect(rosa.GetByTestId("poll-question")).ToHaveTextAsync("When shall we hold the repair café?");
        await Expect(rosa.GetByTestId("poll-voters")).ToHaveTextAsync("0 of 4 members have voted.");
        await Expect(rosa.GetByTestId("results-hidden")).ToHaveTextAsync("The results show once you have voted.");
        await rosa.CheckPageAsync("82-poll-creator");
        var pollUrl = new Uri(rosa.Url).AbsolutePath;

        // Sam votes with a reason: the results appear for him, not for Rosa, whose page counts the vote live.
        await sam.OpenAsync(pollUrl);
        await Expect(sam.GetByTestId("results-hidden")).ToBeVisibleAsync();
        await sam.GetByRole(AriaRole.Radio, new() { Name = "Saturday morning" }).CheckAsync();
        await sam.GetByLabel("Reason (optional)").FillAsync("The workshop is free then.");
        await sam.GetByRole(AriaRole.Button, new() { Name = "Vote" }).ClickAsync();
        await Expect(sam.GetByTestId("my-vote")).ToHaveTextAsync("Saturday morning");
        await Expect(sam.GetByTestId("result-count")).ToHaveTextAsync(["Votes: 1 · 100 %", "Votes: 0 · 0 %", "Votes: 0 · 0 %"]);
        await Expect(rosa.GetByTestId("poll-voters")).ToHaveTextAsync("1 of 4 members have voted.");
        await Expect(rosa.GetByTestId("results-hidden")).ToBeVisibleAsync();

        // Tia votes on her phone; her results include both votes, Sam's open page follows.
        await tia.OpenAsync(pollUrl);
        await Expect(tia.GetByTestId("results-hidden")).ToBeVisibleAsync();
        await tia.GetByRole(AriaRole.Radio, new() { Name = "Sunday afternoon" }).CheckAsync();
        await tia.GetByLabel("Reason (optional)").FillAsync("Saturdays I work at the market.");
        await tia.GetByRole(AriaRole.Button, new() { Name = "Vote" }).ClickAsync();
        await Expect(tia.GetByTestId("result-count")).ToHaveTextAsync(["Votes: 1 · 50 %", "Votes: 1 · 50 %", "Votes: 0 · 0 %"]);
        await Expect(tia.GetByTestId("ballot")).ToHaveCountAsync(2);
        await tia.CheckPageAsync("83-poll-voted-phone");
        await Expect(sam.GetByTestId("result-count")).ToHaveTextAsync(["Votes: 1 · 50 %", "Votes: 1 · 50 %", "Votes: 0 · 0 %"]);
        await Expect(rosa.GetByTestId("poll-voters")).ToHaveTextAsync("2 of 4 members have voted.");

        // Rosa closes it early (after a confirmation): the results and reasons show, and the CSV holds them.
        await rosa.GetByRole(AriaRole.Button, new() { Name = "Close now" }).ClickAsync();
        await rosa.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Close now" }).ClickAsync();
        await Expect(rosa.GetByTestId("poll-status")).ToHaveTextAsync("Closed");
        await Expect(rosa.GetByTestId("result-count")).ToHaveTextAsync(["Votes: 1 · 50 %", "Votes: 1 · 50 %", "Votes: 0 · 0 %"]);
        await Expect(rosa.GetByTestId("ballot").Filter(new() { HasTextString = "Tia Phone" })).ToContainTextAsync("Saturdays I work at the market.");
        await rosa.CheckPageAsync("84-poll-closed");
        await Expect(tia.GetByTestId("poll-status")).ToHaveTextAsync("Closed");

        var download = await rosa.RunAndWaitForDownloadAsync(() => rosa.GetByTestId("poll-csv").ClickAsync());
        download.SuggestedFilename.ShouldEndWith(".csv");
        var lines = (await File.ReadAllTextAsync((await download.PathAsync())!)).Split("\r\n");
        lines[..5].ShouldBe(["Option,Votes,Percent", "Saturday morning,1,50.0", "Sunday afternoon,1,50.0", "Wednesday evening,0,0.0", ""]);
        lines[5].ShouldBe("Voter,Choice,Reason,Voted at");
        lines[6].ShouldStartWith("Sam Voter,Saturday morning,The workshop is free then.,");
        lines[7].ShouldStartWith("Tia Phone,Sunday afternoon,Saturdays I work at the market.,");
    }

    /// <summary>A community run by an admin who never opens a browser, with Rosa (granted 15 trust: enough to create polls), Sam and Tia.</summary>
    private async Task<Guid> SetUpAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var admin = new ApplicationUser
        {
            UserName = "polladmin", NormalizedUserName = "POLLADMIN", Email = "polladmin@example.test", NormalizedEmail = "POLLADMIN@EXAMPLE.TEST",
            EmailConfirmed = true, DisplayName = "Poll Admin", SecurityStamp = Guid.NewGuid().ToString(),
        };
        db.Users.Add(admin);
        await db.SaveChangesAsync();
        var ids = await db.Users.Where(u => new[] { "rosa", "sam", "tia" }.Contains(u.UserName!)).ToDictionaryAsync(u => u.UserName!, u => u.Id);
        var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(admin.Id, new("Repair Commons", null));
        var invites = services.GetRequiredService<InviteService>();
        var (_, secret) = await invites.CreateLinkAsync(admin.Id, communityId, new("Neighbours", MemberRole.Member, DateTime.UtcNow.AddDays(1), null));
        foreach (var id in ids.Values) await invites.RedeemLinkAsync(id, secret);
        await services.GetRequiredService<TrustService>().SetAdminGrantAsync(admin.Id, communityId, ids["rosa"], 15);
        await db.Notifications.ExecuteDeleteAsync();
        return communityId;
    }
}
