using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using Ledger.Integrity.Merkle;

namespace Ledger.Integrity.Tests.Merkle;

/// <summary>
/// RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 transcribed as literally as possible (recursive, slow),
/// to hold the real implementation to. Works on leaf hashes.
/// </summary>
internal static class ReferenceMerkle
{
    // k: the largest power of two smaller than n (n ≥ 2).
    private static int Split(int n) => 1 << BitOperations.Log2((uint)(n - 1));

    // Memoized per leaf list, only so that the quadratic loops of the tests stay fast.
    private static readonly ConditionalWeakTable<IReadOnlyList<byte[]>, ConcurrentDictionary<(int, int), byte[]>> Memo = [];

    /// <summary>MTH(D[start:end]).</summary>
    public static byte[] Mth(IReadOnlyList<byte[]> leaves, int start, int end)
    {
        var n = end - start;
        if (n == 0) return Rfc9162.EmptyRoot;
        if (n == 1) return leaves[start];
        var memo = Memo.GetValue(leaves, _ => new ConcurrentDictionary<(int, int), byte[]>());
        if (memo.TryGetValue((start, end), out var known)) return known;
        var k = Split(n);
        return memo[(start, end)] = Rfc9162.NodeHash(Mth(leaves, start, start + k), Mth(leaves, start + k, end));
    }

    /// <summary>PATH(m, D[0:n]).</summary>
    public static List<byte[]> Path(IReadOnlyList<byte[]> leaves, int m, int n) => Path(leaves, m, 0, n);

    private static List<byte[]> Path(IReadOnlyList<byte[]> leaves, int m, int start, int end)
    {
        var n = end - start;
        if (n == 1) return [];
        var k = Split(n);
        if (m < k)
        {
            var path = Path(leaves, m, start, start + k);
            path.Add(Mth(leaves, start + k, end));
            return path;
        }
        var right = Path(leaves, m - k, start + k, end);
        right.Add(Mth(leaves, start, start + k));
        return right;
    }

    /// <summary>PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true).</summary>
    public static List<byte[]> Proof(IReadOnlyList<byte[]> leaves, int m, int n) => SubProof(leaves, m, 0, n, true);

    private static List<byte[]> SubProof(IReadOnlyList<byte[]> leaves, int m, int start, int end, bool b)
    {
        var n = end - start;
        if (m == n) return b ? [] : [Mth(leaves, start, end)];
        var k = Split(n);
        if (m <= k)
        {
            var proof = SubProof(leaves, m, start, start + k, b);
            proof.Add(Mth(leaves, start + k, end));
            return proof;
        }
        var right = SubProof(leaves, m - k, start + k, end, false);
        right.Add(Mth(leaves, start, start + k));
        return right;
    }

    /// <summary>
    /// The shape of PATH(m, D[0:n]) bottom-up: true where the sibling is on the left. Two claims with
    /// the same shape make the verifier compute the same root from the same hashes.
    /// </summary>
    public static string InclusionShape(long m, long n)
    {
        var sides = new List<char>();
        long start = 0, end = n;
        while (end - start > 1)
        {
            var k = 1L << BitOperations.Log2((ulong)(end - start - 1));
            if (m - start < k) { sides.Add('R'); end = start + k; }
            else { sides.Add('L'); start += k; }
        }
        sides.Reverse();
        return new string([.. sides]);
    }

    /// <summary>
    /// The shape of PROOF(m, D[0:n]) bottom-up: how the verifier uses each hash — 'P' the old root put
    /// in front (m a power of two), 'S' a seed from the proof, 'B' a left sibling inside the old tree
    /// (both roots), 'N' a right sibling only the new tree has; "=" for m = n.
    /// </summary>
    public static string ConsistencyShape(long m, long n)
    {
        if (m == n) return "=";
        var ops = new List<char>();
        long start = 0, end = n;
        var whole = true;
        while (m != end)
        {
            var k = 1L << BitOperations.Log2((ulong)(end - start - 1));
            if (m - start <= k) { ops.Add('N'); end = start + k; }
            else { ops.Add('B'); start += k; whole = false; }
        }
        ops.Add(whole ? 'P' : 'S');
        ops.Reverse();
        return new string([.. ops]);
    }
}
