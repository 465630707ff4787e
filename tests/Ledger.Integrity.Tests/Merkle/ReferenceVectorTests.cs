using System.Security.Cryptography;
using System.Text;
using Ledger.Integrity.Merkle;

namespace Ledger.Integrity.Tests.Merkle;

/// <summary>The reader and the verifier against the published RFC 6962 vectors (see <see cref="ReferenceVectors"/>).</summary>
public sealed class ReferenceVectorTests
{
    private static MemoryMerkleHashes Tree() => new(ReferenceVectors.LeafInputs.Select(input => Rfc9162.LeafHash(input)));

    [Fact]
    public async Task Roots_of_sizes_0_to_8_are_the_reference_roots()
    {
        var tree = Tree();
        var stored = TestTrees.Stored(ReferenceVectors.NodeHashes[0]);
        for (var size = 0; size <= 8; size++)
        {
            Assert.Equal(ReferenceVectors.Roots[size], await MerkleReader.RootAsync(tree, size));
            Assert.Equal(ReferenceVectors.Roots[size], await MerkleReader.RootAsync(stored, size));
        }
    }

    [Fact]
    public void The_frontier_reproduces_the_reference_roots_and_nodes()
    {
        var frontier = new MerkleFrontier();
        Assert.Equal(ReferenceVectors.Roots[0], frontier.Root());
        for (var i = 0; i < 8; i++)
        {
            foreach (var subtree in frontier.Append(ReferenceVectors.NodeHashes[0][i]))
                Assert.Equal(ReferenceVectors.NodeHashes[subtree.Level][subtree.Index], subtree.Hash);
            Assert.Equal(ReferenceVectors.Roots[i + 1], frontier.Root());
        }
    }

    [Fact]
    public async Task Inclusion_proofs_are_the_reference_proofs_and_verify()
    {
        var tree = Tree();
        foreach (var (index, size, proof) in ReferenceVectors.InclusionProofs)
        {
            Assert.Equal(proof, await MerkleReader.InclusionProofAsync(tree, index, size));
            var verdict = MerkleVerify.Inclusion(index, size, ReferenceVectors.NodeHashes[0][index], proof, ReferenceVectors.Roots[size]);
            Assert.True(verdict.Valid, verdict.Reason);
        }
    }

    [Fact]
    public async Task Consistency_proofs_are_the_reference_proofs_and_verify()
    {
        var tree = Tree();
        foreach (var (size1, size2, proof) in ReferenceVectors.ConsistencyProofs)
        {
            Assert.Equal(proof, await MerkleReader.ConsistencyProofAsync(tree, size1, size2));
            var verdict = MerkleVerify.Consistency(size1, size2, ReferenceVectors.Roots[size1], ReferenceVectors.Roots[size2], proof);
            Assert.True(verdict.Valid, verdict.Reason);
        }
    }

    [Fact]
    public async Task Every_proof_of_the_eight_leaf_tree_matches_the_literal_RFC_definitions()
    {
        var leaves = ReferenceVectors.NodeHashes[0];
        var tree = Tree();
        for (var n = 1; n <= 8; n++)
        {
            for (var m = 0; m < n; m++)
                Assert.Equal(ReferenceMerkle.Path(leaves, m, n), await MerkleReader.InclusionProofAsync(tree, m, n));
            for (var m = 1; m <= n; m++)
                Assert.Equal(ReferenceMerkle.Proof(leaves, m, n), await MerkleReader.ConsistencyProofAsync(tree, m, n));
        }
    }

    /// <summary>
    /// The "Subtree Test Vectors" of draft-ietf-plants-merkle-tree-certs as transparency-dev/merkle
    /// checks them (testonly/vectors_test.go, TestSubtreeHashVectors): over the tree with d[i] = i
    /// (130 leaves), every valid subtree [start, end) — start a multiple of the power of two at or
    /// above end - start — written as "[start, end) hash\n" into one running SHA-256.
    /// </summary>
    [Fact]
    public async Task Subtree_hashes_match_the_published_rolling_vector()
    {
        const int max = 130;
        var tree = new MemoryMerkleHashes();
        for (var i = 0; i < max; i++) tree.AddLeaf([(byte)i]);
        var stored = TestTrees.Stored(Enumerable.Range(0, max).Select(i => Rfc9162.LeafHash([(byte)i])));

        using var rolling = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var end = 0; end <= max; end++)
        {
            for (var start = 0; start <= end; start++)
            {
                if (!IsValidSubtree(start, end)) continue;
                var hash = await MerkleReader.SubtreeHashAsync(tree, start, end);
                Assert.Equal(hash, await MerkleReader.SubtreeHashAsync(stored, start, end));
                rolling.AppendData(Encoding.ASCII.GetBytes($"[{start}, {end}) {Convert.ToHexStringLower(hash)}\n"));
            }
        }
        Assert.Equal("b82806ad4265bb151c1119c0f4db437bb4d1a1f887b3a7fba1cd4ebf552e3e81", Convert.ToHexStringLower(rolling.GetHashAndReset()));
    }

    private static bool IsValidSubtree(int start, int end)
    {
        if (start == 0 || start == end) return true;
        var length = (uint)(end - start);
        var ceiling = System.Numerics.BitOperations.RoundUpToPowerOf2(length);
        return (start & (ceiling - 1)) == 0;
    }
}
