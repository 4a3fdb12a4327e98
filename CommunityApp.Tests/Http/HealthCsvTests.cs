using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Http;

/// <summary>GET …/health/figures.csv?range= (docs/SPEC.md §13): for those who may see the dashboard, the range applied; nobody else.</summary>
public sealed class HealthCsvTests(AppFactory app) : IClassFixture<AppFactory>
{
    private const string Password = "Health-Csv-Pass-1";

    [Fact]
    public async Task The_csv_is_for_those_who_may_see_the_dashboard_with_the_range_asked()
    {
        var ct = TestContext.Current.CancellationToken;
        var admin = await UserAsync("hcsvadmin");
        var member = await UserAsync("hcsvmember");
        await UserAsync("hcsvoutsider");
        Guid communityId;
        using (var scope = app.Services.CreateScope())
        {
            communityId = await scope.ServiceProvider.GetRequiredService<CommunityService>().CreateAsync(admin, new("Csv Health", null), ct);
            await using (var db = await scope.ServiceProvider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct))
            {
                db.Memberships.Add(new Membership { CommunityId = communityId, UserId = member, Role = MemberRole.Member });
                await db.SaveChangesAsync(ct);
            }
            await scope.ServiceProvider.GetRequiredService<ShareService>().CreateAsync(admin, communityId, new ShareInput("Bread", null, WealthKind.Object, 2), ct);
        }
        var urls = CommunityApp.Components.CommunityUrls.For(communityId);

        using var anonymous = app.FormClient();
        var signedOut = await anonymous.GetAsync(urls.HealthCsv("7d"), ct);
        signedOut.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        signedOut.Headers.Location!.ToString().ShouldContain("/Account/Login");

        using var outsider = await SignedInClientAsync("hcsvoutsider", ct);
        (await outsider.GetAsync(urls.HealthCsv("7d"), ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await outsider.GetAsync(CommunityApp.Components.CommunityUrls.For(Guid.NewGuid()).HealthCsv("7d"), ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // A member at 0 trust lacks the analytics permission (20).
        using var below = await SignedInClientAsync("hcsvmember", ct);
        (await below.GetAsync(urls.HealthCsv("7d"), ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        using var client = await SignedInClientAsync("hcsvadmin", ct);
        (await client.GetAsync(urls.HealthCsv("2w"), ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var csv = await client.GetAsync(urls.HealthCsv("1y"), ct);
        csv.StatusCode.ShouldBe(HttpStatusCode.OK);
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        csv.Content.Headers.ContentDisposition!.FileNameStar.ShouldStartWith("health-1y-");
        var lines = (await csv.Content.ReadAsStringAsync(ct)).Split("\r\n");
        lines[0].ShouldBe("Metric,Figure,From,To,Value,Previous period,Change %");
        lines.ShouldContain(l => l.StartsWith("Wealth generation,Shares published,", StringComparison.Ordinal) && l.EndsWith(",1,0,new", StringComparison.Ordinal));
        // A year: twelve points per time series.
        lines.Count(l => l.StartsWith("Wealth generation,Shares published,", StringComparison.Ordinal)).ShouldBe(1 + 12);
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
