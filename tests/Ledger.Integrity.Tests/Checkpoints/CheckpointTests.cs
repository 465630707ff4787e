using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using Ledger.Integrity.Checkpoints;

namespace Ledger.Integrity.Tests.Checkpoints;

public sealed partial class CheckpointTests : IDisposable
{
    private const string Origin = "ledger.local/pilot-zone";

    private static readonly byte[] Root = SHA256.HashData("root"u8);
    private static readonly byte[] Seed = SHA256.HashData("a fixed test seed"u8);

    private readonly CheckpointSigner _signer = CheckpointSigner.FromSeed(Seed, Origin);
    private readonly Checkpoint _checkpoint = new(Origin, 20852163, Root);

    public void Dispose() => _signer.Dispose();

    private string Signed() => _signer.Sign(_checkpoint);

    /// <summary>A note whose (arbitrary) text is properly signed by the test key: to reach the body checks.</summary>
    private string SignText(string text) => text + "\n" + _signer.SignatureLine(text);

    private (bool Valid, string Reason, Checkpoint? Checkpoint) Verify(string note) => CheckpointVerifier.Verify(note, _signer.VerifierKey);

    [GeneratedRegex(@"^[^+\s]+\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$")]
    private static partial Regex VerifierKeyShape();

    [Fact]
    public void The_body_is_origin_size_and_base64_root_each_on_its_own_line()
    {
        Assert.Equal($"ledger.local/pilot-zone\n20852163\n{Convert.ToBase64String(Root)}\n", _checkpoint.Body());
        Assert.Equal("o\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", new Checkpoint("o", 0, new byte[32]).Body());
    }

    [Theory]
    [InlineData("", 1, 32)]
    [InlineData("two\nlines", 1, 32)]
    [InlineData("tab\there", 1, 32)]
    [InlineData("ok", -1, 32)]
    [InlineData("ok", 1, 31)]
    [InlineData("ok", 1, 33)]
    public void A_checkpoint_that_cannot_be_a_note_has_no_body(string origin, long size, int rootLength) =>
        Assert.Throws<InvalidOperationException>(() => new Checkpoint(origin, size, new byte[rootLength]).Body());

    [Fact]
    public void Checkpoints_compare_by_value()
    {
        Assert.Equal(_checkpoint, new Checkpoint(Origin, 20852163, (byte[])Root.Clone()));
        Assert.Equal(_checkpoint.GetHashCode(), new Checkpoint(Origin, 20852163, (byte[])Root.Clone()).GetHashCode());
        Assert.NotEqual(_checkpoint, _checkpoint with { RootHash = new byte[32] });
        Assert.Contains(Convert.ToBase64String(Root), _checkpoint.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_signed_checkpoint_verifies_and_gives_back_the_checkpoint()
    {
        var (valid, reason, checkpoint) = Verify(Signed());

        Assert.True(valid, reason);
        Assert.Equal("ok", reason);
        Assert.Equal(_checkpoint, checkpoint);
    }

    [Fact]
    public void The_signed_note_has_the_c2sp_layout()
    {
        var note = Signed();
        var lines = note.Split('\n');

        Assert.Equal(6, lines.Length);
        Assert.Equal([Origin, "20852163", Convert.ToBase64String(Root), ""], lines[..4]);
        Assert.StartsWith("\u2014 ledger.local/pilot-zone ", lines[4], StringComparison.Ordinal);
        Assert.Equal("", lines[5]);
        var blob = Convert.FromBase64String(lines[4][(lines[4].LastIndexOf(' ') + 1)..]);
        Assert.Equal(68, blob.Length);
        Assert.Equal(_signer.KeyId, (uint)(blob[0] << 24 | blob[1] << 16 | blob[2] << 8 | blob[3]));
        Assert.Equal(note, _signer.Sign(_checkpoint)); // Ed25519 is deterministic.
    }

    [Fact]
    public void The_verifier_key_has_gos_format()
    {
        var key = _signer.VerifierKey;

        Assert.Matches(VerifierKeyShape(), key);
        Assert.StartsWith(Origin + "+" + _signer.KeyId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture) + "+A", key, StringComparison.Ordinal);
        var parsed = NoteVerifierKey.Parse(key);
        Assert.Equal(NoteVerifierKey.ComputeKeyId(Origin, parsed.PublicKey), parsed.KeyId);
        Assert.Equal(_signer.Verifier.PublicKey.ToArray(), parsed.PublicKey.ToArray());
    }

    [Fact]
    public void The_key_name_defaults_to_the_origin_and_can_differ()
    {
        using var named = CheckpointSigner.FromSeed(Seed, Origin, "ledger.example/key-2026");

        Assert.Equal(Origin, _signer.KeyName);
        Assert.Equal("ledger.example/key-2026", named.KeyName);
        Assert.StartsWith("ledger.example/key-2026+", named.VerifierKey, StringComparison.Ordinal);
        Assert.True(CheckpointVerifier.Verify(named.Sign(_checkpoint), named.VerifierKey).Valid);
        // Same key, other name: another key ID, so the signature is not "by" the other verifier key.
        Assert.False(CheckpointVerifier.Verify(named.Sign(_checkpoint), _signer.VerifierKey).Valid);
    }

    [Fact]
    public void A_signer_refuses_checkpoints_of_another_log_and_bad_names()
    {
        Assert.Throws<ArgumentException>(() => _signer.Sign(_checkpoint with { Origin = "other.example/log" }));
        Assert.Throws<ArgumentException>(() => CheckpointSigner.FromSeed(Seed, "origin with spaces"));
        Assert.Throws<ArgumentException>(() => CheckpointSigner.FromSeed(Seed, Origin, "a+b"));
        Assert.Throws<ArgumentException>(() => CheckpointSigner.FromSeed(Seed[..31], Origin));
    }

    [Fact]
    public void A_note_signed_by_another_key_is_invalid()
    {
        using var other = CheckpointSigner.Generate(Origin);

        var (valid, reason, checkpoint) = Verify(other.Sign(_checkpoint));

        Assert.False(valid);
        Assert.Contains("no signature by " + Origin, reason, StringComparison.Ordinal);
        Assert.Null(checkpoint);
    }

    public static TheoryData<string, string> Tamperings() => new()
    {
        { "origin", "does not verify" },
        { "size", "does not verify" },
        { "root", "does not verify" },
        { "signature", "does not verify" },
        { "key id", "no signature by" },
        { "key name", "no signature by" },
        { "crlf", "carriage return" },
        { "no final newline", "does not end with a newline" },
        { "no signatures", "no signature lines" },
        { "no blank line", "no blank line" },
        { "line after signatures", "does not start with an em dash" },
        { "blank line after signatures", "no signature lines" },
        { "extra blank line", "does not verify" },
        { "hyphen for em dash", "em dash" },
        { "trailing space", "not base64" },
        { "short signature", "not base64 of a key ID and a signature" },
        { "control character", "control character" },
        { "empty", "empty" },
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public void Every_tampering_is_detected_with_a_reason(string tampering, string reason)
    {
        var note = Signed();
        var body = _checkpoint.Body();
        var signature = note[(body.Length + 1)..];
        var base64 = signature[(signature.LastIndexOf(' ') + 1)..^1];
        var blob = Convert.FromBase64String(base64);
        string Resign(byte[] b) => body + "\n" + signature.Replace(base64, Convert.ToBase64String(b), StringComparison.Ordinal);

        var tampered = tampering switch
        {
            "origin" => note.Replace(Origin + "\n", "ledger.local/pilot-zonE\n", StringComparison.Ordinal),
            "size" => note.Replace("\n20852163\n", "\n20852164\n", StringComparison.Ordinal),
            "root" => note.Replace(Convert.ToBase64String(Root), Convert.ToBase64String(SHA256.HashData("other"u8)), StringComparison.Ordinal),
            "signature" => Resign([.. blob[..10], (byte)(blob[10] ^ 1), .. blob[11..]]),
            "key id" => Resign([(byte)(blob[0] ^ 0x80), .. blob[1..]]),
            "key name" => note.Replace("\u2014 " + Origin, "\u2014 ledger.local/other", StringComparison.Ordinal),
            "crlf" => note.Replace("\n", "\r\n", StringComparison.Ordinal),
            "no final newline" => note[..^1],
            "no signatures" => body + "\n",
            "no blank line" => body + signature,
            "line after signatures" => note + "garbage\n",
            "blank line after signatures" => note + "\n",
            "extra blank line" => body + "\n\n" + signature,
            "hyphen for em dash" => note.Replace("\u2014", "-", StringComparison.Ordinal),
            "trailing space" => note[..^1] + " \n",
            "short signature" => Resign(blob[..4]),
            "control character" => note.Replace("pilot", "pi\u0000lot", StringComparison.Ordinal),
            "empty" => "",
            _ => throw new ArgumentOutOfRangeException(nameof(tampering)),
        };
        Assert.NotEqual(note, tampered);

        var (valid, why, checkpoint) = Verify(tampered);

        Assert.False(valid, tampering);
        Assert.Contains(reason, why, StringComparison.Ordinal);
        Assert.Null(checkpoint);
    }

    [Theory]
    // Properly signed by the right key, but not a checkpoint as this ledger writes one.
    [InlineData("ledger.local/pilot-zone\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nextension line\n", "4 lines")]
    [InlineData("ledger.local/pilot-zone\n5\n", "2 lines")]
    [InlineData("ledger.local/pilot-zone\n", "1 lines")]
    [InlineData("\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "origin")]
    [InlineData("ledger.local/pilot-zone\n05\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "tree size")]
    [InlineData("ledger.local/pilot-zone\n+5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "tree size")]
    [InlineData("ledger.local/pilot-zone\n-5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "tree size")]
    [InlineData("ledger.local/pilot-zone\n0x10\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "tree size")]
    [InlineData("ledger.local/pilot-zone\n1e3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "tree size")]
    [InlineData("ledger.local/pilot-zone\n 5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "tree size")]
    [InlineData("ledger.local/pilot-zone\n١٢\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "tree size")]
    [InlineData("ledger.local/pilot-zone\n99999999999999999999\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "tree size")]
    [InlineData("ledger.local/pilot-zone\n\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "tree size")]
    [InlineData("ledger.local/pilot-zone\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n", "31 bytes")]
    [InlineData("ledger.local/pilot-zone\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", "33 bytes")]
    [InlineData("ledger.local/pilot-zone\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\n", "base64")]
    [InlineData("ledger.local/pilot-zone\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", "base64")]
    [InlineData("ledger.local/pilot-zone\n5\nAAAAAAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAAAAAAAA=\n", "base64")]
    [InlineData("ledger.local/pilot-zone\n5\n!AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "base64")]
    [InlineData("ledger.local/pilot-zone\n5\n\n", "base64")]
    public void Signed_bodies_that_are_not_checkpoints_are_invalid(string body, string reason)
    {
        var (valid, why, checkpoint) = Verify(SignText(body));

        Assert.False(valid);
        Assert.Contains(reason, why, StringComparison.Ordinal);
        Assert.Null(checkpoint);
    }

    [Fact]
    public void The_largest_tree_size_parses()
    {
        var body = $"{Origin}\n{long.MaxValue}\n{Convert.ToBase64String(Root)}\n";

        var (valid, reason, checkpoint) = Verify(SignText(body));

        Assert.True(valid, reason);
        Assert.Equal(long.MaxValue, checkpoint!.TreeSize);
    }

    [Fact]
    public void Several_signatures_verify_as_long_as_one_is_by_the_given_key()
    {
        using var next = CheckpointSigner.Generate(Origin, "ledger.local/pilot-zone-2026");
        using var witness = CheckpointSigner.Generate(Origin, "witness.example/w1");

        var both = CheckpointSigner.SignWithAll(_checkpoint, [_signer, next]);
        var withWitness = both + witness.SignatureLine(_checkpoint.Body());

        Assert.Equal(both, _signer.Sign(_checkpoint) + next.SignatureLine(_checkpoint.Body()));
        Assert.True(CheckpointVerifier.Verify(both, _signer.VerifierKey).Valid);
        Assert.True(CheckpointVerifier.Verify(both, next.VerifierKey).Valid);
        Assert.True(CheckpointVerifier.Verify(withWitness, _signer.VerifierKey).Valid);
        Assert.True(CheckpointVerifier.Verify(withWitness, witness.VerifierKey).Valid);
        // Ours last, after a stranger's.
        var reordered = _checkpoint.Body() + "\n" + witness.SignatureLine(_checkpoint.Body()) + _signer.SignatureLine(_checkpoint.Body());
        Assert.True(CheckpointVerifier.Verify(reordered, _signer.VerifierKey).Valid);
    }

    [Fact]
    public void A_failing_signature_by_the_given_key_rejects_the_note_even_next_to_a_good_one()
    {
        var note = Signed();
        var line = note[(_checkpoint.Body().Length + 1)..];
        var blob = Convert.FromBase64String(line[(line.LastIndexOf(' ') + 1)..^1]);
        blob[^1] ^= 1;
        var broken = "\u2014 " + Origin + " " + Convert.ToBase64String(blob) + "\n";

        Assert.False(CheckpointVerifier.Verify(note + broken, _signer.VerifierKey).Valid);
        Assert.False(CheckpointVerifier.Verify(_checkpoint.Body() + "\n" + broken + line, _signer.VerifierKey).Valid);
    }

    [Fact]
    public void Signing_with_the_same_key_twice_is_refused()
    {
        using var twin = CheckpointSigner.FromSeed(Seed, Origin);

        Assert.Throws<ArgumentException>(() => CheckpointSigner.SignWithAll(_checkpoint, [_signer, twin]));
        Assert.Throws<ArgumentException>(() => CheckpointSigner.SignWithAll(_checkpoint, []));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a key")]
    [InlineData("ledger.local/pilot-zone+00000000+AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void An_unusable_verifier_key_makes_the_note_invalid_not_an_exception(string key)
    {
        var (valid, reason, _) = CheckpointVerifier.Verify(Signed(), key);

        Assert.False(valid);
        Assert.StartsWith("unusable verifier key", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_and_oversized_input_is_invalid_not_an_exception()
    {
        Assert.False(CheckpointVerifier.Verify(null!, _signer.VerifierKey).Valid);
        Assert.False(CheckpointVerifier.Verify(Signed(), (string)null!).Valid);
        Assert.False(CheckpointVerifier.Verify(Signed(), (NoteVerifierKey)null!).Valid);
        Assert.False(Verify(new string('a', SignedNote.MaxNoteLength) + Signed()).Valid);
    }

    [Fact]
    public void Any_one_character_change_of_a_signed_checkpoint_invalidates_it() =>
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, 3], Gen.Char).Sample((position, operation, c) =>
        {
            var note = Signed();
            var i = position % note.Length;
            var tampered = operation switch
            {
                0 => note.Remove(i, 1),
                1 => note.Insert(i, c.ToString()),
                2 => note[..i] + c + note[(i + 1)..],
                _ => note.Insert(i, "\n"),
            };
            if (tampered == note)
                return;

            var (valid, reason, checkpoint) = Verify(tampered);

            Assert.False(valid, $"{tampered} verified");
            Assert.False(string.IsNullOrEmpty(reason));
            Assert.Null(checkpoint);
        }, iter: 5000);

    [Fact]
    public void Random_text_never_throws() =>
        Gen.String.Sample(text =>
        {
            Assert.False(Verify(text).Valid);
            Assert.False(Verify(text + "\n\n\u2014 " + Origin + " " + text + "\n").Valid);
        }, iter: 5000);

    [Fact]
    public void Checkpoints_of_any_size_and_root_round_trip() =>
        Gen.Select(Gen.Long[0, long.MaxValue], Gen.Byte.Array[32]).Sample((size, root) =>
        {
            var checkpoint = new Checkpoint(Origin, size, root);

            var (valid, reason, back) = Verify(_signer.Sign(checkpoint));

            Assert.True(valid, reason);
            Assert.Equal(checkpoint, back);
        }, iter: 300);

    [Fact]
    public void The_note_text_is_the_signed_message_including_its_final_newline()
    {
        var note = Signed();
        var line = note[(_checkpoint.Body().Length + 1)..];
        var signature = Convert.FromBase64String(line[(line.LastIndexOf(' ') + 1)..^1])[4..];
        var publicKey = NSec.Cryptography.PublicKey.Import(NSec.Cryptography.SignatureAlgorithm.Ed25519, _signer.Verifier.PublicKey, NSec.Cryptography.KeyBlobFormat.RawPublicKey);

        Assert.True(NSec.Cryptography.SignatureAlgorithm.Ed25519.Verify(publicKey, Encoding.UTF8.GetBytes(_checkpoint.Body()), signature));
        Assert.False(NSec.Cryptography.SignatureAlgorithm.Ed25519.Verify(publicKey, Encoding.UTF8.GetBytes(_checkpoint.Body()[..^1]), signature));
    }
}
