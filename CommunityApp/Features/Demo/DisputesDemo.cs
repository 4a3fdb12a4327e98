using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Disputes;
using CommunityApp.Features.Wealth;

namespace CommunityApp.Features.Demo;

/// <summary>
/// Disputes (docs/SPEC.md §12): Iván's mower hand-over that never happened (reported failed) becomes a dispute that Jo, an
/// admin, mediates and resolves with a public outcome; Gus's workbench afternoon with Mateo, accepted long ago and never
/// confirmed, is in mediation with Dmitri, whom Ana gave the dispute handler role. Every move goes through
/// <see cref="DisputeService"/>. Runs after the wealth step; skipped when the community has a dispute already.
/// </summary>
internal sealed class DisputesDemo : IDemoStep
{
    public async Task<bool> RunAsync(DemoStory s, bool earlierChanged, CancellationToken ct)
    {
        Guid? mower, bench;
        await using (var db = await s.DbAsync(ct))
        {
            if (await db.Disputes.AnyAsync(d => d.CommunityId == s.CommunityId, ct)) return false;
            mower = await RequestAsync(db, s, "Petrol lawn mower", s["ivan"], RequestStatus.Failed, ct);
            bench = await RequestAsync(db, s, "Workbench time in my shed", s["mateo"], RequestStatus.Accepted, ct);
        }
        var changed = false;
        if (mower is { } mowerRequest)
        {
            var id = await s.At(26, 18).Get<DisputeService>().OpenForRequestAsync(s["ivan"], mowerRequest, new DisputeInput(
                "The mower hand-over that never happened",
                "Ana accepted my request, but twice we missed each other and I had to hire a mower for the allotment. I'd like us to agree how to avoid this."), ct);
            await s.At(25, 9).Get<DisputeService>().OfferToMediateAsync(s["jo"], id, ct);
            var mediator = (await s.Get<DisputeService>().GetAsync(s["ivan"], id, ct)).Mediators.Single().Id;
            await s.At(25, 10).Get<DisputeService>().AnswerMediatorAsync(s["ivan"], mediator, true, ct);
            await s.At(25, 12).Get<DisputeService>().AnswerMediatorAsync(s["ana"], mediator, true, ct);
            await s.At(24, 19).Get<DisputeService>().PostMessageAsync(s["ana"], id, "I'm sorry, Iván. I was called away and forgot to message you.", ct);
            await s.At(24, 20).Get<DisputeService>().PostMessageAsync(s["jo"], id,
                "Thank you both. Proposal: borrowers confirm the day before in the request's messages, and owners say when plans change.", ct);
            await s.At(23, 11).Get<DisputeService>().ResolveAsync(s["jo"], id,
                "Agreed: confirm the day before a hand-over in the request's messages; the owner tells the borrower as soon as plans change. Ana lends Iván the mower first next season.",
                isPublic: true, ct);
            changed = true;
        }
        if (bench is { } benchRequest)
        {
            var id = await s.At(3, 10).Get<DisputeService>().OpenForRequestAsync(s["gus"], benchRequest, new DisputeInput(
                "Workbench afternoon: did it happen?",
                "Mateo booked an afternoon at my bench. I waited on Sunday but he didn't come, and the request is still open. I'd rather sort it out than just cancel."), ct);
            // Ana asks Dmitri, calm and known to everyone, to handle disputes (the role, below the trust it asks for).
            await s.At(3, 12).Members.GrantFeatureRoleAsync(s["ana"], s.CommunityId, s["dmitri"], Auth.FeatureRole.DisputeHandler, ct);
            await s.At(2, 18).Get<DisputeService>().OfferToMediateAsync(s["dmitri"], id, ct);
            var mediator = (await s.Get<DisputeService>().GetAsync(s["gus"], id, ct)).Mediators.Single().Id;
            await s.At(2, 19).Get<DisputeService>().AnswerMediatorAsync(s["gus"], mediator, true, ct);
            await s.At(2, 21).Get<DisputeService>().AnswerMediatorAsync(s["mateo"], mediator, true, ct);
            await s.At(1, 9).Get<DisputeService>().PostMessageAsync(s["mateo"], id, "I had an exam that week and forgot to write. Could we find another **Sunday**?", ct);
            await s.At(1, 11).Get<DisputeService>().PostMessageAsync(s["dmitri"], id, "Gus, would the 14th work for you? If so, Mateo confirms here.", ct);
            changed = true;
        }
        return changed;
    }

    /// <summary>The request of <paramref name="requesterId"/> on the share with this title, if it is in the state the story needs.</summary>
    private static async Task<Guid?> RequestAsync(Data.AppDbContext db, DemoStory s, string shareTitle, string requesterId, RequestStatus status, CancellationToken ct) =>
        await db.ShareRequests.Where(r => r.Share.CommunityId == s.CommunityId && r.Share.Title == shareTitle && r.RequesterId == requesterId && r.Status == status)
            .OrderBy(r => r.CreatedAt).Select(r => (Guid?)r.Id).FirstOrDefaultAsync(ct);
}
