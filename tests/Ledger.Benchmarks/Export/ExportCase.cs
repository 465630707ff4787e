using System.Diagnostics;
using System.Text.Json;
using Ledger.Benchmarks.Integrity;
using Ledger.Benchmarks.Reporting;
using Ledger.Infrastructure.Integrity;
using Ledger.Infrastructure.Store;
using Ledger.Integrity.Checkpoints;
using Marten;
using Npgsql;

namespace Ledger.Benchmarks.Export;

/// <summary>
/// <c>export.all</c> (events/s) over the integrity cases' small ledger, a tenth of
/// <see cref="BenchSettings.IntegrityEvents"/> (<see cref="BenchLedger"/>, its Merkle tree integrated):
/// reused when the integrity cases ran first in the same run, else generated and integrated here, untimed.
/// <list type="bullet">
/// <item>Ours: <c>ledger export --all --out DIR</c> in a child process (<see cref="ExportChild"/>),
/// timed from process start to exit: it signs a checkpoint, streams every event into canonical JSON
/// Lines, a CSV and one inclusion proof per event, hashes every file into the manifest, records the
/// export in the access log and renames the finished bundle into place.</item>
/// <item>Peer: the same events read through Marten (<c>QueryAllRawEvents</c> in sequence order,
/// deserialized) and written as JSON Lines with their envelope fields.</item>
/// <item>Limit: PostgreSQL's <c>COPY (select … from mt_events order by seq_id) TO STDOUT (FORMAT
/// BINARY)</c> of the columns the export reads, its bytes written to a file through Npgsql's raw copy
/// stream.</item>
/// </list>
/// Every target writes under a temporary folder and flushes its files to disk, as the export does
/// (<c>Flush(flushToDisk: true)</c>); the output is deleted after each run, untimed. Targets take turns,
/// the order rotating; medians of the runs. The peak RSS of the child is the highest over the timed
/// runs, and over one export of a ledger a tenth the size (the untimed warm-up): equal if the export's
/// memory does not grow with the ledger.
/// </summary>
public sealed class ExportCase(BenchSettings settings, string connectionString)
{
    /// <summary>The ledger exported: the integrity cases' small one, reused when they ran.</summary>
    public const string Schema = IntegrityCase.SmallSchema;

    /// <summary>A ledger a tenth the size, for the export's peak RSS beside the timed one's.</summary>
    public const string SmallSchema = "bench_export_small";

    private const string Ours = "ours", Peer = "peer", Limit = "limit";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<CaseResult?> RunAsync(CancellationToken ct = default)
    {
        if (VerifyChild.CliPath() is not { } cli)
        {
            Log("export.all: src/Ledger.Cli is not built in this configuration; the case needs the command-line tool and is left out");
            return null;
        }
        // The integrity cases' small ledger, a tenth of theirs: the export proves every event with its
        // own round trips to the stored tree, a few hundred events/s on two cores (measured), so a tenth
        // keeps --quick within its minutes.
        var events = Math.Max(1, settings.IntegrityEvents / 10);
        var smallEvents = Math.Max(1, events / 10);
        await using var db = NpgsqlDataSource.Create(connectionString);
        await EnsureLedgerAsync(db, SmallSchema, smallEvents, ct);
        await EnsureLedgerAsync(db, Schema, events, ct);

        var work = Directory.CreateTempSubdirectory("ledger-bench-export-out-");
        try
        {
            await using var small = LedgerStore.Create(connectionString, SmallSchema, TimeProvider.System);
            await using var store = LedgerStore.Create(connectionString, Schema, TimeProvider.System);

            // One pass of every target over the small ledger warms their code paths (and the big table
            // into the page cache with the limit's copy); the child's peak RSS over the small ledger comes from it.
            var warm = Stopwatch.StartNew();
            var little = await ExportChild.RunAsync(cli, connectionString, SmallSchema, Path.Combine(work.FullName, "warm-ours"), ct);
            await MartenJsonLinesAsync(small, Path.Combine(work.FullName, "warm-peer.jsonl"), ct);
            await CopyOutAsync(db, Schema, Path.Combine(work.FullName, "warm-limit.bin"), ct);
            Clear(work);
            Log($"export warm-up (every target once over the small ledger, the big table copied once) in {warm.Elapsed.TotalSeconds:F1} s; "
                + $"ledger export over {smallEvents:N0} events: peak RSS {little.PeakRssMb:F1} MB ({little.Method}), {little.Seconds:F1} s");

            var rates = new Dictionary<string, List<double>> { [Ours] = [], [Peer] = [], [Limit] = [] };
            var peakRss = 0.0;
            string[] order = [Ours, Peer, Limit];
            for (var run = 1; run <= settings.IntegrityRuns; run++)
            {
                for (var t = 0; t < order.Length; t++)
                {
                    var target = order[(t + run - 1) % order.Length];
                    var output = Path.Combine(work.FullName, $"{target}-{run}");
                    await CheckpointDatabaseAsync(db, ct);
                    var watch = Stopwatch.StartNew();
                    long rows;
                    var note = "";
                    switch (target)
                    {
                        case Ours:
                            var outcome = await ExportChild.RunAsync(cli, connectionString, Schema, output, ct);
                            rows = outcome.Events;
                            peakRss = Math.Max(peakRss, outcome.PeakRssMb);
                            note = $", peak RSS {outcome.PeakRssMb:F1} MB";
                            break;
                        case Peer:
                            rows = await MartenJsonLinesAsync(store, output, ct);
                            break;
                        default:
                            await CopyOutAsync(db, Schema, output, ct);
                            rows = events; // the copy selects every row; its size is logged below
                            break;
                    }
                    watch.Stop();
                    if (rows != events) throw new InvalidOperationException($"export.all {target} covered {rows} events, not {events}");
                    var seconds = watch.Elapsed.TotalSeconds;
                    rates[target].Add(rows / seconds);
                    Log($"export.all {target,-5} run {run}/{settings.IntegrityRuns}: {rows:N0} events in {seconds,6:F2} s = {rows / seconds,9:F0} events/s, "
                        + $"{Megabytes(output):F0} MB written{note}");
                    Clear(work);
                }
            }
            Log($"ledger export (child process) over {events:N0} events: peak RSS {peakRss:F1} MB; over {smallEvents:N0} events: {little.PeakRssMb:F1} MB");
            return CaseResult.FromRates("export.all", "events/s", rates[Ours], rates[Peer], rates[Limit]) with
            {
                Events = events,
                PeakRssMb = CaseResult.Round(peakRss, 1),
                PeakRssMbSmall = CaseResult.Round(little.PeakRssMb, 1),
                EventsSmall = smallEvents,
            };
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The ledger of <paramref name="events"/> events with its whole Merkle tree: kept when the schema
    /// already holds exactly that (the integrity cases ran first), else generated and integrated.
    /// </summary>
    private async Task EnsureLedgerAsync(NpgsqlDataSource db, string schema, int events, CancellationToken ct)
    {
        await using (var tables = db.CreateCommand($"select to_regclass('\"{schema}\".mt_events') is not null and to_regclass('\"{schema}\".ledger_merkle_leaves') is not null"))
        {
            if ((bool)(await tables.ExecuteScalarAsync(ct))!)
            {
                await using var counts = db.CreateCommand($"select (select count(*) from \"{schema}\".mt_events) = {events} and (select count(*) from \"{schema}\".ledger_merkle_leaves) = {events}");
                if ((bool)(await counts.ExecuteScalarAsync(ct))!)
                {
                    Log($"export.all: reusing {schema} ({events:N0} events, tree integrated)");
                    return;
                }
            }
        }
        await BenchLedger.CreateAsync(db, connectionString, schema, events, ct);
        using var signer = CheckpointSigner.Generate("bench");
        var watch = Stopwatch.StartNew();
        var checkpoint = await new LedgerIntegrity(db, schema, signer, TimeProvider.System, new MerkleIntegrator(db, schema)).CheckpointAsync(ct);
        if (checkpoint?.TreeSize != events)
            throw new InvalidOperationException($"{schema}: the checkpoint covers {checkpoint?.TreeSize ?? 0} events, not {events}");
        Log($"{schema}: tree integrated and signed in {watch.Elapsed.TotalSeconds:F1} s (untimed)");
    }

    /// <summary>The peer: every event through Marten in sequence order, one JSON object per line.</summary>
    private static async Task<long> MartenJsonLinesAsync(DocumentStore store, string path, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        await using var json = new Utf8JsonWriter(file);
        long count = 0;
        await foreach (var e in session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToAsyncEnumerable(ct))
        {
            JsonSerializer.Serialize(json, new PeerLine(e.Sequence, e.StreamKey, e.Version, e.EventTypeName, e.Timestamp, e.UserName,
                e.Headers, e.CorrelationId, e.CausationId, e.Data), Json);
            await json.FlushAsync(ct);
            file.WriteByte((byte)'\n');
            json.Reset();
            count++;
        }
        file.Flush(flushToDisk: true);
        return count;
    }

    private sealed record PeerLine(long Sequence, string? Stream, long Version, string Type, DateTimeOffset Timestamp, string? Actor,
        Dictionary<string, object>? Headers, string? CorrelationId, string? CausationId, object Data);

    /// <summary>The limit: the columns the export reads, in sequence order, copied out of PostgreSQL byte for byte into a file.</summary>
    private static async Task CopyOutAsync(NpgsqlDataSource db, string schema, string path, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        await using (var copy = await connection.BeginRawBinaryCopyAsync(
            $"copy (select seq_id, stream_id, version, type, timestamp, user_name, headers, correlation_id, causation_id, data from \"{schema}\".mt_events order by seq_id) to stdout (format binary)", ct))
        {
            copy.ReadTimeout = (int)TimeSpan.FromMinutes(30).TotalMilliseconds;
            await copy.CopyToAsync(file, 1 << 16, ct);
        }
        file.Flush(flushToDisk: true);
    }

    private static double Megabytes(string path) =>
        (File.Exists(path) ? new FileInfo(path).Length : Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length)) / 1048576.0;

    private static void Clear(DirectoryInfo work)
    {
        foreach (var entry in work.EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo dir) dir.Delete(recursive: true);
            else entry.Delete();
        }
    }

    // A PostgreSQL checkpoint before each timed run (untimed), so no run inherits the previous one's dirty pages.
    private static async Task CheckpointDatabaseAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using (var connection = await db.OpenConnectionAsync(ct))
            await BenchLedger.TryAdminAsync(connection, "checkpoint", ct);
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    private static void Log(string line) => Console.Error.WriteLine("bench: " + line);
}
