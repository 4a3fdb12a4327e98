using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Http;

/// <summary>
/// The CSV endpoints of docs/SPEC.md §13: signed-out visitors go to sign-in, outsiders get 403 (404 for no community),
/// members get the members and requests CSVs but 403 for the audit log and non-contributors, a bad filter is 400, and an
/// admin gets every file with its header, streamed as text/csv and never cached.
/// </summary>
public sealed class InsightCsvTests(AppFactory app) : IClassFixture<AppFactory>
{
    private const string Password = "Insight-Csv-Pass-1";

    [Fact]
    public async Task Each_csv_is_checked_before_it_is_written()
    {
        var ct = TestContext.Current.CancellationToken;
        var admin = await UserAsync("insightadmin");
        var member = await UserAsync("insightmember");
        await UserAsync("insightoutsider");
        Guid communityId;
        using (var scope = app.Services.CreateScope())
        {
            communityId = await scope.ServiceProvider.GetRequiredService<CommunityService>().CreateAsync(admin, new("Insight Commons", null), ct);
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct);
            db.Memberships.Add(new Membership { CommunityId = communityId, UserId = member, Role = MemberRole.Member });
            await db.SaveChangesAsync(ct);
        }
        var urls = CommunityApp.Components.CommunityUrls.For(communityId);
        string[] all = [urls.MembersCsv(null, "Name"), urls.RequestsCsv(false, null), urls.AuditCsv(null, null, null, null), urls.NonContributorsCsv("Name")];

        using var anonymous = app.FormClient();
        foreach (var url in all)
        {
            var signedOut = await anonymous.GetAsync(url, ct);
            signedOut.StatusCode.ShouldBe(HttpStatusCode.Redirect, url);
            signedOut.Headers.Location!.ToString().ShouldContain("/Account/Login");
        }

        using var outsider = await SignedInClientAsync("insightoutsider", ct);
        foreach (var url in all) (await outsider.GetAsync(url, ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden, url);
        (await outsider.GetAsync(CommunityApp.Components.CommunityUrls.For(Guid.NewGuid()).MembersCsv(null, "Name"), ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        using var memberClient = await SignedInClientAsync("insightmember", ct);
        (await memberClient.GetAsync(urls.MembersCsv(null, "Name"), ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await memberClient.GetAsync(urls.RequestsCsv(true, "Pending"), ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await memberClient.GetAsync(urls.AuditCsv(null, null, null, null), ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await memberClient.GetAsync(urls.NonContributorsCsv("Name"), ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await memberClient.GetAsync(urls.MembersCsv(null, "Sideways"), ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await memberClient.GetAsync(urls.RequestsCsv(false, "Lost"), ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        using var adminClient = await SignedInClientAsync("insightadmin", ct);
        (await adminClient.GetAsync($"{urls.Home}/audit.csv?from=yesterday", ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var headers = new Dictionary<string, string>
        {
            [urls.MembersCsv("insight", "Name")] = "Name,Username,E-mail,Roles,Trust,Title,Joined",
            [urls.RequestsCsv(true, null)] = "Share,Requester,Owner,Units,Status,Requested,Message",
            [urls.AuditCsv(admin, "RoleChanged", DateTime.UtcNow.AddDays(-1), DateTime.UtcNow)] = "When,Who,Action,Member affected,Details",
            [urls.NonContributorsCsv("JoinedDescending")] = "Name,Username,Joined,Last contribution",
        };
        foreach (var (url, header) in headers)
        {
            var csv = await adminClient.GetAsync(url, ct);
            csv.StatusCode.ShouldBe(HttpStatusCode.OK, url);
            csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
            csv.Content.Headers.ContentDisposition!.FileNameStar.ShouldEndWith(".csv");
            csv.Headers.CacheControl!.NoStore.ShouldBeTrue();
            (await csv.Content.ReadAsStringAsync(ct)).Split("\r\n")[0].ShouldBe(header, url);
        }
        var members = (await (await adminClient.GetAsync(urls.MembersCsv("insight", "Name"), ct)).Content.ReadAsStringAsync(ct)).Split("\r\n");
        members.Count(l => l.Length > 0).ShouldBe(3);
        members[1].ShouldStartWith("insightadmin,insightadmin,insightadmin@example.test,Admin,");
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
