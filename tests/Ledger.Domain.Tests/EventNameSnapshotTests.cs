using System.Reflection;
using System.Text.RegularExpressions;
using Ledger.Contracts;

namespace Ledger.Domain.Tests;

/// <summary>
/// Stored event names are history: renaming one, or renaming or moving the type it is pinned to,
/// would orphan every event already written. Changing this snapshot is a deliberate act that needs
/// a new versioned type and an upcaster, never an edit in place.
/// </summary>
public partial class EventNameSnapshotTests
{
    private static readonly (string Type, string Name)[] Snapshot =
    [
        ("Ledger.Contracts.GovernmentRegistered", "government_registered.v1"),
        ("Ledger.Contracts.AgreementDrafted", "agreement_drafted.v1"),
        ("Ledger.Contracts.PartySigned", "party_signed.v1"),
        ("Ledger.Contracts.AgreementActivated", "agreement_activated.v1"),
        ("Ledger.Contracts.AgreementAmended", "agreement_amended.v1"),
        ("Ledger.Contracts.AgreementTerminated", "agreement_terminated.v1"),
        ("Ledger.Contracts.CommitmentRegistered", "commitment_registered.v1"),
        ("Ledger.Contracts.IndicatorDefined", "indicator_defined.v1"),
        ("Ledger.Contracts.MilestoneScheduled", "milestone_scheduled.v1"),
        ("Ledger.Contracts.ContributorAssigned", "contributor_assigned.v1"),
        ("Ledger.Contracts.CommitmentActivated", "commitment_activated.v1"),
        ("Ledger.Contracts.CommitmentSuspended", "commitment_suspended.v1"),
        ("Ledger.Contracts.CommitmentResumed", "commitment_resumed.v1"),
        ("Ledger.Contracts.CommitmentWithdrawn", "commitment_withdrawn.v1"),
        ("Ledger.Contracts.ProgressReported", "progress_reported.v1"),
        ("Ledger.Contracts.ProgressCorrected", "progress_corrected.v1"),
        ("Ledger.Contracts.EvidenceAttached", "evidence_attached.v2"),
        ("Ledger.Contracts.FulfilmentClaimed", "fulfilment_claimed.v1"),
        ("Ledger.Contracts.ClaimWithdrawn", "claim_withdrawn.v1"),
        ("Ledger.Contracts.VerificationCompleted", "verification_completed.v1"),
        ("Ledger.Contracts.MilestoneStatusChanged", "milestone_status_changed.v1"),
        ("Ledger.Contracts.CommitmentAssessed", "commitment_assessed.v1"),
        ("Ledger.Contracts.RectificationOrdered", "rectification_ordered.v1"),
        ("Ledger.Contracts.RectificationResponded", "rectification_responded.v1"),
        ("Ledger.Contracts.RectificationAccepted", "rectification_accepted.v1"),
        ("Ledger.Contracts.RectificationRejected", "rectification_rejected.v1"),
        ("Ledger.Contracts.EscalationRaised", "escalation_raised.v1"),
        ("Ledger.Contracts.EscalationDecided", "escalation_decided.v1"),
        ("Ledger.Contracts.CommitmentRevised", "commitment_revised.v1"),
        ("Ledger.Contracts.DeadlineApproaching", "deadline_approaching.v1"),
        ("Ledger.Contracts.CommitmentOverdue", "commitment_overdue.v1"),
        ("Ledger.Contracts.ReportMissing", "report_missing.v1"),
        ("Ledger.Contracts.EvaluationCycleOpened", "evaluation_cycle_opened.v1"),
        ("Ledger.Contracts.ScorecardPublished", "scorecard_published.v1"),
        ("Ledger.Contracts.GovernmentNotScored", "government_not_scored.v1"),
        ("Ledger.Contracts.ScoreAppealed", "score_appealed.v1"),
        ("Ledger.Contracts.ScoreAppealDecided", "score_appeal_decided.v1"),
        ("Ledger.Contracts.AccountCreated", "account_created.v1"),
        ("Ledger.Contracts.AccountRoleGranted", "account_role_granted.v1"),
        ("Ledger.Contracts.AccountDisabled", "account_disabled.v1"),
        ("Ledger.Contracts.AccountPasswordChanged", "account_password_changed.v1"),
        ("Ledger.Contracts.AccountPasswordReset", "account_password_reset.v1"),
    ];

    // Names no longer written, with the shape their events were stored in: they are read through an upcast.
    private static readonly (string Type, string Name)[] RetiredSnapshot =
    [
        ("Ledger.Contracts.EvidenceAttachedV1", "evidence_attached.v1"),
    ];

    // Records that travel inside events but are never stored on their own.
    private static readonly Type[] ValueRecords =
        [typeof(AgreementParty), typeof(Baseline), typeof(PeriodTarget), typeof(Indicator), typeof(Milestone), typeof(IndicatorValue),
         typeof(ScoreWeights), typeof(ScoreComponent)];

    private static IEnumerable<string> Lines(IEnumerable<(string Type, string Name)> entries) =>
        entries.Select(e => $"{e.Type} => {e.Name}").Order(StringComparer.Ordinal);

    [Fact]
    public void Stored_event_names_match_the_snapshot() =>
        Assert.Equal(Lines(Snapshot), Lines(EventNames.All.Select(e => (e.Key.FullName!, e.Value))));

    [Fact]
    public void Retired_names_match_the_snapshot() =>
        Assert.Equal(Lines(RetiredSnapshot), Lines(EventNames.RetiredNames.Select(r => (r.StoredType.FullName!, r.Name))));

    [Fact]
    public void Stored_names_are_unique_and_a_retired_name_is_never_written_again() =>
        Assert.Equal(EventNames.All.Count + EventNames.RetiredNames.Count,
            EventNames.All.Values.Concat(EventNames.RetiredNames.Select(r => r.Name)).Distinct(StringComparer.Ordinal).Count());

    [Fact]
    public void A_retired_shape_reads_as_a_current_one() =>
        Assert.All(EventNames.RetiredNames, r => Assert.True(EventNames.All.ContainsKey(r.CurrentType), $"{r.Name} reads as {r.CurrentType.Name}, which is not written"));

    [Fact]
    public void Stored_names_are_snake_case_with_a_version_suffix() =>
        Assert.All(EventNames.TypesByName.Keys, name => Assert.Matches(StoredName(), name));

    [Fact]
    public void Every_event_record_in_the_contracts_has_a_pinned_name()
    {
        var records = typeof(EventNames).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == "Ledger.Contracts" && t.IsClass && t.IsSealed && !t.IsNested && IsRecord(t))
            .Except(ValueRecords)
            .Select(t => t.FullName!)
            .Order(StringComparer.Ordinal);

        Assert.Equal(records, EventNames.All.Keys.Concat(EventNames.RetiredNames.Select(r => r.StoredType)).Select(t => t.FullName!).Order(StringComparer.Ordinal));
    }

    // The compiler gives every record a hidden <Clone>$ method; nothing else has one.
    private static bool IsRecord(Type type) => type.GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance) is not null;

    [GeneratedRegex(@"^[a-z][a-z0-9]*(_[a-z0-9]+)*\.v[1-9][0-9]*$")]
    private static partial Regex StoredName();
}
