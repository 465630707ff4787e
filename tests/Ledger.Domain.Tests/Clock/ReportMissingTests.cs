using Ledger.Contracts;
using Ledger.Domain.Clock;
using Ledger.Domain.Commitments;
using static Ledger.Domain.Tests.Clock.ClockFixtures;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Clock;

public class ReportMissingTests
{
    private static readonly DateOnly End2024 = new(2024, 12, 31);
    private static readonly DateOnly Due2024 = new(2025, 1, 30);

    // Both milestones met, so that only reports are left to notice in early 2025.
    private static object[] MilestonesMet => [.. C1Active, MilestoneMet(PatrolPlan), MilestoneMet(Station)];

    [Fact]
    public void On_the_last_day_of_the_grace_period_the_report_is_not_yet_missing() =>
        Ticking(ZoneMorning(2025, 1, 30), MilestonesMet).Then();

    [Fact]
    public void The_day_after_the_grace_period_an_unreported_period_is_missing()
    {
        var now = ZoneMorning(2025, 1, 31);
        Ticking(now, MilestonesMet)
            .Then(Missing(MonthsIndicator, "2024", End2024, Due2024, now))
            .AndState(s => Assert.Contains(ClockNotice.Missing(MonthsIndicator, "2024"), s.ClockNotices));
    }

    [Fact]
    public void A_period_reported_in_time_is_not_missing() =>
        Ticking(ZoneMorning(2025, 3, 1), [.. MilestonesMet, ReportedFor("2024")]).Then();

    [Fact]
    public void A_report_that_gave_another_indicator_a_value_does_not_cover_the_period()
    {
        var now = ZoneMorning(2025, 3, 1);
        Ticking(now, [.. MilestonesMet, ReportedFor("2024", "auto-monitoring-coverage")])
            .Then(Missing(MonthsIndicator, "2024", End2024, Due2024, now));
    }

    [Fact]
    public void A_qualitative_indicator_owes_its_periodic_reports_too()
    {
        var narrative = new Indicator("river-chief-review", "Joint river-chief annual review", Measure.Qualitative, "narrative",
            Direction.Ascending, Aggregation.PerPeriod, null,
            [new PeriodTarget("2024", new DateOnly(2024, 1, 1), End2024)]);
        var now = ZoneMorning(2025, 3, 1);

        Ticking(now, [.. MilestonesMet, new IndicatorDefined(C1, narrative, LiuyangGov.Id, RegisteredAt), ReportedFor("2024")])
            .Then(Missing("river-chief-review", "2024", End2024, Due2024, now));
    }

    [Fact]
    public void A_configured_grace_period_sets_when_the_report_is_due()
    {
        var week = TimeSpan.FromDays(7);
        Ticking(new ClockTick(ZoneMorning(2025, 1, 7), TimeSpan.FromDays(30), week), MilestonesMet).Then();
        var now = ZoneMorning(2025, 1, 8);
        Ticking(new ClockTick(now, TimeSpan.FromDays(30), week), MilestonesMet)
            .Then(Missing(MonthsIndicator, "2024", End2024, new DateOnly(2025, 1, 7), now));
    }

    [Fact]
    public void A_report_arriving_after_the_notice_does_not_undo_it_and_nothing_more_is_noticed()
    {
        var noticed = Missing(MonthsIndicator, "2024", End2024, Due2024, ZoneMorning(2025, 1, 31));
        Ticking(ZoneMorning(2025, 3, 1), [.. MilestonesMet, noticed, ReportedFor("2024")])
            .Then()
            .AndState(s => Assert.Contains(ClockNotice.Missing(MonthsIndicator, "2024"), s.ClockNotices));
    }
}
