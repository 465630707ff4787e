using Ledger.Integrity.Merkle;

namespace Ledger.Integrity.Tests.Merkle;

public sealed class MerkleFrontierTests
{
    private const int Max = 300;

    [Fact]
    public async Task Frontier_roots_equal_reader_roots_for_every_size_0_to_300()
    {
        var leaves = TestTrees.Leaves(Max, seed: 11);
        var memory = new MemoryMerkleHashes(leaves);
        var frontier = new MerkleFrontier();
        Assert.Equal(Rfc9162.EmptyRoot, frontier.Root());
        for (var size = 0; size <= Max; size++)
        {
            Assert.Equal(size, frontier.Size);
            Assert.Equal(await MerkleReader.RootAsync(memory, size), frontier.Root());
            Assert.Equal(ReferenceMerkle.Mth(leaves, 0, size), frontier.Root());
            if (size < Max) frontier.Append(leaves[size]);
        }
    }

    [Fact]
    public async Task Append_reports_exactly_the_aligned_subtrees_it_completes()
    {
        var leaves = TestTrees.Leaves(Max, seed: 12);
        var memory = new MemoryMerkleHashes(leaves);
        var frontier = new MerkleFrontier();
        var seen = new HashSet<(int, long)>();
        for (var i = 0; i < Max; i++)
        {
            var completed = frontier.Append(leaves[i]);
            Assert.Equal(System.Numerics.BitOperations.TrailingZeroCount(~(long)i), completed.Count);
            var level = 1;
            foreach (var subtree in completed)
            {
                Assert.Equal(level++, subtree.Level); // lowest first
                var start = subtree.Index << subtree.Level;
                Assert.Equal(i + 1, start + (1L << subtree.Level)); // it ends at the new leaf
                Assert.Equal(await MerkleReader.SubtreeHashAsync(memory, start, start + (1L << subtree.Level)), subtree.Hash);
                Assert.True(seen.Add((subtree.Level, subtree.Index)));
            }
        }
        // Every complete aligned subtree of level ≥ 1 inside 300 leaves, each once.
        var expected = 0;
        for (var level = 1; (1 << level) <= Max; level++) expected += Max >> level;
        Assert.Equal(expected, seen.Count);
    }

    [Fact]
    public void Restoring_after_any_size_continues_like_an_uninterrupted_frontier()
    {
        var leaves = TestTrees.Leaves(Max, seed: 13);
        var store = TestTrees.Stored(leaves);
        var roots = new List<byte[]>();
        var reference = new MerkleFrontier();
        roots.Add(reference.Root());
        foreach (var leaf in leaves)
        {
            reference.Append(leaf);
            roots.Add(reference.Root());
        }

        for (var size = 0; size <= Max; size++)
        {
            var restored = MerkleFrontier.Restore(size, (level, index) => level == 0 ? leaves[(int)index] : store.Nodes[(level, index)]);
            Assert.Equal(size, restored.Size);
            Assert.Equal(roots[size], restored.Root());
            for (var next = size; next < Max; next++)
            {
                restored.Append(leaves[next]);
                Assert.Equal(roots[next + 1], restored.Root());
            }
        }
    }

    [Fact]
    public async Task RestoreAsync_reads_or_computes_the_right_edge()
    {
        var leaves = TestTrees.Leaves(Max, seed: 14);
        var memory = new MemoryMerkleHashes(leaves);
        var sparse = TestTrees.Stored(leaves, keep: (level, _) => level % 2 == 0);
        foreach (var size in new[] { 0, 1, 2, 3, 7, 8, 100, 255, 256, 299 })
        {
            var fromMemory = await MerkleFrontier.RestoreAsync(memory, size);
            var fromSparse = await MerkleFrontier.RestoreAsync(sparse, size);
            Assert.Equal(ReferenceMerkle.Mth(leaves, 0, size), fromMemory.Root());
            Assert.Equal(ReferenceMerkle.Mth(leaves, 0, size), fromSparse.Root());
            fromMemory.Append(leaves[size]);
            Assert.Equal(ReferenceMerkle.Mth(leaves, 0, size + 1), fromMemory.Root());
        }
    }

    [Fact]
    public void RightEdge_lists_the_subtrees_of_a_size_left_to_right()
    {
        Assert.Empty(MerkleFrontier.RightEdge(0));
        Assert.Equal([(0, 0L)], MerkleFrontier.RightEdge(1));
        Assert.Equal([(2, 0L), (1, 2L)], MerkleFrontier.RightEdge(6));
        Assert.Equal([(2, 0L), (1, 2L), (0, 6L)], MerkleFrontier.RightEdge(7));
        Assert.Equal([(3, 0L)], MerkleFrontier.RightEdge(8));
        Assert.Equal([(3, 0L), (1, 4L), (0, 10L)], MerkleFrontier.RightEdge(11));
        var largest = MerkleFrontier.RightEdge(long.MaxValue);
        Assert.Equal(63, largest.Count);
        Assert.Equal((62, 0L), largest[0]);
        Assert.Equal((0, long.MaxValue - 1), largest[^1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleFrontier.RightEdge(-1));
    }

    [Fact]
    public void Restore_refuses_a_missing_or_malformed_edge()
    {
        var missing = Assert.Throws<ArgumentException>(() => MerkleFrontier.Restore(6, (_, _) => null!));
        Assert.Contains("(2, 0)", missing.Message, StringComparison.Ordinal);
        var shortHash = Assert.Throws<ArgumentException>(() => MerkleFrontier.Restore(6, (level, _) => new byte[level == 1 ? 31 : 32]));
        Assert.Contains("(1, 2)", shortHash.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Append_refuses_what_is_not_a_leaf_hash_and_keeps_its_own_copy()
    {
        var frontier = new MerkleFrontier();
        Assert.Throws<ArgumentNullException>(() => frontier.Append(null!));
        Assert.Throws<ArgumentException>(() => frontier.Append(new byte[31]));
        Assert.Equal(0, frontier.Size);

        var leaf = TestTrees.Leaves(1, seed: 15)[0];
        var mutable = (byte[])leaf.Clone();
        frontier.Append(mutable);
        mutable[0] ^= 1;
        Assert.Equal(leaf, frontier.Root());
        frontier.Root()[0] ^= 1;
        Assert.Equal(leaf, frontier.Root());
    }
}
