using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Ledger.Infrastructure.Writing;

/// <summary>
/// Section <c>Writes</c>: whether concurrent appends share one transaction (<c>GroupCommit</c>,
/// default true) and how many at most (<c>MaxBatch</c>, default 64; off, each append commits alone);
/// and of how many streams the decider's state is kept between commands (<c>CachedStreams</c>, default
/// 4,096; 0 reads every stream afresh for every command).
/// </summary>
public sealed record WriteSettings(bool GroupCommit, int MaxBatch, int CachedStreams = 4_096)
{
    public const string Section = "Writes";

    public static WriteSettings Default { get; } = new(true, 64);

    public static WriteSettings From(IConfiguration configuration)
    {
        var group = configuration[$"{Section}:GroupCommit"];
        var max = configuration[$"{Section}:MaxBatch"];
        var on = Default.GroupCommit;
        if (!string.IsNullOrWhiteSpace(group) && !bool.TryParse(group, out on))
            throw new InvalidOperationException($"{Section}:GroupCommit is not true or false: '{group}'.");
        var batch = Default.MaxBatch;
        if (!string.IsNullOrWhiteSpace(max)
            && (!int.TryParse(max, NumberStyles.Integer, CultureInfo.InvariantCulture, out batch) || batch < 1 || batch > 1000))
            throw new InvalidOperationException($"{Section}:MaxBatch must be a whole number from 1 to 1000: '{max}'.");
        var cachedRaw = configuration[$"{Section}:CachedStreams"];
        var cached = Default.CachedStreams;
        if (!string.IsNullOrWhiteSpace(cachedRaw)
            && (!int.TryParse(cachedRaw, NumberStyles.Integer, CultureInfo.InvariantCulture, out cached) || cached < 0 || cached > 1_000_000))
            throw new InvalidOperationException($"{Section}:CachedStreams must be a whole number from 0 to 1000000: '{cachedRaw}'.");
        return new WriteSettings(on, batch, cached);
    }
}
