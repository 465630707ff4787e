using Ledger.Contracts;
using Ledger.Domain.Clock;
using Ledger.Domain.Commitments;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Clock;

/// <summary>
/// C1's dates as the clock sees them: the patrol plan is due 2024-03-31, the station 2024-12-31, the
/// deadline is 2025-12-31, and the months-at-Class-III indicator has periods 2024 and 2025.
/// </summary>
internal static class ClockFixtures
{
    public const string System = "system";
    public const string MonthsIndicator = "months-class-iii";
    public static readonly DateOnly PatrolPlanDue = new(2024, 3, 31);
    public static readonly DateOnly StationDue = new(2024, 12, 31);

    /// <summary>Ten in the morning in the zone (02:00 UTC) of the given date.</summary>
    public static DateTimeOffset ZoneMorning(int year, int month, int day) => new(year, month, day, 2, 0, 0, TimeSpan.Zero);

    public static Outcome<CommitmentState> Ticking(DateTimeOffset now, params object[] given) =>
        Ticking(ClockTick.At(now), given);

    public static Outcome<CommitmentState> Ticking(ClockTick tick, params object[] given) =>
        Spec.Given(given).When(state => ClockDecider.Decide(state, tick));

    public static DeadlineApproaching Approaching(DueKind kind, string? milestoneId, DateOnly due, int daysLeft, DateTimeOffset at) =>
        new(C1, kind, milestoneId, due, daysLeft, System, at);

    public static CommitmentOverdue Overdue(DueKind kind, string? milestoneId, DateOnly due, DateTimeOffset at) =>
        new(C1, kind, milestoneId, due, System, at);

    public static ReportMissing Missing(string indicatorId, string period, DateOnly end, DateOnly dueOn, DateTimeOffset at) =>
        new(C1, indicatorId, period, end, dueOn, System, at);

    public static MilestoneStatusChanged MilestoneMet(string milestoneId) =>
        new(C1, milestoneId, MilestoneStatus.Met, new DateOnly(2024, 3, 20), JointOffice.Id, Earlier);

    public static ProgressReported ReportedFor(string period, string indicatorId = MonthsIndicator) =>
        new(C1, "report-" + period + "-" + indicatorId, period, new DateOnly(2025, 1, 10), [new IndicatorValue(indicatorId, 12m)],
            "Every month at Class III or better.", LiuyangGov.Id, Earlier);

    /// <summary>Everything on C1 met or reported, so that a test sees only the date it is about.</summary>
    public static object[] OnlyTheDeadlineOpen =>
        [.. C1Active, MilestoneMet(PatrolPlan), MilestoneMet(Station), ReportedFor("2024"), ReportedFor("2025")];

    public static CommitmentRevised Revised(string revisionId, DateOnly? newDeadline, params Milestone[] rescheduled) =>
        new(C1, revisionId, "Flood season delayed the works", "xgb-conf-2026-01", newDeadline, rescheduled, Conference.Id, ZoneMorning(2026, 2, 1));
}
