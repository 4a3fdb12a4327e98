using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Polls;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Http;

/// <summary>GET …/polls/{id}/results.csv (docs/SPEC.md §9): members only, and only when the results are visible to them.</summary>
public sealed class PollResultsCsvTests(AppFactory app) : IClassFixture<AppFactory>
{
    private const string Password = "Poll-Csv-Pass-1";

    [Fact]
    public async Task The_csv_is_for_members_who_may_see_the_results_and_nobody_else()
    {
        var ct = TestContext.Current.CancellationToken;
        var admin = await UserAsync("csvadmin");
        var voter = await UserAsync("csvvoter");
        await UserAsync("csvoutsider");
        Guid communityId, pollId;
        using (var scope = app.Services.CreateScope())
        {
            communityId = await scope.ServiceProvider.GetRequiredService<CommunityService>().CreateAsync(admin, new("Csv Commons", null), ct);
            await using (var db = await scope.ServiceProvider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct))
            {
                db.Memberships.Add(new Membership { CommunityId = communityId, UserId = voter, Role = MemberRole.Member });
                await db.SaveChangesAsync(ct);
            }
            var polls = scope.ServiceProvider.GetRequiredService<PollService>();
            pollId = await polls.CreateAsync(admin, communityId, new PollInput("Bread or cake?", null, ["Bread", "Cake"], Visibility: ResultsVisibility.AfterVote), ct);
            var bread = (await polls.GetAsync(voter, communityId, pollId, ct)).Options[0].Id;
            await polls.VoteAsync(voter, pollId, new VoteInput(bread, Reason: "Fresh, please"), ct);
        }
        var url = CommunityApp.Components.CommunityUrls.For(communityId).PollResultsCsv(pollId);

        using var anonymous = app.FormClient();
        var signedOut = await anonymous.GetAsync(url, ct);
        signedOut.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        signedOut.Headers.Location!.ToString().ShouldContain("/Account/Login");

        using var outsider = await SignedInClientAsync("csvoutsider", ct);
        (await outsider.GetAsync(url, ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await outsider.GetAsync(CommunityApp.Components.CommunityUrls.For(Guid.NewGuid()).PollResultsCsv(pollId), ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // The admin has not voted: hidden until they do.
        using var hidden = await SignedInClientAsync("csvadmin", ct);
        (await hidden.GetAsync(url, ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        using var member = await SignedInClientAsync("csvvoter", ct);
        var csv = await member.GetAsync(url, ct);
        csv.StatusCode.ShouldBe(HttpStatusCode.OK);
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        csv.Content.Headers.ContentDisposition!.FileNameStar.ShouldEndWith(".csv");
        var lines = (await csv.Content.ReadAsStringAsync(ct)).Split("\r\n");
        lines[..4].ShouldBe(["Option,Votes,Percent", "Bread,1,100.0", "Cake,0,0.0", ""]);
        lines[5].ShouldStartWith("csvvoter,Bread,\"Fresh, please\",");
    }

    private async Task<string> UserAsync(string userName)
    {
        using var scope = app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = userName, Email = $"{userName}@example.test", DisplayName = userName, EmailConfirmed = true };
        (await users.CreateAsync(user, Password)).Succeeded.ShouldBeTrue();
        return user.Id;
    }

    private async Task<HttpClient> SignedInClientAsync(string userName, CancellationToken ct)
    {
        var client = app.FormClient();
        var response = await client.PostFormAsync("/Account/Login", "login", new Dictionary<string, string>
        {
            ["Input.Login"] = userName,
            ["Input.Password"] = Password,
        }, ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, "the sign-in succeeded");
        return client;
    }
}
