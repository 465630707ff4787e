using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Ledger.Infrastructure;

/// <summary>Reads a settings section's values; a value that is set but does not parse stops the start with its key.</summary>
internal static class SettingsParser
{
    /// <summary>The TimeSpan at <paramref name="key"/> (<c>d.hh:mm:ss</c>), or <paramref name="fallback"/> when it is not set.</summary>
    public static TimeSpan TimeSpanOr(IConfiguration configuration, string key, TimeSpan fallback)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw)) return fallback;
        return TimeSpan.TryParse(raw, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException($"{key} is not a TimeSpan (d.hh:mm:ss): '{raw}'.");
    }
}
