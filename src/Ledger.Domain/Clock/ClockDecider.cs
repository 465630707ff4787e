using Ledger.Contracts;
using Ledger.Domain.Commitments;

namespace Ledger.Domain.Clock;

/// <summary>
/// One look of the clock at a commitment: the instant it looks at, how far ahead a due date counts
/// as approaching, and how long after a period closes its report may still arrive. Both spans count
/// in whole days, since due dates are dates.
/// </summary>
public sealed record ClockTick(DateTimeOffset Now, TimeSpan LeadTime, TimeSpan ReportGrace)
{
    /// <summary>The defaults: 30 days' notice before a due date, 30 days to report a closed period.</summary>
    public static ClockTick At(DateTimeOffset now) => new(now, TimeSpan.FromDays(30), TimeSpan.FromDays(30));

    /// <summary>The zone date (UTC+8) of <see cref="Now"/>: the day the clock's rules are about.</summary>
    public DateOnly Today => Require.Today(Now);
}

/// <summary>
/// The deadline clock's decisions: what the ledger should say, as the system actor, about a
/// commitment's due dates at a given instant. Pure and idempotent: an occurrence already noticed
/// (its key is in <see cref="CommitmentState.ClockNotices"/>) is never noticed again, so running it
/// twice at the same instant, or at every tick, appends each notice once.
/// </summary>
public static class ClockDecider
{
    /// <summary>
    /// Rules, with "today" the zone date (UTC+8) of <see cref="ClockTick.Now"/>:
    /// <list type="bullet">
    /// <item>Only an Active commitment is watched. A Draft is not yet under supervision; a Suspended,
    /// Withdrawn or Fulfilled one owes nothing. A commitment whose fulfilment is claimed
    /// (FulfilmentClaimed) waits on the supervisor's verification, not on its government, so it is not
    /// called approaching, overdue or late in reporting while the claim is open; if the claim is
    /// rejected or withdrawn it is Active again and the next tick says what is true then. For the same
    /// reason a milestone with an open claim gets no notices while that claim is open.</item>
    /// <item>DeadlineApproaching for the deadline and each milestone not yet met whose due date is at
    /// most the lead time away and not yet past (DaysLeft = due − today, 0 on the day itself).</item>
    /// <item>CommitmentOverdue for the deadline once today is after it, and for a milestone once today is
    /// after its due date and it is not met.</item>
    /// <item>ReportMissing for each indicator period whose end plus the grace is before today and for
    /// which no report gave that indicator a value (qualitative indicators too).</item>
    /// </list>
    /// A due date is in the occurrence key, so a revision that moves a date is noticed again. Approaching
    /// and overdue exclude each other by date, so a tick after a long outage says only what is true now:
    /// a date already passed is overdue, never also approaching. Order: the deadline, then milestones by
    /// due date and id, then missing reports by due date, indicator and period.
    /// </summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, ClockTick tick)
    {
        ArgumentNullException.ThrowIfNull(tick);
        if (state is not { Status: CommitmentStatus.Active }) return [];

        var today = tick.Today;
        var leadDays = WholeDays(tick.LeadTime, nameof(tick.LeadTime));
        var graceDays = WholeDays(tick.ReportGrace, nameof(tick.ReportGrace));
        var by = Actor.System.Id;
        var events = new List<object>();

        void Due(DueKind kind, string? milestoneId, DateOnly due)
        {
            if (today > due)
            {
                if (!state.ClockNotices.Contains(ClockNotice.Overdue(kind, milestoneId, due)))
                    events.Add(new CommitmentOverdue(state.CommitmentId, kind, milestoneId, due, by, tick.Now));
            }
            else if (due.DayNumber - today.DayNumber <= leadDays
                     && !state.ClockNotices.Contains(ClockNotice.Approaching(kind, milestoneId, due)))
            {
                events.Add(new DeadlineApproaching(state.CommitmentId, kind, milestoneId, due, due.DayNumber - today.DayNumber, by, tick.Now));
            }
        }

        Due(DueKind.Deadline, null, state.Deadline);

        var claimed = state.OpenClaims.Values.Where(c => c.Scope == ClaimScope.Milestone).Select(c => c.Subject).ToHashSet(StringComparer.Ordinal);
        var milestones = state.MilestoneDefinitions.Values
            .Where(m => state.Lifecycle.MilestoneStatus(m.MilestoneId) != MilestoneStatus.Met && !claimed.Contains(m.MilestoneId))
            .OrderBy(m => m.Due).ThenBy(m => m.MilestoneId, StringComparer.Ordinal);
        foreach (var m in milestones)
            Due(DueKind.Milestone, m.MilestoneId, m.Due);

        var missing = state.Indicators.Values
            .SelectMany(i => (i.Periods ?? []).Select(p => (Indicator: i.IndicatorId, Period: p, DueOn: p.End.AddDays(graceDays))))
            .Where(x => x.DueOn < today
                        && !state.ReportedPeriods.Contains(x.Indicator + "|" + x.Period.Period)
                        && !state.ClockNotices.Contains(ClockNotice.Missing(x.Indicator, x.Period.Period)))
            .DistinctBy(x => (x.Indicator, x.Period.Period))
            .OrderBy(x => x.DueOn).ThenBy(x => x.Indicator, StringComparer.Ordinal).ThenBy(x => x.Period.Period, StringComparer.Ordinal);
        foreach (var (indicator, period, dueOn) in missing)
            events.Add(new ReportMissing(state.CommitmentId, indicator, period.Period, period.End, dueOn, by, tick.Now));

        return events;
    }

    private static int WholeDays(TimeSpan span, string name) =>
        span >= TimeSpan.Zero && span.Ticks % TimeSpan.TicksPerDay == 0
            ? (int)span.TotalDays
            : throw new ArgumentOutOfRangeException(name, span, "The clock counts in whole days, zero or more.");
}
