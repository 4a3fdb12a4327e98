using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Forum;

namespace CommunityApp.Features.Demo;

/// <summary>
/// Flags and the review queue (docs/SPEC.md §10): Ana gives Carla and Ben the content flagger role; Nora replies with an
/// advert in the forum's oldest thread and both flag it: Carla, New, weighs 1 and Ben, Trusted, 4, which reaches the five that
/// hide it, so a reviewer such as Ana or Jo finds it hidden and waiting in the review queue. Every move goes through <see cref="ForumService"/> and
/// <see cref="ModerationService"/>. Runs after the forum's own step; skipped when there is no thread yet or any flag exists.
/// </summary>
internal sealed class ModerationDemo : IDemoStep
{
    public async Task<bool> RunAsync(DemoStory s, bool earlierChanged, CancellationToken ct)
    {
        Guid threadId;
        await using (var db = await s.DbAsync(ct))
        {
            if (await db.ForumFlags.AnyAsync(f => f.CommunityId == s.CommunityId, ct)) return false;
            var thread = await db.ForumThreads.Where(t => t.CommunityId == s.CommunityId && !t.IsLocked)
                .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).Select(t => (Guid?)t.Id).FirstOrDefaultAsync(ct);
            if (thread is null) return false;
            threadId = thread.Value;
        }

        // A small community: Ana asks two regulars to keep an eye on the forum (the flag role), below the trust it asks for.
        await s.At(2, 9).Members.GrantFeatureRoleAsync(s["ana"], s.CommunityId, s["carla"], Auth.FeatureRole.ContentFlagger, ct);
        await s.At(2, 9, 2).Members.GrantFeatureRoleAsync(s["ana"], s.CommunityId, s["ben"], Auth.FeatureRole.ContentFlagger, ct);
        var advert = await s.At(1, 22).Get<ForumService>().ReplyAsync(s["nora"], threadId,
            "Cheap phone cases, 50 for the price of 10!!! Message me for the catalogue, delivery in 24 h.", ct);
        await s.At(1, 22, 20).Get<ModerationService>().FlagAsync(s["carla"], advert, new FlagInput(FlagReason.Spam, null), ct);
        await s.At(1, 23, 5).Get<ModerationService>().FlagAsync(s["ben"], advert, new FlagInput(FlagReason.Other, "An advert, not an answer; nothing to share here."), ct);
        return true;
    }
}
