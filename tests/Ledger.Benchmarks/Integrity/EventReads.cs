using System.Security.Cryptography;
using Ledger.Infrastructure.Integrity;
using Ledger.Integrity.Leaves;
using Npgsql;

namespace Ledger.Benchmarks.Integrity;

/// <summary>
/// The peers and limits of the integrity cases: the event rows read with the integrator's own query
/// (<see cref="EventRows.Select"/>, <c>where seq_id &gt; @after order by seq_id [limit @limit]</c>),
/// either in batches as the integrator reads them or in one stream as the verifier does, and per row
/// either only read (the limit) or also turned into the canonical leaf bytes and hashed with plain
/// SHA-256 (the peer: the work of a leaf without the tree and its storage).
/// </summary>
public static class EventReads
{
    /// <summary>What a pass read: the rows, the last sequence number, and a checksum of what was computed per row (so nothing is optimised away).</summary>
    public readonly record struct Pass(long Rows, long LastSeq, long Checksum);

    /// <summary>
    /// The limit: every row streamed through Npgsql, each column read into its .NET value
    /// (strings for the text and JSON columns), nothing parsed or encoded.
    /// </summary>
    public static Task<Pass> ReadOnlyAsync(NpgsqlDataSource db, string schema, int? batchSize, CancellationToken ct) =>
        PassAsync(db, schema, batchSize, RawRow, ct);

    /// <summary>
    /// The peer: every row read as the integrator reads it (<see cref="EventRows.Read"/>), encoded with
    /// <see cref="LeafEncoding.Encode"/> and hashed with <see cref="SHA256.HashData(byte[])"/>.
    /// </summary>
    public static Task<Pass> EncodeAndHashAsync(NpgsqlDataSource db, string schema, int? batchSize, CancellationToken ct) =>
        PassAsync(db, schema, batchSize, LeafRow, ct);

    private static long RawRow(NpgsqlDataReader r)
    {
        long sum = r.GetInt64(0) + r.GetInt64(2) + r.GetFieldValue<DateTimeOffset>(4).UtcTicks;
        for (var i = 1; i <= 9; i++)
        {
            if (i is 2 or 4 || r.IsDBNull(i)) continue;
            sum += r.GetString(i).Length;
        }
        return sum;
    }

    private static long LeafRow(NpgsqlDataReader r)
    {
        var hash = SHA256.HashData(LeafEncoding.Encode(EventRows.Read(r)));
        return BitConverter.ToInt64(hash);
    }

    private static async Task<Pass> PassAsync(NpgsqlDataSource db, string schema, int? batchSize, Func<NpgsqlDataReader, long> row, CancellationToken ct)
    {
        var sql = EventRows.Select(schema) + " where seq_id > @after order by seq_id" + (batchSize is null ? "" : " limit @limit");
        long rows = 0, after = 0, checksum = 0;
        while (true)
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            command.Parameters.AddWithValue("after", after);
            if (batchSize is not null) command.Parameters.AddWithValue("limit", batchSize.Value);
            var read = 0;
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    after = reader.GetInt64(0);
                    checksum ^= row(reader);
                    read++;
                }
            }
            rows += read;
            if (batchSize is null || read < batchSize) return new Pass(rows, after, checksum);
        }
    }
}
