using Ledger.Contracts;
using Ledger.Domain.Agreements;
using Xunit.Sdk;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests;

/// <summary>The Given/When/Then helper must be able to fail, or every test built on it proves nothing.</summary>
public class SpecTests
{
    private static Outcome<AgreementState> Activating =>
        Spec.Given(A1FullySigned).When(state => AgreementDecider.Decide(state, new ActivateAgreement(A1, JointOffice, Now)));

    private static Outcome<AgreementState> ActivatingTooEarly =>
        Spec.Given(A1Drafted).When(state => AgreementDecider.Decide(state, new ActivateAgreement(A1, JointOffice, Now)));

    [Fact]
    public void Events_with_equal_list_contents_are_equal_even_as_different_list_instances() =>
        Spec.Given()
            .When(state => AgreementDecider.Decide(state,
                new DraftAgreement(A1, A1Title, TaskArea.Ecology, [.. A1Parties], TermStart, TermEnd, [.. A1LegalBasis], JointOffice, Now),
                RegisteredGovernments))
            .Then(new AgreementDrafted(A1, A1Title, TaskArea.Ecology, A1Parties, TermStart, TermEnd, A1LegalBasis, JointOffice.Id, Now));

    [Fact]
    public void Then_fails_when_a_list_inside_an_event_differs() =>
        Assert.ThrowsAny<XunitException>(() =>
            Spec.Given()
                .When(state => AgreementDecider.Decide(state,
                    new DraftAgreement(A1, A1Title, TaskArea.Ecology, A1Parties, TermStart, TermEnd, A1LegalBasis, JointOffice, Now),
                    RegisteredGovernments))
                .Then(new AgreementDrafted(A1, A1Title, TaskArea.Ecology, A1Parties[..2], TermStart, TermEnd, A1LegalBasis, JointOffice.Id, Now)));

    [Fact]
    public void Then_fails_when_a_field_differs() =>
        Assert.ThrowsAny<XunitException>(() => Activating.Then(new AgreementActivated(A1, Conference.Id, Now)));

    [Fact]
    public void Then_fails_when_an_event_of_another_type_has_the_same_fields() =>
        Assert.ThrowsAny<XunitException>(() => Activating.Then(new CommitmentActivated(A1, JointOffice.Id, Now)));

    [Fact]
    public void Then_fails_when_there_are_more_or_fewer_events() =>
        Assert.ThrowsAny<XunitException>(() => Activating.Then());

    [Fact]
    public void Then_fails_when_the_decision_was_refused() =>
        Assert.ThrowsAny<XunitException>(() => ActivatingTooEarly.Then(new AgreementActivated(A1, JointOffice.Id, Now)));

    [Fact]
    public void ThenFails_fails_when_the_decision_succeeded() =>
        Assert.ThrowsAny<XunitException>(() => Activating.ThenFails(DomainErrorKind.Conflict, "unsigned_parties"));

    [Fact]
    public void ThenFails_fails_on_another_code_kind_or_field()
    {
        Assert.Equal("unsigned_parties", ActivatingTooEarly.ThenFails(DomainErrorKind.Conflict, "unsigned_parties").Code);
        Assert.ThrowsAny<XunitException>(() => ActivatingTooEarly.ThenFails(DomainErrorKind.Conflict, "agreement_not_draft"));
        Assert.ThrowsAny<XunitException>(() => ActivatingTooEarly.ThenFails(DomainErrorKind.Rule, "unsigned_parties"));
        Assert.ThrowsAny<XunitException>(() => ActivatingTooEarly.ThenFails(DomainErrorKind.Conflict, "unsigned_parties", "parties"));
    }

    [Fact]
    public void The_given_events_are_folded_with_evolve_before_the_decision()
    {
        AgreementState? seen = null;
        Spec.Given(A1Active).When(state =>
        {
            seen = state;
            return [];
        }).Then();

        Assert.NotNull(seen);
        Assert.Equal(AgreementStatus.Active, seen.Status);
        Assert.Equal(3, seen.SignedBy.Count);
    }
}
