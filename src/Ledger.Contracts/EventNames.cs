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
        [typeof(EvidenceAttached)] = "evidence_attached.v1",
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
}
