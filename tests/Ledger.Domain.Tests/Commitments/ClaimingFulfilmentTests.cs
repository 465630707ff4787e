using Ledger.Contracts;
using Ledger.Domain.Commitments;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Commitments;

public class ClaimingFulfilmentTests
{
    private const string Statement = "The joint river patrol plan was approved by both river-chief offices.";
    private const string Minutes = "ev-patrol-plan-minutes";
    private const string Approval = "ev-patrol-plan-approval";

    private static object[] WithEvidence => [.. C1Active, Evidence(Minutes), Evidence(Approval)];

    private static ClaimFulfilment Claim(string claimId, ClaimScope scope, string? subject) =>
        new(C1, claimId, scope, subject, [Minutes, Approval], Statement, LiuyangGov, Now);

    private static ClaimFulfilment PatrolPlanClaim => Claim("claim-patrol-plan", ClaimScope.Milestone, PatrolPlan);

    private static Outcome<CommitmentState> Claiming(ClaimFulfilment command, params object[] given) =>
        Spec.Given(given.Length == 0 ? WithEvidence : given).When(state => CommitmentDecider.Decide(state, command));

    [Fact]
    public void The_lead_claims_a_milestone_citing_attached_evidence() =>
        Claiming(PatrolPlanClaim)
            .Then(new FulfilmentClaimed(C1, "claim-patrol-plan", ClaimScope.Milestone, PatrolPlan, [Minutes, Approval], Statement, LiuyangGov.Id, Now))
            .AndState(s =>
            {
                Assert.Equal(CommitmentStatus.Active, s.Status);
                Assert.Equal(new OpenClaim("claim-patrol-plan", ClaimScope.Milestone, PatrolPlan, Zone.Date(Now)), s.OpenClaims["claim-patrol-plan"]);
            });

    [Fact]
    public void The_lead_claims_a_period_an_indicator_defines() =>
        Claiming(Claim("claim-2024", ClaimScope.Period, "2024"))
            .Then(new FulfilmentClaimed(C1, "claim-2024", ClaimScope.Period, "2024", [Minutes, Approval], Statement, LiuyangGov.Id, Now))
            .AndState(s => Assert.Equal(CommitmentStatus.Active, s.Status));

    [Fact]
    public void The_lead_claims_the_whole_commitment_which_awaits_verification() =>
        Claiming(Claim("claim-whole", ClaimScope.Commitment, null))
            .Then(new FulfilmentClaimed(C1, "claim-whole", ClaimScope.Commitment, null, [Minutes, Approval], Statement, LiuyangGov.Id, Now))
            .AndState(s => Assert.Equal(CommitmentStatus.FulfilmentClaimed, s.Status));

    [Fact]
    public void A_contributor_does_not_claim_fulfilment() =>
        Claiming(PatrolPlanClaim with { Actor = ShangliGov })
            .ThenFails(DomainErrorKind.Forbidden, "only_lead_claims");

    [Fact]
    public void A_supervisor_does_not_claim_fulfilment() =>
        Claiming(PatrolPlanClaim with { Actor = JointOffice })
            .ThenFails(DomainErrorKind.Forbidden, "only_lead_claims");

    [Theory]
    [InlineData(CommitmentStatus.Draft)]
    [InlineData(CommitmentStatus.FulfilmentClaimed)]
    [InlineData(CommitmentStatus.Fulfilled)]
    [InlineData(CommitmentStatus.Suspended)]
    [InlineData(CommitmentStatus.Withdrawn)]
    public void Only_an_active_commitment_takes_claims(CommitmentStatus status) =>
        Claiming(PatrolPlanClaim, [.. C1In(status), Evidence(Minutes), Evidence(Approval)])
            .ThenFails(DomainErrorKind.Conflict, "commitment_not_active");

    [Theory]
    [InlineData("Claim-1")]
    [InlineData("c1")]
    [InlineData("")]
    public void A_claim_id_is_lower_case_letters_digits_and_dashes(string claimId) =>
        Claiming(PatrolPlanClaim with { ClaimId = claimId })
            .ThenFails(DomainErrorKind.Rule, "invalid_claim_id", "claimId");

    [Fact]
    public void A_claim_id_is_used_once_even_after_the_claim_is_closed() =>
        Claiming(PatrolPlanClaim,
            [.. WithEvidence, Claimed("claim-patrol-plan", ClaimScope.Milestone, PatrolPlan, Minutes),
             Verification("claim-patrol-plan", Verdict.Rejected)])
            .ThenFails(DomainErrorKind.Conflict, "duplicate_claim", "claimId");

    [Fact]
    public void A_claim_makes_a_statement() =>
        Claiming(PatrolPlanClaim with { Statement = "" })
            .ThenFails(DomainErrorKind.Rule, "required", "statement");

    [Fact]
    public void A_claim_cites_at_least_one_piece_of_evidence() =>
        Claiming(PatrolPlanClaim with { EvidenceIds = [] })
            .ThenFails(DomainErrorKind.Rule, "evidence_required", "evidenceIds");

    [Fact]
    public void A_claim_cites_only_evidence_attached_to_the_commitment() =>
        Claiming(PatrolPlanClaim with { EvidenceIds = [Minutes, "ev-not-attached"] })
            .ThenFails(DomainErrorKind.Rule, "unknown_evidence", "evidenceIds[1]");

    [Theory]
    [InlineData("river-dredging")]
    [InlineData(null)]
    public void A_milestone_claim_names_a_scheduled_milestone(string? subject) =>
        Claiming(Claim("claim-patrol-plan", ClaimScope.Milestone, subject))
            .ThenFails(DomainErrorKind.Rule, "unknown_milestone", "subject");

    [Fact]
    public void A_milestone_already_met_is_not_claimed_again() =>
        Claiming(PatrolPlanClaim,
            [.. WithEvidence, new MilestoneStatusChanged(C1, PatrolPlan, MilestoneStatus.Met, new DateOnly(2024, 3, 28), JointOffice.Id, Earlier)])
            .ThenFails(DomainErrorKind.Conflict, "milestone_already_met", "subject");

    [Theory]
    [InlineData(MilestoneStatus.PartiallyMet)]
    [InlineData(MilestoneStatus.NotMet)]
    public void A_milestone_not_yet_met_may_be_claimed(MilestoneStatus status) =>
        Claiming(PatrolPlanClaim,
            [.. WithEvidence, new MilestoneStatusChanged(C1, PatrolPlan, status, null, JointOffice.Id, Earlier)])
            .Then(new FulfilmentClaimed(C1, "claim-patrol-plan", ClaimScope.Milestone, PatrolPlan, [Minutes, Approval], Statement, LiuyangGov.Id, Now));

    [Theory]
    [InlineData("2023")]
    [InlineData(null)]
    public void A_period_claim_names_a_period_an_indicator_defines(string? subject) =>
        Claiming(Claim("claim-2023", ClaimScope.Period, subject))
            .ThenFails(DomainErrorKind.Rule, "unknown_period", "subject");

    [Fact]
    public void A_whole_commitment_claim_names_no_subject() =>
        Claiming(Claim("claim-whole", ClaimScope.Commitment, PatrolPlan))
            .ThenFails(DomainErrorKind.Rule, "subject_not_allowed", "subject");

    [Fact]
    public void One_open_claim_per_milestone_at_a_time() =>
        Claiming(PatrolPlanClaim with { ClaimId = "claim-patrol-plan-2" },
            [.. WithEvidence, Claimed("claim-patrol-plan", ClaimScope.Milestone, PatrolPlan, Minutes)])
            .ThenFails(DomainErrorKind.Conflict, "claim_already_open", "subject");

    [Fact]
    public void One_open_claim_per_period_at_a_time() =>
        Claiming(Claim("claim-2024-b", ClaimScope.Period, "2024"),
            [.. WithEvidence, Claimed("claim-2024", ClaimScope.Period, "2024", Minutes)])
            .ThenFails(DomainErrorKind.Conflict, "claim_already_open", "subject");

    [Fact]
    public void Claims_on_different_subjects_may_be_open_together() =>
        Claiming(Claim("claim-station", ClaimScope.Milestone, Station),
            [.. WithEvidence, Claimed("claim-patrol-plan", ClaimScope.Milestone, PatrolPlan, Minutes)])
            .Then(new FulfilmentClaimed(C1, "claim-station", ClaimScope.Milestone, Station, [Minutes, Approval], Statement, LiuyangGov.Id, Now))
            .AndState(s => Assert.Equal(2, s.OpenClaims.Count));

    [Fact]
    public void A_subject_may_be_claimed_again_once_its_claim_is_withdrawn() =>
        Claiming(PatrolPlanClaim with { ClaimId = "claim-patrol-plan-2" },
            [.. WithEvidence, Claimed("claim-patrol-plan", ClaimScope.Milestone, PatrolPlan, Minutes),
             new ClaimWithdrawn(C1, "claim-patrol-plan", "Wrong minutes cited", LiuyangGov.Id, Earlier)])
            .Then(new FulfilmentClaimed(C1, "claim-patrol-plan-2", ClaimScope.Milestone, PatrolPlan, [Minutes, Approval], Statement, LiuyangGov.Id, Now));

    [Fact]
    public void The_lead_withdraws_its_open_claim_with_a_reason() =>
        Spec.Given([.. WithEvidence, Claimed("claim-whole", ClaimScope.Commitment, null, Minutes)])
            .When(state => CommitmentDecider.Decide(state, new WithdrawClaim(C1, "claim-whole", "Station not yet in service", LiuyangGov, Now)))
            .Then(new ClaimWithdrawn(C1, "claim-whole", "Station not yet in service", LiuyangGov.Id, Now))
            .AndState(s =>
            {
                Assert.Empty(s.OpenClaims);
                Assert.Equal(CommitmentStatus.Active, s.Status);
            });

    [Theory]
    [InlineData(Shangli)]
    [InlineData(Liling)]
    public void Only_the_lead_withdraws_a_claim(string governmentId) =>
        Spec.Given([.. WithEvidence, Claimed("claim-patrol-plan", ClaimScope.Milestone, PatrolPlan, Minutes)])
            .When(state => CommitmentDecider.Decide(state, new WithdrawClaim(C1, "claim-patrol-plan", "Wrong minutes", GovernmentActor(governmentId), Now)))
            .ThenFails(DomainErrorKind.Forbidden, "only_lead_claims");

    [Fact]
    public void A_closed_claim_is_not_withdrawn() =>
        Spec.Given([.. WithEvidence, Claimed("claim-patrol-plan", ClaimScope.Milestone, PatrolPlan, Minutes), Verification("claim-patrol-plan", Verdict.Rejected)])
            .When(state => CommitmentDecider.Decide(state, new WithdrawClaim(C1, "claim-patrol-plan", "Wrong minutes", LiuyangGov, Now)))
            .ThenFails(DomainErrorKind.Conflict, "claim_not_open", "claimId");

    [Fact]
    public void An_unknown_claim_is_not_withdrawn() =>
        Spec.Given(WithEvidence)
            .When(state => CommitmentDecider.Decide(state, new WithdrawClaim(C1, "claim-patrol-plan", "Wrong minutes", LiuyangGov, Now)))
            .ThenFails(DomainErrorKind.NotFound, "claim_not_found", "claimId");

    [Fact]
    public void A_claim_is_withdrawn_with_a_reason() =>
        Spec.Given([.. WithEvidence, Claimed("claim-patrol-plan", ClaimScope.Milestone, PatrolPlan, Minutes)])
            .When(state => CommitmentDecider.Decide(state, new WithdrawClaim(C1, "claim-patrol-plan", "", LiuyangGov, Now)))
            .ThenFails(DomainErrorKind.Rule, "required", "reason");
}
