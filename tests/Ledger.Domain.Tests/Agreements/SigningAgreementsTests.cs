using Ledger.Contracts;
using Ledger.Domain.Agreements;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Agreements;

public class SigningAgreementsTests
{
    private static SignAgreement ShangliSigns => new(A1, Shangli, Today, ShangliGov, Now);

    [Fact]
    public void A_party_signs_for_itself_while_the_agreement_is_a_draft() =>
        Spec.Given(A1Drafted, A1SignedBy(Liuyang))
            .When(state => AgreementDecider.Decide(state, ShangliSigns))
            .Then(new PartySigned(A1, Shangli, Today, ShangliGov.Id, Now))
            .AndState(s => Assert.True(s.SignedBy.SetEquals([Liuyang, Shangli])));

    [Fact]
    public void An_unknown_agreement_cannot_be_signed() =>
        Spec.Given()
            .When(state => AgreementDecider.Decide(state, ShangliSigns))
            .ThenFails(DomainErrorKind.NotFound, "agreement_not_found", "agreementId");

    [Fact]
    public void A_government_does_not_sign_for_another() =>
        Spec.Given(A1Drafted)
            .When(state => AgreementDecider.Decide(state, ShangliSigns with { Actor = LiuyangGov }))
            .ThenFails(DomainErrorKind.Forbidden, "not_your_signature");

    [Fact]
    public void A_supervisor_does_not_sign_for_a_government() =>
        Spec.Given(A1Drafted)
            .When(state => AgreementDecider.Decide(state, ShangliSigns with { Actor = JointOffice }))
            .ThenFails(DomainErrorKind.Forbidden, "not_your_signature");

    [Fact]
    public void A_government_that_is_not_a_party_cannot_sign() =>
        Spec.Given(A1Drafted)
            .When(state => AgreementDecider.Decide(state, new SignAgreement(A1, Pingjiang, Today, PingjiangGov, Now)))
            .ThenFails(DomainErrorKind.Rule, "not_a_party", "governmentId");

    [Fact]
    public void A_party_signs_once() =>
        Spec.Given(A1Drafted, A1SignedBy(Shangli))
            .When(state => AgreementDecider.Decide(state, ShangliSigns))
            .ThenFails(DomainErrorKind.Conflict, "already_signed");

    [Fact]
    public void An_active_agreement_takes_no_more_signatures() =>
        Spec.Given(A1Active)
            .When(state => AgreementDecider.Decide(state, ShangliSigns))
            .ThenFails(DomainErrorKind.Conflict, "agreement_not_draft");

    [Fact]
    public void A_signature_is_never_dated_in_the_future() =>
        Spec.Given(A1Drafted)
            .When(state => AgreementDecider.Decide(state, ShangliSigns with { SignedOn = Tomorrow }))
            .ThenFails(DomainErrorKind.Rule, "date_in_future", "signedOn");
}
