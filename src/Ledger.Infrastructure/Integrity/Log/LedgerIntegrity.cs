using Ledger.Infrastructure.Resilience;
using Ledger.Integrity.Checkpoints;
using Ledger.Integrity.Merkle;
using Npgsql;

namespace Ledger.Infrastructure.Integrity;

/// <summary>An inclusion proof in the shape the offline verifier reads, plus where it comes from.</summary>
public sealed record InclusionProofDocument(
    long LeafIdx, long TreeSize, string Root, string LeafHash, IReadOnlyList<string> Proof,
    long Sequence, string Stream, long Version, string? Checkpoint);

/// <summary>A consistency proof in the shape the offline verifier reads, plus the checkpoints it joins.</summary>
public sealed record ConsistencyProofDocument(
    long Size1, long Size2, string Root1, string Root2, IReadOnlyList<string> Proof, string? Checkpoint1, string? Checkpoint2);

/// <summary>
/// A checkpoint the ledger signed: <see cref="SignedNote"/> is the note with the ledger's signature and the
/// cosignature lines of every witness that has cosigned it so far (<see cref="Witnesses"/>, by key name).
/// </summary>
public sealed record StoredCheckpoint(long TreeSize, string Root, DateTimeOffset CreatedAt, string SignedNote)
{
    public IReadOnlyList<string> Witnesses { get; init; } = [];
}

/// <summary>Something asked of the log that it cannot answer (unknown event, size beyond the log): a 404 or 422.</summary>
public sealed class IntegrityRequestException(string code, string message, string? field, bool notFound = false) : Exception(message)
{
    public string Code { get; } = code;
    public string? Field { get; } = field;
    public bool NotFound { get; } = notFound;
}

/// <summary>The Merkle log as the API and the command-line tool use it: integrate, checkpoint, prove.</summary>
public sealed class LedgerIntegrity(NpgsqlDataSource db, string schema, CheckpointSigner signer, TimeProvider time, MerkleIntegrator integrator)
{
    public string Schema => schema;
    public string VerifierKey => signer.VerifierKey;

    /// <summary>The ledger's signature of an audit bundle's manifest (<see cref="Audit.ManifestSignature"/>).</summary>
    internal string SignManifest(long treeSize, string root, string manifestSha256)
    {
        var text = Audit.ManifestSignature.Text(treeSize, root, manifestSha256);
        return text + "\n" + signer.SignatureLine(text);
    }
    public MerkleIntegrator Integrator => integrator;

    public Task EnsureSchemaAsync(CancellationToken ct) => IntegritySchema.EnsureAsync(db, schema, ct);

    /// <summary>Integrates what has committed, then signs a checkpoint of the tree if it grew since the last one.</summary>
    public async Task<StoredCheckpoint?> CheckpointAsync(CancellationToken ct)
    {
        await integrator.IntegrateAsync(ct: ct);
        await using var connection = await db.OpenConnectionAsync(ct);
        var (size, _, root) = await new MerkleStore(connection, schema).StateAsync(forUpdate: false, ct);
        var latest = (await ListAsync(1, ct)).FirstOrDefault();
        if (latest is not null && latest.TreeSize >= size) return latest;
        if (size == 0) return null;

        var note = signer.Sign(new Checkpoint(signer.Origin, size, root));
        var now = time.GetUtcNow();
        await using var insert = new NpgsqlCommand(
            $"insert into \"{schema}\".ledger_checkpoints (tree_size, root, signed_note, created_at) values (@s, @r, @n, @t) on conflict (tree_size) do nothing",
            connection);
        insert.Parameters.AddWithValue("s", size);
        insert.Parameters.AddWithValue("r", root);
        insert.Parameters.AddWithValue("n", note);
        insert.Parameters.AddWithValue("t", now);
        await insert.ExecuteNonQueryAsync(ct);
        return (await ListAsync(1, ct)).First();
    }

    public async Task<IReadOnlyList<StoredCheckpoint>> ListAsync(int limit, CancellationToken ct, long? beforeSize = null)
    {
        return await db.ReadAsync(async connection =>
        {
            await using var command = new NpgsqlCommand(SelectCheckpoints(schema, "c.tree_size < @before") + " limit @limit", connection);
            command.Parameters.AddWithValue("before", beforeSize ?? long.MaxValue);
            command.Parameters.AddWithValue("limit", limit);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var list = new List<StoredCheckpoint>();
            while (await reader.ReadAsync(ct)) list.Add(ReadCheckpoint(reader));
            return list;
        }, ct);
    }

    /// <summary>
    /// The checkpoints matching <paramref name="where"/>, largest first, each with its witnesses and their
    /// cosignature lines (in the witnesses' name order); rows read with <see cref="ReadCheckpoint"/>.
    /// </summary>
    internal static string SelectCheckpoints(string schema, string where) => $"""
        select c.tree_size, c.root, c.created_at, c.signed_note, w.witnesses, w.lines
        from "{schema}".ledger_checkpoints c
        cross join lateral (
            select coalesce(array_agg(witness order by witness), array[]::text[]) as witnesses, coalesce(array_agg(line order by witness), array[]::text[]) as lines
            from "{schema}".ledger_cosignatures where tree_size = c.tree_size) w
        where {where}
        order by c.tree_size desc
        """;

    /// <summary>A row of <see cref="SelectCheckpoints"/>: the note carries the ledger's signature and then each witness's line.</summary>
    internal static StoredCheckpoint ReadCheckpoint(NpgsqlDataReader reader) =>
        new(reader.GetInt64(0), Convert.ToBase64String((byte[])reader[1]), reader.GetFieldValue<DateTimeOffset>(2),
            Cosignature.Append(reader.GetString(3), reader.GetFieldValue<string[]>(5)))
        {
            Witnesses = reader.GetFieldValue<string[]>(4),
        };

    /// <summary>Keeps a witness's cosignature line of the checkpoint of <paramref name="treeSize"/> (once per witness and size).</summary>
    public async Task SaveCosignatureAsync(long treeSize, string witness, string line, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var insert = new NpgsqlCommand(
            $"insert into \"{schema}\".ledger_cosignatures (tree_size, witness, line, received_at) values (@s, @w, @l, @t) on conflict (tree_size, witness) do nothing",
            connection);
        insert.Parameters.AddWithValue("s", treeSize);
        insert.Parameters.AddWithValue("w", witness);
        insert.Parameters.AddWithValue("l", line.TrimEnd('\n'));
        insert.Parameters.AddWithValue("t", time.GetUtcNow());
        await insert.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The largest tree size <paramref name="witness"/> has cosigned for this ledger, 0 when none.</summary>
    public async Task<long> CosignedSizeAsync(string witness, CancellationToken ct)
    {
        return await db.ReadAsync(async connection =>
        {
            await using var command = new NpgsqlCommand(
                $"select coalesce(max(tree_size), 0) from \"{schema}\".ledger_cosignatures where witness = @w", connection);
            command.Parameters.AddWithValue("w", witness);
            return (long)(await command.ExecuteScalarAsync(ct))!;
        }, ct);
    }

    public async Task<StoredCheckpoint?> CheckpointAtAsync(long size, CancellationToken ct)
    {
        var list = await ListAsync(1, ct, beforeSize: size + 1);
        return list.FirstOrDefault(c => c.TreeSize == size);
    }

    public async Task<(long TreeSize, long LastSeq, long Behind, StoredCheckpoint? Latest)> StatusAsync(CancellationToken ct)
    {
        return await db.ReadAsync(async connection =>
        {
            var (size, lastSeq, _) = await new MerkleStore(connection, schema).StateAsync(forUpdate: false, ct);
            await using var command = new NpgsqlCommand($"select count(*) from \"{schema}\".mt_events where seq_id > @s", connection);
            command.Parameters.AddWithValue("s", lastSeq);
            var behind = (long)(await command.ExecuteScalarAsync(ct))!;
            return (size, lastSeq, behind, (await ListAsync(1, ct)).FirstOrDefault());
        }, ct);
    }

    /// <summary>
    /// Proves that one event (by sequence, or by stream and version) is in the tree of the given
    /// size; by default the size of the latest signed checkpoint, so the proof ends at a signed root.
    /// </summary>
    public async Task<InclusionProofDocument> InclusionAsync(long? sequence, string? stream, long? version, long? treeSize, CancellationToken ct)
    {
        return await db.ReadAsync(async connection =>
        {
            // A read never integrates inline: the worker keeps the log current, and a proof ends at a
            // signed checkpoint, which only covers integrated leaves anyway.
            await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            var store = new MerkleStore(connection, schema, tx);
            var leaf = await store.FindLeafAsync(sequence, stream, version, ct)
                ?? throw new IntegrityRequestException("event_not_in_log",
                    sequence is not null
                        ? $"No event {sequence} is in the log (yet: the log follows the ledger within seconds)."
                        : $"No event {stream} version {version} is in the log (yet: the log follows the ledger within seconds).",
                    sequence is not null ? "sequence" : "stream", notFound: true);
            var (size, checkpoint) = await ResolveSizeAsync(store, treeSize, "treeSize", ct);
            if (leaf.LeafIndex >= size)
                throw new IntegrityRequestException("event_after_tree_size", $"Event {leaf.Seq} is leaf {leaf.LeafIndex}, beyond a tree of size {size}.", "treeSize");
            var proof = await MerkleReader.InclusionProofAsync(store, leaf.LeafIndex, size, ct);
            var root = await MerkleReader.RootAsync(store, size, ct);
            var leafHash = await store.LeafHashAsync(leaf.LeafIndex, ct);
            return new InclusionProofDocument(leaf.LeafIndex, size, B64(root), B64(leafHash), [.. proof.Select(B64)],
                leaf.Seq, leaf.Stream, leaf.Version, checkpoint?.SignedNote);
        }, ct);
    }

    /// <summary>Proves that the tree of size1 is a prefix of the tree of size2 (default: the latest checkpoint).</summary>
    public async Task<ConsistencyProofDocument> ConsistencyAsync(long size1, long? size2, CancellationToken ct)
    {
        return await db.ReadAsync(async connection =>
        {
            await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            var store = new MerkleStore(connection, schema, tx);
            var (to, checkpoint2) = await ResolveSizeAsync(store, size2, "to", ct);
            if (size1 < 1 || size1 > to)
                throw new IntegrityRequestException("invalid_tree_size", $"'from' must be between 1 and {to}.", "from");
            var proof = await MerkleReader.ConsistencyProofAsync(store, size1, to, ct);
            var root1 = await MerkleReader.RootAsync(store, size1, ct);
            var root2 = await MerkleReader.RootAsync(store, to, ct);
            var checkpoint1 = await CheckpointAtAsync(size1, ct);
            return new ConsistencyProofDocument(size1, to, B64(root1), B64(root2), [.. proof.Select(B64)], checkpoint1?.SignedNote, checkpoint2?.SignedNote);
        }, ct);
    }

    private async Task<(long Size, StoredCheckpoint? Checkpoint)> ResolveSizeAsync(MerkleStore store, long? requested, string field, CancellationToken ct)
    {
        var (integrated, _, _) = await store.StateAsync(forUpdate: false, ct);
        if (requested is { } size)
        {
            if (size < 1 || size > integrated)
                throw new IntegrityRequestException("invalid_tree_size", $"'{field}' must be between 1 and {integrated}, the size of the log.", field);
            return (size, await CheckpointAtAsync(size, ct));
        }
        var latest = (await ListAsync(1, ct)).FirstOrDefault()
            ?? throw new IntegrityRequestException("no_checkpoint", "No checkpoint has been signed yet; POST /api/integrity/checkpoints makes one.", field, notFound: true);
        return (latest.TreeSize, latest);
    }

    private static string B64(byte[] hash) => Convert.ToBase64String(hash);
}
