using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Ledger.Integrity.Checkpoints;
using NSec.Cryptography;

namespace Ledger.Integrity.Tests.Checkpoints;

/// <summary>
/// Cosignatures (C2SP tlog-cosignature, Ed25519 cosignature/v1) and trust policies (C2SP tlog-policy): a
/// checkpoint counts only with the log's signature and the quorum's cosignatures of that same body.
/// </summary>
public sealed class TrustPolicyTests : IDisposable
{
    private const string Origin = "ledger.local/pilot-zone";
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);

    private readonly CheckpointSigner _log = CheckpointSigner.FromSeed(SHA256.HashData("the log"u8), Origin);
    private readonly Cosigner _liuyang = Cosigner.FromSeed(SHA256.HashData("liuyang"u8), "witness.liuyang.example/w1");
    private readonly Cosigner _pingxiang = Cosigner.FromSeed(SHA256.HashData("pingxiang"u8), "witness.pingxiang.example/w1");
    private readonly Cosigner _audit = Cosigner.FromSeed(SHA256.HashData("audit"u8), "audit-office.example/w1");
    private readonly Checkpoint _checkpoint = new(Origin, 355, SHA256.HashData("root"u8));

    public void Dispose()
    {
        _log.Dispose();
        _liuyang.Dispose();
        _pingxiang.Dispose();
        _audit.Dispose();
    }

    private string Policy(string quorum) => $"""
        # the pilot zone's ledger and three witnesses
        log {_log.VerifierKey}
        witness liuyang {_liuyang.Verifier} http://127.0.0.1:7381
        witness pingxiang {_pingxiang.Verifier}
        witness audit	{_audit.Verifier}
        {quorum}
        """;

    private string Cosigned(params Cosigner[] witnesses)
    {
        var note = _log.Sign(_checkpoint);
        return note + string.Concat(witnesses.Select(w => w.Cosign(_checkpoint.Body(), At)));
    }

    [Fact]
    public void A_cosignature_is_the_key_id_the_time_and_an_Ed25519_signature_of_the_v1_message()
    {
        var line = _liuyang.Cosign(_checkpoint.Body(), At);

        // Rebuilt here from the spec's words, not from the code under test.
        Assert.StartsWith("\u2014 witness.liuyang.example/w1 ", line, StringComparison.Ordinal);
        Assert.EndsWith("\n", line, StringComparison.Ordinal);
        var blob = Convert.FromBase64String(line.TrimEnd('\n').Split(' ')[2]);
        Assert.Equal(4 + 8 + 64, blob.Length);
        var publicKey = _liuyang.Verifier.PublicKey.ToArray();
        var keyId = SHA256.HashData([.. Encoding.UTF8.GetBytes("witness.liuyang.example/w1\n"), 0x04, .. publicKey])[..4];
        Assert.Equal(keyId, blob[..4]);
        Assert.Equal(1_790_000_000UL, BinaryPrimitives.ReadUInt64BigEndian(blob.AsSpan(4, 8)));
        var message = Encoding.UTF8.GetBytes($"cosignature/v1\ntime 1790000000\n{Origin}\n355\n{Convert.ToBase64String(_checkpoint.RootHash)}\n");
        var key = PublicKey.Import(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(key, message, blob.AsSpan(12)));

        // Its verifier key is type 0x04 and reads back as a cosigner's.
        var vkey = _liuyang.Verifier.ToString();
        Assert.StartsWith("witness.liuyang.example/w1+" + Convert.ToHexStringLower(keyId) + "+B", vkey, StringComparison.Ordinal);
        Assert.True(NoteVerifierKey.TryParse(vkey, out var parsed, out _));
        Assert.True(parsed!.IsCosigner);
    }

    [Fact]
    public void A_cosignature_verifies_with_its_witness_key_and_no_other()
    {
        var note = Cosigned(_liuyang);

        var (valid, _, time) = Cosignature.Verify(note, _liuyang.Verifier);
        Assert.True(valid);
        Assert.Equal(At, time);
        Assert.False(Cosignature.Verify(note, _pingxiang.Verifier).Valid);
        // The log's signature is not a cosignature, and a witness's key signs no note.
        Assert.False(Cosignature.Verify(note, _log.Verifier).Valid);
        Assert.False(SignedNote.Open(note, _liuyang.Verifier).Valid);
    }

    [Fact]
    public void A_cosignature_of_another_checkpoint_or_time_does_not_verify()
    {
        var other = new Checkpoint(Origin, 356, _checkpoint.RootHash);
        var moved = _log.Sign(_checkpoint) + _liuyang.Cosign(other.Body(), At);
        Assert.False(Cosignature.Verify(moved, _liuyang.Verifier).Valid);

        var line = _liuyang.Cosign(_checkpoint.Body(), At);
        var blob = Convert.FromBase64String(line.TrimEnd('\n').Split(' ')[2]);
        BinaryPrimitives.WriteUInt64BigEndian(blob.AsSpan(4), 1_790_000_001);
        var retimed = _log.Sign(_checkpoint) + $"\u2014 witness.liuyang.example/w1 {Convert.ToBase64String(blob)}\n";
        Assert.False(Cosignature.Verify(retimed, _liuyang.Verifier).Valid);
    }

    [Fact]
    public void Two_of_three_accepts_two_cosignatures_and_refuses_one()
    {
        var policy = TrustPolicy.Parse(Policy("quorum 2"));

        var two = policy.Verify(Cosigned(_liuyang, _audit));
        Assert.True(two.Valid, two.Reason);
        Assert.Equal(["liuyang", "audit"], two.Cosigners);
        Assert.Equal(_checkpoint, two.Checkpoint);

        var one = policy.Verify(Cosigned(_pingxiang));
        Assert.False(one.Valid);
        Assert.Contains("cosigned by pingxiang; the quorum is 2 of liuyang, pingxiang, audit", one.Reason, StringComparison.Ordinal);

        var none = policy.Verify(_log.Sign(_checkpoint));
        Assert.False(none.Valid);
        Assert.Contains("no trusted witness cosigned it", none.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_witness_twice_counts_once()
    {
        var policy = TrustPolicy.Parse(Policy("quorum 2"));
        var twice = _log.Sign(_checkpoint) + _liuyang.Cosign(_checkpoint.Body(), At) + _liuyang.Cosign(_checkpoint.Body(), At.AddSeconds(5));
        Assert.False(policy.Verify(twice).Valid);
    }

    [Fact]
    public void Cosignatures_by_keys_the_policy_does_not_list_do_not_count()
    {
        using var stranger = Cosigner.Generate("witness.liuyang.example/w1"); // the same name, another key
        var policy = TrustPolicy.Parse(Policy("quorum 1"));
        var verdict = policy.Verify(Cosigned(stranger));
        Assert.False(verdict.Valid);
        Assert.Empty(verdict.Cosigners);
    }

    [Fact]
    public void Without_the_log_signature_no_quorum_helps()
    {
        using var forger = CheckpointSigner.Generate(Origin);
        var policy = TrustPolicy.Parse(Policy("quorum 1"));
        var forged = forger.Sign(_checkpoint) + _liuyang.Cosign(_checkpoint.Body(), At) + _pingxiang.Cosign(_checkpoint.Body(), At);
        var verdict = policy.Verify(forged);
        Assert.False(verdict.Valid);
        Assert.Null(verdict.Log);
    }

    [Fact]
    public void A_cosignature_by_a_listed_witness_that_fails_makes_the_checkpoint_invalid()
    {
        var policy = TrustPolicy.Parse(Policy("quorum 1"));
        var line = _liuyang.Cosign(_checkpoint.Body(), At);
        var broken = line[..^6] + (line[^6] == 'A' ? "B" : "A") + line[^5..];
        var verdict = policy.Verify(Cosigned(_pingxiang) + broken);
        Assert.False(verdict.Valid);
        Assert.StartsWith("witness liuyang:", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Groups_nest_as_the_policy_format_defines()
    {
        var policy = TrustPolicy.Parse(Policy("""
            group counties any liuyang pingxiang
            group both all counties audit
            quorum both
            """));
        Assert.True(policy.Verify(Cosigned(_pingxiang, _audit)).Valid);
        Assert.False(policy.Verify(Cosigned(_liuyang, _pingxiang)).Valid);
        Assert.False(policy.Verify(Cosigned(_audit)).Valid);
    }

    [Fact]
    public void Quorum_none_is_the_log_signature_alone()
    {
        var policy = TrustPolicy.Parse(Policy("quorum none"));
        Assert.False(policy.RequiresWitnesses);
        Assert.True(policy.Verify(_log.Sign(_checkpoint)).Valid);
    }

    [Theory]
    [InlineData("quorum 4", "policy line 6: a threshold of 4 is not between 1 and 3")]
    [InlineData("quorum 0", "policy line 6: a threshold of 0 is not between 1 and 3")]
    [InlineData("quorum nobody", "policy line 6: nobody is not a witness or group defined above")]
    [InlineData("", "the policy has no quorum line")]
    [InlineData("quorum 1\nquorum 2", "policy line 7: a policy has one quorum line")]
    [InlineData("group g 2 liuyang\nquorum g", "policy line 6: a threshold of 2 is not between 1 and 1")]
    [InlineData("group g any liuyang ghost\nquorum g", "policy line 6: ghost is not a witness or group defined above")]
    [InlineData("witness other x+y+z\nquorum 1", "policy line 6: verifier key ID is not 8 hexadecimal digits")]
    [InlineData("quorum 1\ntrust everyone", "policy line 7: 'trust' is not a policy line")]
    public void A_policy_that_cannot_be_used_is_refused_naming_its_line(string tail, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => TrustPolicy.Parse(Policy(tail)));
        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_must_be_of_the_right_kind_and_listed_once()
    {
        var logAsWitness = Assert.Throws<FormatException>(() => TrustPolicy.Parse($"log {_log.VerifierKey}\nwitness w {_log.VerifierKey}\nquorum 1"));
        Assert.Contains("a witness's cosigning key has type 0x04", logAsWitness.Message, StringComparison.Ordinal);
        var witnessAsLog = Assert.Throws<FormatException>(() => TrustPolicy.Parse($"log {_liuyang.Verifier}\nquorum none"));
        Assert.Contains("a log's key has type 0x01", witnessAsLog.Message, StringComparison.Ordinal);
        var twice = Assert.Throws<FormatException>(() => TrustPolicy.Parse(
            $"log {_log.VerifierKey}\nwitness a {_liuyang.Verifier}\nwitness b {_liuyang.Verifier}\nquorum 1"));
        Assert.Contains("listed twice", twice.Message, StringComparison.Ordinal);
        var noLog = Assert.Throws<FormatException>(() => TrustPolicy.Parse($"witness a {_liuyang.Verifier}\nquorum 1"));
        Assert.Contains("names no log", noLog.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Appending_cosignatures_keeps_the_log_signature_and_drops_repeats()
    {
        var note = _log.Sign(_checkpoint);
        var line = _liuyang.Cosign(_checkpoint.Body(), At);
        var once = Cosignature.Append(note, [line]);
        Assert.Equal(note + line, once);
        Assert.Equal(once, Cosignature.Append(once, [line, line.TrimEnd('\n')]));
        Assert.True(CheckpointVerifier.Verify(once, _log.Verifier).Valid);
    }
}
