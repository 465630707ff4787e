using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ledger.Benchmarks.Reporting;

namespace Ledger.Chaos;

/// <summary>Per fault kind: what was injected, what the clients were told, what was lost or doubled, how fast writes came back.</summary>
public sealed record FaultFigures(
    [property: JsonPropertyName("fault")] string Fault,
    [property: JsonPropertyName("injected")] int Injected,
    [property: JsonPropertyName("acknowledged")] int Acknowledged,
    [property: JsonPropertyName("refused")] int Refused,
    [property: JsonPropertyName("unknown_then_resolved")] int UnknownThenResolved,
    [property: JsonPropertyName("unresolved")] int Unresolved,
    [property: JsonPropertyName("lost")] int Lost,
    [property: JsonPropertyName("duplicated")] int Duplicated,
    [property: JsonPropertyName("recovery_s_median")] double? RecoveryMedian,
    [property: JsonPropertyName("recovery_s_max")] double? RecoveryMax,
    [property: JsonPropertyName("longest_without_ack_s")] double? LongestWithoutAck);

/// <summary>What `./ops/ledger chaos` writes to artifacts/chaos/latest.json and prints.</summary>
public sealed record ChaosReport(
    [property: JsonPropertyName("seed")] int Seed,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("clients")] int Clients,
    [property: JsonPropertyName("streams")] int Streams,
    [property: JsonPropertyName("operations")] int Operations,
    [property: JsonPropertyName("events_checked")] long EventsChecked,
    [property: JsonPropertyName("answered_500")] int Answered500,
    [property: JsonPropertyName("lost")] int Lost,
    [property: JsonPropertyName("duplicated")] int Duplicated,
    [property: JsonPropertyName("refused_but_present")] int RefusedButPresent,
    [property: JsonPropertyName("unresolved_present_twice")] int UnresolvedPresentTwice,
    [property: JsonPropertyName("streams_with_gaps")] int StreamsWithGaps,
    [property: JsonPropertyName("verify")] string Verify,
    [property: JsonPropertyName("faults")] IReadOnlyList<FaultFigures> Faults,
    [property: JsonPropertyName("problems")] IReadOnlyList<string> Problems)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Checkpoints signed during the run, and how many were not consistent with the one before.</summary>
    [JsonPropertyName("checkpoints")]
    public int Checkpoints { get; init; }

    [JsonPropertyName("checkpoints_inconsistent")]
    public int CheckpointsInconsistent { get; init; }

    /// <summary>Acknowledged writes read back at once through either node, and how many reads did not show them.</summary>
    [JsonPropertyName("reads_after_writes")]
    public int ReadsAfterWrites { get; init; }

    [JsonPropertyName("reads_missing_the_write")]
    public int ReadsMissingTheWrite { get; init; }

    [JsonPropertyName("passed")]
    public bool Passed => Lost == 0 && Duplicated == 0 && Answered500 == 0 && RefusedButPresent == 0 && UnresolvedPresentTwice == 0
        && StreamsWithGaps == 0 && Verify.StartsWith("verified", StringComparison.Ordinal) && CheckpointsInconsistent == 0 && ReadsMissingTheWrite == 0;

    public static ChaosReport From(ChaosOptions options, TimeSpan elapsed, IReadOnlyList<FaultRecord> faults, IEnumerable<Operation> all,
        int answered500, HistoryCheck check, string verify)
    {
        var operations = all.ToList();
        var acks = operations.Where(o => o.Outcome == "acknowledged").Select(o => o.AnsweredAt!.Value).Order().ToList();
        var figures = new List<FaultFigures>();
        foreach (var kind in faults.Select(f => f.Kind).Distinct())
        {
            var windows = new List<(TimeSpan From, TimeSpan To)>();
            var recoveries = new List<double>();
            double longest = 0;
            for (var i = 0; i < faults.Count; i++)
            {
                if (faults[i].Kind != kind) continue;
                var to = i + 1 < faults.Count ? faults[i + 1].StartedAt : elapsed;
                windows.Add((faults[i].StartedAt, to));
                var first = acks.FirstOrDefault(a => a >= faults[i].EndedAt);
                if (first != default) recoveries.Add((first - faults[i].EndedAt).TotalSeconds);
                var inWindow = acks.Where(a => a >= faults[i].StartedAt && a < to).Prepend(faults[i].StartedAt).Append(to).ToList();
                for (var k = 1; k < inWindow.Count; k++) longest = Math.Max(longest, (inWindow[k] - inWindow[k - 1]).TotalSeconds);
            }
            var mine = operations.Where(o => windows.Any(w => o.StartedAt >= w.From && o.StartedAt < w.To)).ToList();
            figures.Add(new FaultFigures(kind, windows.Count,
                mine.Count(o => o.Outcome == "acknowledged"), mine.Count(o => o.Outcome == "refused"),
                mine.Count(o => o.WasUnknown && o.Outcome != "unresolved"), mine.Count(o => o.Outcome == "unresolved"),
                mine.Count(o => check.Verdicts.GetValueOrDefault(o.ReportId) == "lost"),
                mine.Count(o => check.Verdicts.GetValueOrDefault(o.ReportId) == "duplicated"),
                recoveries.Count == 0 ? null : Round(Median(recoveries)), recoveries.Count == 0 ? null : Round(recoveries.Max()),
                Round(longest)));
        }
        return new ChaosReport(options.Seed, Round(elapsed.TotalSeconds), options.Clients, options.Streams, operations.Count, check.Events,
            answered500, check.Lost, check.Duplicated, check.RefusedButPresent, check.UnknownPresentTwice, check.StreamsWithGaps, verify, figures,
            check.Problems.Take(50).ToList());
    }

    public async Task WriteAsync(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(this, Json) + "\n");
    }

    public string Table()
    {
        var rows = new List<string[]>
        {
            new[] { "fault", "injected", "acked", "refused", "unknown→resolved", "unresolved", "lost", "duplicated", "recovery s (median/max)", "longest without ack s" },
        };
        rows.AddRange(Faults.Select(f => new[]
        {
            f.Fault, N(f.Injected), N(f.Acknowledged), N(f.Refused), N(f.UnknownThenResolved), N(f.Unresolved), N(f.Lost), N(f.Duplicated),
            $"{F(f.RecoveryMedian)}/{F(f.RecoveryMax)}", F(f.LongestWithoutAck),
        }));
        var verdict = Passed ? "PASSED" : "FAILED";
        return CaseResult.Format(rows)
            + $"{verdict}: seed {Seed}, {Operations} operations, {EventsChecked} events checked; lost {Lost}, duplicated {Duplicated}, answered 500 {Answered500}, "
            + $"refused but present {RefusedButPresent}, streams with gaps {StreamsWithGaps}; {Checkpoints} checkpoints, {CheckpointsInconsistent} inconsistent; "
            + $"{ReadsAfterWrites} reads after a 201, {ReadsMissingTheWrite} missing the write; verify: {Verify}"
            + (Problems.Count == 0 ? "" : "\n" + string.Join('\n', Problems));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static double Round(double value) => Math.Round(value, 2);

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string F(double? value) => value is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) : "-";
}
