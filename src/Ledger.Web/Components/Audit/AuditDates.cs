using System.Globalization;
using Ledger.Web.Localization;

namespace Ledger.Web.Components.Audit;

/// <summary>
/// The dates the audit pages take (a day, as officials think of one, in Beijing time) turned into the
/// instants the replays take: "as it was on 30 June" is the record at the end of that day, 23:59:59.999999
/// (UTC+8), or now when the day is today.
/// </summary>
public static class AuditDates
{
    public static DateOnly Today(DateTimeOffset now) => DateOnly.FromDateTime(now.ToOffset(ConsoleFormat.BeijingOffset).DateTime);

    /// <summary>A day as the date input sends it (yyyy-MM-dd); null when it is not one.</summary>
    public static DateOnly? Parse(string? raw) =>
        DateOnly.TryParseExact(raw?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;

    /// <summary>The last microsecond of the day in Beijing time (PostgreSQL keeps microseconds), or now if that is later.</summary>
    public static DateTimeOffset EndOf(DateOnly day, DateTimeOffset now)
    {
        var end = new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), ConsoleFormat.BeijingOffset).AddTicks(-10);
        return end > now ? now : end;
    }

    /// <summary>The first instant of the day in Beijing time.</summary>
    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), ConsoleFormat.BeijingOffset);

    public static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
