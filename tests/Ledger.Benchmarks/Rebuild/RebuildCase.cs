using System.Diagnostics;
using Ledger.Benchmarks.Integrity;
using Ledger.Benchmarks.Reporting;
using Ledger.Infrastructure.Store;
using Ledger.Projections.Supervision;
using Marten;
using Npgsql;

namespace Ledger.Benchmarks.Rebuild;

/// <summary>
/// <c>rebuild.supervision</c> (events/s) over the generated zone ledger: ours is Marten's daemon
/// rebuilding the <see cref="SupervisionProjection"/> as <c>ledger rebuild Supervision</c> does
/// (documents torn down, progress reset, every event replayed through the fold); the peer reads and
/// deserializes the same events through Marten in sequence order without projecting them; the limit
/// streams the rows raw through Npgsql (<c>select seq_id, type, data … order by seq_id</c>). Targets
/// take turns, the order rotating; medians of the runs. Ours runs on a store whose logger counts the
/// projection sessions' commands and batches (a few microseconds per round trip), which says where the
/// time goes. The last rebuild leaves the documents the query case reads.
/// </summary>
public sealed class RebuildCase(BenchSettings settings, string connectionString, string schema)
{
    private const string Ours = "ours";
    private const string Peer = "peer";
    private const string Limit = "limit";

    public async Task<CaseResult> RunAsync(NpgsqlDataSource db, long events, CancellationToken ct)
    {
        var trips = new RoundTrips();
        await using var store = DocumentStore.For(opts =>
        {
            LedgerStore.Configure(opts, connectionString, schema, TimeProvider.System, SupervisionProjection.RebuildBatchSize);
            opts.Logger(trips);
        });
        var rates = new Dictionary<string, List<double>> { [Ours] = [], [Peer] = [], [Limit] = [] };
        var rebuildSeconds = 0.0;
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
                if (target == Ours) rebuildSeconds += watch.Elapsed.TotalSeconds;
                if (rows != events) throw new InvalidOperationException($"rebuild.supervision {target} covered {rows} events, not {events}");
                rates[target].Add(rows / watch.Elapsed.TotalSeconds);
                Log($"rebuild.supervision {target,-5} run {run}/{settings.RebuildRuns}: {rows:N0} events in {watch.Elapsed.TotalSeconds,6:F2} s = {rows / watch.Elapsed.TotalSeconds,9:F0} events/s");
            }
        }
        Profile(trips, events, rebuildSeconds);
        return CaseResult.FromRates("rebuild.supervision", "events/s", rates[Ours], rates[Peer], rates[Limit]) with { Events = events };
    }

    /// <summary>One untimed rebuild, when the views are wanted without measuring the rebuild.</summary>
    public async Task RebuildOnceAsync(NpgsqlDataSource db, long events, CancellationToken ct)
    {
        await using var store = LedgerStore.Create(connectionString, schema, TimeProvider.System, SupervisionProjection.RebuildBatchSize);
        var watch = Stopwatch.StartNew();
        var covered = await RebuildAsync(store, db, ct);
        if (covered != events) throw new InvalidOperationException($"the rebuild covered {covered} events, not {events}");
        Log($"views rebuilt (untimed as a case) in {watch.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>The daemon's rebuild, as the rebuild verb runs it; returns the events the projection's progress now covers.</summary>
    private async Task<long> RebuildAsync(DocumentStore store, NpgsqlDataSource db, CancellationToken ct)
    {
        using (var daemon = await store.BuildProjectionDaemonAsync())
            await daemon.RebuildProjectionAsync(SupervisionProjection.Name, TimeSpan.FromMinutes(60), ct);
        await using var progress = db.CreateCommand(
            $"select coalesce((select last_seq_id from \"{schema}\".mt_event_progression where name = '{SupervisionProjection.Name}:All'), 0)");
        return (long)(await progress.ExecuteScalarAsync(ct))!;
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

    /// <summary>Where the rebuilds' time went: the projection sessions' round trips by kind, per rebuild and per daemon batch.</summary>
    private void Profile(RoundTrips trips, long events, double seconds)
    {
        var runs = settings.RebuildRuns;
        var summary = trips.Summary();
        var total = summary.Sum(s => s.Ms) / 1000;
        var batches = Math.Ceiling(events / (double)SupervisionProjection.RebuildBatchSize) * runs;
        Log($"rebuild.supervision profile over {runs} rebuilds ({seconds / runs:F1} s each, ~{batches / runs:N0} daemon batches of {SupervisionProjection.RebuildBatchSize:N0} events): "
            + $"{summary.Sum(s => s.Count) / (double)runs:N0} round trips per rebuild through Marten sessions took {total / seconds:P0} of the time; the rest is the fold, serialization and the daemon:");
        foreach (var (kind, count, ms) in summary.Take(10))
            Log($"  {kind,-70} {count / batches,6:F1} per batch × {ms / Math.Max(1, count),6:F2} ms = {ms / 1000 / runs,6:F1} s per rebuild");
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
