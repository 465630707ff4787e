using Ledger.Contracts;
using Ledger.Domain.Evaluation;
using static Ledger.Domain.Tests.Evaluation.EvaluationPilot;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Evaluation;

public class OpeningEvaluationCyclesTests
{
    private static OpenEvaluationCycle Open(
        string cycleId = Cycle, ScoreWeights? weights = null, DateOnly? start = null, DateOnly? end = null,
        string period = "2024", string methodVersion = ScoringMethod.Current, Actor? actor = null) =>
        new(cycleId, period, start ?? Start, end ?? End, methodVersion, weights ?? Weights, actor ?? JointOffice, OpenedAt);

    [Fact]
    public void A_supervisor_opens_a_cycle_with_its_method_version_and_weights() =>
        Spec.Given()
            .When(state => EvaluationDecider.Decide(state, Open()))
            .Then(OpenedUnder2)
            .AndState(s =>
            {
                Assert.Equal((Start, End, ScoringMethod.Version2), (s.Start, s.End, s.MethodVersion));
                Assert.False(s.IsPublished);
            });

    [Fact]
    public void A_cycle_can_be_opened_before_it_starts() =>
        Spec.Given()
            .When(state => EvaluationDecider.Decide(state, Open("2026", period: "2026", start: new DateOnly(2026, 1, 1), end: new DateOnly(2026, 12, 31))))
            .Then(new EvaluationCycleOpened("2026", "2026", new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31), ScoringMethod.Current, Weights, JointOffice.Id, OpenedAt));

    [Fact]
    public void A_one_day_cycle_is_allowed() =>
        Spec.Given()
            .When(state => EvaluationDecider.Decide(state, Open(start: End, end: End)))
            .Then(OpenedUnder2 with { Start = End });

    [Theory]
    [InlineData(ActorRole.Government)]
    [InlineData(ActorRole.Decision)]
    [InlineData(ActorRole.Auditor)]
    [InlineData(ActorRole.Admin)]
    public void Only_a_supervisor_opens_a_cycle(ActorRole role) =>
        Spec.Given()
            .When(state => EvaluationDecider.Decide(state, Open(actor: new Actor("someone", role, role == ActorRole.Government ? Liuyang : null))))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Theory]
    [InlineData("")]
    [InlineData("24")]
    [InlineData("2024 Q1")]
    [InlineData("2024/q1")]
    [InlineData("Year2024")]
    public void A_cycle_id_is_lower_case_letters_digits_or_dashes(string cycleId) =>
        Spec.Given()
            .When(state => EvaluationDecider.Decide(state, Open(cycleId)))
            .ThenFails(DomainErrorKind.Rule, "invalid_cycle_id", "cycleId");

    [Fact]
    public void A_cycle_is_opened_once() =>
        Spec.Given(Opened)
            .When(state => EvaluationDecider.Decide(state, Open()))
            .ThenFails(DomainErrorKind.Conflict, "cycle_exists", "cycleId");

    [Fact]
    public void A_cycle_cannot_end_before_it_starts() =>
        Spec.Given()
            .When(state => EvaluationDecider.Decide(state, Open(start: End, end: Start)))
            .ThenFails(DomainErrorKind.Rule, "period_inverted", "end");

    [Fact]
    public void The_period_is_named() =>
        Spec.Given()
            .When(state => EvaluationDecider.Decide(state, Open(period: " ")))
            .ThenFails(DomainErrorKind.Rule, "required", "period");

    [Fact]
    public void The_method_version_is_named() =>
        Spec.Given()
            .When(state => EvaluationDecider.Decide(state, Open(methodVersion: "")))
            .ThenFails(DomainErrorKind.Rule, "required", "methodVersion");

    [Theory]
    [InlineData(ScoringMethod.Version1)]
    [InlineData(ScoringMethod.Version2)]
    public void A_cycle_names_any_version_the_method_knows_older_ones_included(string version) =>
        Spec.Given()
            .When(state => EvaluationDecider.Decide(state, Open(methodVersion: version)))
            .Then(Opened with { MethodVersion = version });

    [Theory]
    [InlineData("xgb-scorecard-2024.1")]
    [InlineData("xgb-eval-3.0")]
    [InlineData("XGB-EVAL-2.0")]
    public void A_method_version_the_method_does_not_know_is_refused_naming_the_known_ones(string version)
    {
        var refusal = Spec.Given()
            .When(state => EvaluationDecider.Decide(state, Open(methodVersion: version)))
            .ThenFails(DomainErrorKind.Rule, "unknown_method_version", "methodVersion");

        Assert.Contains("xgb-eval-1.0, xgb-eval-2.0", refusal.Message);
    }

    [Theory]
    [InlineData(40, 20, 10, 15, 10, 4)]   // 99
    [InlineData(40, 20, 10, 15, 10, 6)]   // 101
    [InlineData(0, 0, 0, 0, 0, 0)]
    public void Weights_that_do_not_sum_to_100_are_refused(int a, int b, int c, int d, int e, int f) =>
        Spec.Given()
            .When(state => EvaluationDecider.Decide(state, Open(weights: new ScoreWeights(a, b, c, d, e, f))))
            .ThenFails(DomainErrorKind.Rule, "weights_do_not_sum_to_100", "weights");

    [Fact]
    public void A_negative_weight_is_refused_even_when_the_sum_is_100() =>
        Spec.Given()
            .When(state => EvaluationDecider.Decide(state, Open(weights: new ScoreWeights(45, 20, 10, 15, 15, -5))))
            .ThenFails(DomainErrorKind.Rule, "weight_out_of_range", "weights.jointActions");

    [Fact]
    public void A_weight_above_100_is_refused() =>
        Spec.Given()
            .When(state => EvaluationDecider.Decide(state, Open(weights: new ScoreWeights(120, -20, 0, 0, 0, 0))))
            .ThenFails(DomainErrorKind.Rule, "weight_out_of_range", "weights.indicatorAchievement");

    [Fact]
    public void All_weight_on_one_component_is_allowed() =>
        Spec.Given()
            .When(state => EvaluationDecider.Decide(state, Open(weights: new ScoreWeights(100, 0, 0, 0, 0, 0))))
            .Then(OpenedUnder2 with { Weights = new ScoreWeights(100, 0, 0, 0, 0, 0) });
}
