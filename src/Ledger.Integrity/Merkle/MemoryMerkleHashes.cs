namespace Ledger.Integrity.Merkle;

/// <summary>
/// Leaf hashes in a list, no stored subtrees: every root or proof re-hashes the leaves it covers
/// (O(n)). For tests, for tools and for small trees.
/// </summary>
public sealed class MemoryMerkleHashes : IMerkleHashes
{
    private readonly List<byte[]> _leaves;

    public MemoryMerkleHashes() => _leaves = [];

    public MemoryMerkleHashes(IEnumerable<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        _leaves = [];
        foreach (var hash in leafHashes) Add(hash);
    }

    /// <summary>How many leaves are held.</summary>
    public long Count => _leaves.Count;

    /// <summary>Adds the next leaf hash (32 bytes).</summary>
    public void Add(byte[] leafHash)
    {
        ArgumentNullException.ThrowIfNull(leafHash);
        if (leafHash.Length != Rfc9162.HashSize)
            throw new ArgumentException($"a leaf hash is {Rfc9162.HashSize} bytes, not {leafHash.Length}", nameof(leafHash));
        _leaves.Add(leafHash);
    }

    /// <summary>Hashes an input with <see cref="Rfc9162.LeafHash"/> and adds it.</summary>
    public void AddLeaf(ReadOnlySpan<byte> leafBytes) => _leaves.Add(Rfc9162.LeafHash(leafBytes));

    public ValueTask<byte[]> LeafHashAsync(long index, CancellationToken ct)
    {
        if (index < 0 || index >= _leaves.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"leaf {index} is not among the {_leaves.Count} leaves held");
        return new ValueTask<byte[]>(_leaves[(int)index]);
    }

    public ValueTask<byte[]?> StoredSubtreeAsync(int level, long index, CancellationToken ct) => new((byte[]?)null);
}
