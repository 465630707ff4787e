using System.Diagnostics;
using Ledger.Benchmarks.Integrity;
using Ledger.Benchmarks.Reporting;
using Ledger.Infrastructure.Daemon;
using Ledger.Infrastructure.Store;
using Ledger.Projections.Supervision;
using Marten;
using Npgsql;

namespace Ledger.Benchmarks.Rebuild;

/// <summary>
/// <c>rebuild.supervision</c> (events/s) over the generated zone ledger: ours is the views' own rebuild as
/// <c>ledger rebuild Supervision</c> runs it (<see cref="SupervisionRebuild"/>: the events read raw up to the
/// high-water mark, folded in memory, the documents written by COPY in one transaction with the
/// progression); the peer reads and deserializes the same events through Marten in sequence order without
/// projecting them; the limit streams the rows raw through Npgsql (<c>select seq_id, type, data … order by
/// seq_id</c>). Targets take turns, the order rotating; medians of the runs. Then <c>ledger rebuild
/// Supervision</c> once more in a process of its own, untimed as a case, for its peak resident set. The last
/// rebuild leaves the documents the query case reads.
/// </summary>
public sealed class RebuildCase(BenchSettings settings, string connectionString, string schema)
{
    private const string Ours = "ours";
    private const string Peer = "peer";
    private const string Limit = "limit";

    public async Task<CaseResult> RunAsync(NpgsqlDataSource db, long events, CancellationToken ct)
    {
        await using var store = LedgerStore.Create(connectionString, schema, TimeProvider.System);
        var rates = new Dictionary<string, List<double>> { [Ours] = [], [Peer] = [], [Limit] = [] };
        string[] order = [Ours, Peer, Limit];
        for (var run = 1; run <= settings.RebuildRuns; run++)
        {
            for (var t = 0; t < order.Length; t++)
            {
                var target = order[(t + run - 1) % order.Length];
                await CheckpointAsync(db, ct);
                var watch = Stopwatch.StartNew();
                var rows = target switch
                {
                    Ours => await RebuildAsync(store, db, ct),
                    Peer => await MartenReadAsync(store, ct),
                    _ => await RawReadAsync(db, ct),
                };
                watch.Stop();
                if (rows != events) throw new InvalidOperationException($"rebuild.supervision {target} covered {rows} events, not {events}");
                rates[target].Add(rows / watch.Elapsed.TotalSeconds);
                Log($"rebuild.supervision {target,-5} run {run}/{settings.RebuildRuns}: {rows:N0} events in {watch.Elapsed.TotalSeconds,6:F2} s = {rows / watch.Elapsed.TotalSeconds,9:F0} events/s");
            }
        }
        var result = CaseResult.FromRates("rebuild.supervision", "events/s", rates[Ours], rates[Peer], rates[Limit]) with { Events = events };
        if (VerifyChild.CliPath() is not { } cli)
        {
            Log("ledger rebuild: src/Ledger.Cli is not built in this configuration; peak RSS not measured");
            return result;
        }
        await CheckpointAsync(db, ct);
        var child = await CliChild.RunAsync(cli, "rebuild", [SupervisionProjection.Name], connectionString, schema, [], ct);
        if (!child.Output.Contains($"rebuilt {SupervisionProjection.Name}: {events} events", StringComparison.Ordinal))
            throw new InvalidOperationException($"ledger rebuild said: {child.Output}");
        Log($"ledger rebuild {SupervisionProjection.Name} (child process) over {events:N0} events: peak RSS {child.PeakRssMb:F1} MB ({child.Method}), {child.Seconds:F1} s with start-up: {child.Output.Trim()}");
        return result with { PeakRssMb = CaseResult.Round(child.PeakRssMb, 1) };
    }

    /// <summary>One untimed rebuild, when the views are wanted without measuring the rebuild.</summary>
    public async Task RebuildOnceAsync(NpgsqlDataSource db, long events, CancellationToken ct)
    {
        await using var store = LedgerStore.Create(connectionString, schema, TimeProvider.System);
        var watch = Stopwatch.StartNew();
        var covered = await RebuildAsync(store, db, ct);
        if (covered != events) throw new InvalidOperationException($"the rebuild covered {covered} events, not {events}");
        Log($"views rebuilt (untimed as a case) in {watch.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>The own rebuild, as the rebuild verb runs it; returns the events folded, once the projection's progression stands where the rebuild says.</summary>
    private async Task<long> RebuildAsync(DocumentStore store, NpgsqlDataSource db, CancellationToken ct)
    {
        var outcome = await SupervisionRebuild.RunAsync(store, null, ct);
        await using var progress = db.CreateCommand(
            $"select coalesce((select last_seq_id from \"{schema}\".mt_event_progression where name = '{SupervisionProjection.Name}:All'), 0)");
        var sequence = (long)(await progress.ExecuteScalarAsync(ct))!;
        if (sequence != outcome.LastSequence) throw new InvalidOperationException($"the progression stands at {sequence}, the rebuild said {outcome.LastSequence}");
        Log($"rebuild.supervision ours: {outcome.Documents:N0} documents; high-water mark and count {outcome.Ceiling.TotalSeconds:F2} s, reading and folding {outcome.Folding.TotalSeconds:F2} s, writing {outcome.Writing.TotalSeconds:F2} s");
        return outcome.Events;
    }

    private static async Task<long> MartenReadAsync(DocumentStore store, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        long count = 0, checksum = 0;
        await foreach (var e in session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToAsyncEnumerable(ct))
        {
            count++;
            checksum ^= e.Sequence ^ e.Data.GetHashCode();
        }
        GC.KeepAlive(checksum);
        return count;
    }

    private async Task<long> RawReadAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select seq_id, type, data, stream_id, version, timestamp from \"{schema}\".mt_events order by seq_id");
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync(ct);
        long count = 0, checksum = 0;
        while (await reader.ReadAsync(ct))
        {
            count++;
            checksum ^= reader.GetInt64(0) + reader.GetString(1).Length + reader.GetString(2).Length + reader.GetString(3).Length + reader.GetInt64(4)
                + reader.GetFieldValue<DateTimeOffset>(5).UtcTicks;
        }
        GC.KeepAlive(checksum);
        return count;
    }

    private static async Task CheckpointAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using (var connection = await db.OpenConnectionAsync(ct))
            await BenchLedger.TryAdminAsync(connection, "checkpoint", ct);
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    private static void Log(string line) => Console.Error.WriteLine("bench: " + line);
}
