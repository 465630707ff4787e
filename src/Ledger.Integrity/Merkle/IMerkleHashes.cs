namespace Ledger.Integrity.Merkle;

/// <summary>
/// Where the hashes of a Merkle log come from: its leaf hashes and, optionally, the stored hashes of
/// complete aligned subtrees so that <see cref="MerkleReader"/> need not re-hash what was hashed once.
/// </summary>
public interface IMerkleHashes
{
    /// <summary>The leaf hash (RFC 9162 §2.1.1, already prefixed with 0x00 and hashed) of leaf <paramref name="index"/>.</summary>
    ValueTask<byte[]> LeafHashAsync(long index, CancellationToken ct);

    /// <summary>
    /// The hash of the complete subtree of 2^<paramref name="level"/> leaves that starts at leaf
    /// <paramref name="index"/>·2^<paramref name="level"/>, or null when it is not stored (the reader
    /// then computes it from its two halves). <see cref="MerkleReader"/> asks only for level ≥ 1 and
    /// only for subtrees that lie wholly inside the tree it is reading; level 0 is a leaf, read with
    /// <see cref="LeafHashAsync"/>. <see cref="MerkleFrontier.Append"/> reports exactly these subtrees
    /// as they complete.
    /// </summary>
    ValueTask<byte[]?> StoredSubtreeAsync(int level, long index, CancellationToken ct);
}
