using Ledger.Integrity.Merkle;
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

    /// <summary>The stored leaf hashes of leaves <paramref name="lo"/> … <paramref name="hi"/>-1, in one statement.</summary>
    public async Task<Dictionary<long, byte[]>> LeafHashesAsync(long lo, long hi, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select leaf_index, leaf_hash from \"{schema}\".ledger_merkle_leaves where leaf_index >= @lo and leaf_index < @hi", connection, tx);
        command.Parameters.AddWithValue("lo", lo);
        command.Parameters.AddWithValue("hi", hi);
        var found = new Dictionary<long, byte[]>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) found[reader.GetInt64(0)] = (byte[])reader[1];
        return found;
    }

    /// <summary>
    /// The stored subtrees (level ≥ 1) at node indices <paramref name="lo"/> &gt;&gt; level − 1 …
    /// (<paramref name="hi"/> − 1) &gt;&gt; level + 1 of every level: those over leaves lo … hi-1 and
    /// their neighbours on either side, in one statement (an index range per level).
    /// </summary>
    public async Task<Dictionary<(int Level, long Index), byte[]>> SubtreesOverAsync(long lo, long hi, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"""
            select n.level, n.node_index, n.hash
            from generate_series(1, 62) as l(level)
            join "{schema}".ledger_merkle_nodes n
              on n.level = l.level and n.node_index between (@lo >> l.level) - 1 and ((@hi - 1) >> l.level) + 1
            """, connection, tx);
        command.Parameters.AddWithValue("lo", lo);
        command.Parameters.AddWithValue("hi", hi);
        var found = new Dictionary<(int, long), byte[]>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) found[(reader.GetInt32(0), reader.GetInt64(1))] = (byte[])reader[2];
        return found;
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
