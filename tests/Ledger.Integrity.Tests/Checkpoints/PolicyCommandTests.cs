using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ledger.Integrity.Checkpoints;
using Ledger.Integrity.Tests.Merkle;
using Ledger.Integrity.Tests.Support;

namespace Ledger.Integrity.Tests.Checkpoints;

/// <summary>
/// The offline verbs with a trust policy, as an auditor runs them: <c>proof checkpoint-verify --policy</c>
/// counts the quorum's cosignatures, and <c>proof verify</c> checks the signed checkpoint a proof carries only
/// against what the caller trusts, never against the file's own word.
/// </summary>
public sealed class PolicyCommandTests : IDisposable
{
    private const string Origin = "ledger.local/pilot-zone";
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);

    private readonly string _folder = Directory.CreateTempSubdirectory("ledger-policy-cli-").FullName;
    private readonly CheckpointSigner _log = CheckpointSigner.FromSeed(SHA256.HashData("the pilot zone"u8), Origin);
    private readonly Cosigner _liuyang = Cosigner.FromSeed(SHA256.HashData("liuyang"u8), "witness.liuyang.example/w1");
    private readonly Cosigner _pingxiang = Cosigner.FromSeed(SHA256.HashData("pingxiang"u8), "witness.pingxiang.example/w1");

    public void Dispose()
    {
        _log.Dispose();
        _liuyang.Dispose();
        _pingxiang.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private string Policy(int quorum) => Write($"policy-{quorum}.txt",
        $"log {_log.VerifierKey}\nwitness liuyang {_liuyang.Verifier}\nwitness pingxiang {_pingxiang.Verifier}\nquorum {quorum}\n");

    private string Cosigned(Checkpoint checkpoint, params Cosigner[] witnesses) =>
        _log.Sign(checkpoint) + string.Concat(witnesses.Select(w => w.Cosign(checkpoint.Body(), At)));

    [Fact]
    public async Task Checkpoint_verify_accepts_the_quorum_and_refuses_less()
    {
        var checkpoint = new Checkpoint(Origin, 355, SHA256.HashData("root"u8));
        var both = Write("both.txt", Cosigned(checkpoint, _liuyang, _pingxiang));
        var one = Write("one.txt", Cosigned(checkpoint, _pingxiang));

        var (code, stdout, stderr) = await LedgerTool.RunAsync("proof", "checkpoint-verify", both, "--policy", Policy(2));
        Assert.True(code == 0, stderr);
        Assert.StartsWith($"valid: {Origin}, tree size 355", stdout, StringComparison.Ordinal);
        Assert.Contains("cosigned by liuyang, pingxiang; quorum 2 of liuyang, pingxiang met", stdout, StringComparison.Ordinal);

        (code, stdout, stderr) = await LedgerTool.RunAsync("proof", "checkpoint-verify", one, "--policy", Policy(2));
        Assert.Equal(1, code);
        Assert.Equal("ledger: invalid checkpoint: cosigned by pingxiang; the quorum is 2 of liuyang, pingxiang\n", stderr);
        Assert.Empty(stdout);

        (code, _, stderr) = await LedgerTool.RunAsync("proof", "checkpoint-verify", one, "--policy", Policy(1));
        Assert.True(code == 0, stderr);
        // The key alone is the operator's word: it needs no witness.
        (code, _, stderr) = await LedgerTool.RunAsync("proof", "checkpoint-verify", one, "--key", _log.VerifierKey);
        Assert.True(code == 0, stderr);
    }

    [Theory]
    [InlineData("neither", 2, "ledger: give --key (the ledger's verifier key) or --policy (a trust policy file): a checkpoint cannot vouch for itself")]
    [InlineData("both", 2, "ledger: give --key or --policy, not both")]
    [InlineData("bad policy", 2, "ledger: --policy bad.txt: policy line 1: 'trust' is not a policy line")]
    [InlineData("witness key", 2, "ledger: --key: witness.liuyang.example/w1's key is a witness's (type 0x04)")]
    public async Task Checkpoint_verify_says_in_one_line_what_it_needs(string name, int exit, string line)
    {
        var note = Write("note.txt", Cosigned(new Checkpoint(Origin, 1, new byte[32]), _liuyang));
        string[] args = name switch
        {
            "neither" => ["proof", "checkpoint-verify", note],
            "both" => ["proof", "checkpoint-verify", note, "--key", _log.VerifierKey, "--policy", Policy(1)],
            "bad policy" => ["proof", "checkpoint-verify", note, "--policy", Write("bad.txt", "trust everyone\n")],
            _ => ["proof", "checkpoint-verify", note, "--key", _liuyang.Verifier.ToString()],
        };
        var (code, stdout, stderr) = await LedgerTool.RunAsync(args);
        Assert.Equal(exit, code);
        Assert.StartsWith(line, stderr, StringComparison.Ordinal);
        Assert.Equal(1, stderr.Count(c => c == '\n'));
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task A_proof_that_carries_a_checkpoint_is_checked_against_it_only_with_what_the_caller_trusts()
    {
        var proof = JsonNode.Parse(ReferenceProbe.Get("inclusion/2/happy-path.json").Json)!.AsObject();
        var size = (long)proof["treeSize"]!;
        var root = Convert.FromBase64String((string)proof["root"]!);
        var checkpoint = new Checkpoint(Origin, size, root);
        proof["checkpoint"] = Cosigned(checkpoint, _liuyang, _pingxiang);
        var file = Write("inclusion.json", proof.ToJsonString());

        // Without --key or --policy the checkpoint in the file would be its own witness: refused.
        var (code, _, stderr) = await LedgerTool.RunAsync("proof", "verify", file);
        Assert.Equal(2, code);
        Assert.StartsWith("ledger: the file carries a signed checkpoint (checkpoint): give --key or --policy to check it", stderr, StringComparison.Ordinal);

        var (ok, stdout, okError) = await LedgerTool.RunAsync("proof", "verify", file, "--policy", Policy(2));
        Assert.True(ok == 0, okError);
        Assert.StartsWith("valid: the proof holds against the signed checkpoint it carries, which verifies with what you trust; cosigned by liuyang, pingxiang", stdout, StringComparison.Ordinal);

        // The same proof with a checkpoint a forger signed: the proof still holds against its root, the checkpoint does not verify.
        using var forger = CheckpointSigner.Generate(Origin);
        proof["checkpoint"] = forger.Sign(checkpoint);
        var forged = Write("forged.json", proof.ToJsonString());
        (code, _, stderr) = await LedgerTool.RunAsync("proof", "verify", forged, "--key", _log.VerifierKey);
        Assert.Equal(1, code);
        Assert.StartsWith("ledger: invalid proof: its checkpoint does not verify", stderr, StringComparison.Ordinal);

        // A genuine checkpoint of another tree does not vouch for the proof's root.
        proof["checkpoint"] = _log.Sign(new Checkpoint(Origin, size, SHA256.HashData("another root"u8)));
        var other = Write("other.json", proof.ToJsonString());
        (code, _, stderr) = await LedgerTool.RunAsync("proof", "verify", other, "--key", _log.VerifierKey);
        Assert.Equal(1, code);
        Assert.StartsWith($"ledger: invalid proof: its checkpoint is of tree size {size} with another root than the proof's", stderr, StringComparison.Ordinal);

        // A bare proof with a trusted key asked for has nothing to tie it to that key.
        proof.Remove("checkpoint");
        var bare = Write("bare.json", proof.ToJsonString());
        (code, _, stderr) = await LedgerTool.RunAsync("proof", "verify", bare, "--key", _log.VerifierKey);
        Assert.Equal(1, code);
        Assert.StartsWith("ledger: the proof holds, but the file carries no signed checkpoint for its root", stderr, StringComparison.Ordinal);
    }
}
