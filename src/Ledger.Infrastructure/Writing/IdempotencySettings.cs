using Microsoft.Extensions.Configuration;

namespace Ledger.Infrastructure.Writing;

/// <summary>
/// Section <c>Idempotency</c>: how long a key replays its first answer (<c>Window</c>, default 24 hours,
/// the period Stripe keeps its keys for) and how often expired records are purged (<c>CleanupInterval</c>,
/// default one hour). TimeSpans as <c>d.hh:mm:ss</c>. After the window the key is free again: the
/// same request is decided afresh.
/// </summary>
public sealed record IdempotencySettings(TimeSpan Window, TimeSpan CleanupInterval)
{
    public const string Section = "Idempotency";

    public static IdempotencySettings Default { get; } = new(TimeSpan.FromHours(24), TimeSpan.FromHours(1));

    public static IdempotencySettings From(IConfiguration configuration)
    {
        var window = Read(configuration, "Window", Default.Window);
        var interval = Read(configuration, "CleanupInterval", Default.CleanupInterval);
        if (window <= TimeSpan.Zero)
            throw new InvalidOperationException($"{Section}:Window must be positive.");
        if (interval <= TimeSpan.Zero)
            throw new InvalidOperationException($"{Section}:CleanupInterval must be positive.");
        return new IdempotencySettings(window, interval);
    }

    private static TimeSpan Read(IConfiguration configuration, string name, TimeSpan fallback) =>
        SettingsParser.TimeSpanOr(configuration, $"{Section}:{name}", fallback);
}
