using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Councils;

/// <summary>Councils (docs/SPEC.md §6): creation, editing, managers, trust, contributions and the inventory ledger, on PostgreSQL.</summary>
public sealed class CouncilServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private CouncilService Service => fixture.Get<CouncilService>();
    private CouncilQueries Queries => fixture.Get<CouncilQueries>();
    private ShareService Shares => fixture.Get<ShareService>();

    private sealed record Setup(Guid CommunityId, string Admin, string Manager, string Member, Guid CouncilId, Guid ItemId);

    /// <summary>A community with an admin, a manager (who created the council at the council threshold), a plain member and one item.</summary>
    private async Task<Setup> SetUpAsync()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var manager = await fixture.AddMemberAsync(communityId, score: 25);
        var member = await fixture.AddMemberAsync(communityId, score: 10);
        var councilId = await Service.CreateAsync(manager, communityId, new CouncilInput("Food pantry", "Collects food and hands it to who needs it."));
        var itemId = await fixture.Get<CatalogService>().AddItemAsync(admin, communityId, "Rice (kg)", WealthKind.Object, null, null);
        return new Setup(communityId, admin, manager, member, councilId, itemId);
    }

    private async Task<Guid> ContributeAsync(Setup s, string giver, int units) =>
        await Shares.CreateAsync(giver, s.CommunityId, new ShareInput("Rice for the pantry", null, WealthKind.Object, units, ItemId: s.ItemId,
            Target: ShareTarget.Council, TargetId: s.CouncilId));

    private async Task<Guid> ContributionIdAsync(Guid shareId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Contributions.Where(c => c.ShareId == shareId).Select(c => c.Id).SingleAsync();
    }

    /// <summary>The balance row and the ledger's sum, which must always agree.</summary>
    private async Task<(int Balance, int LedgerSum)> InventoryAsync(Setup s)
    {
        await using var db = await fixture.NewContextAsync();
        var balance = await db.InventoryBalances.Where(b => b.HolderId == s.CouncilId && b.ItemId == s.ItemId).Select(b => (int?)b.Units).SingleOrDefaultAsync() ?? 0;
        var sum = await db.InventoryEntries.Where(e => e.CouncilId == s.CouncilId && e.ItemId == s.ItemId).SumAsync(e => e.Units);
        return (balance, sum);
    }

    private async Task<Guid> StockAsync(Setup s, int units)
    {
        var share = await ContributeAsync(s, s.Member, units);
        await Service.ConfirmContributionAsync(s.Manager, await ContributionIdAsync(share));
        return share;
    }

    [Fact]
    public async Task Creating_a_council_needs_the_council_permission_and_the_creator_becomes_its_manager()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var low = await fixture.AddMemberAsync(communityId, score: 24);
        var refusal = await Should.ThrowAsync<ForbiddenException>(() => Service.CreateAsync(low, communityId, new CouncilInput("Tool library", "Lends tools to members.")));
        refusal.Message.ShouldBe("You need 25 trust to create councils; you have 24.");

        var enough = await fixture.AddMemberAsync(communityId, score: 25);
        var id = await Service.CreateAsync(enough, communityId, new CouncilInput("  Tool library ", "Lends tools to members."));

        await using var db = await fixture.NewContextAsync();
        (await db.Councils.CountAsync(c => c.CommunityId == communityId)).ShouldBe(1);
        (await db.Councils.SingleAsync(c => c.Id == id)).Name.ShouldBe("Tool library");
        (await db.CouncilManagers.Where(m => m.CouncilId == id).Select(m => m.UserId).ToListAsync()).ShouldBe([enough]);
        (await db.AuditLog.SingleAsync(a => a.CommunityId == communityId && a.Action == AuditAction.CouncilCreated)).ActorId.ShouldBe(enough);
    }

    [Fact]
    public async Task Names_and_descriptions_outside_their_limits_or_taken_are_refused_and_nothing_is_saved()
    {
        var s = await SetUpAsync();
        async Task<IReadOnlyDictionary<string, string>> Refused(string name, string description) =>
            (await Should.ThrowAsync<ValidationFailedException>(() => Service.CreateAsync(s.Admin, s.CommunityId, new CouncilInput(name, description)))).Errors;

        (await Refused("ab", "Long enough description.")).ShouldSatisfyAllConditions(e => e.Keys.ShouldBe(["name"]), e => e["name"].ShouldBe("Use 3 to 100 characters."));
        (await Refused(new string('x', 101), "Long enough description."))["name"].ShouldBe("Use 3 to 100 characters.");
        (await Refused("Garden\u202Egroup", "Long enough description."))["name"].ShouldBe("Use visible characters only: no line breaks, tabs or invisible formatting characters.");
        (await Refused("Garden group", "Too short"))["description"].ShouldBe("Use 10 to 1000 characters.");
        (await Refused("Garden group", new string('y', 1001)))["description"].ShouldBe("Use 10 to 1000 characters.");
        (await Refused("FOOD PANTRY", "Another pantry with the same name."))["name"].ShouldBe("“FOOD PANTRY” already exists.");

        await using var db = await fixture.NewContextAsync();
        (await db.Councils.CountAsync(c => c.CommunityId == s.CommunityId)).ShouldBe(1);
    }

    [Fact]
    public async Task Admins_and_managers_edit_only_admins_delete_and_each_change_is_audited()
    {
        var s = await SetUpAsync();
        (await Should.ThrowAsync<ForbiddenException>(() => Service.UpdateAsync(s.Member, s.CouncilId, new CouncilInput("Taken over", "By someone who does not manage it."))))
            .Message.ShouldBe("Only the council's managers and admins can do that.");
        await Service.UpdateAsync(s.Manager, s.CouncilId, new CouncilInput("Community pantry", "Collects food and hands it to who needs it."));
        await Service.UpdateAsync(s.Admin, s.CouncilId, new CouncilInput("Community pantry", "Food for everyone, collected and handed on."));
        (await Should.ThrowAsync<ForbiddenException>(() => Service.DeleteAsync(s.Manager, s.CouncilId))).Message.ShouldBe("Only the community's admins can do this.");

        await Service.DeleteAsync(s.Admin, s.CouncilId);

        (await Queries.ListAsync(s.Member, s.CommunityId, null, 0, 20)).Total.ShouldBe(0);
        await Should.ThrowAsync<NotFoundException>(() => Queries.GetAsync(s.Member, s.CommunityId, s.CouncilId));
        await using var db = await fixture.NewContextAsync();
        var audit = await db.AuditLog.Where(a => a.CommunityId == s.CommunityId).OrderBy(a => a.CreatedAt).Select(a => new { a.Action, a.ActorId, a.Details }).ToListAsync();
        audit.Where(a => a.Action == AuditAction.CouncilEdited).Select(a => a.ActorId).ShouldBe([s.Manager, s.Admin]);
        audit.First(a => a.Action == AuditAction.CouncilEdited).Details.ShouldContain("Community pantry");
        audit.Last().Action.ShouldBe(AuditAction.CouncilDeleted);
    }

    [Fact]
    public async Task Managers_appoint_members_only_are_notified_and_a_council_keeps_one_manager_even_when_two_remove_each_other()
    {
        var s = await SetUpAsync();
        var outsider = await fixture.CreateUserAsync("outsider" + Guid.NewGuid().ToString("N")[..6]);
        var outsiderName = (await (await fixture.NewContextAsync()).Users.SingleAsync(u => u.Id == outsider)).UserName!;
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.AddManagerAsync(s.Manager, s.CouncilId, outsiderName)))
            .Errors["userName"].ShouldBe("No member of this community has that username.");
        (await Should.ThrowAsync<ForbiddenException>(() => Service.AddManagerAsync(s.Member, s.CouncilId, "anyone")))
            .Message.ShouldBe("Only the council's managers and admins can do that.");

        var memberName = (await (await fixture.NewContextAsync()).Users.SingleAsync(u => u.Id == s.Member)).UserName!;
        await Service.AddManagerAsync(s.Manager, s.CouncilId, "@" + memberName.ToUpperInvariant());
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.AddManagerAsync(s.Manager, s.CouncilId, memberName)))
            .Errors["userName"].ShouldBe("That member already manages this council.");

        await using (var db = await fixture.NewContextAsync())
        {
            (await db.Notifications.SingleAsync(n => n.UserId == s.Member && n.Kind == NotificationKind.CouncilManagerAdded)).Subject.ShouldBe("Food pantry");
            (await db.AuditLog.SingleAsync(a => a.Action == AuditAction.CouncilManagerAdded && a.CommunityId == s.CommunityId)).TargetUserId.ShouldBe(s.Member);
        }

        // Each of the two managers removes the other at the same moment: one wins, the other meets the last-manager rule.
        var results = await Task.WhenAll(
            Outcome(() => Service.RemoveManagerAsync(s.Manager, s.CouncilId, s.Member)),
            Outcome(() => Service.RemoveManagerAsync(s.Member, s.CouncilId, s.Manager)));
        results.Count(r => r is null).ShouldBe(1);
        results.Single(r => r is not null)!.ShouldBeOneOf(
            "Only the council's managers and admins can do that.", "A council keeps at least one manager: add another before removing this one.");
        await using var after = await fixture.NewContextAsync();
        (await after.CouncilManagers.CountAsync(m => m.CouncilId == s.CouncilId)).ShouldBe(1);
    }

    private static async Task<string?> Outcome(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (AppException ex)
        {
            return ex.Message;
        }
    }

    [Fact]
    public async Task A_member_trusts_a_council_once_the_count_follows_and_the_history_is_kept_also_under_parallel_clicks()
    {
        var s = await SetUpAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Outcome(() => Service.TrustAsync(s.Member, s.CouncilId))));
        results.Count(r => r is null).ShouldBe(1);
        results.Where(r => r is not null).ShouldAllBe(r => r == "You already trust this council.");
        await Service.TrustAsync(s.Admin, s.CouncilId);
        (await Queries.GetAsync(s.Member, s.CommunityId, s.CouncilId)).ShouldSatisfyAllConditions(c => c.TrustCount.ShouldBe(2), c => c.ITrust.ShouldBeTrue());

        await Service.UntrustAsync(s.Member, s.CouncilId);
        (await Should.ThrowAsync<AppException>(() => Service.UntrustAsync(s.Member, s.CouncilId))).Message.ShouldBe("You do not trust this council.");
        await Service.TrustAsync(s.Member, s.CouncilId);

        await using var db = await fixture.NewContextAsync();
        (await db.Councils.SingleAsync(c => c.Id == s.CouncilId)).TrustCount.ShouldBe(2);
        var history = await db.CouncilTrustHistory.Where(h => h.CouncilId == s.CouncilId).OrderBy(h => h.At).ThenBy(h => h.Id)
            .Select(h => new { h.UserId, h.Action, h.CountAfter }).ToListAsync();
        history.Select(h => (h.UserId, h.Action, h.CountAfter)).ShouldBe([
            (s.Member, CouncilTrustAction.Trusted, 1), (s.Admin, CouncilTrustAction.Trusted, 2),
            (s.Member, CouncilTrustAction.Untrusted, 1), (s.Member, CouncilTrustAction.Trusted, 2)]);
    }

    [Fact]
    public async Task A_contribution_waits_for_a_manager_who_confirms_it_into_the_inventory_and_the_giver_is_told()
    {
        var s = await SetUpAsync();
        var shareId = await ContributeAsync(s, s.Member, 10);
        var contributionId = await ContributionIdAsync(shareId);

        await using (var db = await fixture.NewContextAsync())
        {
            (await db.Notifications.SingleAsync(n => n.UserId == s.Manager && n.Kind == NotificationKind.ContributionAwaiting)).Link.ShouldEndWith($"/councils/{s.CouncilId}");
        }
        // Not on the members' market: nobody requests a gift to a council.
        (await fixture.Get<WealthQueries>().SearchAsync(s.Admin, s.CommunityId, new ShareQuery())).Items.ShouldNotContain(r => r.Id == shareId);
        (await Should.ThrowAsync<AppException>(() => Shares.RequestAsync(s.Admin, shareId, 1, null))).Message.ShouldBe("This share is a gift to a council; its managers confirm it.");
        (await Should.ThrowAsync<ForbiddenException>(() => Service.ConfirmContributionAsync(s.Member, contributionId))).Message.ShouldBe("Only the council's managers and admins can do that.");

        await Service.ConfirmContributionAsync(s.Manager, contributionId);

        (await InventoryAsync(s)).ShouldBe((10, 10));
        (await Should.ThrowAsync<AppException>(() => Service.ConfirmContributionAsync(s.Manager, contributionId))).Message.ShouldBe("This contribution was already confirmed.");
        await using var after = await fixture.NewContextAsync();
        var share = await after.Shares.SingleAsync(x => x.Id == shareId);
        (share.Status, share.UnitsGiven).ShouldBe((ShareStatus.Fulfilled, 10));
        var line = await after.InventoryEntries.SingleAsync(e => e.CouncilId == s.CouncilId);
        (line.Kind, line.Units, line.BalanceAfter, line.ContributionId, line.ActorId).ShouldBe((InventoryEntryKind.Received, 10, 10, contributionId, s.Manager));
        (await after.Notifications.SingleAsync(n => n.UserId == s.Member && n.Kind == NotificationKind.ContributionConfirmed)).Subject.ShouldBe("Food pantry");
        (await after.AuditLog.SingleAsync(a => a.CommunityId == s.CommunityId && a.Action == AuditAction.ContributionConfirmed)).TargetUserId.ShouldBe(s.Member);
    }

    [Fact]
    public async Task A_contribution_names_its_item_carries_no_request_limits_and_goes_to_a_council_of_this_community()
    {
        var s = await SetUpAsync();
        var (otherCommunity, otherAdmin) = await fixture.CreateCommunityAsync("Elsewhere");
        var foreign = await Service.CreateAsync(otherAdmin, otherCommunity, new CouncilInput("Foreign council", "A council of another community."));
        async Task<IReadOnlyDictionary<string, string>> Refused(ShareInput input) =>
            (await Should.ThrowAsync<ValidationFailedException>(() => Shares.CreateAsync(s.Member, s.CommunityId, input))).Errors;

        (await Refused(new ShareInput("Rice", null, WealthKind.Object, 5, Target: ShareTarget.Council, TargetId: s.CouncilId)))["itemId"]
            .ShouldBe("Choose the item you are giving: the council keeps its inventory by item.");
        (await Refused(new ShareInput("Rice", null, WealthKind.Object, 5, MaxUnitsPerMember: 1, ItemId: s.ItemId, Target: ShareTarget.Council, TargetId: s.CouncilId)))
            ["maxUnitsPerMember"].ShouldBe("A gift to a council has no request limits; leave this empty.");
        (await Refused(new ShareInput("Rice", null, WealthKind.Object, 5, ItemId: s.ItemId, Target: ShareTarget.Council, TargetId: foreign)))["target"]
            .ShouldBe("Choose a council of this community.");
        (await Refused(new ShareInput("Rice", null, WealthKind.Object, 5, ItemId: s.ItemId, Target: ShareTarget.Pool, TargetId: Guid.NewGuid())))["target"]
            .ShouldBe("Choose a pool of this community.");

        await using var db = await fixture.NewContextAsync();
        (await db.Shares.CountAsync(x => x.CommunityId == s.CommunityId)).ShouldBe(0);
        (await db.Contributions.CountAsync(x => x.CommunityId == s.CommunityId)).ShouldBe(0);
    }

    [Fact]
    public async Task A_withdrawn_or_rejected_contribution_never_enters_the_inventory()
    {
        var s = await SetUpAsync();
        var withdrawn = await ContributeAsync(s, s.Member, 4);
        var withdrawnContribution = await ContributionIdAsync(withdrawn);
        (await Should.ThrowAsync<AppException>(() => Shares.UpdateAsync(s.Member, withdrawn, new ShareInput("More rice", null, WealthKind.Object, 8))))
            .Message.ShouldBe("A contribution cannot be edited; withdraw it and give again.");
        await Shares.CancelShareAsync(s.Member, withdrawn);
        (await Should.ThrowAsync<AppException>(() => Service.ConfirmContributionAsync(s.Manager, withdrawnContribution)))
            .Message.ShouldBe("This contribution was already withdrawn.");

        var rejected = await ContributeAsync(s, s.Admin, 3);
        await Service.RejectContributionAsync(s.Manager, await ContributionIdAsync(rejected));

        (await InventoryAsync(s)).ShouldBe((0, 0));
        await using var db = await fixture.NewContextAsync();
        (await db.Shares.SingleAsync(x => x.Id == rejected)).Status.ShouldBe(ShareStatus.Cancelled);
        (await db.Notifications.SingleAsync(n => n.UserId == s.Admin && n.Kind == NotificationKind.ContributionRejected)).Subject.ShouldBe("Food pantry");
    }

    [Fact]
    public async Task Using_more_than_the_inventory_holds_is_refused_and_twenty_parallel_uses_of_ten_units_take_exactly_ten()
    {
        var s = await SetUpAsync();
        await StockAsync(s, 10);
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.RecordUseAsync(s.Manager, s.CouncilId, s.ItemId, 11, "Soup kitchen")))
            .Errors["units"].ShouldBe("Not enough in the inventory: 10 left.");
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.RecordUseAsync(s.Manager, s.CouncilId, s.ItemId, 1, "  ")))
            .Errors["note"].ShouldBe("Say what the units were used for.");
        (await Should.ThrowAsync<ForbiddenException>(() => Service.RecordUseAsync(s.Member, s.CouncilId, s.ItemId, 1, "Taken")))
            .Message.ShouldBe("Only the council's managers and admins can do that.");

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Outcome(() => Service.RecordUseAsync(s.Manager, s.CouncilId, s.ItemId, 1, "Soup kitchen"))));

        results.Count(r => r is null).ShouldBe(10);
        results.Where(r => r is not null).ShouldAllBe(r => r == "Not enough in the inventory: 0 left.");
        (await InventoryAsync(s)).ShouldBe((0, 0));
        await using var db = await fixture.NewContextAsync();
        (await db.InventoryEntries.CountAsync(e => e.CouncilId == s.CouncilId && e.Kind == InventoryEntryKind.Used)).ShouldBe(10);
        (await db.InventoryEntries.Where(e => e.CouncilId == s.CouncilId).OrderBy(e => e.BalanceAfter).Select(e => e.BalanceAfter).FirstAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task A_council_shares_from_its_inventory_and_what_the_share_does_not_give_comes_back_when_it_closes()
    {
        var s = await SetUpAsync();
        await StockAsync(s, 10);
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.ShareFromInventoryAsync(s.Manager, s.CouncilId, new CouncilShareInput(s.ItemId, 11, "Rice", null))))
            .Errors["units"].ShouldBe("Not enough in the inventory: 10 left.");
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.ShareFromInventoryAsync(s.Manager, s.CouncilId, new CouncilShareInput(s.ItemId, 2, "", null))))
            .Errors.Keys.ShouldContain("title");

        var shareId = await Service.ShareFromInventoryAsync(s.Manager, s.CouncilId, new CouncilShareInput(s.ItemId, 4, "Rice from the pantry", null));
        (await InventoryAsync(s)).ShouldBe((6, 6));
        var request = await Shares.RequestAsync(s.Member, shareId, 1, null);
        await Shares.AcceptAsync(s.Manager, request);
        await Shares.FulfilAsync(s.Member, request);

        // Another manager of the council withdraws the share: the three units it did not give go back.
        await Service.AddManagerAsync(s.Manager, s.CouncilId, (await (await fixture.NewContextAsync()).Users.SingleAsync(u => u.Id == s.Admin)).UserName!);
        await Shares.CancelShareAsync(s.Admin, shareId);

        (await InventoryAsync(s)).ShouldBe((9, 9));
        var shared = await Queries.SharesAsync(s.Member, s.CommunityId, s.CouncilId);
        shared.Single().ShouldSatisfyAllConditions(x => x.Id.ShouldBe(shareId), x => x.UnitsGiven.ShouldBe(1), x => x.Status.ShouldBe(ShareStatus.Cancelled));
        await using var db = await fixture.NewContextAsync();
        (await db.InventoryEntries.Where(e => e.ShareId == shareId).OrderBy(e => e.CreatedAt).Select(e => new { e.Kind, e.Units }).ToListAsync())
            .Select(e => (e.Kind, e.Units)).ShouldBe([(InventoryEntryKind.SharedOut, -4), (InventoryEntryKind.Returned, 3)]);
    }

    [Fact]
    public async Task An_expired_council_share_returns_its_free_units_and_a_request_released_later_returns_its_own()
    {
        var s = await SetUpAsync();
        await StockAsync(s, 10);
        fixture.Clock.Set(DateTimeOffset.UtcNow);
        try
        {
            var shareId = await Service.ShareFromInventoryAsync(s.Manager, s.CouncilId,
                new CouncilShareInput(s.ItemId, 5, "Rice this week", null, ExpiresAt: fixture.Clock.GetUtcNow().UtcDateTime.AddDays(1)));
            var request = await Shares.RequestAsync(s.Member, shareId, 2, null);
            await Shares.AcceptAsync(s.Manager, request);
            fixture.Clock.Advance(TimeSpan.FromDays(2));

            (await Shares.ExpireDueAsync()).ShouldBeGreaterThanOrEqualTo(1);
            (await InventoryAsync(s)).ShouldBe((8, 8));
            await Shares.CancelAsync(s.Member, request);
            (await InventoryAsync(s)).ShouldBe((10, 10));
        }
        finally
        {
            fixture.Clock.Reset();
        }
    }

    [Fact]
    public async Task In_a_council_scope_its_managers_hold_the_council_permissions_and_nobody_else_does()
    {
        var s = await SetUpAsync();
        var permissions = fixture.Get<PermissionService>();
        var scope = PermissionScope.Council(s.CommunityId, s.CouncilId);
        await fixture.SetScoreAsync(s.CommunityId, s.Manager, 0);

        var managerNeeds = await permissions.CheckAsync(s.Manager, Permission.PublishNeeds, scope);
        (managerNeeds.Allowed, managerNeeds.Reason).ShouldBe((true, PermissionReason.CouncilManager));
        managerNeeds.Describe().ShouldBe("Council manager");
        (await permissions.CheckAsync(s.Manager, Permission.PublishNeeds, PermissionScope.Community(s.CommunityId))).Reason.ShouldBe(PermissionReason.BelowThreshold);
        (await permissions.CheckAsync(s.Manager, Permission.AwardTrust, scope)).Reason.ShouldBe(PermissionReason.BelowThreshold);
        var other = await Service.CreateAsync(s.Admin, s.CommunityId, new CouncilInput("Tool library", "Lends tools to members."));
        (await permissions.CheckAsync(s.Manager, Permission.PublishNeeds, PermissionScope.Council(s.CommunityId, other))).Reason.ShouldBe(PermissionReason.BelowThreshold);
        (await permissions.CheckAsync(s.Member, Permission.CreatePools, scope)).Reason.ShouldBe(PermissionReason.BelowThreshold);
    }

    [Fact]
    public async Task A_manager_publishes_a_council_need_whatever_their_trust_and_other_members_need_the_permission()
    {
        var s = await SetUpAsync();
        await fixture.SetScoreAsync(s.CommunityId, s.Manager, 0);
        var needs = fixture.Get<CommunityApp.Features.Needs.NeedService>();
        var input = new CommunityApp.Features.Needs.NeedInput(s.ItemId, null, null, 30, CouncilId: s.CouncilId);

        var needId = await needs.CreateAsync(s.Manager, s.CommunityId, input);

        var low = await fixture.AddMemberAsync(s.CommunityId, score: 1);
        (await Should.ThrowAsync<ForbiddenException>(() => needs.CreateAsync(low, s.CommunityId, input))).Message.ShouldBe("You need 5 trust to publish needs; you have 1.");
        (await Should.ThrowAsync<ForbiddenException>(() => needs.CreateAsync(s.Manager, s.CommunityId, input with { CouncilId = null })))
            .Message.ShouldBe("You need 5 trust to publish needs; you have 0.");
        (await Should.ThrowAsync<ValidationFailedException>(() => needs.CreateAsync(s.Manager, s.CommunityId, input with { CouncilId = Guid.NewGuid() })))
            .Errors["councilId"].ShouldBe("Choose a council of this community.");
        var page = await Queries.PageAsync(s.Member, s.CommunityId, s.CouncilId);
        page.Needs.Single().ShouldSatisfyAllConditions(n => n.Id.ShouldBe(needId), n => n.Name.ShouldBe("Rice (kg)"), n => n.Units.ShouldBe(30));
        await using var db = await fixture.NewContextAsync();
        (await db.Needs.CountAsync(n => n.CommunityId == s.CommunityId)).ShouldBe(1);
    }

    [Fact]
    public async Task A_council_of_another_community_is_not_found_under_this_one()
    {
        var s = await SetUpAsync();
        var (otherCommunity, otherAdmin) = await fixture.CreateCommunityAsync("Elsewhere");
        await fixture.AddMemberAsync(otherCommunity, userId: s.Member);
        var foreign = await Service.CreateAsync(otherAdmin, otherCommunity, new CouncilInput("Foreign council", "A council of another community."));
        (await Should.ThrowAsync<NotFoundException>(() => Queries.GetAsync(s.Member, s.CommunityId, foreign))).Message.ShouldBe("Council not found.");
        await Should.ThrowAsync<NotFoundException>(() => Queries.InventoryAsync(s.Member, s.CommunityId, foreign));
        var stranger = await fixture.CreateUserAsync();
        await Should.ThrowAsync<ForbiddenException>(() => Queries.GetAsync(stranger, s.CommunityId, s.CouncilId));
        await Should.ThrowAsync<ForbiddenException>(() => Service.TrustAsync(stranger, s.CouncilId));
    }

    [Fact]
    public async Task The_council_page_reads_the_ledgers_first_page_and_lists_pending_contributions_oldest_first_then_decided_latest_first()
    {
        var s = await SetUpAsync();
        for (var i = 0; i < 12; i++) await StockAsync(s, 1);
        var pendingFirst = await ContributionIdAsync(await ContributeAsync(s, s.Member, 2));
        var pendingSecond = await ContributionIdAsync(await ContributeAsync(s, s.Member, 3));
        var rejected = await ContributionIdAsync(await ContributeAsync(s, s.Member, 4));
        await Service.RejectContributionAsync(s.Manager, rejected);

        var page = await Queries.PageAsync(s.Member, s.CommunityId, s.CouncilId);

        var ledger = await Queries.LedgerAsync(s.Member, s.CommunityId, s.CouncilId, null, 0, CouncilQueries.LedgerPageSize);
        (page.Ledger.Total, page.Ledger.PageIndex, page.Ledger.PageSize).ShouldBe((12, 0, CouncilQueries.LedgerPageSize));
        page.Ledger.Items.Select(l => l.Id).ShouldBe(ledger.Items.Select(l => l.Id));
        page.Ledger.Items.Count.ShouldBe(10);
        page.Council.Managers.ShouldHaveSingleItem().UserId.ShouldBe(s.Manager);
        page.Council.PendingContributions.ShouldBe(2);
        // Pending ones oldest first, then the decided ones latest first (the rejection, then the twelve confirmations).
        page.Contributions.Select(c => c.Id).Take(3).ShouldBe([pendingFirst, pendingSecond, rejected]);
        page.Contributions.Count.ShouldBe(15);
        page.Contributions.Skip(3).ShouldAllBe(c => c.Status == ContributionStatus.Confirmed);
    }
}
