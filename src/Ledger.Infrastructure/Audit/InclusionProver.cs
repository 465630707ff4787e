using Ledger.Infrastructure.Integrity;
using Ledger.Integrity.Merkle;
using Npgsql;

namespace Ledger.Infrastructure.Audit;

/// <summary>
/// Inclusion proofs for many events against one signed checkpoint, read in one repeatable-read
/// transaction so every proof ends at the same root. An event the checkpoint does not cover yet
/// (not integrated, or integrated after it was signed) has no proof.
/// </summary>
public sealed class InclusionProver : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _tx;
    private readonly MerkleStore _store;
    private readonly PrefetchedMerkleHashes _hashes;

    private InclusionProver(NpgsqlConnection connection, NpgsqlTransaction tx, MerkleStore store, StoredCheckpoint? checkpoint)
    {
        _connection = connection;
        _tx = tx;
        _store = store;
        _hashes = new PrefetchedMerkleHashes(store);
        Checkpoint = checkpoint;
    }

    /// <summary>The latest signed checkpoint when the prover opened; null when none has been signed.</summary>
    public StoredCheckpoint? Checkpoint { get; }

    public static async Task<InclusionProver> OpenAsync(NpgsqlDataSource db, string schema, CancellationToken ct)
    {
        var connection = await db.OpenConnectionAsync(ct);
        try
        {
            var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            // The latest checkpoint, with the cosignatures its witnesses have answered with so far.
            await using var command = new NpgsqlCommand(LedgerIntegrity.SelectCheckpoints(schema, "true") + " limit 1", connection, tx);
            StoredCheckpoint? latest = null;
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                if (await reader.ReadAsync(ct)) latest = LedgerIntegrity.ReadCheckpoint(reader);
            }
            return new InclusionProver(connection, tx, new MerkleStore(connection, schema, tx), latest);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The proof of the event with this global sequence number, or null when the checkpoint does not cover it.</summary>
    public async Task<InclusionProofDocument?> ProveAsync(long sequence, CancellationToken ct)
    {
        if (Checkpoint is null) return null;
        var leaf = await _store.FindLeafAsync(sequence, null, null, ct);
        if (leaf is not { } found || found.LeafIndex >= Checkpoint.TreeSize) return null;
        return await ProveLeafAsync(found.LeafIndex, found.Seq, found.Stream, found.Version, ct);
    }

    /// <summary>The proof of a leaf already located (its index below the checkpoint's tree size).</summary>
    public async Task<InclusionProofDocument> ProveLeafAsync(long leafIndex, long sequence, string stream, long version, CancellationToken ct)
    {
        var checkpoint = Checkpoint ?? throw new InvalidOperationException("no checkpoint to prove against");
        var proof = await MerkleReader.InclusionProofAsync(_hashes, leafIndex, checkpoint.TreeSize, ct);
        var leafHash = await _hashes.LeafHashAsync(leafIndex, ct);
        // The signed note is given once beside the proofs, not repeated in each.
        return new InclusionProofDocument(leafIndex, checkpoint.TreeSize, checkpoint.Root, Convert.ToBase64String(leafHash),
            [.. proof.Select(Convert.ToBase64String)], sequence, stream, version, null);
    }

    /// <summary>
    /// The proofs of many leaves already located (each below the checkpoint's tree size), in order.
    /// When they lie close together (an export of the whole ledger or a period) the tree over their
    /// range is read in two statements first; the hashes shared by their proofs are read once either way.
    /// </summary>
    public async Task<IReadOnlyList<InclusionProofDocument>> ProveLeavesAsync(
        IReadOnlyList<(long LeafIndex, long Sequence, string Stream, long Version)> leaves, CancellationToken ct)
    {
        if (leaves.Count == 0) return [];
        var lo = leaves.Min(l => l.LeafIndex);
        var hi = leaves.Max(l => l.LeafIndex) + 1;
        // Dense enough that reading the whole range costs less than reading path by path.
        var dense = hi - lo <= 4L * leaves.Count;
        await _hashes.PrefetchAsync(lo, dense ? hi : lo, ct);
        var proofs = new InclusionProofDocument[leaves.Count];
        for (var i = 0; i < leaves.Count; i++)
            proofs[i] = await ProveLeafAsync(leaves[i].LeafIndex, leaves[i].Sequence, leaves[i].Stream, leaves[i].Version, ct);
        return proofs;
    }

    public async ValueTask DisposeAsync()
    {
        await _tx.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
