using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Disputes;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Http;

/// <summary>GET /images/disputes/{id} (docs/SPEC.md §12): evidence for the parties, accepted mediators and admins; 404 for other members.</summary>
public sealed class DisputeImageTests(AppFactory app) : IClassFixture<AppFactory>
{
    private const string Password = "Dispute-Image-Pass-1";
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    [Fact]
    public async Task Evidence_is_served_to_the_parties_and_admins_with_nosniff_and_to_no_other_member()
    {
        var ct = TestContext.Current.CancellationToken;
        var admin = await UserAsync("disputeadmin");
        var requester = await UserAsync("disputeasker");
        var owner = await UserAsync("disputeowner");
        var outsider = await UserAsync("disputeoutsider");
        Guid imageId;
        using (var scope = app.Services.CreateScope())
        {
            var services = scope.ServiceProvider;
            var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(admin, new("Dispute images", null), ct);
            await using (var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct))
            {
                db.Memberships.Add(new Membership { CommunityId = communityId, UserId = requester, Role = MemberRole.Member, AdminGrant = 10, TrustScore = 10 });
                db.Memberships.Add(new Membership { CommunityId = communityId, UserId = owner, Role = MemberRole.Member });
                db.Memberships.Add(new Membership { CommunityId = communityId, UserId = outsider, Role = MemberRole.Member });
                await db.SaveChangesAsync(ct);
            }
            var shares = services.GetRequiredService<ShareService>();
            var shareId = await shares.CreateAsync(owner, communityId, new ShareInput("Drill", null, WealthKind.Object, 1), ct);
            var requestId = await shares.RequestAsync(requester, shareId, 1, null, ct);
            await shares.AcceptAsync(owner, requestId, ct);
            await shares.FailAsync(requester, requestId, ct);
            var disputes = services.GetRequiredService<DisputeService>();
            var disputeId = await disputes.OpenForRequestAsync(requester, requestId, new DisputeInput("Broken drill", "It never came."), ct);
            await disputes.AddImageAsync(requester, disputeId, new MemoryStream(Png), ct);
            await using var read = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct);
            imageId = await read.DisputeImages.Where(i => i.DisputeId == disputeId).Select(i => i.Id).SingleAsync(ct);
        }
        var url = DisputeImageEndpoint.Url(imageId);

        using var anonymous = app.FormClient();
        (await anonymous.GetAsync(url, ct)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        foreach (var party in new[] { "disputeasker", "disputeowner", "disputeadmin" })
        {
            using var client = await SignedInClientAsync(party, ct);
            var image = await client.GetAsync(url, ct);
            image.StatusCode.ShouldBe(HttpStatusCode.OK, party);
            image.Content.Headers.ContentType!.MediaType.ShouldBe("image/png");
            image.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
            (await image.Content.ReadAsByteArrayAsync(ct)).ShouldBe(Png);
        }
        using var other = await SignedInClientAsync("disputeoutsider", ct);
        (await other.GetAsync(url, ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
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
