using Ledger.Contracts;
using Ledger.Domain.Evaluation;
using static Ledger.Domain.Tests.Evaluation.EvaluationPilot;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Evaluation;

public class AppealingScoresTests
{
    private const string Appeal = "appeal-liuyang-2024";
    private const string Findings = "The acceptance report was filed on 2024-03-20; milestone credit restored.";
    private static readonly DateTimeOffset AppealedAt = PublishedAt.AddDays(10);
    private static readonly DateTimeOffset DecidedAt = PublishedAt.AddDays(20);

    private static AppealScore AppealBy(Actor actor, string appealId = Appeal, string? governmentId = null, DateTimeOffset? at = null, string grounds = Grounds) =>
        new(Cycle, appealId, governmentId, grounds, actor, at ?? AppealedAt);

    private static DecideAppeal Decide(bool upheld, decimal? revisedTotal, string appealId = Appeal, Actor? actor = null, string findings = Findings) =>
        new(Cycle, appealId, upheld, revisedTotal, findings, actor ?? JointOffice, DecidedAt);

    private static object[] AppealOpen => [.. Published, Appealed(Appeal, Liuyang, AppealedAt)];

    [Fact]
    public void A_government_appeals_its_own_published_score() =>
        Spec.Given(Published)
            .When(state => EvaluationDecider.Decide(state, AppealBy(LiuyangGov)))
            .Then(Appealed(Appeal, Liuyang, AppealedAt))
            .AndState(s => Assert.False(s.Appeals[Appeal].Decided));

    [Fact]
    public void Naming_its_own_scorecard_explicitly_is_the_same_appeal() =>
        Spec.Given(Published)
            .When(state => EvaluationDecider.Decide(state, AppealBy(LiuyangGov, governmentId: Liuyang)))
            .Then(Appealed(Appeal, Liuyang, AppealedAt));

    [Fact]
    public void A_government_cannot_appeal_another_governments_score() =>
        Spec.Given(Published)
            .When(state => EvaluationDecider.Decide(state, AppealBy(ShangliGov, governmentId: Liuyang)))
            .ThenFails(DomainErrorKind.Forbidden, "not_your_scorecard");

    [Theory]
    [InlineData(ActorRole.Supervisor)]
    [InlineData(ActorRole.Decision)]
    [InlineData(ActorRole.Auditor)]
    public void Only_a_government_appeals(ActorRole role) =>
        Spec.Given(Published)
            .When(state => EvaluationDecider.Decide(state, AppealBy(new Actor("someone", role), governmentId: Liuyang)))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Fact]
    public void Nothing_is_appealed_before_the_scorecards_are_published() =>
        Spec.Given(Opened)
            .When(state => EvaluationDecider.Decide(state, AppealBy(LiuyangGov)))
            .ThenFails(DomainErrorKind.Conflict, "scorecards_not_published");

    [Fact]
    public void A_government_without_a_scorecard_in_the_cycle_has_nothing_to_appeal() =>
        // Pingjiang was registered after the cycle's scorecards were published.
        Spec.Given(Published)
            .When(state => EvaluationDecider.Decide(state, AppealBy(PingjiangGov)))
            .ThenFails(DomainErrorKind.NotFound, "scorecard_not_found", "governmentId");

    [Fact]
    public void A_government_not_scored_has_no_score_to_appeal() =>
        Spec.Given(OpenedUnder2, new GovernmentNotScored(Cycle, Liuyang, [], JointOffice.Id, PublishedAt))
            .When(state => EvaluationDecider.Decide(state, AppealBy(LiuyangGov)))
            .ThenFails(DomainErrorKind.Conflict, "not_scored", "governmentId");

    [Fact]
    public void An_appeal_on_the_thirtieth_day_after_publication_is_in_time() =>
        Spec.Given(Published)
            .When(state => EvaluationDecider.Decide(state, AppealBy(LiuyangGov, at: PublishedAt.AddDays(30))))
            .Then(Appealed(Appeal, Liuyang, PublishedAt.AddDays(30)));

    [Fact]
    public void An_appeal_after_thirty_days_is_too_late() =>
        Spec.Given(Published)
            .When(state => EvaluationDecider.Decide(state, AppealBy(LiuyangGov, at: PublishedAt.AddDays(30).AddSeconds(1))))
            .ThenFails(DomainErrorKind.Conflict, "appeal_window_closed");

    [Fact]
    public void A_government_has_one_open_appeal_at_a_time() =>
        Spec.Given(AppealOpen)
            .When(state => EvaluationDecider.Decide(state, AppealBy(LiuyangGov, "appeal-liuyang-2024-second")))
            .ThenFails(DomainErrorKind.Conflict, "appeal_already_open");

    [Fact]
    public void Another_government_may_appeal_while_one_appeal_is_open() =>
        Spec.Given(AppealOpen)
            .When(state => EvaluationDecider.Decide(state, AppealBy(ShangliGov, "appeal-shangli-2024")))
            .Then(Appealed("appeal-shangli-2024", Shangli, AppealedAt));

    [Fact]
    public void After_a_decision_the_government_may_appeal_again_within_the_window() =>
        Spec.Given([.. AppealOpen, new ScoreAppealDecided(Cycle, Liuyang, Appeal, false, null, Findings, JointOffice.Id, DecidedAt)])
            .When(state => EvaluationDecider.Decide(state, AppealBy(LiuyangGov, "appeal-liuyang-2024-second", at: DecidedAt)))
            .Then(Appealed("appeal-liuyang-2024-second", Liuyang, DecidedAt));

    [Fact]
    public void An_appeal_id_is_used_once() =>
        Spec.Given(AppealOpen)
            .When(state => EvaluationDecider.Decide(state, AppealBy(ShangliGov)))
            .ThenFails(DomainErrorKind.Conflict, "appeal_exists", "appealId");

    [Fact]
    public void An_appeal_id_is_lower_case_letters_digits_or_dashes() =>
        Spec.Given(Published)
            .When(state => EvaluationDecider.Decide(state, AppealBy(LiuyangGov, "Appeal #1")))
            .ThenFails(DomainErrorKind.Rule, "invalid_appeal_id", "appealId");

    [Fact]
    public void An_appeal_states_its_grounds() =>
        Spec.Given(Published)
            .When(state => EvaluationDecider.Decide(state, AppealBy(LiuyangGov, grounds: "  ")))
            .ThenFails(DomainErrorKind.Rule, "required", "grounds");

    [Fact]
    public void Appeals_need_an_open_cycle() =>
        Spec.Given()
            .When(state => EvaluationDecider.Decide(state, AppealBy(LiuyangGov)))
            .ThenFails(DomainErrorKind.NotFound, "cycle_not_found", "cycleId");

    // ---- decisions ----

    [Fact]
    public void A_supervisor_upholds_an_appeal_with_the_revised_total() =>
        Spec.Given(AppealOpen)
            .When(state => EvaluationDecider.Decide(state, Decide(true, 74.9m)))
            .Then(new ScoreAppealDecided(Cycle, Liuyang, Appeal, true, 74.9m, Findings, JointOffice.Id, DecidedAt))
            .AndState(s => Assert.True(s.Appeals[Appeal].Decided));

    [Fact]
    public void A_supervisor_dismisses_an_appeal_leaving_the_total_as_published() =>
        Spec.Given(AppealOpen)
            .When(state => EvaluationDecider.Decide(state, Decide(false, null)))
            .Then(new ScoreAppealDecided(Cycle, Liuyang, Appeal, false, null, Findings, JointOffice.Id, DecidedAt));

    [Fact]
    public void An_upheld_appeal_names_the_revised_total() =>
        Spec.Given(AppealOpen)
            .When(state => EvaluationDecider.Decide(state, Decide(true, null)))
            .ThenFails(DomainErrorKind.Rule, "revised_total_required", "revisedTotal");

    [Fact]
    public void A_dismissed_appeal_names_no_revised_total() =>
        Spec.Given(AppealOpen)
            .When(state => EvaluationDecider.Decide(state, Decide(false, 80m)))
            .ThenFails(DomainErrorKind.Rule, "revised_total_not_allowed", "revisedTotal");

    [Theory]
    [InlineData("-0.1")]
    [InlineData("100.1")]
    [InlineData("80.25")]
    public void A_revised_total_is_a_score_from_0_to_100_to_one_decimal(string total) =>
        Spec.Given(AppealOpen)
            .When(state => EvaluationDecider.Decide(state, Decide(true, decimal.Parse(total, System.Globalization.CultureInfo.InvariantCulture))))
            .ThenFails(DomainErrorKind.Rule, "invalid_revised_total", "revisedTotal");

    [Theory]
    [InlineData("0")]
    [InlineData("100")]
    public void The_bounds_of_a_revised_total_are_allowed(string total) =>
        Spec.Given(AppealOpen)
            .When(state => EvaluationDecider.Decide(state, Decide(true, decimal.Parse(total, System.Globalization.CultureInfo.InvariantCulture))))
            .AndState(s => Assert.True(s.Appeals[Appeal].Decided));

    [Fact]
    public void Findings_are_required() =>
        Spec.Given(AppealOpen)
            .When(state => EvaluationDecider.Decide(state, Decide(false, null, findings: "")))
            .ThenFails(DomainErrorKind.Rule, "required", "findings");

    [Theory]
    [InlineData(ActorRole.Government)]
    [InlineData(ActorRole.Decision)]
    [InlineData(ActorRole.Auditor)]
    public void Only_a_supervisor_decides_an_appeal(ActorRole role) =>
        Spec.Given(AppealOpen)
            .When(state => EvaluationDecider.Decide(state, Decide(false, null, actor: new Actor("someone", role, role == ActorRole.Government ? Liuyang : null))))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Fact]
    public void An_unknown_appeal_is_not_found() =>
        Spec.Given(AppealOpen)
            .When(state => EvaluationDecider.Decide(state, Decide(false, null, appealId: "appeal-nobody")))
            .ThenFails(DomainErrorKind.NotFound, "appeal_not_found", "appealId");

    [Fact]
    public void An_appeal_is_decided_once() =>
        Spec.Given([.. AppealOpen, new ScoreAppealDecided(Cycle, Liuyang, Appeal, false, null, Findings, JointOffice.Id, DecidedAt)])
            .When(state => EvaluationDecider.Decide(state, Decide(true, 75m)))
            .ThenFails(DomainErrorKind.Conflict, "appeal_already_decided", "appealId");
}
