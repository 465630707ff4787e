using Ledger.Integrity.Merkle;

namespace Ledger.Infrastructure.Integrity;

/// <summary>
/// The stored tree for proving many leaves at once: the leaf hashes and subtrees over a range of
/// leaves are read up front in two statements, and whatever a proof needs beyond them (the siblings
/// high up and the ragged right edge, shared by every proof of the range) is read once and kept.
/// Proving a contiguous run of leaves then costs a few statements in all instead of one per tree
/// level per leaf. Holds one range at a time: memory does not grow with the ledger.
/// </summary>
public sealed class PrefetchedMerkleHashes(MerkleStore store) : IMerkleHashes
{
    private readonly Dictionary<long, byte[]> _leaves = [];
    private readonly Dictionary<(int Level, long Index), byte[]?> _nodes = [];
    private long _lo, _hi; // the prefetched leaf range [lo, hi); empty when lo = hi

    /// <summary>Forgets the previous range and reads leaves <paramref name="lo"/> … <paramref name="hi"/>-1 with the subtrees over them.</summary>
    public async Task PrefetchAsync(long lo, long hi, CancellationToken ct)
    {
        _leaves.Clear();
        _nodes.Clear();
        _lo = _hi = 0;
        if (hi <= lo) return;
        foreach (var (index, hash) in await store.LeafHashesAsync(Math.Max(0, lo - 1), hi + 1, ct)) _leaves[index] = hash;
        foreach (var (key, hash) in await store.SubtreesOverAsync(lo, hi, ct)) _nodes[key] = hash;
        (_lo, _hi) = (lo, hi);
    }

    public async ValueTask<byte[]> LeafHashAsync(long index, CancellationToken ct)
    {
        if (_leaves.TryGetValue(index, out var hash)) return hash;
        hash = await store.LeafHashAsync(index, ct);
        _leaves[index] = hash;
        return hash;
    }

    public async ValueTask<byte[]?> StoredSubtreeAsync(int level, long index, CancellationToken ct)
    {
        if (level == 0) return await LeafHashAsync(index, ct);
        if (_nodes.TryGetValue((level, index), out var hash)) return hash;
        // Inside the prefetched span of its level, a node that was not read is not stored.
        if (_hi > _lo && index >= (_lo >> level) - 1 && index <= ((_hi - 1) >> level) + 1) return null;
        hash = await store.StoredSubtreeAsync(level, index, ct);
        _nodes[(level, index)] = hash;
        return hash;
    }
}
