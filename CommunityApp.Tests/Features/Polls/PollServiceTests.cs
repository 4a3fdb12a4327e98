using System.Text;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Polls;
using CommunityApp.Features.Pools;
using CommunityApp.Features.Settings;
using CommunityApp.Tests.Infrastructure;
using static CommunityApp.Tests.Infrastructure.Refusals;

namespace CommunityApp.Tests.Features.Polls;

/// <summary>Polls (docs/SPEC.md §9) on PostgreSQL: every way to create one, every refusal, votes, results, closing, CSV, comments.</summary>
public sealed class PollServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private PollService Polls => fixture.Get<PollService>();

    private static readonly string[] Options = ["Saturday", "Sunday", "Wednesday evening"];

    private static PollInput Input(string question = "When shall we meet?", IReadOnlyList<string?>? options = null, PollKind kind = PollKind.SingleChoice,
        int? points = null, int? hours = 72, DateTime? endsAt = null, ResultsVisibility visibility = ResultsVisibility.Always, Guid? councilId = null, Guid? poolId = null,
        string? description = null) =>
        new(question, description, options ?? Options, kind, points, hours, endsAt, visibility, councilId, poolId);

    private sealed record Setup(Guid CommunityId, string Admin, string Creator, string Member, string Other);

    /// <summary>An admin, a member trusted enough to create polls (15), and two members at 0.</summary>
    private async Task<Setup> SetUpAsync()
    {
        fixture.Clock.Reset();
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        return new Setup(communityId, admin, await fixture.AddMemberAsync(communityId, score: 15), await fixture.AddMemberAsync(communityId), await fixture.AddMemberAsync(communityId));
    }

    private async Task<int> CountAsync<T>(Func<AppDbContextQuery, IQueryable<T>> rows)
    {
        await using var db = await fixture.NewContextAsync();
        return await rows(new AppDbContextQuery(db)).CountAsync();
    }

    private sealed record AppDbContextQuery(CommunityApp.Data.AppDbContext Db);

    private async Task<int> PollCountAsync(Guid communityId) => await CountAsync(q => q.Db.Polls.Where(p => p.CommunityId == communityId));

    private async Task<int> AuditCountAsync(Guid communityId, AuditAction action) =>
        await CountAsync(q => q.Db.AuditLog.Where(a => a.CommunityId == communityId && a.Action == action));

    private static async Task<string> Refusal(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (AppException ex) when (ex is not ValidationFailedException)
        {
            return ex.Message;
        }
        throw new ShouldAssertException("The action was not refused.");
    }

    private async Task<Guid> OptionIdAsync(Guid pollId, int position)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.PollOptions.Where(o => o.PollId == pollId && o.Position == position).Select(o => o.Id).SingleAsync();
    }

    // ------------------------------------------------------------------ who may create

    [Fact]
    public async Task Admins_role_holders_listed_users_and_trusted_members_create_polls_and_the_page_hears_why()
    {
        var s = await SetUpAsync();
        var roleHolder = await fixture.AddMemberAsync(s.CommunityId, featureRoles: FeatureRole.PollCreator);
        var listed = await fixture.AddMemberAsync(s.CommunityId);
        await fixture.Get<SettingsService>().SaveAsync(s.Admin, s.CommunityId, new SettingsPatch { PollCreatorUsers = [listed] });
        var permissions = fixture.Get<PermissionService>();
        var scope = PermissionScope.Community(s.CommunityId);

        foreach (var (user, reason) in new[] { (s.Admin, PermissionReason.Admin), (roleHolder, PermissionReason.FeatureRole), (listed, PermissionReason.AllowList), (s.Creator, PermissionReason.TrustScore) })
        {
            (await permissions.CheckAsync(user, Permission.CreatePolls, scope)).Reason.ShouldBe(reason);
            var id = await Polls.CreateAsync(user, s.CommunityId, Input());
            (await Polls.GetAsync(user, s.CommunityId, id)).CreatorId.ShouldBe(user);
        }
        (await PollCountAsync(s.CommunityId)).ShouldBe(4);
    }

    [Fact]
    public async Task Below_the_threshold_or_outside_the_community_creating_is_refused_with_the_reason_and_nothing_is_saved()
    {
        var s = await SetUpAsync();
        await fixture.SetScoreAsync(s.CommunityId, s.Member, 14);
        (await Refusal(() => Polls.CreateAsync(s.Member, s.CommunityId, Input()))).ShouldBe("You need 15 trust to create polls; you have 14.");
        var check = await fixture.Get<PermissionService>().CheckAsync(s.Member, Permission.CreatePolls, PermissionScope.Community(s.CommunityId));
        check.Describe().ShouldBe("Needs 15 trust, you have 14");
        var outsider = await fixture.CreateUserAsync();
        await Should.ThrowAsync<ForbiddenException>(() => Polls.CreateAsync(outsider, s.CommunityId, Input()));
        (await PollCountAsync(s.CommunityId)).ShouldBe(0);
        (await CountAsync(q => q.Db.Notifications.Where(n => n.CommunityId == s.CommunityId))).ShouldBe(0);
    }

    [Fact]
    public async Task Council_and_pool_managers_create_polls_on_their_behalf_audited_and_no_one_else_speaks_for_the_council()
    {
        var s = await SetUpAsync();
        var managerName = "mgr" + Guid.NewGuid().ToString("N")[..8];
        var manager = await fixture.AddMemberAsync(s.CommunityId, userId: await fixture.CreateUserAsync(managerName));
        var councilId = await fixture.Get<CouncilService>().CreateAsync(s.Admin, s.CommunityId, new CouncilInput("Food pantry", "Collects food and hands it to who needs it."));
        await fixture.Get<CouncilService>().AddManagerAsync(s.Admin, councilId, managerName);
        var rice = await fixture.ItemIdAsync(s.CommunityId, "Carrots");
        var poolId = await fixture.Get<PoolService>().CreateAsync(s.Admin, councilId, new PoolInput("Vegetable pool", "Shared vegetables.", [rice]));

        (await fixture.Get<PermissionService>().CheckAsync(manager, Permission.CreatePolls, PermissionScope.Council(s.CommunityId, councilId))).Reason.ShouldBe(PermissionReason.CouncilManager);
        var forCouncil = await Polls.CreateAsync(manager, s.CommunityId, Input("Which night for the soup kitchen?", councilId: councilId));
        var forPool = await Polls.CreateAsync(manager, s.CommunityId, Input("How do we share the carrots?", poolId: poolId));

        var pool = await Polls.GetAsync(s.Member, s.CommunityId, forPool);
        (pool.CouncilId, pool.CouncilName, pool.PoolId, pool.PoolName).ShouldBe((councilId, "Food pantry", poolId, "Vegetable pool"));
        (await Polls.ListAsync(s.Member, s.CommunityId, councilId, 0, 10)).Items.Select(p => p.Id).ShouldBe([forCouncil, forPool], ignoreOrder: true);
        (await AuditCountAsync(s.CommunityId, AuditAction.PollCreated)).ShouldBe(2);

        // A manager with no trust may not create a community-wide poll; a trusted non-manager may not speak for the council.
        (await Refusal(() => Polls.CreateAsync(manager, s.CommunityId, Input()))).ShouldBe("You need 15 trust to create polls; you have 0.");
        (await Refusal(() => Polls.CreateAsync(s.Creator, s.CommunityId, Input(councilId: councilId)))).ShouldBe("Only the council's managers and admins can do that.");
        (await Refusal(() => Polls.CreateAsync(s.Creator, s.CommunityId, Input(poolId: poolId)))).ShouldBe("Only the council's managers and admins can do that.");
        (await FieldErrors(() => Polls.CreateAsync(manager, s.CommunityId, Input(councilId: Guid.NewGuid())))).ShouldContainKey("speaksFor");
        (await PollCountAsync(s.CommunityId)).ShouldBe(2);
    }

    // ------------------------------------------------------------------ bad input

    public static TheoryData<string, string, string> BadInputs => new()
    {
        { "no question", "question", "Use 1 to 200 characters." },
        { "question too long", "question", "Use 1 to 200 characters." },
        { "description too long", "description", "Use at most 5000 characters." },
        { "empty option", "option1", "Write this option or remove it." },
        { "duplicate option", "option2", "The same as option 1." },
        { "one option", "options", "Give from 2 to 10 options." },
        { "eleven options", "options", "Give from 2 to 10 options." },
        { "option too long", "option0", "Use 1 to 100 characters." },
        { "zero hours", "duration", "A poll lasts from 1 to 720 hours." },
        { "721 hours", "duration", "A poll lasts from 1 to 720 hours." },
        { "end in the past", "endsAt", "Choose an end from 1 to 720 hours from now." },
        { "end beyond 720 hours", "endsAt", "Choose an end from 1 to 720 hours from now." },
        { "no points", "points", "Give each member from 1 to 100 points to spread." },
        { "101 points", "points", "Give each member from 1 to 100 points to spread." },
        { "unknown kind", "kind", "Choose single choice or dot voting." },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_gets_a_field_message_and_saves_nothing(string @case, string field, string message)
    {
        var s = await SetUpAsync();
        var now = fixture.Clock.GetUtcNow().UtcDateTime;
        var input = @case switch
        {
            "no question" => Input("   "),
            "question too long" => Input(new string('q', 201)),
            "description too long" => Input(description: new string('d', 5001)),
            "empty option" => Input(options: ["Yes", "  ", "No"]),
            "duplicate option" => Input(options: ["Yes please", "No", "  yes   PLEASE "]),
            "one option" => Input(options: ["Only"]),
            "eleven options" => Input(options: Enumerable.Range(1, 11).Select(i => (string?)$"Option {i}").ToList()),
            "option too long" => Input(options: [new string('o', 101), "No"]),
            "zero hours" => Input(hours: 0),
            "721 hours" => Input(hours: 721),
            "end in the past" => Input(hours: null, endsAt: now.AddMinutes(-5)),
            "end beyond 720 hours" => Input(hours: null, endsAt: now.AddHours(721)),
            "no points" => Input(kind: PollKind.DotVoting),
            "101 points" => Input(kind: PollKind.DotVoting, points: 101),
            "unknown kind" => Input(kind: (PollKind)7),
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        };

        var errors = await FieldErrors(() => Polls.CreateAsync(s.Creator, s.CommunityId, input));

        errors.ShouldContainKeyAndValue(field, message);
        (await PollCountAsync(s.CommunityId)).ShouldBe(0);
        (await CountAsync(q => q.Db.PollOptions)).ShouldBe(await CountAsync(q => q.Db.PollOptions.Where(o => q.Db.Polls.Any(p => p.Id == o.PollId))));
        (await CountAsync(q => q.Db.Notifications.Where(n => n.CommunityId == s.CommunityId))).ShouldBe(0);
    }

    [Fact]
    public async Task A_poll_keeps_its_options_in_order_trimmed_and_ends_when_chosen()
    {
        var s = await SetUpAsync();
        var now = fixture.Clock.GetUtcNow().UtcDateTime;
        fixture.Clock.Set(now);
        var byHours = await Polls.CreateAsync(s.Creator, s.CommunityId, Input(" Which day? ", ["  Monday ", "Tuesday"], hours: 1));
        var byDate = await Polls.CreateAsync(s.Creator, s.CommunityId, Input(hours: null, endsAt: now.AddHours(720)));

        var poll = await Polls.GetAsync(s.Member, s.CommunityId, byHours);
        poll.Question.ShouldBe("Which day?");
        poll.Options.Select(o => o.Text).ShouldBe(["Monday", "Tuesday"]);
        poll.EndsAt.ShouldBe(now.AddHours(1), TimeSpan.FromMilliseconds(1));
        (await Polls.GetAsync(s.Member, s.CommunityId, byDate)).EndsAt.ShouldBe(now.AddHours(720), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task A_new_poll_tells_every_other_member_once_and_the_creator_not()
    {
        var s = await SetUpAsync();
        var id = await Polls.CreateAsync(s.Creator, s.CommunityId, Input("Paint the shed green?"));

        await using var db = await fixture.NewContextAsync();
        var sent = await db.Notifications.Where(n => n.CommunityId == s.CommunityId).ToListAsync();
        sent.Select(n => n.UserId).ShouldBe([s.Admin, s.Member, s.Other], ignoreOrder: true);
        sent.ShouldAllBe(n => n.Kind == NotificationKind.PollCreated && n.Subject == "Paint the shed green?" && n.Link == $"/c/{s.CommunityId}/polls/{id}" && n.ReadAt == null);
        sent.Select(n => n.Id).Distinct().Count().ShouldBe(3);
        (await fixture.Get<NotificationService>().LatestAsync(s.Member)).Single().Actor.ShouldBe((await db.Users.SingleAsync(u => u.Id == s.Creator)).DisplayName);
    }

    // ------------------------------------------------------------------ voting

    [Fact]
    public async Task A_member_votes_once_with_a_reason_and_the_vote_is_final()
    {
        var s = await SetUpAsync();
        var id = await Polls.CreateAsync(s.Creator, s.CommunityId, Input());
        var saturday = await OptionIdAsync(id, 0);
        var sunday = await OptionIdAsync(id, 1);

        await Polls.VoteAsync(s.Member, id, new VoteInput(saturday, Reason: "  Mornings suit me. "));
        (await Refusal(() => Polls.VoteAsync(s.Member, id, new VoteInput(sunday)))).ShouldBe("You have already voted in this poll; a vote is final.");

        var poll = await Polls.GetAsync(s.Member, s.CommunityId, id);
        poll.MyBallot!.Points.ShouldBe(new Dictionary<Guid, int> { [saturday] = 1 });
        poll.MyBallot.Reason.ShouldBe("Mornings suit me.");
        poll.Voters.ShouldBe(1);
        poll.Options.Select(o => (o.Count, o.Percent)).ShouldBe([(1, 100.0), (0, 0.0), (0, 0.0)]);
    }

    [Fact]
    public async Task A_bad_ballot_gets_a_field_message_and_saves_nothing()
    {
        var s = await SetUpAsync();
        var id = await Polls.CreateAsync(s.Creator, s.CommunityId, Input());
        var otherPoll = await Polls.CreateAsync(s.Creator, s.CommunityId, Input());

        (await FieldErrors(() => Polls.VoteAsync(s.Member, id, new VoteInput()))).ShouldBe(new Dictionary<string, string> { ["choice"] = "Choose one option." });
        var foreign = await OptionIdAsync(otherPoll, 0);
        var first = await OptionIdAsync(id, 0);
        (await FieldErrors(() => Polls.VoteAsync(s.Member, id, new VoteInput(foreign)))).ShouldContainKey("choice");
        (await FieldErrors(() => Polls.VoteAsync(s.Member, id, new VoteInput(first, Reason: new string('r', 281)))))
            .ShouldBe(new Dictionary<string, string> { ["reason"] = "Use at most 280 characters." });
        (await CountAsync(q => q.Db.PollVotes.Where(v => v.PollId == id))).ShouldBe(0);
        // 280 is allowed.
        await Polls.VoteAsync(s.Member, id, new VoteInput(await OptionIdAsync(id, 0), Reason: new string('r', 280)));
    }

    [Fact]
    public async Task A_closed_poll_refuses_votes_and_outsiders_never_vote()
    {
        var s = await SetUpAsync();
        var id = await Polls.CreateAsync(s.Creator, s.CommunityId, Input(hours: 1));
        var option = await OptionIdAsync(id, 0);
        var outsider = await fixture.CreateUserAsync();
        (await Refusal(() => Polls.VoteAsync(outsider, id, new VoteInput(option)))).ShouldBe("You are not a member of this community.");

        fixture.Clock.Advance(TimeSpan.FromHours(1));
        (await Refusal(() => Polls.VoteAsync(s.Member, id, new VoteInput(option)))).ShouldBe("This poll is closed.");
        (await CountAsync(q => q.Db.PollVotes.Where(v => v.PollId == id))).ShouldBe(0);
        (await Polls.GetAsync(s.Member, s.CommunityId, id)).IsOpen.ShouldBeFalse();
    }

    [Fact]
    public async Task Dot_voting_spreads_exactly_the_points_and_shows_points_and_share_of_the_total()
    {
        var s = await SetUpAsync();
        var id = await Polls.CreateAsync(s.Creator, s.CommunityId, Input("Where do the carrots go?", ["Families", "School lunch", "Soup night"], PollKind.DotVoting, points: 10));
        var (a, b, c) = (await OptionIdAsync(id, 0), await OptionIdAsync(id, 1), await OptionIdAsync(id, 2));

        (await FieldErrors(() => Polls.VoteAsync(s.Member, id, new VoteInput(Points: new Dictionary<Guid, int> { [a] = 6, [b] = 3 }))))
            .ShouldBe(new Dictionary<string, string> { ["points"] = "Spread exactly 10 points; you gave 9." });
        (await FieldErrors(() => Polls.VoteAsync(s.Member, id, new VoteInput(Points: new Dictionary<Guid, int> { [a] = 12, [b] = -2 }))))
            .ShouldBe(new Dictionary<string, string> { ["points"] = "Give each option from 0 to 10 points." });
        (await FieldErrors(() => Polls.VoteAsync(s.Member, id, new VoteInput(Points: new Dictionary<Guid, int> { [a] = 5, [Guid.NewGuid()] = 5 })))).ShouldContainKey("points");
        (await FieldErrors(() => Polls.VoteAsync(s.Member, id, new VoteInput(Points: new Dictionary<Guid, int> { [a] = int.MaxValue, [b] = int.MaxValue })))).ShouldContainKey("points");
        (await CountAsync(q => q.Db.PollVotes.Where(v => v.PollId == id))).ShouldBe(0);

        await Polls.VoteAsync(s.Member, id, new VoteInput(Points: new Dictionary<Guid, int> { [a] = 6, [b] = 4, [c] = 0 }));
        await Polls.VoteAsync(s.Other, id, new VoteInput(Points: new Dictionary<Guid, int> { [a] = 4, [c] = 6 }));

        var poll = await Polls.GetAsync(s.Creator, s.CommunityId, id);
        poll.Points.ShouldBe(10);
        poll.TotalPoints.ShouldBe(20);
        poll.Options.Select(o => (o.Text, o.Count, o.Percent)).ShouldBe([("Families", 10, 50.0), ("School lunch", 4, 20.0), ("Soup night", 6, 30.0)]);
        (await CountAsync(q => q.Db.PollVotePoints.Where(v => v.PollId == id && v.UserId == s.Member))).ShouldBe(2, "an option given 0 points stores nothing");
        var ballots = await Polls.BallotsAsync(s.Creator, s.CommunityId, id, 0, 10);
        ballots.Items.Select(b => b.Choice).ShouldBe(["Families 4, Soup night 6", "Families 6, School lunch 4"], ignoreOrder: true);
    }

    // ------------------------------------------------------------------ results visibility

    [Fact]
    public async Task Results_hidden_until_you_vote_show_to_each_member_after_their_own_vote_and_to_all_after_the_close()
    {
        var s = await SetUpAsync();
        var id = await Polls.CreateAsync(s.Creator, s.CommunityId, Input(visibility: ResultsVisibility.AfterVote));
        var saturday = await OptionIdAsync(id, 0);
        await Polls.VoteAsync(s.Member, id, new VoteInput(saturday, Reason: "Free then."));

        var voter = await Polls.GetAsync(s.Member, s.CommunityId, id);
        voter.ResultsVisible.ShouldBeTrue();
        voter.Options[0].Count.ShouldBe(1);
        (await Polls.BallotsAsync(s.Member, s.CommunityId, id, 0, 10)).Items.Single().ShouldSatisfyAllConditions(
            b => b.Reason.ShouldBe("Free then."), b => b.Choice.ShouldBe("Saturday"));

        foreach (var viewer in new[] { s.Other, s.Creator, s.Admin })
        {
            var hidden = await Polls.GetAsync(viewer, s.CommunityId, id);
            hidden.ResultsVisible.ShouldBeFalse();
            hidden.Voters.ShouldBe(1, "how many voted always shows");
            hidden.Options.ShouldAllBe(o => o.Count == null && o.Percent == null);
            (await Refusal(() => Polls.BallotsAsync(viewer, s.CommunityId, id, 0, 10))).ShouldBe("The results of this poll are not shown to you yet.");
            (await Refusal(() => Polls.ExportAsync(viewer, s.CommunityId, id))).ShouldBe("The results of this poll are not shown to you yet.");
        }

        await Polls.CloseAsync(s.Creator, id);
        (await Polls.GetAsync(s.Other, s.CommunityId, id)).Options[0].Count.ShouldBe(1);
    }

    [Fact]
    public async Task Results_hidden_until_the_close_stay_hidden_from_voters_until_then()
    {
        var s = await SetUpAsync();
        var id = await Polls.CreateAsync(s.Creator, s.CommunityId, Input(visibility: ResultsVisibility.AfterClose, hours: 2));
        await Polls.VoteAsync(s.Member, id, new VoteInput(await OptionIdAsync(id, 1)));
        (await Polls.GetAsync(s.Member, s.CommunityId, id)).ResultsVisible.ShouldBeFalse();

        fixture.Clock.Advance(TimeSpan.FromHours(2));
        var closed = await Polls.GetAsync(s.Other, s.CommunityId, id);
        closed.ResultsVisible.ShouldBeTrue();
        closed.Options.Select(o => o.Count).ShouldBe([0, 1, 0]);
    }

    [Theory]
    [InlineData(ResultsVisibility.Always, true, false, true)]
    [InlineData(ResultsVisibility.AfterVote, true, false, false)]
    [InlineData(ResultsVisibility.AfterVote, true, true, true)]
    [InlineData(ResultsVisibility.AfterVote, false, false, true)]
    [InlineData(ResultsVisibility.AfterClose, true, true, false)]
    [InlineData(ResultsVisibility.AfterClose, false, false, true)]
    public void The_results_visibility_rule(ResultsVisibility visibility, bool open, bool voted, bool visible) =>
        PollService.ResultsVisible(visibility, open, voted).ShouldBe(visible);

    // ------------------------------------------------------------------ close, extend, reopen

    [Fact]
    public async Task Only_the_creator_or_an_admin_closes_extends_or_reopens_and_each_is_audited()
    {
        var s = await SetUpAsync();
        var id = await Polls.CreateAsync(s.Creator, s.CommunityId, Input(hours: 10));
        var now = fixture.Clock.GetUtcNow().UtcDateTime;
        const string creatorOrAdmin = "Only the poll's creator and admins can do that.";

        (await Refusal(() => Polls.CloseAsync(s.Member, id))).ShouldBe(creatorOrAdmin);
        (await Refusal(() => Polls.ExtendAsync(s.Member, id, now.AddHours(20)))).ShouldBe(creatorOrAdmin);
        (await FieldErrors(() => Polls.ExtendAsync(s.Creator, id, now.AddHours(5)))).ShouldBe(new Dictionary<string, string> { ["endsAt"] = "Choose an end after the current one." });
        (await FieldErrors(() => Polls.ExtendAsync(s.Creator, id, now.AddHours(721)))).ShouldContainKey("endsAt");
        (await Refusal(() => Polls.ReopenAsync(s.Creator, id, now.AddHours(20)))).ShouldBe("This poll is still open; extend it instead.");

        await Polls.ExtendAsync(s.Creator, id, now.AddHours(30));
        (await Polls.GetAsync(s.Member, s.CommunityId, id)).EndsAt.ShouldBe(now.AddHours(30), TimeSpan.FromMilliseconds(1));
        await Polls.CloseAsync(s.Admin, id);
        var closed = await Polls.GetAsync(s.Member, s.CommunityId, id);
        (closed.IsOpen, closed.ClosedEarlyAt is not null).ShouldBe((false, true));
        (await Refusal(() => Polls.CloseAsync(s.Creator, id))).ShouldBe("This poll is already closed.");
        (await Refusal(() => Polls.ExtendAsync(s.Creator, id, now.AddHours(40)))).ShouldBe("This poll has closed; reopen it with a new end instead.");
        (await Refusal(() => Polls.ReopenAsync(s.Member, id, now.AddHours(5)))).ShouldBe(creatorOrAdmin);
        (await FieldErrors(() => Polls.ReopenAsync(s.Creator, id, now.AddMinutes(30)))).ShouldBe(new Dictionary<string, string> { ["endsAt"] = "Choose an end from 1 to 720 hours from now." });

        await Polls.ReopenAsync(s.Creator, id, now.AddHours(5));
        var reopened = await Polls.GetAsync(s.Member, s.CommunityId, id);
        (reopened.IsOpen, reopened.ClosedEarlyAt).ShouldBe((true, (DateTime?)null));
        await Polls.VoteAsync(s.Member, id, new VoteInput(await OptionIdAsync(id, 0)));

        (await AuditCountAsync(s.CommunityId, AuditAction.PollExtended)).ShouldBe(1);
        (await AuditCountAsync(s.CommunityId, AuditAction.PollClosed)).ShouldBe(1);
        (await AuditCountAsync(s.CommunityId, AuditAction.PollReopened)).ShouldBe(1);
        await using var db = await fixture.NewContextAsync();
        var closing = await db.AuditLog.SingleAsync(a => a.CommunityId == s.CommunityId && a.Action == AuditAction.PollClosed);
        closing.ActorId.ShouldBe(s.Admin);
        closing.Details.ShouldContain(id.ToString());
    }

    // ------------------------------------------------------------------ comments

    [Fact]
    public async Task Members_comment_in_markdown_paged_newest_first_and_authors_or_admins_delete()
    {
        var s = await SetUpAsync();
        var id = await Polls.CreateAsync(s.Creator, s.CommunityId, Input());
        (await FieldErrors(() => Polls.CommentAsync(s.Member, id, "  "))).ShouldContainKey("comment");
        (await FieldErrors(() => Polls.CommentAsync(s.Member, id, new string('c', 2001)))).ShouldContainKey("comment");
        var first = await Polls.CommentAsync(s.Member, id, "I prefer **Saturday**.");
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await Polls.CommentAsync(s.Other, id, "Sunday is family day.");
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var third = await Polls.CommentAsync(s.Creator, id, "Noted, thanks.");

        var page = await Polls.CommentsAsync(s.Member, s.CommunityId, id, 0, 2);
        page.Total.ShouldBe(3);
        page.Items.Select(c => c.Id).ShouldBe([third, second]);
        page.Items.ShouldAllBe(c => !c.MayDelete);
        (await Polls.CommentsAsync(s.Member, s.CommunityId, id, 1, 2)).Items.Single().ShouldSatisfyAllConditions(c => c.Id.ShouldBe(first), c => c.Body.ShouldBe("I prefer **Saturday**."), c => c.MayDelete.ShouldBeTrue());

        (await Refusal(() => Polls.DeleteCommentAsync(s.Other, first))).ShouldBe("Only the comment's author or an admin can delete it.");
        await Polls.DeleteCommentAsync(s.Member, first);
        await Polls.DeleteCommentAsync(s.Admin, second);
        (await Polls.CommentsAsync(s.Member, s.CommunityId, id, 0, 10)).Items.Select(c => c.Id).ShouldBe([third]);
    }

    // ------------------------------------------------------------------ the list

    [Fact]
    public async Task The_list_shows_open_polls_first_ending_soonest_then_closed_ones_latest_first_paged()
    {
        var s = await SetUpAsync();
        var late = await Polls.CreateAsync(s.Creator, s.CommunityId, Input("Late", hours: 100));
        var soon = await Polls.CreateAsync(s.Creator, s.CommunityId, Input("Soon", hours: 5));
        var closedFirst = await Polls.CreateAsync(s.Creator, s.CommunityId, Input("Closed first", hours: 50));
        await Polls.CloseAsync(s.Creator, closedFirst);
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        var closedLast = await Polls.CreateAsync(s.Creator, s.CommunityId, Input("Closed last", hours: 50));
        await Polls.CloseAsync(s.Creator, closedLast);
        await Polls.VoteAsync(s.Member, soon, new VoteInput(await OptionIdAsync(soon, 0)));

        var all = await Polls.ListAsync(s.Member, s.CommunityId, null, 0, 10);
        all.Items.Select(p => p.Question).ShouldBe(["Soon", "Late", "Closed last", "Closed first"]);
        all.Items.Select(p => (p.IsOpen, p.IVoted, p.Voters)).ShouldBe([(true, true, 1), (true, false, 0), (false, false, 0), (false, false, 0)]);
        var second = await Polls.ListAsync(s.Member, s.CommunityId, null, 1, 3);
        (second.Total, second.Items.Single().Id).ShouldBe((4, closedFirst));
        _ = late;
    }

    // ------------------------------------------------------------------ CSV

    [Fact]
    public async Task The_csv_lists_each_option_with_votes_and_share_then_each_ballot_with_its_reason()
    {
        var s = await SetUpAsync();
        var id = await Polls.CreateAsync(s.Creator, s.CommunityId, Input("Paint colour?", ["Green", "Blue, \"sky\""]));
        await Polls.VoteAsync(s.Member, id, new VoteInput(await OptionIdAsync(id, 0), Reason: "Matches the hedge."));
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        await Polls.VoteAsync(s.Other, id, new VoteInput(await OptionIdAsync(id, 1)));
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        await Polls.VoteAsync(s.Admin, id, new VoteInput(await OptionIdAsync(id, 0)));

        var export = await Polls.ExportAsync(s.Member, s.CommunityId, id);
        using var stream = new MemoryStream();
        await export.WriteAsync(stream, TestContext.Current.CancellationToken);
        var lines = Encoding.UTF8.GetString(stream.ToArray()).Split("\r\n");

        export.FileName.ShouldEndWith(".csv");
        lines[..4].ShouldBe(["Option,Votes,Percent", "Green,2,66.7", "\"Blue, \"\"sky\"\"\",1,33.3", ""]);
        lines[4].ShouldBe("Voter,Choice,Reason,Voted at");
        await using var db = await fixture.NewContextAsync();
        var names = await db.Users.Where(u => u.Id == s.Member || u.Id == s.Other || u.Id == s.Admin).ToDictionaryAsync(u => u.Id, u => u.DisplayName);
        lines[5].ShouldStartWith($"{names[s.Member]},Green,Matches the hedge.,");
        lines[6].ShouldStartWith($"{names[s.Other]},\"Blue, \"\"sky\"\"\",,");
        lines[7].ShouldStartWith($"{names[s.Admin]},Green,,");
        lines[5].ShouldEndWith(" UTC");
    }
}
