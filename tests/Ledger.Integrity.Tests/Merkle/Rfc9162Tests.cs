using System.Text;
using Ledger.Integrity.Merkle;

namespace Ledger.Integrity.Tests.Merkle;

// Hash vectors from transparency-dev/merkle rfc6962/rfc6962_test.go (TestRFC6962Hasher), Apache-2.0.
public sealed class Rfc9162Tests
{
    [Fact]
    public void The_empty_root_is_the_SHA256_of_nothing()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(Rfc9162.EmptyRoot));
        Assert.Equal(32, Rfc9162.HashSize);
    }

    [Fact]
    public void The_empty_root_is_a_fresh_copy_each_time()
    {
        var first = Rfc9162.EmptyRoot;
        first[0] ^= 0xFF;
        Assert.Equal(0xe3, Rfc9162.EmptyRoot[0]);
    }

    [Fact]
    public void A_leaf_is_prefixed_with_zero()
    {
        // echo -n 00 | xxd -r -p | sha256sum: the empty leaf differs from the empty tree.
        Assert.Equal("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", Convert.ToHexStringLower(Rfc9162.LeafHash([])));
        // echo -n 004C313233343536 | xxd -r -p | sha256sum
        Assert.Equal("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56",
            Convert.ToHexStringLower(Rfc9162.LeafHash("L123456"u8)));
    }

    [Fact]
    public void A_node_is_prefixed_with_one()
    {
        // echo -n 014E3132334E343536 | xxd -r -p | sha256sum
        Assert.Equal("aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb",
            Convert.ToHexStringLower(Rfc9162.NodeHash("N123"u8, "N456"u8)));
    }

    [Fact]
    public void The_standard_leaves_hash_to_the_reference_leaf_hashes()
    {
        for (var i = 0; i < 8; i++)
            Assert.Equal(ReferenceVectors.NodeHashes[0][i], Rfc9162.LeafHash(ReferenceVectors.LeafInputs[i]));
    }

    [Fact]
    public void Reference_nodes_are_the_node_hash_of_their_children()
    {
        var levels = ReferenceVectors.NodeHashes;
        for (var level = 1; level < levels.Length; level++)
        {
            for (var i = 0; i < levels[level].Length; i++)
                Assert.Equal(levels[level][i], Rfc9162.NodeHash(levels[level - 1][2 * i], levels[level - 1][2 * i + 1]));
        }
    }

    [Theory]
    [InlineData(1023)]
    [InlineData(1024)]
    [InlineData(100_000)]
    public void Large_leaves_hash_the_same_as_small_ones_do(int length)
    {
        var input = Encoding.ASCII.GetBytes(new string('x', length));
        var expected = System.Security.Cryptography.SHA256.HashData([0, .. input]);
        Assert.Equal(expected, Rfc9162.LeafHash(input));
    }
}
