using Ledger.Contracts;
using Ledger.Domain.Commitments;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Commitments;

public class SupervisingEscalationsTests
{
    private const string Rect = "rect-patrol-plan";
    private const string Subject = "The patrol plan is still unapproved after two rejected responses.";
    private static readonly string[] Options = ["Extend the patrol milestone to 2024-12-31", "Suspend the commitment"];

    private static RectificationOrdered Ordered =>
        new(C1, Rect, Liuyang, "Patrol plan overdue.", ["Approve the plan"], new DateOnly(2024, 7, 31), JointOffice.Id, Earlier);

    private static RaiseEscalation Raise(
        Actor actor, string escalationId = "esc-1", string? rectificationId = null, IReadOnlyList<string>? options = null, string subject = Subject) =>
        new(C1, escalationId, subject, options ?? Options, rectificationId, actor, Now);

    private static EscalationRaised Raised(GovernanceLevel from, GovernanceLevel to, string by, string escalationId = "esc-1", string? rectificationId = null) =>
        new(C1, escalationId, from, to, Subject, Options, rectificationId, by, Earlier);

    private static DecideEscalation Decide(Actor actor, string escalationId = "esc-1", string reference = "XGB-CONF-2024-03") =>
        new(C1, escalationId, reference, "Extend the patrol milestone; a new deadline for the whole commitment.", actor, Now);

    // ---- raising ----

    [Theory]
    [InlineData(Liuyang)]
    [InlineData(Shangli)]
    public void A_participating_government_escalates_from_execution_to_coordination(string government) =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Raise(GovernmentActor(government))))
            .Then(new EscalationRaised(C1, "esc-1", GovernanceLevel.Execution, GovernanceLevel.Coordination, Subject, Options, null, "gov-" + government, Now))
            .AndState(s => Assert.Equal(GovernanceLevel.Coordination, s.Escalations["esc-1"].To));

    [Fact]
    public void A_supervisor_escalates_from_coordination_to_decision_naming_the_open_rectification() =>
        Spec.Given([.. C1Active, Ordered])
            .When(state => CommitmentDecider.Decide(state, Raise(JointOffice, rectificationId: Rect)))
            .Then(new EscalationRaised(C1, "esc-1", GovernanceLevel.Coordination, GovernanceLevel.Decision, Subject, Options, Rect, JointOffice.Id, Now));

    [Fact]
    public void A_government_that_is_not_a_participant_does_not_escalate() =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Raise(LilingGov)))
            .ThenFails(DomainErrorKind.Forbidden, "not_a_participant");

    public static TheoryData<Actor> NeitherGovernmentNorSupervisor => [Conference, AuditOffice, Registry, Actor.System];

    [Theory]
    [MemberData(nameof(NeitherGovernmentNorSupervisor))]
    public void The_decision_level_and_the_other_roles_do_not_escalate(Actor actor) =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Raise(actor)))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Fact]
    public void One_undecided_escalation_per_target_level_at_a_time() =>
        Spec.Given([.. C1Active, Raised(GovernanceLevel.Coordination, GovernanceLevel.Decision, JointOffice.Id)])
            .When(state => CommitmentDecider.Decide(state, Raise(JointOffice, escalationId: "esc-2")))
            .ThenFails(DomainErrorKind.Conflict, "escalation_already_open");

    [Fact]
    public void An_open_escalation_to_coordination_does_not_block_one_to_decision() =>
        Spec.Given([.. C1Active, Raised(GovernanceLevel.Execution, GovernanceLevel.Coordination, LiuyangGov.Id)])
            .When(state => CommitmentDecider.Decide(state, Raise(JointOffice, escalationId: "esc-2")))
            .Then(new EscalationRaised(C1, "esc-2", GovernanceLevel.Coordination, GovernanceLevel.Decision, Subject, Options, null, JointOffice.Id, Now));

    [Fact]
    public void Once_decided_the_level_takes_a_new_escalation() =>
        Spec.Given([.. C1Active, Raised(GovernanceLevel.Coordination, GovernanceLevel.Decision, JointOffice.Id),
                new EscalationDecided(C1, "esc-1", "XGB-CONF-2024-03", "Extend.", Conference.Id, Earlier)])
            .When(state => CommitmentDecider.Decide(state, Raise(JointOffice, escalationId: "esc-2")))
            .Then(new EscalationRaised(C1, "esc-2", GovernanceLevel.Coordination, GovernanceLevel.Decision, Subject, Options, null, JointOffice.Id, Now));

    [Fact]
    public void An_escalation_id_is_used_once() =>
        Spec.Given([.. C1Active, Raised(GovernanceLevel.Execution, GovernanceLevel.Coordination, LiuyangGov.Id)])
            .When(state => CommitmentDecider.Decide(state, Raise(JointOffice)))
            .ThenFails(DomainErrorKind.Conflict, "duplicate_escalation", "escalationId");

    [Fact]
    public void An_escalation_puts_at_least_one_option() =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Raise(JointOffice, options: [])))
            .ThenFails(DomainErrorKind.Rule, "options_required", "options");

    [Fact]
    public void A_blank_option_is_named_by_its_index() =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Raise(JointOffice, options: ["Extend", ""])))
            .ThenFails(DomainErrorKind.Rule, "required", "options[1]");

    [Fact]
    public void An_escalation_has_a_subject() =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Raise(JointOffice, subject: "")))
            .ThenFails(DomainErrorKind.Rule, "required", "subject");

    [Fact]
    public void A_rectification_named_exists_on_the_commitment() =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Raise(JointOffice, rectificationId: Rect)))
            .ThenFails(DomainErrorKind.Rule, "unknown_rectification", "rectificationId");

    [Fact]
    public void An_accepted_rectification_is_not_escalated() =>
        Spec.Given([.. C1Active, Ordered,
                new RectificationResponded(C1, Rect, "Approved.", [], LiuyangGov.Id, Earlier),
                new RectificationAccepted(C1, Rect, "Closed.", JointOffice.Id, Earlier)])
            .When(state => CommitmentDecider.Decide(state, Raise(JointOffice, rectificationId: Rect)))
            .ThenFails(DomainErrorKind.Conflict, "rectification_closed", "rectificationId");

    [Theory]
    [InlineData(CommitmentStatus.Draft, "commitment_not_active")]
    [InlineData(CommitmentStatus.Withdrawn, "commitment_withdrawn")]
    [InlineData(CommitmentStatus.Fulfilled, "commitment_fulfilled")]
    public void A_commitment_not_under_supervision_is_not_escalated(CommitmentStatus status, string code) =>
        Spec.Given(C1In(status))
            .When(state => CommitmentDecider.Decide(state, Raise(JointOffice)))
            .ThenFails(DomainErrorKind.Conflict, code);

    // ---- deciding ----

    [Fact]
    public void The_decision_level_decides_an_escalation_raised_to_it() =>
        Spec.Given([.. C1Active, Raised(GovernanceLevel.Coordination, GovernanceLevel.Decision, JointOffice.Id)])
            .When(state => CommitmentDecider.Decide(state, Decide(Conference)))
            .Then(new EscalationDecided(C1, "esc-1", "XGB-CONF-2024-03", "Extend the patrol milestone; a new deadline for the whole commitment.", Conference.Id, Now))
            .AndState(s => Assert.Equal("XGB-CONF-2024-03", s.Escalations["esc-1"].DecisionReference));

    [Fact]
    public void A_supervisor_decides_an_escalation_raised_to_coordination() =>
        Spec.Given([.. C1Active, Raised(GovernanceLevel.Execution, GovernanceLevel.Coordination, LiuyangGov.Id)])
            .When(state => CommitmentDecider.Decide(state, Decide(JointOffice, reference: "XGB-JO-2024-11")))
            .Then(new EscalationDecided(C1, "esc-1", "XGB-JO-2024-11", "Extend the patrol milestone; a new deadline for the whole commitment.", JointOffice.Id, Now));

    [Fact]
    public void A_supervisor_does_not_decide_what_went_to_the_decision_level() =>
        Spec.Given([.. C1Active, Raised(GovernanceLevel.Coordination, GovernanceLevel.Decision, JointOffice.Id)])
            .When(state => CommitmentDecider.Decide(state, Decide(JointOffice)))
            .ThenFails(DomainErrorKind.Forbidden, "not_the_escalation_level");

    [Fact]
    public void The_decision_level_does_not_decide_what_went_to_coordination() =>
        Spec.Given([.. C1Active, Raised(GovernanceLevel.Execution, GovernanceLevel.Coordination, LiuyangGov.Id)])
            .When(state => CommitmentDecider.Decide(state, Decide(Conference)))
            .ThenFails(DomainErrorKind.Forbidden, "not_the_escalation_level");

    [Theory]
    [InlineData("gov")]
    [InlineData("auditor")]
    public void Governments_and_auditors_decide_nothing(string who) =>
        Spec.Given([.. C1Active, Raised(GovernanceLevel.Execution, GovernanceLevel.Coordination, LiuyangGov.Id)])
            .When(state => CommitmentDecider.Decide(state, Decide(who == "gov" ? LiuyangGov : AuditOffice)))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Fact]
    public void An_escalation_is_decided_once() =>
        Spec.Given([.. C1Active, Raised(GovernanceLevel.Coordination, GovernanceLevel.Decision, JointOffice.Id),
                new EscalationDecided(C1, "esc-1", "XGB-CONF-2024-03", "Extend.", Conference.Id, Earlier)])
            .When(state => CommitmentDecider.Decide(state, Decide(Conference, reference: "XGB-CONF-2024-04")))
            .ThenFails(DomainErrorKind.Conflict, "escalation_already_decided", "escalationId");

    [Fact]
    public void A_decision_names_its_reference() =>
        Spec.Given([.. C1Active, Raised(GovernanceLevel.Coordination, GovernanceLevel.Decision, JointOffice.Id)])
            .When(state => CommitmentDecider.Decide(state, Decide(Conference, reference: " ")))
            .ThenFails(DomainErrorKind.Rule, "required", "decisionReference");

    [Fact]
    public void An_unknown_escalation_is_not_found() =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Decide(Conference)))
            .ThenFails(DomainErrorKind.NotFound, "escalation_not_found", "escalationId");
}
