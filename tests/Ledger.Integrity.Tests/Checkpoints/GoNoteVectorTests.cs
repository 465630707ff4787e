using Ledger.Integrity.Checkpoints;

namespace Ledger.Integrity.Tests.Checkpoints;

/// <summary>
/// Interoperability with Go's golang.org/x/mod/sumdb/note (the reference implementation of C2SP signed-note):
/// the vectors of its package documentation and note_test.go, and the example of c2sp.org/signed-note.
/// </summary>
public sealed class GoNoteVectorTests
{
    internal const string PeterKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    internal const string PeterPrivateKey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    internal const string EnochKey = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";

    internal const string Text =
        "If you think cryptography is the answer to your problem,\n" +
        "then you don't know what your problem is.\n";

    internal const string PeterSig = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    internal const string EnochSig = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    private const string C2spKey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
    private const string C2spNote = "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

    /// <summary>The 32-byte seed inside Go's PRIVATE+KEY string (after the 0x01 signature type byte).</summary>
    internal static byte[] PeterSeed()
    {
        // PRIVATE+KEY+<name>+<hash>+<base64>, and the base64 may itself contain '+'.
        var material = Convert.FromBase64String(PeterPrivateKey.Split('+', 5)[4]);
        Assert.Equal(0x01, material[0]);
        return material[1..];
    }

    [Fact]
    public void Go_verifier_keys_parse_with_their_key_ids()
    {
        var peter = NoteVerifierKey.Parse(PeterKey);
        var enoch = NoteVerifierKey.Parse(EnochKey);
        var c2sp = NoteVerifierKey.Parse(C2spKey);

        Assert.Equal(("PeterNeumann", 0xc74f20a3u), (peter.Name, peter.KeyId));
        Assert.Equal(("EnochRoot", 0xaf0cfe78u), (enoch.Name, enoch.KeyId));
        Assert.Equal(("example.com/foo", 0x530d903au), (c2sp.Name, c2sp.KeyId));
        Assert.Equal(PeterKey, peter.ToString());
        Assert.Equal(EnochKey, enoch.ToString());
        Assert.Equal(C2spKey, c2sp.ToString());
    }

    [Fact]
    public void The_key_id_is_the_first_four_bytes_of_sha256_of_name_newline_type_and_key()
    {
        var peter = NoteVerifierKey.Parse(PeterKey);

        Assert.Equal(0xc74f20a3u, NoteVerifierKey.ComputeKeyId("PeterNeumann", peter.PublicKey));
        Assert.NotEqual(0xc74f20a3u, NoteVerifierKey.ComputeKeyId("PeterNeumanm", peter.PublicKey));
    }

    [Fact]
    public void Our_signer_with_gos_private_key_has_gos_verifier_key_and_makes_gos_exact_signature()
    {
        using var signer = CheckpointSigner.FromSeed(PeterSeed(), "PeterNeumann");

        Assert.Equal(PeterKey, signer.VerifierKey);
        Assert.Equal(0xc74f20a3u, signer.KeyId);
        // Ed25519 is deterministic, so the signature line is byte for byte what Go's note.Sign printed.
        Assert.Equal(PeterSig, signer.SignatureLine(Text));
    }

    [Fact]
    public void Gos_signed_note_verifies()
    {
        var (valid, reason, text) = SignedNote.Open(Text + "\n" + PeterSig, NoteVerifierKey.Parse(PeterKey));

        Assert.True(valid, reason);
        Assert.Equal(Text, text);
    }

    [Fact]
    public void The_c2sp_example_note_verifies()
    {
        var (valid, reason, text) = SignedNote.Open(C2spNote, NoteVerifierKey.Parse(C2spKey));

        Assert.True(valid, reason);
        Assert.Equal("This is an example message.\n", text);
    }

    [Fact]
    public void A_doubly_signed_note_verifies_with_either_key_and_ignores_the_other()
    {
        var note = Text + "\n" + PeterSig + EnochSig;

        Assert.True(SignedNote.Open(note, NoteVerifierKey.Parse(PeterKey)).Valid);
        Assert.True(SignedNote.Open(note, NoteVerifierKey.Parse(EnochKey)).Valid);
        var (valid, reason, _) = SignedNote.Open(note, NoteVerifierKey.Parse(C2spKey));
        Assert.False(valid);
        Assert.Contains("no signature by example.com/foo+530d903a", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_signatures_by_other_keys_are_ignored_but_ours_must_verify()
    {
        var enochBroken = EnochSig[..60] + "ABCD" + EnochSig[60..];
        var peterBroken = PeterSig[..60] + "ABCD" + PeterSig[60..];

        // note_test.go: duplicated verified and unverified signatures, one of them corrupt, verify with Peter's key.
        Assert.True(SignedNote.Open(Text + "\n" + PeterSig + PeterSig + EnochSig + EnochSig + enochBroken, NoteVerifierKey.Parse(PeterKey)).Valid);
        var (valid, reason, _) = SignedNote.Open(Text + "\n" + peterBroken, NoteVerifierKey.Parse(PeterKey));
        Assert.False(valid);
        Assert.Contains("does not verify", reason, StringComparison.Ordinal);
    }

    [Theory]
    // note_test.go's malformed messages (its "\xff" byte becomes an unpaired surrogate in a .NET string).
    [InlineData(Text)]
    [InlineData(Text + "\n")]
    [InlineData(Text + "\n" + "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=")]
    [InlineData("\u0001" + Text + "\n" + PeterSig)]
    [InlineData("\ud800" + Text + "\n" + PeterSig)]
    [InlineData(Text + "\n" + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=")]
    [InlineData(Text + "\n" + PeterSig + "Unexpected line.\n")]
    public void Gos_malformed_notes_are_rejected(string note) =>
        Assert.False(SignedNote.Open(note, NoteVerifierKey.Parse(PeterKey)).Valid);

    [Fact]
    public void More_than_the_signature_limit_is_rejected_but_sixteen_are_accepted()
    {
        var peter = NoteVerifierKey.Parse(PeterKey);

        Assert.False(SignedNote.Open(Text + "\n" + string.Concat(Enumerable.Repeat(PeterSig, SignedNote.MaxSignatures + 1)), peter).Valid);
        Assert.True(SignedNote.Open(Text + "\n" + string.Concat(Enumerable.Repeat(EnochSig, 15)) + PeterSig, peter).Valid);
    }

    [Fact]
    public void Every_substring_and_every_one_character_change_of_a_verifier_key_is_refused()
    {
        // As note_test.go's TestNewVerifier does.
        for (var i = 0; i < PeterKey.Length; i++)
        {
            for (var j = i + 1; j <= PeterKey.Length; j++)
            {
                if (i != 0 || j != PeterKey.Length)
                    Assert.False(NoteVerifierKey.TryParse(PeterKey[i..j], out _, out _), PeterKey[i..j]);
            }
        }
        for (var i = 0; i < PeterKey.Length; i++)
        {
            var mangled = PeterKey[..i] + (char)(PeterKey[i] + 1) + PeterKey[(i + 1)..];
            Assert.False(NoteVerifierKey.TryParse(mangled, out _, out _), mangled);
        }
    }

    [Theory]
    [InlineData("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", "not base64")] // non-canonical base64 before its wrong length
    [InlineData("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEQ==", "not 32 bytes")]
    [InlineData("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "signature type 0x65")]
    [InlineData("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match")]
    [InlineData("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "name")]
    [InlineData("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 hexadecimal digits")]
    [InlineData("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", "not base64")]
    [InlineData("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW ", "not base64")]
    [InlineData("PeterNeumann", "not <name>+<key ID>+<key>")]
    [InlineData("", "empty")]
    public void Bad_verifier_keys_say_why(string key, string reason)
    {
        Assert.False(NoteVerifierKey.TryParse(key, out var parsed, out var why));
        Assert.Null(parsed);
        Assert.Contains(reason, why, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => NoteVerifierKey.Parse(key));
    }
}
