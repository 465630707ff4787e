using Ledger.Contracts;

namespace Ledger.Domain.Evaluation;

/// <summary>One government's scorecard as the method computes it, before it is published.</summary>
public sealed record Scorecard(string GovernmentId, IReadOnlyList<ScoreComponent> Components, decimal Total, Band Band, int Rank, int Of);

/// <summary>A government the method found nothing to measure for: no total, no band, no rank. Each component shows <c>Expected = 0</c>.</summary>
public sealed record UnscoredCard(string GovernmentId, IReadOnlyList<ScoreComponent> Components);

/// <summary>What a method computes for a cycle: the ranked scorecards in rank order, and who was not scored (by division code).</summary>
public sealed record ScoringOutcome(IReadOnlyList<Scorecard> Ranked, IReadOnlyList<UnscoredCard> NotScored);

/// <summary>
/// What distinguishes one method version from another (ops/docs/scorecards.md, "Method versions").
/// </summary>
/// <param name="Version">The name a cycle gives when it is opened, e.g. <c>xgb-eval-2.0</c>.</param>
/// <param name="LeavesOutNothingToMeasure">A component with nothing to measure is left out and the total is
/// taken over the weights measured (2.0); in 1.0 it scored its full weight.</param>
/// <param name="SharesEqualRanks">Equal totals share a rank, standard competition ranking 1, 1, 3 (2.0); in 1.0
/// they were ranked one after another by division code.</param>
/// <param name="MilestonesByLifecycle">Milestones are read as the commitment's lifecycle reads them, as its record
/// and the views do: met on the day of the verified claim, and late once the clock found one passed unmet (2.0);
/// 1.0 read the date the judgement recorded (the verification's day) against the date in force.</param>
public sealed record MethodRules(string Version, bool LeavesOutNothingToMeasure, bool SharesEqualRanks, bool MilestonesByLifecycle);

/// <summary>
/// The scorecard method (ops/docs/scorecards.md explains it for supervisors and governments). A pure
/// function of the cycle's method version, window and weights and of the facts folded from the
/// ledger: the same ledger always gives the same scorecards. Every version stays computable, so a
/// cycle opened under an older version is still previewed and published by the method it named.
/// </summary>
public static class ScoringMethod
{
    public const string IndicatorAchievement = "indicatorAchievement";
    public const string MilestonesOnTime = "milestonesOnTime";
    public const string ReportingTimeliness = "reportingTimeliness";
    public const string VerificationPassRate = "verificationPassRate";
    public const string RectificationOnTime = "rectificationOnTime";
    public const string JointActions = "jointActions";

    /// <summary>The starting method.</summary>
    public const string Version1 = "xgb-eval-1.0";

    /// <summary>Nothing to measure is left out, equal totals share a rank, milestones are met when claimed.</summary>
    public const string Version2 = "xgb-eval-2.0";

    /// <summary>The version a new cycle should name.</summary>
    public const string Current = Version2;

    public static IReadOnlyDictionary<string, MethodRules> Versions { get; } = new Dictionary<string, MethodRules>(StringComparer.Ordinal)
    {
        [Version1] = new(Version1, LeavesOutNothingToMeasure: false, SharesEqualRanks: false, MilestonesByLifecycle: false),
        [Version2] = new(Version2, LeavesOutNothingToMeasure: true, SharesEqualRanks: true, MilestonesByLifecycle: true),
    };

    /// <summary>
    /// The rules of a cycle's method version. Opening a cycle refuses a version not listed here, so a
    /// stored cycle naming another was opened before versions were checked, when 1.0 was the only
    /// method: it keeps 1.0.
    /// </summary>
    public static MethodRules For(string methodVersion) =>
        Versions.TryGetValue(methodVersion ?? "", out var rules) ? rules : Versions[Version1];

    /// <summary>An indicator period's ratio counts up to 120% of its target (over-achievement offsets a shortfall elsewhere, within limits).</summary>
    public const decimal RatioCap = 1.2m;

    /// <summary>A period's first report is on time when it arrives within this many days of the period's end.</summary>
    public const int ReportGraceDays = 30;

    public static ScoringOutcome Score(string methodVersion, DateOnly start, DateOnly end, ScoreWeights weights, ScoringFacts facts)
    {
        var rules = For(methodVersion);
        var provinces = facts.Governments.ToDictionary(g => g.GovernmentId, g => g.Province, StringComparer.Ordinal);
        var scored = facts.Commitments.Where(c => c.IsScored).ToList();
        var computed = facts.Governments
            .Select(g => (g.GovernmentId, Components: Components(rules, g.GovernmentId, start, end, weights, scored, provinces)))
            .Select(g => (g.GovernmentId, g.Components, Total: Total(rules, g.Components)))
            .ToList();
        var notScored = computed.Where(g => g.Total is null)
            .OrderBy(g => g.GovernmentId, StringComparer.Ordinal)
            .Select(g => new UnscoredCard(g.GovernmentId, g.Components))
            .ToList();
        // Highest total first; equal totals are listed by division code so the order never depends on load order.
        var ranked = computed.Where(g => g.Total is not null)
            .Select(g => (g.GovernmentId, g.Components, Total: g.Total!.Value))
            .OrderByDescending(g => g.Total).ThenBy(g => g.GovernmentId, StringComparer.Ordinal)
            .ToList();
        var totals = ranked.Select(g => g.Total).ToList();
        return new ScoringOutcome(
            [.. ranked.Select((g, i) => new Scorecard(g.GovernmentId, g.Components, g.Total, BandOf(g.Total),
                // Standard competition ranking: one more than the number of totals above, so 1, 1, 3.
                rules.SharesEqualRanks ? 1 + totals.Count(t => t > g.Total) : i + 1,
                ranked.Count))],
            notScored);
    }

    public static Band BandOf(decimal total) => total switch
    {
        >= 90m => Band.Excellent,
        >= 75m => Band.Good,
        >= 60m => Band.Pass,
        _ => Band.Fail,
    };

    /// <summary>
    /// The total to one decimal place, or null when nothing the weights count was measured. Under 1.0 a
    /// component with nothing to measure carries its full weight in points, so the total is their sum;
    /// under 2.0 it carries none, and the total is the points earned per 100 points measured.
    /// </summary>
    private static decimal? Total(MethodRules rules, IReadOnlyList<ScoreComponent> components)
    {
        var points = components.Sum(c => c.Points);
        if (!rules.LeavesOutNothingToMeasure)
            return Math.Round(points, 1, MidpointRounding.AwayFromZero) + OneDecimal;
        var measured = components.Where(c => c.Expected > 0).Sum(c => c.Weight);
        return measured == 0 ? null : Math.Round(points * 100m / measured, 1, MidpointRounding.AwayFromZero) + OneDecimal;
    }

    private static ScoreComponent[] Components(MethodRules rules, string government, DateOnly start, DateOnly end, ScoreWeights weights,
        IReadOnlyList<CommitmentFacts> scored, IReadOnlyDictionary<string, Province> provinces)
    {
        bool Inside(DateOnly d) => d >= start && d <= end;
        bool InsideAt(DateTimeOffset t) => Inside(Require.Today(t));
        var mine = scored.Where(c => c.IsParticipant(government)).ToList();
        ScoreComponent Nothing(string name, int weight) => rules.LeavesOutNothingToMeasure ? LeftOut(name, weight) : FullMarks(name, weight);
        ScoreComponent Counted(string name, int weight, int achieved, int expected) =>
            expected == 0 ? Nothing(name, weight) : Component(name, weight, (decimal)achieved / expected, achieved, expected);

        // Indicator achievement: every numeric indicator period with a target that ends inside the cycle.
        var ratios = (
            from c in mine
            from indicator in c.Indicators.Values
            where indicator.Measure != Measure.Qualitative
            from p in indicator.Periods ?? []
            where p.Target is not null && Inside(p.End)
            select PeriodRatio(indicator, p.Target!.Value, c.Actual(indicator.IndicatorId, p.Period))).ToList();
        var achievement = ratios.Count == 0
            ? Nothing(IndicatorAchievement, weights.IndicatorAchievement)
            : Component(IndicatorAchievement, weights.IndicatorAchievement, Math.Min(1m, ratios.Sum() / ratios.Count),
                ratios.Count(r => r >= 1m), ratios.Count);

        // Milestones met on time, of those due (as last rescheduled) inside the cycle. From 2.0 this is the
        // commitment's lifecycle's answer, the one its record and the views give: met on the day the
        // verified claim was made (the supervisor's working day is not the government's delay), and a
        // milestone the clock found passed unmet stays late though a revision moved it. 1.0 read the day
        // the judgement recorded and the date in force alone.
        var milestonesOnTime = rules.MilestonesByLifecycle
            ? OnTime(mine.SelectMany(c => c.Lifecycle.Items).Where(i => i.Kind == DueKind.Milestone && Inside(i.DueOn)).ToList(), i => i.MetOnTime)
            : OnTime(mine.SelectMany(c => c.Milestones.Values).Where(m => Inside(m.Due)).ToList(),
                m => m.Status == MilestoneStatus.Met && m.MetOn is { } met && met <= m.Due);
        ScoreComponent OnTime<T>(IReadOnlyList<T> due, Func<T, bool> onTime) =>
            Counted(MilestonesOnTime, weights.MilestonesOnTime, due.Count(onTime), due.Count);

        // Reporting timeliness: every indicator period ending inside the cycle, qualitative ones included.
        var periods = (
            from c in mine
            from indicator in c.Indicators.Values
            from p in indicator.Periods ?? []
            where Inside(p.End)
            select c.FirstReportedAt(indicator.IndicatorId, p.Period) is { } first
                   && Require.Today(first) <= p.End.AddDays(ReportGraceDays)).ToList();
        var timeliness = Counted(ReportingTimeliness, weights.ReportingTimeliness, periods.Count(onTime => onTime), periods.Count);

        // Verification pass rate: verdicts given inside the cycle on the claims of commitments the
        // government leads (only the lead claims). Partly verified earns half.
        var verdicts = mine.Where(c => c.LeadGovernmentId == government)
            .SelectMany(c => c.Verifications).Where(v => InsideAt(v.VerifiedAt)).Select(v => v.Verdict).ToList();
        var verification = verdicts.Count == 0
            ? Nothing(VerificationPassRate, weights.VerificationPassRate)
            : Component(VerificationPassRate, weights.VerificationPassRate,
                verdicts.Sum(v => v switch { Verdict.Verified => 1m, Verdict.PartiallyVerified => 0.5m, _ => 0m }) / verdicts.Count,
                verdicts.Count(v => v == Verdict.Verified), verdicts.Count);

        // Rectification closed on time: orders binding this government, due inside the cycle, accepted by the due date.
        var orders = scored.SelectMany(c => c.Rectifications.Values).Where(r => r.GovernmentId == government && Inside(r.DueOn)).ToList();
        var rectification = Counted(RectificationOnTime, weights.RectificationOnTime,
            orders.Count(r => r.AcceptedAt is { } accepted && Require.Today(accepted) <= r.DueOn), orders.Count);

        // Joint actions: the government's commitments whose participants come from both provinces.
        var joint = mine.Count(c => c.Contributors.Append(c.LeadGovernmentId)
            .Select(g => provinces.TryGetValue(g, out var p) ? p : (Province?)null).OfType<Province>().Distinct().Count() > 1);
        var jointActions = Counted(JointActions, weights.JointActions, joint, mine.Count);

        return [achievement, milestonesOnTime, timeliness, verification, rectification, jointActions];
    }

    /// <summary>
    /// Actual over target for an ascending indicator, target over actual for a descending one (a lower
    /// water-quality class is always better), capped at <see cref="RatioCap"/>. No report scores 0.
    /// </summary>
    public static decimal PeriodRatio(Indicator indicator, decimal target, decimal? actual)
    {
        if (actual is not { } a) return 0m;
        var descending = indicator.Direction == Direction.Descending || indicator.Measure == Measure.WaterQualityClass;
        var ratio = descending
            ? a == 0m ? (target == 0m ? 1m : RatioCap) : target / a
            : target == 0m ? 1m : a / target;
        return Math.Clamp(ratio, 0m, RatioCap);
    }

    // 1.0: nothing to measure was not a failure, so the component scored its full weight (Expected = 0 said why).
    // A county with no commitment at all scored 100 and could top the ranking: 2.0 leaves such a component out.
    private static ScoreComponent FullMarks(string name, int weight) => new(name, weight, 1m + FourDecimals, 0, 0, weight + TwoDecimals);

    // 2.0: left out. No ratio and no points; Expected = 0 tells the reader, and the weight stays the
    // cycle's so that the total can be redone by hand over the weights measured.
    private static ScoreComponent LeftOut(string name, int weight) => new(name, weight, 0m + FourDecimals, 0, 0, 0m + TwoDecimals);

    // The ratio is shown to 4 places and the points to 2, and the points are computed from the ratio as
    // shown, so anyone can redo a scorecard by hand from the published numbers.
    private static ScoreComponent Component(string name, int weight, decimal ratio, int achieved, int expected)
    {
        var shown = Math.Round(ratio, 4, MidpointRounding.AwayFromZero) + FourDecimals;
        return new ScoreComponent(name, weight, shown, achieved, expected, Math.Round(weight * shown, 2, MidpointRounding.AwayFromZero) + TwoDecimals);
    }

    // Adding a zero of the given scale fixes the number of decimals a value is written with (1 → 1.0000),
    // so every published scorecard shows ratios, points and totals alike.
    private const decimal FourDecimals = 0.0000m;
    private const decimal TwoDecimals = 0.00m;
    private const decimal OneDecimal = 0.0m;
}
