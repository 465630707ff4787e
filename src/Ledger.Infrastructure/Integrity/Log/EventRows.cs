using System.Runtime.CompilerServices;
using System.Text.Json;
using Ledger.Integrity.Leaves;
using Npgsql;

namespace Ledger.Infrastructure.Integrity;

/// <summary>Stored events read straight from mt_events, in sequence order, as leaf envelopes.</summary>
public static class EventRows
{
    public static string Select(string schema) => $"""
        select seq_id, stream_id, version, type, timestamp, user_name, headers::text, correlation_id, causation_id, data::text
        from "{schema}".mt_events
        """;

    public static LeafEnvelope Read(NpgsqlDataReader r)
    {
        string? role = null, government = null;
        if (!r.IsDBNull(6))
        {
            using var headers = JsonDocument.Parse(r.GetString(6));
            if (headers.RootElement.TryGetProperty(Writing.EnvelopeHeaders.ActorRole, out var x) && x.ValueKind == JsonValueKind.String) role = x.GetString();
            if (headers.RootElement.TryGetProperty(Writing.EnvelopeHeaders.ActorGovernment, out var g) && g.ValueKind == JsonValueKind.String) government = g.GetString();
        }
        using var data = JsonDocument.Parse(r.GetString(9));
        return new LeafEnvelope(
            r.GetInt64(0),
            r.IsDBNull(1) ? "" : r.GetString(1),
            r.GetInt64(2),
            r.GetString(3),
            r.GetFieldValue<DateTimeOffset>(4),
            r.IsDBNull(5) ? null : r.GetString(5),
            role,
            government,
            r.IsDBNull(7) ? null : r.GetString(7),
            r.IsDBNull(8) ? null : r.GetString(8),
            data.RootElement.Clone());
    }

    /// <summary>Events after a sequence number, in order, streamed (constant memory).</summary>
    public static async IAsyncEnumerable<LeafEnvelope> AfterAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string schema, long afterSeq,
        int? limit, [EnumeratorCancellation] CancellationToken ct)
    {
        var sql = Select(schema) + " where seq_id > @after order by seq_id" + (limit is null ? "" : " limit @limit");
        await using var command = new NpgsqlCommand(sql, connection, tx);
        command.Parameters.AddWithValue("after", afterSeq);
        if (limit is not null) command.Parameters.AddWithValue("limit", limit.Value);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            yield return Read(reader);
    }
}
