using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Ledger.Infrastructure.Writing;

/// <summary>
/// Section <c>Writes</c>: whether concurrent appends share one transaction (<c>GroupCommit</c>,
/// default true) and how many at most (<c>MaxBatch</c>, default 64). Off, each append commits alone.
/// </summary>
public sealed record WriteSettings(bool GroupCommit, int MaxBatch)
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
        return new WriteSettings(on, batch);
    }
}
