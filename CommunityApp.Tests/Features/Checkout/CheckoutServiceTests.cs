using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Events;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Checkout;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Checkout;

/// <summary>Checkout links (docs/SPEC.md §19) on PostgreSQL: every rule, every refusal and its reason, nothing saved behind one.</summary>
public sealed class CheckoutServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private CheckoutService Service => fixture.Get<CheckoutService>();
    private ShareService Shares => fixture.Get<ShareService>();

    private async Task<(Guid CommunityId, string Owner, Guid ShareId)> ShareAsync(int units = 10, int? maxPerMember = null, int? minTrust = null, DateTime? expiresAt = null)
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var shareId = await Shares.CreateAsync(owner, communityId, new ShareInput("Apricot jam", "370 g jars", WealthKind.Object, units, maxPerMember, expiresAt, minTrust));
        return (communityId, owner, shareId);
    }

    private async Task<Share> LoadShareAsync(Guid shareId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Shares.AsNoTracking().SingleAsync(s => s.Id == shareId);
    }

    /// <summary>Rows a checkout writes, to show a refusal wrote none.</summary>
    private async Task<(int Requests, int Checkouts, int Given, int LinkUnits, int LinkCount)> RowsAsync(Guid shareId)
    {
        await using var db = await fixture.NewContextAsync();
        var link = await db.CheckoutLinks.Where(l => l.ShareId == shareId).GroupBy(l => 1)
            .Select(g => new { Units = g.Sum(l => l.UnitsGiven), Count = g.Sum(l => l.CheckoutCount) }).SingleOrDefaultAsync();
        return (await db.ShareRequests.CountAsync(r => r.ShareId == shareId),
            await db.Checkouts.CountAsync(c => db.CheckoutLinks.Any(l => l.Id == c.LinkId && l.ShareId == shareId)),
            (await LoadShareAsync(shareId)).UnitsGiven, link?.Units ?? 0, link?.Count ?? 0);
    }

    [Fact]
    public async Task A_link_has_a_short_unguessable_token_and_an_absolute_url_on_the_public_base()
    {
        var (communityId, owner, shareId) = await ShareAsync();

        var (linkId, token) = await Service.CreateAsync(owner, shareId, new CheckoutLinkInput("  Saturday market  ", 3));
        var (_, other) = await Service.CreateAsync(owner, shareId, new CheckoutLinkInput());

        token.Length.ShouldBe(22, "128 random bits in base64url");
        token.ShouldMatch("^[A-Za-z0-9_-]{22}$");
        other.ShouldNotBe(token);
        var row = (await Service.ListAsync(owner, shareId)).Items.Single(l => l.Id == linkId);
        row.Title.ShouldBe("Saturday market");
        row.CapPerCheckout.ShouldBe(3);
        row.Url.ShouldBe($"{ServiceFixture.PublicBaseUrl}c/{communityId}/checkout/{token}");
        await using var db = await fixture.NewContextAsync();
        (await db.AuditLog.SingleAsync(a => a.CommunityId == communityId && a.Action == AuditAction.CheckoutLinkCreated && a.Details.Contains(linkId.ToString())))
            .ActorId.ShouldBe(owner);
    }

    [Fact]
    public async Task A_checkout_records_a_fulfilled_request_gives_the_units_counts_the_link_and_tells_the_owner()
    {
        var (communityId, owner, shareId) = await ShareAsync(units: 10);
        var member = await fixture.AddMemberAsync(communityId, score: 5);
        var (linkId, token) = await Service.CreateAsync(owner, shareId, new CheckoutLinkInput(null, 3));
        var hub = (InMemoryEventHub)fixture.Get<IEventHub>();
        var changed = new TaskCompletionSource();
        using var subscription = hub.Subscribe<CheckoutsChanged>(e => { if (e.SourceId == shareId) changed.TrySetResult(); return Task.CompletedTask; });

        var requestId = await Service.CheckoutAsync(member, communityId, token, 2);

        await changed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await using var db = await fixture.NewContextAsync();
        var request = await db.ShareRequests.SingleAsync(r => r.Id == requestId);
        request.ShouldSatisfyAllConditions(r => r.Status.ShouldBe(RequestStatus.Fulfilled), r => r.Units.ShouldBe(2), r => r.RequesterId.ShouldBe(member));
        (await LoadShareAsync(shareId)).ShouldSatisfyAllConditions(s => s.UnitsGiven.ShouldBe(2), s => s.UnitsReserved.ShouldBe(0), s => s.Status.ShouldBe(ShareStatus.Active));
        (await db.Checkouts.SingleAsync(c => c.LinkId == linkId)).ShouldSatisfyAllConditions(c => c.RequestId.ShouldBe(requestId), c => c.Units.ShouldBe(2), c => c.UserId.ShouldBe(member));
        (await db.Notifications.SingleAsync(n => n.UserId == owner && n.Kind == NotificationKind.ShareCheckedOut)).Subject.ShouldBe("Apricot jam");
        var link = (await Service.ListAsync(owner, shareId)).Items.Single();
        (link.UnitsGiven, link.CheckoutCount).ShouldBe((2, 1));
        var checkouts = await Service.CheckoutsAsync(owner, linkId);
        checkouts.Items.ShouldHaveSingleItem().ShouldSatisfyAllConditions(c => c.Units.ShouldBe(2), c => c.UserName.ShouldStartWith("Display "));
        var view = await Service.GetAsync(member, communityId, token);
        (view.State, view.UnitsLeft, view.MaxPerCheckout).ShouldBe((CheckoutLinkState.Open, 8, 3));
    }

    [Fact]
    public async Task The_last_unit_fulfils_the_share_and_the_link_then_says_all_gone()
    {
        var (communityId, owner, shareId) = await ShareAsync(units: 3);
        var member = await fixture.AddMemberAsync(communityId, score: 5);
        var (_, token) = await Service.CreateAsync(owner, shareId, new CheckoutLinkInput());

        await Service.CheckoutAsync(member, communityId, token, 3);

        (await LoadShareAsync(shareId)).Status.ShouldBe(ShareStatus.Fulfilled);
        var view = await Service.GetAsync(member, communityId, token);
        (view.State, view.UnitsLeft).ShouldBe((CheckoutLinkState.AllGone, 0));
        (await Should.ThrowAsync<AppException>(() => Service.CheckoutAsync(member, communityId, token, 1))).Message.ShouldBe("All gone: nothing is left of this share.");
        (await RowsAsync(shareId)).ShouldBe((1, 1, 3, 3, 1));
    }

    [Fact]
    public async Task Units_reserved_by_accepted_requests_are_not_left_for_checkouts()
    {
        var (communityId, owner, shareId) = await ShareAsync(units: 4);
        var requester = await fixture.AddMemberAsync(communityId, score: 10);
        var member = await fixture.AddMemberAsync(communityId, score: 5);
        await Shares.AcceptAsync(owner, await Shares.RequestAsync(requester, shareId, 3, null));
        var (_, token) = await Service.CreateAsync(owner, shareId, new CheckoutLinkInput());

        var refusal = await Should.ThrowAsync<ValidationFailedException>(() => Service.CheckoutAsync(member, communityId, token, 2));

        refusal.Errors["units"].ShouldBe("Not enough left: only 1 left.");
        (await RowsAsync(shareId)).ShouldBe((1, 0, 0, 0, 0));
        await Service.CheckoutAsync(member, communityId, token, 1);
        (await Service.GetAsync(member, communityId, token)).State.ShouldBe(CheckoutLinkState.AllGone);
    }

    [Theory]
    [InlineData(0, "Take from 1 to 3.")]
    [InlineData(-1, "Take from 1 to 3.")]
    [InlineData(4, "Take from 1 to 3.")]
    [InlineData(int.MaxValue, "Take from 1 to 3.")]
    public async Task An_amount_outside_one_and_the_cap_is_a_field_message_and_nothing_is_saved(int units, string message)
    {
        var (communityId, owner, shareId) = await ShareAsync(units: 10);
        var member = await fixture.AddMemberAsync(communityId, score: 5);
        var (_, token) = await Service.CreateAsync(owner, shareId, new CheckoutLinkInput(null, 3));

        var refusal = await Should.ThrowAsync<ValidationFailedException>(() => Service.CheckoutAsync(member, communityId, token, units));

        refusal.Errors.ShouldBe(new Dictionary<string, string> { ["units"] = message });
        (await RowsAsync(shareId)).ShouldBe((0, 0, 0, 0, 0));
    }

    [Fact]
    public async Task The_shares_own_per_member_cap_also_caps_one_checkout()
    {
        var (communityId, owner, shareId) = await ShareAsync(units: 10, maxPerMember: 2);
        var member = await fixture.AddMemberAsync(communityId, score: 5);
        var (_, token) = await Service.CreateAsync(owner, shareId, new CheckoutLinkInput(null, 5));

        (await Should.ThrowAsync<ValidationFailedException>(() => Service.CheckoutAsync(member, communityId, token, 3))).Errors["units"].ShouldBe("Take from 1 to 2.");
        (await Service.GetAsync(member, communityId, token)).MaxPerCheckout.ShouldBe(2);
    }

    [Fact]
    public async Task Below_the_checkout_threshold_the_refusal_says_why_and_the_page_view_says_the_same()
    {
        var (communityId, owner, shareId) = await ShareAsync();
        var member = await fixture.AddMemberAsync(communityId, score: 4);
        var (_, token) = await Service.CreateAsync(owner, shareId, new CheckoutLinkInput());

        var refusal = await Should.ThrowAsync<ForbiddenException>(() => Service.CheckoutAsync(member, communityId, token, 1));

        refusal.Message.ShouldBe("You need 5 trust to use checkout links; you have 4.");
        var check = (await Service.GetAsync(member, communityId, token)).Check;
        (check.Allowed, check.Reason, check.Describe()).ShouldBe((false, PermissionReason.BelowThreshold, "Needs 5 trust, you have 4"));
        (await RowsAsync(shareId)).ShouldBe((0, 0, 0, 0, 0));
        await fixture.SetScoreAsync(communityId, member, 5);
        await Service.CheckoutAsync(member, communityId, token, 1);
    }

    [Fact]
    public async Task The_shares_own_trust_cap_applies_to_checkouts_and_admins_pass_it()
    {
        var (communityId, owner, shareId) = await ShareAsync(minTrust: 20);
        var member = await fixture.AddMemberAsync(communityId, score: 10);
        var admin = await fixture.AddMemberAsync(communityId, MemberRole.Admin);
        var (_, token) = await Service.CreateAsync(owner, shareId, new CheckoutLinkInput());

        (await Should.ThrowAsync<ForbiddenException>(() => Service.CheckoutAsync(member, communityId, token, 1))).Message.ShouldBe("This share asks for 20 trust; you have 10.");
        await Service.CheckoutAsync(admin, communityId, token, 1);
        (await RowsAsync(shareId)).ShouldBe((1, 1, 1, 1, 1));
    }

    [Fact]
    public async Task Outsiders_owners_and_wrong_tokens_are_refused_with_their_reason()
    {
        var (communityId, owner, shareId) = await ShareAsync();
        var outsider = await fixture.CreateUserAsync();
        var (otherCommunity, otherAdmin) = await fixture.CreateCommunityAsync();
        var (_, token) = await Service.CreateAsync(owner, shareId, new CheckoutLinkInput());

        (await Should.ThrowAsync<ForbiddenException>(() => Service.CheckoutAsync(outsider, communityId, token, 1))).Message.ShouldBe("You are not a member of this community.");
        (await Should.ThrowAsync<ForbiddenException>(() => Service.GetAsync(outsider, communityId, token))).Message.ShouldBe("You are not a member of this community.");
        (await Should.ThrowAsync<AppException>(() => Service.CheckoutAsync(owner, communityId, token, 1))).Message.ShouldBe("You cannot check out your own share.");
        (await Service.GetAsync(owner, communityId, token)).IsOwner.ShouldBeTrue();
        // The token of one community opens nothing in another, and a guessed token opens nothing at all.
        (await Should.ThrowAsync<NotFoundException>(() => Service.CheckoutAsync(otherAdmin, otherCommunity, token, 1))).Message.ShouldBe("This checkout link does not exist.");
        var member = await fixture.AddMemberAsync(communityId, score: 5);
        foreach (var guess in new[] { "", "AAAAAAAAAAAAAAAAAAAAAA", token + "x", new string('a', 5000), "a\0b" })
            await Should.ThrowAsync<NotFoundException>(() => Service.CheckoutAsync(member, communityId, guess, 1));
        (await RowsAsync(shareId)).ShouldBe((0, 0, 0, 0, 0));
    }

    [Fact]
    public async Task Only_the_owner_of_an_active_share_creates_links_and_bad_input_is_a_field_message()
    {
        var (communityId, owner, shareId) = await ShareAsync();
        var member = await fixture.AddMemberAsync(communityId, score: 50);

        (await Should.ThrowAsync<ForbiddenException>(() => Service.CreateAsync(member, shareId, new CheckoutLinkInput()))).Message.ShouldBe("Only the share's owner can do this.");
        (await Should.ThrowAsync<ForbiddenException>(() => Service.ListAsync(member, shareId))).Message.ShouldBe("Only the share's owner can do this.");
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.CreateAsync(owner, shareId, new CheckoutLinkInput(new string('x', 101)))))
            .Errors.ShouldBe(new Dictionary<string, string> { ["title"] = "Use at most 100 characters." });
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.CreateAsync(owner, shareId, new CheckoutLinkInput("ok", 0))))
            .Errors.Keys.ShouldBe(["cap"]);
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.CreateAsync(owner, shareId, new CheckoutLinkInput("bad\0", null))))
            .Errors.Keys.ShouldBe(["title"]);
        await Shares.CancelShareAsync(owner, shareId);
        (await Should.ThrowAsync<AppException>(() => Service.CreateAsync(owner, shareId, new CheckoutLinkInput()))).Message.ShouldBe("This share is cancelled and takes no requests.");
        await using var db = await fixture.NewContextAsync();
        (await db.CheckoutLinks.CountAsync(l => l.ShareId == shareId)).ShouldBe(0);
    }

    [Fact]
    public async Task A_share_keeps_at_most_twenty_open_links()
    {
        var (_, owner, shareId) = await ShareAsync();
        Guid first = default;
        for (var i = 0; i < CheckoutLink.MaxOpenPerSource; i++)
        {
            var (id, _) = await Service.CreateAsync(owner, shareId, new CheckoutLinkInput($"Link {i}"));
            if (i == 0) first = id;
        }

        (await Should.ThrowAsync<AppException>(() => Service.CreateAsync(owner, shareId, new CheckoutLinkInput()))).Message
            .ShouldBe("A share may have at most 20 open checkout links; revoke one first.");
        await Service.RevokeAsync(owner, first);
        await Service.CreateAsync(owner, shareId, new CheckoutLinkInput());
        (await Service.ListAsync(owner, shareId, pageSize: 5)).ShouldSatisfyAllConditions(p => p.Total.ShouldBe(21), p => p.Items.Count.ShouldBe(5));
    }

    [Fact]
    public async Task Revoking_is_audited_stops_the_link_and_says_so_and_happens_once()
    {
        var (communityId, owner, shareId) = await ShareAsync();
        var member = await fixture.AddMemberAsync(communityId, score: 5);
        var (linkId, token) = await Service.CreateAsync(owner, shareId, new CheckoutLinkInput("Market"));
        await Service.CheckoutAsync(member, communityId, token, 1);

        (await Should.ThrowAsync<ForbiddenException>(() => Service.RevokeAsync(member, linkId))).Message.ShouldBe("Only the share's owner can do this.");
        await Service.RevokeAsync(owner, linkId);

        (await Service.GetAsync(member, communityId, token)).State.ShouldBe(CheckoutLinkState.Revoked);
        (await Should.ThrowAsync<AppException>(() => Service.CheckoutAsync(member, communityId, token, 1))).Message.ShouldBe("This checkout link was revoked by its owner.");
        (await Should.ThrowAsync<AppException>(() => Service.RevokeAsync(owner, linkId))).Message.ShouldBe("This link is already revoked.");
        (await RowsAsync(shareId)).ShouldBe((1, 1, 1, 1, 1));
        (await Service.ListAsync(owner, shareId)).Items.Single().RevokedAt.ShouldNotBeNull();
        await using var db = await fixture.NewContextAsync();
        var audit = await db.AuditLog.SingleAsync(a => a.CommunityId == communityId && a.Action == AuditAction.CheckoutLinkRevoked);
        audit.ActorId.ShouldBe(owner);
        audit.Details.ShouldContain(linkId.ToString());
        audit.Details.ShouldContain("\"unitsGiven\":1");
    }

    [Fact]
    public async Task A_link_stops_when_its_share_is_cancelled_or_expires()
    {
        var (communityId, owner, shareId) = await ShareAsync();
        var member = await fixture.AddMemberAsync(communityId, score: 5);
        var (_, token) = await Service.CreateAsync(owner, shareId, new CheckoutLinkInput());
        await Shares.CancelShareAsync(owner, shareId);

        (await Service.GetAsync(member, communityId, token)).State.ShouldBe(CheckoutLinkState.Closed);
        (await Should.ThrowAsync<AppException>(() => Service.CheckoutAsync(member, communityId, token, 1))).Message.ShouldBe("This share is cancelled: the link no longer works.");

        var expiring = await Shares.CreateAsync(owner, communityId, new ShareInput("Plums", null, WealthKind.Object, 5, ExpiresAt: fixture.Clock.GetUtcNow().UtcDateTime.AddHours(1)));
        var (_, plums) = await Service.CreateAsync(owner, expiring, new CheckoutLinkInput());
        fixture.Clock.Advance(TimeSpan.FromHours(2));
        try
        {
            // Expired before the expiry job marks it: the link stops at once.
            (await Service.GetAsync(member, communityId, plums)).State.ShouldBe(CheckoutLinkState.Closed);
            (await Should.ThrowAsync<AppException>(() => Service.CheckoutAsync(member, communityId, plums, 1))).Message.ShouldBe("This share is expired: the link no longer works.");
        }
        finally
        {
            fixture.Clock.Reset();
        }
        (await RowsAsync(expiring)).ShouldBe((0, 0, 0, 0, 0));
    }

    [Fact]
    public async Task A_hundred_parallel_checkouts_against_thirty_units_give_exactly_thirty()
    {
        var (communityId, owner, shareId) = await ShareAsync(units: 30);
        var (linkId, token) = await Service.CreateAsync(owner, shareId, new CheckoutLinkInput(null, 1));
        var members = new List<string>();
        for (var i = 0; i < 100; i++) members.Add(await fixture.AddMemberAsync(communityId, score: 5));

        var refusals = new System.Collections.Concurrent.ConcurrentBag<AppException>();
        var outcomes = await Task.WhenAll(members.Select(member => Task.Run(async () =>
        {
            try
            {
                await Service.CheckoutAsync(member, communityId, token, 1);
                return true;
            }
            catch (AppException ex)
            {
                refusals.Add(ex);
                return false;
            }
        })));

        outcomes.Count(won => won).ShouldBe(30);
        refusals.Count.ShouldBe(70);
        refusals.ShouldAllBe(r => r.Message.StartsWith("Not enough left") || r.Message == "All gone: nothing is left of this share.");
        refusals.ShouldContain(r => r.Message.StartsWith("Not enough left"), "a refusal racing the last units says there are not enough left");
        var share = await LoadShareAsync(shareId);
        (share.UnitsGiven, share.Status).ShouldBe((30, ShareStatus.Fulfilled));
        await using var db = await fixture.NewContextAsync();
        (await db.ShareRequests.Where(r => r.ShareId == shareId && r.Status == RequestStatus.Fulfilled).SumAsync(r => r.Units)).ShouldBe(30);
        (await db.ShareRequests.CountAsync(r => r.ShareId == shareId)).ShouldBe(30);
        (await db.Checkouts.Where(c => c.LinkId == linkId).SumAsync(c => c.Units)).ShouldBe(30);
        (await db.Checkouts.Where(c => c.LinkId == linkId).Select(c => c.UserId).Distinct().CountAsync()).ShouldBe(30);
        var link = await db.CheckoutLinks.SingleAsync(l => l.Id == linkId);
        (link.UnitsGiven, link.CheckoutCount).ShouldBe((30, 30));
    }

    [Fact]
    public async Task Parallel_checkouts_through_two_links_and_an_accept_never_give_more_than_offered()
    {
        var (communityId, owner, shareId) = await ShareAsync(units: 12);
        var requester = await fixture.AddMemberAsync(communityId, score: 10);
        var pending = await Shares.RequestAsync(requester, shareId, 4, null);
        var (_, first) = await Service.CreateAsync(owner, shareId, new CheckoutLinkInput(null, 3));
        var (_, second) = await Service.CreateAsync(owner, shareId, new CheckoutLinkInput(null, 2));
        var members = new List<string>();
        for (var i = 0; i < 12; i++) members.Add(await fixture.AddMemberAsync(communityId, score: 5));

        await Task.WhenAll(members.Select((m, i) => Race.Attempt(() => Service.CheckoutAsync(m, communityId, i % 2 == 0 ? first : second, i % 2 == 0 ? 3 : 2)))
            .Append(Race.Attempt(() => Shares.AcceptAsync(owner, pending))));

        var share = await LoadShareAsync(shareId);
        (share.UnitsReserved + share.UnitsGiven).ShouldBeLessThanOrEqualTo(12);
        await using var db = await fixture.NewContextAsync();
        var fulfilled = await db.ShareRequests.Where(r => r.ShareId == shareId && r.Status == RequestStatus.Fulfilled).SumAsync(r => r.Units);
        fulfilled.ShouldBe(share.UnitsGiven);
        (await db.CheckoutLinks.Where(l => l.ShareId == shareId).SumAsync(l => l.UnitsGiven)).ShouldBe(share.UnitsGiven);
        var accepted = await db.ShareRequests.Where(r => r.Id == pending).Select(r => r.Status).SingleAsync() == RequestStatus.Accepted;
        share.UnitsReserved.ShouldBe(accepted ? 4 : 0);
    }
}
