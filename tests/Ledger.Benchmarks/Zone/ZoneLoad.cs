using System.Diagnostics;
using Ledger.Benchmarks.Integrity;
using Ledger.Contracts;
using Ledger.Infrastructure.Store;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Benchmarks.Zone;

/// <summary>
/// Writes a <see cref="ZoneLedger"/> into a fresh schema as the ledger creates it
/// (<see cref="LedgerStore.Create"/>) by binary COPY into mt_streams and mt_events, in the layout
/// Marten's quick append writes: each event's JSON from the store's own serializer, its stored type
/// name (<c>EventNames</c>) and .NET type, the envelope headers (actor role and government), the actor
/// as user name, a correlation id, the event's own time as its timestamp, stream versions 1 … n and
/// sequence numbers 1 … N in the ledger's order, and <c>mt_events_sequence</c> advanced past them.
/// The streams' versions are counted in a first pass over the (deterministic) generator. Not timed as
/// a case; the rate is logged.
/// </summary>
public static class ZoneLoad
{
    public sealed record Loaded(long Events, int Streams, double Seconds);

    public static async Task<Loaded> CreateAsync(NpgsqlDataSource db, string connectionString, string schema, ZoneLedger zone, CancellationToken ct)
    {
        await using (var drop = db.CreateCommand($"drop schema if exists \"{schema}\" cascade"))
            await drop.ExecuteNonQueryAsync(ct);
        await using var store = LedgerStore.Create(connectionString, schema, TimeProvider.System);
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();

        var streams = new Dictionary<string, (long Version, DateTimeOffset Created, DateTimeOffset Last)>(StringComparer.Ordinal);
        foreach (var e in zone.Events())
        {
            streams[e.Stream] = streams.TryGetValue(e.Stream, out var s) ? (s.Version + 1, s.Created, e.At) : (1, e.At, e.At);
        }

        var watch = Stopwatch.StartNew();
        long events;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            var replica = await BenchLedger.TryAdminAsync(connection, "set session_replication_role = replica", ct);
            await using (var copy = await connection.BeginBinaryImportAsync(
                $"copy \"{schema}\".mt_streams (id, type, version, timestamp, created, tenant_id, is_archived) from stdin (format binary)", ct))
            {
                foreach (var (id, s) in streams)
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(id, NpgsqlDbType.Varchar, ct);
                    await copy.WriteNullAsync(ct);
                    await copy.WriteAsync(s.Version, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(s.Last, NpgsqlDbType.TimestampTz, ct);
                    await copy.WriteAsync(s.Created, NpgsqlDbType.TimestampTz, ct);
                    await copy.WriteAsync("*DEFAULT*", NpgsqlDbType.Varchar, ct);
                    await copy.WriteAsync(false, NpgsqlDbType.Boolean, ct);
                }
                await copy.CompleteAsync(ct);
            }
            events = await CopyEventsAsync(connection, store, schema, zone, ct);
            await using var reset = new NpgsqlCommand(
                (replica ? "set session_replication_role = origin; " : "") + $"select setval('\"{schema}\".mt_events_sequence', {events})", connection);
            await reset.ExecuteNonQueryAsync(ct);
        }
        var seconds = watch.Elapsed.TotalSeconds;
        foreach (var table in new[] { "mt_events", "mt_streams" })
        {
            await using var vacuum = db.CreateCommand($"vacuum (analyze) \"{schema}\".{table}");
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync(ct);
        }
        await using var size = db.CreateCommand($"select pg_size_pretty(pg_total_relation_size('\"{schema}\".mt_events'))");
        Log($"{schema}: {events:N0} events in {streams.Count:N0} streams ({zone.Governments} governments, {zone.Agreements} agreements, {zone.Commitments:N0} commitments, "
            + $"5 evaluation cycles) written by COPY in {seconds:F1} s ({events / seconds:N0} events/s with serialization); mt_events {await size.ExecuteScalarAsync(ct)}");
        return new Loaded(events, streams.Count, seconds);
    }

    /// <summary>Each event type's stored name and .NET type name, as Marten writes them.</summary>
    private static (string Name, string DotNet) TypeOf(Type type) =>
        (EventNames.All[type], $"{type.FullName}, {type.Assembly.GetName().Name}");

    private static async Task<long> CopyEventsAsync(NpgsqlConnection connection, DocumentStore store, string schema, ZoneLedger zone, CancellationToken ct)
    {
        var serializer = store.Options.Serializer();
        var types = new Dictionary<Type, (string Name, string DotNet)>();
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var copy = await connection.BeginBinaryImportAsync(
            $"copy \"{schema}\".mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, causation_id, headers, user_name, is_archived) from stdin (format binary)", ct);
        copy.Timeout = TimeSpan.FromMinutes(30);
        long seq = 0;
        foreach (var e in zone.Events())
        {
            seq++;
            var version = versions[e.Stream] = versions.GetValueOrDefault(e.Stream) + 1;
            if (!types.TryGetValue(e.Data.GetType(), out var type))
                types[e.Data.GetType()] = type = TypeOf(e.Data.GetType());
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(seq, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(Guid.CreateVersion7(e.At), NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(e.Stream, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(version, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(serializer.ToJson(e.Data), NpgsqlDbType.Jsonb, ct);
            await copy.WriteAsync(type.Name, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(e.At, NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync("*DEFAULT*", NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(type.DotNet, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(seq.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType.Varchar, ct);
            await copy.WriteNullAsync(ct);
            await copy.WriteAsync(e.Government is null
                ? $$"""{"actor-role": "{{e.Role}}"}"""
                : $$"""{"actor-role": "{{e.Role}}", "actor-government": "{{e.Government}}"}""", NpgsqlDbType.Jsonb, ct);
            await copy.WriteAsync(e.Actor, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(false, NpgsqlDbType.Boolean, ct);
        }
        await copy.CompleteAsync(ct);
        return seq;
    }

    private static void Log(string line) => Console.Error.WriteLine("bench: " + line);
}
