using Ledger.Contracts;
using Ledger.Domain.Commitments;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Commitments;

public class SupervisingAssessmentsTests
{
    private const string Rationale = "April's monthly class at Jinyushi was IV; two months of the year already missed.";

    private static AssessCommitment Assess(
        string assessmentId = "assess-2024-q2", Actor? actor = null, string period = "2024-Q2", string rationale = Rationale,
        DeliveryConfidence confidence = DeliveryConfidence.Amber) =>
        new(C1, assessmentId, period, Completion.Limited, confidence, RiskCategory.Moderate, rationale, actor ?? JointOffice, Now);

    private static CommitmentAssessed Assessed(string assessmentId = "assess-2024-q2") =>
        new(C1, assessmentId, "2024-Q2", Completion.Limited, DeliveryConfidence.Amber, RiskCategory.Moderate, Rationale, JointOffice.Id, Now);

    [Theory]
    [InlineData(CommitmentStatus.Active)]
    [InlineData(CommitmentStatus.FulfilmentClaimed)]
    public void A_supervisor_assesses_a_commitment_under_supervision(CommitmentStatus status) =>
        Spec.Given(C1In(status))
            .When(state => CommitmentDecider.Decide(state, Assess()))
            .Then(Assessed())
            .AndState(s => Assert.Contains("assess-2024-q2", s.AssessmentIds));

    [Theory]
    [InlineData(CommitmentStatus.Draft, "commitment_not_active")]
    [InlineData(CommitmentStatus.Suspended, "commitment_suspended")]
    [InlineData(CommitmentStatus.Withdrawn, "commitment_withdrawn")]
    [InlineData(CommitmentStatus.Fulfilled, "commitment_fulfilled")]
    public void A_commitment_not_under_supervision_is_not_assessed(CommitmentStatus status, string code) =>
        Spec.Given(C1In(status))
            .When(state => CommitmentDecider.Decide(state, Assess()))
            .ThenFails(DomainErrorKind.Conflict, code);

    public static TheoryData<Actor> NotSupervisors => [LiuyangGov, ShangliGov, Conference, AuditOffice, Registry, Actor.System];

    [Theory]
    [MemberData(nameof(NotSupervisors))]
    public void Only_a_supervisor_assesses(Actor actor) =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Assess(actor: actor)))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Fact]
    public void An_assessment_id_is_used_once() =>
        Spec.Given([.. C1Active, Assessed()])
            .When(state => CommitmentDecider.Decide(state, Assess()))
            .ThenFails(DomainErrorKind.Conflict, "duplicate_assessment", "assessmentId");

    [Theory]
    [InlineData("A")]
    [InlineData("Assess 2024")]
    [InlineData("")]
    public void An_assessment_id_follows_the_id_pattern(string id) =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Assess(assessmentId: id)))
            .ThenFails(DomainErrorKind.Rule, "invalid_assessment_id", "assessmentId");

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_assessment_without_a_rationale_is_refused(string rationale) =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Assess(rationale: rationale)))
            .ThenFails(DomainErrorKind.Rule, "required", "rationale");

    [Fact]
    public void An_assessment_names_its_period() =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Assess(period: "")))
            .ThenFails(DomainErrorKind.Rule, "required", "period");

    [Fact]
    public void A_confidence_outside_the_five_colours_is_refused() =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Assess(confidence: (DeliveryConfidence)7)))
            .ThenFails(DomainErrorKind.Rule, "invalid_value", "confidence");

    [Fact]
    public void An_unknown_commitment_is_not_assessed() =>
        Spec.Given()
            .When(state => CommitmentDecider.Decide(state, Assess()))
            .ThenFails(DomainErrorKind.NotFound, "commitment_not_found", "commitmentId");
}
