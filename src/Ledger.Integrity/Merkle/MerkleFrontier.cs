using System.Numerics;

namespace Ledger.Integrity.Merkle;

/// <summary>A complete aligned subtree: 2^Level leaves from leaf Index·2^Level, and its hash.</summary>
public readonly record struct MerkleSubtree(int Level, long Index, byte[] Hash);

/// <summary>
/// The right edge of an append-only Merkle tree: for every set bit L of the size, the hash of the
/// complete subtree of 2^L leaves at that place (at most 63 hashes). Leaves are appended in order in
/// constant memory, and the root of RFC 9162 §2.1.1 is the right fold of the edge, because the tree
/// of n leaves is exactly those subtrees joined right to left (MTH splits at the largest power of two
/// below n, every time). Not thread-safe.
/// </summary>
public sealed class MerkleFrontier
{
    private const int Levels = 63; // sizes up to long.MaxValue have bits 0 … 62

    // _edge[L] holds the subtree of 2^L leaves when bit L of Size is set, else null.
    private readonly byte[]?[] _edge = new byte[Levels][];

    /// <summary>How many leaves have been appended.</summary>
    public long Size { get; private set; }

    /// <summary>
    /// Appends the next leaf hash (32 bytes; <see cref="Rfc9162.LeafHash"/> of the leaf) and returns the
    /// complete aligned subtrees of level ≥ 1 that this leaf completed, lowest first, so that a caller
    /// can store them for <see cref="IMerkleHashes.StoredSubtreeAsync"/>. Leaf n completes one subtree
    /// for each trailing 1-bit of n: none for even n.
    /// </summary>
    public IReadOnlyList<MerkleSubtree> Append(byte[] leafHash)
    {
        ArgumentNullException.ThrowIfNull(leafHash);
        if (leafHash.Length != Rfc9162.HashSize)
            throw new ArgumentException($"a leaf hash is {Rfc9162.HashSize} bytes, not {leafHash.Length}", nameof(leafHash));
        var size = Size;
        if (size == long.MaxValue) throw new InvalidOperationException("the tree is full");

        // A binary increment: each 1-bit that carries joins the subtree already at that level (left)
        // with the one just completed below it (right) into a subtree one level up.
        var completed = BitOperations.TrailingZeroCount(~size);
        var carry = (byte[])leafHash.Clone();
        var done = completed == 0 ? Array.Empty<MerkleSubtree>() : new MerkleSubtree[completed];
        for (var level = 0; level < completed; level++)
        {
            carry = Rfc9162.NodeHash(_edge[level]!, carry);
            _edge[level] = null;
            done[level] = new MerkleSubtree(level + 1, size >> (level + 1), carry);
        }
        _edge[completed] = carry;
        Size = size + 1;
        return done;
    }

    /// <summary>MTH of the leaves appended so far (RFC 9162 §2.1.1); the empty root for none. A fresh array.</summary>
    public byte[] Root()
    {
        if (Size == 0) return Rfc9162.EmptyRoot;
        // Fold from the smallest (rightmost) subtree leftwards: root = H(P1, H(P2, … Pj)).
        Span<byte> acc = stackalloc byte[Rfc9162.HashSize];
        var started = false;
        for (var level = 0; level < Levels; level++)
        {
            if (_edge[level] is not { } hash) continue;
            if (started) Rfc9162.NodeHash(hash, acc, acc);
            else hash.CopyTo(acc);
            started = true;
        }
        return acc.ToArray();
    }

    /// <summary>
    /// The complete aligned subtrees a tree of <paramref name="size"/> leaves is made of, left to
    /// right (highest level first), as (level, index) with index counted in units of 2^level leaves;
    /// what <see cref="Restore"/> needs. A level-0 entry is a leaf.
    /// </summary>
    public static IReadOnlyList<(int Level, long Index)> RightEdge(long size)
    {
        if (size < 0)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"a tree size cannot be negative ({size})");
        var edge = new (int, long)[BitOperations.PopCount((ulong)size)];
        var i = 0;
        for (var level = Levels - 1; level >= 0; level--)
        {
            if ((size & (1L << level)) != 0)
                edge[i++] = (level, (size >> level) - 1);
        }
        return edge;
    }

    /// <summary>
    /// A frontier of <paramref name="size"/> leaves rebuilt from the stored hashes of its
    /// <see cref="RightEdge"/>: <paramref name="storedSubtree"/>(level, index) must return the subtree
    /// of that level and index (the leaf hash for level 0), so integration resumes after a crash.
    /// </summary>
    /// <exception cref="ArgumentException">A hash is missing or not 32 bytes.</exception>
    public static MerkleFrontier Restore(long size, Func<int, long, byte[]> storedSubtree)
    {
        ArgumentNullException.ThrowIfNull(storedSubtree);
        var frontier = new MerkleFrontier();
        foreach (var (level, index) in RightEdge(size))
        {
            var hash = storedSubtree(level, index);
            if (hash is null)
                throw new ArgumentException($"the stored subtree ({level}, {index}) of the right edge is missing", nameof(storedSubtree));
            if (hash.Length != Rfc9162.HashSize)
                throw new ArgumentException($"the stored subtree ({level}, {index}) of the right edge is {hash.Length} bytes, not {Rfc9162.HashSize}", nameof(storedSubtree));
            frontier._edge[level] = (byte[])hash.Clone();
        }
        frontier.Size = size;
        return frontier;
    }

    /// <summary>
    /// A frontier of <paramref name="size"/> leaves rebuilt from a hash source: each subtree of the
    /// right edge is read when stored and otherwise computed (<see cref="MerkleReader.SubtreeHashAsync"/>).
    /// </summary>
    public static async ValueTask<MerkleFrontier> RestoreAsync(IMerkleHashes hashes, long size, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        var frontier = new MerkleFrontier();
        foreach (var (level, index) in RightEdge(size))
        {
            var start = index << level;
            frontier._edge[level] = await MerkleReader.SubtreeHashAsync(hashes, start, start + (1L << level), ct);
        }
        frontier.Size = size;
        return frontier;
    }
}
