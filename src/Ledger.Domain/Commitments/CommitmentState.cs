using System.Collections.Immutable;
using Ledger.Contracts;

namespace Ledger.Domain.Commitments;

public enum CommitmentStatus { Draft, Active, FulfilmentClaimed, Fulfilled, Suspended, Withdrawn }

public enum RectificationStatus { Ordered, Responded, Accepted, Rejected }

/// <summary>A rectification order on the commitment: whom it binds, when it is due, where it stands.</summary>
public sealed record RectificationState(string RectificationId, string GovernmentId, DateOnly DueOn, RectificationStatus Status, int Responses);

/// <summary>An escalation on the commitment: the level it went to and, once decided, the decision named.</summary>
public sealed record EscalationState(string EscalationId, GovernanceLevel From, GovernanceLevel To, string? RectificationId, string? DecisionReference);

/// <summary>
/// What the deciders need to know about a commitment, folded from its events. Its status, due items,
/// open claims and orders are its <see cref="Lifecycle"/>'s, the same fold the records and views use.
/// </summary>
public sealed record CommitmentState(
    string CommitmentId,
    string AgreementId,
    string LeadGovernmentId,
    CommitmentLifecycle Lifecycle,
    ImmutableDictionary<string, decimal> Contributors,
    ImmutableDictionary<string, Indicator> Indicators,
    ImmutableHashSet<string> ReportIds,
    ImmutableHashSet<string> CorrectionIds,
    ImmutableHashSet<string> EvidenceIds,
    ImmutableHashSet<string> ClaimIds)
{
    public CommitmentStatus Status => Lifecycle.Status;

    public DateOnly Deadline => Lifecycle.Deadline;

    /// <summary>Each milestone's status by id: Scheduled until met, partly met, or found passed unmet.</summary>
    public ImmutableDictionary<string, MilestoneStatus> Milestones =>
        Lifecycle.Items.Where(i => i.Kind == DueKind.Milestone).ToImmutableDictionary(i => i.MilestoneId ?? "", i => i.Status);

    public ImmutableDictionary<string, OpenClaim> OpenClaims => Lifecycle.OpenClaims.ToImmutableDictionary(c => c.ClaimId);

    /// <summary>Each milestone as last scheduled or revised: a revision re-dates it and keeps its title and type unless it names new ones.</summary>
    public ImmutableDictionary<string, Milestone> MilestoneDefinitions { get; init; } = ImmutableDictionary<string, Milestone>.Empty;

    /// <summary>The indicators each report gave a value for, by report id: what a correction of it may name.</summary>
    public ImmutableDictionary<string, ImmutableHashSet<string>> ReportedIndicators { get; init; } = ImmutableDictionary<string, ImmutableHashSet<string>>.Empty;

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

    public static CommitmentState? Evolve(CommitmentState? state, object @event)
    {
        if (state is null) return Register(@event);
        var lifecycle = state.Lifecycle.Apply(@event);
        return Track(ReferenceEquals(lifecycle, state.Lifecycle) ? state : state with { Lifecycle = lifecycle }, @event);
    }

    private static CommitmentState? Register(object @event) => @event is CommitmentRegistered e
        ? new CommitmentState(e.CommitmentId, e.AgreementId, e.LeadGovernmentId, CommitmentLifecycle.Registered(e.Deadline),
            ImmutableDictionary<string, decimal>.Empty, ImmutableDictionary<string, Indicator>.Empty, [], [], [], [])
        : null;

    /// <summary>What the deciders keep beside the lifecycle: definitions, ids already used, rectifications and escalations.</summary>
    private static CommitmentState Track(CommitmentState state, object @event) => (state, @event) switch
    {
        ({ } s, IndicatorDefined e) => s with { Indicators = s.Indicators.SetItem(e.Indicator.IndicatorId, e.Indicator) },
        ({ } s, MilestoneScheduled e) => s with { MilestoneDefinitions = s.MilestoneDefinitions.SetItem(e.Milestone.MilestoneId, e.Milestone) },
        ({ } s, ContributorAssigned e) => s with { Contributors = s.Contributors.SetItem(e.GovernmentId, e.SharePercent) },
        ({ } s, ProgressReported e) => s with
        {
            ReportIds = s.ReportIds.Add(e.ReportId),
            ReportedIndicators = s.ReportedIndicators.SetItem(e.ReportId, [.. e.Values.Select(v => v.IndicatorId)]),
            ReportedPeriods = s.ReportedPeriods.Union(e.Values.Select(v => v.IndicatorId + "|" + e.Period)),
        },
        ({ } s, ProgressCorrected e) => s with { CorrectionIds = s.CorrectionIds.Add(e.CorrectionId) },
        ({ } s, EvidenceAttached e) => s with { EvidenceIds = s.EvidenceIds.Add(e.EvidenceId) },
        ({ } s, FulfilmentClaimed e) => s with { ClaimIds = s.ClaimIds.Add(e.ClaimId) },
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
            MilestoneDefinitions = s.MilestoneDefinitions.SetItems(e.RescheduledMilestones.Select(m => KeyValuePair.Create(m.MilestoneId, m))),
        },
        ({ } s, DeadlineApproaching e) => s with { ClockNotices = s.ClockNotices.Add(ClockNotice.Approaching(e.Kind, e.MilestoneId, e.DueOn)) },
        ({ } s, CommitmentOverdue e) => s with { ClockNotices = s.ClockNotices.Add(ClockNotice.Overdue(e.Kind, e.MilestoneId, e.DueOn)) },
        ({ } s, ReportMissing e) => s with { ClockNotices = s.ClockNotices.Add(ClockNotice.Missing(e.IndicatorId, e.Period)) },
        _ => state,
    };

    private static CommitmentState WithRectification(CommitmentState s, string id, Func<RectificationState, RectificationState> change) =>
        s.Rectifications.TryGetValue(id, out var r) ? s with { Rectifications = s.Rectifications.SetItem(id, change(r)) } : s;
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
