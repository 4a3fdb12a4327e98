using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Disputes;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Settings;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;
using static CommunityApp.Tests.Features.Disputes.DisputeWorld;

namespace CommunityApp.Tests.Features.Disputes;

/// <summary>The rules of docs/SPEC.md §12 on PostgreSQL: who opens, who handles, the states, privacy, evidence, audit and notifications.</summary>
public sealed class DisputeServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private DisputeService Disputes => fixture.Get<DisputeService>();

    private async Task<(DisputeWorld World, Guid DisputeId)> OpenedAsync()
    {
        var world = await CreateAsync(fixture);
        return (world, await Disputes.OpenForRequestAsync(world.Requester, world.RequestId, Input));
    }

    /// <summary>A dispute in mediation: the handler offered and both parties accepted.</summary>
    private async Task<(DisputeWorld World, Guid DisputeId, Guid MediatorId)> InMediationAsync()
    {
        var (world, id) = await OpenedAsync();
        await Disputes.OfferToMediateAsync(world.Handler, id);
        var mediatorId = (await Disputes.GetAsync(world.Requester, id)).Mediators.Single().Id;
        await Disputes.AnswerMediatorAsync(world.Requester, mediatorId, true);
        await Disputes.AnswerMediatorAsync(world.Owner, mediatorId, true);
        return (world, id, mediatorId);
    }

    /// <summary>One request's dispute state as its share page reads it.</summary>
    private async Task<RequestDisputes> RequestStateAsync(DisputeWorld world, string viewer) =>
        (await Disputes.ForRequestsAsync(viewer, world.CommunityId, [world.RequestId]))[world.RequestId];

    private async Task<int> NotificationsAsync(string userId, NotificationKind kind)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Notifications.CountAsync(n => n.UserId == userId && n.Kind == kind);
    }

    private async Task<int> AuditAsync(Guid communityId, AuditAction action)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.AuditLog.CountAsync(a => a.CommunityId == communityId && a.Action == action);
    }

    [Fact]
    public async Task A_share_page_reads_the_dispute_state_of_all_its_requests_at_once()
    {
        var world = await CreateAsync(fixture);
        var shares = fixture.Get<ShareService>();
        var pending = await shares.RequestAsync(world.Requester, world.ShareId, 1, "Another Sunday");
        var ids = new[] { world.RequestId, pending };

        var before = await Disputes.ForRequestsAsync(world.Owner, world.CommunityId, ids);
        (before[world.RequestId].MayOpen, before[world.RequestId].ActiveDisputeId, before[pending].MayOpen).ShouldBe((true, (Guid?)null, false));

        var id = await Disputes.OpenForRequestAsync(world.Requester, world.RequestId, Input);
        var party = await Disputes.ForRequestsAsync(world.Owner, world.CommunityId, ids);
        (party[world.RequestId].MayOpen, party[world.RequestId].ActiveDisputeId).ShouldBe((false, (Guid?)id));
        // Someone else sees neither the dispute nor a way to open one; a stranger gets nothing.
        var outsider = await Disputes.ForRequestsAsync(world.Outsider, world.CommunityId, ids);
        (outsider[world.RequestId].MayOpen, outsider[world.RequestId].ActiveDisputeId).ShouldBe((false, (Guid?)null));
        (await Disputes.ForRequestsAsync(await fixture.CreateUserAsync(), world.CommunityId, ids)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_party_of_a_recognition_entry_disputes_it_and_no_one_else_can()
    {
        var world = await CreateAsync(fixture, failed: false);
        var entryId = await fixture.Get<CommunityApp.Features.Recognition.RecognitionService>()
            .GrantAsync(world.Requester, world.CommunityId, world.Owner, 3, "Mowed the common lawn");

        (await Disputes.RecognitionEntryTitleForOpeningAsync(world.Owner, entryId)).ShouldStartWith("3 units from ");
        await Should.ThrowAsync<ForbiddenException>(() => Disputes.OpenForRecognitionEntryAsync(world.Outsider, entryId, Input));
        await Should.ThrowAsync<ForbiddenException>(() => Disputes.RecognitionEntryTitleForOpeningAsync(world.Outsider, entryId));
        var id = await Disputes.OpenForRecognitionEntryAsync(world.Owner, entryId, Input);

        var view = await Disputes.GetAsync(world.Requester, id);
        (view.SubjectKind, view.SubjectId, view.Status).ShouldBe((DisputeSubjectKind.RecognitionEntry, entryId, DisputeStatus.Open));
        view.Parties.Select(p => p.UserId).ShouldBe([world.Requester, world.Owner], ignoreOrder: true);
        view.Subject!.Link.ShouldEndWith("/recognition");
        (await NotificationsAsync(world.Requester, NotificationKind.DisputeOpened)).ShouldBe(1);
        (await Key(() => Disputes.OpenForRecognitionEntryAsync(world.Requester, entryId, Input))).ShouldBe("Disputes.Error.AlreadyOpen");
        await Should.ThrowAsync<NotFoundException>(() => Disputes.GetAsync(world.Outsider, id));
    }

    [Fact]
    public async Task A_party_of_a_failed_request_opens_a_dispute_with_both_parties_and_the_other_party_is_told()
    {
        var (world, id) = await OpenedAsync();

        var view = await Disputes.GetAsync(world.Owner, id);
        view.Status.ShouldBe(DisputeStatus.Open);
        view.SubjectKind.ShouldBe(DisputeSubjectKind.Request);
        view.SubjectId.ShouldBe(world.RequestId);
        view.Parties.Select(p => p.UserId).ShouldBe([world.Requester, world.Owner], ignoreOrder: true);
        view.Subject!.Title.ShouldBe("Lawn mower");
        (await NotificationsAsync(world.Owner, NotificationKind.DisputeOpened)).ShouldBe(1);
        (await NotificationsAsync(world.Requester, NotificationKind.DisputeOpened)).ShouldBe(0);
        (await Disputes.TimelineAsync(world.Owner, id, 0, 50)).Items.Select(e => e.Kind).ShouldBe([DisputeEventKind.Opened]);
    }

    [Fact]
    public async Task A_request_accepted_recently_cannot_be_disputed_until_the_confirm_period_is_over()
    {
        var world = await CreateAsync(fixture, failed: false);

        (await Key(() => Disputes.OpenForRequestAsync(world.Owner, world.RequestId, Input))).ShouldBe("Disputes.Error.NotEligible");
        (await RequestStateAsync(world, world.Owner)).MayOpen.ShouldBeFalse();

        fixture.Clock.Set(DateTimeOffset.UtcNow.AddDays(14).AddMinutes(1));
        try
        {
            (await RequestStateAsync(world, world.Owner)).ShouldSatisfyAllConditions(
                r => r.MayOpen.ShouldBeTrue(), r => r.ConfirmDue.ShouldBeTrue());
            var id = await Disputes.OpenForRequestAsync(world.Owner, world.RequestId, Input);
            (await Disputes.GetAsync(world.Owner, id)).IAmOpener.ShouldBeTrue();
        }
        finally
        {
            fixture.Clock.Reset();
        }
    }

    [Fact]
    public async Task Pending_fulfilled_and_other_peoples_requests_cannot_be_disputed()
    {
        var world = await CreateAsync(fixture);
        var shares = fixture.Get<ShareService>();
        var pending = await shares.RequestAsync(world.Requester, world.ShareId, 1, null);
        (await Key(() => Disputes.OpenForRequestAsync(world.Requester, pending, Input))).ShouldBe("Disputes.Error.NotEligible");
        await shares.AcceptAsync(world.Owner, pending);
        await shares.FulfilAsync(world.Requester, pending);
        (await Key(() => Disputes.OpenForRequestAsync(world.Requester, pending, Input))).ShouldBe("Disputes.Error.NotEligible");
        // Someone who is not a party does not even learn the request exists.
        await Should.ThrowAsync<NotFoundException>(() => Disputes.OpenForRequestAsync(world.Outsider, world.RequestId, Input));
        await using var db = await fixture.NewContextAsync();
        (await db.Disputes.CountAsync(d => d.CommunityId == world.CommunityId)).ShouldBe(0);
    }

    [Fact]
    public async Task A_second_dispute_about_the_same_request_is_refused_while_one_is_open_and_allowed_after_it_closed()
    {
        var (world, id) = await OpenedAsync();
        (await Key(() => Disputes.OpenForRequestAsync(world.Owner, world.RequestId, Input))).ShouldBe("Disputes.Error.AlreadyOpen");
        await Disputes.WithdrawAsync(world.Requester, id);
        var again = await Disputes.OpenForRequestAsync(world.Owner, world.RequestId, Input);
        again.ShouldNotBe(id);
    }

    [Fact]
    public async Task Bad_titles_and_details_get_field_messages_and_save_nothing()
    {
        var world = await CreateAsync(fixture);
        var errors = await Refusals.FieldErrors(() => Disputes.OpenForRequestAsync(world.Requester, world.RequestId, new DisputeInput("  ", "")));
        errors.Keys.ShouldBe(["title", "details"], ignoreOrder: true);
        errors = await Refusals.FieldErrors(() => Disputes.OpenForRequestAsync(world.Requester, world.RequestId,
            new DisputeInput(new string('a', Dispute.TitleMaxLength + 1), new string('b', Dispute.DetailsMaxLength + 1))));
        errors["title"].ShouldContain("200");
        errors["details"].ShouldContain("5000");
        await using var db = await fixture.NewContextAsync();
        (await db.Disputes.CountAsync(d => d.CommunityId == world.CommunityId)).ShouldBe(0);
    }

    [Fact]
    public async Task The_open_entry_point_takes_any_subject_with_its_parties_who_must_be_members_and_include_the_opener()
    {
        var world = await CreateAsync(fixture);
        var entry = Guid.NewGuid();
        (await Key(() => Disputes.OpenAsync(world.Outsider, world.CommunityId, DisputeSubjectKind.RecognitionEntry, entry, [world.Requester, world.Owner], Input)))
            .ShouldBe("Disputes.Error.OnlyParty");
        var stranger = await fixture.CreateUserAsync();
        (await Key(() => Disputes.OpenAsync(world.Requester, world.CommunityId, DisputeSubjectKind.RecognitionEntry, entry, [world.Requester, stranger], Input)))
            .ShouldBe("Disputes.Error.Parties");
        (await Key(() => Disputes.OpenAsync(world.Requester, world.CommunityId, DisputeSubjectKind.RecognitionEntry, entry, [world.Requester], Input)))
            .ShouldBe("Disputes.Error.Parties");

        var id = await Disputes.OpenAsync(world.Requester, world.CommunityId, DisputeSubjectKind.RecognitionEntry, entry, [world.Requester, world.Outsider], Input);
        var view = await Disputes.GetAsync(world.Outsider, id);
        view.SubjectKind.ShouldBe(DisputeSubjectKind.RecognitionEntry);
        view.Parties.Select(p => p.UserId).ShouldBe([world.Requester, world.Outsider], ignoreOrder: true);
    }

    [Fact]
    public async Task Handlers_by_role_by_trust_by_council_and_admins_may_offer_and_others_are_refused_with_the_reason()
    {
        var (world, id) = await OpenedAsync();
        var refused = await Refusals.Refusal(() => Disputes.OfferToMediateAsync(world.Outsider, id));
        refused.ShouldContain("20");

        var trusted = await fixture.AddMemberAsync(world.CommunityId, score: 20);
        await Disputes.OfferToMediateAsync(trusted, id);
        await Disputes.OfferToMediateAsync(world.Admin, id);
        await Disputes.OfferToMediateAsync(world.Handler, id);

        // A manager of a council listed in disputeHandlingCouncils handles disputes too.
        var manager = await fixture.AddMemberAsync(world.CommunityId, score: 25);
        var councilId = await fixture.Get<CouncilService>().CreateAsync(manager, world.CommunityId, new CouncilInput("Peace council", "We help neighbours settle things."));
        await fixture.Get<SettingsService>().SaveAsync(world.Admin, world.CommunityId, new SettingsPatch { DisputeHandlingCouncils = [councilId] });
        await fixture.SetScoreAsync(world.CommunityId, manager, 0);
        await Disputes.OfferToMediateAsync(manager, id);

        (await Disputes.GetAsync(world.Requester, id)).Mediators.Count.ShouldBe(4);
        (await Key(() => Disputes.OfferToMediateAsync(world.Handler, id))).ShouldBe("Disputes.Error.AlreadyOffered");
        (await NotificationsAsync(world.Requester, NotificationKind.DisputeMediatorOffered)).ShouldBe(4);
        (await NotificationsAsync(world.Owner, NotificationKind.DisputeMediatorOffered)).ShouldBe(4);
        (await AuditAsync(world.CommunityId, AuditAction.DisputeMediationOffered)).ShouldBe(4);
    }

    [Fact]
    public async Task A_party_cannot_mediate_their_own_dispute()
    {
        var world = await CreateAsync(fixture);
        await fixture.SetScoreAsync(world.CommunityId, world.Owner, 30);
        var id = await Disputes.OpenForRequestAsync(world.Requester, world.RequestId, Input);
        (await Key(() => Disputes.OfferToMediateAsync(world.Owner, id))).ShouldBe("Disputes.Error.PartyCannotMediate");
    }

    [Fact]
    public async Task A_mediator_is_accepted_only_once_every_party_accepted_and_the_dispute_moves_into_mediation()
    {
        var (world, id) = await OpenedAsync();
        await Disputes.OfferToMediateAsync(world.Handler, id);
        var mediatorId = (await Disputes.GetAsync(world.Requester, id)).Mediators.Single().Id;

        await Disputes.AnswerMediatorAsync(world.Requester, mediatorId, true);
        var half = await Disputes.GetAsync(world.Requester, id);
        half.Status.ShouldBe(DisputeStatus.Open);
        half.Mediators.Single().Status.ShouldBe(MediatorStatus.Offered);
        // Until then the handler sees no more than anyone else: "not found", never the title.
        (await Should.ThrowAsync<NotFoundException>(() => Disputes.GetAsync(world.Handler, id))).Message.ShouldNotContain("mower");
        (await Key(() => Disputes.AnswerMediatorAsync(world.Requester, mediatorId, true))).ShouldBe("Disputes.Error.AlreadyAnswered");
        await Should.ThrowAsync<NotFoundException>(() => Disputes.AnswerMediatorAsync(world.Outsider, mediatorId, true));

        await Disputes.AnswerMediatorAsync(world.Owner, mediatorId, true);
        var view = await Disputes.GetAsync(world.Handler, id);
        view.Status.ShouldBe(DisputeStatus.InMediation);
        view.Mediators.Single().Status.ShouldBe(MediatorStatus.Accepted);
        view.IAmMediator.ShouldBeTrue();
        (await NotificationsAsync(world.Handler, NotificationKind.DisputeMediatorAccepted)).ShouldBe(1);
        (await Disputes.TimelineAsync(world.Handler, id, 0, 50)).Items.Select(e => e.Kind).ShouldBe([
            DisputeEventKind.Opened, DisputeEventKind.MediatorOffered, DisputeEventKind.MediatorAcceptedByParty, DisputeEventKind.MediatorAcceptedByParty,
            DisputeEventKind.MediatorAccepted, DisputeEventKind.MediationStarted,
        ]);
        (await Disputes.MineAsync(world.Handler, world.CommunityId, 0, 20)).Items.Single().AsMediator.ShouldBeTrue();
    }

    [Fact]
    public async Task One_rejection_ends_an_offer_and_the_dispute_stays_open()
    {
        var (world, id) = await OpenedAsync();
        await Disputes.OfferToMediateAsync(world.Handler, id);
        var mediatorId = (await Disputes.GetAsync(world.Requester, id)).Mediators.Single().Id;
        await Disputes.AnswerMediatorAsync(world.Owner, mediatorId, false);

        (await Key(() => Disputes.AnswerMediatorAsync(world.Requester, mediatorId, true))).ShouldBe("Disputes.Error.OfferDecided");
        var view = await Disputes.GetAsync(world.Requester, id);
        view.Status.ShouldBe(DisputeStatus.Open);
        view.Mediators.Single().Status.ShouldBe(MediatorStatus.Rejected);
        (await NotificationsAsync(world.Handler, NotificationKind.DisputeMediatorRejected)).ShouldBe(1);
        await Should.ThrowAsync<NotFoundException>(() => Disputes.GetAsync(world.Handler, id));
    }

    [Fact]
    public async Task Only_parties_accepted_mediators_and_admins_see_a_dispute_and_its_pictures()
    {
        var (world, id, _) = await InMediationAsync();
        (await Disputes.GetAsync(world.Admin, id)).IAmAdmin.ShouldBeTrue();
        var hidden = await Should.ThrowAsync<NotFoundException>(() => Disputes.GetAsync(world.Outsider, id));
        var missing = await Should.ThrowAsync<NotFoundException>(() => Disputes.GetAsync(world.Outsider, Guid.NewGuid()));
        hidden.Message.ShouldBe(missing.Message);
        await Should.ThrowAsync<NotFoundException>(() => Disputes.TimelineAsync(world.Outsider, id, 0, 50));
        await Should.ThrowAsync<NotFoundException>(() => Disputes.PostMessageAsync(world.Outsider, id, "Let me in"));
        (await Disputes.MineAsync(world.Outsider, world.CommunityId, 0, 20)).Total.ShouldBe(0);
    }

    [Fact]
    public async Task The_queue_lists_open_disputes_without_titles_to_handlers_only_and_the_badge_counts_what_a_handler_can_take()
    {
        var (world, id) = await OpenedAsync();
        (await Disputes.AwaitingMediatorCountAsync(world.Handler, world.CommunityId)).ShouldBe(1);
        (await Disputes.AwaitingMediatorCountAsync(world.Outsider, world.CommunityId)).ShouldBe(0);
        await Should.ThrowAsync<ForbiddenException>(() => Disputes.QueueAsync(world.Outsider, world.CommunityId, 0, 20));

        var row = (await Disputes.QueueAsync(world.Handler, world.CommunityId, 0, 20)).Items.Single();
        row.Id.ShouldBe(id);
        row.Parties.ShouldBe(2);
        typeof(QueueRow).GetProperties().Select(p => p.Name).ShouldNotContain("Title");
        typeof(QueueRow).GetProperties().Select(p => p.Name).ShouldNotContain("Details");

        await Disputes.OfferToMediateAsync(world.Handler, id);
        (await Disputes.QueueAsync(world.Handler, world.CommunityId, 0, 20)).Items.Single().MyOffer.ShouldBe(MediatorStatus.Offered);
        (await Disputes.AwaitingMediatorCountAsync(world.Handler, world.CommunityId)).ShouldBe(0);
    }

    [Fact]
    public async Task Messages_are_markdown_from_those_involved_with_field_messages_for_bad_input_and_mediator_messages_are_audited()
    {
        var (world, id, _) = await InMediationAsync();
        (await Refusals.FieldErrors(() => Disputes.PostMessageAsync(world.Requester, id, "   "))).Keys.ShouldBe(["body"]);
        (await Refusals.FieldErrors(() => Disputes.PostMessageAsync(world.Requester, id, new string('x', Dispute.MessageMaxLength + 1)))).Keys.ShouldBe(["body"]);
        (await Refusals.FieldErrors(() => Disputes.PostMessageAsync(world.Requester, id, "bad\0text"))).Keys.ShouldBe(["body"]);

        await Disputes.PostMessageAsync(world.Requester, id, "I waited **all day**.");
        await Disputes.PostMessageAsync(world.Handler, id, "Let us find a new date.");
        var messages = (await Disputes.TimelineAsync(world.Owner, id, 0, 50)).Items.Where(e => e.Kind == DisputeEventKind.Message).ToList();
        messages.Select(m => m.Body).ShouldBe(["I waited **all day**.", "Let us find a new date."]);
        (await NotificationsAsync(world.Owner, NotificationKind.DisputeMessage)).ShouldBe(2);
        (await NotificationsAsync(world.Handler, NotificationKind.DisputeMessage)).ShouldBe(1);
        (await AuditAsync(world.CommunityId, AuditAction.DisputeMessagePosted)).ShouldBe(1);
    }

    [Fact]
    public async Task Pictures_are_checked_like_share_pictures_and_counted_per_dispute()
    {
        var (world, id, _) = await InMediationAsync();
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];
        (await Refusals.FieldErrors(() => Disputes.AddImageAsync(world.Requester, id, new MemoryStream("not an image"u8.ToArray())))).Keys.ShouldBe(["image"]);
        var tooLarge = new byte[UploadedImages.MaxBytes + 1];
        png.CopyTo(tooLarge, 0);
        (await Refusals.FieldErrors(() => Disputes.AddImageAsync(world.Requester, id, new MemoryStream(tooLarge)))).Keys.ShouldBe(["image"]);
        await using (var db = await fixture.NewContextAsync()) (await db.DisputeImages.CountAsync(i => i.DisputeId == id)).ShouldBe(0);

        await Disputes.AddImageAsync(world.Requester, id, new MemoryStream(png));
        var evidence = (await Disputes.TimelineAsync(world.Owner, id, 0, 50)).Items.Single(e => e.Kind == DisputeEventKind.Evidence);
        evidence.ImageUrl.ShouldStartWith("/images/disputes/");
        (await NotificationsAsync(world.Owner, NotificationKind.DisputeEvidenceAdded)).ShouldBe(1);

        for (var i = 1; i < Dispute.MaxImages; i++) await Disputes.AddImageAsync(world.Owner, id, new MemoryStream(png));
        (await Refusals.FieldErrors(() => Disputes.AddImageAsync(world.Owner, id, new MemoryStream(png)))).Keys.ShouldBe(["image"]);
    }

    [Fact]
    public async Task An_accepted_mediator_resolves_with_a_private_outcome_that_no_member_sees_on_the_request()
    {
        var (world, id, _) = await InMediationAsync();
        (await Key(() => Disputes.ResolveAsync(world.Requester, id, "We agree", true))).ShouldBe("Disputes.Error.OnlyMediator");
        (await Refusals.FieldErrors(() => Disputes.ResolveAsync(world.Handler, id, " ", false))).Keys.ShouldBe(["outcome"]);

        await Disputes.ResolveAsync(world.Handler, id, "The owner lends it **next Sunday**.", isPublic: false);
        var view = await Disputes.GetAsync(world.Requester, id);
        view.Status.ShouldBe(DisputeStatus.Resolved);
        view.OutcomePublic.ShouldBe(false);
        (await RequestStateAsync(world, world.Outsider)).PublicOutcomes.ShouldBeEmpty();
        (await RequestStateAsync(world, world.Requester)).PublicOutcomes.ShouldBeEmpty();
        (await NotificationsAsync(world.Requester, NotificationKind.DisputeResolved)).ShouldBe(1);
        (await NotificationsAsync(world.Owner, NotificationKind.DisputeResolved)).ShouldBe(1);
        (await AuditAsync(world.CommunityId, AuditAction.DisputeResolved)).ShouldBe(1);

        (await Key(() => Disputes.ResolveAsync(world.Handler, id, "Again", true))).ShouldBe("Disputes.Error.NotActive");
        (await Key(() => Disputes.CloseAsync(world.Admin, id, "Too late"))).ShouldBe("Disputes.Error.NotActive");
        (await Key(() => Disputes.WithdrawAsync(world.Requester, id))).ShouldBe("Disputes.Error.NotActive");
        (await Key(() => Disputes.PostMessageAsync(world.Requester, id, "Hello?"))).ShouldBe("Disputes.Error.NotActive");
    }

    [Fact]
    public async Task A_public_outcome_shows_on_the_request_to_members()
    {
        var (world, id, _) = await InMediationAsync();
        await Disputes.ResolveAsync(world.Handler, id, "Lent next Sunday.", isPublic: true);
        (await RequestStateAsync(world, world.Outsider)).PublicOutcomes.ShouldBe(["Lent next Sunday."]);
    }

    [Fact]
    public async Task An_open_dispute_cannot_be_resolved_before_a_mediator_is_accepted()
    {
        var (world, id) = await OpenedAsync();
        (await Key(() => Disputes.ResolveAsync(world.Admin, id, "Done", true))).ShouldBe("Disputes.Error.OnlyMediator");
        await Disputes.OfferToMediateAsync(world.Handler, id);
        // A handler whose offer is not accepted yet is, to the dispute, anyone: it does not exist for them.
        await Should.ThrowAsync<NotFoundException>(() => Disputes.ResolveAsync(world.Handler, id, "Done", true));
        (await Disputes.GetAsync(world.Requester, id)).Status.ShouldBe(DisputeStatus.Open);
    }

    [Fact]
    public async Task Only_the_opener_withdraws_and_only_mediators_or_admins_close_with_a_reason()
    {
        var (world, id, _) = await InMediationAsync();
        (await Key(() => Disputes.WithdrawAsync(world.Owner, id))).ShouldBe("Disputes.Error.OnlyOpener");
        (await Key(() => Disputes.CloseAsync(world.Owner, id, "Enough"))).ShouldBe("Disputes.Error.OnlyMediatorOrAdmin");
        (await Refusals.FieldErrors(() => Disputes.CloseAsync(world.Admin, id, ""))).Keys.ShouldBe(["reason"]);
        (await Refusals.FieldErrors(() => Disputes.CloseAsync(world.Admin, id, new string('r', Dispute.ReasonMaxLength + 1)))).Keys.ShouldBe(["reason"]);

        await Disputes.CloseAsync(world.Admin, id, "Settled outside the app");
        var view = await Disputes.GetAsync(world.Requester, id);
        view.Status.ShouldBe(DisputeStatus.Closed);
        view.CloseReason.ShouldBe("Settled outside the app");
        (await AuditAsync(world.CommunityId, AuditAction.DisputeClosed)).ShouldBe(1);
        (await NotificationsAsync(world.Handler, NotificationKind.DisputeClosed)).ShouldBe(1);
        (await NotificationsAsync(world.Requester, NotificationKind.DisputeClosed)).ShouldBe(1);
    }

    [Fact]
    public async Task The_opener_withdraws_an_open_dispute_and_the_other_party_is_told()
    {
        var (world, id) = await OpenedAsync();
        await Disputes.WithdrawAsync(world.Requester, id);
        (await Disputes.GetAsync(world.Owner, id)).Status.ShouldBe(DisputeStatus.Closed);
        (await NotificationsAsync(world.Owner, NotificationKind.DisputeClosed)).ShouldBe(1);
        (await Disputes.TimelineAsync(world.Owner, id, 0, 50)).Items.Last().Kind.ShouldBe(DisputeEventKind.Withdrawn);
        (await Key(() => Disputes.OfferToMediateAsync(world.Handler, id))).ShouldBe("Disputes.Error.NotActive");
    }

    [Fact]
    public async Task The_confirm_period_is_a_setting_from_1_to_365_days_with_a_field_message()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var settings = fixture.Get<SettingsService>();
        (await settings.GetAsync(admin, communityId)).RequestConfirmDays.ShouldBe(14);
        (await Refusals.FieldErrors(() => settings.SaveAsync(admin, communityId, new SettingsPatch { RequestConfirmDays = 0 }))).Keys.ShouldBe(["requestConfirmDays"]);
        (await Refusals.FieldErrors(() => settings.SaveAsync(admin, communityId, new SettingsPatch { RequestConfirmDays = 366 }))).Keys.ShouldBe(["requestConfirmDays"]);
        await settings.SaveAsync(admin, communityId, new SettingsPatch { RequestConfirmDays = 3 });
        (await settings.GetAsync(admin, communityId)).RequestConfirmDays.ShouldBe(3);
        (await AuditAsync(communityId, AuditAction.SettingsChanged)).ShouldBe(1);
    }
}
