using Ledger.Contracts;
using Ledger.Domain.Commitments;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Commitments;

public class SupervisingRevisionsTests
{
    private const string Reference = "XGB-CONF-2024-03";
    private const string Reason = "The patrol plan slipped with the 2024 flood season; the conference moved it and the deadline.";
    private static readonly DateOnly NewDeadline = new(2026, 6, 30);
    private static readonly DateOnly NewPatrolDue = new(2024, 9, 30);

    private static readonly Milestone PatrolMilestone = C1Milestones.Single(m => m.MilestoneId == PatrolPlan);
    private static readonly Milestone StationMilestone = C1Milestones.Single(m => m.MilestoneId == Station);

    private static object[] DecidedAtTheTop =>
    [
        .. C1Active,
        new EscalationRaised(C1, "esc-1", GovernanceLevel.Coordination, GovernanceLevel.Decision, "Patrol plan overdue",
            ["Extend"], null, JointOffice.Id, Earlier),
        new EscalationDecided(C1, "esc-1", Reference, "Extend the patrol plan and the deadline.", Conference.Id, Earlier),
    ];

    private static ReviseCommitment Revise(
        DateOnly? newDeadline = null, IReadOnlyList<MilestoneReschedule>? moves = null, string reference = Reference,
        Actor? actor = null, string revisionId = "rev-1") =>
        new(C1, revisionId, Reason, reference, newDeadline, moves ?? [], actor ?? Conference, Now);

    [Fact]
    public void The_decision_level_moves_the_deadline_and_a_milestone_under_its_decision() =>
        Spec.Given(DecidedAtTheTop)
            .When(state => CommitmentDecider.Decide(state, Revise(NewDeadline, [new MilestoneReschedule(PatrolPlan, NewPatrolDue)])))
            .Then(new CommitmentRevised(C1, "rev-1", Reason, Reference, NewDeadline, [PatrolMilestone with { Due = NewPatrolDue }], Conference.Id, Now))
            .AndState(s =>
            {
                Assert.Equal(NewDeadline, s.Deadline);
                Assert.Equal(NewPatrolDue, s.MilestoneDefinitions[PatrolPlan].Due);
                Assert.Equal(StationMilestone.Due, s.MilestoneDefinitions[Station].Due);
                Assert.Contains("rev-1", s.RevisionIds);
            });

    [Fact]
    public void A_revision_may_retitle_a_milestone_it_moves() =>
        Spec.Given(DecidedAtTheTop)
            .When(state => CommitmentDecider.Decide(state, Revise(moves: [new MilestoneReschedule(PatrolPlan, NewPatrolDue, "Joint patrol plan signed by both river chiefs")])))
            .Then(new CommitmentRevised(C1, "rev-1", Reason, Reference, null,
                [PatrolMilestone with { Due = NewPatrolDue, Title = "Joint patrol plan signed by both river chiefs" }], Conference.Id, Now));

    [Fact]
    public void A_milestone_judged_not_met_is_scheduled_again_under_its_new_date() =>
        Spec.Given([.. DecidedAtTheTop, new MilestoneStatusChanged(C1, PatrolPlan, MilestoneStatus.NotMet, null, JointOffice.Id, Earlier)])
            .When(state => CommitmentDecider.Decide(state, Revise(moves: [new MilestoneReschedule(PatrolPlan, NewPatrolDue)])))
            .Then(new CommitmentRevised(C1, "rev-1", Reason, Reference, null, [PatrolMilestone with { Due = NewPatrolDue }], Conference.Id, Now))
            .AndState(s => Assert.Equal(MilestoneStatus.Scheduled, s.Milestones[PatrolPlan]));

    public static TheoryData<Actor> NotDecision => [LiuyangGov, JointOffice, AuditOffice, Registry];

    [Theory]
    [MemberData(nameof(NotDecision))]
    public void Only_the_decision_level_revises(Actor actor) =>
        Spec.Given(DecidedAtTheTop)
            .When(state => CommitmentDecider.Decide(state, Revise(NewDeadline, actor: actor)))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Fact]
    public void A_reference_no_escalation_was_decided_under_is_an_unknown_decision() =>
        Spec.Given(DecidedAtTheTop)
            .When(state => CommitmentDecider.Decide(state, Revise(NewDeadline, reference: "XGB-CONF-2099-01")))
            .ThenFails(DomainErrorKind.Rule, "unknown_decision", "decisionReference");

    [Fact]
    public void A_decision_taken_at_the_coordination_level_does_not_revise_a_commitment() =>
        Spec.Given([.. C1Active,
                new EscalationRaised(C1, "esc-1", GovernanceLevel.Execution, GovernanceLevel.Coordination, "Patrol plan", ["Extend"], null, LiuyangGov.Id, Earlier),
                new EscalationDecided(C1, "esc-1", "XGB-JO-2024-11", "Extend.", JointOffice.Id, Earlier)])
            .When(state => CommitmentDecider.Decide(state, Revise(NewDeadline, reference: "XGB-JO-2024-11")))
            .ThenFails(DomainErrorKind.Rule, "unknown_decision", "decisionReference");

    [Fact]
    public void A_revision_changes_something() =>
        Spec.Given(DecidedAtTheTop)
            .When(state => CommitmentDecider.Decide(state, Revise()))
            .ThenFails(DomainErrorKind.Rule, "nothing_to_revise", "newDeadline");

    [Fact]
    public void A_new_deadline_is_after_today() =>
        Spec.Given(DecidedAtTheTop)
            .When(state => CommitmentDecider.Decide(state, Revise(Today)))
            .ThenFails(DomainErrorKind.Rule, "date_not_in_future", "newDeadline");

    [Fact]
    public void A_rescheduled_milestone_exists() =>
        Spec.Given(DecidedAtTheTop)
            .When(state => CommitmentDecider.Decide(state, Revise(moves: [new MilestoneReschedule(PatrolPlan, NewPatrolDue), new MilestoneReschedule("no-such-step", NewPatrolDue)])))
            .ThenFails(DomainErrorKind.Rule, "unknown_milestone", "rescheduledMilestones[1].milestoneId");

    [Fact]
    public void A_met_milestone_is_not_rescheduled() =>
        Spec.Given([.. DecidedAtTheTop, new MilestoneStatusChanged(C1, PatrolPlan, MilestoneStatus.Met, new DateOnly(2024, 5, 1), JointOffice.Id, Earlier)])
            .When(state => CommitmentDecider.Decide(state, Revise(moves: [new MilestoneReschedule(PatrolPlan, NewPatrolDue)])))
            .ThenFails(DomainErrorKind.Conflict, "milestone_already_met", "rescheduledMilestones[0].milestoneId");

    [Fact]
    public void A_rescheduled_milestone_falls_no_later_than_the_new_deadline() =>
        Spec.Given(DecidedAtTheTop)
            .When(state => CommitmentDecider.Decide(state, Revise(NewDeadline, [new MilestoneReschedule(Station, NewDeadline.AddDays(1))])))
            .ThenFails(DomainErrorKind.Rule, "milestone_after_deadline", "rescheduledMilestones[0].due");

    [Fact]
    public void A_rescheduled_milestone_falls_after_today() =>
        Spec.Given(DecidedAtTheTop)
            .When(state => CommitmentDecider.Decide(state, Revise(moves: [new MilestoneReschedule(PatrolPlan, Today)])))
            .ThenFails(DomainErrorKind.Rule, "date_not_in_future", "rescheduledMilestones[0].due");

    [Fact]
    public void An_earlier_deadline_does_not_strand_a_milestone_after_it() =>
        Spec.Given(DecidedAtTheTop)
            .When(state => CommitmentDecider.Decide(state, Revise(new DateOnly(2024, 10, 31))))
            .ThenFails(DomainErrorKind.Rule, "milestone_after_deadline", "newDeadline");

    [Fact]
    public void A_milestone_appears_once_in_a_revision() =>
        Spec.Given(DecidedAtTheTop)
            .When(state => CommitmentDecider.Decide(state, Revise(moves: [new MilestoneReschedule(PatrolPlan, NewPatrolDue), new MilestoneReschedule(PatrolPlan, NewPatrolDue.AddDays(1))])))
            .ThenFails(DomainErrorKind.Rule, "duplicate_milestone", "rescheduledMilestones[1].milestoneId");

    [Fact]
    public void A_revision_id_is_used_once() =>
        Spec.Given([.. DecidedAtTheTop, new CommitmentRevised(C1, "rev-1", Reason, Reference, NewDeadline, [], Conference.Id, Earlier)])
            .When(state => CommitmentDecider.Decide(state, Revise(NewDeadline.AddMonths(1))))
            .ThenFails(DomainErrorKind.Conflict, "duplicate_revision", "revisionId");

    [Fact]
    public void A_suspended_commitment_can_be_revised() =>
        Spec.Given([.. DecidedAtTheTop, new CommitmentSuspended(C1, "Flood season", JointOffice.Id, Earlier)])
            .When(state => CommitmentDecider.Decide(state, Revise(NewDeadline)))
            .Then(new CommitmentRevised(C1, "rev-1", Reason, Reference, NewDeadline, [], Conference.Id, Now));

    [Theory]
    [InlineData(CommitmentStatus.Draft, "commitment_not_active")]
    [InlineData(CommitmentStatus.Withdrawn, "commitment_withdrawn")]
    [InlineData(CommitmentStatus.Fulfilled, "commitment_fulfilled")]
    public void A_draft_withdrawn_or_fulfilled_commitment_is_not_revised(CommitmentStatus status, string code) =>
        Spec.Given(C1In(status))
            .When(state => CommitmentDecider.Decide(state, Revise(NewDeadline)))
            .ThenFails(DomainErrorKind.Conflict, code);

    [Fact]
    public void An_overdue_milestone_goes_through_rectification_and_escalation_to_a_revised_commitment()
    {
        // The storyline of DOMAIN.md, decided step by step on the folded state as the handler would.
        var history = new List<object>(C1Active)
        {
            new CommitmentOverdue(C1, DueKind.Milestone, PatrolPlan, PatrolMilestone.Due, Actor.System.Id, Earlier),
            Evidence("ev-patrol-draft"),
        };
        void Decide(Func<CommitmentState?, IReadOnlyList<object>> decide) =>
            history.AddRange(decide(history.Aggregate((CommitmentState?)null, CommitmentState.Evolve)));

        Decide(s => CommitmentDecider.Decide(s, new OrderRectification(C1, "rect-patrol", Liuyang, "Patrol plan overdue since 2024-03-31.",
            ["Approve the joint patrol plan"], new DateOnly(2024, 6, 30), JointOffice, Now)));
        Decide(s => CommitmentDecider.Decide(s, new RespondToRectification(C1, "rect-patrol", "Draft plan circulated.", ["ev-patrol-draft"], LiuyangGov, Now)));
        Decide(s => CommitmentDecider.Decide(s, new RejectRectification(C1, "rect-patrol", "A draft is not an approved plan.", new DateOnly(2024, 7, 31), JointOffice, Now)));
        Decide(s => CommitmentDecider.Decide(s, new RespondToRectification(C1, "rect-patrol", "Jiangxi side has not signed.", [], LiuyangGov, Now)));
        Decide(s => CommitmentDecider.Decide(s, new RaiseEscalation(C1, "esc-patrol", "Cross-provincial sign-off blocked.",
            ["Extend the milestone", "Suspend"], "rect-patrol", JointOffice, Now)));
        Decide(s => CommitmentDecider.Decide(s, new DecideEscalation(C1, "esc-patrol", Reference, "Extend the milestone and the deadline.", Conference, Now)));
        Decide(s => CommitmentDecider.Decide(s, new ReviseCommitment(C1, "rev-patrol", Reason, Reference, NewDeadline,
            [new MilestoneReschedule(PatrolPlan, NewPatrolDue)], Conference, Now)));

        var state = history.Aggregate((CommitmentState?)null, CommitmentState.Evolve)!;
        Assert.Equal(
            ["RectificationOrdered", "RectificationResponded", "RectificationRejected", "RectificationResponded", "EscalationRaised", "EscalationDecided", "CommitmentRevised"],
            history.Skip(C1Active.Length + 2).Select(e => e.GetType().Name));
        Assert.Equal((RectificationStatus.Responded, 2, new DateOnly(2024, 7, 31)),
            (state.Rectifications["rect-patrol"].Status, state.Rectifications["rect-patrol"].Responses, state.Rectifications["rect-patrol"].DueOn));
        Assert.Equal(NewDeadline, state.Deadline);
        Assert.Equal(NewPatrolDue, state.MilestoneDefinitions[PatrolPlan].Due);
        Assert.Equal(CommitmentStatus.Active, state.Status);
    }
}
