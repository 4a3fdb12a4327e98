using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Disputes;
using CommunityApp.Tests.Infrastructure;
using static CommunityApp.Tests.Features.Disputes.DisputeWorld;

namespace CommunityApp.Tests.Features.Disputes;

/// <summary>docs/SPEC.md §12 under parallel clicks: one open dispute per subject, and mediator answers that all count.</summary>
public sealed class DisputeConcurrencyTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private DisputeService Disputes => fixture.Get<DisputeService>();

    [Fact]
    public async Task Both_parties_opening_at_once_make_exactly_one_dispute()
    {
        for (var round = 0; round < 5; round++)
        {
            var world = await CreateAsync(fixture);
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Race.Attempt(() =>
                Disputes.OpenForRequestAsync(i % 2 == 0 ? world.Requester : world.Owner, world.RequestId, Input))));

            results.Count(won => won).ShouldBe(1);
            await using var db = await fixture.NewContextAsync();
            (await db.Disputes.CountAsync(d => d.SubjectId == world.RequestId)).ShouldBe(1);
            var id = await db.Disputes.Where(d => d.SubjectId == world.RequestId).Select(d => d.Id).SingleAsync();
            (await db.DisputeParties.CountAsync(p => p.DisputeId == id)).ShouldBe(2);
        }
    }

    [Fact]
    public async Task Parallel_opens_that_pass_the_check_together_are_stopped_by_the_unique_index()
    {
        var world = await CreateAsync(fixture);
        var entry = Guid.NewGuid();
        var losers = new List<string>();
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            try
            {
                await Disputes.OpenAsync(world.Requester, world.CommunityId, DisputeSubjectKind.RecognitionEntry, entry, [world.Requester, world.Owner], Input);
                return true;
            }
            catch (DisputeRefusal ex)
            {
                lock (losers) losers.Add(ex.Key);
                return false;
            }
        }));
        results.Count(won => won).ShouldBe(1);
        losers.ShouldAllBe(key => key == "Disputes.Error.AlreadyOpen");
        await using var db = await fixture.NewContextAsync();
        (await db.Disputes.CountAsync(d => d.SubjectId == entry)).ShouldBe(1);
    }

    [Fact]
    public async Task Both_parties_accepting_a_mediator_at_once_accept_it_once_and_start_mediation_once()
    {
        for (var round = 0; round < 5; round++)
        {
            var world = await CreateAsync(fixture);
            var id = await Disputes.OpenForRequestAsync(world.Requester, world.RequestId, Input);
            await Disputes.OfferToMediateAsync(world.Handler, id);
            var mediatorId = (await Disputes.GetAsync(world.Requester, id)).Mediators.Single().Id;

            await Task.WhenAll(Disputes.AnswerMediatorAsync(world.Requester, mediatorId, true), Disputes.AnswerMediatorAsync(world.Owner, mediatorId, true));

            var view = await Disputes.GetAsync(world.Requester, id);
            view.Status.ShouldBe(DisputeStatus.InMediation);
            view.Mediators.Single().Status.ShouldBe(MediatorStatus.Accepted);
            view.Mediators.Single().Answers.Count.ShouldBe(2);
            var kinds = (await Disputes.TimelineAsync(world.Requester, id, 0, 50)).Items.Select(e => e.Kind).ToList();
            kinds.Count(k => k == DisputeEventKind.MediatorAccepted).ShouldBe(1);
            kinds.Count(k => k == DisputeEventKind.MediationStarted).ShouldBe(1);
        }
    }

    [Fact]
    public async Task One_party_accepting_while_the_other_rejects_leaves_the_offer_rejected_and_the_dispute_open()
    {
        for (var round = 0; round < 5; round++)
        {
            var world = await CreateAsync(fixture);
            var id = await Disputes.OpenForRequestAsync(world.Requester, world.RequestId, Input);
            await Disputes.OfferToMediateAsync(world.Handler, id);
            var mediatorId = (await Disputes.GetAsync(world.Requester, id)).Mediators.Single().Id;

            await Task.WhenAll(Race.Attempt(() => Disputes.AnswerMediatorAsync(world.Requester, mediatorId, true)),
                Race.Attempt(() => Disputes.AnswerMediatorAsync(world.Owner, mediatorId, false)));

            var view = await Disputes.GetAsync(world.Requester, id);
            view.Status.ShouldBe(DisputeStatus.Open);
            view.Mediators.Single().Status.ShouldBe(MediatorStatus.Rejected);
        }
    }

    [Fact]
    public async Task The_same_party_answering_twice_at_once_is_counted_once()
    {
        var world = await CreateAsync(fixture);
        var id = await Disputes.OpenForRequestAsync(world.Requester, world.RequestId, Input);
        await Disputes.OfferToMediateAsync(world.Handler, id);
        var mediatorId = (await Disputes.GetAsync(world.Requester, id)).Mediators.Single().Id;

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Race.Attempt(() => Disputes.AnswerMediatorAsync(world.Requester, mediatorId, true))));

        results.Count(won => won).ShouldBe(1);
        var view = await Disputes.GetAsync(world.Requester, id);
        view.Mediators.Single().Status.ShouldBe(MediatorStatus.Offered);
        view.Status.ShouldBe(DisputeStatus.Open);
    }
}
