using Microsoft.EntityFrameworkCore;
using CommunityApp.Components;
using CommunityApp.Features.Checkout;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Disputes;
using CommunityApp.Features.Forum;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Polls;
using CommunityApp.Features.Pools;
using CommunityApp.Features.Recognition;
using CommunityApp.Features.Skills;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Features.Disputes;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Notifications;

/// <summary>
/// Every notification kind (docs/SPEC.md §14) is sent by its feature's real action: one test per kind, asserting the
/// recipient, the kind and the link. A kind added later without a test here fails <see cref="Every_kind_has_a_test_here"/>.
/// </summary>
public sealed class NotificationKindTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private T Get<T>() where T : notnull => fixture.Get<T>();

    /// <summary>The single notification of this kind the user has, with the expected link.</summary>
    private async Task<Notification> NotifiedAsync(string userId, NotificationKind kind, string link)
    {
        await using var db = await fixture.NewContextAsync();
        var notification = await db.Notifications.AsNoTracking().SingleAsync(n => n.UserId == userId && n.Kind == kind);
        notification.Link.ShouldBe(link);
        return notification;
    }

    private async Task<string> UserNameAsync(string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Users.Where(u => u.Id == userId).Select(u => u.UserName!).SingleAsync();
    }

    [Fact]
    public void Every_kind_has_a_test_here()
    {
        var tested = typeof(NotificationKindTests).GetMethods().Select(m => m.Name).Where(n => n.StartsWith("Kind_", StringComparison.Ordinal))
            .Select(n => n["Kind_".Length..]).ToHashSet();
        Enum.GetNames<NotificationKind>().ShouldBeSubsetOf(tested);
    }

    [Fact]
    public void Every_kind_has_a_type_label_in_both_languages()
    {
        var resources = new System.Resources.ResourceManager("CommunityApp.Resources.Strings", typeof(CommunityApp.Resources.Strings).Assembly);
        // Each language's own file, without falling back to English.
        foreach (var culture in new[] { System.Globalization.CultureInfo.InvariantCulture, System.Globalization.CultureInfo.GetCultureInfo("es") })
        {
            var set = resources.GetResourceSet(culture, createIfNotExists: true, tryParents: false).ShouldNotBeNull();
            foreach (var kind in Enum.GetNames<NotificationKind>())
            {
                set.GetString($"NotificationType.{kind}").ShouldNotBeNullOrWhiteSpace($"NotificationType.{kind} in '{culture.Name}'");
                set.GetString($"Notification.{kind}").ShouldNotBeNullOrWhiteSpace($"Notification.{kind} in '{culture.Name}'");
            }
        }
    }

    // ---------------------------------------------------------------- trust

    private async Task<(Guid CommunityId, string Admin, string Giver, string Receiver)> TrustSetUpAsync()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        return (communityId, admin, await fixture.AddMemberAsync(communityId, score: 50), await fixture.AddMemberAsync(communityId));
    }

    [Fact]
    public async Task Kind_TrustReceived()
    {
        var (c, _, giver, receiver) = await TrustSetUpAsync();
        await Get<TrustService>().AwardAsync(giver, c, receiver);
        await NotifiedAsync(receiver, NotificationKind.TrustReceived, CommunityUrls.For(c).MyTrust);
    }

    [Fact]
    public async Task Kind_TrustRemoved()
    {
        var (c, _, giver, receiver) = await TrustSetUpAsync();
        await Get<TrustService>().AwardAsync(giver, c, receiver);
        await Get<TrustService>().RemoveAsync(giver, c, receiver);
        await NotifiedAsync(receiver, NotificationKind.TrustRemoved, CommunityUrls.For(c).MyTrust);
    }

    [Fact]
    public async Task Kind_DecayStarted()
    {
        var (c, _, giver, receiver) = await TrustSetUpAsync();
        await Get<TrustService>().AwardAsync(giver, c, receiver);
        await using (var db = await fixture.NewContextAsync())
            await db.TrustAwards.Where(a => a.GiverId == giver).ExecuteUpdateAsync(s => s.SetProperty(a => a.RenewedAt, DateTime.UtcNow.AddYears(-2)));
        (await Get<TrustRecalculator>().WarnDecayStartedAsync(c, new DecaySettings())).ShouldBe(1);
        await NotifiedAsync(giver, NotificationKind.DecayStarted, CommunityUrls.For(c).MyTrust);
    }

    [Fact]
    public async Task Kind_TrustGrantChanged()
    {
        var (c, admin, _, receiver) = await TrustSetUpAsync();
        await Get<TrustService>().SetAdminGrantAsync(admin, c, receiver, 7);
        await NotifiedAsync(receiver, NotificationKind.TrustGrantChanged, CommunityUrls.For(c).MyTrust);
    }

    [Fact]
    public async Task Kind_InviteReceived()
    {
        var (c, admin) = await fixture.CreateCommunityAsync();
        var invitee = await fixture.CreateUserAsync();
        await Get<InviteService>().CreateDirectAsync(admin, c, new DirectInviteInput(await UserNameAsync(invitee), MemberRole.Member));
        (await NotifiedAsync(invitee, NotificationKind.InviteReceived, "/communities")).CommunityId.ShouldBe(c);
    }

    // ---------------------------------------------------------------- shares and requests

    private async Task<(Guid CommunityId, string Owner, string Requester, Guid ShareId, Guid RequestId)> RequestSetUpAsync()
    {
        var (c, owner) = await fixture.CreateCommunityAsync();
        var requester = await fixture.AddMemberAsync(c, score: 10);
        var share = await Get<ShareService>().CreateAsync(owner, c, new ShareInput("Ladder", null, WealthKind.Object, 3));
        var request = await Get<ShareService>().RequestAsync(requester, share, 1, "Please");
        return (c, owner, requester, share, request);
    }

    [Fact]
    public async Task Kind_RequestReceived()
    {
        var (c, owner, _, share, _) = await RequestSetUpAsync();
        await NotifiedAsync(owner, NotificationKind.RequestReceived, CommunityUrls.For(c).Share(share));
    }

    [Fact]
    public async Task Kind_RequestAccepted()
    {
        var (c, owner, requester, share, request) = await RequestSetUpAsync();
        await Get<ShareService>().AcceptAsync(owner, request);
        await NotifiedAsync(requester, NotificationKind.RequestAccepted, CommunityUrls.For(c).Share(share));
    }

    [Fact]
    public async Task Kind_RequestRejected()
    {
        var (c, owner, requester, share, request) = await RequestSetUpAsync();
        await Get<ShareService>().RejectAsync(owner, request);
        await NotifiedAsync(requester, NotificationKind.RequestRejected, CommunityUrls.For(c).Share(share));
    }

    [Fact]
    public async Task Kind_RequestCancelled()
    {
        var (c, owner, requester, share, request) = await RequestSetUpAsync();
        await Get<ShareService>().CancelAsync(requester, request);
        await NotifiedAsync(owner, NotificationKind.RequestCancelled, CommunityUrls.For(c).Share(share));
    }

    [Fact]
    public async Task Kind_RequestFulfilled()
    {
        var (c, owner, requester, share, request) = await RequestSetUpAsync();
        await Get<ShareService>().AcceptAsync(owner, request);
        await Get<ShareService>().FulfilAsync(requester, request);
        await NotifiedAsync(owner, NotificationKind.RequestFulfilled, CommunityUrls.For(c).Share(share));
    }

    [Fact]
    public async Task Kind_RequestFailed()
    {
        var (c, owner, requester, share, request) = await RequestSetUpAsync();
        await Get<ShareService>().AcceptAsync(owner, request);
        await Get<ShareService>().FailAsync(requester, request);
        await NotifiedAsync(owner, NotificationKind.RequestFailed, CommunityUrls.For(c).Share(share));
    }

    [Fact]
    public async Task Kind_ShareExpired()
    {
        var (c, owner) = await fixture.CreateCommunityAsync();
        var now = DateTimeOffset.UtcNow;
        fixture.Clock.Set(now);
        try
        {
            var share = await Get<ShareService>().CreateAsync(owner, c, new ShareInput("Bread", null, WealthKind.Object, 2, ExpiresAt: now.UtcDateTime.AddDays(1)));
            fixture.Clock.Set(now.AddDays(2));
            (await Get<ShareService>().ExpireDueAsync()).ShouldBeGreaterThanOrEqualTo(1);
            await NotifiedAsync(owner, NotificationKind.ShareExpired, CommunityUrls.For(c).Share(share));
        }
        finally
        {
            fixture.Clock.Reset();
        }
    }

    [Fact]
    public async Task Kind_NeedMatched()
    {
        var (c, sharer) = await fixture.CreateCommunityAsync();
        var needy = await fixture.AddMemberAsync(c, score: 5);
        var carrots = await fixture.ItemIdAsync(c, "Carrots");
        await Get<NeedService>().CreateAsync(needy, c, new NeedInput(carrots, null, null, 2));
        var share = await Get<ShareService>().CreateAsync(sharer, c, new ShareInput("Carrots", null, WealthKind.Object, 5, ItemId: carrots));
        await NotifiedAsync(needy, NotificationKind.NeedMatched, CommunityUrls.For(c).Share(share));
    }

    [Fact]
    public async Task Kind_ShareCheckedOut()
    {
        var (c, owner) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(c, score: 5);
        var share = await Get<ShareService>().CreateAsync(owner, c, new ShareInput("Jam", null, WealthKind.Object, 10));
        var (_, token) = await Get<CheckoutService>().CreateAsync(owner, share, new CheckoutLinkInput(null, 3));
        await Get<CheckoutService>().CheckoutAsync(member, c, token, 2);
        await NotifiedAsync(owner, NotificationKind.ShareCheckedOut, CommunityUrls.For(c).Share(share));
    }

    // ---------------------------------------------------------------- councils and pools

    private sealed record CouncilSetup(Guid CommunityId, string Admin, string Manager, string Member, Guid CouncilId, Guid ItemId, Guid PoolId);

    private async Task<CouncilSetup> CouncilSetUpAsync()
    {
        var (c, admin) = await fixture.CreateCommunityAsync();
        var manager = await fixture.AddMemberAsync(c, score: 25);
        var member = await fixture.AddMemberAsync(c, score: 25);
        var council = await Get<CouncilService>().CreateAsync(manager, c, new CouncilInput("Food pantry", "Collects food and hands it out."));
        var item = await Get<CatalogService>().AddItemAsync(admin, c, "Rice (kg)", WealthKind.Object, null, null);
        var pool = await Get<PoolService>().CreateAsync(manager, council, new PoolInput("Rice pool", "Rice for families.", [item]));
        return new CouncilSetup(c, admin, manager, member, council, item, pool);
    }

    private async Task<Guid> ContributeAsync(CouncilSetup s, int units = 4)
    {
        var share = await Get<ShareService>().CreateAsync(s.Member, s.CommunityId, new ShareInput("Rice for the pool", null, WealthKind.Object, units, ItemId: s.ItemId,
            Target: ShareTarget.Pool, TargetId: s.PoolId));
        await using var db = await fixture.NewContextAsync();
        return await db.Contributions.Where(x => x.ShareId == share).Select(x => x.Id).SingleAsync();
    }

    [Fact]
    public async Task Kind_ContributionAwaiting()
    {
        var s = await CouncilSetUpAsync();
        await ContributeAsync(s);
        await NotifiedAsync(s.Manager, NotificationKind.ContributionAwaiting, CommunityUrls.For(s.CommunityId).Pool(s.PoolId));
    }

    [Fact]
    public async Task Kind_ContributionConfirmed()
    {
        var s = await CouncilSetUpAsync();
        await Get<CouncilService>().ConfirmContributionAsync(s.Manager, await ContributeAsync(s));
        await NotifiedAsync(s.Member, NotificationKind.ContributionConfirmed, CommunityUrls.For(s.CommunityId).Pool(s.PoolId));
    }

    [Fact]
    public async Task Kind_ContributionRejected()
    {
        var s = await CouncilSetUpAsync();
        await Get<CouncilService>().RejectContributionAsync(s.Manager, await ContributeAsync(s));
        await NotifiedAsync(s.Member, NotificationKind.ContributionRejected, CommunityUrls.For(s.CommunityId).Pool(s.PoolId));
    }

    [Fact]
    public async Task Kind_CouncilManagerAdded()
    {
        var s = await CouncilSetUpAsync();
        await Get<CouncilService>().AddManagerAsync(s.Manager, s.CouncilId, await UserNameAsync(s.Member));
        await NotifiedAsync(s.Member, NotificationKind.CouncilManagerAdded, CommunityUrls.For(s.CommunityId).Council(s.CouncilId));
    }

    [Fact]
    public async Task Kind_InitiativeCommented()
    {
        var s = await CouncilSetUpAsync();
        var initiative = await Get<InitiativeService>().CreateAsync(s.Manager, s.CouncilId, new InitiativeInput("Community fridge", "Put a fridge in the hall."));
        await Get<InitiativeService>().CommentAsync(s.Member, initiative, "Good idea");
        await NotifiedAsync(s.Manager, NotificationKind.InitiativeCommented, CommunityUrls.For(s.CommunityId).Initiative(s.CouncilId, initiative));
    }

    [Fact]
    public async Task Kind_PoolAllocated()
    {
        var s = await CouncilSetUpAsync();
        await Get<CouncilService>().ConfirmContributionAsync(s.Manager, await ContributeAsync(s, 6));
        var needy = await fixture.AddMemberAsync(s.CommunityId, score: 10);
        var need = await Get<NeedService>().CreateAsync(needy, s.CommunityId, new NeedInput(s.ItemId, null, null, 3));
        await Get<PoolService>().DistributeAsync(s.Manager, s.PoolId, s.ItemId, DistributionStrategy.Full);
        await NotifiedAsync(needy, NotificationKind.PoolAllocated, CommunityUrls.For(s.CommunityId).Need(need));
    }

    // ---------------------------------------------------------------- polls

    [Fact]
    public async Task Kind_PollCreated()
    {
        var (c, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(c);
        var poll = await Get<PollService>().CreateAsync(admin, c, new PollInput("Paint the hall?", null, ["Yes", "No"], DurationHours: 48));
        await NotifiedAsync(member, NotificationKind.PollCreated, CommunityUrls.For(c).Poll(poll));
    }

    [Fact]
    public async Task Kind_PollClosingSoon()
    {
        var (c, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(c);
        await using var app = new FakeClockServices(fixture);
        var poll = await app.Get<PollService>().CreateAsync(admin, c, new PollInput("Paint the hall?", null, ["Yes", "No"], DurationHours: 30));
        app.Clock.Advance(TimeSpan.FromHours(7));
        (await app.Get<PollService>().SendClosingSoonAsync(TestContext.Current.CancellationToken)).ShouldBeGreaterThanOrEqualTo(1);
        await NotifiedAsync(member, NotificationKind.PollClosingSoon, CommunityUrls.For(c).Poll(poll));
    }

    // ---------------------------------------------------------------- forum

    private sealed record ForumSetup(Guid CommunityId, string Admin, string Reviewer, string Author, Guid ThreadId, Guid ReplyId);

    /// <summary>The admin's thread and the author's reply (as in the moderation tests: default levels, a reviewer at 30).</summary>
    private async Task<ForumSetup> ForumSetUpAsync(string reply = "Buy cheap watches at example.org")
    {
        var (c, admin) = await fixture.CreateCommunityAsync();
        var reviewer = await fixture.AddMemberAsync(c, score: 30);
        var author = await fixture.AddMemberAsync(c, score: 10);
        var category = await Get<ForumService>().CreateCategoryAsync(admin, c, new CategoryInput("General", ""));
        var thread = await Get<ForumService>().CreateThreadAsync(admin, category, new ThreadInput("Tool library", "Who has a ladder?", ""));
        var replyId = await Get<ForumService>().ReplyAsync(author, thread, reply);
        return new ForumSetup(c, admin, reviewer, author, thread, replyId);
    }

    private async Task HideAsync(ForumSetup s)
    {
        for (var i = 0; i < 3; i++) await Get<ModerationService>().FlagAsync(await fixture.AddMemberAsync(s.CommunityId, score: 15), s.ReplyId, new FlagInput(FlagReason.Spam, null));
    }

    [Fact]
    public async Task Kind_ForumReplied()
    {
        var s = await ForumSetUpAsync();
        await NotifiedAsync(s.Admin, NotificationKind.ForumReplied, CommunityUrls.For(s.CommunityId).ForumPost(s.ThreadId, s.ReplyId));
    }

    [Fact]
    public async Task Kind_ForumMentioned()
    {
        var s = await ForumSetUpAsync();
        var mentioned = await fixture.AddMemberAsync(s.CommunityId);
        var post = await Get<ForumService>().ReplyAsync(s.Author, s.ThreadId, $"What do you think, @{await UserNameAsync(mentioned)}?");
        await NotifiedAsync(mentioned, NotificationKind.ForumMentioned, CommunityUrls.For(s.CommunityId).ForumPost(s.ThreadId, post));
    }

    [Fact]
    public async Task Kind_ForumPostHidden()
    {
        var s = await ForumSetUpAsync();
        await HideAsync(s);
        await NotifiedAsync(s.Author, NotificationKind.ForumPostHidden, CommunityUrls.For(s.CommunityId).ForumPost(s.ThreadId, s.ReplyId));
    }

    [Fact]
    public async Task Kind_ForumPostRestored()
    {
        var s = await ForumSetUpAsync();
        await HideAsync(s);
        await Get<ModerationService>().ReviewAsync(s.Reviewer, s.ReplyId, ReviewDecision.Disagree);
        await NotifiedAsync(s.Author, NotificationKind.ForumPostRestored, CommunityUrls.For(s.CommunityId).ForumPost(s.ThreadId, s.ReplyId));
    }

    [Fact]
    public async Task Kind_ForumFlagsAgreed()
    {
        var s = await ForumSetUpAsync();
        await HideAsync(s);
        await Get<ModerationService>().ReviewAsync(s.Reviewer, s.ReplyId, ReviewDecision.Agree);
        await NotifiedAsync(s.Author, NotificationKind.ForumFlagsAgreed, CommunityUrls.For(s.CommunityId).ForumPost(s.ThreadId, s.ReplyId));
    }

    // ---------------------------------------------------------------- disputes (docs/SPEC.md §12)

    private DisputeService Disputes => Get<DisputeService>();

    private async Task<(DisputeWorld World, Guid Id, string Link)> OpenDisputeAsync(bool failed = true)
    {
        var world = await DisputeWorld.CreateAsync(fixture, failed);
        var id = await Disputes.OpenForRequestAsync(world.Requester, world.RequestId, DisputeWorld.Input);
        return (world, id, CommunityUrls.For(world.CommunityId).Dispute(id));
    }

    private async Task<(DisputeWorld World, Guid Id, string Link, Guid MediatorId)> OfferedAsync()
    {
        var (world, id, link) = await OpenDisputeAsync();
        await Disputes.OfferToMediateAsync(world.Handler, id);
        return (world, id, link, (await Disputes.GetAsync(world.Requester, id)).Mediators.Single().Id);
    }

    private async Task<(DisputeWorld World, Guid Id, string Link)> InMediationAsync()
    {
        var (world, id, link, mediator) = await OfferedAsync();
        await Disputes.AnswerMediatorAsync(world.Requester, mediator, true);
        await Disputes.AnswerMediatorAsync(world.Owner, mediator, true);
        return (world, id, link);
    }

    [Fact]
    public async Task Kind_DisputeOpened()
    {
        var (world, _, link) = await OpenDisputeAsync();
        await NotifiedAsync(world.Owner, NotificationKind.DisputeOpened, link);
    }

    [Fact]
    public async Task Kind_DisputeMediatorOffered()
    {
        var (world, _, link, _) = await OfferedAsync();
        await NotifiedAsync(world.Requester, NotificationKind.DisputeMediatorOffered, link);
    }

    [Fact]
    public async Task Kind_DisputeMediatorRejected()
    {
        var (world, _, link, mediator) = await OfferedAsync();
        await Disputes.AnswerMediatorAsync(world.Owner, mediator, false);
        await NotifiedAsync(world.Handler, NotificationKind.DisputeMediatorRejected, link);
    }

    [Fact]
    public async Task Kind_DisputeMediatorAccepted()
    {
        var (world, _, link) = await InMediationAsync();
        await NotifiedAsync(world.Handler, NotificationKind.DisputeMediatorAccepted, link);
    }

    [Fact]
    public async Task Kind_DisputeMessage()
    {
        var (world, id, link) = await OpenDisputeAsync();
        await Disputes.PostMessageAsync(world.Requester, id, "Nobody came on Sunday.");
        await NotifiedAsync(world.Owner, NotificationKind.DisputeMessage, link);
    }

    [Fact]
    public async Task Kind_DisputeEvidenceAdded()
    {
        var (world, id, link) = await OpenDisputeAsync();
        await Disputes.AddImageAsync(world.Requester, id, new MemoryStream([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]));
        await NotifiedAsync(world.Owner, NotificationKind.DisputeEvidenceAdded, link);
    }

    [Fact]
    public async Task Kind_DisputeResolved()
    {
        var (world, id, link) = await InMediationAsync();
        await Disputes.ResolveAsync(world.Handler, id, "The mower comes next Sunday.", isPublic: false);
        await NotifiedAsync(world.Requester, NotificationKind.DisputeResolved, link);
    }

    [Fact]
    public async Task Kind_DisputeClosed()
    {
        var (world, id, link) = await OpenDisputeAsync();
        await Disputes.WithdrawAsync(world.Requester, id);
        await NotifiedAsync(world.Owner, NotificationKind.DisputeClosed, link);
    }

    [Fact]
    public async Task Kind_DisputeMediationQuiet()
    {
        var now = DateTimeOffset.UtcNow;
        fixture.Clock.Set(now);
        try
        {
            var (world, _, link) = await InMediationAsync();
            fixture.Clock.Set(now.AddDays(31));
            (await Disputes.RemindQuietMediationsAsync()).ShouldBeGreaterThanOrEqualTo(1);
            await NotifiedAsync(world.Handler, NotificationKind.DisputeMediationQuiet, link);
        }
        finally
        {
            fixture.Clock.Reset();
        }
    }

    [Fact]
    public async Task Kind_RequestConfirmDue()
    {
        var now = DateTimeOffset.UtcNow;
        fixture.Clock.Set(now);
        try
        {
            var world = await DisputeWorld.CreateAsync(fixture, failed: false);
            fixture.Clock.Set(now.AddDays(15));
            (await Disputes.AskToConfirmDueAsync()).ShouldBeGreaterThanOrEqualTo(1);
            await NotifiedAsync(world.Requester, NotificationKind.RequestConfirmDue, CommunityUrls.For(world.CommunityId).Share(world.ShareId));
        }
        finally
        {
            fixture.Clock.Reset();
        }
    }

    // ---------------------------------------------------------------- skills and recognition (docs/SPEC.md §17, §18)

    [Fact]
    public async Task Kind_SkillEndorsed()
    {
        var (c, _) = await fixture.CreateCommunityAsync();
        var holder = await fixture.AddMemberAsync(c);
        var endorser = await fixture.AddMemberAsync(c, score: 10);
        var skill = await Get<SkillService>().AddAsync(holder, "Carpentry");
        await Get<SkillService>().EndorseAsync(endorser, c, skill);
        await NotifiedAsync(holder, NotificationKind.SkillEndorsed, CommunityUrls.For(c).Skills);
    }

    [Fact]
    public async Task Kind_RecognitionReceived()
    {
        var (c, _) = await fixture.CreateCommunityAsync();
        var giver = await fixture.AddMemberAsync(c, score: 10);
        var receiver = await fixture.AddMemberAsync(c);
        await Get<RecognitionService>().GrantAsync(giver, c, receiver, 2, "Looked after the seedlings");
        await NotifiedAsync(receiver, NotificationKind.RecognitionReceived, CommunityUrls.For(c).Recognition);
    }
}
