using System.Collections.Immutable;
using Ledger.Contracts;

namespace Ledger.Domain.Commitments;

public enum CommitmentStatus { Draft, Active, FulfilmentClaimed, Fulfilled, Suspended, Withdrawn }

public sealed record OpenClaim(string ClaimId, ClaimScope Scope, string? Subject);

public enum RectificationStatus { Ordered, Responded, Accepted, Rejected }

/// <summary>A rectification order on the commitment: whom it binds, when it is due, where it stands.</summary>
public sealed record RectificationState(string RectificationId, string GovernmentId, DateOnly DueOn, RectificationStatus Status, int Responses);

/// <summary>An escalation on the commitment: the level it went to and, once decided, the decision named.</summary>
public sealed record EscalationState(string EscalationId, GovernanceLevel From, GovernanceLevel To, string? RectificationId, string? DecisionReference);

/// <summary>What the deciders need to know about a commitment, folded from its events.</summary>
public sealed record CommitmentState(
    string CommitmentId,
    string AgreementId,
    string LeadGovernmentId,
    DateOnly Deadline,
    CommitmentStatus Status,
    CommitmentStatus StatusBeforeSuspension,
    ImmutableDictionary<string, decimal> Contributors,
    ImmutableDictionary<string, Indicator> Indicators,
    ImmutableDictionary<string, MilestoneStatus> Milestones,
    ImmutableHashSet<string> ReportIds,
    ImmutableHashSet<string> CorrectionIds,
    ImmutableHashSet<string> EvidenceIds,
    ImmutableHashSet<string> ClaimIds,
    ImmutableDictionary<string, OpenClaim> OpenClaims)
{
    /// <summary>Each milestone as last scheduled or revised: a revision re-dates it and keeps its title and type unless it names new ones.</summary>
    public ImmutableDictionary<string, Milestone> MilestoneDefinitions { get; init; } = ImmutableDictionary<string, Milestone>.Empty;

    /// <summary>"indicatorId|period" for every indicator period some report gave a value for.</summary>
    public ImmutableHashSet<string> ReportedPeriods { get; init; } = [];

    public ImmutableHashSet<string> AssessmentIds { get; init; } = [];
    public ImmutableDictionary<string, RectificationState> Rectifications { get; init; } = ImmutableDictionary<string, RectificationState>.Empty;
    public ImmutableDictionary<string, EscalationState> Escalations { get; init; } = ImmutableDictionary<string, EscalationState>.Empty;
    public ImmutableHashSet<string> RevisionIds { get; init; } = [];

    /// <summary>The clock's notices already in the ledger, by occurrence key (see <see cref="ClockNotice"/>): each is appended once.</summary>
    public ImmutableHashSet<string> ClockNotices { get; init; } = [];

    public bool IsParticipant(string? governmentId) =>
        governmentId is not null && (governmentId == LeadGovernmentId || Contributors.ContainsKey(governmentId));

    public static CommitmentState? Evolve(CommitmentState? state, object @event) => (state, @event) switch
    {
        (null, CommitmentRegistered e) => new CommitmentState(e.CommitmentId, e.AgreementId, e.LeadGovernmentId, e.Deadline,
            CommitmentStatus.Draft, CommitmentStatus.Draft,
            ImmutableDictionary<string, decimal>.Empty, ImmutableDictionary<string, Indicator>.Empty,
            ImmutableDictionary<string, MilestoneStatus>.Empty, [], [], [], [], ImmutableDictionary<string, OpenClaim>.Empty),
        ({ } s, IndicatorDefined e) => s with { Indicators = s.Indicators.SetItem(e.Indicator.IndicatorId, e.Indicator) },
        ({ } s, MilestoneScheduled e) => s with
        {
            Milestones = s.Milestones.SetItem(e.Milestone.MilestoneId, MilestoneStatus.Scheduled),
            MilestoneDefinitions = s.MilestoneDefinitions.SetItem(e.Milestone.MilestoneId, e.Milestone),
        },
        ({ } s, MilestoneStatusChanged e) => s with { Milestones = s.Milestones.SetItem(e.MilestoneId, e.Status) },
        ({ } s, ContributorAssigned e) => s with { Contributors = s.Contributors.SetItem(e.GovernmentId, e.SharePercent) },
        ({ } s, CommitmentActivated) => s with { Status = CommitmentStatus.Active },
        ({ } s, CommitmentSuspended) => s with { Status = CommitmentStatus.Suspended, StatusBeforeSuspension = s.Status },
        ({ } s, CommitmentResumed) => s with { Status = s.StatusBeforeSuspension },
        ({ } s, CommitmentWithdrawn) => s with { Status = CommitmentStatus.Withdrawn },
        ({ } s, ProgressReported e) => s with
        {
            ReportIds = s.ReportIds.Add(e.ReportId),
            ReportedPeriods = s.ReportedPeriods.Union(e.Values.Select(v => v.IndicatorId + "|" + e.Period)),
        },
        ({ } s, ProgressCorrected e) => s with { CorrectionIds = s.CorrectionIds.Add(e.CorrectionId) },
        ({ } s, EvidenceAttached e) => s with { EvidenceIds = s.EvidenceIds.Add(e.EvidenceId) },
        ({ } s, FulfilmentClaimed e) => s with
        {
            ClaimIds = s.ClaimIds.Add(e.ClaimId),
            OpenClaims = s.OpenClaims.SetItem(e.ClaimId, new OpenClaim(e.ClaimId, e.Scope, e.Subject)),
            Status = e.Scope == ClaimScope.Commitment ? CommitmentStatus.FulfilmentClaimed : s.Status,
        },
        ({ } s, ClaimWithdrawn e) => Close(s, e.ClaimId, fulfilled: false),
        ({ } s, VerificationCompleted e) => Close(s, e.ClaimId, fulfilled: e.Verdict == Verdict.Verified),
        ({ } s, CommitmentAssessed e) => s with { AssessmentIds = s.AssessmentIds.Add(e.AssessmentId) },
        ({ } s, RectificationOrdered e) => s with
        {
            Rectifications = s.Rectifications.SetItem(e.RectificationId,
                new RectificationState(e.RectificationId, e.GovernmentId, e.DueOn, RectificationStatus.Ordered, 0)),
        },
        ({ } s, RectificationResponded e) => WithRectification(s, e.RectificationId, r => r with { Status = RectificationStatus.Responded, Responses = r.Responses + 1 }),
        ({ } s, RectificationAccepted e) => WithRectification(s, e.RectificationId, r => r with { Status = RectificationStatus.Accepted }),
        ({ } s, RectificationRejected e) => WithRectification(s, e.RectificationId, r => r with { Status = RectificationStatus.Rejected, DueOn = e.NewDueOn ?? r.DueOn }),
        ({ } s, EscalationRaised e) => s with
        {
            Escalations = s.Escalations.SetItem(e.EscalationId, new EscalationState(e.EscalationId, e.From, e.To, e.RectificationId, null)),
        },
        ({ } s, EscalationDecided e) when s.Escalations.TryGetValue(e.EscalationId, out var x) => s with
        {
            Escalations = s.Escalations.SetItem(e.EscalationId, x with { DecisionReference = e.DecisionReference }),
        },
        ({ } s, CommitmentRevised e) => s with
        {
            RevisionIds = s.RevisionIds.Add(e.RevisionId),
            Deadline = e.NewDeadline ?? s.Deadline,
            MilestoneDefinitions = s.MilestoneDefinitions.SetItems(e.RescheduledMilestones.Select(m => KeyValuePair.Create(m.MilestoneId, m))),
            // A rescheduled milestone that had been judged not met is scheduled again under its new date.
            Milestones = s.Milestones.SetItems(e.RescheduledMilestones
                .Where(m => s.Milestones.GetValueOrDefault(m.MilestoneId) == MilestoneStatus.NotMet)
                .Select(m => KeyValuePair.Create(m.MilestoneId, MilestoneStatus.Scheduled))),
        },
        ({ } s, DeadlineApproaching e) => s with { ClockNotices = s.ClockNotices.Add(ClockNotice.Approaching(e.Kind, e.MilestoneId, e.DueOn)) },
        ({ } s, CommitmentOverdue e) => s with { ClockNotices = s.ClockNotices.Add(ClockNotice.Overdue(e.Kind, e.MilestoneId, e.DueOn)) },
        ({ } s, ReportMissing e) => s with { ClockNotices = s.ClockNotices.Add(ClockNotice.Missing(e.IndicatorId, e.Period)) },
        _ => state,
    };

    private static CommitmentState WithRectification(CommitmentState s, string id, Func<RectificationState, RectificationState> change) =>
        s.Rectifications.TryGetValue(id, out var r) ? s with { Rectifications = s.Rectifications.SetItem(id, change(r)) } : s;

    private static CommitmentState Close(CommitmentState s, string claimId, bool fulfilled)
    {
        if (!s.OpenClaims.TryGetValue(claimId, out var claim)) return s;
        var status = claim.Scope != ClaimScope.Commitment || s.Status != CommitmentStatus.FulfilmentClaimed
            ? s.Status
            : fulfilled ? CommitmentStatus.Fulfilled : CommitmentStatus.Active;
        return s with { OpenClaims = s.OpenClaims.Remove(claimId), Status = status };
    }
}

/// <summary>
/// The key of one clock occurrence. A due date is part of it, so a revision that moves a deadline makes
/// a new occurrence (the clock notices the new date too), while the same date is never noticed twice.
/// </summary>
public static class ClockNotice
{
    public static string Approaching(DueKind kind, string? milestoneId, DateOnly dueOn) => $"approaching:{Subject(kind, milestoneId)}:{dueOn:yyyy-MM-dd}";
    public static string Overdue(DueKind kind, string? milestoneId, DateOnly dueOn) => $"overdue:{Subject(kind, milestoneId)}:{dueOn:yyyy-MM-dd}";
    public static string Missing(string indicatorId, string period) => $"missing:{indicatorId}:{period}";

    private static string Subject(DueKind kind, string? milestoneId) => kind == DueKind.Deadline ? "deadline" : "milestone/" + milestoneId;
}
