using Ledger.Contracts;
using Ledger.Domain.Commitments;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Commitments;

public class VerifyingClaimsTests
{
    private const string Findings = "Site inspection at Jinyushi on 2024-05-30 confirmed the station is in service.";
    private const string PatrolClaim = "claim-patrol-plan";

    private static object[] WholeClaimOpen => C1In(CommitmentStatus.FulfilmentClaimed);

    private static object[] PatrolClaimOpen =>
        [.. C1Active, Evidence("ev-patrol-plan"), Claimed(PatrolClaim, ClaimScope.Milestone, PatrolPlan, "ev-patrol-plan")];

    private static VerifyClaim Verify(string claimId, Verdict verdict) =>
        new(C1, claimId, VerificationMethod.SiteInspection, verdict, Findings, JointOffice, Now);

    private static VerificationCompleted Completed(string claimId, Verdict verdict) =>
        new(C1, claimId, VerificationMethod.SiteInspection, verdict, Findings, JointOffice.Id, Now);

    [Fact]
    public void A_suspended_commitments_claim_waits_until_it_is_resumed() =>
        Spec.Given([.. WholeClaimOpen, new CommitmentSuspended(C1, "Basin flood emergency", JointOffice.Id, Now)])
            .When(state => CommitmentDecider.Decide(state, Verify(WholeClaim, Verdict.Verified)))
            .ThenFails(DomainErrorKind.Conflict, "commitment_suspended");

    [Fact]
    public void A_withdrawn_commitments_claim_is_never_verified() =>
        Spec.Given([.. PatrolClaimOpen, new CommitmentWithdrawn(C1, "Merged into a provincial programme", Conference.Id, Now)])
            .When(state => CommitmentDecider.Decide(state, Verify(PatrolClaim, Verdict.Verified)))
            .ThenFails(DomainErrorKind.Conflict, "commitment_withdrawn");

    [Fact]
    public void A_verified_whole_commitment_claim_fulfils_the_commitment() =>
        Spec.Given(WholeClaimOpen)
            .When(state => CommitmentDecider.Decide(state, Verify(WholeClaim, Verdict.Verified)))
            .Then(Completed(WholeClaim, Verdict.Verified))
            .AndState(s =>
            {
                Assert.Equal(CommitmentStatus.Fulfilled, s.Status);
                Assert.Empty(s.OpenClaims);
            });

    [Theory]
    [InlineData(Verdict.PartiallyVerified)]
    [InlineData(Verdict.Rejected)]
    [InlineData(Verdict.NeedsMoreEvidence)]
    public void Any_other_verdict_returns_a_claimed_commitment_to_active(Verdict verdict) =>
        Spec.Given(WholeClaimOpen)
            .When(state => CommitmentDecider.Decide(state, Verify(WholeClaim, verdict)))
            .Then(Completed(WholeClaim, verdict))
            .AndState(s =>
            {
                Assert.Equal(CommitmentStatus.Active, s.Status);
                Assert.Empty(s.OpenClaims);
            });

    [Fact]
    public void A_claim_rejected_for_thin_evidence_is_claimed_again_after_a_site_inspection() =>
        Spec.Given(
            [.. WholeClaimOpen, Verification(WholeClaim, Verdict.Rejected), Evidence("ev-site-inspection")])
            .When(state => CommitmentDecider.Decide(state,
                new ClaimFulfilment(C1, "claim-c1-whole-2", ClaimScope.Commitment, null, ["ev-monitoring-2024", "ev-site-inspection"],
                    "Site inspection report added.", LiuyangGov, Now)))
            .Then(new FulfilmentClaimed(C1, "claim-c1-whole-2", ClaimScope.Commitment, null, ["ev-monitoring-2024", "ev-site-inspection"],
                "Site inspection report added.", LiuyangGov.Id, Now))
            .AndState(s => Assert.Equal(CommitmentStatus.FulfilmentClaimed, s.Status));

    [Fact]
    public void A_commitment_moves_from_draft_through_a_claim_to_fulfilled()
    {
        var history = new List<object>(C1Draft);
        void Decide(Func<CommitmentState?, IReadOnlyList<object>> decide) =>
            history.AddRange(decide(history.Aggregate((CommitmentState?)null, CommitmentState.Evolve)));

        Decide(s => CommitmentDecider.Decide(s, new ActivateCommitment(C1, JointOffice, Now)));
        Decide(s => CommitmentDecider.Decide(s, new AttachEvidence(C1, "ev-annual-monitoring", DocumentType.MonitoringData,
            "Jinyushi monitoring 2024", Sha256, "https://evidence.xgb.example/a01/2024.pdf", "Pingxiang Ecology and Environment Bureau",
            Today, Confidentiality.Public, LiuyangGov, Now)));
        Decide(s => CommitmentDecider.Decide(s, new ClaimFulfilment(C1, "claim-c1", ClaimScope.Commitment, null, ["ev-annual-monitoring"],
            "Twelve months at Class III or better.", LiuyangGov, Now)));
        Decide(s => CommitmentDecider.Decide(s, Verify("claim-c1", Verdict.Verified)));

        var statuses = Enumerable.Range(0, history.Count + 1)
            .Select(n => history.Take(n).Aggregate((CommitmentState?)null, CommitmentState.Evolve)?.Status)
            .OfType<CommitmentStatus>()
            .Distinct();
        Assert.Equal(
            [CommitmentStatus.Draft, CommitmentStatus.Active, CommitmentStatus.FulfilmentClaimed, CommitmentStatus.Fulfilled],
            statuses);
    }

    [Fact]
    public void A_verified_milestone_claim_marks_the_milestone_met() =>
        Spec.Given(PatrolClaimOpen)
            .When(state => CommitmentDecider.Decide(state, Verify(PatrolClaim, Verdict.Verified)))
            .Then(
                Completed(PatrolClaim, Verdict.Verified),
                // The judgement's day in the event (1 June); met on the day the claim was made (20 May), which it confirms.
                new MilestoneStatusChanged(C1, PatrolPlan, MilestoneStatus.Met, Today, JointOffice.Id, Now))
            .AndState(s =>
            {
                Assert.Equal(MilestoneStatus.Met, s.Milestones[PatrolPlan]);
                Assert.Equal(new DateOnly(2024, 5, 20), s.Lifecycle.Item(CommitmentLifecycle.MilestoneKey(PatrolPlan))!.MetOn);
                Assert.Equal(MilestoneStatus.Scheduled, s.Milestones[Station]);
                Assert.Equal(CommitmentStatus.Active, s.Status);
            });

    [Fact]
    public void A_partly_verified_milestone_claim_marks_the_milestone_partially_met() =>
        Spec.Given(PatrolClaimOpen)
            .When(state => CommitmentDecider.Decide(state, Verify(PatrolClaim, Verdict.PartiallyVerified)))
            .Then(
                Completed(PatrolClaim, Verdict.PartiallyVerified),
                new MilestoneStatusChanged(C1, PatrolPlan, MilestoneStatus.PartiallyMet, Today, JointOffice.Id, Now))
            .AndState(s => Assert.Equal(MilestoneStatus.PartiallyMet, s.Milestones[PatrolPlan]));

    [Theory]
    [InlineData(Verdict.Rejected)]
    [InlineData(Verdict.NeedsMoreEvidence)]
    public void A_milestone_claim_that_is_not_verified_leaves_the_milestone_as_it_was(Verdict verdict) =>
        Spec.Given(PatrolClaimOpen)
            .When(state => CommitmentDecider.Decide(state, Verify(PatrolClaim, verdict)))
            .Then(Completed(PatrolClaim, verdict))
            .AndState(s =>
            {
                Assert.Equal(MilestoneStatus.Scheduled, s.Milestones[PatrolPlan]);
                Assert.Empty(s.OpenClaims);
            });

    [Fact]
    public void A_verified_period_claim_leaves_the_commitment_active() =>
        Spec.Given([.. C1Active, Evidence("ev-2024"), Claimed("claim-2024", ClaimScope.Period, "2024", "ev-2024")])
            .When(state => CommitmentDecider.Decide(state, Verify("claim-2024", Verdict.Verified)))
            .Then(Completed("claim-2024", Verdict.Verified))
            .AndState(s => Assert.Equal(CommitmentStatus.Active, s.Status));

    [Fact]
    public void A_milestone_verified_while_the_whole_commitment_is_claimed_leaves_that_claim_pending() =>
        Spec.Given([.. PatrolClaimOpen, Evidence("ev-monitoring-2024"), Claimed(WholeClaim, ClaimScope.Commitment, null, "ev-monitoring-2024")])
            .When(state => CommitmentDecider.Decide(state, Verify(PatrolClaim, Verdict.Rejected)))
            .Then(Completed(PatrolClaim, Verdict.Rejected))
            .AndState(s => Assert.Equal(CommitmentStatus.FulfilmentClaimed, s.Status));

    [Theory]
    [InlineData(ActorRole.Government)]
    [InlineData(ActorRole.Decision)]
    [InlineData(ActorRole.Auditor)]
    public void Only_a_supervisor_verifies(ActorRole role) =>
        Spec.Given(WholeClaimOpen)
            .When(state => CommitmentDecider.Decide(state, Verify(WholeClaim, Verdict.Verified) with { Actor = new Actor("someone", role, Liuyang) }))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Fact]
    public void A_closed_claim_is_not_verified_again() =>
        Spec.Given([.. WholeClaimOpen, Verification(WholeClaim, Verdict.Rejected)])
            .When(state => CommitmentDecider.Decide(state, Verify(WholeClaim, Verdict.Verified)))
            .ThenFails(DomainErrorKind.Conflict, "claim_not_open", "claimId");

    [Fact]
    public void A_withdrawn_claim_is_not_verified() =>
        Spec.Given([.. WholeClaimOpen, new ClaimWithdrawn(C1, WholeClaim, "Station not in service", LiuyangGov.Id, Earlier)])
            .When(state => CommitmentDecider.Decide(state, Verify(WholeClaim, Verdict.Verified)))
            .ThenFails(DomainErrorKind.Conflict, "claim_not_open", "claimId");

    [Fact]
    public void An_unknown_claim_is_not_verified() =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Verify(WholeClaim, Verdict.Verified)))
            .ThenFails(DomainErrorKind.NotFound, "claim_not_found", "claimId");

    [Fact]
    public void A_verification_always_records_findings() =>
        Spec.Given(WholeClaimOpen)
            .When(state => CommitmentDecider.Decide(state, Verify(WholeClaim, Verdict.Rejected) with { Findings = " " }))
            .ThenFails(DomainErrorKind.Rule, "required", "findings");
}
