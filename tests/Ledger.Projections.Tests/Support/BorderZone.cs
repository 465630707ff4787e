using Ledger.Contracts;

namespace Ledger.Projections.Tests.Support;

/// <summary>
/// A small hand-made history of the pilot zone, in sequence order, that every number the view tests
/// expect is worked out from (see the comments beside each step).
/// </summary>
public static class BorderZone
{
    public const string Liuyang = "430181";
    public const string Liling = "430281";
    public const string Xiangdong = "360313";
    public const string Water = "xgb-2021-a01";
    public const string Transport = "xgb-2021-a03";
    /// <summary>Liling's border road: Output (weight 1); its milestone slips, is rectified, escalated and revised.</summary>
    public const string Road = "a03-border-road";
    /// <summary>Xiangdong's corridor: Outcome (weight 2); milestone met early, deadline missed.</summary>
    public const string Corridor = "a03-corridor";
    /// <summary>Liuyang's river water: Impact (weight 3); claimed and verified before its deadline.</summary>
    public const string River = "a01-river-class-iii";
    /// <summary>Liling's bus line: still a draft.</summary>
    public const string Bus = "a03-bus-line";

    private const string Admin = "admin";
    private const string Office = "joint-office";
    private const string Decision = "conference";
    private const string ClockActor = "system:clock";

    /// <summary>UTC+8 wall time, as the zone keeps it.</summary>
    public static DateTimeOffset At(int year, int month, int day, int hour = 10) => new(year, month, day, hour, 0, 0, TimeSpan.FromHours(8));

    public static IReadOnlyList<(string Stream, object Event)> Events()
    {
        var list = new List<(string, object)>();
        void Gov(string id, string zh, string en, Province p, string prefecture) =>
            list.Add((StreamKeys.Government(id), new GovernmentRegistered(id, zh, en, p, prefecture, GovernmentLevel.County, Admin, At(2023, 1, 5))));
        void C(string commitment, object e) => list.Add((StreamKeys.Commitment(commitment), e));

        Gov(Liuyang, "浏阳市", "Liuyang", Province.Hunan, "长沙市");
        Gov(Liling, "醴陵市", "Liling", Province.Hunan, "株洲市");
        Gov(Xiangdong, "湘东区", "Xiangdong", Province.Jiangxi, "萍乡市");

        list.Add((StreamKeys.Agreement(Water), new AgreementDrafted(Water, "Lu/Ping river water governance", TaskArea.Ecology,
            [new AgreementParty(Liuyang, PartyRole.Lead), new AgreementParty(Xiangdong, PartyRole.Signatory)],
            new DateOnly(2023, 1, 1), new DateOnly(2025, 12, 31), ["eco-compensation-2019"], Office, At(2023, 2, 1))));
        list.Add((StreamKeys.Agreement(Water), new AgreementActivated(Water, Office, At(2023, 2, 10))));
        list.Add((StreamKeys.Agreement(Transport), new AgreementDrafted(Transport, "Transport connectivity", TaskArea.Transport,
            [new AgreementParty(Liling, PartyRole.Lead), new AgreementParty(Xiangdong, PartyRole.Lead)],
            new DateOnly(2023, 1, 1), new DateOnly(2026, 12, 31), ["xgb-plan-2021"], Office, At(2023, 2, 1))));
        list.Add((StreamKeys.Agreement(Transport), new AgreementActivated(Transport, Office, At(2023, 2, 10))));

        // Road: Liling leads, Xiangdong contributes; milestone m1 due 2024-06-30.
        C(Road, new CommitmentRegistered(Road, Transport, Liling, "transport bureau", ResultType.Output, "18 km of border road", "upgrade", new DateOnly(2024, 12, 31), "gov:430281", At(2023, 3, 1)));
        C(Road, new MilestoneScheduled(Road, new Milestone("m1", "design approved", MilestoneType.Approval, new DateOnly(2024, 6, 30)), "gov:430281", At(2023, 3, 1)));
        C(Road, new ContributorAssigned(Road, Xiangdong, 30m, "gov:430281", At(2023, 3, 2)));
        C(Road, new CommitmentActivated(Road, Office, At(2023, 3, 5)));

        // Corridor: Xiangdong leads; milestone met early, deadline 2024-03-31.
        C(Corridor, new CommitmentRegistered(Corridor, Transport, Xiangdong, "transport bureau", ResultType.Outcome, "Corridor feasibility", "study", new DateOnly(2024, 3, 31), "gov:360313", At(2023, 3, 1)));
        C(Corridor, new MilestoneScheduled(Corridor, new Milestone("m1", "survey", MilestoneType.Delivery, new DateOnly(2024, 1, 31)), "gov:360313", At(2023, 3, 1)));
        C(Corridor, new CommitmentActivated(Corridor, Office, At(2023, 3, 5)));

        // River: Liuyang leads.
        C(River, new CommitmentRegistered(River, Water, Liuyang, "ecology bureau", ResultType.Impact, "Class III at Jinyushi", "12/12 months", new DateOnly(2024, 12, 31), "gov:430181", At(2023, 3, 1)));
        C(River, new CommitmentActivated(River, Office, At(2023, 3, 5)));

        // Bus line: registered, never activated.
        C(Bus, new CommitmentRegistered(Bus, Transport, Liling, "transport bureau", ResultType.Output, "Cross-border bus line", "bus", new DateOnly(2025, 6, 30), "gov:430281", At(2023, 4, 1)));

        // 2024-Q1: the corridor's milestone is met early (on time); a report arrives for the river.
        C(Corridor, new MilestoneStatusChanged(Corridor, "m1", MilestoneStatus.Met, new DateOnly(2024, 1, 20), Office, At(2024, 1, 22)));
        C(River, new ProgressReported(River, "r-2024-01", "2024-01", new DateOnly(2024, 1, 31), [new IndicatorValue("monthly-class", 2)], "Class II", "gov:430181", At(2024, 2, 3)));
        // 2024-Q2: the corridor's deadline passes unmet; its Q1 report is missing; it is assessed green but overdue.
        C(Corridor, new CommitmentOverdue(Corridor, DueKind.Deadline, null, new DateOnly(2024, 3, 31), ClockActor, At(2024, 4, 1, 0)));
        C(Corridor, new ReportMissing(Corridor, "surveyed-km", "2024-Q1", new DateOnly(2024, 3, 31), new DateOnly(2024, 4, 15), ClockActor, At(2024, 4, 16, 0)));
        C(Corridor, new CommitmentAssessed(Corridor, "as-c-1", "2024-Q1", Completion.Substantial, DeliveryConfidence.Green, RiskCategory.Low, "on track apart from the date", Office, At(2024, 4, 20)));
        // The river: assessed complete, claimed on 2024-05-10, verified 2024-05-20 (a first claim was rejected).
        C(River, new CommitmentAssessed(River, "as-r-1", "2024-Q1", Completion.Complete, DeliveryConfidence.Green, RiskCategory.Low, "all months class III", Office, At(2024, 4, 25)));
        C(River, new EvidenceAttached(River, "ev-1", DocumentType.MonitoringData, "monitoring", new string('a', 64), "https://files.example/ev-1", "ecology bureau", new DateOnly(2024, 4, 30), Confidentiality.Public, null, null, "gov:430181", At(2024, 5, 1)));
        C(River, new FulfilmentClaimed(River, "cl-1", ClaimScope.Commitment, null, ["ev-1"], "done", "gov:430181", At(2024, 5, 2)));
        C(River, new VerificationCompleted(River, "cl-1", VerificationMethod.DocumentReview, Verdict.Rejected, "thin evidence", Office, At(2024, 5, 5)));
        C(River, new FulfilmentClaimed(River, "cl-2", ClaimScope.Commitment, null, ["ev-1"], "done, with inspection", "gov:430181", At(2024, 5, 10)));
        C(River, new VerificationCompleted(River, "cl-2", VerificationMethod.SiteInspection, Verdict.Verified, "inspected", Office, At(2024, 5, 20)));
        // A rectification on the corridor, answered and accepted within Q2.
        C(Corridor, new RectificationOrdered(Corridor, "r2", Xiangdong, "late study", ["finish the study"], new DateOnly(2024, 6, 30), Office, At(2024, 5, 6)));
        C(Corridor, new RectificationResponded(Corridor, "r2", "study finished", [], "gov:360313", At(2024, 6, 1)));
        C(Corridor, new RectificationAccepted(Corridor, "r2", "accepted", Office, At(2024, 6, 10)));

        // 2024-Q3: the road's milestone slips. Noticed 00:30 on 1 July at UTC+8 (still 30 June in UTC): Q3.
        C(Road, new CommitmentOverdue(Road, DueKind.Milestone, "m1", new DateOnly(2024, 6, 30), ClockActor, new DateTimeOffset(2024, 6, 30, 16, 30, 0, TimeSpan.Zero)));
        C(Road, new RectificationOrdered(Road, "r1", Liling, "design not approved", ["approve the design", "report weekly"], new DateOnly(2024, 8, 31), Office, At(2024, 7, 5)));
        C(Road, new RectificationResponded(Road, "r1", "design in review", [], "gov:430281", At(2024, 8, 20)));
        C(Road, new RectificationRejected(Road, "r1", "no approval yet", new DateOnly(2024, 9, 30), Office, At(2024, 8, 25)));
        C(Road, new EscalationRaised(Road, "e1", GovernanceLevel.Coordination, GovernanceLevel.Decision, "road design stalled", ["extend", "reassign"], "r1", Office, At(2024, 8, 26)));
        C(Road, new EscalationDecided(Road, "e1", "dec-2024-07", "extend the milestone", Decision, At(2024, 9, 10)));
        C(Road, new CommitmentRevised(Road, "rev-1", "decision dec-2024-07", "dec-2024-07", null,
            [new Milestone("m1", "design approved", MilestoneType.Approval, new DateOnly(2024, 10, 31))], Decision, At(2024, 9, 11)));
        C(Road, new CommitmentAssessed(Road, "as-road-1", "2024-Q3", Completion.Limited, DeliveryConfidence.AmberRed, RiskCategory.High, "design late", Office, At(2024, 9, 20)));

        // 2025: the 2024 evaluation cycle; Liling appeals and wins a revised total.
        var weights = new ScoreWeights(40, 20, 10, 15, 10, 5);
        list.Add((StreamKeys.Evaluation("2024"), new EvaluationCycleOpened("2024", "2024", new DateOnly(2024, 1, 1), new DateOnly(2024, 12, 31), "m-1", weights, Office, At(2025, 1, 5))));
        list.Add((StreamKeys.Evaluation("2024"), new ScorecardPublished("2024", Liuyang, [new ScoreComponent("indicatorAchievement", 40, 1m, 1, 1, 40m)], 91m, Band.Excellent, 1, 3, Office, At(2025, 1, 20))));
        list.Add((StreamKeys.Evaluation("2024"), new ScorecardPublished("2024", Liling, [new ScoreComponent("indicatorAchievement", 40, 0.5m, 1, 2, 20m)], 72.5m, Band.Pass, 2, 3, Office, At(2025, 1, 20))));
        list.Add((StreamKeys.Evaluation("2024"), new ScoreAppealed("2024", Liling, "ap-1", "the design delay was the province's", "gov:430281", At(2025, 1, 25))));
        list.Add((StreamKeys.Evaluation("2024"), new ScoreAppealDecided("2024", Liling, "ap-1", true, 76m, "partly upheld", Office, At(2025, 2, 5))));
        return list;
    }

    /// <summary>Every event in a transaction of its own.</summary>
    public static IEnumerable<IReadOnlyList<(string, object)>> OneByOne(IReadOnlyList<(string, object)> events) => events.Select(e => (IReadOnlyList<(string, object)>)[e]);

    /// <summary>The same events in order, cut into groups of random sizes (1–8) by a seeded generator.</summary>
    public static List<IReadOnlyList<(string, object)>> Grouped(IReadOnlyList<(string, object)> events, int seed)
    {
        var random = new Random(seed);
        var groups = new List<IReadOnlyList<(string, object)>>();
        for (var i = 0; i < events.Count;)
        {
            var size = Math.Min(random.Next(1, 9), events.Count - i);
            groups.Add([.. events.Skip(i).Take(size)]);
            i += size;
        }
        return groups;
    }
}
