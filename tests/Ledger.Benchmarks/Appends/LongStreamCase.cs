using System.Diagnostics;
using Ledger.Benchmarks.Reporting;
using Ledger.Contracts;
using Ledger.Infrastructure.Store;
using Npgsql;

namespace Ledger.Benchmarks.Appends;

/// <summary>
/// Whether an append costs more the longer its commitment has lived (issue 15: the ratio should be
/// 0.8 or more). Progress reports are POSTed to the API child as in the append case, by
/// <see cref="Clients"/> clients each on a commitment of its own, in two shapes that take turns run by
/// run (the order alternating): short, commitments with <see cref="ShortPrior"/> prior reports (fresh
/// ones every run, and a client moves to another fresh one after that many reports, so each stays
/// below twice it); long, the same commitments with <see cref="LongPrior"/> prior reports in every run
/// (they grow by the runs' reports). The ratio is the median over runs of long/short throughput.
/// </summary>
public sealed class LongStreamCase(BenchSettings settings, string connectionString)
{
    public const string Schema = "bench_long";
    public const int Clients = 8;
    public const int ShortPrior = 10;
    public const int LongPrior = 10_000;

    // A short run registers a commitment per ShortPrior reports, and the API keeps the decider's state of
    // at most 4,096 streams (WriteSettings.CachedStreams) before starting afresh, which would make the
    // long streams be read whole again: the runs stay well below that.
    private const int MaxOperationsPerClient = 200;
    private const int WarmupOperationsPerClient = 5;

    public static string ShortCase => $"append.prior{ShortPrior}.c{Clients}";

    public static string LongCase => $"append.prior{LongPrior}.c{Clients}";

    public static string RatioCase => $"append.prior{LongPrior}.c{Clients}.ratio";

    public async Task<IReadOnlyList<CaseResult>> RunAsync()
    {
        await using var ours = await OursHttp.StartAsync(connectionString, Schema);
        await using var store = LedgerStore.Create(connectionString, Schema, TimeProvider.System);
        await using var db = NpgsqlDataSource.Create(connectionString);
        var prior = new PriorReports(store);

        string[] longIds = [.. Enumerable.Range(0, Clients).Select(c => $"long-{c:D2}")];
        var seeding = Stopwatch.StartNew();
        await SeedAsync(ours, prior, longIds, LongPrior, progress: true);
        Log($"seeded {Clients} commitments with {LongPrior:N0} prior reports each (registered, and the last report posted, through the API) in {seeding.Elapsed.TotalSeconds:F1} s");
        var settling = Stopwatch.StartNew();
        await SettleAsync(db);
        Log($"the API's projection daemon and Merkle worker caught up and the tables were vacuumed in {settling.Elapsed.TotalSeconds:F1} s");
        var seeded = await RecordSizesAsync(db, longIds);
        Log($"long commitments' records at {LongPrior:N0} reports: {seeded}");

        var shortRuns = new List<RunResult>();
        var longRuns = new List<RunResult>();
        // Two warm-ups per shape, as the append case does: the first pays for the code paths' first use.
        RunResult warmShort = null!, warmLong = null!;
        for (var w = 1; w <= 2; w++)
        {
            warmShort = await ShortAsync(ours, prior, $"sw{w}", WarmupOperationsPerClient);
            warmLong = await LongAsync(ours, longIds, $"lw{w}", WarmupOperationsPerClient);
        }
        var shortPerClient = Size(warmShort);
        var longPerClient = Size(warmLong);
        Log($"{ShortCase} warm: {warmShort.Throughput,8:F1} ops/s → {shortPerClient} ops per client per run");
        Log($"{LongCase} warm: {warmLong.Throughput,8:F1} ops/s → {longPerClient} ops per client per run");

        var ratios = new List<double>();
        for (var run = 1; run <= settings.LongStreamRuns; run++)
        {
            RunResult s, l;
            if (run % 2 == 1)
            {
                s = await ShortAsync(ours, prior, $"s{run}", shortPerClient);
                l = await LongAsync(ours, longIds, $"l{run}", longPerClient);
            }
            else
            {
                l = await LongAsync(ours, longIds, $"l{run}", longPerClient);
                s = await ShortAsync(ours, prior, $"s{run}", shortPerClient);
            }
            shortRuns.Add(s);
            longRuns.Add(l);
            ratios.Add(l.Throughput / s.Throughput);
            LogRun(ShortCase, run, s);
            LogRun(LongCase, run, l);
        }

        var ended = await RecordSizesAsync(db, longIds);
        var ratio = Measurement.Median(ratios);
        var shortResult = CaseResult.OursOnly(ShortCase, CaseResult.OpsPerSecond, shortRuns);
        var longResult = CaseResult.OursOnly(LongCase, CaseResult.OpsPerSecond, longRuns) with
        {
            PeakRssMb = Math.Round(ours.ApiPeakRssMb, 1),
            RecordBytesAvg = seeded.StoredAvg,
            RecordBytesMax = seeded.StoredMax,
        };
        Log($"long-stream: {LongPrior:N0} prior reports {longResult.Ours:F1} ops/s (p50 {longResult.P50Ms:F1} ms, p99 {longResult.P99Ms:F1} ms) "
            + $"against {ShortPrior} prior reports {shortResult.Ours:F1} ops/s (p50 {shortResult.P50Ms:F1} ms, p99 {shortResult.P99Ms:F1} ms): "
            + $"ratio {ratio:F3} (median of the runs' {string.Join(", ", ratios.Select(r => r.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}; target ≥ 0.8); "
            + $"records by the end: {ended}");
        return
        [
            shortResult,
            longResult,
            new CaseResult(RatioCase, CaseResult.LongOverShort, CaseResult.Round(ratio, 3), null, null, null, null, null, null, null, null, null, null, ratios.Count),
        ];
    }

    /// <summary>Operations per client for a run of about <see cref="BenchSettings.SecondsPerRun"/> at the warm-up's rate, within the bounds.</summary>
    private int Size(RunResult warm) =>
        (int)Math.Clamp(Math.Ceiling(warm.Throughput * settings.SecondsPerRun / Clients), settings.LongStreamMinOperations, MaxOperationsPerClient);

    /// <summary>
    /// Registers and activates the commitments through the API, appends all but the last of their
    /// <paramref name="reports"/> prior reports in-process, and POSTs the last one, so the API node holds
    /// each stream's state as it does for a stream it writes (its cached state from the registration is
    /// stale after the in-process appends, and the first POST reads the stream again).
    /// </summary>
    private static async Task SeedAsync(OursHttp ours, PriorReports prior, IReadOnlyList<string> ids, int reports, bool progress)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Clients };
        await Parallel.ForEachAsync(ids, parallel, async (id, _) => await ours.ActiveCommitmentAsync(id));

        var watch = Stopwatch.StartNew();
        var total = (long)ids.Count * (reports - 1);
        long done = 0, batches = 0;
        await prior.AppendAsync(ids, 0, reports - 1, parallelism: 4, appended: n =>
        {
            var now = Interlocked.Add(ref done, n);
            if (progress && Interlocked.Increment(ref batches) % 16 == 0)
                Log($"seeding: {now:N0} of {total:N0} prior reports in {watch.Elapsed.TotalSeconds:F1} s ({now / watch.Elapsed.TotalSeconds:F0} events/s)");
        });
        var last = reports - 1;
        await Parallel.ForEachAsync(ids, parallel, async (id, _) =>
            await ours.ReportAsync(id, $"prior-{last:D6}", last % 97, $"Report {last} on 2024."));
    }

    private static async Task<RunResult> LongAsync(OursHttp ours, string[] ids, string run, int perClient)
    {
        Collect();
        return await Measurement.RunAsync(Clients, perClient, (client, index) =>
            ours.ReportAsync(ids[client], $"{run}-{index:D4}", index % 97, $"Benchmark report {index} from client {client}."));
    }

    private static async Task<RunResult> ShortAsync(OursHttp ours, PriorReports prior, string run, int perClient)
    {
        static string Id(string run, int client, int index) => $"short-{run}-{client:D2}-{index / ShortPrior:D3}";
        var perStream = Enumerable.Range(0, (perClient + ShortPrior - 1) / ShortPrior);
        await SeedAsync(ours, prior, [.. Enumerable.Range(0, Clients).SelectMany(c => perStream.Select(s => Id(run, c, s * ShortPrior)))], ShortPrior, progress: false);
        Collect();
        return await Measurement.RunAsync(Clients, perClient, (client, index) =>
            ours.ReportAsync(Id(run, client, index), $"{run}-{index:D4}", index % 97, $"Benchmark report {index} from client {client}."));
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    /// <summary>
    /// Waits until the API's asynchronous projections (the daemon's own high-water rows aside) and its
    /// Merkle worker have reached the last event (the seeding wrote tens of thousands at once, and
    /// their catching up would share the runs' cores), then vacuums the records and events, whose
    /// rewrites left dead rows behind.
    /// </summary>
    private static async Task SettleAsync(NpgsqlDataSource db)
    {
        var waited = Stopwatch.StartNew();
        var logged = TimeSpan.Zero;
        while (true)
        {
            await using var positions = db.CreateCommand(
                $"select (select coalesce(max(seq_id), 0) from \"{Schema}\".mt_events), "
                + $"(select coalesce(min(last_seq_id), 0) from \"{Schema}\".mt_event_progression where name not like 'HighWater%'), "
                + $"(select coalesce(max(last_seq), 0) from \"{Schema}\".ledger_merkle_state)");
            await using var reader = await positions.ExecuteReaderAsync();
            await reader.ReadAsync();
            var (head, daemon, merkle) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            if (daemon >= head && merkle >= head) break;
            if (waited.Elapsed > TimeSpan.FromMinutes(10))
            {
                Log($"warning: after 10 minutes the daemon is at {daemon:N0} and the Merkle worker at {merkle:N0} of {head:N0}; measuring anyway");
                break;
            }
            if (waited.Elapsed - logged >= TimeSpan.FromSeconds(10))
            {
                logged = waited.Elapsed;
                Log($"settling: daemon at {daemon:N0}, Merkle worker at {merkle:N0} of {head:N0} events");
            }
            await Task.Delay(500);
        }
        foreach (var table in new[] { "mt_doc_commitmentrecord", "mt_events", "mt_streams" })
        {
            await using var vacuum = db.CreateCommand($"vacuum (analyze) \"{Schema}\".\"{table}\"");
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync();
        }
    }

    /// <summary>The commitments' record documents: as stored (pg_column_size, after compression) and as JSON text.</summary>
    private static async Task<RecordSizes> RecordSizesAsync(NpgsqlDataSource db, IEnumerable<string> ids)
    {
        await using var command = db.CreateCommand(
            $"select avg(pg_column_size(data))::float8, max(pg_column_size(data)), avg(octet_length(data::text))::float8, max(octet_length(data::text)) "
            + $"from \"{Schema}\".mt_doc_commitmentrecord where id = any($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = ids.Select(StreamKeys.Commitment).ToArray() });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new RecordSizes((long)reader.GetDouble(0), reader.GetInt32(1), (long)reader.GetDouble(2), reader.GetInt32(3));
    }

    private sealed record RecordSizes(long StoredAvg, long StoredMax, long TextAvg, long TextMax)
    {
        public override string ToString() =>
            $"stored (pg_column_size) avg {StoredAvg / 1024.0:N0} KB, max {StoredMax / 1024.0:N0} KB; as JSON text avg {TextAvg / 1024.0:N0} KB, max {TextMax / 1024.0:N0} KB";
    }

    private static void LogRun(string name, int run, RunResult r) =>
        Log($"{name} run {run}: {r.Operations,6} ops in {r.Seconds,6:F2} s = {r.Throughput,8:F1} ops/s, p50 {r.P50Ms,8:F2} ms, p99 {r.P99Ms,8:F2} ms");

    private static void Log(string line) => Console.Error.WriteLine("bench: " + line);
}
