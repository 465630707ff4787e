using Ledger.Contracts;
using Ledger.Domain.Agreements;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Agreements;

public class DraftingAgreementsTests
{
    private static DraftAgreement DraftA1 =>
        new(A1, A1Title, TaskArea.Ecology, A1Parties, TermStart, TermEnd, A1LegalBasis, JointOffice, Now);

    private static IReadOnlyList<object> Decide(AgreementState? state, DraftAgreement command) =>
        AgreementDecider.Decide(state, command, RegisteredGovernments);

    [Fact]
    public void A_supervisor_drafts_an_agreement_between_registered_governments() =>
        Spec.Given()
            .When(state => Decide(state, DraftA1))
            .Then(new AgreementDrafted(A1, A1Title, TaskArea.Ecology, A1Parties, TermStart, TermEnd, A1LegalBasis, JointOffice.Id, Now))
            .AndState(s =>
            {
                Assert.Equal(AgreementStatus.Drafted, s.Status);
                Assert.Empty(s.SignedBy);
                Assert.True(s.IsParty(Shangli));
            });

    [Fact]
    public void An_agreement_without_legal_basis_documents_is_drafted_with_an_empty_list() =>
        Spec.Given()
            .When(state => Decide(state, DraftA1 with { LegalBasis = null! }))
            .Then(new AgreementDrafted(A1, A1Title, TaskArea.Ecology, A1Parties, TermStart, TermEnd, [], JointOffice.Id, Now));

    [Theory]
    [InlineData(ActorRole.Decision)]
    [InlineData(ActorRole.Government)]
    [InlineData(ActorRole.Admin)]
    public void Only_the_coordination_level_drafts_agreements(ActorRole role) =>
        Spec.Given()
            .When(state => Decide(state, DraftA1 with { Actor = new Actor("someone", role, Liuyang) }))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Theory]
    [InlineData("xgb-2021-A01")]
    [InlineData("-xgb-2021-a01")]
    [InlineData("a1")]
    [InlineData("xgb 2021 a01")]
    [InlineData("")]
    public void An_agreement_id_is_lower_case_letters_digits_and_dashes(string agreementId) =>
        Spec.Given()
            .When(state => Decide(state, DraftA1 with { AgreementId = agreementId }))
            .ThenFails(DomainErrorKind.Rule, "invalid_agreement_id", "agreementId");

    [Fact]
    public void An_agreement_id_is_used_once() =>
        Spec.Given(A1Drafted)
            .When(state => Decide(state, DraftA1))
            .ThenFails(DomainErrorKind.Conflict, "agreement_exists", "agreementId");

    [Fact]
    public void An_agreement_has_a_title() =>
        Spec.Given()
            .When(state => Decide(state, DraftA1 with { Title = "" }))
            .ThenFails(DomainErrorKind.Rule, "required", "title");

    [Fact]
    public void An_agreement_has_at_least_two_parties() =>
        Spec.Given()
            .When(state => Decide(state, DraftA1 with { Parties = [new AgreementParty(Liuyang, PartyRole.Lead)] }))
            .ThenFails(DomainErrorKind.Rule, "too_few_parties", "parties");

    [Fact]
    public void The_parties_are_distinct_governments() =>
        Spec.Given()
            .When(state => Decide(state, DraftA1 with
            {
                Parties = [new AgreementParty(Liuyang, PartyRole.Lead), new AgreementParty(Liuyang, PartyRole.Guarantor)],
            }))
            .ThenFails(DomainErrorKind.Rule, "duplicate_party", "parties");

    [Fact]
    public void One_party_is_a_lead_or_a_signatory() =>
        Spec.Given()
            .When(state => Decide(state, DraftA1 with
            {
                Parties = [new AgreementParty(Liuyang, PartyRole.Guarantor), new AgreementParty(Shangli, PartyRole.Supervisor)],
            }))
            .ThenFails(DomainErrorKind.Rule, "no_signatory", "parties");

    [Fact]
    public void Every_party_is_a_registered_government() =>
        Spec.Given()
            .When(state => Decide(state, DraftA1 with
            {
                // 360881 Jinggangshan is a real code, but not in this registry.
                Parties = [new AgreementParty(Liuyang, PartyRole.Lead), new AgreementParty("360881", PartyRole.Signatory)],
            }))
            .ThenFails(DomainErrorKind.Rule, "unknown_government", "parties[1].governmentId");

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void The_term_ends_after_it_starts(int daysAfterStart) =>
        Spec.Given()
            .When(state => Decide(state, DraftA1 with { TermEnd = TermStart.AddDays(daysAfterStart) }))
            .ThenFails(DomainErrorKind.Rule, "term_inverted", "termEnd");
}
