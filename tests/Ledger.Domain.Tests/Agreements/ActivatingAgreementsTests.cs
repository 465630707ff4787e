using Ledger.Contracts;
using Ledger.Domain.Agreements;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Agreements;

public class ActivatingAgreementsTests
{
    [Fact]
    public void A_supervisor_activates_a_draft_once_every_party_has_signed() =>
        Spec.Given(A1FullySigned)
            .When(state => AgreementDecider.Decide(state, new ActivateAgreement(A1, JointOffice, Now)))
            .Then(new AgreementActivated(A1, JointOffice.Id, Now))
            .AndState(s => Assert.Equal(AgreementStatus.Active, s.Status));

    [Fact]
    public void The_decision_level_may_activate_a_fully_signed_draft() =>
        Spec.Given(A1FullySigned)
            .When(state => AgreementDecider.Decide(state, new ActivateAgreement(A1, Conference, Now)))
            .Then(new AgreementActivated(A1, Conference.Id, Now));

    [Theory]
    [InlineData(ActorRole.Government)]
    [InlineData(ActorRole.Admin)]
    [InlineData(ActorRole.Auditor)]
    public void Only_the_coordination_or_decision_level_activates(ActorRole role) =>
        Spec.Given(A1FullySigned)
            .When(state => AgreementDecider.Decide(state, new ActivateAgreement(A1, new Actor("someone", role, Liuyang), Now)))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Fact]
    public void An_agreement_is_not_activated_while_a_party_has_not_signed() =>
        Spec.Given(A1Drafted, A1SignedBy(Liuyang), A1SignedBy(Liling))
            .When(state => AgreementDecider.Decide(state, new ActivateAgreement(A1, JointOffice, Now)))
            .ThenFails(DomainErrorKind.Conflict, "unsigned_parties");

    [Fact]
    public void An_active_agreement_is_not_activated_again() =>
        Spec.Given(A1Active)
            .When(state => AgreementDecider.Decide(state, new ActivateAgreement(A1, JointOffice, Now)))
            .ThenFails(DomainErrorKind.Conflict, "agreement_not_draft");

    [Fact]
    public void An_unknown_agreement_cannot_be_activated() =>
        Spec.Given()
            .When(state => AgreementDecider.Decide(state, new ActivateAgreement(A1, JointOffice, Now)))
            .ThenFails(DomainErrorKind.NotFound, "agreement_not_found", "agreementId");
}
