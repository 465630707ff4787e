namespace Ledger.Contracts;

/// <summary>
/// The names events are stored under. A stored name never changes: a new shape is a new type with a
/// new name plus an upcaster. A snapshot test in the domain tests fails if any name here changes.
/// </summary>
public static class EventNames
{
    public static IReadOnlyDictionary<Type, string> All { get; } = new Dictionary<Type, string>
    {
        [typeof(GovernmentRegistered)] = "government_registered.v1",
        [typeof(AgreementDrafted)] = "agreement_drafted.v1",
        [typeof(PartySigned)] = "party_signed.v1",
        [typeof(AgreementActivated)] = "agreement_activated.v1",
        [typeof(AgreementAmended)] = "agreement_amended.v1",
        [typeof(AgreementTerminated)] = "agreement_terminated.v1",
        [typeof(CommitmentRegistered)] = "commitment_registered.v1",
        [typeof(IndicatorDefined)] = "indicator_defined.v1",
        [typeof(MilestoneScheduled)] = "milestone_scheduled.v1",
        [typeof(ContributorAssigned)] = "contributor_assigned.v1",
        [typeof(CommitmentActivated)] = "commitment_activated.v1",
        [typeof(CommitmentSuspended)] = "commitment_suspended.v1",
        [typeof(CommitmentResumed)] = "commitment_resumed.v1",
        [typeof(CommitmentWithdrawn)] = "commitment_withdrawn.v1",
        [typeof(ProgressReported)] = "progress_reported.v1",
        [typeof(ProgressCorrected)] = "progress_corrected.v1",
        [typeof(EvidenceAttached)] = "evidence_attached.v2",
        [typeof(FulfilmentClaimed)] = "fulfilment_claimed.v1",
        [typeof(ClaimWithdrawn)] = "claim_withdrawn.v1",
        [typeof(VerificationCompleted)] = "verification_completed.v1",
        [typeof(MilestoneStatusChanged)] = "milestone_status_changed.v1",
        [typeof(CommitmentAssessed)] = "commitment_assessed.v1",
        [typeof(RectificationOrdered)] = "rectification_ordered.v1",
        [typeof(RectificationResponded)] = "rectification_responded.v1",
        [typeof(RectificationAccepted)] = "rectification_accepted.v1",
        [typeof(RectificationRejected)] = "rectification_rejected.v1",
        [typeof(EscalationRaised)] = "escalation_raised.v1",
        [typeof(EscalationDecided)] = "escalation_decided.v1",
        [typeof(CommitmentRevised)] = "commitment_revised.v1",
        [typeof(DeadlineApproaching)] = "deadline_approaching.v1",
        [typeof(CommitmentOverdue)] = "commitment_overdue.v1",
        [typeof(ReportMissing)] = "report_missing.v1",
        [typeof(EvaluationCycleOpened)] = "evaluation_cycle_opened.v1",
        [typeof(ScorecardPublished)] = "scorecard_published.v1",
        [typeof(GovernmentNotScored)] = "government_not_scored.v1",
        [typeof(ScoreAppealed)] = "score_appealed.v1",
        [typeof(ScoreAppealDecided)] = "score_appeal_decided.v1",
        [typeof(AccountCreated)] = "account_created.v1",
        [typeof(AccountRoleGranted)] = "account_role_granted.v1",
        [typeof(AccountDisabled)] = "account_disabled.v1",
        [typeof(AccountPasswordChanged)] = "account_password_changed.v1",
        [typeof(AccountPasswordReset)] = "account_password_reset.v1",
    };

    /// <summary>
    /// Names no longer written, each with the shape it was stored in and how that shape reads as the
    /// current one. Events stored under them keep their bytes (and so their leaves) for ever; every
    /// reader upcasts them the same way: the store (Marten's Upcast), the bundle's verifier and import.
    /// </summary>
    public static IReadOnlyList<Retired> RetiredNames { get; } =
    [
        Retired.As<EvidenceAttachedV1, EvidenceAttached>("evidence_attached.v1", old => old.Upcast()),
    ];

    /// <summary>Every stored name, current and retired, with the type its JSON is read as.</summary>
    public static IReadOnlyDictionary<string, Type> TypesByName { get; } =
        All.Select(p => KeyValuePair.Create(p.Value, p.Key))
            .Concat(RetiredNames.Select(r => KeyValuePair.Create(r.Name, r.StoredType)))
            .ToDictionary(StringComparer.Ordinal);

    /// <summary>The name an event of this type is stored under (a retired shape keeps its retired name).</summary>
    public static string NameOf(Type type) =>
        All.TryGetValue(type, out var name) ? name
        : RetiredNames.FirstOrDefault(r => r.StoredType == type)?.Name
          ?? throw new ArgumentException($"{type.Name} is not a stored event type.", nameof(type));

    /// <summary>An event as the current shapes read it: a retired shape upcast, any other returned as it is.</summary>
    public static object Current(object @event) =>
        RetiredNames.FirstOrDefault(r => r.StoredType == @event.GetType()) is { } retired ? retired.Upcast(@event) : @event;

    /// <summary>A retired stored name: the shape it was stored in, the shape it reads as, and the upcast between them.</summary>
    public sealed record Retired(string Name, Type StoredType, Type CurrentType, Func<object, object> Upcast)
    {
        public static Retired As<TOld, TNew>(string name, Func<TOld, TNew> upcast) where TOld : notnull where TNew : notnull =>
            new(name, typeof(TOld), typeof(TNew), old => upcast((TOld)old));
    }
}
