using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Checkout;

namespace CommunityApp.Features.Demo;

/// <summary>
/// Checkout links (docs/SPEC.md §19): Elif puts her jam on the Saturday market table with a checkout link (two jars a
/// checkout); Kwame and Ben scan it (Carla, still New, is told she needs 5 trust). Every move goes through <see cref="CheckoutService"/>. Runs once: skipped when the
/// community has any checkout link. The token is random, as every link's is; the rest of the story is fixed.
/// </summary>
internal sealed class CheckoutDemo : IDemoStep
{
    public const string JamTitle = "Apricot jam, this summer's batch";

    public async Task<bool> RunAsync(DemoStory s, bool earlierChanged, CancellationToken ct)
    {
        Guid jam;
        await using (var db = await s.DbAsync(ct))
        {
            if (await db.CheckoutLinks.AnyAsync(l => l.CommunityId == s.CommunityId, ct)) return false;
            jam = await db.Shares.Where(x => x.CommunityId == s.CommunityId && x.Title == JamTitle).Select(x => x.Id).SingleAsync(ct);
        }
        var (_, token) = await s.At(2, 9).Get<CheckoutService>().CreateAsync(s["elif"], jam, new CheckoutLinkInput("Saturday market table", 2), ct);
        await s.At(1, 10).Get<CheckoutService>().CheckoutAsync(s["kwame"], s.CommunityId, token, 1, ct);
        await s.At(1, 10, 20).Get<CheckoutService>().CheckoutAsync(s["ben"], s.CommunityId, token, 2, ct);
        return true;
    }
}
