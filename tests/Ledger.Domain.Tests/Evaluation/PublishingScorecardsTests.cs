using Ledger.Contracts;
using Ledger.Domain.Evaluation;
using static Ledger.Domain.Tests.Evaluation.EvaluationPilot;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Evaluation;

public class PublishingScorecardsTests
{
    private static PublishScorecards Publish(DateTimeOffset at, ScoringFacts? facts = null, Actor? actor = null) =>
        new(Cycle, facts ?? NothingToMeasure, actor ?? JointOffice, at);

    [Fact]
    public void Under_1_0_every_registered_government_gets_one_scorecard_in_rank_order() =>
        Spec.Given(Opened)
            .When(state => EvaluationDecider.Decide(state, Publish(PublishedAt)))
            // All three score 100: equal totals are ranked by division code.
            .Then(FullMarksCard(Shangli, 1, PublishedAt), FullMarksCard(Liuyang, 2, PublishedAt), FullMarksCard(Liling, 3, PublishedAt))
            .AndState(s =>
            {
                Assert.True(s.IsPublished);
                Assert.Equal(PublishedAt, s.Published[Liling]);
            });

    [Fact]
    public void Scorecards_are_published_from_the_first_day_after_the_cycle_in_the_zones_time()
    {
        // 2024-12-31T16:00Z is midnight on 1 January 2025 at UTC+8.
        var midnight = new DateTimeOffset(2024, 12, 31, 16, 0, 0, TimeSpan.Zero);

        Spec.Given(Opened)
            .When(state => EvaluationDecider.Decide(state, Publish(midnight)))
            .Then(FullMarksCard(Shangli, 1, midnight), FullMarksCard(Liuyang, 2, midnight), FullMarksCard(Liling, 3, midnight));
    }

    [Fact]
    public void Scorecards_are_not_published_on_the_cycles_last_day() =>
        Spec.Given(Opened)
            .When(state => EvaluationDecider.Decide(state, Publish(new DateTimeOffset(2024, 12, 31, 15, 59, 59, TimeSpan.Zero))))
            .ThenFails(DomainErrorKind.Conflict, "cycle_not_ended");

    [Fact]
    public void Scorecards_are_not_published_while_the_cycle_runs() =>
        Spec.Given(Opened)
            .When(state => EvaluationDecider.Decide(state, Publish(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero))))
            .ThenFails(DomainErrorKind.Conflict, "cycle_not_ended");

    [Fact]
    public void Scorecards_are_published_once_per_cycle() =>
        Spec.Given(Published)
            .When(state => EvaluationDecider.Decide(state, Publish(PublishedAt.AddDays(1))))
            .ThenFails(DomainErrorKind.Conflict, "scorecards_already_published");

    [Fact]
    public void Scorecards_need_an_open_cycle() =>
        Spec.Given()
            .When(state => EvaluationDecider.Decide(state, Publish(PublishedAt)))
            .ThenFails(DomainErrorKind.NotFound, "cycle_not_found", "cycleId");

    [Fact]
    public void Publishing_with_no_government_registered_is_refused() =>
        Spec.Given(Opened)
            .When(state => EvaluationDecider.Decide(state, Publish(PublishedAt, ScoringFacts.Empty)))
            .ThenFails(DomainErrorKind.Rule, "no_governments");

    [Theory]
    [InlineData(ActorRole.Government)]
    [InlineData(ActorRole.Decision)]
    [InlineData(ActorRole.Auditor)]
    public void Only_a_supervisor_publishes(ActorRole role) =>
        Spec.Given(Opened)
            .When(state => EvaluationDecider.Decide(state, Publish(PublishedAt, actor: new Actor("someone", role, role == ActorRole.Government ? Liuyang : null))))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Fact]
    public void Published_scorecards_carry_the_methods_numbers_for_the_cycles_weights() =>
        Spec.Given(Opened)
            .When(state => EvaluationDecider.Decide(state, Publish(PublishedAt, ScoringMethodTests.WorkedExample)))
            .AndState(s => Assert.Equal(4, s.Published.Count))
            .Then(
                // The hand computation is in ScoringMethodTests.The_worked_example_scores_each_government_as_computed_by_hand.
                Card(Pingjiang, 100.0m, Band.Excellent, 1),
                Card(Liling, 95.0m, Band.Excellent, 2),
                Card(Shangli, 73.2m, Band.Pass, 3),
                Card(Liuyang, 71.6m, Band.Pass, 4));

    [Fact]
    public void Under_2_0_the_ranked_are_published_in_rank_order_then_who_was_not_scored()
    {
        // The worked example under 2.0 (ScoringMethodTests): Liling 80.0, Shangli 68.5, Liuyang 71.6; Pingjiang not scored.
        var outcome = ScoringMethodTests.WorkedExampleUnder2;
        ScorecardPublished Ranked(string government, decimal total, Band band, int rank)
        {
            var card = outcome.Ranked.Single(c => c.GovernmentId == government);
            return new ScorecardPublished(Cycle, government, card.Components, total, band, rank, 3, JointOffice.Id, PublishedAt);
        }

        Spec.Given(OpenedUnder2)
            .When(state => EvaluationDecider.Decide(state, Publish(PublishedAt, ScoringMethodTests.WorkedExample)))
            .Then(
                Ranked(Liling, 80.0m, Band.Good, 1),
                Ranked(Liuyang, 71.6m, Band.Pass, 2),
                Ranked(Shangli, 68.5m, Band.Pass, 3),
                new GovernmentNotScored(Cycle, Pingjiang, outcome.NotScored.Single().Components, JointOffice.Id, PublishedAt))
            .AndState(s => Assert.Equal((3, PublishedAt), (s.Published.Count, s.NotScored[Pingjiang])));
    }

    [Fact]
    public void Under_2_0_a_cycle_where_nobody_had_anything_to_measure_publishes_nobody_as_scored_once()
    {
        var published = Spec.Given(OpenedUnder2)
            .When(state => EvaluationDecider.Decide(state, Publish(PublishedAt)))
            .Then(
                new GovernmentNotScored(Cycle, Shangli, LeftOut, JointOffice.Id, PublishedAt),
                new GovernmentNotScored(Cycle, Liuyang, LeftOut, JointOffice.Id, PublishedAt),
                new GovernmentNotScored(Cycle, Liling, LeftOut, JointOffice.Id, PublishedAt))
            .AndState(s => Assert.True(s.IsPublished));

        Spec.Given([OpenedUnder2, .. new[] { Shangli, Liuyang, Liling }.Select(g => new GovernmentNotScored(Cycle, g, LeftOut, JointOffice.Id, PublishedAt))])
            .When(state => EvaluationDecider.Decide(state, Publish(PublishedAt.AddDays(1))))
            .ThenFails(DomainErrorKind.Conflict, "scorecards_already_published");
    }

    private static IReadOnlyList<ScoreComponent> LeftOut =>
    [
        new(ScoringMethod.IndicatorAchievement, 40, 0.0000m, 0, 0, 0.00m),
        new(ScoringMethod.MilestonesOnTime, 20, 0.0000m, 0, 0, 0.00m),
        new(ScoringMethod.ReportingTimeliness, 10, 0.0000m, 0, 0, 0.00m),
        new(ScoringMethod.VerificationPassRate, 15, 0.0000m, 0, 0, 0.00m),
        new(ScoringMethod.RectificationOnTime, 10, 0.0000m, 0, 0, 0.00m),
        new(ScoringMethod.JointActions, 5, 0.0000m, 0, 0, 0.00m),
    ];

    private static ScorecardPublished Card(string governmentId, decimal total, Band band, int rank)
    {
        var card = ScoringMethodTests.WorkedExampleCards.Single(c => c.GovernmentId == governmentId);
        Assert.Equal((total, band, rank), (card.Total, card.Band, card.Rank));
        return new ScorecardPublished(Cycle, governmentId, card.Components, total, band, rank, 4, JointOffice.Id, PublishedAt);
    }
}
