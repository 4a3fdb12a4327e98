using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Health;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Health;

/// <summary>
/// The dashboard's rollups on PostgreSQL (<see cref="HealthRollups"/>) give exactly the figures the raw tables give: on a
/// random history of two months (awards, removals, grants up and down, shares, requests, needs, members joining over
/// time), viewed half-way (rolling the first half) and at the end (rolling the rest on top), for every range. And views at
/// once roll each day once.
/// </summary>
public sealed class HealthRollupTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private static readonly DateTime Start = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly FeatureRole[] Roles = [FeatureRole.TrustGranter, FeatureRole.WealthPublisher, FeatureRole.NeedsPublisher];

    [Fact]
    public async Task Rolled_up_figures_equal_the_raw_tables_for_every_range_as_days_are_added()
    {
        var random = new Random(20261207);
        fixture.Clock.Set(Start);
        var (communityId, ana) = await fixture.CreateCommunityAsync("Rollup commons");
        var members = new List<string> { ana };
        var awarded = new HashSet<(string, string)>();
        var shareIds = new List<(Guid Id, string Owner)>();
        var trust = fixture.Get<TrustService>();
        var shares = fixture.Get<ShareService>();
        var needs = fixture.Get<NeedService>();
        var carrots = await fixture.ItemIdAsync(communityId, "Carrots");
        var health = fixture.Get<HealthService>();
        var levels = await LevelsAsync(communityId, ana);

        for (var day = 0; day < 60; day++)
        {
            void At(int hour) => fixture.Clock.Set(Start.AddDays(day).AddHours(hour).AddMinutes(random.Next(60)));
            At(1);
            if (day % 6 == 0 || members.Count < 3) members.Add(await fixture.AddMemberAsync(communityId, featureRoles: Roles));
            string Someone() => members[random.Next(members.Count)];
            if (random.Next(3) > 0)
            {
                At(3);
                var (giver, receiver) = (Someone(), Someone());
                if (giver != receiver && awarded.Add((giver, receiver))) await trust.AwardAsync(giver, communityId, receiver);
            }
            if (random.Next(5) == 0 && awarded.Count > 0)
            {
                At(5);
                var (giver, receiver) = awarded.ElementAt(random.Next(awarded.Count));
                awarded.Remove((giver, receiver));
                await trust.RemoveAsync(giver, communityId, receiver);
            }
            if (day == 20)
            {
                // Someone reaches the top level for sure.
                At(6);
                await trust.SetAdminGrantAsync(ana, communityId, members[1], 55);
            }
            if (random.Next(4) == 0)
            {
                At(7);
                var member = Someone();
                if (member != ana) await trust.SetAdminGrantAsync(ana, communityId, member, random.Next(0, 60));
            }
            if (random.Next(2) == 0)
            {
                At(9);
                var owner = Someone();
                shareIds.Add((await shares.CreateAsync(owner, communityId, new ShareInput($"Jars {day}", null, WealthKind.Object, 20)), owner));
            }
            if (random.Next(2) == 0 && shareIds.Count > 0)
            {
                At(11);
                var (share, owner) = shareIds[random.Next(shareIds.Count)];
                var requester = Someone();
                if (requester != owner)
                {
                    var request = await shares.RequestAsync(requester, share, 1, null);
                    if (random.Next(2) == 0)
                    {
                        At(13);
                        await shares.AcceptAsync(owner, request);
                        At(15);
                        await shares.FulfilAsync(requester, request);
                    }
                }
            }
            if (random.Next(4) == 0)
            {
                At(17);
                await needs.CreateAsync(Someone(), communityId, new NeedInput(carrots, null, null, 1));
            }
            if (day is 29 or 59)
            {
                // A view in the evening rolls every day before it up and reads the day itself from the raw tables.
                fixture.Clock.Set(Start.AddDays(day).AddHours(23));
                foreach (var range in Enum.GetValues<HealthRange>())
                {
                    var now = fixture.Clock.GetUtcNow().UtcDateTime;
                    var rolled = await health.ComputeAsync(communityId, range, levels, now);
                    var raw = await health.ComputeAsync(communityId, range, levels, now, rollups: false);
                    Json(rolled).ShouldBe(Json(raw), $"{range} on day {day}");
                }
            }
        }

        // The history above reaches every level and has active members in most buckets: the comparison compares something.
        var year = await health.ComputeAsync(communityId, HealthRange.Quarter, levels, fixture.Clock.GetUtcNow().UtcDateTime);
        year.Metrics.Single(m => m.Key == HealthMetricKeys.ActiveMembers).Figures.Single().Current!.Value.ShouldBeGreaterThan(5);
        year.Metrics.Single(m => m.Key == HealthMetricKeys.NewMemberPath).Charts.Single().Series.Single().Values.ShouldAllBe(v => v > 0);
        await using var db = await fixture.NewContextAsync();
        (await db.Set<HealthTrustFirst>().CountAsync(f => f.CommunityId == communityId)).ShouldBeGreaterThan(20);
    }

    [Fact]
    public async Task Views_at_once_roll_each_day_once()
    {
        fixture.Clock.Set(Start);
        var (communityId, ana) = await fixture.CreateCommunityAsync("Busy commons");
        var ben = await fixture.AddMemberAsync(communityId, featureRoles: Roles);
        for (var day = 0; day < 10; day++)
        {
            fixture.Clock.Set(Start.AddDays(day).AddHours(10));
            await fixture.Get<ShareService>().CreateAsync(day % 2 == 0 ? ana : ben, communityId, new ShareInput($"Bread {day}", null, WealthKind.Object, 2));
        }
        await fixture.Get<TrustService>().AwardAsync(ben, communityId, ana);
        fixture.Clock.Set(Start.AddDays(11));
        var health = fixture.Get<HealthService>();
        var levels = await LevelsAsync(communityId, ana);
        var now = fixture.Clock.GetUtcNow().UtcDateTime;

        var views = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => health.ComputeAsync(communityId, HealthRange.Month, levels, now))));

        views.Select(Json).Distinct().Count().ShouldBe(1);
        Active(views[0]).ShouldBe(2);
        await using var db = await fixture.NewContextAsync();
        (await db.Set<HealthActiveCell>().Where(c => c.CommunityId == communityId).SumAsync(c => c.Members)).ShouldBe(10);
        (await db.Set<HealthDay>().Where(d => d.CommunityId == communityId).SumAsync(d => d.Awards)).ShouldBe(1);
        (await db.Set<HealthRollupState>().SingleAsync(s => s.CommunityId == communityId)).RolledUntil.ShouldBe(Start.AddDays(11));

        // The figures come from the rollups: without their cells nobody was active; the raw tables still say two.
        await db.Set<HealthActiveCell>().Where(c => c.CommunityId == communityId).ExecuteDeleteAsync(TestContext.Current.CancellationToken);
        Active(await health.ComputeAsync(communityId, HealthRange.Month, levels, now)).ShouldBe(0);
        Active(await health.ComputeAsync(communityId, HealthRange.Month, levels, now, rollups: false)).ShouldBe(2);

        static double? Active(HealthDashboard view) => view.Metrics.Single(m => m.Key == HealthMetricKeys.ActiveMembers).Figures.Single().Current;
    }

    [Fact]
    public async Task The_job_rolls_every_community_up_to_today_once()
    {
        fixture.Clock.Set(Start);
        var (first, ana) = await fixture.CreateCommunityAsync("Early commons");
        var (second, bo) = await fixture.CreateCommunityAsync("Late commons");
        await fixture.Get<ShareService>().CreateAsync(ana, first, new ShareInput("Soup", null, WealthKind.Object, 2));
        fixture.Clock.Set(Start.AddDays(3).AddHours(2));
        await fixture.Get<ShareService>().CreateAsync(bo, second, new ShareInput("Bread", null, WealthKind.Object, 2));
        var health = fixture.Get<HealthService>();

        (await health.RollAllAsync(TestContext.Current.CancellationToken)).ShouldBeGreaterThanOrEqualTo(2);
        (await health.RollAllAsync(TestContext.Current.CancellationToken)).ShouldBe(0);

        await using var db = await fixture.NewContextAsync();
        var states = await db.Set<HealthRollupState>().Where(s => s.CommunityId == first || s.CommunityId == second).ToListAsync(TestContext.Current.CancellationToken);
        states.Select(s => s.RolledUntil).ShouldBe([Start.AddDays(3), Start.AddDays(3)]);
        // Today's share is not rolled yet; the first community's day is.
        (await db.Set<HealthActiveCell>().Where(c => c.CommunityId == first).SumAsync(c => c.Members, TestContext.Current.CancellationToken)).ShouldBe(1);
        (await db.Set<HealthActiveCell>().CountAsync(c => c.CommunityId == second, TestContext.Current.CancellationToken)).ShouldBe(0);
    }

    private async Task<IReadOnlyList<TrustLevelInfo>> LevelsAsync(Guid communityId, string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return (await PermissionService.DemandMemberAsync(db, communityId, userId)).Levels;
    }

    private static string Json(HealthDashboard dashboard) => JsonSerializer.Serialize(dashboard.Metrics);
}
