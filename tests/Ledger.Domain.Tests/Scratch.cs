using Ledger.Contracts;
using Ledger.Domain.Commitments;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests;

public class Scratch
{
    [Fact]
    public void Stuck()
    {
        Spec.Given([.. C1In(CommitmentStatus.FulfilmentClaimed), new CommitmentSuspended(C1, "x", JointOffice.Id, Earlier)])
            .When(state => CommitmentDecider.Decide(state, new VerifyClaim(C1, WholeClaim, VerificationMethod.SiteInspection, Verdict.Verified, "ok", JointOffice, Now)))
            .Then(new VerificationCompleted(C1, WholeClaim, VerificationMethod.SiteInspection, Verdict.Verified, "ok", JointOffice.Id, Now))
            .AndState(s => Assert.Equal(CommitmentStatus.Suspended, s.Status));
        Spec.Given([.. C1In(CommitmentStatus.FulfilmentClaimed), new CommitmentSuspended(C1, "x", JointOffice.Id, Earlier),
                new VerificationCompleted(C1, WholeClaim, VerificationMethod.SiteInspection, Verdict.Verified, "ok", JointOffice.Id, Now)])
            .When(state => CommitmentDecider.Decide(state, new ResumeCommitment(C1, "back", JointOffice, Now)))
            .Then(new CommitmentResumed(C1, "back", JointOffice.Id, Now))
            .AndState(s => { Assert.Equal(CommitmentStatus.FulfilmentClaimed, s.Status); Assert.Empty(s.OpenClaims); });
        // and now nothing can move it: no claim allowed, no open claim to verify
        Spec.Given([.. C1In(CommitmentStatus.FulfilmentClaimed), new CommitmentSuspended(C1, "x", JointOffice.Id, Earlier),
                new VerificationCompleted(C1, WholeClaim, VerificationMethod.SiteInspection, Verdict.Verified, "ok", JointOffice.Id, Now),
                new CommitmentResumed(C1, "back", JointOffice.Id, Now)])
            .When(state => CommitmentDecider.Decide(state, new ClaimFulfilment(C1, "claim-again", ClaimScope.Commitment, null, ["ev-monitoring-2024"], "again", LiuyangGov, Now)))
            .ThenFails(DomainErrorKind.Conflict, "commitment_not_active");
        // withdrawn commitment with open claim can be verified
        Spec.Given([.. C1In(CommitmentStatus.FulfilmentClaimed), new CommitmentWithdrawn(C1, "x", Conference.Id, Earlier)])
            .When(state => CommitmentDecider.Decide(state, new VerifyClaim(C1, WholeClaim, VerificationMethod.SiteInspection, Verdict.Verified, "ok", JointOffice, Now)))
            .Then(new VerificationCompleted(C1, WholeClaim, VerificationMethod.SiteInspection, Verdict.Verified, "ok", JointOffice.Id, Now))
            .AndState(s => Assert.Equal(CommitmentStatus.Withdrawn, s.Status));
        // correction values for an indicator that lacks the original report's period
        Spec.Given([.. C1Active, Reported("rpt-2024-04")])
            .When(state => CommitmentDecider.Decide(state, new CorrectProgress(C1, "cor-1", "rpt-2024-04", [new IndicatorValue(MonitoringCoverage.IndicatorId, 50m, null)], "r", LiuyangGov, Now)))
            .Then(new ProgressCorrected(C1, "cor-1", "rpt-2024-04", [new IndicatorValue(MonitoringCoverage.IndicatorId, 50m, null)], "r", LiuyangGov.Id, Now));
        // Beijing morning: local date = UTC+1 day
        var beijingMorning = new DateTimeOffset(2024, 6, 2, 7, 0, 0, TimeSpan.FromHours(8));
        Spec.Given([.. C1Active])
            .When(state => CommitmentDecider.Decide(state, new ReportProgress(C1, "rpt-x", "2024", new DateOnly(2024, 6, 2), [new IndicatorValue(MonthsAtClassIII.IndicatorId, 5m, null)], "n", LiuyangGov, beijingMorning)))
            .ThenFails(DomainErrorKind.Rule, "date_in_future", "asOf");
        // Milestone claim on a withdrawn... suspended commitment with open milestone claim verified: milestone changes while suspended
        // Register: agreement passed need not be the one named
        var other = AgreementAfter([.. A1Active]) with { AgreementId = "xgb-2021-a03" };
        Spec.Given()
            .When(state => CommitmentDecider.Decide(state, RegisterC1 with { AgreementId = "xgb-2021-a05" }, other))
            .Then([.. CommitmentDecider.Decide(null, RegisterC1 with { AgreementId = "xgb-2021-a05" }, other)]);
        // Supervisor-role party can lead
        var withSup = AgreementAfter([A1Drafted with { Parties = [.. A1Parties, new AgreementParty(Xiangdong, PartyRole.Supervisor)] }, new AgreementActivated(A1, "x", Earlier)]);
        Spec.Given()
            .When(state => CommitmentDecider.Decide(state, RegisterC1 with { LeadGovernmentId = Xiangdong, Actor = GovernmentActor(Xiangdong), Contributors = [] }, withSup))
            .AndState(s => Assert.Equal(Xiangdong, s.LeadGovernmentId));
        // qualitative target number accepted
        Spec.Given()
            .When(state => CommitmentDecider.Decide(state, RegisterC1 with { Indicators = [RiverChiefMechanism with { Periods = [new PeriodTarget("2024", new(2024,1,1), new(2024,12,31), 99999m)] }] }, AgreementAfter(A1Active)))
            .AndState(s => Assert.Equal(CommitmentStatus.Draft, s.Status));
    }
}
