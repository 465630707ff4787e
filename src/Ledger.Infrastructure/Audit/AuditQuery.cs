using System.Globalization;

namespace Ledger.Infrastructure.Audit;

/// <summary>The inputs the audit reads share (API query parameters, console fields), checked once, each failure naming its field.</summary>
public static class AuditQuery
{
    /// <summary>
    /// An ISO 8601 time, e.g. <c>2023-06-30T23:59:59+08:00</c>; a date alone or a time without an offset
    /// is taken as UTC. An unencoded '+' in a query string arrives as a space; it is read back as '+'.
    /// Times after now are refused: the ledger cannot show what it has not yet recorded.
    /// </summary>
    public static DateTimeOffset? Time(string? raw, string field, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        var text = raw.Trim().Replace(' ', '+');
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            throw new AuditRequestException(400, "invalid_time",
                $"'{field}' must be an ISO 8601 time such as 2023-06-30T23:59:59+08:00.", field);
        return NotAfter(time, field, now);
    }

    /// <summary>Refuses a time after now: the ledger cannot show what it has not yet recorded.</summary>
    public static DateTimeOffset NotAfter(DateTimeOffset time, string field, DateTimeOffset now) =>
        time <= now
            ? time
            : throw new AuditRequestException(422, "time_in_future", $"'{field}' is in the future; the ledger shows only what it has recorded.", field);

    /// <summary>A range whose end may not precede its start.</summary>
    public static (DateTimeOffset? From, DateTimeOffset? To) Range(string? from, string? to, DateTimeOffset now)
    {
        var start = Time(from, "from", now);
        var end = Time(to, "to", now);
        if (start is { } s && end is { } e && e < s)
            throw new AuditRequestException(422, "range_inverted", "'to' is before 'from'.", "to");
        return (start, end);
    }

    public static long? Version(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        if (!long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
            throw new AuditRequestException(400, "invalid_version", "'version' must be a stream version, 1 or more.", "version");
        return version;
    }

    /// <summary>A whole number of at least <paramref name="min"/> (the default when absent), else a 400 naming the field.</summary>
    public static long Number(string? raw, string field, long min, long defaultValue)
    {
        if (string.IsNullOrWhiteSpace(raw)) return defaultValue;
        if (!long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min)
            throw new AuditRequestException(400, "invalid_number", $"'{field}' must be a whole number, {min} or more.", field);
        return value;
    }

    public static bool Flag(string? raw, string field) => raw?.Trim().ToLowerInvariant() switch
    {
        null or "" or "false" or "0" => false,
        "true" or "1" => true,
        _ => throw new AuditRequestException(400, "invalid_flag", $"'{field}' must be true or false.", field),
    };
}
