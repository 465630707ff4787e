using Npgsql;

namespace Ledger.Infrastructure.Integrity;

/// <summary>The stored tree: leaf hashes and complete aligned subtrees, read for roots and proofs.</summary>
public sealed class MerkleStore(NpgsqlConnection connection, string schema, NpgsqlTransaction? tx = null) : IMerkleHashes
{
    public async ValueTask<byte[]> LeafHashAsync(long index, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select leaf_hash from \"{schema}\".ledger_merkle_leaves where leaf_index = @i", connection, tx);
        command.Parameters.AddWithValue("i", index);
        return await command.ExecuteScalarAsync(ct) as byte[]
            ?? throw new InvalidOperationException($"leaf {index} is not in the stored tree");
    }

    public async ValueTask<byte[]?> StoredSubtreeAsync(int level, long index, CancellationToken ct)
    {
        if (level == 0) return await LeafHashAsync(index, ct);
        await using var command = new NpgsqlCommand($"select hash from \"{schema}\".ledger_merkle_nodes where level = @l and node_index = @i", connection, tx);
        command.Parameters.AddWithValue("l", level);
        command.Parameters.AddWithValue("i", index);
        return await command.ExecuteScalarAsync(ct) as byte[];
    }

    public async Task<(long TreeSize, long LastSeq, byte[] Root)> StateAsync(bool forUpdate, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select tree_size, last_seq, root from \"{schema}\".ledger_merkle_state where id = 1" + (forUpdate ? " for update" : ""), connection, tx);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return (0, 0, Rfc9162.EmptyRoot);
        return (reader.GetInt64(0), reader.GetInt64(1), (byte[])reader[2]);
    }

    /// <summary>The leaf of one event, by sequence number or by stream and version.</summary>
    public async Task<(long LeafIndex, long Seq, string Stream, long Version)?> FindLeafAsync(long? seq, string? stream, long? version, CancellationToken ct)
    {
        var where = seq is not null ? "seq_id = @s" : "stream_id = @stream and version = @v";
        await using var command = new NpgsqlCommand($"select leaf_index, seq_id, stream_id, version from \"{schema}\".ledger_merkle_leaves where {where}", connection, tx);
        if (seq is not null) command.Parameters.AddWithValue("s", seq.Value);
        else
        {
            command.Parameters.AddWithValue("stream", stream ?? "");
            command.Parameters.AddWithValue("v", version ?? 0);
        }
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3));
    }
}
