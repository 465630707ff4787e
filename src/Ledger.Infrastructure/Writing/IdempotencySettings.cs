using Microsoft.Extensions.Options;

namespace Ledger.Infrastructure.Writing;

/// <summary>
/// Section <c>Idempotency</c>: how long a key replays its first answer (<c>Window</c>, default 24 hours,
/// the period Stripe keeps its keys for) and how often expired records are purged (<c>CleanupInterval</c>,
/// default one hour). TimeSpans as <c>d.hh:mm:ss</c>. After the window the key is free again: the
/// same request is decided afresh.
/// </summary>
public sealed class IdempotencySettings
{
    public const string Section = "Idempotency";

    public TimeSpan Window { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>Refuses a window or cleanup interval that is not positive, naming the key.</summary>
public sealed class IdempotencySettingsValidator : IValidateOptions<IdempotencySettings>
{
    public ValidateOptionsResult Validate(string? name, IdempotencySettings options)
    {
        var failures = new List<string>();
        if (options.Window <= TimeSpan.Zero)
            failures.Add($"{IdempotencySettings.Section}:Window must be positive.");
        if (options.CleanupInterval <= TimeSpan.Zero)
            failures.Add($"{IdempotencySettings.Section}:CleanupInterval must be positive.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
