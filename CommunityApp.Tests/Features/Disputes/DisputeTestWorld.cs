using CommunityApp.Auth;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Disputes;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Disputes;

/// <summary>
/// A community with a request between two members (<see cref="Requester"/> asks <see cref="Owner"/>'s share, accepted), a
/// dispute handler, an admin and an outsider member: the cast of every dispute test.
/// </summary>
public sealed record DisputeWorld(Guid CommunityId, string Admin, string Requester, string Owner, string Handler, string Outsider, Guid ShareId, Guid RequestId)
{
    public static async Task<DisputeWorld> CreateAsync(ServiceFixture fixture, bool failed = true)
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var requester = await fixture.AddMemberAsync(communityId, score: 10);
        var owner = await fixture.AddMemberAsync(communityId);
        var handler = await fixture.AddMemberAsync(communityId, featureRoles: FeatureRole.DisputeHandler);
        var outsider = await fixture.AddMemberAsync(communityId);
        var shares = fixture.Get<ShareService>();
        var shareId = await shares.CreateAsync(owner, communityId, new ShareInput("Lawn mower", "Sunday afternoons", WealthKind.Object, 1));
        var requestId = await shares.RequestAsync(requester, shareId, 1, "For Sunday");
        await shares.AcceptAsync(owner, requestId);
        if (failed) await shares.FailAsync(requester, requestId);
        return new DisputeWorld(communityId, admin, requester, owner, handler, outsider, shareId, requestId);
    }

    public static DisputeInput Input => new("The mower never came", "We agreed on **Sunday**; nobody came.");

    /// <summary>The key a dispute rule refused with; fails when nothing was refused.</summary>
    public static async Task<string> Key(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (DisputeRefusal ex)
        {
            return ex.Key;
        }
        throw new ShouldAssertException("The action was not refused by a dispute rule.");
    }
}
