using Microsoft.Extensions.Configuration;

namespace Ledger.Infrastructure.Clock;

/// <summary>
/// Section <c>Clock</c>: whether this node takes part in electing the deadline clock (<c>Enabled</c>,
/// default true), how often it looks (<c>Interval</c>, default one minute; a node that is not leader
/// tries for the lock as often), how far ahead a due date is noticed as approaching (<c>LeadTime</c>,
/// default 30 days) and how long after a period closes its report may arrive (<c>ReportGrace</c>,
/// default 30 days). TimeSpans as <c>d.hh:mm:ss</c>; lead time and grace in whole days.
/// </summary>
public sealed record ClockSettings(bool Enabled, TimeSpan Interval, TimeSpan LeadTime, TimeSpan ReportGrace)
{
    public const string Section = "Clock";

    public static ClockSettings Default { get; } = new(true, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30), TimeSpan.FromDays(30));

    public static ClockSettings From(IConfiguration configuration)
    {
        var rawEnabled = configuration[$"{Section}:Enabled"];
        var enabled = string.IsNullOrWhiteSpace(rawEnabled)
            ? Default.Enabled
            : bool.TryParse(rawEnabled, out var on) ? on : throw new InvalidOperationException($"{Section}:Enabled is not true or false: '{rawEnabled}'.");
        var interval = Read(configuration, "Interval", Default.Interval);
        var lead = Read(configuration, "LeadTime", Default.LeadTime);
        var grace = Read(configuration, "ReportGrace", Default.ReportGrace);
        if (interval <= TimeSpan.Zero)
            throw new InvalidOperationException($"{Section}:Interval must be positive.");
        WholeDays(lead, "LeadTime");
        WholeDays(grace, "ReportGrace");
        return new ClockSettings(enabled, interval, lead, grace);
    }

    private static void WholeDays(TimeSpan value, string name)
    {
        // Due dates are dates: a lead time of 36 hours would mean a different thing at each hour of the day.
        if (value < TimeSpan.Zero || value.Ticks % TimeSpan.TicksPerDay != 0)
            throw new InvalidOperationException($"{Section}:{name} must be a whole number of days, zero or more (e.g. 30.00:00:00).");
    }

    private static TimeSpan Read(IConfiguration configuration, string name, TimeSpan fallback) =>
        SettingsParser.TimeSpanOr(configuration, $"{Section}:{name}", fallback);
}
