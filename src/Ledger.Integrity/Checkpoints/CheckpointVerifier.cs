using System.Globalization;
using System.Text;

namespace Ledger.Integrity.Checkpoints;

/// <summary>
/// Checks a signed checkpoint against one trusted verifier key. Follows C2SP signed-note: signatures by
/// other keys (other name or other key ID) are ignored, so a note signed by several keys verifies as long as
/// one signature is by the given key; any signature by the given key that fails to verify rejects the note.
/// The body must be exactly a checkpoint as this ledger writes it: origin, decimal tree size without leading
/// zeros, base64 of a 32-byte root hash, each ending in "\n", and no extension lines.
/// Never throws: hostile input yields <c>Valid = false</c> and a reason.
/// </summary>
public static class CheckpointVerifier
{
    /// <summary>Verifies <paramref name="signedNote"/> with <paramref name="verifierKey"/> (a note verifier key string).</summary>
    public static (bool Valid, string Reason, Checkpoint? Checkpoint) Verify(string signedNote, string verifierKey)
    {
        if (!NoteVerifierKey.TryParse(verifierKey, out var key, out var keyReason))
            return Invalid("unusable verifier key: " + keyReason);
        return Verify(signedNote, key);
    }

    /// <summary>Verifies <paramref name="signedNote"/> with an already parsed verifier key.</summary>
    public static (bool Valid, string Reason, Checkpoint? Checkpoint) Verify(string signedNote, NoteVerifierKey verifierKey)
    {
        try
        {
            return VerifyCore(signedNote, verifierKey);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or DecoderFallbackException or EncoderFallbackException)
        {
            // Belt and braces: every check below is explicit, but a verifier must not throw on what it is fed.
            return Invalid("malformed note: " + e.GetType().Name);
        }
    }

    private static (bool, string, Checkpoint?) VerifyCore(string? note, NoteVerifierKey? key)
    {
        var (valid, reason, text) = SignedNote.Open(note, key);
        return valid ? ParseBody(text!) : Invalid(reason);
    }

    private static (bool, string, Checkpoint?) ParseBody(string text)
    {
        // text ends with '\n'; a checkpoint is exactly three non-empty lines.
        var lines = text[..^1].Split('\n');
        if (lines.Length != 3)
            return Invalid($"checkpoint body has {lines.Length} lines; expected exactly 3 (origin, tree size, root hash)");
        var (origin, size, root) = (lines[0], lines[1], lines[2]);

        if (!Checkpoint.IsValidOrigin(origin))
            return Invalid("checkpoint origin is empty or not valid");
        if (!IsCanonicalDecimal(size) || !long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var treeSize))
            return Invalid("checkpoint tree size is not a decimal number without leading zeros");
        var rootHash = SignedNote.DecodeBase64(root);
        if (rootHash is null)
            return Invalid("checkpoint root hash is not (canonical, padded) base64");
        if (rootHash.Length != Checkpoint.RootHashSize)
            return Invalid($"checkpoint root hash is {rootHash.Length} bytes; expected {Checkpoint.RootHashSize}");

        return (true, "ok", new Checkpoint(origin, treeSize, rootHash));
    }

    private static bool IsCanonicalDecimal(string s)
    {
        if (s.Length is 0 or > 19 || (s.Length > 1 && s[0] == '0'))
            return false;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
                return false;
        }
        return true;
    }

    private static (bool, string, Checkpoint?) Invalid(string reason) => (false, reason, null);
}
