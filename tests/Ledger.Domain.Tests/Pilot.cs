using Ledger.Contracts;
using Ledger.Domain.Agreements;
using Ledger.Domain.Commitments;

namespace Ledger.Domain.Tests;

/// <summary>
/// Hunan–Jiangxi border pilot-zone data shared by the domain tests: a few county-level governments,
/// agreement A1 (Lu/Ping river water governance) and one commitment under it. Figures and dates
/// other than the division codes are illustrative.
/// </summary>
internal static class Pilot
{
    // Time is an input: every decision in these tests happens at the same instant.
    public static readonly DateTimeOffset Now = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateOnly Today = new(2024, 6, 1);
    public static readonly DateOnly Tomorrow = new(2024, 6, 2);

    // GB/T 2260 administrative division codes.
    public const string Liuyang = "430181";   // 浏阳市, Changsha, Hunan
    public const string Liling = "430281";    // 醴陵市, Zhuzhou, Hunan
    public const string Pingjiang = "430626"; // 平江县, Yueyang, Hunan: registered, but no party to A1
    public const string Shangli = "360322";   // 上栗县, Pingxiang, Jiangxi
    public const string Xiangdong = "360313"; // 湘东区, Pingxiang, Jiangxi

    public static readonly IReadOnlySet<string> RegisteredGovernments =
        new HashSet<string>(StringComparer.Ordinal) { Liuyang, Liling, Pingjiang, Shangli, Xiangdong };

    public static readonly Actor Registry = new("registry-admin", ActorRole.Admin);
    public static readonly Actor JointOffice = new("xgb-joint-office", ActorRole.Supervisor);
    public static readonly Actor Conference = new("xgb-promotion-conference", ActorRole.Decision);
    public static readonly Actor AuditOffice = new("hunan-audit-office", ActorRole.Auditor);
    public static readonly Actor LiuyangGov = GovernmentActor(Liuyang);
    public static readonly Actor ShangliGov = GovernmentActor(Shangli);
    public static readonly Actor LilingGov = GovernmentActor(Liling);
    public static readonly Actor PingjiangGov = GovernmentActor(Pingjiang);

    public static Actor GovernmentActor(string code) => new("gov-" + code, ActorRole.Government, code);

    // ---- Agreement A1 ----------------------------------------------------------------------

    public const string A1 = "xgb-2021-a01";
    public const string A1Title = "Lu and Ping rivers cross-border water governance";
    public static readonly DateOnly TermStart = new(2021, 1, 1);
    public static readonly DateOnly TermEnd = new(2025, 12, 31);
    public static readonly DateTimeOffset DraftedAt = new(2021, 9, 15, 2, 0, 0, TimeSpan.Zero);
    public static readonly DateOnly SignedOn = new(2021, 10, 8);
    public static readonly DateTimeOffset SignedAt = new(2021, 10, 8, 3, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset AgreementActivatedAt = new(2021, 10, 20, 1, 0, 0, TimeSpan.Zero);

    public static AgreementParty[] A1Parties =>
        [new(Liuyang, PartyRole.Lead), new(Shangli, PartyRole.Signatory), new(Liling, PartyRole.Signatory)];

    public static string[] A1LegalBasis =>
        ["Overall plan for the Hunan–Jiangxi Border Regional Cooperation Demonstration Zone (2021)",
         "Lu river basin horizontal eco-compensation agreement between Hunan and Jiangxi (2019)"];

    public static AgreementDrafted A1Drafted =>
        new(A1, A1Title, TaskArea.Ecology, A1Parties, TermStart, TermEnd, A1LegalBasis, JointOffice.Id, DraftedAt);

    public static PartySigned A1SignedBy(string governmentId) =>
        new(A1, governmentId, SignedOn, "gov-" + governmentId, SignedAt);

    public static object[] A1FullySigned => [A1Drafted, A1SignedBy(Liuyang), A1SignedBy(Shangli), A1SignedBy(Liling)];

    public static object[] A1Active => [.. A1FullySigned, new AgreementActivated(A1, JointOffice.Id, AgreementActivatedAt)];

    public static object[] A1Terminated =>
        [.. A1Active, new AgreementTerminated(A1, "Superseded by the 2024 basin-wide compact", "xgb-conf-2024-07", Conference.Id, SignedAt.AddYears(2))];

    public static AgreementState AgreementAfter(params object[] events) =>
        events.Aggregate((AgreementState?)null, AgreementState.Evolve)!;

    // ---- Commitment C1 under A1 --------------------------------------------------------------

    public const string C1 = "a01-jinyushi-class-iii";
    public const string C1Department = "Liuyang Ecology and Environment Bureau";
    public const string C1Title = "Jinyushi border section at Class III or better every month";
    public const string C1Description =
        "Keep the Lu river's Jinyushi border section at Class III or better each month, share monitoring data and patrol jointly.";
    public static readonly DateOnly Deadline = new(2025, 12, 31);
    public static readonly DateTimeOffset RegisteredAt = new(2024, 1, 15, 1, 30, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset CommitmentActivatedAt = new(2024, 2, 1, 2, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Earlier = new(2024, 5, 20, 6, 0, 0, TimeSpan.Zero);

    // One indicator per measure, so the value rules can be exercised on a single commitment.
    public static Indicator MonthsAtClassIII => new(
        "months-class-iii", "Months at Class III or better at Jinyushi", Measure.Count, "months",
        Direction.Ascending, Aggregation.PerPeriod,
        new Baseline(10m, new DateOnly(2023, 12, 31), "Pingxiang and Zhuzhou ecology bureaus, 2023 monitoring"),
        [new PeriodTarget("2024", new DateOnly(2024, 1, 1), new DateOnly(2024, 12, 31), 12m),
         new PeriodTarget("2025", new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31), 12m)]);

    public static Indicator MonitoringCoverage => new(
        "auto-monitoring-coverage", "Border sections with automatic monitoring", Measure.Percent, "%",
        Direction.Ascending, Aggregation.Cumulative,
        new Baseline(40m, new DateOnly(2023, 12, 31), "Joint office survey"), []);

    public static Indicator DataShared => new(
        "monitoring-data-shared", "Monitoring data shared in real time", Measure.Boolean, "yes/no",
        Direction.Ascending, Aggregation.Cumulative, null, []);

    public static Indicator MonthlyClass => new(
        "jinyushi-monthly-class", "Monthly water quality class at Jinyushi", Measure.WaterQualityClass, "class",
        Direction.Descending, Aggregation.PerPeriod,
        new Baseline(3m, new DateOnly(2023, 12, 31), "Jinyushi automatic station"), []);

    public static Indicator RiverChiefMechanism => new(
        "joint-river-chiefs", "State of the joint river-chief mechanism", Measure.Qualitative, "narrative",
        Direction.Ascending, Aggregation.Cumulative, null, []);

    public static Indicator[] C1Indicators => [MonthsAtClassIII, MonitoringCoverage, DataShared, MonthlyClass, RiverChiefMechanism];

    public const string PatrolPlan = "joint-patrol-plan";
    public const string Station = "jinyushi-station";

    public static Milestone[] C1Milestones =>
        [new(PatrolPlan, "Joint river patrol plan approved", MilestoneType.Approval, new DateOnly(2024, 3, 31)),
         new(Station, "Automatic monitoring station at Jinyushi in service", MilestoneType.Delivery, new DateOnly(2024, 12, 31))];

    public static RegisterCommitment RegisterC1 => new(
        C1, A1, Liuyang, C1Department, ResultType.Outcome, C1Title, C1Description, Deadline,
        C1Indicators, C1Milestones, [new ContributorShare(Shangli, 40m)], LiuyangGov, Now);

    public static object[] C1Draft =>
    [
        new CommitmentRegistered(C1, A1, Liuyang, C1Department, ResultType.Outcome, C1Title, C1Description, Deadline, LiuyangGov.Id, RegisteredAt),
        new ContributorAssigned(C1, Shangli, 40m, LiuyangGov.Id, RegisteredAt),
        .. C1Indicators.Select(x => new IndicatorDefined(C1, x, LiuyangGov.Id, RegisteredAt)),
        .. C1Milestones.Select(x => new MilestoneScheduled(C1, x, LiuyangGov.Id, RegisteredAt)),
    ];

    public static object[] C1Active => [.. C1Draft, new CommitmentActivated(C1, JointOffice.Id, CommitmentActivatedAt)];

    public const string Sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    public static EvidenceAttached Evidence(string evidenceId) => new(
        C1, evidenceId, DocumentType.MonitoringData, "Jinyushi monthly monitoring, Jan–Apr 2024", Sha256,
        "s3://xgb-evidence/a01/" + evidenceId + ".pdf", "Pingxiang Ecology and Environment Bureau",
        new DateOnly(2024, 5, 10), Confidentiality.Public, null, null, LiuyangGov.Id, Earlier);

    public static FulfilmentClaimed Claimed(string claimId, ClaimScope scope, string? subject, params string[] evidenceIds) =>
        new(C1, claimId, scope, subject, evidenceIds, "Delivered as committed; see the cited evidence.", LiuyangGov.Id, Earlier);

    public static VerificationCompleted Verification(string claimId, Verdict verdict) =>
        new(C1, claimId, VerificationMethod.DocumentReview, verdict, "Reviewed the monitoring records.", JointOffice.Id, Earlier);

    public static ProgressReported Reported(string reportId) =>
        new(C1, reportId, "2024", new DateOnly(2024, 4, 30), [new IndicatorValue(MonthsAtClassIII.IndicatorId, 4m, null)],
            "January to April all at Class II or III.", LiuyangGov.Id, Earlier);

    public const string WholeClaim = "claim-c1-whole";

    /// <summary>A history that leaves C1 in the given status (checked by a test of its own).</summary>
    public static object[] C1In(CommitmentStatus status) => status switch
    {
        CommitmentStatus.Draft => C1Draft,
        CommitmentStatus.Active => C1Active,
        CommitmentStatus.FulfilmentClaimed =>
            [.. C1Active, Evidence("ev-monitoring-2024"), Claimed(WholeClaim, ClaimScope.Commitment, null, "ev-monitoring-2024")],
        CommitmentStatus.Fulfilled =>
            [.. C1In(CommitmentStatus.FulfilmentClaimed), Verification(WholeClaim, Verdict.Verified)],
        CommitmentStatus.Suspended =>
            [.. C1Active, new CommitmentSuspended(C1, "Basin flood emergency", JointOffice.Id, Earlier)],
        CommitmentStatus.Withdrawn =>
            [.. C1Active, new CommitmentWithdrawn(C1, "Merged into the basin-wide commitment", Conference.Id, Earlier)],
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}
