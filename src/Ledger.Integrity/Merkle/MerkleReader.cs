using System.Numerics;

namespace Ledger.Integrity.Merkle;

/// <summary>
/// Roots and proofs of RFC 9162 §2.1 read from an <see cref="IMerkleHashes"/>. Every range that a
/// root or proof needs is split into complete aligned subtrees; each is taken from the store when
/// stored, else computed from its halves. With every completed subtree stored (what
/// <see cref="MerkleFrontier.Append"/> reports) a root or a proof costs O(log n) reads — one per
/// complete subtree, and only the ragged right edge of the tree splits into more than one — and no
/// hashing beyond joining those; with none stored (<see cref="MemoryMerkleHashes"/>) it costs O(n) hashes.
/// </summary>
public static class MerkleReader
{
    /// <summary>MTH(D[0:size]), the root of the first <paramref name="size"/> leaves (RFC 9162 §2.1.1); the empty root for 0.</summary>
    public static ValueTask<byte[]> RootAsync(IMerkleHashes hashes, long size, CancellationToken ct = default)
    {
        if (size < 0)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"a tree size cannot be negative ({size})");
        return SubtreeHashAsync(hashes, 0, size, ct);
    }

    /// <summary>
    /// MTH(D[start:end]), the root of the tree built over leaves start … end-1 alone (RFC 9162
    /// §2.1.1); the empty root when start = end. Any range is allowed; ranges that start at a multiple
    /// of the power of two at or above their length (the ranges proofs use) read stored subtrees all
    /// the way, others fall back to hashing more.
    /// </summary>
    public static ValueTask<byte[]> SubtreeHashAsync(IMerkleHashes hashes, long start, long end, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        if (start < 0)
            throw new ArgumentOutOfRangeException(nameof(start), start, $"a subtree cannot start at a negative index ({start})");
        if (end < start)
            throw new ArgumentOutOfRangeException(nameof(end), end, $"a subtree cannot end ({end}) before it starts ({start})");
        return start == end ? new ValueTask<byte[]>(Rfc9162.EmptyRoot) : RangeAsync(hashes, start, end, ct);
    }

    /// <summary>
    /// PATH(index, D[0:treeSize]) of RFC 9162 §2.1.3.1: the audit path of one leaf, sibling hashes
    /// from the leaf up to the root. Empty for a tree of one leaf.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">treeSize &lt; 1, or index outside 0 … treeSize-1.</exception>
    public static ValueTask<IReadOnlyList<byte[]>> InclusionProofAsync(IMerkleHashes hashes, long index, long treeSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        if (treeSize < 1)
            throw new ArgumentOutOfRangeException(nameof(treeSize), treeSize, $"an inclusion proof needs a tree of at least one leaf, not of size {treeSize}");
        if (index < 0 || index >= treeSize)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"leaf index {index} is not in a tree of size {treeSize} (it must be 0 … {treeSize - 1})");
        return InclusionCoreAsync(hashes, index, treeSize, ct);
    }

    /// <summary>
    /// PROOF(size1, D[0:size2]) of RFC 9162 §2.1.4.1: the hashes that show the tree of size1 is a
    /// prefix of the tree of size2. Empty when size1 = size2 (SUBPROOF(m, D[m], true) = {}).
    /// RFC 9162 defines the proof for 0 &lt; size1 only: from the empty tree there is nothing to prove.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">size1 &lt; 1, or size1 &gt; size2.</exception>
    public static ValueTask<IReadOnlyList<byte[]>> ConsistencyProofAsync(IMerkleHashes hashes, long size1, long size2, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        if (size1 < 1)
            throw new ArgumentOutOfRangeException(nameof(size1), size1,
                $"a consistency proof starts from a tree of at least one leaf, not of size {size1} (RFC 9162 §2.1.4: every tree extends the empty tree, there is nothing to prove)");
        if (size1 > size2)
            throw new ArgumentOutOfRangeException(nameof(size2), size2, $"a consistency proof goes from a smaller tree to a larger one; size1 {size1} is greater than size2 {size2}");
        return ConsistencyCoreAsync(hashes, size1, size2, ct);
    }

    private static async ValueTask<IReadOnlyList<byte[]>> InclusionCoreAsync(IMerkleHashes hashes, long index, long treeSize, CancellationToken ct)
    {
        // RFC 9162 §2.1.3.1, with k the largest power of two below n:
        //   PATH(m, D_n) = PATH(m, D[0:k]) : MTH(D[k:n])        if m < k
        //   PATH(m, D_n) = PATH(m - k, D[k:n]) : MTH(D[0:k])    if m >= k
        // Walking down from the root meets the siblings top-down; the proof lists them leaf-up.
        var path = new List<byte[]>(64);
        long lo = 0, hi = treeSize;
        while (hi - lo > 1)
        {
            var level = SplitLevel(hi - lo);
            var k = 1L << level;
            if (index < lo + k)
            {
                path.Add(await RangeAsync(hashes, lo + k, hi, ct));
                hi = lo + k;
            }
            else
            {
                path.Add(await PieceAsync(hashes, lo, level, ct));
                lo += k;
            }
        }
        path.Reverse();
        return path.ToArray();
    }

    private static async ValueTask<IReadOnlyList<byte[]>> ConsistencyCoreAsync(IMerkleHashes hashes, long size1, long size2, CancellationToken ct)
    {
        // RFC 9162 §2.1.4.1, with k the largest power of two below n and m = size1 - lo:
        //   SUBPROOF(m, D[m], true)  = {}
        //   SUBPROOF(m, D[m], false) = {MTH(D[m])}
        //   SUBPROOF(m, D_n, b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])          if m <= k
        //   SUBPROOF(m, D_n, b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])  if m > k
        // Each step narrows [lo, hi) until size1 = hi; hashes come top-down, the proof lists them bottom-up.
        var path = new List<byte[]>(64);
        long lo = 0, hi = size2;
        var whole = true; // the "b" of SUBPROOF: the old tree's root is still the current range's left edge
        while (size1 != hi)
        {
            var level = SplitLevel(hi - lo);
            var k = 1L << level;
            if (size1 - lo <= k)
            {
                path.Add(await RangeAsync(hashes, lo + k, hi, ct));
                hi = lo + k;
            }
            else
            {
                path.Add(await PieceAsync(hashes, lo, level, ct));
                lo += k;
                whole = false;
            }
        }
        if (!whole) path.Add(await RangeAsync(hashes, lo, hi, ct));
        path.Reverse();
        return path.ToArray();
    }

    // MTH(D[start:end]) for end > start. Unrolling RFC 9162 §2.1.1 (split at the largest power of
    // two below n, recurse on the right) gives a right fold over complete subtrees whose sizes are
    // the set bits of n, largest first: MTH = H(P1, H(P2, … Pj)). Each piece is read, then folded.
    private static async ValueTask<byte[]> RangeAsync(IMerkleHashes hashes, long start, long end, CancellationToken ct)
    {
        var n = (ulong)(end - start);
        var count = BitOperations.PopCount(n);
        var top = BitOperations.Log2(n);
        if (count == 1) return await PieceAsync(hashes, start, top, ct);

        var pieces = new byte[count][];
        var at = start;
        var i = 0;
        for (var level = top; level >= 0; level--)
        {
            if ((n & (1UL << level)) == 0) continue;
            pieces[i++] = await PieceAsync(hashes, at, level, ct);
            at += 1L << level;
        }
        var acc = pieces[count - 1];
        for (var j = count - 2; j >= 0; j--) acc = Rfc9162.NodeHash(pieces[j], acc);
        return acc;
    }

    // MTH of the 2^level leaves from start: the stored subtree when aligned and stored, otherwise
    // (RFC 9162 §2.1.1 with k = n/2) the node over its two halves, each looked up the same way.
    private static async ValueTask<byte[]> PieceAsync(IMerkleHashes hashes, long start, int level, CancellationToken ct)
    {
        if (level == 0) return Checked(await hashes.LeafHashAsync(start, ct), 0, start);
        ct.ThrowIfCancellationRequested();
        var half = 1L << (level - 1);
        if ((start & ((half << 1) - 1)) == 0)
        {
            var stored = await hashes.StoredSubtreeAsync(level, start >> level, ct);
            if (stored is not null) return Checked(stored, level, start >> level);
        }
        var left = await PieceAsync(hashes, start, level - 1, ct);
        var right = await PieceAsync(hashes, start + half, level - 1, ct);
        return Rfc9162.NodeHash(left, right);
    }

    // log2 of k, the largest power of two strictly below n (n ≥ 2): where RFC 9162 §2.1.1 splits D_n.
    internal static int SplitLevel(long n) => BitOperations.Log2((ulong)(n - 1));

    private static byte[] Checked(byte[]? hash, int level, long index) =>
        hash is { Length: Rfc9162.HashSize }
            ? hash
            : throw new InvalidDataException(level == 0
                ? $"the hash source returned {(hash is null ? "nothing" : $"{hash.Length} bytes")} for leaf {index}, not a {Rfc9162.HashSize}-byte hash"
                : $"the hash source returned {hash!.Length} bytes for subtree ({level}, {index}), not a {Rfc9162.HashSize}-byte hash");
}
