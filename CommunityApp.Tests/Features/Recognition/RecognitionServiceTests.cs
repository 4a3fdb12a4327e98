using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Checkout;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Recognition;
using CommunityApp.Features.Settings;
using CommunityApp.Features.Wealth;
using CommunityApp.Resources;
using CommunityApp.Tests.Infrastructure;
using static CommunityApp.Tests.Infrastructure.Refusals;

namespace CommunityApp.Tests.Features.Recognition;

/// <summary>Value recognition (docs/SPEC.md §18) on PostgreSQL: item values, automatic entries, peer grants and their limits, totals, the dispute hook.</summary>
public sealed class RecognitionServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private RecognitionService Service => fixture.Get<RecognitionService>();

    private async Task<List<RecognitionEntry>> EntriesAsync(Guid communityId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.RecognitionEntries.Where(e => e.CommunityId == communityId).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync();
    }

    private static DateTimeOffset Utc(int year, int month, int day, int hour = 12, int minute = 0) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    // ---------------------------------------------------------------- item values

    [Fact]
    public async Task An_item_manager_sets_a_value_per_unit_audited_and_bad_values_get_a_field_message()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var catalog = fixture.Get<CatalogService>();
        var item = await catalog.AddItemAsync(admin, communityId, "Jam jar", WealthKind.Object, null, null);
        var member = await fixture.AddMemberAsync(communityId, score: 5);

        await catalog.SetItemValueAsync(admin, communityId, item, 4);
        foreach (var bad in new[] { -1, Item.MaxValuePoints + 1, int.MaxValue, int.MinValue })
            (await FieldErrors(() => catalog.SetItemValueAsync(admin, communityId, item, bad)))["valuePoints"].ShouldBe(Text.Get("Recognition.Error.ItemValue", Item.MaxValuePoints));
        (await FieldErrors(() => catalog.AddItemAsync(admin, communityId, "Honey", WealthKind.Object, null, Item.MaxValuePoints + 1))).ShouldContainKey("valuePoints");
        await Should.ThrowAsync<ForbiddenException>(() => catalog.SetItemValueAsync(member, communityId, item, 9));
        await catalog.SetItemValueAsync(admin, communityId, item, null);

        await using var db = await fixture.NewContextAsync();
        (await db.Items.SingleAsync(i => i.Id == item)).ValuePoints.ShouldBeNull();
        var audit = await db.AuditLog.Where(a => a.CommunityId == communityId && a.Action == AuditAction.ItemValueChanged).OrderBy(a => a.CreatedAt).Select(a => a.Details).ToListAsync();
        audit.Count.ShouldBe(2);
        audit[0].ShouldContain("\"valuePoints\":{\"old\":null,\"new\":4}");
        audit[1].ShouldContain("\"valuePoints\":{\"old\":4,\"new\":null}");
    }

    // ---------------------------------------------------------------- automatic entries

    [Fact]
    public async Task A_fulfilled_request_logs_units_times_the_value_at_that_time_with_the_items_category()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var catalog = fixture.Get<CatalogService>();
        var shares = fixture.Get<ShareService>();
        var categoryId = await catalog.AddCategoryAsync(admin, communityId, "Preserves", null);
        var item = await catalog.AddItemAsync(admin, communityId, "Apricot jam", WealthKind.Object, categoryId, 3);
        var owner = await fixture.AddMemberAsync(communityId, score: 10);
        var requester = await fixture.AddMemberAsync(communityId, score: 10);
        var shareId = await shares.CreateAsync(owner, communityId, new ShareInput("Jam", null, WealthKind.Object, 10, ItemId: item));
        var request = await shares.RequestAsync(requester, shareId, 4, null);
        await shares.AcceptAsync(owner, request);
        (await EntriesAsync(communityId)).ShouldBeEmpty();

        await shares.FulfilAsync(requester, request);
        await catalog.SetItemValueAsync(admin, communityId, item, 100);

        var entry = (await EntriesAsync(communityId)).ShouldHaveSingleItem();
        (entry.Kind, entry.ContributorId, entry.GiverId, entry.Units, entry.ValuePerUnit, entry.Value, entry.ItemId, entry.CategoryId, entry.ShareRequestId)
            .ShouldBe((RecognitionKind.Request, owner, requester, 4, (int?)3, 12, (Guid?)item, (Guid?)categoryId, (Guid?)request));
        // A request that fails or is cancelled logs nothing.
        var failed = await shares.RequestAsync(requester, shareId, 1, null);
        await shares.AcceptAsync(owner, failed);
        await shares.FailAsync(requester, failed);
        (await EntriesAsync(communityId)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_checkout_through_a_link_logs_its_fulfilled_request()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var item = await fixture.Get<CatalogService>().AddItemAsync(admin, communityId, "Duck eggs", WealthKind.Object, null, 2);
        var owner = await fixture.AddMemberAsync(communityId, score: 10);
        var taker = await fixture.AddMemberAsync(communityId, score: 10);
        var shareId = await fixture.Get<ShareService>().CreateAsync(owner, communityId, new ShareInput("Eggs", null, WealthKind.Object, 12, ItemId: item));
        var checkout = fixture.Get<CheckoutService>();
        var (_, token) = await checkout.CreateAsync(owner, shareId, new CheckoutLinkInput());

        var requestId = await checkout.CheckoutAsync(taker, communityId, token, 6);

        var entry = (await EntriesAsync(communityId)).ShouldHaveSingleItem();
        (entry.Kind, entry.ContributorId, entry.GiverId, entry.Units, entry.Value, entry.ShareRequestId).ShouldBe((RecognitionKind.Request, owner, taker, 6, 12, (Guid?)requestId));
    }

    [Fact]
    public async Task A_confirmed_pool_contribution_logs_an_entry_and_a_rejected_one_does_not()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var manager = await fixture.AddMemberAsync(communityId, score: 25);
        var giver = await fixture.AddMemberAsync(communityId, score: 10);
        var councils = fixture.Get<CouncilService>();
        var councilId = await councils.CreateAsync(manager, communityId, new CouncilInput("Pantry", "Food for who needs it."));
        var item = await fixture.Get<CatalogService>().AddItemAsync(admin, communityId, "Rice (kg)", WealthKind.Object, null, 5);
        var shares = fixture.Get<ShareService>();
        async Task<Guid> ContributeAsync(int units)
        {
            var share = await shares.CreateAsync(giver, communityId, new ShareInput("Rice", null, WealthKind.Object, units, ItemId: item, Target: ShareTarget.Council, TargetId: councilId));
            await using var db = await fixture.NewContextAsync();
            return await db.Contributions.Where(c => c.ShareId == share).Select(c => c.Id).SingleAsync();
        }
        var confirmed = await ContributeAsync(3);
        var rejected = await ContributeAsync(2);

        await councils.ConfirmContributionAsync(manager, confirmed);
        await councils.RejectContributionAsync(manager, rejected);

        var entry = (await EntriesAsync(communityId)).ShouldHaveSingleItem();
        (entry.Kind, entry.ContributorId, entry.GiverId, entry.Units, entry.Value, entry.ContributionId).ShouldBe((RecognitionKind.Contribution, giver, manager, 3, 15, (Guid?)confirmed));
    }

    // ---------------------------------------------------------------- peer grants

    [Fact]
    public async Task A_grant_is_logged_notified_and_counted_against_the_budget()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var giver = await fixture.AddMemberAsync(communityId, score: 10);
        var receiver = await fixture.AddMemberAsync(communityId, score: 10);

        var id = await Service.GrantAsync(giver, communityId, receiver, 5, "  Fixed the community fridge  ");

        var entry = (await EntriesAsync(communityId)).ShouldHaveSingleItem();
        (entry.Id, entry.Kind, entry.GiverId, entry.ContributorId, entry.Units, entry.Value, entry.Reason).ShouldBe((id, RecognitionKind.Peer, giver, receiver, 5, 5, "Fixed the community fridge"));
        (await Service.BudgetAsync(giver, communityId)).ShouldBe(new RecognitionBudget(5, 20));
        await using var db = await fixture.NewContextAsync();
        (await db.Notifications.SingleAsync(n => n.UserId == receiver && n.Kind == NotificationKind.RecognitionReceived)).Link.ShouldEndWith("/recognition");
        (await Service.MineAsync(receiver, communityId, RecognitionDirection.Received, 0, 10)).Items.ShouldHaveSingleItem().GiverId.ShouldBe(giver);
        (await Service.MineAsync(giver, communityId, RecognitionDirection.Given, 0, 10)).Items.ShouldHaveSingleItem().ContributorId.ShouldBe(receiver);
        (await Service.MineAsync(giver, communityId, RecognitionDirection.Received, 0, 10)).Total.ShouldBe(0);
    }

    [Fact]
    public async Task Granting_needs_the_recognition_permission_and_says_why_not()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var giver = await fixture.AddMemberAsync(communityId, score: 9);
        var receiver = await fixture.AddMemberAsync(communityId, score: 10);

        var refusal = await Should.ThrowAsync<ForbiddenException>(() => Service.GrantAsync(giver, communityId, receiver, 1, "Helped at the fair"));

        refusal.Message.ShouldBe("You need 10 trust to grant recognition; you have 9.");
        (await EntriesAsync(communityId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Every_bad_input_gets_its_field_message_and_saves_nothing()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var giver = await fixture.AddMemberAsync(communityId, score: 10);
        var receiver = await fixture.AddMemberAsync(communityId, score: 10);
        var stranger = await fixture.CreateUserAsync();

        (await FieldErrors(() => Service.GrantAsync(giver, communityId, giver, 1, "Me")))["receiver"].ShouldBe(Text.Get("Recognition.Error.Self"));
        (await FieldErrors(() => Service.GrantAsync(giver, communityId, null, 1, "Nobody")))["receiver"].ShouldBe(Text.Get("Recognition.Error.ChooseMember"));
        (await FieldErrors(() => Service.GrantAsync(giver, communityId, stranger, 1, "Outsider")))["receiver"].ShouldBe(Text.Get("Recognition.Error.NotMember"));
        foreach (var units in new[] { 0, -1, 21, int.MaxValue, int.MinValue })
            (await FieldErrors(() => Service.GrantAsync(giver, communityId, receiver, units, "Units")))["units"].ShouldBe(Text.Get("Recognition.Error.Units", 20));
        foreach (var reason in new[] { null, "", "   ", new string('x', 201) })
            (await FieldErrors(() => Service.GrantAsync(giver, communityId, receiver, 1, reason)))["reason"].ShouldBe(Text.Get("Error.LengthRange", 1, 200));
        (await FieldErrors(() => Service.GrantAsync(giver, communityId, receiver, 1, "bad\0text")))["reason"].ShouldBe(CommunityApp.Data.Texts.UnstorableMessage);
        await Should.ThrowAsync<ForbiddenException>(() => Service.GrantAsync(stranger, communityId, receiver, 1, "Not a member"));

        (await EntriesAsync(communityId)).ShouldBeEmpty();
        await Service.GrantAsync(giver, communityId, receiver, 1, new string('x', 200));
    }

    [Fact]
    public async Task The_budget_refuses_what_is_over_it_and_a_fourth_grant_to_one_person_is_refused()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var giver = await fixture.AddMemberAsync(communityId, score: 10);
        var ana = await fixture.AddMemberAsync(communityId, score: 10);
        var ben = await fixture.AddMemberAsync(communityId, score: 10);

        await Service.GrantAsync(giver, communityId, ana, 2, "Childcare");
        await Service.GrantAsync(giver, communityId, ana, 2, "Childcare again");
        await Service.GrantAsync(giver, communityId, ana, 2, "And again");
        (await FieldErrors(() => Service.GrantAsync(giver, communityId, ana, 1, "A fourth time")))["receiver"].ShouldBe(Text.Get("Recognition.Error.SamePerson", 3));
        await Service.GrantAsync(giver, communityId, ben, 12, "Organised the repair café");
        (await Service.BudgetAsync(giver, communityId)).ShouldBe(new RecognitionBudget(18, 20));

        (await FieldErrors(() => Service.GrantAsync(giver, communityId, ben, 3, "Over budget")))["units"].ShouldBe("That is more than you have left this month: 2 of your 20 units.");
        await Service.GrantAsync(giver, communityId, ben, 2, "Exactly the rest");
        (await FieldErrors(() => Service.GrantAsync(giver, communityId, ben, 1, "Nothing left")))["units"].ShouldBe("That is more than you have left this month: 0 of your 20 units.");

        (await EntriesAsync(communityId)).Sum(e => e.Units).ShouldBe(20);
    }

    [Fact]
    public async Task The_budget_and_the_three_grants_start_again_with_each_calendar_month_in_utc()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var giver = await fixture.AddMemberAsync(communityId, score: 10);
        var receiver = await fixture.AddMemberAsync(communityId, score: 10);
        await using var app = new FakeClockServices(fixture);
        var service = app.Get<RecognitionService>();
        app.Clock.SetUtcNow(Utc(2027, 1, 31, 23, 59));
        await service.GrantAsync(giver, communityId, receiver, 10, "January one");
        await service.GrantAsync(giver, communityId, receiver, 5, "January two");
        await service.GrantAsync(giver, communityId, receiver, 5, "January three");
        (await FieldErrors(() => service.GrantAsync(giver, communityId, receiver, 1, "Still January")))["receiver"].ShouldBe(Text.Get("Recognition.Error.SamePerson", 3));

        app.Clock.SetUtcNow(Utc(2027, 2, 1, 0, 0));

        (await service.BudgetAsync(giver, communityId)).ShouldBe(new RecognitionBudget(0, 20));
        await service.GrantAsync(giver, communityId, receiver, 20, "February");
        (await FieldErrors(() => service.GrantAsync(giver, communityId, receiver, 1, "February again")))["units"].ShouldBe("That is more than you have left this month: 0 of your 20 units.");
        var totals = await service.TotalsAsync(receiver, communityId);
        totals.ByMonth.Select(m => (m.Year, m.Month, m.Entries, m.Value)).ShouldBe([(2027, 2, 1, 20L), (2027, 1, 3, 20L)]);
    }

    [Fact]
    public async Task The_community_setting_sets_the_budget_and_is_validated()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var giver = await fixture.AddMemberAsync(communityId, score: 10);
        var receiver = await fixture.AddMemberAsync(communityId, score: 10);
        var settings = fixture.Get<SettingsService>();

        foreach (var bad in new[] { -1, 1001 })
            (await FieldErrors(() => settings.SaveAsync(admin, communityId, new SettingsPatch { RecognitionMonthlyBudget = bad })))["recognitionMonthlyBudget"]
                .ShouldBe(Text.Get("Recognition.Error.BudgetRange", 0, 1000));
        (await settings.GetAsync(admin, communityId)).RecognitionMonthlyBudget.ShouldBe(20);
        await settings.SaveAsync(admin, communityId, new SettingsPatch { RecognitionMonthlyBudget = 5 });

        (await settings.GetAsync(admin, communityId)).RecognitionMonthlyBudget.ShouldBe(5);
        (await FieldErrors(() => Service.GrantAsync(giver, communityId, receiver, 6, "Too much")))["units"].ShouldBe(Text.Get("Recognition.Error.Units", 5));
        await Service.GrantAsync(giver, communityId, receiver, 5, "All of it");
        (await Service.BudgetAsync(giver, communityId)).ShouldBe(new RecognitionBudget(5, 5));
        await using var db = await fixture.NewContextAsync();
        (await db.AuditLog.SingleAsync(a => a.CommunityId == communityId && a.Action == AuditAction.SettingsChanged)).Details
            .ShouldContain("\"recognitionMonthlyBudget\":{\"old\":20,\"new\":5}");
    }

    [Fact]
    public async Task Ten_parallel_grants_by_one_giver_never_exceed_the_budget()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var giver = await fixture.AddMemberAsync(communityId, score: 10);
        var receivers = new List<string>();
        for (var i = 0; i < 10; i++) receivers.Add(await fixture.AddMemberAsync(communityId, score: 10));

        // 10 × 3 units against a budget of 20: exactly six fit.
        var wins = await Task.WhenAll(receivers.Select(r => Race.Attempt(() => Service.GrantAsync(giver, communityId, r, 3, "Helped at the harvest"))));

        wins.Count(w => w).ShouldBe(6);
        var entries = await EntriesAsync(communityId);
        entries.Sum(e => e.Units).ShouldBe(18);
        (await Service.BudgetAsync(giver, communityId)).ShouldBe(new RecognitionBudget(18, 20));
    }

    [Fact]
    public async Task Ten_parallel_grants_to_one_person_stop_at_three()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var giver = await fixture.AddMemberAsync(communityId, score: 10);
        var receiver = await fixture.AddMemberAsync(communityId, score: 10);

        var wins = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Race.Attempt(() => Service.GrantAsync(giver, communityId, receiver, 1, "Cooked for the meeting"))));

        wins.Count(w => w).ShouldBe(3);
        (await EntriesAsync(communityId)).Count.ShouldBe(3);
    }

    // ---------------------------------------------------------------- totals and disputes

    [Fact]
    public async Task Totals_are_by_category_and_month_and_name_no_member()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var catalog = fixture.Get<CatalogService>();
        var shares = fixture.Get<ShareService>();
        var categoryId = await catalog.AddCategoryAsync(admin, communityId, "Bread", null);
        var item = await catalog.AddItemAsync(admin, communityId, "Loaf", WealthKind.Object, categoryId, 4);
        var owner = await fixture.AddMemberAsync(communityId, score: 10);
        var requester = await fixture.AddMemberAsync(communityId, score: 10);
        var shareId = await shares.CreateAsync(owner, communityId, new ShareInput("Loaves", null, WealthKind.Object, 5, ItemId: item));
        var request = await shares.RequestAsync(requester, shareId, 2, null);
        await shares.AcceptAsync(owner, request);
        await shares.FulfilAsync(owner, request);
        await Service.GrantAsync(requester, communityId, owner, 7, "Baked for the fair");

        var totals = await Service.TotalsAsync(requester, communityId);

        totals.ByCategory.ShouldBe([new CategoryTotal(categoryId, "Bread", false, 1, 8), new CategoryTotal(null, null, true, 1, 7)]);
        totals.ByMonth.ShouldHaveSingleItem().Value.ShouldBe(15);
        typeof(CategoryTotal).GetProperties().Select(p => p.Name).ShouldNotContain(n => n.Contains("User") || n.Contains("Member"));
    }

    [Fact]
    public async Task The_dispute_hook_gives_the_parties_to_a_party_and_refuses_anyone_else()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var giver = await fixture.AddMemberAsync(communityId, score: 10);
        var receiver = await fixture.AddMemberAsync(communityId, score: 10);
        var bystander = await fixture.AddMemberAsync(communityId, score: 10);
        var stranger = await fixture.CreateUserAsync();
        var entry = await Service.GrantAsync(giver, communityId, receiver, 2, "Walked the dogs");

        (await Service.DisputePartiesAsync(receiver, entry)).ShouldBe(new RecognitionDisputeParties(entry, communityId, RecognitionKind.Peer, [receiver, giver]), new PartiesComparer());
        (await Service.DisputePartiesAsync(giver, entry)).PartyUserIds.ShouldBe([receiver, giver]);
        (await Should.ThrowAsync<ForbiddenException>(() => Service.DisputePartiesAsync(bystander, entry))).Message.ShouldBe(Text.Get("Recognition.Error.NotAParty"));
        (await Should.ThrowAsync<ForbiddenException>(() => Service.DisputePartiesAsync(admin, entry))).Message.ShouldBe(Text.Get("Recognition.Error.NotAParty"));
        await Should.ThrowAsync<NotFoundException>(() => Service.DisputePartiesAsync(stranger, entry));
        await Should.ThrowAsync<NotFoundException>(() => Service.DisputePartiesAsync(receiver, Guid.NewGuid()));
    }

    private sealed class PartiesComparer : IEqualityComparer<RecognitionDisputeParties>
    {
        public bool Equals(RecognitionDisputeParties? x, RecognitionDisputeParties? y) =>
            x is not null && y is not null && (x.EntryId, x.CommunityId, x.Kind) == (y.EntryId, y.CommunityId, y.Kind) && x.PartyUserIds.SequenceEqual(y.PartyUserIds);

        public int GetHashCode(RecognitionDisputeParties obj) => obj.EntryId.GetHashCode();
    }
}
