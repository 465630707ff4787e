using Microsoft.Extensions.Options;

namespace Ledger.Infrastructure.Writing;

/// <summary>
/// Section <c>Writes</c>: whether concurrent appends share one transaction (<c>GroupCommit</c>,
/// default true) and how many at most (<c>MaxBatch</c>, default 64; off, each append commits alone);
/// and of how many streams the decider's state is kept between commands (<c>CachedStreams</c>, default
/// 4,096; 0 reads every stream afresh for every command). A write without <c>If-Match</c> to a stream other
/// nodes keep changing is decided again for up to <c>ContendedWait</c> (default 10 s) before it is answered 503.
/// </summary>
public sealed class WriteSettings
{
    public const string Section = "Writes";

    public bool GroupCommit { get; set; } = true;

    public int MaxBatch { get; set; } = 64;

    public int CachedStreams { get; set; } = 4_096;

    public TimeSpan ContendedWait { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Refuses write settings that cannot be used, naming the key.</summary>
public sealed class WriteSettingsValidator : IValidateOptions<WriteSettings>
{
    public ValidateOptionsResult Validate(string? name, WriteSettings options)
    {
        var failures = new List<string>();
        if (options.MaxBatch is < 1 or > 1_000)
            failures.Add($"{WriteSettings.Section}:MaxBatch must be a whole number from 1 to 1000: '{options.MaxBatch}'.");
        if (options.CachedStreams is < 0 or > 1_000_000)
            failures.Add($"{WriteSettings.Section}:CachedStreams must be a whole number from 0 to 1000000: '{options.CachedStreams}'.");
        if (options.ContendedWait <= TimeSpan.Zero || options.ContendedWait > TimeSpan.FromMinutes(5))
            failures.Add($"{WriteSettings.Section}:ContendedWait must be a time from 00:00:00.001 to 00:05:00: '{options.ContendedWait:c}'.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
