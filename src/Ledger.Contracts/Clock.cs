namespace Ledger.Contracts;

/// <summary>What a clock notice is about: the commitment's own deadline or one of its milestones.</summary>
public enum DueKind { Deadline, Milestone }

/// <summary>The clock noticed a deadline or milestone falling due within its lead time (system actor).</summary>
public sealed record DeadlineApproaching(
    string CommitmentId,
    DueKind Kind,
    string? MilestoneId,
    DateOnly DueOn,
    int DaysLeft,
    string NoticedBy,
    DateTimeOffset NoticedAt);

/// <summary>The clock noticed a deadline or milestone passed unmet (system actor): overdue is a fact in the ledger.</summary>
public sealed record CommitmentOverdue(
    string CommitmentId,
    DueKind Kind,
    string? MilestoneId,
    DateOnly DueOn,
    string NoticedBy,
    DateTimeOffset NoticedAt);

/// <summary>The clock noticed that an indicator period closed and its report did not arrive within the grace period (system actor).</summary>
public sealed record ReportMissing(
    string CommitmentId,
    string IndicatorId,
    string Period,
    DateOnly PeriodEnd,
    DateOnly ReportDueOn,
    string NoticedBy,
    DateTimeOffset NoticedAt);
