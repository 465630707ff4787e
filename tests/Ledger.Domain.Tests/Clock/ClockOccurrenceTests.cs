using Ledger.Contracts;
using Ledger.Domain.Clock;
using Ledger.Domain.Commitments;
using static Ledger.Domain.Tests.Clock.ClockFixtures;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Clock;

/// <summary>Each occurrence is noticed once; which commitments the clock watches; where the zone's day begins.</summary>
public class ClockOccurrenceTests
{
    [Theory]
    [InlineData(CommitmentStatus.Draft)]
    [InlineData(CommitmentStatus.Suspended)]
    [InlineData(CommitmentStatus.Withdrawn)]
    [InlineData(CommitmentStatus.Fulfilled)]
    [InlineData(CommitmentStatus.FulfilmentClaimed)]
    public void Only_an_active_commitment_is_watched(CommitmentStatus status) =>
        Ticking(ZoneMorning(2026, 6, 1), C1In(status)).Then();

    [Fact]
    public void Nothing_is_noticed_about_a_commitment_that_does_not_exist() =>
        Ticking(ZoneMorning(2026, 6, 1)).Then();

    [Fact]
    public void A_rejected_whole_commitment_claim_makes_the_commitment_watched_again()
    {
        var now = ZoneMorning(2026, 1, 5);
        Ticking(now, [.. OnlyTheDeadlineOpen, .. C1In(CommitmentStatus.FulfilmentClaimed).Skip(C1Active.Length), Verification(WholeClaim, Verdict.Rejected)])
            .Then(Overdue(DueKind.Deadline, null, Deadline, now));
    }

    [Fact]
    public void A_resumed_commitment_is_watched_again()
    {
        var now = ZoneMorning(2024, 4, 2);
        Ticking(now, [.. C1In(CommitmentStatus.Suspended), new CommitmentResumed(C1, "Flood emergency over", JointOffice.Id, Earlier)])
            .Then(Overdue(DueKind.Milestone, PatrolPlan, PatrolPlanDue, now));
    }

    [Fact]
    public void Deciding_again_after_the_notices_are_appended_notices_nothing_at_the_same_or_a_later_instant()
    {
        var first = ZoneMorning(2026, 6, 1);
        var state = C1Active.Aggregate((CommitmentState?)null, CommitmentState.Evolve);
        var noticed = ClockDecider.Decide(state, ClockTick.At(first));
        Assert.Equal(5, noticed.Count);
        var after = noticed.Aggregate(state, CommitmentState.Evolve);

        Assert.Empty(ClockDecider.Decide(after, ClockTick.At(first)));
        Assert.Empty(ClockDecider.Decide(after, ClockTick.At(first.AddDays(400))));
    }

    [Fact]
    public void An_approaching_date_is_noticed_once_though_the_days_left_change()
    {
        var noticed = Approaching(DueKind.Milestone, PatrolPlan, PatrolPlanDue, 30, ZoneMorning(2024, 3, 1));
        Ticking(ZoneMorning(2024, 3, 15), [.. C1Active, noticed]).Then();
    }

    [Fact]
    public void A_revised_deadline_is_a_new_occurrence_approaching_and_then_overdue()
    {
        var newDeadline = new DateOnly(2026, 6, 30);
        object[] revised =
        [
            .. OnlyTheDeadlineOpen,
            Overdue(DueKind.Deadline, null, Deadline, ZoneMorning(2026, 1, 1)),
            Revised("rev-2026-01", newDeadline),
        ];

        Ticking(ZoneMorning(2026, 5, 30), revised).Then();
        var approaching = ZoneMorning(2026, 6, 1);
        Ticking(approaching, revised).Then(Approaching(DueKind.Deadline, null, newDeadline, 29, approaching));
        var overdue = ZoneMorning(2026, 7, 1);
        Ticking(overdue, [.. revised, Approaching(DueKind.Deadline, null, newDeadline, 29, approaching)])
            .Then(Overdue(DueKind.Deadline, null, newDeadline, overdue));
    }

    [Fact]
    public void A_rescheduled_milestone_judged_not_met_is_noticed_again_under_its_new_date()
    {
        var newDue = new DateOnly(2026, 3, 31);
        object[] rescheduled =
        [
            .. OnlyTheDeadlineOpen.Where(e => e is not MilestoneStatusChanged { MilestoneId: Station }),
            Overdue(DueKind.Milestone, Station, StationDue, ZoneMorning(2025, 1, 1)),
            new MilestoneStatusChanged(C1, Station, MilestoneStatus.NotMet, null, JointOffice.Id, ZoneMorning(2025, 1, 5)),
            Overdue(DueKind.Deadline, null, Deadline, ZoneMorning(2026, 1, 1)),
            Revised("rev-2026-01", null, new Milestone(Station, "Automatic monitoring station at Jinyushi in service", MilestoneType.Delivery, newDue)),
        ];

        var now = ZoneMorning(2026, 4, 1);
        Ticking(now, rescheduled).Then(Overdue(DueKind.Milestone, Station, newDue, now));
    }

    [Fact]
    public void Half_past_four_in_the_afternoon_UTC_is_already_the_next_day_in_the_zone()
    {
        var stillJune = new DateTimeOffset(2024, 6, 30, 15, 59, 59, TimeSpan.Zero);
        var july = new DateTimeOffset(2024, 6, 30, 16, 30, 0, TimeSpan.Zero);
        var due = new DateOnly(2024, 6, 30);
        var milestone = new Milestone("mid-year-review", "Mid-year joint review", MilestoneType.Assessment, due);
        object[] given = [.. OnlyTheDeadlineOpen, new MilestoneScheduled(C1, milestone, LiuyangGov.Id, RegisteredAt)];

        Ticking(stillJune, given).Then(Approaching(DueKind.Milestone, "mid-year-review", due, 0, stillJune));
        Ticking(july, given).Then(Overdue(DueKind.Milestone, "mid-year-review", due, july));
    }

    [Fact]
    public void The_zone_day_decides_when_the_lead_time_begins()
    {
        var milestone = new Milestone("mid-year-review", "Mid-year joint review", MilestoneType.Assessment, new DateOnly(2024, 7, 31));
        object[] given = [.. OnlyTheDeadlineOpen, new MilestoneScheduled(C1, milestone, LiuyangGov.Id, RegisteredAt)];

        // 2024-06-30T16:30Z is 2024-07-01 in the zone: 30 days before the due date.
        var now = new DateTimeOffset(2024, 6, 30, 16, 30, 0, TimeSpan.Zero);
        Ticking(now.AddHours(-1), given).Then();
        Ticking(now, given).Then(Approaching(DueKind.Milestone, "mid-year-review", new DateOnly(2024, 7, 31), 30, now));
    }
}
