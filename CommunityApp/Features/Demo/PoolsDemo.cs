using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Pools;
using CommunityApp.Features.Wealth;

namespace CommunityApp.Features.Demo;

/// <summary>
/// Pools: Elif opens the "Fruit pool" under the Riverside Pantry for apples and jam; Mateo gives six apples, Elif confirms
/// them into the pool, and yesterday Jo handed them out to the members who need apples, in proportion to what each asked
/// (the preview first, as the page does). Every move goes through <see cref="PoolService"/>, <see cref="ShareService"/>
/// and <see cref="CouncilService"/>. Runs once: skipped when the community has any pool (or no Riverside Pantry).
/// </summary>
internal sealed class PoolsDemo : IDemoStep
{
    public async Task<bool> RunAsync(DemoStory s, bool earlierChanged, CancellationToken ct)
    {
        var community = s.CommunityId;
        Guid pantry;
        var items = await s.ItemsAsync(ct);
        await using (var db = await s.DbAsync(ct))
        {
            if (await db.Pools.AnyAsync(p => p.CommunityId == community, ct)) return false;
            var found = await db.Councils.Where(c => c.CommunityId == community && c.Name == "Riverside Pantry").Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
            if (found is not { } id || !items.ContainsKey("Apples") || !items.ContainsKey("Jam")) return false;
            pantry = id;
        }
        var pools = s.Get<PoolService>();

        s.At(4, 9);
        var pool = await pools.CreateAsync(s["elif"], pantry, new PoolInput("Fruit pool",
            "Apples and jam set aside for neighbours who asked for them; handed out from their needs every few days.", [items["Apples"], items["Jam"]], MinContribution: 2), ct);
        var share = await s.At(3, 11).Shares.CreateAsync(s["mateo"], community,
            new ShareInput("A box of apples for the pool", null, WealthKind.Object, 6, ItemId: items["Apples"], Target: ShareTarget.Pool, TargetId: pool), ct);
        await using (var db = await s.DbAsync(ct))
        {
            var contribution = await db.Contributions.Where(c => c.ShareId == share).Select(c => c.Id).SingleAsync(ct);
            await s.At(3, 17).Councils.ConfirmContributionAsync(s["elif"], contribution, ct);
        }

        s.At(1, 10);
        var preview = await pools.PreviewAsync(s["jo"], pool, items["Apples"], DistributionStrategy.Proportional, ct);
        if (preview.Given > 0) await pools.DistributeAsync(s["jo"], pool, items["Apples"], DistributionStrategy.Proportional, preview, ct);
        return true;
    }
}
