using Ledger.Contracts;
using Ledger.Domain.Clock;
using Ledger.Domain.Commitments;
using static Ledger.Domain.Tests.Clock.ClockFixtures;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Clock;

public class DeadlineNoticeTests
{
    [Fact]
    public void A_milestone_thirty_days_away_is_approaching()
    {
        var now = ZoneMorning(2024, 3, 1);
        Ticking(now, C1Active)
            .Then(Approaching(DueKind.Milestone, PatrolPlan, PatrolPlanDue, 30, now))
            .AndState(s => Assert.Contains(ClockNotice.Approaching(DueKind.Milestone, PatrolPlan, PatrolPlanDue), s.ClockNotices));
    }

    [Fact]
    public void A_milestone_thirty_one_days_away_is_not_yet_approaching() =>
        Ticking(ZoneMorning(2024, 2, 29), C1Active).Then();

    [Fact]
    public void On_its_due_day_a_milestone_is_approaching_with_no_days_left()
    {
        var now = ZoneMorning(2024, 3, 31);
        Ticking(now, C1Active).Then(Approaching(DueKind.Milestone, PatrolPlan, PatrolPlanDue, 0, now));
    }

    [Fact]
    public void The_day_after_its_due_date_an_unmet_milestone_is_overdue()
    {
        var noticed = Approaching(DueKind.Milestone, PatrolPlan, PatrolPlanDue, 30, ZoneMorning(2024, 3, 1));
        var now = ZoneMorning(2024, 4, 1);
        Ticking(now, [.. C1Active, noticed])
            .Then(Overdue(DueKind.Milestone, PatrolPlan, PatrolPlanDue, now))
            .AndState(s => Assert.Contains(ClockNotice.Overdue(DueKind.Milestone, PatrolPlan, PatrolPlanDue), s.ClockNotices));
    }

    [Fact]
    public void After_a_long_outage_a_passed_date_is_only_overdue_never_also_approaching()
    {
        var now = ZoneMorning(2024, 4, 15);
        Ticking(now, C1Active).Then(Overdue(DueKind.Milestone, PatrolPlan, PatrolPlanDue, now));
    }

    [Fact]
    public void A_met_milestone_is_neither_approaching_nor_overdue()
    {
        Ticking(ZoneMorning(2024, 3, 25), [.. C1Active, MilestoneMet(PatrolPlan)]).Then();
        Ticking(ZoneMorning(2024, 4, 2), [.. C1Active, MilestoneMet(PatrolPlan)]).Then();
    }

    [Theory]
    [InlineData(MilestoneStatus.PartiallyMet)]
    [InlineData(MilestoneStatus.NotMet)]
    public void A_milestone_only_partly_met_or_judged_not_met_is_overdue_after_its_due_date(MilestoneStatus status)
    {
        var now = ZoneMorning(2024, 4, 2);
        Ticking(now, [.. C1Active, new MilestoneStatusChanged(C1, PatrolPlan, status, null, JointOffice.Id, Earlier)])
            .Then(Overdue(DueKind.Milestone, PatrolPlan, PatrolPlanDue, now));
    }

    [Fact]
    public void A_milestone_whose_claim_awaits_verification_is_not_called_overdue_until_the_claim_is_rejected()
    {
        object[] claimed = [.. C1Active, Evidence("ev-plan"), Claimed("claim-plan", ClaimScope.Milestone, PatrolPlan, "ev-plan")];
        Ticking(ZoneMorning(2024, 4, 2), claimed).Then();

        var now = ZoneMorning(2024, 4, 20);
        Ticking(now, [.. claimed, Verification("claim-plan", Verdict.Rejected)])
            .Then(Overdue(DueKind.Milestone, PatrolPlan, PatrolPlanDue, now));
    }

    [Fact]
    public void The_deadline_is_approaching_within_the_lead_time()
    {
        var now = ZoneMorning(2025, 12, 1);
        Ticking(now, OnlyTheDeadlineOpen).Then(Approaching(DueKind.Deadline, null, Deadline, 30, now));
    }

    [Fact]
    public void The_deadline_passed_without_fulfilment_is_overdue()
    {
        var now = ZoneMorning(2026, 1, 1);
        Ticking(now, [.. OnlyTheDeadlineOpen, Approaching(DueKind.Deadline, null, Deadline, 30, ZoneMorning(2025, 12, 1))])
            .Then(Overdue(DueKind.Deadline, null, Deadline, now));
    }

    [Fact]
    public void A_configured_lead_time_moves_the_first_notice()
    {
        var week = TimeSpan.FromDays(7);
        Ticking(new ClockTick(ZoneMorning(2024, 3, 23), week, TimeSpan.FromDays(30)), C1Active).Then();
        var now = ZoneMorning(2024, 3, 24);
        Ticking(new ClockTick(now, week, TimeSpan.FromDays(30)), C1Active)
            .Then(Approaching(DueKind.Milestone, PatrolPlan, PatrolPlanDue, 7, now));
    }

    [Fact]
    public void A_lead_time_that_is_not_whole_days_is_refused()
    {
        var tick = new ClockTick(ZoneMorning(2024, 3, 1), TimeSpan.FromHours(36), TimeSpan.FromDays(30));
        var state = C1Active.Aggregate((CommitmentState?)null, CommitmentState.Evolve);

        Assert.Throws<ArgumentOutOfRangeException>(() => ClockDecider.Decide(state, tick));
    }

    [Fact]
    public void Every_notice_due_at_once_comes_deadline_first_then_milestones_by_due_date_then_reports()
    {
        var now = ZoneMorning(2026, 6, 1);
        Ticking(now, C1Active).Then(
            Overdue(DueKind.Deadline, null, Deadline, now),
            Overdue(DueKind.Milestone, PatrolPlan, PatrolPlanDue, now),
            Overdue(DueKind.Milestone, Station, StationDue, now),
            Missing(MonthsIndicator, "2024", new DateOnly(2024, 12, 31), new DateOnly(2025, 1, 30), now),
            Missing(MonthsIndicator, "2025", new DateOnly(2025, 12, 31), new DateOnly(2026, 1, 30), now));
    }

    [Fact]
    public void Milestones_due_on_the_same_day_are_noticed_in_id_order()
    {
        var sameDay = new Milestone("a-joint-drill", "Joint pollution-incident drill", MilestoneType.Delivery, StationDue);
        var now = ZoneMorning(2024, 12, 20);
        Ticking(now, [.. C1Active, new MilestoneScheduled(C1, sameDay, LiuyangGov.Id, RegisteredAt), MilestoneMet(PatrolPlan)])
            .Then(
                Approaching(DueKind.Milestone, "a-joint-drill", StationDue, 11, now),
                Approaching(DueKind.Milestone, Station, StationDue, 11, now));
    }
}
