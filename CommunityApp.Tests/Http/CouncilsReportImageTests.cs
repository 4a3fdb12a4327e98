using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Councils;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Http;

/// <summary>GET /images/reports/{id} (docs/SPEC.md §6): a report's picture for members only, typed from its bytes, with nosniff.</summary>
public sealed class CouncilsReportImageTests(AppFactory app) : IClassFixture<AppFactory>
{
    private const string Password = "Report-Image-Pass-1";
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    [Fact]
    public async Task A_report_picture_is_served_to_members_only_with_nosniff_and_not_after_the_report_is_deleted()
    {
        var ct = TestContext.Current.CancellationToken;
        var (adminId, communityId) = await MemberWithCommunityAsync("reportadmin", "Report images");
        await UserAsync("reportoutsider");
        Guid reportId, imageId;
        using (var scope = app.Services.CreateScope())
        {
            var councilId = await scope.ServiceProvider.GetRequiredService<CouncilService>().CreateAsync(adminId, communityId, new CouncilInput("Pantry", "Collects food for neighbours."), ct);
            var reports = scope.ServiceProvider.GetRequiredService<CouncilReportService>();
            reportId = await reports.CreateAsync(adminId, councilId, new ReportInput("March", "Rice."), ct);
            imageId = await reports.AddImageAsync(adminId, reportId, new MemoryStream(Png), ct);
        }

        using var anonymous = app.FormClient();
        var signedOut = await anonymous.GetAsync($"/images/reports/{imageId}", ct);
        signedOut.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        signedOut.Headers.Location!.ToString().ShouldContain("/Account/Login");

        using var member = await SignedInClientAsync("reportadmin", ct);
        var image = await member.GetAsync($"/images/reports/{imageId}", ct);
        image.StatusCode.ShouldBe(HttpStatusCode.OK);
        image.Content.Headers.ContentType!.MediaType.ShouldBe("image/png");
        image.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        (await image.Content.ReadAsByteArrayAsync(ct)).ShouldBe(Png);

        using var outsider = await SignedInClientAsync("reportoutsider", ct);
        (await outsider.GetAsync($"/images/reports/{imageId}", ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        using (var scope = app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<CouncilReportService>().DeleteAsync(adminId, reportId, ct);
        (await member.GetAsync($"/images/reports/{imageId}", ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private async Task<string> UserAsync(string userName)
    {
        using var scope = app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = userName, Email = $"{userName}@example.test", DisplayName = userName, EmailConfirmed = true };
        (await users.CreateAsync(user, Password)).Succeeded.ShouldBeTrue();
        return user.Id;
    }

    private async Task<(string UserId, Guid CommunityId)> MemberWithCommunityAsync(string userName, string community)
    {
        var userId = await UserAsync(userName);
        using var scope = app.Services.CreateScope();
        var id = await scope.ServiceProvider.GetRequiredService<CommunityService>().CreateAsync(userId, new(community, null));
        return (userId, id);
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
