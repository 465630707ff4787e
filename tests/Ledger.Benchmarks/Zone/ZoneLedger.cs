using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ledger.Contracts;

namespace Ledger.Benchmarks.Zone;

/// <summary>One generated event: its stream, the contract record, when it happened and who appended it.</summary>
public sealed record ZoneEvent(string Stream, object Data, DateTimeOffset At, string Actor, string Role, string? Government);

/// <summary>
/// The pilot zone's shape, scaled: the twelve scenario counties plus synthetic ones on both sides of
/// the border, agreements of three parties in the five task areas, about twenty commitments each, and
/// five years (2021–2025) of what the scenario shows happening to them, month by month and interleaved
/// across streams as live traffic is: monthly progress reports (some late, with the clock's
/// ReportMissing first, some corrected), evidence and quarterly assessments, deadline notices,
/// milestones met or overdue, rectification orders answered, rejected, escalated to the decision level
/// and closed with a revised commitment, suspensions, withdrawals, fulfilment claims verified or
/// rejected, and each year's evaluation cycle with a scorecard for every government and a few appeals.
/// Plus one monitoring-feed commitment of exactly <see cref="FeedEvents"/> events for the replay case.
/// Deterministic: the same size gives the same events.
/// </summary>
public sealed class ZoneLedger
{
    public const string FeedCommitment = "xgb-b0000-monitoring-feed";
    public const int FeedEvents = 10_000;
    public const int Months = 60;

    private const string Supervisor = "supervisor:joint-office";
    private const string Decision = "decision:promotion-conference";
    private const string Clock = "system";
    private const string Admin = "admin:registry";
    private static readonly TimeSpan Zone = TimeSpan.FromHours(8);
    private static readonly DateTimeOffset Origin = new(2021, 1, 1, 0, 0, 0, Zone);

    private static readonly (string Id, string Zh, string En, Province Province, string Prefecture, GovernmentLevel Level)[] Real =
    [
        ("430181", "浏阳市", "Liuyang", Province.Hunan, "长沙市", GovernmentLevel.CountyLevelCity),
        ("360313", "湘东区", "Xiangdong", Province.Jiangxi, "萍乡市", GovernmentLevel.District),
        ("430281", "醴陵市", "Liling", Province.Hunan, "株洲市", GovernmentLevel.CountyLevelCity),
        ("360322", "上栗县", "Shangli", Province.Jiangxi, "萍乡市", GovernmentLevel.County),
        ("430224", "茶陵县", "Chaling", Province.Hunan, "株洲市", GovernmentLevel.County),
        ("360881", "井冈山市", "Jinggangshan", Province.Jiangxi, "吉安市", GovernmentLevel.CountyLevelCity),
        ("430225", "炎陵县", "Yanling", Province.Hunan, "株洲市", GovernmentLevel.County),
        ("360830", "永新县", "Yongxin", Province.Jiangxi, "吉安市", GovernmentLevel.County),
        ("430626", "平江县", "Pingjiang", Province.Hunan, "岳阳市", GovernmentLevel.County),
        ("360424", "修水县", "Xiushui", Province.Jiangxi, "九江市", GovernmentLevel.County),
        ("431027", "桂东县", "Guidong", Province.Hunan, "郴州市", GovernmentLevel.County),
        ("360827", "遂川县", "Suichuan", Province.Jiangxi, "吉安市", GovernmentLevel.County),
    ];

    private static readonly string[] HunanPrefectures = ["长沙市", "株洲市", "岳阳市", "郴州市"];
    private static readonly string[] JiangxiPrefectures = ["萍乡市", "吉安市", "九江市", "宜春市"];

    private readonly Gov[] _governments;
    private readonly Agr[] _agreements;
    private readonly Com[] _commitments;

    private sealed record Gov(string Id, string Zh, string En, Province Province, string Prefecture, GovernmentLevel Level);

    private sealed record Agr(string Id, string Title, TaskArea Area, Gov[] Parties);

    private sealed record Com(int Index, string Id, Agr Agreement, Gov Lead, Gov Contributor, ResultType Result, int M1, int M2, int DeadlineMonth);

    public ZoneLedger(int commitments)
    {
        var agreements = Math.Max(5, (commitments + 19) / 20);
        var governments = Math.Clamp(commitments / 40, 24, 400);
        _governments = [.. Enumerable.Range(0, governments).Select(Government)];
        _agreements = [.. Enumerable.Range(0, agreements).Select(a =>
        {
            var area = (TaskArea)(a % 5);
            Gov[] parties = [_governments[a * 3 % governments], _governments[(a * 3 + 1) % governments], _governments[(a * 3 + 2) % governments]];
            return new Agr($"xgb-b{a:D4}", $"{area} cooperation agreement {a + 1}", area, parties);
        })];
        _commitments = [.. Enumerable.Range(0, commitments).Select(c =>
        {
            var agreement = _agreements[c % agreements];
            var j = c / agreements;
            return new Com(c, $"{agreement.Id}-c{j:D3}", agreement, agreement.Parties[j % 3], agreement.Parties[(j + 1) % 3],
                (ResultType)(c % 3), 12 + c % 12, 36 + c % 12, 48 + c % 12);
        })];
    }

    public int Governments => _governments.Length;
    public int Agreements => _agreements.Length;
    public int Commitments => _commitments.Length;

    /// <summary>A ledger of about <paramref name="events"/> events: the number of commitments calibrated on a sample.</summary>
    public static ZoneLedger OfAbout(int events)
    {
        var sample = new ZoneLedger(400);
        var sampleEvents = sample.Events().LongCount() - FeedEvents;
        var perCommitment = sampleEvents / 400.0;
        return new ZoneLedger(Math.Max(40, (int)((events - FeedEvents) / perCommitment)));
    }

    public IReadOnlyList<string> AgreementIds => [.. _agreements.Select(a => a.Id)];

    public IReadOnlyList<string> CommitmentIds => [.. _commitments.Select(c => c.Id)];

    public static IReadOnlyList<string> Cycles => [.. Enumerable.Range(2021, 5).Select(CycleId)];

    public static string CycleId(int year) => $"eval-{year}";

    public IEnumerable<ZoneEvent> Events()
    {
        // December 2020: the registry, the agreements and the commitments.
        var setup = Origin.AddDays(-31);
        var tick = 0;
        DateTimeOffset Next(DateTimeOffset from) => from.AddSeconds(++tick);
        foreach (var g in _governments)
        {
            var at = Next(setup);
            yield return Ev(StreamKeys.Government(g.Id), new GovernmentRegistered(g.Id, g.Zh, g.En, g.Province, g.Prefecture, g.Level, Admin, Utc(at)), at, Admin, "admin", null);
        }
        var signing = setup.AddDays(2);
        foreach (var a in _agreements)
        {
            var key = StreamKeys.Agreement(a.Id);
            var at = Next(signing);
            yield return Ev(key, new AgreementDrafted(a.Id, a.Title, a.Area, [.. a.Parties.Select((p, i) => new AgreementParty(p.Id, i == 0 ? PartyRole.Lead : PartyRole.Signatory))],
                new DateOnly(2021, 1, 1), new DateOnly(2025, 12, 31), ["湘赣边区域合作示范区建设总体方案"], Supervisor, Utc(at)), at, Supervisor, "supervisor", null);
            foreach (var p in a.Parties)
            {
                at = Next(signing);
                yield return Ev(key, new PartySigned(a.Id, p.Id, DateOnly.FromDateTime(at.Date), Gv(p), Utc(at)), at, Gv(p), "government", p.Id);
            }
            at = Next(signing);
            yield return Ev(key, new AgreementActivated(a.Id, Supervisor, Utc(at)), at, Supervisor, "supervisor", null);
        }
        var registering = setup.AddDays(20);
        foreach (var c in _commitments.Prepend(null))
        {
            var id = c?.Id ?? FeedCommitment;
            var lead = c?.Lead ?? _agreements[0].Parties[0];
            var contributor = c?.Contributor ?? _agreements[0].Parties[1];
            var key = StreamKeys.Commitment(id);
            var at = Next(registering);
            var deadline = c is null ? new DateOnly(2025, 12, 31) : EndOf(c.DeadlineMonth);
            yield return Ev(key, new CommitmentRegistered(id, c?.Agreement.Id ?? _agreements[0].Id, lead.Id, "发展和改革局", c?.Result ?? ResultType.Outcome,
                c is null ? "Jinyushi section monitoring feed" : $"Commitment {c.Index + 1} under {c.Agreement.Id}",
                "Illustrative commitment generated for the benchmark at the pilot zone's shape.", deadline, Gv(lead), Utc(at)), at, Gv(lead), "government", lead.Id);
            foreach (var (indicator, measure, unit) in new[] { ("i1", Measure.Count, "items"), ("i2", Measure.Percent, "%") })
            {
                at = Next(registering);
                yield return Ev(key, new IndicatorDefined(id, new Indicator(indicator, indicator == "i1" ? "Delivered items" : "Coverage", measure, unit, Direction.Ascending,
                    Aggregation.Cumulative, new Baseline(0, new DateOnly(2020, 12, 31), "county statistics bureau"),
                    [new PeriodTarget("2025", new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31), 100)]), Gv(lead), Utc(at)), at, Gv(lead), "government", lead.Id);
            }
            foreach (var (milestone, month) in new[] { ("m1", c?.M1 ?? 18), ("m2", c?.M2 ?? 42) })
            {
                at = Next(registering);
                yield return Ev(key, new MilestoneScheduled(id, new Milestone(milestone, milestone == "m1" ? "Approval obtained" : "Delivery complete",
                    milestone == "m1" ? MilestoneType.Approval : MilestoneType.Delivery, EndOf(month)), Gv(lead), Utc(at)), at, Gv(lead), "government", lead.Id);
            }
            at = Next(registering);
            yield return Ev(key, new ContributorAssigned(id, contributor.Id, 30, Gv(lead), Utc(at)), at, Gv(lead), "government", lead.Id);
            at = Next(registering);
            yield return Ev(key, new CommitmentActivated(id, Supervisor, Utc(at)), at, Supervisor, "supervisor", null);
        }

        var feedVersion = 7;
        var withdrawn = new HashSet<int>();
        for (var m = 0; m < Months; m++)
        {
            var monthStart = Origin.AddMonths(m);
            var slot = TimeSpan.FromDays(25) / (_commitments.Length + 1);
            var feedAt = monthStart.AddHours(12);
            for (var r = 0; r < 167 && feedVersion < FeedEvents; r++, feedVersion++)
            {
                feedAt = feedAt.AddMinutes(1);
                var lead = _agreements[0].Parties[0];
                yield return Ev(StreamKeys.Commitment(FeedCommitment), new ProgressReported(FeedCommitment, $"feed-{feedVersion:D5}", Month(m), DateOnly.FromDateTime(feedAt.Date),
                    [new IndicatorValue("i2", 60 + feedVersion % 40, feedVersion % 3 == 0 ? "Class II" : "Class III")],
                    $"金鱼石断面自动监测 reading {feedVersion}: Class {(feedVersion % 5 == 0 ? "III" : "II")}.", Gv(lead), Utc(feedAt)), feedAt, Gv(lead), "government", lead.Id);
            }
            foreach (var c in _commitments)
            {
                if (withdrawn.Contains(c.Index)) continue;
                var at = monthStart.AddDays(1) + slot * (c.Index + 1);
                foreach (var e in Month(c, m, at, withdrawn)) yield return e;
            }
            if (m % 12 == 11)
            {
                foreach (var e in Evaluation(2021 + m / 12, monthStart.AddDays(27))) yield return e;
            }
        }
    }

    private IEnumerable<ZoneEvent> Month(Com c, int m, DateTimeOffset at, HashSet<int> withdrawn)
    {
        var key = StreamKeys.Commitment(c.Id);
        var lead = c.Lead;
        var tick = 0;
        ZoneEvent Gov(object data) => Ev(key, data, at.AddSeconds(tick), Gv(lead), "government", lead.Id);
        ZoneEvent Sup(object data) => Ev(key, data, at.AddSeconds(tick), Supervisor, "supervisor", null);
        ZoneEvent Dec(object data) => Ev(key, data, at.AddSeconds(tick), Decision, "decision", null);
        ZoneEvent Sys(object data) => Ev(key, data, at.AddSeconds(tick), Clock, "system", null);
        DateTimeOffset Now() => Utc(at.AddSeconds(++tick));

        // Monthly report for the month before; one in 23 arrives a month late, after the clock's notice.
        if (m > 0)
        {
            var late = (c.Index * 7 + m) % 23 == 0;
            if (late)
                yield return Sys(new ReportMissing(c.Id, "i1", Month(m - 1), EndOf(m - 1), EndOf(m - 1).AddDays(10), Clock, Now()));
            else
            {
                if (m > 1 && (c.Index * 7 + m - 1) % 23 == 0)
                    yield return Gov(Report(c, m - 2, Now()));
                yield return Gov(Report(c, m - 1, Now()));
            }
        }
        if ((c.Index + m) % 41 == 0 && m > 1)
            yield return Gov(new ProgressCorrected(c.Id, $"cor-{m:D2}", $"rep-{Month(m - 2)}", [new IndicatorValue("i1", m)], "Figure transposed in the county's return.", Gv(lead), Now()));
        if (m % 3 == 2)
        {
            var evidence = $"ev-{Month(m)}";
            yield return Gov(new EvidenceAttached(c.Id, evidence, (DocumentType)((c.Index + m) % 6), $"Quarterly file {Month(m)}",
                Sha(c.Id + evidence), $"s3://zone-evidence/{c.Id}/{evidence}.pdf", lead.Zh + "人民政府", EndOf(m).AddDays(-3), Confidentiality.Internal, null, null, Gv(lead), Now()));
            var done = m * 4 / Months;
            var confidence = (DeliveryConfidence)((c.Index * 3 + m) % 11 switch { < 5 => 0, < 8 => 1, 8 => 2, 9 => 3, _ => 4 });
            yield return Sup(new CommitmentAssessed(c.Id, $"as-{Month(m)}", Quarter(m), (Completion)Math.Min(done, 3), confidence, (RiskCategory)((c.Index + m) % 4),
                "Quarterly review by the joint office.", Supervisor, Now()));
        }

        // Milestone m1 (2022): most met on time; three in ten slip, are noticed and ordered rectified.
        if (m == c.M1 - 1) yield return Sys(new DeadlineApproaching(c.Id, DueKind.Milestone, "m1", EndOf(c.M1), 30, Clock, Now()));
        var slip = c.Index % 10;
        if (m == c.M1 && slip > 2)
            yield return Gov(new MilestoneStatusChanged(c.Id, "m1", MilestoneStatus.Met, EndOf(c.M1).AddDays(-5), Gv(lead), Now()));
        if (slip <= 2)
        {
            var rect = "rect-m1";
            if (m == c.M1 + 1) yield return Sys(new CommitmentOverdue(c.Id, DueKind.Milestone, "m1", EndOf(c.M1), Clock, Now()));
            if (m == c.M1 + 2)
                yield return Sup(new RectificationOrdered(c.Id, rect, lead.Id, "Approval not obtained by the due date.", ["Submit the approval file", "Report weekly"], EndOf(c.M1 + 4), Supervisor, Now()));
            if (m == c.M1 + 3)
                yield return Gov(new RectificationResponded(c.Id, rect, "Approval file submitted to the province.", [], Gv(lead), Now()));
            if (slip == 0)
            {
                if (m == c.M1 + 4)
                {
                    yield return Sup(new RectificationRejected(c.Id, rect, "The file is incomplete.", EndOf(c.M1 + 6), Supervisor, Now()));
                    yield return Sup(new EscalationRaised(c.Id, "esc-m1", GovernanceLevel.Coordination, GovernanceLevel.Decision, "Approval stalled", ["Extend", "Reassign"], rect, Supervisor, Now()));
                }
                if (m == c.M1 + 5)
                {
                    yield return Dec(new EscalationDecided(c.Id, "esc-m1", $"xgb-dec-{c.Index}", "Extend by three months.", Decision, Now()));
                    yield return Dec(new CommitmentRevised(c.Id, "rev-m1", "Extended by the promotion conference.", $"xgb-dec-{c.Index}", null,
                        [new Milestone("m1", "Approval obtained", MilestoneType.Approval, EndOf(c.M1 + 8))], Decision, Now()));
                    yield return Gov(new RectificationResponded(c.Id, rect, "Complete file submitted.", [], Gv(lead), Now()));
                }
                if (m == c.M1 + 6) yield return Sup(new RectificationAccepted(c.Id, rect, "Complete.", Supervisor, Now()));
                if (m == c.M1 + 8) yield return Gov(new MilestoneStatusChanged(c.Id, "m1", MilestoneStatus.Met, EndOf(c.M1 + 8).AddDays(-2), Gv(lead), Now()));
            }
            if (slip == 1 && m == c.M1 + 4) yield return Sup(new RectificationAccepted(c.Id, rect, "Plan accepted; the milestone stays open.", Supervisor, Now()));
            if (slip == 2 && m == c.M1 + 5) yield return Gov(new MilestoneStatusChanged(c.Id, "m1", MilestoneStatus.Met, EndOf(c.M1 + 5).AddDays(-1), Gv(lead), Now()));
        }

        // Milestone m2 (2024): one in seven stays overdue.
        if (m == c.M2 - 1) yield return Sys(new DeadlineApproaching(c.Id, DueKind.Milestone, "m2", EndOf(c.M2), 30, Clock, Now()));
        if (m == c.M2 && c.Index % 7 != 0)
            yield return Gov(new MilestoneStatusChanged(c.Id, "m2", MilestoneStatus.Met, EndOf(c.M2).AddDays(-1), Gv(lead), Now()));
        if (m == c.M2 + 1 && c.Index % 7 == 0)
            yield return Sys(new CommitmentOverdue(c.Id, DueKind.Milestone, "m2", EndOf(c.M2), Clock, Now()));

        if (c.Index % 50 == 7 && m == 30) yield return Sup(new CommitmentSuspended(c.Id, "Flood season works.", Supervisor, Now()));
        if (c.Index % 50 == 7 && m == 33) yield return Sup(new CommitmentResumed(c.Id, "Works resumed.", Supervisor, Now()));
        if (c.Index % 97 == 5 && m == 40)
        {
            yield return Dec(new CommitmentWithdrawn(c.Id, "Superseded by a provincial programme.", Decision, Now()));
            withdrawn.Add(c.Index);
            yield break;
        }

        // The deadline (2025): one in twenty is missed; one in three is claimed and verified, a few after a rejection.
        if (m == c.DeadlineMonth - 1) yield return Sys(new DeadlineApproaching(c.Id, DueKind.Deadline, null, EndOf(c.DeadlineMonth), 30, Clock, Now()));
        if (c.Index % 20 == 0 && m == c.DeadlineMonth + 1)
            yield return Sys(new CommitmentOverdue(c.Id, DueKind.Deadline, null, EndOf(c.DeadlineMonth), Clock, Now()));
        if (c.Index % 3 == 0 && c.Index % 20 != 0)
        {
            var rejectedFirst = c.Index % 9 == 0;
            if (m == c.DeadlineMonth)
                yield return Gov(new FulfilmentClaimed(c.Id, "claim-1", ClaimScope.Commitment, null, [$"ev-{Month(m - 1)}"], "All targets met.", Gv(lead), Now()));
            if (m == c.DeadlineMonth + 1)
                yield return Sup(new VerificationCompleted(c.Id, "claim-1", VerificationMethod.DocumentReview, rejectedFirst ? Verdict.Rejected : Verdict.Verified,
                    rejectedFirst ? "Evidence too thin." : "Confirmed.", Supervisor, Now()));
            if (rejectedFirst && m == c.DeadlineMonth + 2)
                yield return Gov(new FulfilmentClaimed(c.Id, "claim-2", ClaimScope.Commitment, null, [$"ev-{Month(m - 1)}"], "Inspection report attached.", Gv(lead), Now()));
            if (rejectedFirst && m == c.DeadlineMonth + 3)
                yield return Sup(new VerificationCompleted(c.Id, "claim-2", VerificationMethod.SiteInspection, Verdict.Verified, "Confirmed on site.", Supervisor, Now()));
        }
    }

    private IEnumerable<ZoneEvent> Evaluation(int year, DateTimeOffset at)
    {
        var cycle = CycleId(year);
        var key = StreamKeys.Evaluation(cycle);
        var tick = 0;
        DateTimeOffset Now() => at.AddSeconds(++tick);
        var opened = Now();
        yield return Ev(key, new EvaluationCycleOpened(cycle, year.ToString(CultureInfo.InvariantCulture), new DateOnly(year, 1, 1), new DateOnly(year, 12, 31), "2024.1",
            new ScoreWeights(40, 20, 10, 15, 10, 5), Supervisor, Utc(opened)), opened, Supervisor, "supervisor", null);
        var totals = _governments.Select((g, i) => (g, Total: 55m + (i * 37 + year * 11) % 45)).OrderByDescending(x => x.Total).ThenBy(x => x.g.Id, StringComparer.Ordinal).ToArray();
        for (var r = 0; r < totals.Length; r++)
        {
            var (g, total) = totals[r];
            var published = Now();
            yield return Ev(key, new ScorecardPublished(cycle, g.Id,
                [new ScoreComponent("indicatorAchievement", 40, total / 100, (int)total, 100, total * 0.4m), new ScoreComponent("milestonesOnTime", 20, 0.9m, 9, 10, 18)],
                total, total >= 90 ? Band.Excellent : total >= 75 ? Band.Good : total >= 60 ? Band.Pass : Band.Fail, r + 1, totals.Length, Supervisor, Utc(published)),
                published, Supervisor, "supervisor", null);
        }
        foreach (var (g, _) in totals.TakeLast(2))
        {
            var appealed = Now();
            yield return Ev(key, new ScoreAppealed(cycle, g.Id, "appeal-1", "Two reports were counted late by mistake.", Gv(g), Utc(appealed)), appealed, Gv(g), "government", g.Id);
        }
        var decided = Now();
        var last = totals[^1].g;
        yield return Ev(key, new ScoreAppealDecided(cycle, last.Id, "appeal-1", true, 61, "Upheld.", Decision, Utc(decided)), decided, Decision, "decision", null);
    }

    private static ProgressReported Report(Com c, int month, DateTimeOffset at) => new(
        c.Id, $"rep-{Month(month)}", Month(month), EndOf(month),
        [new IndicatorValue("i1", month + c.Index % 5), new IndicatorValue("i2", Math.Min(100, month * 5 / 3 + c.Index % 7))],
        $"{Month(month)}：{c.Lead.Zh}按计划推进 (on schedule), report {month + 1}.", Gv(c.Lead), at);

    private Gov Government(int i)
    {
        if (i < Real.Length)
        {
            var r = Real[i];
            return new Gov(r.Id, r.Zh, r.En, r.Province, r.Prefecture, r.Level);
        }
        var hunan = i % 2 == 0;
        var n = i - Real.Length + 1;
        var prefectures = hunan ? HunanPrefectures : JiangxiPrefectures;
        return new Gov($"{(hunan ? "43" : "36")}9{n:D3}", $"示范县{n:D3}", $"Synthetic county {n:D3}",
            hunan ? Province.Hunan : Province.Jiangxi, prefectures[n % prefectures.Length], GovernmentLevel.County);
    }

    private static ZoneEvent Ev(string stream, object data, DateTimeOffset at, string actor, string role, string? government) =>
        new(stream, data, Utc(at), actor, role, government);

    private static string Gv(Gov g) => "government:" + g.Id;

    private static DateTimeOffset Utc(DateTimeOffset t) => t.ToUniversalTime();

    private static DateOnly EndOf(int month)
    {
        var first = new DateOnly(2021, 1, 1).AddMonths(month);
        return first.AddMonths(1).AddDays(-1);
    }

    private static string Month(int month) => new DateOnly(2021, 1, 1).AddMonths(month).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private static string Quarter(int month) => $"{2021 + month / 12}-Q{month % 12 / 3 + 1}";

    private static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
