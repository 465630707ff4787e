using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ledger.Benchmarks.Reporting;

/// <summary>
/// One line of artifacts/bench/latest.json: the medians of the runs of ours, the peer and the limit,
/// and ours as a fraction of each (higher is better; 1 means as fast as the peer).
/// </summary>
public sealed record CaseResult(
    [property: JsonPropertyName("case")] string Case,
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("ours")] double Ours,
    [property: JsonPropertyName("peer")] double? Peer,
    [property: JsonPropertyName("limit")] double? Limit,
    [property: JsonPropertyName("ratio_peer")] double? RatioPeer,
    [property: JsonPropertyName("ratio_limit")] double? RatioLimit,
    [property: JsonPropertyName("p50_ms")] double? P50Ms,
    [property: JsonPropertyName("p99_ms")] double? P99Ms,
    [property: JsonPropertyName("peer_p50_ms")] double? PeerP50Ms,
    [property: JsonPropertyName("peer_p99_ms")] double? PeerP99Ms,
    [property: JsonPropertyName("limit_p50_ms")] double? LimitP50Ms,
    [property: JsonPropertyName("limit_p99_ms")] double? LimitP99Ms,
    [property: JsonPropertyName("runs")] int Runs)
{
    public const string OpsPerSecond = "ops/s";

    /// <summary>The unit of a ratio between two shapes of one case (the long-stream case's long/short throughput).</summary>
    public const string LongOverShort = "long/short";

    /// <summary>How many events the case ran over (the integrity cases), else absent.</summary>
    [JsonPropertyName("events")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Events { get; init; }

    /// <summary>
    /// Peak resident set size in MB: of a `ledger verify` or `ledger export` child process over
    /// <see cref="Events"/> events; for an append case, of the API process by the end of that case.
    /// </summary>
    [JsonPropertyName("peak_rss_mb")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? PeakRssMb { get; init; }

    /// <summary>The same over a ledger of <see cref="EventsSmall"/> events (a tenth): equal if memory does not grow with the ledger.</summary>
    [JsonPropertyName("peak_rss_mb_small")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? PeakRssMbSmall { get; init; }

    [JsonPropertyName("events_small")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? EventsSmall { get; init; }

    /// <summary>
    /// The long-stream case: the long commitments' record documents as stored (pg_column_size, after
    /// compression), average and largest, in bytes, after seeding.
    /// </summary>
    [JsonPropertyName("record_bytes_avg")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? RecordBytesAvg { get; init; }

    [JsonPropertyName("record_bytes_max")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? RecordBytesMax { get; init; }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static CaseResult From(string name, IReadOnlyList<RunResult> ours, IReadOnlyList<RunResult> peer, IReadOnlyList<RunResult> limit)
    {
        var o = Measurement.Median(ours.Select(r => r.Throughput));
        var p = Measurement.Median(peer.Select(r => r.Throughput));
        var l = Measurement.Median(limit.Select(r => r.Throughput));
        return new CaseResult(
            name, OpsPerSecond, Round(o, 1), Round(p, 1), Round(l, 1), Round(o / p, 3), Round(o / l, 3),
            Round(Measurement.Median(ours.Select(r => r.P50Ms)), 2), Round(Measurement.Median(ours.Select(r => r.P99Ms)), 2),
            Round(Measurement.Median(peer.Select(r => r.P50Ms)), 2), Round(Measurement.Median(peer.Select(r => r.P99Ms)), 2),
            Round(Measurement.Median(limit.Select(r => r.P50Ms)), 2), Round(Measurement.Median(limit.Select(r => r.P99Ms)), 2),
            Math.Min(ours.Count, Math.Min(peer.Count, limit.Count)));
    }

    /// <summary>
    /// A throughput case whose runs each process the whole data set once (no per-operation latency):
    /// the medians of the rates of ours, the peer and the limit, in <paramref name="unit"/>.
    /// </summary>
    public static CaseResult FromRates(string name, string unit, IReadOnlyList<double> ours, IReadOnlyList<double> peer, IReadOnlyList<double> limit)
    {
        var o = Measurement.Median(ours);
        var p = Measurement.Median(peer);
        var l = Measurement.Median(limit);
        return new CaseResult(name, unit, Round(o, 1), Round(p, 1), Round(l, 1), Round(o / p, 3), Round(o / l, 3),
            null, null, null, null, null, null, Math.Min(ours.Count, Math.Min(peer.Count, limit.Count)));
    }

    /// <summary>A latency case measured for ours alone: operations per second and the medians of the runs' p50 and p99.</summary>
    public static CaseResult OursOnly(string name, string unit, IReadOnlyList<RunResult> ours) => new(
        name, unit, Round(Measurement.Median(ours.Select(r => r.Throughput)), 1), null, null, null, null,
        Round(Measurement.Median(ours.Select(r => r.P50Ms)), 2), Round(Measurement.Median(ours.Select(r => r.P99Ms)), 2),
        null, null, null, null, ours.Count);

    public static async Task WriteAsync(string path, IReadOnlyList<CaseResult> results)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(results, Json) + "\n");
    }

    public static string Table(IReadOnlyList<CaseResult> results)
    {
        var rows = new List<string[]>
        {
            new[] { "case", "unit", "ours", "peer", "limit", "ours/peer", "ours/limit", "p50 ms", "p99 ms", "peer p50/p99", "limit p50/p99", "runs" },
        };
        rows.AddRange(results.Select(r => new[]
        {
            r.Case, r.Unit, F(r.Ours, r.Unit == LongOverShort ? 3 : 1), F(r.Peer, 1), F(r.Limit, 1), F(r.RatioPeer, 3), F(r.RatioLimit, 3),
            F(r.P50Ms, 2), F(r.P99Ms, 2), Pair(r.PeerP50Ms, r.PeerP99Ms), Pair(r.LimitP50Ms, r.LimitP99Ms),
            r.Runs.ToString(CultureInfo.InvariantCulture),
        }));
        return Format(rows);
    }

    /// <summary>Left-aligns the first column and right-aligns the others.</summary>
    public static string Format(IReadOnlyList<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            var cells = row.Select((cell, i) => i < 2 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]));
            text.AppendLine(string.Join("  ", cells).TrimEnd());
        }
        return text.ToString();
    }

    public static double Round(double value, int digits) => Math.Round(value, digits, MidpointRounding.AwayFromZero);

    private static string F(double? value, int digits) => value is { } v ? v.ToString("F" + digits, CultureInfo.InvariantCulture) : "-";

    private static string Pair(double? p50, double? p99) => p50 is null && p99 is null ? "-" : $"{F(p50, 2)}/{F(p99, 2)}";
}
