namespace CommunityApp.Features.Disputes;

public sealed record PersonRef(string UserId, string Name);

/// <summary>What a dispute is about, as a link: the request's share.</summary>
public sealed record SubjectRef(string Title, string Link);

/// <summary>An offered mediator and each party's answer so far (party id → accepted).</summary>
public sealed record MediatorView(Guid Id, string UserId, string Name, MediatorStatus Status, DateTime OfferedAt, IReadOnlyDictionary<string, bool> Answers);

public sealed record DisputeView(
    Guid Id, Guid CommunityId, DisputeSubjectKind SubjectKind, Guid SubjectId, SubjectRef? Subject, string Title, string Details, DisputeStatus Status,
    string OpenedById, string OpenedByName, DateTime OpenedAt, IReadOnlyList<PersonRef> Parties, IReadOnlyList<MediatorView> Mediators,
    string? Outcome, bool? OutcomePublic, DateTime? ResolvedAt, string? CloseReason, DateTime? ClosedAt,
    bool IAmParty, bool IAmMediator, bool IAmAdmin, bool IAmOpener)
{
    public bool IsActive => Status is DisputeStatus.Open or DisputeStatus.InMediation;
}

/// <summary>One line of the timeline: who did what, the message or reason, the picture.</summary>
public sealed record TimelineRow(Guid Id, DisputeEventKind Kind, string ActorName, string? SubjectUserName, string? Body, string? ImageUrl, DateTime At);

/// <summary>A dispute in my list; <see cref="AsMediator"/> when I mediate it rather than being a party.</summary>
public sealed record DisputeRow(Guid Id, string Title, DisputeStatus Status, DisputeSubjectKind SubjectKind, DateTime OpenedAt, DateTime LastActivityAt, bool AsMediator);

/// <summary>A dispute waiting for a mediator, as handlers see it: no title, no details.</summary>
public sealed record QueueRow(Guid Id, DisputeSubjectKind SubjectKind, DateTime OpenedAt, int Parties, int PendingOffers, MediatorStatus? MyOffer, bool IAmParty);

/// <summary>Disputes as a request's card shows them.</summary>
public sealed record RequestDisputes(bool MayOpen, bool ConfirmDue, Guid? ActiveDisputeId, IReadOnlyList<string> PublicOutcomes, Guid CommunityId = default)
{
    public static readonly RequestDisputes None = new(false, false, null, []);
}
