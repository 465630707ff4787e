using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using NSec.Cryptography;

namespace Ledger.Integrity.Checkpoints;

/// <summary>
/// The C2SP signed-note format (c2sp.org/signed-note, Go's golang.org/x/mod/sumdb/note): a text ending in a
/// newline, a blank line, then one or more lines "— &lt;key name&gt; &lt;base64(4-byte key ID ‖ signature)&gt;".
/// <see cref="Open"/> verifies any such note against one Ed25519 verifier key; <see cref="CheckpointVerifier"/>
/// adds the checkpoint body rules on top.
/// </summary>
public static class SignedNote
{
    /// <summary>A signature line starts with an em dash (U+2014) and a space.</summary>
    public const string SignaturePrefix = "\u2014 ";

    /// <summary>Notes longer than this (in UTF-16 code units) are refused unread.</summary>
    public const int MaxNoteLength = 1 << 20;

    /// <summary>At most this many signature lines (signed-note requires accepting at least 16; Go's note package allows 100).</summary>
    public const int MaxSignatures = 100;

    /// <summary>The signature type byte of Ed25519 note signatures.</summary>
    internal const byte Ed25519Type = 0x01;

    /// <summary>The key ID type byte of Ed25519 cosignatures (C2SP tlog-cosignature, cosignature/v1).</summary>
    internal const byte CosignatureV1Type = 0x04;

    internal const int Ed25519PublicKeySize = 32;
    internal const int Ed25519SignatureSize = 64;

    /// <summary>
    /// Verifies <paramref name="signedNote"/> with <paramref name="key"/> and returns its text (final newline
    /// included). Signature lines by other keys (another name or key ID) are ignored; the note is valid when at
    /// least one signature is by <paramref name="key"/> and none by it fails. Never throws on hostile input.
    /// </summary>
    public static (bool Valid, string Reason, string? Text) Open(string? signedNote, NoteVerifierKey? key)
    {
        try
        {
            return OpenCore(signedNote, key);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or DecoderFallbackException or EncoderFallbackException)
        {
            return (false, "malformed note: " + e.GetType().Name, null);
        }
    }

    private static (bool, string, string?) OpenCore(string? note, NoteVerifierKey? key)
    {
        if (key is null)
            return Invalid("no verifier key");
        if (key.IsCosigner)
            return Invalid($"{key.Name} is a witness's key: it cosigns checkpoints, it does not sign notes");
        var (parseReason, text, lines) = Parse(note);
        if (text is null)
            return Invalid(parseReason);

        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, key.PublicKey, KeyBlobFormat.RawPublicKey, out var publicKey) || publicKey is null)
            return Invalid("verifier key's public key is not a usable Ed25519 key");
        var message = Encoding.UTF8.GetBytes(text);
        var verified = false;
        foreach (var line in lines)
        {
            if (!line.IsBy(key))
                continue; // Someone else's signature (a co-signer, a rotated key): ignored, as signed-note requires.
            if (line.Blob.Length != 4 + Ed25519SignatureSize
                || !SignatureAlgorithm.Ed25519.Verify(publicKey, message, line.Blob.AsSpan(4)))
                return Invalid($"signature by {key.Name}+{key.KeyIdHex} does not verify");
            verified = true;
        }
        return verified
            ? (true, "ok", text)
            : Invalid($"note has no signature by {key.Name}+{key.KeyIdHex}");
    }

    /// <summary>One signature line: the key name, and the key ID with the signature bytes after it.</summary>
    internal sealed record SignatureLine(string Name, uint KeyId, byte[] Blob)
    {
        public bool IsBy(NoteVerifierKey key) => string.Equals(Name, key.Name, StringComparison.Ordinal) && KeyId == key.KeyId;
    }

    /// <summary>
    /// Splits a note into its text (final newline included) and its signature lines, checking everything the
    /// signed-note format requires of either; <c>Text</c> is null, and the reason says why, when it is not a note.
    /// </summary>
    internal static (string Reason, string? Text, IReadOnlyList<SignatureLine> Lines) Parse(string? note)
    {
        if (string.IsNullOrEmpty(note))
            return Malformed("note is empty");
        if (note.Length > MaxNoteLength)
            return Malformed($"note is longer than {MaxNoteLength} characters");

        for (var i = 0; i < note.Length; i++)
        {
            var c = note[i];
            if (c == '\r')
                return Malformed("note contains a carriage return (CRLF line endings are not allowed)");
            if (c < 0x20 && c != '\n')
                return Malformed($"note contains the control character U+{(int)c:X4}");
            if (char.IsHighSurrogate(c) && i + 1 < note.Length && char.IsLowSurrogate(note[i + 1]))
                i++;
            else if (char.IsSurrogate(c))
                return Malformed("note is not well-formed Unicode (unpaired surrogate)");
        }
        if (note[^1] != '\n')
            return Malformed("note does not end with a newline");

        // The text ends at the last blank line; what follows are the signature lines.
        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0)
            return Malformed("note has no blank line before its signatures");
        var text = note[..(split + 1)];
        var signatures = note.AsSpan(split + 2);
        if (signatures.IsEmpty)
            return Malformed("note has no signature lines");

        var lines = new List<SignatureLine>();
        while (!signatures.IsEmpty)
        {
            var end = signatures.IndexOf('\n');
            var line = signatures[..end];
            signatures = signatures[(end + 1)..];
            var count = lines.Count + 1;
            if (count > MaxSignatures)
                return Malformed($"note has more than {MaxSignatures} signature lines");

            if (!line.StartsWith(SignaturePrefix, StringComparison.Ordinal))
                return Malformed($"signature line {count} does not start with an em dash and a space");
            line = line[SignaturePrefix.Length..];
            var space = line.IndexOf(' ');
            if (space < 0)
                return Malformed($"signature line {count} has no space between key name and signature");
            var name = line[..space].ToString();
            var blob = DecodeBase64(line[(space + 1)..]);
            if (!IsValidKeyName(name))
                return Malformed($"signature line {count} has an invalid key name");
            if (blob is null || blob.Length < 5)
                return Malformed($"signature line {count} is not base64 of a key ID and a signature");
            lines.Add(new SignatureLine(name, BinaryPrimitives.ReadUInt32BigEndian(blob), blob));
        }
        return ("ok", text, lines);

        static (string, string?, IReadOnlyList<SignatureLine>) Malformed(string reason) => (reason, null, []);
    }

    private static (bool, string, string?) Invalid(string reason) => (false, reason, null);

    /// <summary>
    /// A key name is non-empty, well-formed Unicode, and has neither Unicode white space nor '+'
    /// (control characters are refused too: a note may not contain them).
    /// </summary>
    internal static bool IsValidKeyName(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return false;
        var index = 0;
        while (index < name.Length)
        {
            if (Rune.DecodeFromUtf16(name.AsSpan(index), out var rune, out var consumed) != OperationStatus.Done)
                return false;
            if (Rune.IsWhiteSpace(rune) || Rune.IsControl(rune) || rune.Value == '+')
                return false;
            index += consumed;
        }
        return true;
    }

    /// <summary>
    /// Standard base64 (RFC 4648 §4) in its one canonical spelling: padded, nothing but the alphabet (.NET's
    /// decoder would skip white space), and zero unused bits, so that a signed note has exactly one text.
    /// </summary>
    internal static byte[]? DecodeBase64(ReadOnlySpan<char> text)
    {
        if (text.Length == 0 || text.Length % 4 != 0)
            return null;
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '='))
                return null;
        }
        var buffer = new byte[text.Length / 4 * 3];
        if (!Convert.TryFromBase64Chars(text, buffer, out var written))
            return null;
        var bytes = buffer[..written];
        return text.SequenceEqual(Convert.ToBase64String(bytes)) ? bytes : null;
    }

    /// <summary>key ID = SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)[:4], big-endian.</summary>
    internal static uint KeyId(string name, byte signatureType, ReadOnlySpan<byte> publicKey)
    {
        var nameBytes = Encoding.UTF8.GetByteCount(name);
        var input = new byte[nameBytes + 2 + publicKey.Length];
        Encoding.UTF8.GetBytes(name, input);
        input[nameBytes] = (byte)'\n';
        input[nameBytes + 1] = signatureType;
        publicKey.CopyTo(input.AsSpan(nameBytes + 2));
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(input, hash);
        return BinaryPrimitives.ReadUInt32BigEndian(hash);
    }
}
