using Ledger.Contracts;
using Ledger.Domain.Evaluation;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Evaluation;

/// <summary>
/// The 2024 evaluation cycle of the pilot zone, opened with the starting method's weights. <see cref="Opened"/>
/// is a cycle as stored before method versions were checked: its name is not listed, so it keeps 1.0.
/// </summary>
internal static class EvaluationPilot
{
    public const string Cycle = "2024";
    public const string Method = "xgb-scorecard-2024.1";
    public static readonly DateOnly Start = new(2024, 1, 1);
    public static readonly DateOnly End = new(2024, 12, 31);
    public static ScoreWeights Weights => new(40, 20, 10, 15, 10, 5);

    public static readonly DateTimeOffset OpenedAt = new(2024, 1, 5, 2, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset PublishedAt = new(2025, 3, 1, 2, 0, 0, TimeSpan.Zero);

    public static EvaluationCycleOpened Opened => new(Cycle, "2024", Start, End, Method, Weights, JointOffice.Id, OpenedAt);

    /// <summary>The same cycle opened under method 2.0.</summary>
    public static EvaluationCycleOpened OpenedUnder2 => Opened with { MethodVersion = ScoringMethod.Version2 };

    /// <summary>Three registered governments with nothing to measure: under 1.0 each scores 100, ranked by division code.</summary>
    public static ScoringFacts NothingToMeasure =>
        new([new GovernmentFacts(Liuyang, Province.Hunan), new GovernmentFacts(Shangli, Province.Jiangxi), new GovernmentFacts(Liling, Province.Hunan)], []);

    // Written as published: ratios to four decimals, points to two, totals to one.
    public static IReadOnlyList<ScoreComponent> FullMarks =>
    [
        new(ScoringMethod.IndicatorAchievement, 40, 1.0000m, 0, 0, 40.00m),
        new(ScoringMethod.MilestonesOnTime, 20, 1.0000m, 0, 0, 20.00m),
        new(ScoringMethod.ReportingTimeliness, 10, 1.0000m, 0, 0, 10.00m),
        new(ScoringMethod.VerificationPassRate, 15, 1.0000m, 0, 0, 15.00m),
        new(ScoringMethod.RectificationOnTime, 10, 1.0000m, 0, 0, 10.00m),
        new(ScoringMethod.JointActions, 5, 1.0000m, 0, 0, 5.00m),
    ];

    public static ScorecardPublished FullMarksCard(string governmentId, int rank, DateTimeOffset at) =>
        new(Cycle, governmentId, FullMarks, 100.0m, Band.Excellent, rank, 3, JointOffice.Id, at);

    /// <summary>The cycle with NothingToMeasure published: Shangli (360322) first, then Liuyang (430181), then Liling (430281).</summary>
    public static object[] Published =>
    [
        Opened,
        FullMarksCard(Shangli, 1, PublishedAt),
        FullMarksCard(Liuyang, 2, PublishedAt),
        FullMarksCard(Liling, 3, PublishedAt),
    ];

    public const string Grounds = "The Jinyushi station's March acceptance report was filed on time but not counted.";

    public static ScoreAppealed Appealed(string appealId, string governmentId, DateTimeOffset at) =>
        new(Cycle, governmentId, appealId, Grounds, "gov-" + governmentId, at);
}
