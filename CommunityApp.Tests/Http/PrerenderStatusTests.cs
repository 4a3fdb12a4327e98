using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Http;

/// <summary>
/// The first, prerendered request of a community page answers with the refusal's status (docs/ARCHITECTURE.md, "Pages"):
/// 403 for a community the user is not a member of, 404 for one that does not exist or a share that is not in it.
/// </summary>
public sealed class PrerenderStatusTests(AppFactory app) : IClassFixture<AppFactory>
{
    private const string Password = "Prerender-Pass-1";

    [Fact]
    public async Task A_signed_in_user_gets_403_outside_their_communities_404_for_what_is_not_there_and_200_inside()
    {
        var ct = TestContext.Current.CancellationToken;
        var (member, mine) = await MemberWithCommunityAsync("prerender-member", "Members garden");
        var (_, theirs) = await MemberWithCommunityAsync("prerender-other", "Other garden");
        using var scope = app.Services.CreateScope();
        var shares = scope.ServiceProvider.GetRequiredService<ShareService>();
        var foreignShare = await shares.CreateAsync(await UserIdAsync("prerender-other"), theirs, new ShareInput("Wheelbarrow", null, WealthKind.Object, 1));
        var ownShare = await shares.CreateAsync(member, mine, new ShareInput("Rake", null, WealthKind.Object, 1));
        var client = await SignedInClientAsync("prerender-member", ct);

        var cases = new (string Path, HttpStatusCode Status, string Shows)[]
        {
            (CommunityUrls.For(mine).Home, HttpStatusCode.OK, "Members garden"),
            (CommunityUrls.For(mine).Share(ownShare), HttpStatusCode.OK, "Rake"),
            (CommunityUrls.For(theirs).Home, HttpStatusCode.Forbidden, "You are not a member of this community"),
            (CommunityUrls.For(theirs).Members, HttpStatusCode.Forbidden, "You are not a member of this community"),
            // A 404 is re-executed as the app's not-found page (UseStatusCodePagesWithReExecute); the circuit then says which.
            (CommunityUrls.For(Guid.NewGuid()).Home, HttpStatusCode.NotFound, "not found"),
            // Another community's share under my community's address is not found here, and shows nothing of it.
            (CommunityUrls.For(mine).Share(foreignShare), HttpStatusCode.NotFound, "not found"),
            (CommunityUrls.For(mine).Share(Guid.NewGuid()), HttpStatusCode.NotFound, "not found"),
        };
        foreach (var (path, status, shows) in cases)
        {
            var response = await client.GetAsync(path, ct);
            var html = await response.Content.ReadAsStringAsync(ct);

            response.StatusCode.ShouldBe(status, path);
            html.ShouldContain(shows, Case.Insensitive, path);
            if (path.Contains(foreignShare.ToString())) html.ShouldNotContain("Wheelbarrow");
        }
    }

    private async Task<(string UserId, Guid CommunityId)> MemberWithCommunityAsync(string userName, string community)
    {
        using var scope = app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = userName, Email = $"{userName}@example.test", DisplayName = userName, EmailConfirmed = true };
        (await users.CreateAsync(user, Password)).Succeeded.ShouldBeTrue();
        var id = await scope.ServiceProvider.GetRequiredService<CommunityService>().CreateAsync(user.Id, new(community, null));
        return (user.Id, id);
    }

    private async Task<string> UserIdAsync(string userName)
    {
        using var scope = app.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByNameAsync(userName))!.Id;
    }

    /// <summary>Signs in through the real login form (antiforgery token and all); the client keeps the cookie.</summary>
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
