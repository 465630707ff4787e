using System.Security.Cryptography;
using System.Text;
using Ledger.Integrity.Checkpoints;
using Ledger.Integrity.Tests.Leaves;

namespace Ledger.Integrity.Tests.Checkpoints;

/// <summary>
/// The worked example of ops/docs/integrity.md, recomputed: the leaf of LeafEncodingTests' sample envelope,
/// the one-leaf tree whose root is that leaf's hash, and its checkpoint signed with a documentation-only key.
/// </summary>
public sealed class DocumentationExampleTests
{
    private const string Origin = "ledger.local/pilot-zone";

    // Documentation only: the seed is SHA-256 of a public phrase, so anyone can forge with it.
    private static readonly byte[] ExampleSeed = SHA256.HashData("ledger integrity documentation example key"u8);

    private const string ExampleVerifierKey = "ledger.local/pilot-zone+5c31f4b2+AXeAP9zCQSU2fvnX34ph0laYWUNanSVuJA/TG4Zp88kV";

    private const string ExampleNote =
        "ledger.local/pilot-zone\n" +
        "1\n" +
        "qjFRyjpjj3RSjKWtVovLcjGMadvOrIEHlU5H47gn5lk=\n" +
        "\n" +
        "\u2014 ledger.local/pilot-zone XDH0smSIqrPLksWuU28SFO2YWfbfHIFzB3OcwhsG67bxEznwwIG8zgkqUAxNZMTEsWEISPEFb3ichjCT/grbUjj1GwQ=\n";

    [Fact]
    public void The_documented_checkpoint_is_what_the_code_produces()
    {
        var leaf = Encoding.UTF8.GetBytes(LeafEncodingTests.SampleLeaf);
        var root = SHA256.HashData([0x00, .. leaf]); // A one-leaf tree's root is its leaf hash (RFC 9162 §2.1.1).
        using var signer = CheckpointSigner.FromSeed(ExampleSeed, Origin);

        var note = signer.Sign(new Checkpoint(Origin, 1, root));

        Assert.Equal(ExampleVerifierKey, signer.VerifierKey);
        Assert.Equal(ExampleNote, note);
        var (valid, reason, checkpoint) = CheckpointVerifier.Verify(ExampleNote, ExampleVerifierKey);
        Assert.True(valid, reason);
        Assert.Equal(root, checkpoint!.RootHash);
    }
}
