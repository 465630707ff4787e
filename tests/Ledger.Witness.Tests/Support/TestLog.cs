using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ledger.Integrity.Checkpoints;
using Ledger.Integrity.Merkle;

namespace Ledger.Witness.Tests.Support;

/// <summary>
/// A log made in memory: an RFC 9162 tree of made-up leaves and a checkpoint signer, and the add-checkpoint
/// bodies a log would send for it. Two logs with the same seed and origin but different leaves are a split view.
/// </summary>
public sealed class TestLog : IDisposable
{
    private readonly MemoryMerkleHashes _tree = new();

    public TestLog(string origin, byte[]? seed = null, string branch = "main", int leaves = 0)
    {
        Origin = origin;
        Seed = seed ?? RandomNumberGenerator.GetBytes(32);
        Signer = CheckpointSigner.FromSeed(Seed, origin);
        Branch = branch;
        Grow(leaves);
    }

    public string Origin { get; }

    public byte[] Seed { get; }

    public string Branch { get; }

    public CheckpointSigner Signer { get; }

    /// <summary>The log's verifier key and the witness's --log argument for it.</summary>
    public string LogArgument => $"{Origin}={Signer.VerifierKey}";

    public long Size => _tree.Count;

    /// <summary>Adds leaves named after the branch, so two branches differ from where they part.</summary>
    public void Grow(int count)
    {
        for (var i = 0; i < count; i++)
            _tree.AddLeaf(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Origin}|{Branch}|{_tree.Count}")));
    }

    /// <summary>The same log (origin and key) with this log's first <paramref name="shared"/> leaves, then leaves of its own.</summary>
    public TestLog Fork(int shared, string branch, int ownLeaves)
    {
        var fork = new TestLog(Origin, Seed, branch);
        for (var i = 0; i < shared; i++)
            fork._tree.Add(_tree.LeafHashAsync(i, default).Result);
        fork.Grow(ownLeaves);
        return fork;
    }

    public byte[] Root(long size) => MerkleReader.RootAsync(_tree, size).AsTask().GetAwaiter().GetResult();

    public Checkpoint Checkpoint(long size) => new(Origin, size, Root(size));

    public string SignedCheckpoint(long size) => Signer.Sign(Checkpoint(size));

    public IReadOnlyList<byte[]> Proof(long oldSize, long size) =>
        oldSize == 0 || oldSize == size ? [] : MerkleReader.ConsistencyProofAsync(_tree, oldSize, size).AsTask().GetAwaiter().GetResult();

    /// <summary>The add-checkpoint body: "old N", the consistency proof from N, an empty line, the signed checkpoint.</summary>
    public string Request(long oldSize, long size) => Body(oldSize, Proof(oldSize, size), SignedCheckpoint(size));

    public static string Body(long oldSize, IEnumerable<byte[]> proof, string signedCheckpoint)
    {
        var body = new StringBuilder().Append(CultureInfo.InvariantCulture, $"old {oldSize}\n");
        foreach (var hash in proof)
            body.Append(Convert.ToBase64String(hash)).Append('\n');
        return body.Append('\n').Append(signedCheckpoint).ToString();
    }

    public void Dispose() => Signer.Dispose();
}
