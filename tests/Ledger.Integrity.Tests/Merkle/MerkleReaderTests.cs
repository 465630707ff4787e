using System.Numerics;
using Ledger.Integrity.Merkle;

namespace Ledger.Integrity.Tests.Merkle;

public sealed class MerkleReaderTests
{
    [Fact]
    public async Task Roots_and_subtrees_match_the_literal_definition_for_every_range_up_to_40()
    {
        var leaves = TestTrees.Leaves(40, seed: 1);
        var memory = new MemoryMerkleHashes(leaves);
        var stored = TestTrees.Stored(leaves);
        for (var end = 0; end <= 40; end++)
        {
            Assert.Equal(ReferenceMerkle.Mth(leaves, 0, end), await MerkleReader.RootAsync(memory, end));
            for (var start = 0; start <= end; start++)
            {
                // Unaligned ranges too: MTH(D[start:end]) is defined for any range.
                var expected = ReferenceMerkle.Mth(leaves, start, end);
                Assert.Equal(expected, await MerkleReader.SubtreeHashAsync(memory, start, end));
                Assert.Equal(expected, await MerkleReader.SubtreeHashAsync(stored, start, end));
            }
        }
    }

    [Fact]
    public async Task Proofs_match_the_literal_definitions_for_every_claim_up_to_70_leaves()
    {
        var leaves = TestTrees.Leaves(70, seed: 2);
        var memory = new MemoryMerkleHashes(leaves);
        var stored = TestTrees.Stored(leaves);
        var sparse = TestTrees.Stored(leaves, keep: (level, _) => level % 3 == 0);
        for (var n = 1; n <= 70; n++)
        {
            for (var m = 0; m < n; m++)
            {
                var expected = ReferenceMerkle.Path(leaves, m, n);
                Assert.Equal(expected, await MerkleReader.InclusionProofAsync(memory, m, n));
                Assert.Equal(expected, await MerkleReader.InclusionProofAsync(stored, m, n));
                Assert.Equal(expected, await MerkleReader.InclusionProofAsync(sparse, m, n));
            }
            for (var m = 1; m <= n; m++)
            {
                var expected = ReferenceMerkle.Proof(leaves, m, n);
                Assert.Equal(expected, await MerkleReader.ConsistencyProofAsync(memory, m, n));
                Assert.Equal(expected, await MerkleReader.ConsistencyProofAsync(stored, m, n));
                Assert.Equal(expected, await MerkleReader.ConsistencyProofAsync(sparse, m, n));
            }
        }
    }

    [Fact]
    public async Task With_every_subtree_stored_a_root_reads_one_hash_per_set_bit_of_the_size()
    {
        var store = TestTrees.Stored(TestTrees.Leaves(100_000, seed: 3));
        foreach (var size in new long[] { 1, 2, 3, 64, 65_536, 99_999, 100_000 })
        {
            store.ResetCounts();
            var root = await MerkleReader.RootAsync(store, size);
            Assert.Equal(BitOperations.PopCount((ulong)size), store.LeafReads + store.SubtreeReads);
            if (size == store.Leaves.Count) Assert.Equal(store.Frontier.Root(), root);
        }
    }

    [Fact]
    public async Task With_every_subtree_stored_proofs_read_a_few_hashes_per_level_not_the_tree()
    {
        var store = TestTrees.Stored(TestTrees.Leaves(100_000, seed: 4));
        store.ResetCounts();
        var inclusion = await MerkleReader.InclusionProofAsync(store, 31_337, 100_000);
        Assert.InRange(store.LeafReads + store.SubtreeReads, inclusion.Count, 2 * 17);
        store.ResetCounts();
        var consistency = await MerkleReader.ConsistencyProofAsync(store, 77_777, 100_000);
        Assert.InRange(store.LeafReads + store.SubtreeReads, consistency.Count, 2 * 17);
        Assert.True(MerkleVerify.Consistency(77_777, 100_000,
            await MerkleReader.RootAsync(store, 77_777), store.Frontier.Root(), consistency).Valid);
    }

    [Fact]
    public async Task Without_stored_subtrees_the_reader_computes_what_it_lacks()
    {
        var leaves = TestTrees.Leaves(1000, seed: 5);
        var none = TestTrees.Stored(leaves, keep: (_, _) => false);
        var all = TestTrees.Stored(leaves);
        Assert.Equal(all.Frontier.Root(), await MerkleReader.RootAsync(none, 1000));
        Assert.Equal(1000, none.LeafReads);
    }

    [Fact]
    public async Task An_empty_range_is_the_empty_root()
    {
        var tree = new MemoryMerkleHashes();
        Assert.Equal(Rfc9162.EmptyRoot, await MerkleReader.RootAsync(tree, 0));
        Assert.Equal(Rfc9162.EmptyRoot, await MerkleReader.SubtreeHashAsync(tree, 5, 5));
    }

    [Fact]
    public async Task A_one_leaf_tree_has_an_empty_inclusion_proof_and_equal_sizes_an_empty_consistency_proof()
    {
        var tree = new MemoryMerkleHashes(TestTrees.Leaves(5, seed: 6));
        Assert.Empty(await MerkleReader.InclusionProofAsync(tree, 0, 1));
        Assert.Empty(await MerkleReader.ConsistencyProofAsync(tree, 5, 5));
    }

    [Fact]
    public async Task Bad_arguments_throw_ArgumentOutOfRange_with_a_clear_message()
    {
        var tree = new MemoryMerkleHashes(TestTrees.Leaves(8, seed: 7));
        var root = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await MerkleReader.RootAsync(tree, -1));
        Assert.Contains("negative", root.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await MerkleReader.SubtreeHashAsync(tree, -1, 2));
        var backwards = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await MerkleReader.SubtreeHashAsync(tree, 5, 4));
        Assert.Contains("before it starts", backwards.Message, StringComparison.Ordinal);

        var index = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await MerkleReader.InclusionProofAsync(tree, 8, 8));
        Assert.Equal("index", index.ParamName);
        Assert.Contains("leaf index 8 is not in a tree of size 8", index.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await MerkleReader.InclusionProofAsync(tree, -1, 8));
        var empty = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await MerkleReader.InclusionProofAsync(tree, 0, 0));
        Assert.Equal("treeSize", empty.ParamName);

        var zero = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await MerkleReader.ConsistencyProofAsync(tree, 0, 8));
        Assert.Equal("size1", zero.ParamName);
        Assert.Contains("RFC 9162", zero.Message, StringComparison.Ordinal);
        var shrink = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await MerkleReader.ConsistencyProofAsync(tree, 8, 7));
        Assert.Contains("size1 8 is greater than size2 7", shrink.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_that_returns_a_wrong_length_hash_is_reported_not_used()
    {
        var broken = new BrokenStore();
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await MerkleReader.RootAsync(broken, 4));
        Assert.Contains("subtree (2, 0)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_stops_a_long_computation()
    {
        var tree = new MemoryMerkleHashes(TestTrees.Leaves(4096, seed: 8));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await MerkleReader.RootAsync(tree, 4096, cancelled.Token));
    }

    private sealed class BrokenStore : IMerkleHashes
    {
        public ValueTask<byte[]> LeafHashAsync(long index, CancellationToken ct) => new(new byte[32]);
        public ValueTask<byte[]?> StoredSubtreeAsync(int level, long index, CancellationToken ct) => new(new byte[31]);
    }
}
