using Ledger.Contracts;

namespace Ledger.Domain.Evaluation;

/// <summary>One government's scorecard as the method computes it, before it is published.</summary>
public sealed record Scorecard(string GovernmentId, IReadOnlyList<ScoreComponent> Components, decimal Total, Band Band, int Rank, int Of);

/// <summary>
/// The scorecard method (ops/docs/scorecards.md explains it for supervisors and governments). A pure
/// function of the cycle's window and weights and of the facts folded from the ledger: the same
/// ledger always gives the same scorecards.
/// </summary>
public static class ScoringMethod
{
    public const string IndicatorAchievement = "indicatorAchievement";
    public const string MilestonesOnTime = "milestonesOnTime";
    public const string ReportingTimeliness = "reportingTimeliness";
    public const string VerificationPassRate = "verificationPassRate";
    public const string RectificationOnTime = "rectificationOnTime";
    public const string JointActions = "jointActions";

    /// <summary>An indicator period's ratio counts up to 120% of its target (over-achievement offsets a shortfall elsewhere, within limits).</summary>
    public const decimal RatioCap = 1.2m;

    /// <summary>A period's first report is on time when it arrives within this many days of the period's end.</summary>
    public const int ReportGraceDays = 30;

    public static IReadOnlyList<Scorecard> Score(DateOnly start, DateOnly end, ScoreWeights weights, ScoringFacts facts)
    {
        var provinces = facts.Governments.ToDictionary(g => g.GovernmentId, g => g.Province, StringComparer.Ordinal);
        var scored = facts.Commitments.Where(c => c.IsScored).ToList();
        var unranked = facts.Governments
            .Select(g => Card(g.GovernmentId, start, end, weights, scored, provinces))
            .ToList();
        // Rank by total, highest first; equal totals are ordered by division code so a rank never depends on load order.
        var ranked = unranked.OrderByDescending(c => c.Total).ThenBy(c => c.GovernmentId, StringComparer.Ordinal).ToList();
        return [.. ranked.Select((c, i) => c with { Rank = i + 1, Of = ranked.Count })];
    }

    public static Band BandOf(decimal total) => total switch
    {
        >= 90m => Band.Excellent,
        >= 75m => Band.Good,
        >= 60m => Band.Pass,
        _ => Band.Fail,
    };

    private static Scorecard Card(string government, DateOnly start, DateOnly end, ScoreWeights weights,
        IReadOnlyList<CommitmentFacts> scored, IReadOnlyDictionary<string, Province> provinces)
    {
        bool Inside(DateOnly d) => d >= start && d <= end;
        bool InsideAt(DateTimeOffset t) => Inside(Require.Today(t));
        var mine = scored.Where(c => c.IsParticipant(government)).ToList();

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

        // Milestones met on time: due (as last rescheduled) inside the cycle, met no later than due.
        var milestones = mine.SelectMany(c => c.Milestones.Values).Where(m => Inside(m.Due)).ToList();
        var milestonesOnTime = Counted(MilestonesOnTime, weights.MilestonesOnTime,
            milestones.Count(m => m.Status == MilestoneStatus.Met && m.MetOn is { } met && met <= m.Due), milestones.Count);

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

        ScoreComponent[] components = [achievement, milestonesOnTime, timeliness, verification, rectification, jointActions];
        var total = Math.Round(components.Sum(c => c.Points), 1, MidpointRounding.AwayFromZero) + OneDecimal;
        return new Scorecard(government, components, total, BandOf(total), 0, 0);
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

    private static ScoreComponent Counted(string name, int weight, int achieved, int expected) =>
        expected == 0 ? Nothing(name, weight) : Component(name, weight, (decimal)achieved / expected, achieved, expected);

    // Nothing to measure is not a failure: the component scores its full weight, and Expected = 0 says why.
    private static ScoreComponent Nothing(string name, int weight) => new(name, weight, 1m + FourDecimals, 0, 0, weight + TwoDecimals);

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
