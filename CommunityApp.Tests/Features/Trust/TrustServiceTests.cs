using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Members;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Settings;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Trust;

public sealed class TrustServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private TrustService Service => fixture.Get<TrustService>();

    private async Task<int> ScoreAsync(Guid communityId, string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Memberships.Where(m => m.CommunityId == communityId && m.UserId == userId).Select(m => m.TrustScore).SingleAsync();
    }

    [Fact]
    public async Task A_trusted_member_awards_trust_removes_it_and_awards_again_with_history_and_notifications()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var giver = await fixture.AddMemberAsync(communityId, score: 15);
        var receiver = await fixture.AddMemberAsync(communityId);

        await Service.AwardAsync(giver, communityId, receiver);
        (await ScoreAsync(communityId, receiver)).ShouldBe(1);
        await Service.RemoveAsync(giver, communityId, receiver);
        (await ScoreAsync(communityId, receiver)).ShouldBe(0);
        await Service.AwardAsync(giver, communityId, receiver);

        (await ScoreAsync(communityId, receiver)).ShouldBe(1);
        await using var db = await fixture.NewContextAsync();
        (await db.TrustAwards.IgnoreQueryFilters().CountAsync(a => a.CommunityId == communityId)).ShouldBe(2);
        (await db.TrustHistory.Where(h => h.CommunityId == communityId).OrderBy(h => h.CreatedAt).Select(h => new { h.Action, h.Points }).ToListAsync())
            .Select(h => (h.Action, h.Points)).ShouldBe([(TrustHistoryAction.Awarded, 1), (TrustHistoryAction.Removed, -1), (TrustHistoryAction.Awarded, 1)]);
        (await db.Notifications.Where(n => n.UserId == receiver).Select(n => n.Kind).ToListAsync())
            .ShouldBe([NotificationKind.TrustReceived, NotificationKind.TrustRemoved, NotificationKind.TrustReceived], ignoreOrder: true);
    }

    [Fact]
    public async Task Refusals_explain_themselves_and_change_nothing()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var low = await fixture.AddMemberAsync(communityId, score: 14);
        var giver = await fixture.AddMemberAsync(communityId, score: 15);
        var receiver = await fixture.AddMemberAsync(communityId);
        var outsider = await fixture.CreateUserAsync();
        await Service.AwardAsync(giver, communityId, receiver);

        (await Should.ThrowAsync<ForbiddenException>(() => Service.AwardAsync(low, communityId, receiver))).Message.ShouldBe("You need 15 trust to award trust; you have 14.");
        (await Should.ThrowAsync<AppException>(() => Service.AwardAsync(giver, communityId, giver))).Message.ShouldBe("You cannot award trust to yourself.");
        (await Should.ThrowAsync<AppException>(() => Service.AwardAsync(giver, communityId, outsider))).Message.ShouldBe("That person is not a member of this community.");
        (await Should.ThrowAsync<ForbiddenException>(() => Service.AwardAsync(outsider, communityId, receiver))).Message.ShouldBe("You are not a member of this community.");
        (await Should.ThrowAsync<AppException>(() => Service.AwardAsync(giver, communityId, receiver))).Message.ShouldBe("You already trust this member.");
        (await Should.ThrowAsync<AppException>(() => Service.RemoveAsync(low, communityId, receiver))).Message.ShouldBe("You do not have an active award for this member.");

        (await ScoreAsync(communityId, receiver)).ShouldBe(1);
        await using var db = await fixture.NewContextAsync();
        (await db.TrustAwards.CountAsync(a => a.CommunityId == communityId)).ShouldBe(1);
        (await db.TrustHistory.CountAsync(h => h.CommunityId == communityId)).ShouldBe(1);
    }

    [Fact]
    public async Task A_giver_removes_their_award_whatever_their_own_score()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var giver = await fixture.AddMemberAsync(communityId, score: 15);
        var receiver = await fixture.AddMemberAsync(communityId);
        await Service.AwardAsync(giver, communityId, receiver);
        await fixture.SetScoreAsync(communityId, giver, 0);

        await Service.RemoveAsync(giver, communityId, receiver);

        (await ScoreAsync(communityId, receiver)).ShouldBe(0);
    }

    [Fact]
    public async Task Two_parallel_awards_by_the_same_giver_leave_one()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var giver = await fixture.AddMemberAsync(communityId, score: 15);
        var receiver = await fixture.AddMemberAsync(communityId);

        var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Race.Attempt(() => Service.AwardAsync(giver, communityId, receiver))));

        results.Count(ok => ok).ShouldBe(1);
        (await ScoreAsync(communityId, receiver)).ShouldBe(1);
        await using var db = await fixture.NewContextAsync();
        (await db.TrustAwards.CountAsync(a => a.CommunityId == communityId && a.ReceiverId == receiver)).ShouldBe(1);
    }

    [Fact]
    public async Task Fifty_parallel_awards_from_different_givers_give_exactly_fifty()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var receiver = await fixture.AddMemberAsync(communityId, score: 0);
        var givers = new List<string>();
        for (var i = 0; i < 50; i++) givers.Add(await fixture.AddMemberAsync(communityId, score: 20));

        await Task.WhenAll(givers.Select(g => Service.AwardAsync(g, communityId, receiver)));

        (await ScoreAsync(communityId, receiver)).ShouldBe(50);
        await using var db = await fixture.NewContextAsync();
        (await db.TrustHistory.Where(h => h.SubjectId == receiver).SumAsync(h => h.Points)).ShouldBe(50);
    }

    [Fact]
    public async Task Removing_an_award_drops_gated_access_at_once()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var receiver = await fixture.AddMemberAsync(communityId);
        var givers = new List<string>();
        for (var i = 0; i < 5; i++) givers.Add(await fixture.AddMemberAsync(communityId, score: 20));
        foreach (var giver in givers) await Service.AwardAsync(giver, communityId, receiver);
        var permissions = fixture.Get<PermissionService>();
        (await permissions.CheckAsync(receiver, Permission.PublishNeeds, PermissionScope.Community(communityId))).Allowed.ShouldBeTrue();

        await Service.RemoveAsync(givers[0], communityId, receiver);

        var check = await permissions.CheckAsync(receiver, Permission.PublishNeeds, PermissionScope.Community(communityId));
        check.Allowed.ShouldBeFalse();
        check.Score.ShouldBe(4);
    }

    [Fact]
    public async Task Admins_set_change_and_clear_a_grant_which_adds_to_the_score_with_who_and_when()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId);
        var giver = await fixture.AddMemberAsync(communityId, score: 15);
        await Service.AwardAsync(giver, communityId, member);

        await Service.SetAdminGrantAsync(admin, communityId, member, 12);
        (await ScoreAsync(communityId, member)).ShouldBe(13);
        var view = await fixture.Get<TrustViewService>().GetMemberAsync(admin, communityId, member);
        view.AdminGrant.ShouldBe(12);
        view.GrantSetByName.ShouldBe($"Display {(await UserNameAsync(admin))}");
        view.GrantSetAt.ShouldNotBeNull();
        await Service.SetAdminGrantAsync(admin, communityId, member, 0);

        (await ScoreAsync(communityId, member)).ShouldBe(1);
        (await Should.ThrowAsync<ForbiddenException>(() => Service.SetAdminGrantAsync(giver, communityId, member, 5))).Message.ShouldBe("Only the community's admins can do this.");
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.SetAdminGrantAsync(admin, communityId, member, -1))).Errors.Keys.ShouldBe(["amount"]);
        await using var db = await fixture.NewContextAsync();
        (await db.TrustHistory.Where(h => h.SubjectId == member && h.Action == TrustHistoryAction.GrantChanged).OrderBy(h => h.CreatedAt).Select(h => h.Points).ToListAsync()).ShouldBe([12, -12]);
        (await db.Notifications.CountAsync(n => n.UserId == member && n.Kind == NotificationKind.TrustGrantChanged)).ShouldBe(2);
    }

    [Fact]
    public async Task A_level_threshold_follows_the_level_when_an_admin_changes_it()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var giver = await fixture.AddMemberAsync(communityId, score: 12);
        var receiver = await fixture.AddMemberAsync(communityId);
        var settings = fixture.Get<SettingsService>();
        var view = await settings.GetAsync(admin, communityId);
        await settings.SaveAsync(admin, communityId, new SettingsPatch { Thresholds = new Dictionary<string, string> { ["minTrustToAwardTrust"] = "Stable" } });
        await Service.AwardAsync(giver, communityId, receiver);
        await Service.RemoveAsync(giver, communityId, receiver);

        await settings.UpdateLevelAsync(admin, communityId, view.Levels.Single(l => l.Name == "Stable").Id, "Stable", 13);

        (await Should.ThrowAsync<ForbiddenException>(() => Service.AwardAsync(giver, communityId, receiver))).Message.ShouldBe("You need 13 trust to award trust; you have 12.");
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(6, 1.0)]
    [InlineData(9, 0.5)]
    [InlineData(12, 0.0)]
    public void Decay_weights_follow_the_calendar(int months, double weight)
    {
        var decay = new DecaySettings { Enabled = true, FullMonths = 6, ExpireMonths = 12 };
        var given = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        TrustDecay.Weight(decay, given, given.AddMonths(months)).ShouldBe(weight, 0.0001);
        TrustDecay.Weight(new DecaySettings { Enabled = false }, given, given.AddMonths(months)).ShouldBe(1);
    }

    [Fact]
    public void Scores_floor_the_sum_of_weights_and_add_the_grant()
    {
        TrustDecay.Score(3, [1, 0.5, 0.6]).ShouldBe(5);
        TrustDecay.Score(0, [0.5, 0.5]).ShouldBe(1);
        TrustDecay.Score(0, []).ShouldBe(0);
    }

    [Fact]
    public async Task With_decay_on_old_awards_weigh_less_renewal_restores_them_and_givers_are_warned_once()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var receiver = await fixture.AddMemberAsync(communityId);
        var givers = new List<string>();
        for (var i = 0; i < 3; i++) givers.Add(await fixture.AddMemberAsync(communityId, score: 20));
        foreach (var giver in givers) await Service.AwardAsync(giver, communityId, receiver);
        await using (var db = await fixture.NewContextAsync())
        {
            // Two awards given eight months ago (weight about 2/3 each), one today: 2/3 + 2/3 + 1 → 2.
            var eightMonthsAgo = DateTime.UtcNow.AddMonths(-8);
            await db.TrustAwards.Where(a => a.ReceiverId == receiver && a.GiverId != givers[2]).ExecuteUpdateAsync(s => s.SetProperty(a => a.RenewedAt, eightMonthsAgo));
        }
        var settings = fixture.Get<SettingsService>();

        await settings.SaveAsync(admin, communityId, new SettingsPatch { DecayEnabled = true, DecayFullMonths = 6, DecayExpireMonths = 12 });

        (await ScoreAsync(communityId, receiver)).ShouldBe(2);
        var recalculator = fixture.Get<TrustRecalculator>();
        var decay = new DecaySettings { Enabled = true, FullMonths = 6, ExpireMonths = 12 };
        (await recalculator.WarnDecayStartedAsync(communityId, decay)).ShouldBe(2);
        (await recalculator.WarnDecayStartedAsync(communityId, decay)).ShouldBe(0);
        var given = (await fixture.Get<TrustViewService>().GetMyTrustAsync(givers[0], communityId)).Given.ShouldHaveSingleItem();
        given.Weight.ShouldBe(2.0 / 3, 0.03);

        (await Service.RenewAsync(givers[0], communityId)).ShouldBe(1);

        (await ScoreAsync(communityId, receiver)).ShouldBe(2);
        (await Service.RenewAsync(givers[1], communityId, [receiver])).ShouldBe(1);
        (await ScoreAsync(communityId, receiver)).ShouldBe(3);
        await using var check = await fixture.NewContextAsync();
        (await check.Notifications.CountAsync(n => n.Kind == NotificationKind.DecayStarted && n.CommunityId == communityId)).ShouldBe(2);
        (await check.TrustAwards.CountAsync(a => a.ReceiverId == receiver && a.DecayWarnedAt != null)).ShouldBe(0);
    }

    [Fact]
    public async Task The_trust_network_shows_the_live_awards_between_current_members_only()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var (a, b, c) = (await fixture.AddMemberAsync(communityId, score: 20), await fixture.AddMemberAsync(communityId, score: 20), await fixture.AddMemberAsync(communityId, score: 20));
        var leaver = await fixture.AddMemberAsync(communityId, score: 20);
        var removed = await fixture.AddMemberAsync(communityId, score: 20);
        foreach (var (giver, receiver) in new[] { (a, b), (b, c), (c, a), (c, b), (a, leaver), (leaver, b), (removed, a), (b, removed) })
        {
            await Service.AwardAsync(giver, communityId, receiver);
        }
        // Ended awards: one withdrawn between members who stay, the others with the members who leave or are removed.
        await Service.RemoveAsync(c, communityId, b);
        await Service.RemoveAsync(b, communityId, removed);
        await fixture.Get<MemberService>().LeaveAsync(leaver, communityId);
        await fixture.Get<MemberService>().RemoveAsync(admin, communityId, removed);
        // The same people in another community: those awards belong to that network, not this one.
        var (otherCommunity, _) = await fixture.CreateCommunityAsync();
        foreach (var member in new[] { a, b }) await fixture.AddMemberAsync(otherCommunity, score: 20, userId: member);
        await Service.AwardAsync(b, otherCommunity, a);
        var views = fixture.Get<TrustViewService>();

        var graph = (await views.GraphAsync(c, communityId)).ShouldNotBeNull();

        graph.Edges.ShouldBe([new NetworkEdge(a, b), new NetworkEdge(b, c), new NetworkEdge(c, a)], ignoreOrder: true);
        graph.Nodes.Select(n => (n.UserId, n.Score, n.GivenCount, n.ReceivedCount))
            .ShouldBe([(admin, 0, 0, 0), (a, 21, 1, 1), (b, 21, 1, 1), (c, 21, 1, 1)], ignoreOrder: true);
        // The list view of the same network agrees, with who trusts whom by name.
        var list = await views.NetworkAsync(c, communityId, null, 0, 20);
        list.Total.ShouldBe(4);
        list.Items.Select(r => (r.UserId, r.Score, r.GivenCount, r.ReceivedCount)).ShouldBe(graph.Nodes.Select(n => (n.UserId, n.Score, n.GivenCount, n.ReceivedCount)), ignoreOrder: true);
        list.Items.Single(r => r.UserId == b).TrustedBy.ShouldBe([await DisplayNameAsync(a)]);
        list.Items.Single(r => r.UserId == a).TrustedBy.ShouldBe([await DisplayNameAsync(c)]);
        // Those who left see nothing of it any more.
        await Should.ThrowAsync<ForbiddenException>(() => views.GraphAsync(leaver, communityId));
    }

    private async Task<string> DisplayNameAsync(string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Users.Where(u => u.Id == userId).Select(u => u.DisplayName).SingleAsync();
    }

    [Fact]
    public async Task My_trust_shows_score_title_progress_unlocks_awards_and_history()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        // No grant of my own: the trust granter role lets me award, and my score is the one award I received.
        var me = await fixture.AddMemberAsync(communityId, featureRoles: FeatureRole.TrustGranter);
        var friend = await fixture.AddMemberAsync(communityId, score: 20);
        var other = await fixture.AddMemberAsync(communityId);
        await Service.AwardAsync(me, communityId, other);
        await Service.AwardAsync(friend, communityId, me);

        var view = await fixture.Get<TrustViewService>().GetMyTrustAsync(me, communityId);

        view.Score.ShouldBe(1);
        view.Title!.Name.ShouldBe("New");
        view.NextLevel!.Name.ShouldBe("Stable");
        view.ProgressToNext.ShouldBe(0.1, 0.0001);
        view.Unlocks.Select(u => u.RequiredScore).ShouldBeInOrder();
        view.Unlocks.First().ShouldSatisfyAllConditions(u => u.Permission.ShouldBe(Permission.PublishNeeds), u => u.Achieved.ShouldBeFalse());
        view.Received.ShouldHaveSingleItem().UserId.ShouldBe(friend);
        view.Given.ShouldHaveSingleItem().UserId.ShouldBe(other);
        view.History.Count.ShouldBe(2);
    }

    private async Task<string> UserNameAsync(string id)
    {
        await using var db = await fixture.NewContextAsync();
        return (await db.Users.SingleAsync(u => u.Id == id)).UserName!;
    }
}
