namespace Ledger.Contracts;

/// <summary>The OGP independent end-of-period completion scale.</summary>
public enum Completion { NotStarted, Limited, Substantial, Complete }

/// <summary>The tracking colour supervisors sort by; NotAssessed until a supervisor has assessed the commitment.</summary>
public enum Rag { Green, Amber, Red, NotAssessed }

/// <summary>The UK delivery confidence assessment's five colours; the tracking colour (RAG) comes from it.</summary>
public enum DeliveryConfidence { Green, AmberGreen, Amber, AmberRed, Red }

/// <summary>The GPRA-style risk category of a goal at risk.</summary>
public enum RiskCategory { Low, Moderate, High, Severe }

/// <summary>The three levels of the zone's operating mechanism, lowest first.</summary>
public enum GovernanceLevel { Execution, Coordination, Decision }

/// <summary>A supervisor assessed a commitment for a period: how complete, how confident, how risky, and why.</summary>
public sealed record CommitmentAssessed(
    string CommitmentId,
    string AssessmentId,
    string Period,
    Completion Completion,
    DeliveryConfidence Confidence,
    RiskCategory Risk,
    string Rationale,
    string AssessedBy,
    DateTimeOffset AssessedAt);

/// <summary>A supervisor ordered a government to rectify (整改) findings by a due date.</summary>
public sealed record RectificationOrdered(
    string CommitmentId,
    string RectificationId,
    string GovernmentId,
    string Findings,
    IReadOnlyList<string> RequiredActions,
    DateOnly DueOn,
    string OrderedBy,
    DateTimeOffset OrderedAt);

/// <summary>The ordered government answered a rectification order, citing attached evidence where it has any.</summary>
public sealed record RectificationResponded(
    string CommitmentId,
    string RectificationId,
    string Response,
    IReadOnlyList<string> EvidenceIds,
    string RespondedBy,
    DateTimeOffset RespondedAt);

/// <summary>A supervisor accepted the response: the rectification is closed.</summary>
public sealed record RectificationAccepted(
    string CommitmentId,
    string RectificationId,
    string Findings,
    string AcceptedBy,
    DateTimeOffset AcceptedAt);

/// <summary>A supervisor rejected the response: the order stays open, optionally with a new due date.</summary>
public sealed record RectificationRejected(
    string CommitmentId,
    string RectificationId,
    string Findings,
    DateOnly? NewDueOn,
    string RejectedBy,
    DateTimeOffset RejectedAt);

/// <summary>A matter was raised one level up (execution → coordination → decision), with the options put to that level.</summary>
public sealed record EscalationRaised(
    string CommitmentId,
    string EscalationId,
    GovernanceLevel From,
    GovernanceLevel To,
    string Subject,
    IReadOnlyList<string> Options,
    string? RectificationId,
    string RaisedBy,
    DateTimeOffset RaisedAt);

/// <summary>The level an escalation was raised to decided it; the decision document is named.</summary>
public sealed record EscalationDecided(
    string CommitmentId,
    string EscalationId,
    string DecisionReference,
    string Decision,
    string DecidedBy,
    DateTimeOffset DecidedAt);

/// <summary>
/// The decision level revised a commitment (a new deadline, milestones moved), for a reason and under a
/// named decision. Nothing earlier is rewritten: the original terms stay in the commitment's history.
/// </summary>
public sealed record CommitmentRevised(
    string CommitmentId,
    string RevisionId,
    string Reason,
    string DecisionReference,
    DateOnly? NewDeadline,
    IReadOnlyList<Milestone> RescheduledMilestones,
    string RevisedBy,
    DateTimeOffset RevisedAt);
