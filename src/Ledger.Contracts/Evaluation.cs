namespace Ledger.Contracts;

/// <summary>
/// The weight of each part of a scorecard, in points out of 100 (they sum to 100). The starting method:
/// indicator achievement 40, milestones met on time 20, reporting timeliness 10, verification pass
/// rate 15, rectification closed on time 10, joint actions 5.
/// </summary>
public sealed record ScoreWeights(
    int IndicatorAchievement,
    int MilestonesOnTime,
    int ReportingTimeliness,
    int VerificationPassRate,
    int RectificationOnTime,
    int JointActions);

/// <summary>Scorecard bands: 优秀 excellent ≥ 90, 良好 good 75–89, 合格 pass 60–74, 不合格 fail &lt; 60.</summary>
public enum Band { Excellent, Good, Pass, Fail }

/// <summary>One part of a score: its weight, the ratio achieved (0–1) with what it was computed from, and the points.</summary>
public sealed record ScoreComponent(string Name, int Weight, decimal Ratio, int Achieved, int Expected, decimal Points);

/// <summary>A supervisor opened an evaluation cycle for a year or quarter, with the method version and weights it uses.</summary>
public sealed record EvaluationCycleOpened(
    string CycleId,
    string Period,
    DateOnly Start,
    DateOnly End,
    string MethodVersion,
    ScoreWeights Weights,
    string OpenedBy,
    DateTimeOffset OpenedAt);

/// <summary>A government's scorecard for a cycle, computed from the ledger by the cycle's method and published.</summary>
public sealed record ScorecardPublished(
    string CycleId,
    string GovernmentId,
    IReadOnlyList<ScoreComponent> Components,
    decimal Total,
    Band Band,
    int Rank,
    int Of,
    string PublishedBy,
    DateTimeOffset PublishedAt);

/// <summary>
/// A government was not scored in a cycle: under the cycle's method nothing the weights count could be
/// measured for it (no commitment of its own, say), so it has no total, no band and no rank. Its
/// components are published all the same, each with <c>Expected = 0</c>, so a reader sees why.
/// </summary>
public sealed record GovernmentNotScored(
    string CycleId,
    string GovernmentId,
    IReadOnlyList<ScoreComponent> Components,
    string PublishedBy,
    DateTimeOffset PublishedAt);

/// <summary>A government appealed its published score.</summary>
public sealed record ScoreAppealed(
    string CycleId,
    string GovernmentId,
    string AppealId,
    string Grounds,
    string AppealedBy,
    DateTimeOffset AppealedAt);

/// <summary>A supervisor decided an appeal: upheld (with the corrected total) or dismissed, with findings.</summary>
public sealed record ScoreAppealDecided(
    string CycleId,
    string GovernmentId,
    string AppealId,
    bool Upheld,
    decimal? RevisedTotal,
    string Findings,
    string DecidedBy,
    DateTimeOffset DecidedAt);
