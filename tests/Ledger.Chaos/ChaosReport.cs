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
    [property: JsonPropertyName("longest_without_ack_s")] double? LongestWithoutAck,
    [property: JsonPropertyName("longest_answer_s")] double? LongestAnswer,
    [property: JsonPropertyName("ready_lag_s_max")] double? ReadyLagMax,
    [property: JsonPropertyName("not_ready_seen")] int NotReadySeen)
{
    /// <summary>pause-node: seconds until the other node led the clock, median and max, and how many pauses saw no takeover.</summary>
    [JsonPropertyName("leader_takeover_s_median")]
    public double? TakeoverMedian { get; init; }

    [JsonPropertyName("leader_takeover_s_max")]
    public double? TakeoverMax { get; init; }

    [JsonPropertyName("no_takeover")]
    public int? NoTakeover { get; init; }

    /// <summary>merkle-kill: how many of the nodes armed with the failpoint died there.</summary>
    [JsonPropertyName("failpoint_reached")]
    public int? FailpointReached { get; init; }
}

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

    [JsonPropertyName("clock")]
    public ClockCheck? Clock { get; init; }

    /// <summary>A fault kind asked for that this machine cannot inject, and why (wal-full without root).</summary>
    [JsonPropertyName("left_out")]
    public IReadOnlyList<string> LeftOut { get; init; } = [];

    [JsonPropertyName("views")]
    public ViewsCheck? Views { get; init; }

    /// <summary>Liveness answers other than 200 (a node that answers at all is alive).</summary>
    [JsonPropertyName("live_not_200")]
    public int LiveNot200 { get; init; }

    /// <summary>Faults the harness could not inject to their end (the run goes on; it does not pass).</summary>
    [JsonPropertyName("injection_failures")]
    public int InjectionFailures { get; init; }

    [JsonPropertyName("passed")]
    public bool Passed => InjectionFailures == 0 && (Clock?.Passed ?? true) && (Views?.Passed ?? true) && LiveNot200 == 0 && Lost == 0 && Duplicated == 0 && Answered500 == 0 && RefusedButPresent == 0 && UnresolvedPresentTwice == 0
        && StreamsWithGaps == 0 && Verify.StartsWith("verified", StringComparison.Ordinal) && CheckpointsInconsistent == 0 && ReadsMissingTheWrite == 0;

    public static ChaosReport From(ChaosOptions options, TimeSpan elapsed, IReadOnlyList<FaultRecord> faults, IEnumerable<Operation> all,
        int answered500, ReadinessProbe readiness, HistoryCheck check, string verify)
    {
        var operations = all.ToList();
        var acks = operations.Where(o => o.Outcome == "acknowledged").Select(o => o.AnsweredAt!.Value).Order().ToList();
        var samples = readiness.Samples.OrderBy(s => s.At).ToList();
        var figures = new List<FaultFigures>();
        foreach (var kind in faults.Select(f => f.Kind).Distinct())
        {
            var windows = new List<(TimeSpan From, TimeSpan To)>();
            var recoveries = new List<double>();
            var readyLags = new List<double>();
            var notReadySeen = 0;
            double longest = 0;
            for (var i = 0; i < faults.Count; i++)
            {
                if (faults[i].Kind != kind) continue;
                var to = i + 1 < faults.Count ? faults[i + 1].StartedAt : elapsed;
                windows.Add((faults[i].StartedAt, to));
                var first = acks.FirstOrDefault(a => a >= faults[i].EndedAt);
                if (first != default) recoveries.Add((first - faults[i].EndedAt).TotalSeconds);
                // Readiness following the truth: from the first acknowledged append after the fault, how long until
                // a node said ready again (0 when one already did); and whether any said not ready during the fault.
                var ready = samples.FirstOrDefault(s => s.Ready && s.At >= faults[i].EndedAt);
                if (first != default && ready != default) readyLags.Add(Math.Max(0, (ready.At - first).TotalSeconds));
                if (samples.Any(s => !s.Ready && s.At >= faults[i].StartedAt && s.At <= faults[i].EndedAt + TimeSpan.FromSeconds(1))) notReadySeen++;
                var inWindow = acks.Where(a => a >= faults[i].StartedAt && a < to).Prepend(faults[i].StartedAt).Append(to).ToList();
                for (var k = 1; k < inWindow.Count; k++) longest = Math.Max(longest, (inWindow[k] - inWindow[k - 1]).TotalSeconds);
            }
            var mine = operations.Where(o => windows.Any(w => o.StartedAt >= w.From && o.StartedAt < w.To)).ToList();
            var takeovers = faults.Where(f => f.Kind == kind && f.LeaderTakeover is not null).Select(f => f.LeaderTakeover!.Value).ToList();
            figures.Add(new FaultFigures(kind, windows.Count,
                mine.Count(o => o.Outcome == "acknowledged"), mine.Count(o => o.Outcome == "refused"),
                mine.Count(o => o.WasUnknown && o.Outcome != "unresolved"), mine.Count(o => o.Outcome == "unresolved"),
                mine.Count(o => check.Verdicts.GetValueOrDefault(o.ReportId) == "lost"),
                mine.Count(o => check.Verdicts.GetValueOrDefault(o.ReportId) == "duplicated"),
                recoveries.Count == 0 ? null : Round(Median(recoveries)), recoveries.Count == 0 ? null : Round(recoveries.Max()),
                Round(longest), mine.Count == 0 ? null : Round(mine.Max(o => o.LongestAnswer)),
                readyLags.Count == 0 ? null : Round(readyLags.Max()), notReadySeen)
            {
                TakeoverMedian = takeovers.Count == 0 ? null : Round(Median(takeovers)),
                TakeoverMax = takeovers.Count == 0 ? null : Round(takeovers.Max()),
                NoTakeover = kind == FaultKinds.PauseNode ? windows.Count - takeovers.Count : null,
                FailpointReached = kind == FaultKinds.MerkleKill ? faults.Count(f => f.Kind == kind && f.FailpointReached == true) : null,
            });
        }
        return new ChaosReport(options.Seed, Round(elapsed.TotalSeconds), options.Clients, options.Streams, operations.Count, check.Events,
            answered500, check.Lost, check.Duplicated, check.RefusedButPresent, check.UnknownPresentTwice, check.StreamsWithGaps, verify, figures,
            check.Problems.Take(50).ToList())
        {
            LiveNot200 = readiness.LiveNot200,
        };
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
            new[] { "fault", "injected", "acked", "refused", "unknown→resolved", "unresolved", "lost", "dup", "recovery s (median/max)", "longest without ack s", "longest answer s", "ready lag s", "not ready seen" },
        };
        rows.AddRange(Faults.Select(f => new[]
        {
            f.Fault, N(f.Injected), N(f.Acknowledged), N(f.Refused), N(f.UnknownThenResolved), N(f.Unresolved), N(f.Lost), N(f.Duplicated),
            $"{F(f.RecoveryMedian)}/{F(f.RecoveryMax)}", F(f.LongestWithoutAck), F(f.LongestAnswer), F(f.ReadyLagMax), N(f.NotReadySeen),
        }));
        var notes = Faults.Where(f => f.TakeoverMedian is not null || f.NoTakeover is > 0 || f.FailpointReached is not null).Select(f =>
            f.Fault == FaultKinds.MerkleKill
                ? $"{f.Fault}: the failpoint was reached {f.FailpointReached} of {f.Injected} times"
                : $"{f.Fault}: the other node led the clock after {F(f.TakeoverMedian)} s (median), {F(f.TakeoverMax)} s at most; no takeover in {f.NoTakeover} of {f.Injected}");
        var verdict = Passed ? "PASSED" : "FAILED";
        return CaseResult.Format(rows)
            + $"{verdict}: seed {Seed}, {Operations} operations, {EventsChecked} events checked; lost {Lost}, duplicated {Duplicated}, answered 500 {Answered500}, "
            + $"refused but present {RefusedButPresent}, streams with gaps {StreamsWithGaps}; {Checkpoints} checkpoints, {CheckpointsInconsistent} inconsistent; "
            + $"{ReadsAfterWrites} reads after a 201, {ReadsMissingTheWrite} missing the write; liveness other than 200: {LiveNot200}; "
            + (Clock is { } c ? $"clock: {c.Notices} notices on {c.Commitments} commitments, {c.Duplicated} duplicated, {c.DeadlinesNotNoticed} deadlines not noticed; " : "")
            + (Views is { } v ? $"views: {v.Documents} documents, {v.Differing} differ from a rebuild ({v.RebuildSeconds:F1} s){(v.CaughtUp ? "" : ", NOT caught up")}; " : "")
            + $"verify: {Verify}"
            + string.Concat(LeftOut.Select(l => "\nleft out: " + l))
            + string.Concat(notes.Select(n => "\n" + n))
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
