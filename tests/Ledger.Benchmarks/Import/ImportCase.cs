using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Ledger.Benchmarks.Integrity;
using Ledger.Benchmarks.Reporting;
using Ledger.Benchmarks.Zone;
using Ledger.Contracts;
using Ledger.Infrastructure.Store;
using JasperFx.Events;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Benchmarks.Import;

/// <summary>
/// <c>import.bulk</c> (events/s): a generated pilot-zone ledger (<see cref="ZoneLedger"/>, the scenario's
/// shape at <see cref="BenchSettings.ZoneEvents"/>) written once as a JSON Lines file in the import
/// layout, then taken in three ways, each into an empty schema: ours is <c>ledger import</c> as an operator
/// runs it (the command-line tool in a process of its own, start-up included: every line checked, then
/// appended through Marten's sessions and the inline records built, in one transaction); the peer is
/// Marten's own bulk insert (binary COPY, no inline records, no checks) over the same file read whole;
/// the limit reads the file and writes its rows by binary COPY into a plain table. Medians of the runs; the tool's peak RSS
/// is reported (it must not grow with the file).
/// </summary>
public sealed class ImportCase(BenchSettings settings, string connectionString)
{
    public const string Schema = "bench_import";
    private const string Ours = "ours";
    private const string Peer = "peer";
    private const string Limit = "limit";
    private const int PeerChunk = 5_000;

    public async Task<CaseResult?> RunAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        if (VerifyChild.CliPath() is not { } cli)
        {
            Log("import.bulk: src/Ledger.Cli is not built in this configuration; the case needs the command-line tool and is left out");
            return null;
        }
        var file = Path.Combine(Path.GetTempPath(), $"ledger-bench-import-{Guid.NewGuid():N}.jsonl");
        try
        {
            var (events, streams, bytes) = await WriteFileAsync(file, ct);
            Log($"import.bulk: {events:N0} events in {streams:N0} streams written to a {bytes / 1048576.0:F0} MB file (untimed)");
            var rates = new Dictionary<string, List<double>> { [Ours] = [], [Peer] = [], [Limit] = [] };
            var rss = new List<double>();
            string[] order = [Ours, Peer, Limit];
            for (var run = 1; run <= settings.ImportRuns; run++)
            {
                for (var t = 0; t < order.Length; t++)
                {
                    var target = order[(t + run - 1) % order.Length];
                    await EmptySchemaAsync(db, ct);
                    double seconds;
                    if (target == Ours)
                    {
                        var outcome = await CliChild.RunAsync(cli, "import", [file], connectionString, Schema, [], ct);
                        if (!outcome.Output.Contains($"imported {events} events", StringComparison.Ordinal))
                            throw new InvalidOperationException($"ledger import said: {outcome.Output}");
                        seconds = outcome.Seconds;
                        rss.Add(outcome.PeakRssMb);
                        Log($"import.bulk ours: the tool said: {outcome.Output.Split('\n').Last().Trim()}");
                    }
                    else
                    {
                        var watch = Stopwatch.StartNew();
                        var rows = target == Peer ? await MartenAsync(file, ct) : await CopyAsync(db, file, ct);
                        seconds = watch.Elapsed.TotalSeconds;
                        if (rows != events) throw new InvalidOperationException($"import.bulk {target} wrote {rows} events, not {events}");
                    }
                    var stored = await CountAsync(db, target == Limit ? "copied" : "mt_events", ct);
                    if (stored != events) throw new InvalidOperationException($"import.bulk {target}: {stored} rows stored, not {events}");
                    rates[target].Add(events / seconds);
                    Log($"import.bulk {target,-5} run {run}/{settings.ImportRuns}: {events:N0} events in {seconds,6:F2} s = {events / seconds,9:F0} events/s"
                        + (target == Ours ? $", peak RSS {rss[^1]:F1} MB" : ""));
                }
            }
            return CaseResult.FromRates("import.bulk", "events/s", rates[Ours], rates[Peer], rates[Limit])
                with { Events = events, PeakRssMb = Math.Round(rss.Max(), 1) };
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The zone ledger as import lines (the leaf layout without sequence numbers), data as the store writes it.</summary>
    private async Task<(long Events, int Streams, long Bytes)> WriteFileAsync(string path, CancellationToken ct)
    {
        await using var store = LedgerStore.Create(connectionString, Schema, TimeProvider.System);
        var serializer = store.Options.Serializer();
        var streams = new HashSet<string>(StringComparer.Ordinal);
        long events = 0;
        await using (var stream = File.Create(path))
        {
            var line = new System.Buffers.ArrayBufferWriter<byte>(4096);
            foreach (var e in ZoneLedger.OfAbout(settings.ZoneEvents).Events())
            {
                line.ResetWrittenCount();
                using (var json = new Utf8JsonWriter(line))
                {
                    json.WriteStartObject();
                    json.WriteString("stream", e.Stream);
                    json.WriteString("type", EventNames.All[e.Data.GetType()]);
                    json.WriteString("timestamp", e.At);
                    json.WriteStartObject("actor");
                    json.WriteString("id", e.Actor);
                    json.WriteString("role", e.Role);
                    if (e.Government is null) json.WriteNull("government");
                    else json.WriteString("government", e.Government);
                    json.WriteEndObject();
                    json.WriteString("correlationId", $"bench-{events:x8}");
                    json.WriteNull("causationId");
                    json.WritePropertyName("data");
                    json.WriteRawValue(serializer.ToJson(e.Data), skipInputValidation: true);
                    json.WriteEndObject();
                }
                await stream.WriteAsync(line.WrittenMemory, ct);
                stream.WriteByte((byte)'\n');
                streams.Add(e.Stream);
                events++;
            }
        }
        return (events, streams.Count, new FileInfo(path).Length);
    }

    private async Task EmptySchemaAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using (var drop = db.CreateCommand($"drop schema if exists \"{Schema}\" cascade"))
            await drop.ExecuteNonQueryAsync(ct);
        await using (var store = LedgerStore.Create(connectionString, Schema, TimeProvider.System))
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using (var create = db.CreateCommand($"create table \"{Schema}\".copied (stream text not null, version int not null, type text not null, timestamp timestamptz not null, data jsonb not null)"))
            await create.ExecuteNonQueryAsync(ct);
        await using (var connection = await db.OpenConnectionAsync(ct))
            await BenchLedger.TryAdminAsync(connection, "checkpoint", ct);
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    /// <summary>
    /// The peer: Marten's own bulk path, <c>BulkInsertEventsAsync</c> (binary COPY in one transaction, no
    /// inline views, no checks), over the file read whole into memory and grouped by stream as it needs.
    /// </summary>
    private async Task<long> MartenAsync(string path, CancellationToken ct)
    {
        var types = EventNames.All.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
        var byStream = new Dictionary<string, List<(object Data, DateTimeOffset At)>>(StringComparer.Ordinal);
        long rows = 0;
        foreach (var line in File.ReadLines(path))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var stream = root.GetProperty("stream").GetString()!;
            if (!byStream.TryGetValue(stream, out var events)) byStream[stream] = events = [];
            events.Add((root.GetProperty("data").Deserialize(types[root.GetProperty("type").GetString()!], options)!, root.GetProperty("timestamp").GetDateTimeOffset()));
            rows++;
        }
        await using var store = LedgerStore.Create(connectionString, Schema, TimeProvider.System);
        var actions = new List<StreamAction>(byStream.Count);
        foreach (var (key, events) in byStream)
        {
            var action = StreamAction.Start(store.Events, key, [.. events.Select(e => e.Data)]);
            for (var i = 0; i < events.Count; i++) action.Events[i].Timestamp = events[i].At;
            actions.Add(action);
        }
        await store.BulkInsertEventsAsync(actions, PeerChunk, ct);
        return rows;
    }

    /// <summary>The limit: the file's rows by binary COPY into a plain table (versions counted per stream).</summary>
    private static async Task<long> CopyAsync(NpgsqlDataSource db, string path, CancellationToken ct)
    {
        var versions = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var copy = await connection.BeginBinaryImportAsync(
            $"copy \"{Schema}\".copied (stream, version, type, timestamp, data) from stdin (format binary)", ct);
        copy.Timeout = TimeSpan.FromMinutes(30);
        long rows = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var stream = root.GetProperty("stream").GetString()!;
            var version = versions[stream] = versions.GetValueOrDefault(stream) + 1;
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(stream, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(version, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(root.GetProperty("type").GetString()!, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(root.GetProperty("timestamp").GetDateTimeOffset(), NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(root.GetProperty("data").GetRawText(), NpgsqlDbType.Jsonb, ct);
            rows++;
        }
        await copy.CompleteAsync(ct);
        return rows;
    }

    private static async Task<long> CountAsync(NpgsqlDataSource db, string table, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select count(*) from \"{Schema}\".{table}");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static void Log(string line) => Console.Error.WriteLine("bench: " + line);
}
