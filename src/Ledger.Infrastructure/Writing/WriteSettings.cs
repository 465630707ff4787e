using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Ledger.Infrastructure.Writing;

/// <summary>
/// Section <c>Writes</c>: whether concurrent appends share one transaction (<c>GroupCommit</c>,
/// default true) and how many at most (<c>MaxBatch</c>, default 64; off, each append commits alone);
/// and of how many streams the decider's state is kept between commands (<c>CachedStreams</c>, default
/// 4,096; 0 reads every stream afresh for every command). A write without <c>If-Match</c> to a stream other
/// nodes keep changing is decided again for up to <c>ContendedWait</c> (default 10 s) before it is answered 503.
/// </summary>
public sealed record WriteSettings(bool GroupCommit, int MaxBatch, int CachedStreams = 4_096)
{
    public TimeSpan ContendedWait { get; init; } = TimeSpan.FromSeconds(10);

    public const string Section = "Writes";

    public static WriteSettings Default { get; } = new(true, 64);

    public static WriteSettings From(IConfiguration configuration)
    {
        var group = configuration[$"{Section}:GroupCommit"];
        var on = Default.GroupCommit;
        if (!string.IsNullOrWhiteSpace(group) && !bool.TryParse(group, out on))
            throw new InvalidOperationException($"{Section}:GroupCommit is not true or false: '{group}'.");
        var wait = configuration[$"{Section}:{nameof(ContendedWait)}"];
        var contended = Default.ContendedWait;
        if (!string.IsNullOrWhiteSpace(wait)
            && (!TimeSpan.TryParse(wait, CultureInfo.InvariantCulture, out contended) || contended <= TimeSpan.Zero || contended > TimeSpan.FromMinutes(5)))
            throw new InvalidOperationException($"{Section}:{nameof(ContendedWait)} must be a time from 00:00:00.001 to 00:05:00: '{wait}'.");
        return new WriteSettings(
            on,
            WholeNumber(configuration, nameof(MaxBatch), Default.MaxBatch, 1, 1_000),
            WholeNumber(configuration, nameof(CachedStreams), Default.CachedStreams, 0, 1_000_000))
        {
            ContendedWait = contended,
        };
    }

    private static int WholeNumber(IConfiguration configuration, string name, int fallback, int min, int max)
    {
        var raw = configuration[$"{Section}:{name}"];
        if (string.IsNullOrWhiteSpace(raw)) return fallback;
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new InvalidOperationException($"{Section}:{name} must be a whole number from {min} to {max}: '{raw}'.");
        return value;
    }
}
