using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Data;

/// <summary>
/// PostgreSQL restarts while 50 members award trust (docs/ARCHITECTURE.md, "Transient faults"): the retrying execution
/// strategy carries each action over the restart. Every write a member was told succeeded is there, every write they were
/// told failed is not, and nothing is silently dropped.
/// </summary>
public sealed class DatabaseRestartTests(PrivatePostgresFixture fixture) : IClassFixture<PrivatePostgresFixture>
{
    private enum Outcome { Saved, Refused }

    [Fact]
    public async Task A_restart_under_fifty_parallel_writers_loses_nothing_and_reports_every_failure_truly()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync("Restart street");
        var givers = new List<string>();
        for (var i = 0; i < 50; i++) givers.Add(await fixture.AddMemberAsync(communityId, score: 100));
        var receivers = new List<string>();
        for (var i = 0; i < 30; i++) receivers.Add(await fixture.AddMemberAsync(communityId));

        var outcomes = new ConcurrentDictionary<(string Giver, string Receiver), (Outcome Outcome, string? Why)>();
        var saved = 0;
        var restarted = new TaskCompletionSource();
        var acrossRestart = 0;

        async Task WriterAsync(string giver)
        {
            foreach (var receiver in receivers)
            {
                var startedBefore = !restarted.Task.IsCompleted;
                try
                {
                    await fixture.Get<TrustService>().AwardAsync(giver, communityId, receiver, TestContext.Current.CancellationToken);
                    outcomes[(giver, receiver)] = (Outcome.Saved, null);
                    Interlocked.Increment(ref saved);
                    if (startedBefore && restarted.Task.IsCompleted) Interlocked.Increment(ref acrossRestart);
                }
                catch (Exception ex) when (ex is AppException || DatabaseFailures.IsUnavailable(ex))
                {
                    // What the page would show: a refusal, or "the database is unavailable, try again".
                    outcomes[(giver, receiver)] = (Outcome.Refused, $"{ex.GetType().Name}: {ex.Message} (inner: {ex.InnerException?.GetType().Name}: {ex.InnerException?.Message})");
                }
            }
        }

        var writers = givers.Select(g => Task.Run(() => WriterAsync(g))).ToList();
        await Eventually.UntilAsync(() => Volatile.Read(ref saved) >= 100, "the writers under way");
        await fixture.RestartAsync();
        restarted.SetResult();
        await Task.WhenAll(writers);

        await using var db = await fixture.NewContextAsync();
        var stored = (await db.TrustAwards.Where(a => a.CommunityId == communityId).Select(a => new { a.GiverId, a.ReceiverId }).ToListAsync())
            .Select(a => (a.GiverId, a.ReceiverId)).ToHashSet();
        outcomes.Count.ShouldBe(givers.Count * receivers.Count, "every action got an answer");
        var toldSaved = outcomes.Where(o => o.Value.Outcome == Outcome.Saved).Select(o => o.Key).ToHashSet();
        var toldRefused = outcomes.Where(o => o.Value.Outcome == Outcome.Refused).ToList();
        toldSaved.Except(stored).ShouldBeEmpty("every write the member was told succeeded is stored");
        stored.Except(toldSaved).ShouldBeEmpty("nothing is stored that the member was told failed: " + string.Join("; ", toldRefused.Select(r => r.Value.Why).Distinct()));
        toldRefused.ShouldBeEmpty("the retries carry every action over a restart: " + string.Join("; ", toldRefused.Select(r => r.Value.Why).Distinct()));
        acrossRestart.ShouldBeGreaterThan(0, "some actions were in flight during the restart");
        // Each award's receiver score is consistent with the awards, so no half-done unit of work was committed.
        var scores = await db.Memberships.Where(m => m.CommunityId == communityId && receivers.Contains(m.UserId)).Select(m => m.TrustScore).ToListAsync();
        scores.ShouldAllBe(s => s == givers.Count);
    }
}
