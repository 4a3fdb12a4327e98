using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Forum;

namespace CommunityApp.Features.Demo;

/// <summary>
/// The forum (docs/SPEC.md §10): Ana makes Jo a forum manager and gives Dmitri the thread-creator role; two categories;
/// Dmitri asks about skipping bike gears, Gus and Kwame answer, neighbours vote and Dmitri marks Gus's reply as the best
/// answer; Ana calls for a spring clean-up, which Jo pins, and Lena's reply mentions Ben. Every move goes through
/// <see cref="ForumService"/>. Runs once: skipped when the community has any forum category.
/// </summary>
internal sealed class ForumDemo : IDemoStep
{
    public async Task<bool> RunAsync(DemoStory s, bool earlierChanged, CancellationToken ct)
    {
        await using (var db = await s.DbAsync(ct))
            if (await db.ForumCategories.AnyAsync(c => c.CommunityId == s.CommunityId, ct)) return false;

        await s.At(14, 9).Members.GrantFeatureRoleAsync(s["ana"], s.CommunityId, s["jo"], FeatureRole.ForumManager, ct);
        await s.At(14, 9, 5).Members.GrantFeatureRoleAsync(s["ana"], s.CommunityId, s["dmitri"], FeatureRole.ThreadCreator, ct);
        var around = await s.At(14, 10).Get<ForumService>().CreateCategoryAsync(s["jo"], s.CommunityId,
            new CategoryInput("Around the neighbourhood", "Events, news and plans for Riverside."), ct);
        var repairs = await s.At(14, 10, 5).Get<ForumService>().CreateCategoryAsync(s["jo"], s.CommunityId,
            new CategoryInput("Repairs and how-to", "Ask how to fix it before you throw it away."), ct);

        var gears = await s.At(9, 18).Get<ForumService>().CreateThreadAsync(s["dmitri"], repairs, new ThreadInput("My bike's gears skip under load",
            """
            Since the rain last week the chain **skips on the two smallest cogs** whenever I push hard uphill.

            I cleaned and oiled it already. Chain or cassette?
            """, "bikes repair"), ct);
        var gus = await s.At(9, 20).Get<ForumService>().ReplyAsync(s["gus"], gears,
            "Measure the chain first: twelve links should be 30.5 cm. Past that it is worn and will have worn the small cogs too, so replace both.", ct);
        await s.At(9, 21).Get<ForumService>().ReplyAsync(s["kwame"], gears, "Could also be the derailleur hanger, bent when the bike fell. Look at it from behind.", ct);
        await s.At(8, 8).Get<ForumService>().MarkBestAnswerAsync(s["dmitri"], gears, gus, ct);
        await s.At(8, 9).Get<ForumService>().ReplyAsync(s["dmitri"], gears, "It was the chain: 31.2 cm. New chain and cassette, no more skipping. Thanks!", ct);
        foreach (var (voter, minute) in new[] { ("hana", 0), ("lena", 5), ("ivan", 10), ("farah", 15) })
            await s.At(8, 12, minute).Get<ForumService>().VoteAsync(s[voter], gus, 1, ct);
        await s.At(8, 13).Get<ForumService>().VoteAsync(s["carla"], await OpeningAsync(s, gears, ct), 1, ct);

        var cleanup = await s.At(6, 19).Get<ForumService>().CreateThreadAsync(s["ana"], around, new ThreadInput("Spring clean-up day: who is in?",
            "Saturday the 14th, 10:00 at the school gate. Gloves and bags from the tool library; soup after, courtesy of the pantry.", "events"), ct);
        await s.At(6, 20).Get<ForumService>().SetPinnedAsync(s["jo"], cleanup, true, ct);
        await s.At(5, 18).Get<ForumService>().ReplyAsync(s["lena"], cleanup, "Count me in. @ben, could you bring the wheelbarrow from the allotment?", ct);
        await s.At(5, 19).Get<ForumService>().ReplyAsync(s["elif"], cleanup, "I'll bake for the volunteers.", ct);
        foreach (var (voter, minute) in new[] { ("ben", 0), ("gus", 5), ("mateo", 10) })
            await s.At(5, 21, minute).Get<ForumService>().VoteAsync(s[voter], await OpeningAsync(s, cleanup, ct), 1, ct);
        return true;
    }

    private static async Task<Guid> OpeningAsync(DemoStory s, Guid threadId, CancellationToken ct)
    {
        await using var db = await s.DbAsync(ct);
        return await db.ForumPosts.Where(p => p.ThreadId == threadId && p.IsOpening).Select(p => p.Id).SingleAsync(ct);
    }
}
