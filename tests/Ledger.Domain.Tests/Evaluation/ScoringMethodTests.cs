using Ledger.Contracts;
using Ledger.Domain.Commitments;
using Ledger.Domain.Evaluation;
using static Ledger.Domain.Tests.Evaluation.EvaluationPilot;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Evaluation;

/// <summary>
/// The scorecard method on a worked example whose every number is computed by hand in the comments.
/// Cycle 2024 (2024-01-01 to 2024-12-31), weights 40/20/10/15/10/5. Times are UTC; dates are read at UTC+8.
/// The example is worked under method 1.0 (which published cycles keep) and under 2.0.
/// </summary>
public class ScoringMethodTests
{
    private const string Jinyushi = "a01-jinyushi";      // led by Liuyang (Hunan), Shangli (Jiangxi) contributes: joint
    private const string BorderRoad = "a03-border-road"; // led by Liuyang, Liling (Hunan) contributes: one province only
    private const string Draft = "a04-park-draft";       // Liling's draft, never activated: not scored
    private const string Withdrawn = "a02-red-route";    // Shangli's, withdrawn: not scored

    private static DateTimeOffset At(int year, int month, int day, int hour = 2) => new(year, month, day, hour, 0, 0, TimeSpan.Zero);

    private static PeriodTarget Year(int year, decimal? target) => new(year.ToString(System.Globalization.CultureInfo.InvariantCulture), new DateOnly(year, 1, 1), new DateOnly(year, 12, 31), target);

    private static readonly Indicator Months = new("months-class-iii", "Months at Class III or better", Measure.Count, "months",
        Direction.Ascending, Aggregation.PerPeriod, null, [Year(2024, 12m), Year(2025, 12m)]);

    // Declared ascending here on purpose: a water-quality class is lower-is-better whatever the declaration says.
    private static readonly Indicator MonthlyClass = new("monthly-class", "Water quality class, first half", Measure.WaterQualityClass, "class",
        Direction.Ascending, Aggregation.PerPeriod, null, [new PeriodTarget("2024-h1", new DateOnly(2024, 1, 1), new DateOnly(2024, 6, 30), 3m)]);

    private static readonly Indicator Patrols = new("joint-patrols", "Joint river patrols", Measure.Count, "patrols",
        Direction.Ascending, Aggregation.PerPeriod, null, [Year(2024, 4m)]);

    private static readonly Indicator RiverChiefs = new("joint-river-chiefs", "Joint river-chief mechanism", Measure.Qualitative, "narrative",
        Direction.Ascending, Aggregation.Cumulative, null, [Year(2024, null)]);

    private static object[] Registered(string id, string lead, string? contributor, params object[] definitions) =>
    [
        new CommitmentRegistered(id, A1, lead, "Bureau", ResultType.Output, "Title", "Description", new DateOnly(2025, 12, 31), "gov-" + lead, At(2024, 1, 10)),
        .. contributor is null ? Array.Empty<object>() : [new ContributorAssigned(id, contributor, 40m, "gov-" + lead, At(2024, 1, 10))],
        .. definitions,
    ];

    private static MilestoneScheduled Milestone(string commitment, string id, DateOnly due) =>
        new(commitment, new Milestone(id, id, MilestoneType.Delivery, due), "gov", At(2024, 1, 10));

    private static MilestoneStatusChanged Judged(string commitment, string id, MilestoneStatus status, DateOnly? metOn, DateTimeOffset at) =>
        new(commitment, id, status, metOn, JointOffice.Id, at);

    private static ProgressReported Report(string commitment, string reportId, string period, DateTimeOffset at, params (string Indicator, decimal Value)[] values) =>
        new(commitment, reportId, period, DateOnly.FromDateTime(at.UtcDateTime), [.. values.Select(v => new IndicatorValue(v.Indicator, v.Value))], "Narrative", LiuyangGov.Id, at);

    private static VerificationCompleted VerdictOn(string commitment, string claimId, Verdict verdict, DateTimeOffset at) =>
        new(commitment, claimId, VerificationMethod.DocumentReview, verdict, "Findings", JointOffice.Id, at);

    private static RectificationOrdered Ordered(string rectificationId, string government, DateOnly due) =>
        new(Jinyushi, rectificationId, government, "Findings", ["Act"], due, JointOffice.Id, At(2024, 5, 1));

    private static RectificationAccepted Accepted(string rectificationId, DateTimeOffset at) =>
        new(Jinyushi, rectificationId, "Closed", JointOffice.Id, at);

    private static object[] JinyushiEvents =>
    [
        .. Registered(Jinyushi, Liuyang, Shangli,
            new IndicatorDefined(Jinyushi, Months, "gov", At(2024, 1, 10)),
            new IndicatorDefined(Jinyushi, MonthlyClass, "gov", At(2024, 1, 10)),
            new IndicatorDefined(Jinyushi, Patrols, "gov", At(2024, 1, 10)),
            new IndicatorDefined(Jinyushi, RiverChiefs, "gov", At(2024, 1, 10)),
            Milestone(Jinyushi, "patrol-plan", new DateOnly(2024, 3, 31)),
            Milestone(Jinyushi, "station", new DateOnly(2024, 9, 30)),
            Milestone(Jinyushi, "data-platform", new DateOnly(2024, 6, 30)),
            Milestone(Jinyushi, "phase-two", new DateOnly(2025, 6, 30))),
        new CommitmentActivated(Jinyushi, JointOffice.Id, At(2024, 1, 15)),
        Judged(Jinyushi, "patrol-plan", MilestoneStatus.Met, new DateOnly(2024, 3, 20), At(2024, 3, 25)),
        Judged(Jinyushi, "station", MilestoneStatus.Met, new DateOnly(2024, 10, 15), At(2024, 10, 20)),
        Judged(Jinyushi, "data-platform", MilestoneStatus.NotMet, null, At(2024, 7, 1)),
        new CommitmentRevised(Jinyushi, "rev-1", "Vendor failed", "HX-2024-09", null,
            [new Milestone("data-platform", "data-platform", MilestoneType.Delivery, new DateOnly(2025, 3, 31))], Conference.Id, At(2024, 9, 1)),
        Report(Jinyushi, "report-2024-h1", "2024-h1", At(2024, 8, 15), (MonthlyClass.IndicatorId, 4m)),
        Report(Jinyushi, "report-2024", "2024", At(2025, 1, 20), (Months.IndicatorId, 10m), (Patrols.IndicatorId, 6m)),
        new ProgressCorrected(Jinyushi, "fix-2024", "report-2024", [new IndicatorValue(Months.IndicatorId, 11m)], "November misread", LiuyangGov.Id, At(2025, 2, 10)),
        VerdictOn(Jinyushi, "claim-a", Verdict.Verified, At(2024, 3, 25)),
        VerdictOn(Jinyushi, "claim-b", Verdict.PartiallyVerified, At(2024, 10, 20)),
        VerdictOn(Jinyushi, "claim-c", Verdict.Rejected, At(2024, 5, 1)),
        VerdictOn(Jinyushi, "claim-d", Verdict.Verified, At(2025, 1, 15)),
        Ordered("rect-1", Liuyang, new DateOnly(2024, 7, 31)),
        Accepted("rect-1", At(2024, 7, 20)),
        Ordered("rect-2", Liuyang, new DateOnly(2024, 9, 30)),
        new RectificationRejected(Jinyushi, "rect-2", "Not enough", new DateOnly(2024, 11, 30), JointOffice.Id, At(2024, 10, 1)),
        Accepted("rect-2", At(2024, 12, 10)),
        Ordered("rect-3", Shangli, new DateOnly(2024, 8, 31)),
        // 17:00 UTC on 31 August is 01:00 on 1 September at UTC+8: one day late.
        Accepted("rect-3", At(2024, 8, 31, 17)),
    ];

    private static object[] BorderRoadEvents =>
    [
        .. Registered(BorderRoad, Liuyang, Liling, Milestone(BorderRoad, "road-design", new DateOnly(2024, 5, 31))),
        new CommitmentActivated(BorderRoad, JointOffice.Id, At(2024, 1, 15)),
        Judged(BorderRoad, "road-design", MilestoneStatus.Met, new DateOnly(2024, 5, 31), At(2024, 6, 3)),
    ];

    private static object[] DraftEvents => Registered(Draft, Liling, null, Milestone(Draft, "park-plan", new DateOnly(2024, 6, 30)));

    private static object[] WithdrawnEvents =>
    [
        .. Registered(Withdrawn, Shangli, Liuyang, Milestone(Withdrawn, "route-map", new DateOnly(2024, 6, 30))),
        new CommitmentActivated(Withdrawn, JointOffice.Id, At(2024, 1, 15)),
        VerdictOn(Withdrawn, "claim-route", Verdict.Rejected, At(2024, 6, 1)),
        new CommitmentWithdrawn(Withdrawn, "Merged into A2's main route", Conference.Id, At(2024, 7, 1)),
    ];

    public static ScoringFacts WorkedExample => ScoringFacts.From(
        [new(Liuyang, Province.Hunan), new(Liling, Province.Hunan), new(Shangli, Province.Jiangxi), new(Pingjiang, Province.Hunan)],
        [JinyushiEvents, BorderRoadEvents, DraftEvents, WithdrawnEvents]);

    public static IReadOnlyList<Scorecard> WorkedExampleCards => ScoringMethod.Score(ScoringMethod.Version1, Start, End, Weights, WorkedExample).Ranked;

    public static ScoringOutcome WorkedExampleUnder2 => ScoringMethod.Score(ScoringMethod.Version2, Start, End, Weights, WorkedExample);

    private static Scorecard CardOf(string government, ScoreWeights? weights = null) =>
        ScoringMethod.Score(ScoringMethod.Version1, Start, End, weights ?? Weights, WorkedExample).Ranked.Single(c => c.GovernmentId == government);

    private static ScoreComponent C(string name, int weight, decimal ratio, int achieved, int expected, decimal points) =>
        new(name, weight, ratio, achieved, expected, points);

    [Fact]
    public void Under_1_0_the_worked_example_scores_each_government_as_computed_by_hand()
    {
        // Liuyang leads Jinyushi and the border road.
        //   indicator achievement: months 11/12 (the correction replaced 10) = 0.91667; monthly class is lower-is-better,
        //     3/4 = 0.75; patrols 6/4 = 1.5, capped at 1.2; the 2025 period ends outside the cycle and the qualitative
        //     indicator is not a number. Mean (0.91667 + 0.75 + 1.2) / 3 = 0.95556 → 0.9556; 40 × 0.9556 = 38.224 → 38.22.
        //   milestones: patrol-plan met 03-20 ≤ 03-31 yes; station met 10-15 > 09-30 no; road-design met 05-31 ≤ 05-31 yes;
        //     data-platform was rescheduled to 2025 and phase-two is due in 2025. 2/3 = 0.6667; 20 × 0.6667 = 13.334 → 13.33.
        //   reporting: months 2024 first reported 2025-01-20 ≤ 2025-01-30 yes; patrols 2024 same report yes; monthly class
        //     2024-h1 reported 2024-08-15 > 2024-07-30 no; river chiefs 2024 never reported no. 2/4 = 0.5 → 5.00.
        //   verification: claims on Jinyushi decided in 2024: verified 1 + partly 0.5 + rejected 0 = 1.5 of 3 = 0.5 → 7.50
        //     (claim-d was decided in 2025).
        //   rectification: rect-1 accepted 07-20 ≤ 07-31 yes; rect-2 due moved to 11-30, accepted 12-10 no. 1/2 → 5.00.
        //   joint actions: Jinyushi has Hunan and Jiangxi yes; border road only Hunan no. 1/2 → 2.50.
        //   total 38.22 + 13.33 + 5.00 + 7.50 + 5.00 + 2.50 = 71.55 → 71.6 (half away from zero): Pass.
        var liuyang = CardOf(Liuyang);
        Assert.Equal(
        [
            C(ScoringMethod.IndicatorAchievement, 40, 0.9556m, 1, 3, 38.22m),
            C(ScoringMethod.MilestonesOnTime, 20, 0.6667m, 2, 3, 13.33m),
            C(ScoringMethod.ReportingTimeliness, 10, 0.5m, 2, 4, 5m),
            C(ScoringMethod.VerificationPassRate, 15, 0.5m, 1, 3, 7.5m),
            C(ScoringMethod.RectificationOnTime, 10, 0.5m, 1, 2, 5m),
            C(ScoringMethod.JointActions, 5, 0.5m, 1, 2, 2.5m),
        ], liuyang.Components);
        Assert.Equal((71.6m, Band.Pass), (liuyang.Total, liuyang.Band));

        // Shangli contributes to Jinyushi; it leads only the withdrawn route, which is not scored.
        //   indicator achievement and reporting as Jinyushi above: 38.22 and 5.00.
        //   milestones: patrol-plan yes, station no: 1/2 → 10.00. verification: no claim of its own decided → 15 (nothing to measure).
        //   rectification: rect-3 accepted on 09-01 at UTC+8, due 08-31: 0/1 → 0.00. joint actions: 1/1 → 5.00.
        //   total 38.22 + 10.00 + 5.00 + 15 + 0.00 + 5.00 = 73.22 → 73.2: Pass.
        var shangli = CardOf(Shangli);
        Assert.Equal(
        [
            C(ScoringMethod.IndicatorAchievement, 40, 0.9556m, 1, 3, 38.22m),
            C(ScoringMethod.MilestonesOnTime, 20, 0.5m, 1, 2, 10m),
            C(ScoringMethod.ReportingTimeliness, 10, 0.5m, 2, 4, 5m),
            C(ScoringMethod.VerificationPassRate, 15, 1m, 0, 0, 15m),
            C(ScoringMethod.RectificationOnTime, 10, 0m, 0, 1, 0m),
            C(ScoringMethod.JointActions, 5, 1m, 1, 1, 5m),
        ], shangli.Components);
        Assert.Equal((73.2m, Band.Pass), (shangli.Total, shangli.Band));

        // Liling contributes to the border road (its own draft is not scored): no indicator, no report due,
        //   no claim, no order → full 40, 10, 15, 10; road-design on time 1/1 → 20.00; one province only 0/1 → 0.00.
        //   total 40 + 20 + 10 + 15 + 10 + 0 = 95.0: Excellent.
        var liling = CardOf(Liling);
        Assert.Equal(
        [
            C(ScoringMethod.IndicatorAchievement, 40, 1m, 0, 0, 40m),
            C(ScoringMethod.MilestonesOnTime, 20, 1m, 1, 1, 20m),
            C(ScoringMethod.ReportingTimeliness, 10, 1m, 0, 0, 10m),
            C(ScoringMethod.VerificationPassRate, 15, 1m, 0, 0, 15m),
            C(ScoringMethod.RectificationOnTime, 10, 1m, 0, 0, 10m),
            C(ScoringMethod.JointActions, 5, 0m, 0, 1, 0m),
        ], liling.Components);
        Assert.Equal((95.0m, Band.Excellent), (liling.Total, liling.Band));

        // Pingjiang has nothing to measure: every component scores its full weight, 100.0.
        var pingjiang = CardOf(Pingjiang);
        Assert.All(pingjiang.Components, c => Assert.Equal((0, c.Weight * 1m), (c.Expected, c.Points)));
        Assert.Equal((100.0m, Band.Excellent), (pingjiang.Total, pingjiang.Band));
    }

    [Fact]
    public void Under_1_0_governments_are_ranked_by_total_highest_first()
    {
        var cards = WorkedExampleCards;

        Assert.Equal([Pingjiang, Liling, Shangli, Liuyang], cards.Select(c => c.GovernmentId));
        Assert.Equal([1, 2, 3, 4], cards.Select(c => c.Rank));
        Assert.All(cards, c => Assert.Equal(4, c.Of));
    }

    [Fact]
    public void Under_1_0_equal_totals_are_ranked_by_division_code()
    {
        var facts = new ScoringFacts([new(Pingjiang, Province.Hunan), new(Xiangdong, Province.Jiangxi), new(Liling, Province.Hunan)], []);

        var cards = ScoringMethod.Score(ScoringMethod.Version1, Start, End, Weights, facts).Ranked;

        // 1.0: 360313 < 430281 < 430626, all at 100.
        Assert.Equal([(Xiangdong, 1), (Liling, 2), (Pingjiang, 3)], cards.Select(c => (c.GovernmentId, c.Rank)));
    }

    [Fact]
    public void The_weights_are_the_cycles_data()
    {
        // All weight on indicator achievement: Liuyang 100 × 0.9556 = 95.56 → 95.6; the other components earn nothing.
        var card = CardOf(Liuyang, new ScoreWeights(100, 0, 0, 0, 0, 0));

        Assert.Equal(95.56m, card.Components[0].Points);
        Assert.All(card.Components.Skip(1), c => Assert.Equal(0m, c.Points));
        Assert.Equal((95.6m, Band.Excellent), (card.Total, card.Band));
    }

    [Fact]
    public void Only_the_ledger_as_it_stands_counts_a_period_with_no_report_scores_nothing()
    {
        // Without the 2024 report and its correction: months 0/12 = 0, patrols 0/4 = 0, monthly class 0.75.
        // Mean 0.75 / 3 = 0.25 → 40 × 0.25 = 10.00.
        var events = JinyushiEvents.Where(e => e is not (ProgressReported { ReportId: "report-2024" } or ProgressCorrected)).ToArray();
        var facts = ScoringFacts.From([new(Liuyang, Province.Hunan), new(Shangli, Province.Jiangxi)], [events]);

        var card = ScoringMethod.Score(ScoringMethod.Version1, Start, End, Weights, facts).Ranked.Single(c => c.GovernmentId == Liuyang);

        Assert.Equal(C(ScoringMethod.IndicatorAchievement, 40, 0.25m, 0, 3, 10m), card.Components[0]);
    }

    [Theory]
    [InlineData(Measure.Count, Direction.Ascending, "12", "11", "0.9166666666666666666666666667")]
    [InlineData(Measure.Count, Direction.Ascending, "4", "6", "1.2")]          // 1.5 capped at 120%
    [InlineData(Measure.Count, Direction.Ascending, "4", null, "0")]           // nothing reported
    [InlineData(Measure.Count, Direction.Ascending, "0", "3", "1")]            // a zero target is met by anything
    [InlineData(Measure.Count, Direction.Descending, "0", "0", "1")]           // zero accidents, as targeted
    [InlineData(Measure.Count, Direction.Descending, "0", "1", "0")]           // one accident against a target of none
    [InlineData(Measure.Count, Direction.Descending, "2", "0", "1.2")]         // none against a ceiling of two: capped
    [InlineData(Measure.Count, Direction.Descending, "2", "4", "0.5")]
    [InlineData(Measure.Percent, Direction.Ascending, "100", "85", "0.85")]
    [InlineData(Measure.Boolean, Direction.Ascending, "1", "1", "1")]
    [InlineData(Measure.Boolean, Direction.Ascending, "1", "0", "0")]
    [InlineData(Measure.WaterQualityClass, Direction.Descending, "3", "2", "1.2")] // Class II against III: 1.5, capped
    [InlineData(Measure.WaterQualityClass, Direction.Ascending, "3", "4", "0.75")] // lower is better whatever is declared
    public void A_periods_ratio_is_actual_over_target_inverted_for_lower_is_better_and_capped(
        Measure measure, Direction direction, string target, string? actual, string expected)
    {
        static decimal D(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        var indicator = new Indicator("x-indicator", "X", measure, "u", direction, Aggregation.PerPeriod, null, []);

        Assert.Equal(D(expected), ScoringMethod.PeriodRatio(indicator, D(target), actual is null ? null : D(actual)));
    }

    [Theory]
    [InlineData("100", Band.Excellent)]
    [InlineData("90", Band.Excellent)]
    [InlineData("89.9", Band.Good)]
    [InlineData("75", Band.Good)]
    [InlineData("74.9", Band.Pass)]
    [InlineData("60", Band.Pass)]
    [InlineData("59.9", Band.Fail)]
    [InlineData("0", Band.Fail)]
    public void Bands_follow_the_zones_thresholds(string total, Band band) =>
        Assert.Equal(band, ScoringMethod.BandOf(decimal.Parse(total, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void A_newer_report_for_a_period_stays_in_front_of_a_correction_to_an_older_one()
    {
        object[] events =
        [
            .. Registered(Jinyushi, Liuyang, null, new IndicatorDefined(Jinyushi, Months, "gov", At(2024, 1, 10))),
            Report(Jinyushi, "first", "2024", At(2025, 1, 5), (Months.IndicatorId, 9m)),
            Report(Jinyushi, "second", "2024", At(2025, 1, 25), (Months.IndicatorId, 12m)),
            new ProgressCorrected(Jinyushi, "fix-first", "first", [new IndicatorValue(Months.IndicatorId, 10m)], "Typo", LiuyangGov.Id, At(2025, 2, 1)),
        ];
        var facts = events.Aggregate((CommitmentFacts?)null, CommitmentFacts.Evolve)!;

        Assert.Equal(12m, facts.Actual(Months.IndicatorId, "2024"));
        Assert.Equal(At(2025, 1, 5), facts.FirstReportedAt(Months.IndicatorId, "2024"));
    }

    [Fact]
    public void A_revision_moves_a_milestone_and_schedules_a_missed_one_again()
    {
        var facts = JinyushiEvents.Aggregate((CommitmentFacts?)null, CommitmentFacts.Evolve)!;

        Assert.Equal(new MilestoneFacts("data-platform", new DateOnly(2025, 3, 31), MilestoneStatus.Scheduled, null), facts.Milestones["data-platform"]);
        Assert.Equal(new DateOnly(2024, 11, 30), facts.Rectifications["rect-2"].DueOn);
        Assert.True(facts.IsScored);
    }

    // ---- method 2.0 ----

    [Fact]
    public void Under_2_0_a_component_with_nothing_to_measure_is_left_out_and_the_total_is_taken_over_the_weights_measured()
    {
        var outcome = WorkedExampleUnder2;
        Scorecard Of(string government) => outcome.Ranked.Single(c => c.GovernmentId == government);

        // Liuyang has something to measure in every component: the same points as under 1.0, over 100: 71.6.
        Assert.Equal(CardOf(Liuyang).Components, Of(Liuyang).Components);
        Assert.Equal((71.6m, Band.Pass), (Of(Liuyang).Total, Of(Liuyang).Band));

        // Shangli: no claim of its own decided, so verification (15) is left out: no ratio, no points.
        //   points 38.22 + 10.00 + 5.00 + 0.00 + 5.00 = 58.22 over the 85 points measured
        //   → 58.22 × 100 / 85 = 68.494 → 68.5: Pass (1.0 awarded the 15 and said 73.2).
        Assert.Equal(
        [
            C(ScoringMethod.IndicatorAchievement, 40, 0.9556m, 1, 3, 38.22m),
            C(ScoringMethod.MilestonesOnTime, 20, 0.5m, 1, 2, 10m),
            C(ScoringMethod.ReportingTimeliness, 10, 0.5m, 2, 4, 5m),
            C(ScoringMethod.VerificationPassRate, 15, 0m, 0, 0, 0m),
            C(ScoringMethod.RectificationOnTime, 10, 0m, 0, 1, 0m),
            C(ScoringMethod.JointActions, 5, 1m, 1, 1, 5m),
        ], Of(Shangli).Components);
        Assert.Equal((68.5m, Band.Pass), (Of(Shangli).Total, Of(Shangli).Band));

        // Liling: only the road design (20, met on time) and joint actions (5, none) are measured:
        //   20.00 + 0.00 = 20 over 25 → 80.0: Good (1.0 filled in 40 + 10 + 15 + 10 and said 95.0, Excellent).
        Assert.Equal(
        [
            C(ScoringMethod.IndicatorAchievement, 40, 0m, 0, 0, 0m),
            C(ScoringMethod.MilestonesOnTime, 20, 1m, 1, 1, 20m),
            C(ScoringMethod.ReportingTimeliness, 10, 0m, 0, 0, 0m),
            C(ScoringMethod.VerificationPassRate, 15, 0m, 0, 0, 0m),
            C(ScoringMethod.RectificationOnTime, 10, 0m, 0, 0, 0m),
            C(ScoringMethod.JointActions, 5, 0m, 0, 1, 0m),
        ], Of(Liling).Components);
        Assert.Equal((80.0m, Band.Good), (Of(Liling).Total, Of(Liling).Band));
        // Shown as published: ratios to four places, points to two, totals to one.
        Assert.Equal("0.0000 0.00 80.0", $"{Of(Liling).Components[0].Ratio} {Of(Liling).Components[0].Points} {Of(Liling).Total}");
    }

    [Fact]
    public void Under_2_0_a_government_with_nothing_to_measure_has_no_score_and_no_rank()
    {
        var outcome = WorkedExampleUnder2;

        // Pingjiang takes part in nothing: 1.0 gave it 100.0 and first place; 2.0 does not score it.
        var pingjiang = Assert.Single(outcome.NotScored);
        Assert.Equal(Pingjiang, pingjiang.GovernmentId);
        Assert.All(pingjiang.Components, c => Assert.Equal((0, 0m), (c.Expected, c.Points)));
        Assert.Equal([(Liling, 1), (Liuyang, 2), (Shangli, 3)], outcome.Ranked.Select(c => (c.GovernmentId, c.Rank)));
        Assert.All(outcome.Ranked, c => Assert.Equal(3, c.Of));
    }

    [Fact]
    public void Under_2_0_nothing_counts_when_only_components_weighted_zero_were_measured()
    {
        // All weight on indicator achievement: Liling has a milestone and a commitment but no indicator period.
        var outcome = ScoringMethod.Score(ScoringMethod.Version2, Start, End, new ScoreWeights(100, 0, 0, 0, 0, 0), WorkedExample);

        Assert.Equal([Liling, Pingjiang], outcome.NotScored.Select(c => c.GovernmentId));
        Assert.Equal((95.6m, 1), (outcome.Ranked.Single(c => c.GovernmentId == Liuyang).Total, outcome.Ranked.Single(c => c.GovernmentId == Liuyang).Rank));
    }

    [Fact]
    public void Under_2_0_equal_totals_share_a_rank_and_the_next_rank_counts_the_totals_above()
    {
        // Xiangdong (Jiangxi) leads a commitment Liling (Hunan) contributes to: joint, 1/1 each → 100.0.
        // Pingjiang leads one of Hunan alone: 0/1 → 0.0. Liuyang takes part in nothing: not scored.
        object[] shared = [.. Registered("a05-shared", Xiangdong, Liling), new CommitmentActivated("a05-shared", JointOffice.Id, At(2024, 1, 15))];
        object[] alone = [.. Registered("a04-alone", Pingjiang, null), new CommitmentActivated("a04-alone", JointOffice.Id, At(2024, 1, 15))];
        var facts = ScoringFacts.From(
            [new(Pingjiang, Province.Hunan), new(Xiangdong, Province.Jiangxi), new(Liling, Province.Hunan), new(Liuyang, Province.Hunan)],
            [shared, alone]);

        var outcome = ScoringMethod.Score(ScoringMethod.Version2, Start, End, Weights, facts);

        // Standard competition ranking (1, 1, 3); equal totals are listed by division code, 360313 before 430281.
        Assert.Equal([(Xiangdong, 100.0m, 1), (Liling, 100.0m, 1), (Pingjiang, 0.0m, 3)], outcome.Ranked.Select(c => (c.GovernmentId, c.Total, c.Rank)));
        Assert.All(outcome.Ranked, c => Assert.Equal(3, c.Of));
        Assert.Equal([Liuyang], outcome.NotScored.Select(c => c.GovernmentId));
        // 1.0 on the same ledger: 1, 2, 3, 4 with Liuyang's empty card among the hundreds.
        Assert.Equal([(Xiangdong, 1), (Liuyang, 2), (Liling, 3), (Pingjiang, 4)],
            ScoringMethod.Score(ScoringMethod.Version1, Start, End, Weights, facts).Ranked.Select(c => (c.GovernmentId, c.Rank)));
    }

    [Fact]
    public void Under_2_0_a_milestone_is_met_on_the_date_of_the_claim_the_verification_confirmed()
    {
        // Due 2024-06-30. "early" is claimed on 06-28 and verified on 07-05; "late" is claimed at 17:00 UTC on
        // 06-30, which is 01:00 on 07-01 at UTC+8, and verified the same day; "judged" is set met on 06-30
        // with no claim, and its recorded date stands.
        const string Road = "a03-road";
        var due = new DateOnly(2024, 6, 30);
        object[] events =
        [
            .. Registered(Road, Liuyang, null, Milestone(Road, "early", due), Milestone(Road, "late", due), Milestone(Road, "judged", due)),
            new CommitmentActivated(Road, JointOffice.Id, At(2024, 1, 15)),
            new FulfilmentClaimed(Road, "claim-early", ClaimScope.Milestone, "early", ["ev"], "Done", LiuyangGov.Id, At(2024, 6, 28)),
            new FulfilmentClaimed(Road, "claim-late", ClaimScope.Milestone, "late", ["ev"], "Done", LiuyangGov.Id, At(2024, 6, 30, 17)),
            VerdictOn(Road, "claim-early", Verdict.Verified, At(2024, 7, 5)),
            Judged(Road, "early", MilestoneStatus.Met, new DateOnly(2024, 7, 5), At(2024, 7, 5)),
            VerdictOn(Road, "claim-late", Verdict.Verified, At(2024, 7, 1)),
            Judged(Road, "late", MilestoneStatus.Met, new DateOnly(2024, 7, 1), At(2024, 7, 1)),
            Judged(Road, "judged", MilestoneStatus.Met, due, At(2024, 7, 2)),
        ];
        var facts = ScoringFacts.From([new(Liuyang, Province.Hunan)], [events]);

        var v2 = ScoringMethod.Score(ScoringMethod.Version2, Start, End, Weights, facts).Ranked.Single().Components[1];
        var v1 = ScoringMethod.Score(ScoringMethod.Version1, Start, End, Weights, facts).Ranked.Single().Components[1];

        // 2.0: early (06-28) and judged (06-30) on time, late (07-01) not: 2/3. 1.0 read the verification's day: only judged, 1/3.
        Assert.Equal(C(ScoringMethod.MilestonesOnTime, 20, 0.6667m, 2, 3, 13.33m), v2);
        Assert.Equal(C(ScoringMethod.MilestonesOnTime, 20, 0.3333m, 1, 3, 6.67m), v1);
        var c = facts.Commitments.Single();
        // 1.0 keeps the day the judgement recorded; the lifecycle (2.0, the record, the views) the claim's.
        Assert.Equal((new DateOnly(2024, 7, 5), new DateOnly(2024, 6, 28)),
            (c.Milestones["early"].MetOn!.Value, c.Lifecycle.Item(CommitmentLifecycle.MilestoneKey("early"))!.MetOn!.Value));
    }

    [Fact]
    public void Under_2_0_a_milestone_the_clock_found_late_stays_late_though_a_revision_moved_it_as_the_views_count_it()
    {
        // Due 2024-03-31, noticed overdue on 04-01, moved by a revision to 06-30 and met on 06-20: 1.0 read
        // the date in force and counted it on time; 2.0 reads the lifecycle, as the record and the views do.
        const string Road = "a03-road";
        object[] events =
        [
            .. Registered(Road, Liuyang, null, Milestone(Road, "design", new DateOnly(2024, 3, 31))),
            new CommitmentActivated(Road, JointOffice.Id, At(2024, 1, 15)),
            new CommitmentOverdue(Road, DueKind.Milestone, "design", new DateOnly(2024, 3, 31), Actor.System.Id, At(2024, 4, 1)),
            new CommitmentRevised(Road, "rev-1", "Flood season", "XGB-2024-07", null,
                [new Milestone("design", "design", MilestoneType.Approval, new DateOnly(2024, 6, 30))], Conference.Id, At(2024, 4, 10)),
            Judged(Road, "design", MilestoneStatus.Met, new DateOnly(2024, 6, 20), At(2024, 6, 20)),
        ];
        var facts = ScoringFacts.From([new(Liuyang, Province.Hunan)], [events]);

        var v2 = ScoringMethod.Score(ScoringMethod.Version2, Start, End, Weights, facts).Ranked.Single().Components[1];
        var v1 = ScoringMethod.Score(ScoringMethod.Version1, Start, End, Weights, facts).Ranked.Single().Components[1];

        Assert.Equal((0, 1), (v2.Achieved, v2.Expected));
        Assert.Equal((1, 1), (v1.Achieved, v1.Expected));
        Assert.Equal((1, 0), (facts.Commitments.Single().Lifecycle.MilestonesDue, facts.Commitments.Single().Lifecycle.MilestonesMetOnTime));
    }

    [Fact]
    public void A_rejected_claim_gives_no_date_to_a_later_judgement()
    {
        // A claim rejected on 05-01 does not make the milestone met when it is claimed again and verified.
        const string Road = "a03-road";
        object[] events =
        [
            .. Registered(Road, Liuyang, null, Milestone(Road, "design", new DateOnly(2024, 5, 31))),
            new CommitmentActivated(Road, JointOffice.Id, At(2024, 1, 15)),
            new FulfilmentClaimed(Road, "first", ClaimScope.Milestone, "design", ["ev"], "Done", LiuyangGov.Id, At(2024, 4, 20)),
            VerdictOn(Road, "first", Verdict.Rejected, At(2024, 5, 1)),
            new FulfilmentClaimed(Road, "second", ClaimScope.Milestone, "design", ["ev"], "Done, with the approval", LiuyangGov.Id, At(2024, 6, 10)),
            VerdictOn(Road, "second", Verdict.Verified, At(2024, 6, 12)),
            Judged(Road, "design", MilestoneStatus.Met, new DateOnly(2024, 6, 12), At(2024, 6, 12)),
        ];
        var facts = events.Aggregate((CommitmentFacts?)null, CommitmentFacts.Evolve)!;

        Assert.Equal(new DateOnly(2024, 6, 10), facts.Lifecycle.Item(CommitmentLifecycle.MilestoneKey("design"))!.MetOn);
    }

    [Fact]
    public void A_cycle_opened_under_a_version_the_method_does_not_list_keeps_1_0()
    {
        // Before versions were checked, cycles were opened with names of the supervisors' choosing; 1.0 was the only method.
        Assert.Equal(ScoringMethod.Versions[ScoringMethod.Version1], ScoringMethod.For("xgb-scorecard-2024.1"));
        static IEnumerable<string> Shown(ScoringOutcome o) => o.Ranked.Select(c => $"{c.GovernmentId} {c.Total} {c.Rank} {string.Join(" ", c.Components)}");
        Assert.Equal(
            Shown(ScoringMethod.Score(ScoringMethod.Version1, Start, End, Weights, WorkedExample)),
            Shown(ScoringMethod.Score("xgb-scorecard-2024.1", Start, End, Weights, WorkedExample)));
    }
}
