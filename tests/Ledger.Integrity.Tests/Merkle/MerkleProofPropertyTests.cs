using CsCheck;
using Ledger.Integrity.Merkle;

namespace Ledger.Integrity.Tests.Merkle;

/// <summary>
/// Random trees of 1 … 2000 leaves: every proof the reader produces verifies, and every single
/// change to a claim — a bit of a hash, a size or index off by one, a hash more or less, swapped
/// roots — makes it fail. A failing sample prints a seed that replays it.
/// </summary>
public sealed class MerkleProofPropertyTests
{
    private const int Iterations = 50;

    private sealed record Case(int Size, int Seed, int Index, int Size1, int Size2)
    {
        public override string ToString() => $"size {Size}, seed {Seed}, index {Index}, size1 {Size1}, size2 {Size2}";
    }

    private static readonly Gen<Case> Cases =
        from size in Gen.Int[1, 2000]
        from seed in Gen.Int
        from index in Gen.Int[0, size - 1]
        from size2 in Gen.Int[1, size]
        from size1 in Gen.Int[1, size2]
        select new Case(size, seed, index, size1, size2);

    // One leaf more than the claims use, so that the root of size + 1 exists for the ±1 checks.
    private static StoringMerkleHashes Build(Case c) => TestTrees.Stored(TestTrees.Leaves(c.Size + 1, c.Seed));

    private static async Task<byte[]> Root(StoringMerkleHashes tree, long size) => await MerkleReader.RootAsync(tree, size);

    [Fact]
    public Task Every_inclusion_and_consistency_proof_of_a_tree_verifies() =>
        Cases.SampleAsync(async c =>
        {
            var tree = Build(c);
            var n = c.Size;
            var root = await Root(tree, n);
            for (var i = 0; i < n; i++)
            {
                var proof = await MerkleReader.InclusionProofAsync(tree, i, n);
                var verdict = MerkleVerify.Inclusion(i, n, tree.Leaves[i], proof, root);
                Assert.True(verdict.Valid, $"leaf {i} of {n}: {verdict.Reason}");
            }
            for (var m = 1; m <= n; m++)
            {
                var proof = await MerkleReader.ConsistencyProofAsync(tree, m, n);
                var verdict = MerkleVerify.Consistency(m, n, await Root(tree, m), root, proof);
                Assert.True(verdict.Valid, $"{m} → {n}: {verdict.Reason}");
            }
            // The stored and the plain reader agree, and both agree with the literal RFC text.
            var memory = new MemoryMerkleHashes(tree.Leaves.Take(n));
            Assert.Equal(await MerkleReader.InclusionProofAsync(memory, c.Index, n), await MerkleReader.InclusionProofAsync(tree, c.Index, n));
            Assert.Equal(await MerkleReader.ConsistencyProofAsync(memory, c.Size1, c.Size2), await MerkleReader.ConsistencyProofAsync(tree, c.Size1, c.Size2));
            Assert.Equal(root, await MerkleReader.RootAsync(memory, n));
        }, iter: Iterations);

    [Fact]
    public Task Any_change_to_an_inclusion_claim_makes_it_fail() =>
        Cases.SampleAsync(async c =>
        {
            var tree = Build(c);
            var (i, n) = ((long)c.Index, (long)c.Size);
            var leaf = tree.Leaves[c.Index];
            var root = await Root(tree, n);
            var proof = (await MerkleReader.InclusionProofAsync(tree, i, n)).ToArray();
            Assert.True(MerkleVerify.Inclusion(i, n, leaf, proof, root).Valid);

            void Fails(string what, MerkleVerification verdict) => Assert.False(verdict.Valid, $"{c}: {what} still verified");

            for (var h = 0; h < proof.Length; h++)
            {
                for (var bit = 0; bit < 256; bit++)
                {
                    var tampered = (byte[][])proof.Clone();
                    tampered[h] = TestTrees.Flip(proof[h], bit);
                    Fails($"bit {bit} of proof hash {h} flipped", MerkleVerify.Inclusion(i, n, leaf, tampered, root));
                }
            }
            for (var bit = 0; bit < 256; bit++)
            {
                Fails($"bit {bit} of the leaf hash flipped", MerkleVerify.Inclusion(i, n, TestTrees.Flip(leaf, bit), proof, root));
                Fails($"bit {bit} of the root flipped", MerkleVerify.Inclusion(i, n, leaf, proof, TestTrees.Flip(root, bit)));
            }

            // Another leaf index: always a different path shape (the lowest bit differs).
            foreach (var other in new[] { i - 1, i + 1 })
            {
                if (other < 0 || other >= n) continue;
                Fails($"leaf index {other}", MerkleVerify.Inclusion(other, n, leaf, proof, root));
                Fails($"leaf {other}'s own hash at index {i}", MerkleVerify.Inclusion(i, n, tree.Leaves[(int)other], proof, root));
            }
            // Another tree size. Against the root of that size it must fail. Against the original root
            // it verifies exactly when the path has the same shape for both sizes (RFC 9162 proofs bind
            // a size only through the path's shape; signed checkpoints bind sizes to roots).
            foreach (var size in new[] { n - 1, n + 1 })
            {
                if (size <= i) continue;
                Fails($"tree size {size} with its own root", MerkleVerify.Inclusion(i, size, leaf, proof, await Root(tree, size)));
                var sameShape = ReferenceMerkle.InclusionShape(i, size) == ReferenceMerkle.InclusionShape(i, n);
                Assert.Equal(sameShape, MerkleVerify.Inclusion(i, size, leaf, proof, root).Valid);
            }
            // A hash fewer or more.
            if (proof.Length > 0)
            {
                Fails("the last hash dropped", MerkleVerify.Inclusion(i, n, leaf, proof[..^1], root));
                Fails("the first hash dropped", MerkleVerify.Inclusion(i, n, leaf, proof[1..], root));
                Fails("the proof emptied", MerkleVerify.Inclusion(i, n, leaf, null, root));
            }
            Fails("a hash appended", MerkleVerify.Inclusion(i, n, leaf, [.. proof, root], root));
            Fails("a hash prepended", MerkleVerify.Inclusion(i, n, leaf, [leaf, .. proof], root));
        }, iter: Iterations);

    [Fact]
    public Task Any_change_to_a_consistency_claim_makes_it_fail() =>
        Cases.SampleAsync(async c =>
        {
            var tree = Build(c);
            var (m, n) = ((long)c.Size1, (long)c.Size2);
            var (root1, root2) = (await Root(tree, m), await Root(tree, n));
            var proof = (await MerkleReader.ConsistencyProofAsync(tree, m, n)).ToArray();
            Assert.True(MerkleVerify.Consistency(m, n, root1, root2, proof).Valid);

            void Fails(string what, MerkleVerification verdict) => Assert.False(verdict.Valid, $"{c}: {what} still verified");

            for (var h = 0; h < proof.Length; h++)
            {
                for (var bit = 0; bit < 256; bit++)
                {
                    var tampered = (byte[][])proof.Clone();
                    tampered[h] = TestTrees.Flip(proof[h], bit);
                    Fails($"bit {bit} of proof hash {h} flipped", MerkleVerify.Consistency(m, n, root1, root2, tampered));
                }
            }
            for (var bit = 0; bit < 256; bit++)
            {
                Fails($"bit {bit} of root1 flipped", MerkleVerify.Consistency(m, n, TestTrees.Flip(root1, bit), root2, proof));
                Fails($"bit {bit} of root2 flipped", MerkleVerify.Consistency(m, n, root1, TestTrees.Flip(root2, bit), proof));
            }
            if (m != n) Fails("root1 and root2 swapped", MerkleVerify.Consistency(m, n, root2, root1, proof));

            // Other sizes: against the roots of those sizes it must fail; against the original roots it
            // verifies exactly when the verifier would do the same hashing (same shape), as with inclusion.
            foreach (var (size1, size2) in new[] { (m - 1, n), (m + 1, n), (m, n - 1), (m, n + 1) })
            {
                if (size1 < 1 || size1 > size2) continue;
                Fails($"sizes {size1} → {size2} with their own roots",
                    MerkleVerify.Consistency(size1, size2, await Root(tree, size1), await Root(tree, size2), proof));
                var sameShape = ReferenceMerkle.ConsistencyShape(size1, size2) == ReferenceMerkle.ConsistencyShape(m, n);
                Assert.True(sameShape == MerkleVerify.Consistency(size1, size2, root1, root2, proof).Valid,
                    $"{c}: sizes {size1} → {size2} with the original roots, same shape: {sameShape}");
            }
            if (proof.Length > 0)
            {
                Fails("the last hash dropped", MerkleVerify.Consistency(m, n, root1, root2, proof[..^1]));
                Fails("the first hash dropped", MerkleVerify.Consistency(m, n, root1, root2, proof[1..]));
                Fails("the proof emptied", MerkleVerify.Consistency(m, n, root1, root2, null));
            }
            Fails("a hash appended", MerkleVerify.Consistency(m, n, root1, root2, [.. proof, root2]));
            Fails("a hash prepended", MerkleVerify.Consistency(m, n, root1, root2, [root1, .. proof]));
        }, iter: Iterations);

    [Fact]
    public void Random_claims_never_throw_and_never_verify() =>
        Gen.Select(Gen.Long, Gen.Long, Gen.Byte.Array[0, 40], Gen.Byte.Array[32].Array[0, 70])
            .Sample((a, b, hash, proof) =>
            {
                Assert.False(MerkleVerify.Inclusion(a, b, hash, proof, hash).Valid && proof.Length > 0);
                var consistency = MerkleVerify.Consistency(a, b, hash, hash, proof);
                Assert.False(consistency.Valid && proof.Length > 0);
            }, iter: 2000);
}
