using Ledger.Contracts;
using Ledger.Domain.Commitments;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Commitments;

public class CommitmentLifecycleTests
{
    private const string Flood = "Basin flood emergency; monitoring stations offline.";

    [Theory]
    [InlineData(CommitmentStatus.Draft)]
    [InlineData(CommitmentStatus.Active)]
    [InlineData(CommitmentStatus.FulfilmentClaimed)]
    [InlineData(CommitmentStatus.Fulfilled)]
    [InlineData(CommitmentStatus.Suspended)]
    [InlineData(CommitmentStatus.Withdrawn)]
    public void Each_pilot_history_folds_to_the_status_it_is_named_for(CommitmentStatus status)
    {
        var state = C1In(status).Aggregate((CommitmentState?)null, CommitmentState.Evolve);

        Assert.NotNull(state);
        Assert.Equal(status, state.Status);
    }

    [Fact]
    public void Events_the_commitment_does_not_know_leave_its_state_as_it_is()
    {
        var active = C1Active.Aggregate((CommitmentState?)null, CommitmentState.Evolve);

        Assert.Same(active, CommitmentState.Evolve(active, A1Drafted));
    }

    [Fact]
    public void A_supervisor_accepts_a_draft_into_supervision() =>
        Spec.Given(C1Draft)
            .When(state => CommitmentDecider.Decide(state, new ActivateCommitment(C1, JointOffice, Now)))
            .Then(new CommitmentActivated(C1, JointOffice.Id, Now))
            .AndState(s => Assert.Equal(CommitmentStatus.Active, s.Status));

    [Fact]
    public void A_draft_with_only_a_milestone_measures_enough_to_be_activated() =>
        Spec.Given(C1Draft.Where(e => e is not IndicatorDefined).ToArray())
            .When(state => CommitmentDecider.Decide(state, new ActivateCommitment(C1, JointOffice, Now)))
            .Then(new CommitmentActivated(C1, JointOffice.Id, Now));

    [Fact]
    public void A_draft_with_only_an_indicator_measures_enough_to_be_activated() =>
        Spec.Given(C1Draft.Where(e => e is not MilestoneScheduled).ToArray())
            .When(state => CommitmentDecider.Decide(state, new ActivateCommitment(C1, JointOffice, Now)))
            .Then(new CommitmentActivated(C1, JointOffice.Id, Now));

    [Theory]
    [InlineData(ActorRole.Government)]
    [InlineData(ActorRole.Decision)]
    public void Only_a_supervisor_activates_a_commitment(ActorRole role) =>
        Spec.Given(C1Draft)
            .When(state => CommitmentDecider.Decide(state, new ActivateCommitment(C1, new Actor("someone", role, Liuyang), Now)))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Theory]
    [InlineData(CommitmentStatus.Active)]
    [InlineData(CommitmentStatus.Suspended)]
    [InlineData(CommitmentStatus.Withdrawn)]
    public void Only_a_draft_is_activated(CommitmentStatus status) =>
        Spec.Given(C1In(status))
            .When(state => CommitmentDecider.Decide(state, new ActivateCommitment(C1, JointOffice, Now)))
            .ThenFails(DomainErrorKind.Conflict, "commitment_not_draft");

    [Fact]
    public void A_commitment_that_measures_nothing_is_not_activated() =>
        Spec.Given(C1Draft.Where(e => e is not (IndicatorDefined or MilestoneScheduled)).ToArray())
            .When(state => CommitmentDecider.Decide(state, new ActivateCommitment(C1, JointOffice, Now)))
            .ThenFails(DomainErrorKind.Rule, "nothing_to_measure");

    [Fact]
    public void An_unknown_commitment_is_not_found() =>
        Spec.Given()
            .When(state => CommitmentDecider.Decide(state, new ActivateCommitment(C1, JointOffice, Now)))
            .ThenFails(DomainErrorKind.NotFound, "commitment_not_found", "commitmentId");

    [Theory]
    [InlineData(CommitmentStatus.Active)]
    [InlineData(CommitmentStatus.FulfilmentClaimed)]
    public void A_supervisor_suspends_an_active_or_claimed_commitment_with_a_reason(CommitmentStatus status) =>
        Spec.Given(C1In(status))
            .When(state => CommitmentDecider.Decide(state, new SuspendCommitment(C1, Flood, JointOffice, Now)))
            .Then(new CommitmentSuspended(C1, Flood, JointOffice.Id, Now))
            .AndState(s => Assert.Equal(CommitmentStatus.Suspended, s.Status));

    [Theory]
    [InlineData(ActorRole.Government)]
    [InlineData(ActorRole.Decision)]
    public void Only_a_supervisor_suspends(ActorRole role) =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, new SuspendCommitment(C1, Flood, new Actor("someone", role, Liuyang), Now)))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Theory]
    [InlineData(CommitmentStatus.Draft)]
    [InlineData(CommitmentStatus.Suspended)]
    [InlineData(CommitmentStatus.Fulfilled)]
    [InlineData(CommitmentStatus.Withdrawn)]
    public void Only_an_active_or_claimed_commitment_is_suspended(CommitmentStatus status) =>
        Spec.Given(C1In(status))
            .When(state => CommitmentDecider.Decide(state, new SuspendCommitment(C1, Flood, JointOffice, Now)))
            .ThenFails(DomainErrorKind.Conflict, "commitment_not_active");

    [Fact]
    public void A_suspension_gives_a_reason() =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, new SuspendCommitment(C1, "", JointOffice, Now)))
            .ThenFails(DomainErrorKind.Rule, "required", "reason");

    [Theory]
    [InlineData(CommitmentStatus.Active)]
    [InlineData(CommitmentStatus.FulfilmentClaimed)]
    public void A_resumed_commitment_returns_to_the_status_it_had(CommitmentStatus before) =>
        Spec.Given([.. C1In(before), new CommitmentSuspended(C1, Flood, JointOffice.Id, Earlier)])
            .When(state => CommitmentDecider.Decide(state, new ResumeCommitment(C1, "Stations back online", JointOffice, Now)))
            .Then(new CommitmentResumed(C1, "Stations back online", JointOffice.Id, Now))
            .AndState(s => Assert.Equal(before, s.Status));

    [Theory]
    [InlineData(ActorRole.Government)]
    [InlineData(ActorRole.Decision)]
    public void Only_a_supervisor_resumes(ActorRole role) =>
        Spec.Given(C1In(CommitmentStatus.Suspended))
            .When(state => CommitmentDecider.Decide(state, new ResumeCommitment(C1, "Back online", new Actor("someone", role, Liuyang), Now)))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Theory]
    [InlineData(CommitmentStatus.Draft)]
    [InlineData(CommitmentStatus.Active)]
    [InlineData(CommitmentStatus.Withdrawn)]
    public void Only_a_suspended_commitment_is_resumed(CommitmentStatus status) =>
        Spec.Given(C1In(status))
            .When(state => CommitmentDecider.Decide(state, new ResumeCommitment(C1, "Back online", JointOffice, Now)))
            .ThenFails(DomainErrorKind.Conflict, "commitment_not_suspended");

    [Fact]
    public void A_resumption_gives_a_reason() =>
        Spec.Given(C1In(CommitmentStatus.Suspended))
            .When(state => CommitmentDecider.Decide(state, new ResumeCommitment(C1, " ", JointOffice, Now)))
            .ThenFails(DomainErrorKind.Rule, "required", "reason");

    [Fact]
    public void The_lead_withdraws_its_own_draft() =>
        Spec.Given(C1Draft)
            .When(state => CommitmentDecider.Decide(state, new WithdrawCommitment(C1, "Registered twice", LiuyangGov, Now)))
            .Then(new CommitmentWithdrawn(C1, "Registered twice", LiuyangGov.Id, Now))
            .AndState(s => Assert.Equal(CommitmentStatus.Withdrawn, s.Status));

    [Fact]
    public void A_contributor_does_not_withdraw_the_leads_draft() =>
        Spec.Given(C1Draft)
            .When(state => CommitmentDecider.Decide(state, new WithdrawCommitment(C1, "Registered twice", ShangliGov, Now)))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Fact]
    public void Once_active_the_lead_no_longer_withdraws() =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, new WithdrawCommitment(C1, "Too ambitious", LiuyangGov, Now)))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Theory]
    [InlineData(CommitmentStatus.Active)]
    [InlineData(CommitmentStatus.FulfilmentClaimed)]
    [InlineData(CommitmentStatus.Suspended)]
    public void The_decision_level_withdraws_an_active_commitment(CommitmentStatus status) =>
        Spec.Given(C1In(status))
            .When(state => CommitmentDecider.Decide(state, new WithdrawCommitment(C1, "Merged into the basin compact", Conference, Now)))
            .Then(new CommitmentWithdrawn(C1, "Merged into the basin compact", Conference.Id, Now))
            .AndState(s => Assert.Equal(CommitmentStatus.Withdrawn, s.Status));

    [Fact]
    public void A_supervisor_does_not_withdraw_a_commitment() =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, new WithdrawCommitment(C1, "Merged", JointOffice, Now)))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Theory]
    [InlineData(CommitmentStatus.Fulfilled)]
    [InlineData(CommitmentStatus.Withdrawn)]
    public void A_fulfilled_or_withdrawn_commitment_stays_as_it_is(CommitmentStatus status) =>
        Spec.Given(C1In(status))
            .When(state => CommitmentDecider.Decide(state, new WithdrawCommitment(C1, "Merged", Conference, Now)))
            .ThenFails(DomainErrorKind.Conflict, "commitment_closed");

    [Fact]
    public void A_withdrawal_gives_a_reason() =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, new WithdrawCommitment(C1, "", Conference, Now)))
            .ThenFails(DomainErrorKind.Rule, "required", "reason");
}
