using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Needs;

/// <summary>The rules of docs/SPEC.md §8 on PostgreSQL: publishing, refusals, the community view, matching shares, fulfilling.</summary>
public sealed class NeedServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private NeedService Service => fixture.Get<NeedService>();
    private NeedQueries Queries => fixture.Get<NeedQueries>();

    private async Task<(Guid CommunityId, string Admin, Guid Carrots)> CommunityWithItemAsync()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        // Carrots are a starter item: every new community has them (docs/SPEC.md §5.1).
        return (communityId, admin, await fixture.ItemIdAsync(communityId, "Carrots"));
    }

    private async Task<Need> LoadAsync(Guid needId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Needs.AsNoTracking().SingleAsync(n => n.Id == needId);
    }

    private async Task<int> NeedCountAsync(Guid communityId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Needs.CountAsync(n => n.CommunityId == communityId);
    }

    [Fact]
    public async Task A_member_with_the_needs_permission_publishes_a_need_for_an_item_or_a_title()
    {
        var (communityId, _, carrots) = await CommunityWithItemAsync();
        var ana = await fixture.AddMemberAsync(communityId, score: 5);
        var now = DateTime.UtcNow;

        var weekly = await Service.CreateAsync(ana, communityId, new NeedInput(carrots, null, "  For the soup  ", 5, NeedPriority.Need, NeedRecurrence.Weekly));
        var once = await Service.CreateAsync(ana, communityId, new NeedInput(null, "  Moving boxes ", null, 10, NeedPriority.Want));

        var need = await LoadAsync(weekly);
        need.ShouldSatisfyAllConditions(
            n => n.ItemId.ShouldBe(carrots), n => n.Title.ShouldBeNull(), n => n.Description.ShouldBe("For the soup"), n => n.Units.ShouldBe(5),
            n => n.Status.ShouldBe(NeedStatus.Active), n => n.OwnerId.ShouldBe(ana), n => n.CreatedBy.ShouldBe(ana),
            n => n.PeriodStart.ShouldBeInRange(now.AddMinutes(-1), now.AddMinutes(1)), n => n.PeriodEnd.ShouldBe(n.PeriodStart.AddDays(7)));
        var oneTime = await LoadAsync(once);
        oneTime.ShouldSatisfyAllConditions(n => n.Title.ShouldBe("Moving boxes"), n => n.Priority.ShouldBe(NeedPriority.Want), n => n.PeriodEnd.ShouldBeNull());
        var detail = await Queries.GetAsync(ana, communityId, weekly);
        detail.Need.Name.ShouldBe("Carrots");
        detail.IsOwner.ShouldBeTrue();
    }

    [Fact]
    public async Task Publishing_below_the_threshold_is_refused_with_the_reason_and_nothing_is_saved()
    {
        var (communityId, _, carrots) = await CommunityWithItemAsync();
        var low = await fixture.AddMemberAsync(communityId, score: 4);
        var outsider = await fixture.CreateUserAsync();
        var granted = await fixture.AddMemberAsync(communityId, score: 0, featureRoles: FeatureRole.NeedsPublisher);

        (await Should.ThrowAsync<ForbiddenException>(() => Service.CreateAsync(low, communityId, new NeedInput(carrots, null, null, 1))))
            .Message.ShouldBe("You need 5 trust to publish needs; you have 4.");
        await Should.ThrowAsync<ForbiddenException>(() => Service.CreateAsync(outsider, communityId, new NeedInput(carrots, null, null, 1)));
        (await NeedCountAsync(communityId)).ShouldBe(0);

        // The feature role grants it whatever the score.
        await Service.CreateAsync(granted, communityId, new NeedInput(carrots, null, null, 1));
        (await NeedCountAsync(communityId)).ShouldBe(1);
    }

    [Fact]
    public async Task Bad_input_is_refused_field_by_field_and_nothing_is_saved()
    {
        var (communityId, admin, _) = await CommunityWithItemAsync();
        var (otherCommunity, otherAdmin) = await fixture.CreateCommunityAsync("Elsewhere");
        var foreignItem = await fixture.Get<CatalogService>().AddItemAsync(otherAdmin, otherCommunity, "Leeks", WealthKind.Object, null, null);

        var none = await Should.ThrowAsync<ValidationFailedException>(() => Service.CreateAsync(admin, communityId, new NeedInput(null, "   ", null, 0)));
        none.Errors.Keys.ShouldBe(["title", "units"], ignoreOrder: true);
        none.Errors["title"].ShouldBe("Give a title, or choose an item.");
        none.Errors["units"].ShouldBe("Between 1 and 100000 units.");

        var wild = await Should.ThrowAsync<ValidationFailedException>(() => Service.CreateAsync(admin, communityId,
            new NeedInput(foreignItem, new string('x', 201), "bad\0text", 100_001, (NeedPriority)7, (NeedRecurrence)9)));
        wild.Errors.Keys.ShouldBe(["itemId", "title", "description", "units", "priority", "recurrence"], ignoreOrder: true);
        wild.Errors["itemId"].ShouldBe("That item or category is not in this community's catalogue.");
        wild.Errors["title"].ShouldBe("Use at most 200 characters.");

        (await Should.ThrowAsync<ValidationFailedException>(() => Service.CreateAsync(admin, communityId, new NeedInput(null, "Pears\uD800", null, 1))))
            .Errors.Keys.ShouldBe(["title"]);
        (await NeedCountAsync(communityId)).ShouldBe(0);

        // The limits themselves are allowed.
        await Service.CreateAsync(admin, communityId, new NeedInput(null, new string('x', 200), new string('d', 2000), 100_000));
        await Service.CreateAsync(admin, communityId, new NeedInput(null, "One", null, 1));
        (await NeedCountAsync(communityId)).ShouldBe(2);
    }

    [Fact]
    public async Task Only_the_owner_edits_and_cancels_an_active_need_and_a_cancelled_one_stays_cancelled()
    {
        var (communityId, admin, carrots) = await CommunityWithItemAsync();
        var ana = await fixture.AddMemberAsync(communityId, score: 5);
        var needId = await Service.CreateAsync(ana, communityId, new NeedInput(null, "Eggs", null, 6, NeedPriority.Need, NeedRecurrence.Weekly));
        var before = await LoadAsync(needId);

        (await Should.ThrowAsync<ForbiddenException>(() => Service.UpdateAsync(admin, needId, new NeedInput(null, "Eggs", null, 60))))
            .Message.ShouldBe("Only the member who published this need can do that.");
        (await Should.ThrowAsync<ForbiddenException>(() => Service.CancelAsync(admin, needId))).Message.ShouldBe("Only the member who published this need can do that.");
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.UpdateAsync(ana, needId, new NeedInput(null, "", null, 6, NeedPriority.Need, NeedRecurrence.Weekly))))
            .Errors.Keys.ShouldBe(["title"]);
        (await LoadAsync(needId)).ShouldSatisfyAllConditions(n => n.Title.ShouldBe("Eggs"), n => n.Units.ShouldBe(6));

        // Same recurrence: the period stays; another recurrence starts a new one.
        await Service.UpdateAsync(ana, needId, new NeedInput(carrots, null, "Free range", 12, NeedPriority.Want, NeedRecurrence.Weekly));
        var edited = await LoadAsync(needId);
        edited.ShouldSatisfyAllConditions(n => n.ItemId.ShouldBe(carrots), n => n.Units.ShouldBe(12), n => n.Priority.ShouldBe(NeedPriority.Want),
            n => n.PeriodStart.ShouldBe(before.PeriodStart, TimeSpan.FromMilliseconds(1)));
        fixture.Clock.Set(DateTimeOffset.UtcNow.AddDays(2));
        try
        {
            await Service.UpdateAsync(ana, needId, new NeedInput(carrots, null, null, 12, NeedPriority.Want, NeedRecurrence.Monthly));
            var monthly = await LoadAsync(needId);
            monthly.PeriodStart.ShouldBeGreaterThan(before.PeriodStart.AddDays(1));
            monthly.PeriodEnd.ShouldBe(monthly.PeriodStart.AddMonths(1));
        }
        finally
        {
            fixture.Clock.Reset();
        }

        await Service.CancelAsync(ana, needId);
        (await LoadAsync(needId)).Status.ShouldBe(NeedStatus.Cancelled);
        (await Should.ThrowAsync<AppException>(() => Service.CancelAsync(ana, needId))).Message.ShouldBe("This need is cancelled.");
        (await Should.ThrowAsync<AppException>(() => Service.UpdateAsync(ana, needId, new NeedInput(carrots, null, null, 1)))).Message.ShouldBe("This need is cancelled.");
        (await Should.ThrowAsync<AppException>(() => Service.FulfilAsync(ana, needId))).Message.ShouldBe("This need is cancelled.");
    }

    [Fact]
    public async Task The_community_view_adds_up_active_needs_by_item_or_title_and_period_needs_and_wants_apart()
    {
        var (communityId, admin, carrots) = await CommunityWithItemAsync();
        var ana = await fixture.AddMemberAsync(communityId, score: 5, userId: await fixture.CreateUserAsync("ana" + Guid.NewGuid().ToString("N")[..6]));
        var ben = await fixture.AddMemberAsync(communityId, score: 5);
        await using (var db = await fixture.NewContextAsync())
        {
            await db.Users.Where(u => u.Id == ana).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, "Ana"));
            await db.Users.Where(u => u.Id == ben).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, "Ben"));
        }
        await Service.CreateAsync(ana, communityId, new NeedInput(carrots, null, null, 5, NeedPriority.Need, NeedRecurrence.Weekly));
        await Service.CreateAsync(ben, communityId, new NeedInput(carrots, null, null, 3, NeedPriority.Need, NeedRecurrence.Weekly));
        await Service.CreateAsync(ben, communityId, new NeedInput(carrots, "for the shop", null, 5, NeedPriority.Need, NeedRecurrence.Weekly));
        await Service.CreateAsync(ana, communityId, new NeedInput(carrots, null, null, 2, NeedPriority.Need, NeedRecurrence.Once));
        await Service.CreateAsync(ana, communityId, new NeedInput(null, "Jam jars", null, 4, NeedPriority.Need));
        await Service.CreateAsync(ben, communityId, new NeedInput(null, "jam JARS", null, 6, NeedPriority.Need));
        await Service.CreateAsync(ben, communityId, new NeedInput(carrots, null, null, 7, NeedPriority.Want, NeedRecurrence.Weekly));
        var cancelled = await Service.CreateAsync(admin, communityId, new NeedInput(carrots, null, null, 50, NeedPriority.Need, NeedRecurrence.Weekly));
        await Service.CancelAsync(admin, cancelled);
        var fulfilled = await Service.CreateAsync(admin, communityId, new NeedInput(null, "Jam jars", null, 50, NeedPriority.Need));
        await Service.FulfilAsync(admin, fulfilled);

        var needs = await Queries.AggregateAsync(ana, communityId, NeedPriority.Need, 0, 20);
        needs.Total.ShouldBe(3);
        needs.Items.Select(g => (g.Name, g.Recurrence, g.Units, g.People)).ShouldBe([
            ("Carrots", NeedRecurrence.Weekly, 13, 2),
            ("Jam jars", NeedRecurrence.Once, 10, 2),
            ("Carrots", NeedRecurrence.Once, 2, 1),
        ]);
        needs.Items[0].Contributions.Select(c => (c.OwnerName, c.Units)).ShouldBe([("Ana", 5), ("Ben", 8)]);
        needs.Items[1].Contributions.Select(c => (c.OwnerName, c.Units)).ShouldBe([("Ana", 4), ("Ben", 6)]);

        var wants = await Queries.AggregateAsync(ana, communityId, NeedPriority.Want, 0, 20);
        wants.Items.ShouldHaveSingleItem().ShouldSatisfyAllConditions(g => g.Units.ShouldBe(7), g => g.Contributions.ShouldHaveSingleItem().OwnerName.ShouldBe("Ben"));

        // Paged in the database: the second page of one group each.
        var second = await Queries.AggregateAsync(ana, communityId, NeedPriority.Need, 1, 1);
        second.ShouldSatisfyAllConditions(p => p.Total.ShouldBe(3), p => p.Items.ShouldHaveSingleItem().Name.ShouldBe("Jam jars"));
        var outsider = await fixture.CreateUserAsync();
        await Should.ThrowAsync<ForbiddenException>(() => Queries.AggregateAsync(outsider, communityId, NeedPriority.Need, 0, 20));

        var mine = await Queries.MineAsync(ben, communityId, null, 0, 20);
        mine.Total.ShouldBe(4);
        (await Queries.MineAsync(admin, communityId, NeedStatus.Cancelled, 0, 20)).Items.ShouldHaveSingleItem().Id.ShouldBe(cancelled);
    }

    [Fact]
    public async Task Sharing_an_item_tells_the_owners_of_active_needs_for_it_in_that_community_and_nobody_else()
    {
        var (communityId, admin, carrots) = await CommunityWithItemAsync();
        var beets = await fixture.Get<CatalogService>().AddItemAsync(admin, communityId, "Beets", WealthKind.Object, null, null);
        var ana = await fixture.AddMemberAsync(communityId, score: 5);
        var ben = await fixture.AddMemberAsync(communityId, score: 5);
        var cancelledOwner = await fixture.AddMemberAsync(communityId, score: 5);
        var fulfilledOwner = await fixture.AddMemberAsync(communityId, score: 5);
        var beetsOwner = await fixture.AddMemberAsync(communityId, score: 5);
        var sharer = await fixture.AddMemberAsync(communityId, score: 5);
        await Service.CreateAsync(ana, communityId, new NeedInput(carrots, null, null, 5, NeedPriority.Need, NeedRecurrence.Weekly));
        await Service.CreateAsync(ana, communityId, new NeedInput(carrots, null, null, 1, NeedPriority.Want));
        await Service.CreateAsync(ben, communityId, new NeedInput(carrots, null, null, 3, NeedPriority.Want));
        await Service.CreateAsync(sharer, communityId, new NeedInput(carrots, null, null, 3));
        await Service.CancelAsync(cancelledOwner, await Service.CreateAsync(cancelledOwner, communityId, new NeedInput(carrots, null, null, 3)));
        await Service.FulfilAsync(fulfilledOwner, await Service.CreateAsync(fulfilledOwner, communityId, new NeedInput(carrots, null, null, 3)));
        await Service.CreateAsync(beetsOwner, communityId, new NeedInput(beets, null, null, 3));
        await Service.CreateAsync(beetsOwner, communityId, new NeedInput(null, "Carrots", null, 3));

        var untitled = await fixture.Get<ShareService>().CreateAsync(sharer, communityId, new ShareInput("Carrots, no item", null, WealthKind.Object, 2));
        var shareId = await fixture.Get<ShareService>().CreateAsync(sharer, communityId, new ShareInput("Fresh carrots", null, WealthKind.Object, 10, ItemId: carrots));

        await using var db = await fixture.NewContextAsync();
        var notices = await db.Notifications.Where(n => n.Kind == NotificationKind.NeedMatched && n.CommunityId == communityId).AsNoTracking().ToListAsync();
        notices.Select(n => n.UserId).ShouldBe([ana, ben], ignoreOrder: true);
        var sharerName = await db.Users.Where(u => u.Id == sharer).Select(u => u.DisplayName).SingleAsync();
        notices.ShouldAllBe(n => n.Link == $"/c/{communityId}/shares/{shareId}" && n.Subject == "Fresh carrots" && n.Actor == sharerName && n.ReadAt == null);
        untitled.ShouldNotBe(shareId);
    }

    [Fact]
    public async Task A_share_in_another_community_tells_nobody_here()
    {
        var (communityId, _, carrots) = await CommunityWithItemAsync();
        var ana = await fixture.AddMemberAsync(communityId, score: 5);
        await Service.CreateAsync(ana, communityId, new NeedInput(carrots, null, null, 5));
        var (otherId, otherAdmin) = await fixture.CreateCommunityAsync("Other");
        var otherCarrots = await fixture.ItemIdAsync(otherId, "Carrots");
        await fixture.AddMemberAsync(otherId, userId: ana);

        await fixture.Get<ShareService>().CreateAsync(otherAdmin, otherId, new ShareInput("Carrots", null, WealthKind.Object, 1, ItemId: otherCarrots));

        await using var db = await fixture.NewContextAsync();
        (await db.Notifications.CountAsync(n => n.UserId == ana && n.Kind == NotificationKind.NeedMatched)).ShouldBe(0);
    }

    [Fact]
    public async Task Fulfilled_by_must_be_the_owners_own_fulfilled_request_in_the_same_community()
    {
        var (communityId, admin, carrots) = await CommunityWithItemAsync();
        var ana = await fixture.AddMemberAsync(communityId, score: 10);
        var ben = await fixture.AddMemberAsync(communityId, score: 10);
        var shares = fixture.Get<ShareService>();
        var shareId = await shares.CreateAsync(admin, communityId, new ShareInput("Carrots", null, WealthKind.Object, 10, ItemId: carrots));
        async Task<Guid> Request(string requester, bool fulfil)
        {
            var request = await shares.RequestAsync(requester, shareId, 1, null);
            await shares.AcceptAsync(admin, request);
            if (fulfil) await shares.FulfilAsync(requester, request);
            return request;
        }
        var anasFulfilled = await Request(ana, fulfil: true);
        var anasAccepted = await Request(ana, fulfil: false);
        var bensFulfilled = await Request(ben, fulfil: true);
        var (otherId, otherAdmin) = await fixture.CreateCommunityAsync("Other");
        await fixture.AddMemberAsync(otherId, score: 10, userId: ana);
        var otherShare = await shares.CreateAsync(otherAdmin, otherId, new ShareInput("Leeks", null, WealthKind.Object, 1));
        var elsewhere = await shares.RequestAsync(ana, otherShare, 1, null);
        await shares.AcceptAsync(otherAdmin, elsewhere);
        await shares.FulfilAsync(ana, elsewhere);
        var needId = await Service.CreateAsync(ana, communityId, new NeedInput(carrots, null, null, 1));

        foreach (var wrong in new[] { anasAccepted, bensFulfilled, elsewhere, Guid.NewGuid() })
        {
            (await Should.ThrowAsync<ValidationFailedException>(() => Service.FulfilAsync(ana, needId, wrong)))
                .Errors["fulfilledBy"].ShouldBe("Choose one of your own fulfilled requests in this community.");
            (await LoadAsync(needId)).Status.ShouldBe(NeedStatus.Active);
        }
        (await Should.ThrowAsync<ForbiddenException>(() => Service.FulfilAsync(ben, needId, bensFulfilled))).Message.ShouldBe("Only the member who published this need can do that.");
        (await Queries.FulfilledRequestsAsync(ana, communityId)).Select(o => o.RequestId).ShouldBe([anasFulfilled]);

        await Service.FulfilAsync(ana, needId, anasFulfilled);

        var need = await LoadAsync(needId);
        need.ShouldSatisfyAllConditions(n => n.Status.ShouldBe(NeedStatus.Fulfilled), n => n.FulfilledByRequestId.ShouldBe(anasFulfilled), n => n.FulfilledAt.ShouldNotBeNull());
        (await Queries.GetAsync(ben, communityId, needId)).FulfilledBy!.ShareTitle.ShouldBe("Carrots");
        (await Should.ThrowAsync<AppException>(() => Service.FulfilAsync(ana, needId))).Message.ShouldBe("This need is fulfilled.");
        (await Queries.AggregateAsync(ana, communityId, NeedPriority.Need, 0, 20)).Total.ShouldBe(0);
    }

    [Fact]
    public async Task A_need_of_another_community_is_not_found_through_this_one()
    {
        var (communityId, admin, _) = await CommunityWithItemAsync();
        var (otherId, otherAdmin) = await fixture.CreateCommunityAsync("Other");
        await fixture.AddMemberAsync(otherId, userId: admin);
        var needId = await Service.CreateAsync(otherAdmin, otherId, new NeedInput(null, "Ladder", null, 1));

        (await Should.ThrowAsync<NotFoundException>(() => Queries.GetAsync(admin, communityId, needId))).Message.ShouldBe("That need does not exist here.");
        (await Queries.GetAsync(admin, otherId, needId)).Need.Name.ShouldBe("Ladder");
    }
}
