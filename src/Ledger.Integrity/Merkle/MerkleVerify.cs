using System.Numerics;

namespace Ledger.Integrity.Merkle;

/// <summary>The outcome of checking a proof: valid or not, and one line saying what was (or was not) proved.</summary>
public readonly record struct MerkleVerification(bool Valid, string Reason);

/// <summary>
/// The proof checks of RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency), for proofs that
/// arrive from anywhere: they never throw, whatever the sizes, hashes or lists (nulls included), and
/// say in one line why a proof fails. Every hash must be 32 bytes (SHA-256). The proof length is
/// checked against the length the sizes imply before any hashing, so an oversized proof costs nothing.
///
/// A proof binds a leaf or an old root to a root; it binds a tree size only as far as the size shapes
/// the path. Trust the sizes (and roots) because a checkpoint signed them, not because a proof verified.
/// </summary>
public static class MerkleVerify
{
    /// <summary>
    /// Whether <paramref name="proof"/> (the audit path of RFC 9162 §2.1.3.1, leaf-up) shows that
    /// <paramref name="leafHash"/> is leaf <paramref name="leafIndex"/> of the tree of
    /// <paramref name="treeSize"/> leaves whose root is <paramref name="root"/>. A null proof is empty.
    /// </summary>
    public static MerkleVerification Inclusion(long leafIndex, long treeSize, byte[] leafHash, IReadOnlyList<byte[]>? proof, byte[] root)
    {
        if (treeSize < 0) return Fail($"tree size {treeSize} is negative");
        if (treeSize == 0) return Fail("the tree is empty (size 0): no leaf is in it");
        if (leafIndex < 0) return Fail($"leaf index {leafIndex} is negative");
        // §2.1.3.2 step 1: the leaf must lie inside the tree.
        if (leafIndex >= treeSize) return Fail($"leaf index {leafIndex} is not below the tree size {treeSize}");
        if (HashProblem(leafHash, "the leaf hash") is { } leafProblem) return Fail(leafProblem);
        if (HashProblem(root, "the root") is { } rootProblem) return Fail(rootProblem);

        var count = proof?.Count ?? 0;
        var expected = InclusionLength(leafIndex, treeSize);
        if (count != expected)
        {
            return Fail($"proof too {(count < expected ? "short" : "long")}: {count} hash{(count == 1 ? "" : "es")}, "
                + $"where leaf {leafIndex} of a tree of size {treeSize} needs {expected}");
        }
        for (var i = 0; i < count; i++)
        {
            if (HashProblem(proof![i], $"proof hash {i}") is { } problem) return Fail(problem);
        }

        // §2.1.3.2 steps 2–4: climb from the leaf; fn is the node's index, sn the last index, at each level.
        var fn = leafIndex;
        var sn = treeSize - 1;
        Span<byte> r = stackalloc byte[Rfc9162.HashSize];
        leafHash.CopyTo(r);
        for (var i = 0; i < count; i++)
        {
            var p = proof![i];
            if (sn == 0) return Fail($"proof too long: the root is reached after {i} hashes"); // 4a
            if ((fn & 1) == 1 || fn == sn)
            {
                Rfc9162.NodeHash(p, r, r); // 4b.i: the sibling is on the left
                if ((fn & 1) == 0)
                {
                    // 4b.ii: a last node without a right sibling moves up unchanged.
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                Rfc9162.NodeHash(r, p, r); // otherwise the sibling is on the right
            }
            fn >>= 1; // 4c
            sn >>= 1;
        }
        // §2.1.3.2 step 5.
        if (sn != 0) return Fail($"proof too short: {count} hashes stop below the root");
        if (!r.SequenceEqual(root))
            return Fail($"root mismatch: the proof leads to {B64(r)}, not to the given root {B64(root)}");
        return new MerkleVerification(true, $"leaf {leafIndex} is in the tree of size {treeSize} with root {B64(root)}");
    }

    /// <summary>
    /// Whether <paramref name="proof"/> (PROOF of RFC 9162 §2.1.4.1) shows that the tree of
    /// <paramref name="size1"/> leaves with root <paramref name="root1"/> is a prefix of the tree of
    /// <paramref name="size2"/> leaves with root <paramref name="root2"/>. A null proof is empty.
    /// Edge cases: size1 = size2 needs an empty proof and equal roots (SUBPROOF(m, D[m], true) = {});
    /// size1 = 0 is always rejected, because RFC 9162 §2.1.4 defines consistency proofs only for
    /// 0 &lt; size1 (every tree extends the empty one, so no proof can say anything); this is also what
    /// the reference verifier (transparency-dev/merkle) does.
    /// </summary>
    public static MerkleVerification Consistency(long size1, long size2, byte[] root1, byte[] root2, IReadOnlyList<byte[]>? proof)
    {
        if (size1 < 0) return Fail($"size1 {size1} is negative");
        if (size2 < 0) return Fail($"size2 {size2} is negative");
        if (size1 > size2) return Fail($"size1 {size1} is greater than size2 {size2}: a log only grows");
        if (size1 == 0)
            return Fail("size1 is 0: RFC 9162 §2.1.4 proves consistency only from a non-empty tree (every tree extends the empty one)");
        if (HashProblem(root1, "root1") is { } problem1) return Fail(problem1);
        if (HashProblem(root2, "root2") is { } problem2) return Fail(problem2);

        var count = proof?.Count ?? 0;
        if (size1 == size2)
        {
            if (count != 0) return Fail($"proof too long: the sizes are equal ({size1}), so the proof must be empty, not {count} hashes");
            if (!root1.AsSpan().SequenceEqual(root2))
                return Fail($"root mismatch: both trees have size {size1} but root1 {B64(root1)} differs from root2 {B64(root2)}");
            return new MerkleVerification(true, $"the two trees are the same tree of size {size1} with root {B64(root1)}");
        }

        var expected = ConsistencyLength(size1, size2);
        if (count != expected)
        {
            return Fail($"proof too {(count < expected ? "short" : "long")}: {count} hash{(count == 1 ? "" : "es")}, "
                + $"where consistency from size {size1} to size {size2} needs {expected}");
        }
        for (var i = 0; i < count; i++)
        {
            if (HashProblem(proof![i], $"proof hash {i}") is { } problem) return Fail(problem);
        }

        // §2.1.4.2 step 1 (an empty path fails) holds: expected ≥ 1 whenever 0 < size1 < size2.
        // Step 2: when size1 is a power of two the old root is itself a node of the new tree, and
        // the path starts with it; the proof leaves it out, so it is put in front here.
        var prepend = BitOperations.IsPow2(size1);
        var length = count + (prepend ? 1 : 0);
        // Steps 3–4.
        var fn = size1 - 1;
        var sn = size2 - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        // Step 5.
        Span<byte> fr = stackalloc byte[Rfc9162.HashSize];
        Span<byte> sr = stackalloc byte[Rfc9162.HashSize];
        (prepend ? root1 : proof![0]).CopyTo(fr);
        fr.CopyTo(sr);
        // Step 6.
        for (var i = 1; i < length; i++)
        {
            var c = prepend ? proof![i - 1] : proof![i];
            if (sn == 0) return Fail($"proof too long: the new root is reached after {i - (prepend ? 1 : 0)} hashes"); // 6a
            if ((fn & 1) == 1 || fn == sn)
            {
                Rfc9162.NodeHash(c, fr, fr); // 6b.i
                Rfc9162.NodeHash(c, sr, sr); // 6b.ii
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0) // 6b.iii
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                Rfc9162.NodeHash(sr, c, sr); // 6b otherwise: a node only the new tree has
            }
            fn >>= 1; // 6c
            sn >>= 1;
        }
        // Step 7.
        if (sn != 0) return Fail($"proof too short: {count} hashes stop below the new root");
        if (!fr.SequenceEqual(root1))
            return Fail($"root1 mismatch: the proof rebuilds the old root as {B64(fr)}, not {B64(root1)}");
        if (!sr.SequenceEqual(root2))
            return Fail($"root2 mismatch: the proof leads to the new root {B64(sr)}, not {B64(root2)}");
        return new MerkleVerification(true,
            $"the tree of size {size2} with root {B64(root2)} extends the tree of size {size1} with root {B64(root1)}");
    }

    /// <summary>
    /// How many hashes PATH(leafIndex, D[0:treeSize]) has: one per level below the point where the
    /// paths to the leaf and to the last leaf part (inner), plus one per left sibling above it (border).
    /// </summary>
    internal static int InclusionLength(long leafIndex, long treeSize)
    {
        var inner = 64 - BitOperations.LeadingZeroCount((ulong)(leafIndex ^ (treeSize - 1)));
        return inner + BitOperations.PopCount((ulong)(leafIndex >> inner));
    }

    /// <summary>
    /// How many hashes PROOF(size1, D[0:size2]) has for 0 &lt; size1 &lt; size2: the audit path, in the
    /// tree of size2, of the largest complete subtree that ends at size1, plus that subtree's own hash
    /// unless it is the whole old tree (size1 a power of two).
    /// </summary>
    internal static int ConsistencyLength(long size1, long size2)
    {
        var level = BitOperations.TrailingZeroCount(size1);
        var index = (size1 - 1) >> level;
        var last = (size2 - 1) >> level;
        var inner = 64 - BitOperations.LeadingZeroCount((ulong)(index ^ last));
        return inner + BitOperations.PopCount((ulong)(index >> inner)) + (index == 0 ? 0 : 1);
    }

    private static string? HashProblem(byte[]? hash, string what) => hash switch
    {
        null => $"{what} is missing",
        { Length: not Rfc9162.HashSize } => $"{what} is {hash.Length} bytes, not a {Rfc9162.HashSize}-byte SHA-256 hash",
        _ => null,
    };

    private static MerkleVerification Fail(string reason) => new(false, reason);

    private static string B64(ReadOnlySpan<byte> hash) => Convert.ToBase64String(hash);
}
