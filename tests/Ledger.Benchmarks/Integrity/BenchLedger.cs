using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ledger.Infrastructure.Integrity;
using Ledger.Infrastructure.Store;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Benchmarks.Integrity;

/// <summary>
/// A ledger of a given number of events for the integrity cases: the schema as the ledger creates it
/// (<see cref="LedgerStore.Create"/>, then <see cref="IntegritySchema"/>), filled with progress
/// reports written straight into mt_streams and mt_events by binary COPY — the rows the API would
/// write (the event JSON of <c>ProgressReported</c>, its headers, actor, correlation id), spread
/// round-robin over thousands of commitment streams, sequence numbers 1 … N without gaps and the
/// schema's <c>mt_events_sequence</c> advanced past them. Not timed.
/// </summary>
public static class BenchLedger
{
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Indicators = ["months-class-iii", "monthly-class", "cod-mg-l", "ammonia-mg-l"];
    private static readonly string[] Governments = ["430181", "360322", "430281"];

    /// <summary>Thousands of streams: 1,000 for small ledgers, up to 5,000 (200 events each at 1M).</summary>
    public static int StreamsFor(long events) => (int)Math.Clamp(events / 20, 1_000, 5_000);

    /// <summary>Creates <paramref name="schema"/> afresh and writes <paramref name="events"/> events into it.</summary>
    public static async Task CreateAsync(NpgsqlDataSource db, string connectionString, string schema, int events, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        await using (var drop = db.CreateCommand($"drop schema if exists \"{schema}\" cascade"))
            await drop.ExecuteNonQueryAsync(ct);
        await using (var store = LedgerStore.Create(connectionString, schema, TimeProvider.System))
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await IntegritySchema.EnsureAsync(db, schema, ct);

        var streams = StreamsFor(events);
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            // Skips the foreign key's per-row trigger during the load (the rows are consistent by
            // construction; the append-only trigger fires on update/delete only). Superuser only:
            // without it the load is merely slower.
            var replica = await TryAdminAsync(connection, "set session_replication_role = replica", ct);
            await CopyStreamsAsync(connection, schema, streams, events, ct);
            await CopyEventsAsync(connection, schema, streams, events, ct);
            await using var reset = new NpgsqlCommand(
                (replica ? "set session_replication_role = origin; " : "") + $"select setval('\"{schema}\".mt_events_sequence', {events})", connection);
            await reset.ExecuteNonQueryAsync(ct);
        }
        var loaded = watch.Elapsed.TotalSeconds;
        // Hint bits, visibility map and statistics now, and a checkpoint, so no timed run pays for the load.
        foreach (var table in new[] { "mt_events", "mt_streams" })
        {
            await using var vacuum = db.CreateCommand($"vacuum (analyze) \"{schema}\".{table}");
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync(ct);
        }
        await using (var connection = await db.OpenConnectionAsync(ct))
            await TryAdminAsync(connection, "checkpoint", ct);
        await using var size = db.CreateCommand($"select pg_size_pretty(pg_total_relation_size('\"{schema}\".mt_events'))");
        Log($"{schema}: {events:N0} events in {streams:N0} streams written in {loaded:F1} s, vacuumed in {watch.Elapsed.TotalSeconds - loaded:F1} s; mt_events {await size.ExecuteScalarAsync(ct)}");
    }

    /// <summary>The stream of event <paramref name="seq"/> (1-based): round-robin, so streams interleave as they do live.</summary>
    public static string StreamId(long seq, int streams) => $"commitment/bench-{(seq - 1) % streams:D5}";

    private static async Task CopyStreamsAsync(NpgsqlConnection connection, string schema, int streams, long events, CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync(
            $"copy \"{schema}\".mt_streams (id, type, version, timestamp, created, tenant_id, is_archived) from stdin (format binary)", ct);
        for (var s = 0; s < streams; s++)
        {
            var version = events / streams + (s < events % streams ? 1 : 0);
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(StreamId(s + 1, streams), NpgsqlDbType.Varchar, ct);
            await copy.WriteNullAsync(ct);
            await copy.WriteAsync(version, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(Timestamp(events), NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(Timestamp(s + 1), NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync("*DEFAULT*", NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(false, NpgsqlDbType.Boolean, ct);
        }
        await copy.CompleteAsync(ct);
    }

    private static async Task CopyEventsAsync(NpgsqlConnection connection, string schema, int streams, long events, CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync(
            $"copy \"{schema}\".mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, causation_id, headers, user_name, is_archived) from stdin (format binary)", ct);
        copy.Timeout = TimeSpan.FromMinutes(30);
        var random = new Random(9162);
        var data = new StringBuilder(512);
        for (long seq = 1; seq <= events; seq++)
        {
            var stream = (int)((seq - 1) % streams);
            var version = (seq - 1) / streams + 1;
            var government = Governments[stream % Governments.Length];
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(seq, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(Guid.CreateVersion7(Timestamp(seq)), NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(StreamId(seq, streams), NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(version, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(Report(data, random, stream, version, government, Timestamp(seq)), NpgsqlDbType.Jsonb, ct);
            await copy.WriteAsync("progress_reported.v1", NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(Timestamp(seq), NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync("*DEFAULT*", NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync("Ledger.Contracts.ProgressReported, Ledger.Contracts", NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()), NpgsqlDbType.Varchar, ct);
            await copy.WriteNullAsync(ct);
            await copy.WriteAsync($$"""{"actor-role": "government", "idempotency-key": "bench-{{seq}}", "actor-government": "{{government}}"}""", NpgsqlDbType.Jsonb, ct);
            await copy.WriteAsync($"government:{government}", NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(false, NpgsqlDbType.Boolean, ct);
        }
        await copy.CompleteAsync(ct);
    }

    // One event every 37.123 ms from 2024-01-01, with microseconds (PostgreSQL keeps microseconds).
    private static DateTimeOffset Timestamp(long seq) => Start.AddTicks(seq * 371_230);

    // The JSON Marten stores for a ProgressReported (camelCase, System.Text.Json): one or two indicator
    // values, whole and fractional, a narrative with some Chinese, the reporter and when.
    private static string Report(StringBuilder json, Random random, int stream, long version, string government, DateTimeOffset at)
    {
        var month = (int)(version % 12) + 1;
        var year = 2021 + (int)(version / 12 % 5);
        var commitment = $"bench-{stream:D5}";
        json.Clear();
        json.Append(CultureInfo.InvariantCulture, $$"""{"commitmentId":"{{commitment}}","reportId":"m-{{year}}-{{month:D2}}-{{version:D4}}","period":"{{year}}-{{month:D2}}","asOf":"{{year}}-{{month:D2}}-28","values":[""");
        var values = 1 + random.Next(2);
        for (var v = 0; v < values; v++)
        {
            if (v > 0) json.Append(',');
            var indicator = Indicators[(stream + v) % Indicators.Length];
            var value = v == 0 ? random.Next(0, 13).ToString(CultureInfo.InvariantCulture) : (random.Next(0, 4000) / 100.0).ToString("R", CultureInfo.InvariantCulture);
            var text = random.Next(3) == 0 ? "\"Class III\"" : "null";
            json.Append(CultureInfo.InvariantCulture, $$"""{"indicatorId":"{{indicator}}","value":{{value}},"text":{{text}}}""");
        }
        json.Append(CultureInfo.InvariantCulture, $$"""],"narrative":"{{year}}年{{month}}月：{{commitment}} 断面水质达到Ⅲ类 (border section at Class III), report {{version}}.","reportedBy":"government:{{government}}","reportedAt":"{{at.AddDays(3):yyyy-MM-ddTHH:mm:ss.fffffffzzz}}"}""");
        return json.ToString();
    }

    /// <summary>
    /// Runs a statement that needs a superuser (or, for CHECKPOINT, pg_checkpoint); false, once said,
    /// when the bench's role lacks the privilege.
    /// </summary>
    public static async Task<bool> TryAdminAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        try
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync(ct);
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            if (Warned.Add(sql))
                Log($"'{sql}' needs more privileges than the bench's role has; going on without it (figures may be noisier)");
            return false;
        }
    }

    private static readonly HashSet<string> Warned = new(StringComparer.Ordinal);

    private static void Log(string line) => Console.Error.WriteLine("bench: " + line);
}
