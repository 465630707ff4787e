using System.Collections.Immutable;
using Ledger.Contracts;

namespace Ledger.Domain.Commitments;

public enum CommitmentStatus { Draft, Active, FulfilmentClaimed, Fulfilled, Suspended, Withdrawn }

public sealed record OpenClaim(string ClaimId, ClaimScope Scope, string? Subject);

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
    public bool IsParticipant(string? governmentId) =>
        governmentId is not null && (governmentId == LeadGovernmentId || Contributors.ContainsKey(governmentId));

    public static CommitmentState? Evolve(CommitmentState? state, object @event) => (state, @event) switch
    {
        (null, CommitmentRegistered e) => new CommitmentState(e.CommitmentId, e.AgreementId, e.LeadGovernmentId, e.Deadline,
            CommitmentStatus.Draft, CommitmentStatus.Draft,
            ImmutableDictionary<string, decimal>.Empty, ImmutableDictionary<string, Indicator>.Empty,
            ImmutableDictionary<string, MilestoneStatus>.Empty, [], [], [], [], ImmutableDictionary<string, OpenClaim>.Empty),
        ({ } s, IndicatorDefined e) => s with { Indicators = s.Indicators.SetItem(e.Indicator.IndicatorId, e.Indicator) },
        ({ } s, MilestoneScheduled e) => s with { Milestones = s.Milestones.SetItem(e.Milestone.MilestoneId, MilestoneStatus.Scheduled) },
        ({ } s, MilestoneStatusChanged e) => s with { Milestones = s.Milestones.SetItem(e.MilestoneId, e.Status) },
        ({ } s, ContributorAssigned e) => s with { Contributors = s.Contributors.SetItem(e.GovernmentId, e.SharePercent) },
        ({ } s, CommitmentActivated) => s with { Status = CommitmentStatus.Active },
        ({ } s, CommitmentSuspended) => s with { Status = CommitmentStatus.Suspended, StatusBeforeSuspension = s.Status },
        ({ } s, CommitmentResumed) => s with { Status = s.StatusBeforeSuspension },
        ({ } s, CommitmentWithdrawn) => s with { Status = CommitmentStatus.Withdrawn },
        ({ } s, ProgressReported e) => s with { ReportIds = s.ReportIds.Add(e.ReportId) },
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
        _ => state,
    };

    private static CommitmentState Close(CommitmentState s, string claimId, bool fulfilled)
    {
        if (!s.OpenClaims.TryGetValue(claimId, out var claim)) return s;
        var status = claim.Scope != ClaimScope.Commitment || s.Status != CommitmentStatus.FulfilmentClaimed
            ? s.Status
            : fulfilled ? CommitmentStatus.Fulfilled : CommitmentStatus.Active;
        return s with { OpenClaims = s.OpenClaims.Remove(claimId), Status = status };
    }
}
