using System.Text.Json;
using Ledger.Benchmarks.Queries;
using Ledger.Benchmarks.Reporting;
using Ledger.Benchmarks.Zone;
using Ledger.Contracts;
using Ledger.Infrastructure.Audit;
using Ledger.Projections;
using Npgsql;

namespace Ledger.Benchmarks.Replay;

/// <summary>
/// The auditor's replay of one commitment with a <see cref="ZoneLedger.FeedEvents"/>-event history
/// (the generated monitoring feed), one replay after another (replays/s, p50/p99):
/// <list type="bullet">
/// <item><c>replay.history</c>: ours GET /api/audit/commitments/{id}/events (every event with its
/// envelope, as JSON); the peer Marten's <c>FetchStreamAsync</c> of the stream; the limit the stream's
/// rows read raw by Npgsql.</item>
/// <item><c>replay.as-of</c>: ours GET /api/audit/commitments/{id}/as-of?version=N at the last version
/// (the whole history replayed into the commitment record); the peer Marten's
/// <c>AggregateStreamAsync&lt;CommitmentRecord&gt;</c> to the same version; the limit the same raw read.</item>
/// <item><c>replay.views</c>: ours alone, GET /api/audit/views/governments/{id}?at=T at times spread over the
/// ledger's span (the supervision views as they were), from the nearest of the snapshots taken every
/// tenth of the ledger (<see cref="ViewSnapshots.DefaultEvery"/> events at a million); and <c>replay.views.first-event</c>, the same questions
/// before any snapshot is taken (each replays from the first event).</item>
/// </list>
/// </summary>
public sealed class ReplayCase(BenchSettings settings, ZoneApi api, NpgsqlDataSource db, string schema)
{
    public async Task<IReadOnlyList<CaseResult>> RunAsync(CancellationToken ct)
    {
        var key = StreamKeys.Commitment(ZoneLedger.FeedCommitment);
        var rows = await RawReadAsync(key, ct);
        if (rows != ZoneLedger.FeedEvents) throw new InvalidOperationException($"{key} holds {rows} events, not {ZoneLedger.FeedEvents}");

        var history = await MeasureAsync("replay.history",
            async () =>
            {
                using var body = JsonDocument.Parse(await api.GetAsync($"/api/audit/commitments/{ZoneLedger.FeedCommitment}/events", ct));
                return body.RootElement.GetProperty("count").GetInt32();
            },
            async () =>
            {
                await using var session = api.Store.QuerySession();
                return (await session.Events.FetchStreamAsync(key, token: ct)).Count;
            },
            () => RawReadAsync(key, ct), ct);

        var asOf = await MeasureAsync("replay.as-of",
            async () =>
            {
                using var body = JsonDocument.Parse(await api.GetAsync($"/api/audit/commitments/{ZoneLedger.FeedCommitment}/as-of?version={ZoneLedger.FeedEvents}", ct));
                return (int)body.RootElement.GetProperty("version").GetInt64();
            },
            async () =>
            {
                await using var session = api.Store.QuerySession();
                var record = await session.Events.AggregateStreamAsync<CommitmentRecord>(key, version: ZoneLedger.FeedEvents, token: ct)
                    ?? throw new InvalidOperationException($"{key} replayed to nothing");
                return ZoneLedger.FeedEvents;
            },
            () => RawReadAsync(key, ct), ct);
        return [history, asOf, .. await ViewsAsync(ct)];
    }

    private async Task<IReadOnlyList<CaseResult>> ViewsAsync(CancellationToken ct)
    {
        var (first, last, government) = await SpanAsync(ct);
        var random = new Random(2026);
        var times = Enumerable.Range(0, 64).Select(_ => first + (last - first) * random.NextDouble()).ToArray();
        var asked = 0;
        async Task Ask()
        {
            var at = Uri.EscapeDataString(times[asked++ % times.Length].ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            using var body = JsonDocument.Parse(await api.GetAsync($"/api/audit/views/governments/{government}?at={at}", ct));
            GC.KeepAlive(body.RootElement.GetProperty("asOf"));
        }

        // Before any snapshot: each question replays from the first event (a few; they are slow).
        var before = await Measurement.RunAsync(1, settings.ReplayRuns, async (_, _) => await Ask());
        Log($"replay.views   before snapshots: {before.Operations} questions, p50 {before.P50Ms,8:F1} ms, p99 {before.P99Ms,8:F1} ms");

        await ViewSnapshots.EnsureAsync(db, schema, ct);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        // A tenth of the ledger apart: the default's 100,000 at a million events.
        var every = Math.Max(1_000, settings.ZoneEvents / 10);
        var taken = await ViewSnapshots.ExtendAsync(api.Store, every, null, ct);
        Log($"replay.views   {taken.Count} snapshots (every {every:N0} events, up to {taken.LastOrDefault():N0}) taken in {watch.Elapsed.TotalSeconds:F1} s");

        var runs = new List<RunResult>();
        for (var run = 1; run <= settings.ReplayRuns; run++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var result = await Measurement.RunAsync(1, settings.ReplaysPerRun, async (_, _) => await Ask());
            runs.Add(result);
            Log($"replay.views   ours  run {run}/{settings.ReplayRuns}: {result.Operations,3} questions in {result.Seconds,5:F2} s, p50 {result.P50Ms,7:F1} ms, p99 {result.P99Ms,7:F1} ms");
        }
        return
        [
            CaseResult.OursOnly("replay.views", "replays/s", runs),
            CaseResult.OursOnly("replay.views.first-event", "replays/s", [before]),
        ];
    }

    /// <summary>The times of the ledger's first and last events, and a government the views hold.</summary>
    private async Task<(DateTimeOffset First, DateTimeOffset Last, string Government)> SpanAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"""
            select (select min(timestamp) from "{schema}".mt_events), (select max(timestamp) from "{schema}".mt_events),
                   (select min(id) from "{schema}".mt_streams where id like 'government/%')
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetFieldValue<DateTimeOffset>(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2)["government/".Length..]);
    }

    /// <summary>Every row of the stream in version order, each column read, as a replay must read them.</summary>
    private async Task<int> RawReadAsync(string key, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"select seq_id, version, type, data, timestamp, headers, user_name, correlation_id, causation_id from \"{schema}\".mt_events where stream_id = $1 order by version");
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = 0;
        long checksum = 0;
        while (await reader.ReadAsync(ct))
        {
            rows++;
            checksum += reader.GetInt64(0) + reader.GetInt64(1) + reader.GetString(2).Length + reader.GetString(3).Length
                + reader.GetFieldValue<DateTimeOffset>(4).UtcTicks + (reader.IsDBNull(5) ? 0 : reader.GetString(5).Length) + reader.GetString(6).Length;
        }
        GC.KeepAlive(checksum);
        return rows;
    }

    private async Task<CaseResult> MeasureAsync(string name, Func<Task<int>> ours, Func<Task<int>> peer, Func<Task<int>> limit, CancellationToken ct)
    {
        var targets = new (string Name, Func<Task<int>> Op)[] { ("ours", ours), ("peer", peer), ("limit", limit) };
        foreach (var (target, op) in targets)
        {
            var events = await op();
            if (events != ZoneLedger.FeedEvents) throw new InvalidOperationException($"{name} {target} replayed {events} events, not {ZoneLedger.FeedEvents}");
        }
        var runs = targets.ToDictionary(t => t.Name, _ => new List<RunResult>());
        for (var run = 1; run <= settings.ReplayRuns; run++)
        {
            for (var t = 0; t < targets.Length; t++)
            {
                var (target, op) = targets[(t + run - 1) % targets.Length];
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var result = await Measurement.RunAsync(1, settings.ReplaysPerRun, async (_, _) => await op());
                runs[target].Add(result);
                Log($"{name,-14} {target,-5} run {run}/{settings.ReplayRuns}: {result.Operations,3} replays of {ZoneLedger.FeedEvents:N0} events in {result.Seconds,5:F2} s = {result.Throughput,6:F2}/s, p50 {result.P50Ms,7:F1} ms, p99 {result.P99Ms,7:F1} ms");
            }
        }
        ct.ThrowIfCancellationRequested();
        return CaseResult.From(name, runs["ours"], runs["peer"], runs["limit"]) with { Unit = "replays/s", Events = ZoneLedger.FeedEvents };
    }

    private static void Log(string line) => Console.Error.WriteLine("bench: " + line);
}
