using Microsoft.Extensions.Options;

namespace Ledger.Infrastructure.Clock;

/// <summary>
/// Section <c>Clock</c>: whether this node takes part in electing the deadline clock (<c>Enabled</c>,
/// default true), how often it looks (<c>Interval</c>, default one minute; a node that is not leader
/// tries for the lock as often), how far ahead a due date is noticed as approaching (<c>LeadTime</c>,
/// default 30 days) and how long after a period closes its report may arrive (<c>ReportGrace</c>,
/// default 30 days). TimeSpans as <c>d.hh:mm:ss</c>; lead time and grace in whole days.
/// </summary>
public sealed class ClockSettings
{
    public const string Section = "Clock";

    public bool Enabled { get; set; } = true;

    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan LeadTime { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan ReportGrace { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>Refuses clock settings that cannot be used, naming the key.</summary>
public sealed class ClockSettingsValidator : IValidateOptions<ClockSettings>
{
    public ValidateOptionsResult Validate(string? name, ClockSettings options)
    {
        var failures = new List<string>();
        if (options.Interval <= TimeSpan.Zero)
            failures.Add($"{ClockSettings.Section}:Interval must be positive.");
        WholeDays(options.LeadTime, nameof(ClockSettings.LeadTime), failures);
        WholeDays(options.ReportGrace, nameof(ClockSettings.ReportGrace), failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void WholeDays(TimeSpan value, string name, List<string> failures)
    {
        // Due dates are dates: a lead time of 36 hours would mean a different thing at each hour of the day.
        if (value < TimeSpan.Zero || value.Ticks % TimeSpan.TicksPerDay != 0)
            failures.Add($"{ClockSettings.Section}:{name} must be a whole number of days, zero or more (e.g. 30.00:00:00).");
    }
}
