using Ledger.Contracts;
using Ledger.Domain.Agreements;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Agreements;

public class AmendingAndTerminatingAgreementsTests
{
    private const string Decision = "xgb-conf-2023-04";
    private const string Summary = "Monthly settlement replaced by quarterly settlement, cleared yearly.";
    private const string Reason = "Superseded by the 2024 basin-wide compact.";

    private static AmendAgreement Amend => new(A1, Summary, Decision, Conference, Now);

    private static TerminateAgreement Terminate => new(A1, Reason, Decision, Conference, Now);

    [Fact]
    public void The_decision_level_amends_an_active_agreement_naming_its_decision() =>
        Spec.Given(A1Active)
            .When(state => AgreementDecider.Decide(state, Amend))
            .Then(new AgreementAmended(A1, Summary, Decision, Conference.Id, Now))
            .AndState(s =>
            {
                Assert.Equal(1, s.Amendments);
                Assert.Equal(AgreementStatus.Active, s.Status);
            });

    [Theory]
    [InlineData(ActorRole.Supervisor)]
    [InlineData(ActorRole.Government)]
    public void Only_the_decision_level_amends(ActorRole role) =>
        Spec.Given(A1Active)
            .When(state => AgreementDecider.Decide(state, Amend with { Actor = new Actor("someone", role, Liuyang) }))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Fact]
    public void A_draft_agreement_is_not_amended() =>
        Spec.Given(A1FullySigned)
            .When(state => AgreementDecider.Decide(state, Amend))
            .ThenFails(DomainErrorKind.Conflict, "agreement_not_active");

    [Fact]
    public void A_terminated_agreement_is_not_amended() =>
        Spec.Given(A1Terminated)
            .When(state => AgreementDecider.Decide(state, Amend))
            .ThenFails(DomainErrorKind.Conflict, "agreement_not_active");

    [Fact]
    public void An_amendment_names_its_decision() =>
        Spec.Given(A1Active)
            .When(state => AgreementDecider.Decide(state, Amend with { DecisionReference = " " }))
            .ThenFails(DomainErrorKind.Rule, "required", "decisionReference");

    [Fact]
    public void An_amendment_has_a_summary() =>
        Spec.Given(A1Active)
            .When(state => AgreementDecider.Decide(state, Amend with { Summary = "" }))
            .ThenFails(DomainErrorKind.Rule, "required", "summary");

    [Fact]
    public void An_unknown_agreement_cannot_be_amended() =>
        Spec.Given()
            .When(state => AgreementDecider.Decide(state, Amend))
            .ThenFails(DomainErrorKind.NotFound, "agreement_not_found", "agreementId");

    [Fact]
    public void The_decision_level_terminates_an_active_agreement_naming_its_decision() =>
        Spec.Given(A1Active)
            .When(state => AgreementDecider.Decide(state, Terminate))
            .Then(new AgreementTerminated(A1, Reason, Decision, Conference.Id, Now))
            .AndState(s => Assert.Equal(AgreementStatus.Terminated, s.Status));

    [Theory]
    [InlineData(ActorRole.Supervisor)]
    [InlineData(ActorRole.Government)]
    public void Only_the_decision_level_terminates(ActorRole role) =>
        Spec.Given(A1Active)
            .When(state => AgreementDecider.Decide(state, Terminate with { Actor = new Actor("someone", role, Liuyang) }))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Fact]
    public void A_draft_agreement_is_not_terminated() =>
        Spec.Given(A1Drafted)
            .When(state => AgreementDecider.Decide(state, Terminate))
            .ThenFails(DomainErrorKind.Conflict, "agreement_not_active");

    [Fact]
    public void A_terminated_agreement_is_not_terminated_again() =>
        Spec.Given(A1Terminated)
            .When(state => AgreementDecider.Decide(state, Terminate))
            .ThenFails(DomainErrorKind.Conflict, "agreement_not_active");

    [Fact]
    public void A_termination_names_its_decision() =>
        Spec.Given(A1Active)
            .When(state => AgreementDecider.Decide(state, Terminate with { DecisionReference = "" }))
            .ThenFails(DomainErrorKind.Rule, "required", "decisionReference");

    [Fact]
    public void A_termination_gives_a_reason() =>
        Spec.Given(A1Active)
            .When(state => AgreementDecider.Decide(state, Terminate with { Reason = "" }))
            .ThenFails(DomainErrorKind.Rule, "required", "reason");

    [Fact]
    public void A_decision_reference_longer_than_two_hundred_characters_is_refused() =>
        Spec.Given(A1Active)
            .When(state => AgreementDecider.Decide(state, Terminate with { DecisionReference = new string('d', 201) }))
            .ThenFails(DomainErrorKind.Rule, "too_long", "decisionReference");
}
