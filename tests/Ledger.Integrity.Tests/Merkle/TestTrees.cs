using System.Buffers.Binary;
using Ledger.Integrity.Merkle;

namespace Ledger.Integrity.Tests.Merkle;

/// <summary>Deterministic leaves and an <see cref="IMerkleHashes"/> that stores what the frontier completes.</summary>
internal static class TestTrees
{
    /// <summary>Leaf hashes of n inputs derived from a seed, so a failing sample can be rebuilt.</summary>
    public static List<byte[]> Leaves(int n, int seed)
    {
        var leaves = new List<byte[]>(n);
        Span<byte> input = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(input, seed);
        for (var i = 0; i < n; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(input[4..], i);
            leaves.Add(Rfc9162.LeafHash(input));
        }
        return leaves;
    }

    public static StoringMerkleHashes Stored(IEnumerable<byte[]> leaves, Func<int, long, bool>? keep = null)
    {
        var store = new StoringMerkleHashes(keep);
        foreach (var leaf in leaves) store.Append(leaf);
        return store;
    }

    public static byte[] Flip(byte[] hash, int bit)
    {
        var copy = (byte[])hash.Clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }
}

/// <summary>
/// Leaves plus the subtrees <see cref="MerkleFrontier.Append"/> reports (all of them, or those
/// <c>keep</c> selects), counting the reads so tests can see what the reader asks for.
/// </summary>
internal sealed class StoringMerkleHashes(Func<int, long, bool>? keep = null) : IMerkleHashes
{
    private readonly List<byte[]> _leaves = [];
    private readonly Dictionary<(int Level, long Index), byte[]> _nodes = [];

    public MerkleFrontier Frontier { get; } = new();
    public IReadOnlyList<byte[]> Leaves => _leaves;
    public IReadOnlyDictionary<(int Level, long Index), byte[]> Nodes => _nodes;
    public int LeafReads { get; set; }
    public int SubtreeReads { get; set; }

    public void Append(byte[] leafHash)
    {
        _leaves.Add(leafHash);
        foreach (var subtree in Frontier.Append(leafHash))
        {
            if (keep is null || keep(subtree.Level, subtree.Index))
                _nodes[(subtree.Level, subtree.Index)] = subtree.Hash;
        }
    }

    public ValueTask<byte[]> LeafHashAsync(long index, CancellationToken ct)
    {
        LeafReads++;
        return new ValueTask<byte[]>(_leaves[(int)index]);
    }

    public ValueTask<byte[]?> StoredSubtreeAsync(int level, long index, CancellationToken ct)
    {
        Assert.True(level >= 1, $"the reader asked for a stored subtree at level {level}");
        Assert.True((index + 1) << level <= _leaves.Count, $"the reader asked for subtree ({level}, {index}) beyond the {_leaves.Count} leaves");
        SubtreeReads++;
        return new ValueTask<byte[]?>(_nodes.GetValueOrDefault((level, index)));
    }

    public void ResetCounts() => (LeafReads, SubtreeReads) = (0, 0);
}
