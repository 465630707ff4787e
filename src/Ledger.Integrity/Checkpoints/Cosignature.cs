using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Ledger.Integrity.Checkpoints;

/// <summary>
/// C2SP tlog-cosignature, Ed25519 cosignature/v1: a witness's statement that, at a time, the checkpoint is the
/// largest consistent tree it has seen of that log. A cosignature is a note signature line,
/// <c>— &lt;witness name&gt; base64(key ID ‖ u64 timestamp ‖ Ed25519 signature)</c>, where the key ID is
/// SHA-256(name ‖ "\n" ‖ 0x04 ‖ public key)[:4] and the signed message is
/// <c>cosignature/v1\ntime &lt;T&gt;\n</c> followed by the checkpoint's body, final newline included.
/// </summary>
public static class Cosignature
{
    private const int BlobSize = 4 + 8 + SignedNote.Ed25519SignatureSize;

    /// <summary>The bytes a cosignature signs for <paramref name="checkpointBody"/> at <paramref name="timestamp"/>.</summary>
    public static byte[] Message(string checkpointBody, long timestamp) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"cosignature/v1\ntime {timestamp}\n{checkpointBody}"));

    /// <summary>
    /// Checks the cosignatures in <paramref name="signedNote"/> by <paramref name="witness"/> (a type 0x04 key).
    /// Lines by other keys are ignored; a line by this key that does not verify makes the note invalid, as
    /// signed-note requires. Returns the latest timestamp among the valid ones. Never throws on hostile input.
    /// </summary>
    public static (bool Valid, string Reason, DateTimeOffset? Time) Verify(string? signedNote, NoteVerifierKey witness)
    {
        ArgumentNullException.ThrowIfNull(witness);
        if (!witness.IsCosigner)
            return (false, $"{witness.Name}+{witness.KeyIdHex} is not a witness's key (its type is 0x{witness.SignatureType:x2}, a cosigner's is 0x04)", null);
        var (reason, text, lines) = SignedNote.Parse(signedNote);
        if (text is null)
            return (false, reason, null);
        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, witness.PublicKey, KeyBlobFormat.RawPublicKey, out var publicKey) || publicKey is null)
            return (false, "the witness's public key is not a usable Ed25519 key", null);

        DateTimeOffset? latest = null;
        foreach (var line in lines)
        {
            if (!line.IsBy(witness))
                continue;
            if (line.Blob.Length != BlobSize)
                return (false, $"the cosignature by {witness.Name} is not a key ID, a timestamp and an Ed25519 signature", null);
            var timestamp = BinaryPrimitives.ReadUInt64BigEndian(line.Blob.AsSpan(4, 8));
            if (timestamp > long.MaxValue)
                return (false, $"the cosignature by {witness.Name} has a timestamp above 2^63-1", null);
            if (!SignatureAlgorithm.Ed25519.Verify(publicKey, Message(text, (long)timestamp), line.Blob.AsSpan(12)))
                return (false, $"the cosignature by {witness.Name} does not verify", null);
            var time = DateTimeOffset.FromUnixTimeSeconds(Math.Min((long)timestamp, DateTimeOffset.MaxValue.ToUnixTimeSeconds()));
            latest = latest is null || time > latest ? time : latest;
        }
        return latest is null ? (false, $"no cosignature by {witness.Name}", null) : (true, "ok", latest);
    }

    /// <summary>
    /// The signature lines of <paramref name="signedNote"/> (a checkpoint) followed by <paramref name="extraLines"/>
    /// that are not already in it: how a log adds the cosignatures a witness answered with.
    /// </summary>
    public static string Append(string signedNote, IEnumerable<string> extraLines)
    {
        ArgumentNullException.ThrowIfNull(signedNote);
        var present = new HashSet<string>(signedNote.Split('\n'), StringComparer.Ordinal);
        var note = new StringBuilder(signedNote);
        foreach (var line in extraLines)
        {
            var trimmed = line.TrimEnd('\n');
            if (trimmed.Length > 0 && present.Add(trimmed))
                note.Append(trimmed).Append('\n');
        }
        return note.ToString();
    }
}

/// <summary>
/// A witness's Ed25519 key: it makes cosignature/v1 lines over checkpoint bodies. Owns its key: dispose it.
/// </summary>
public sealed class Cosigner : IDisposable
{
    private readonly Key _key;

    private Cosigner(Key key, string name)
    {
        if (!SignedNote.IsValidKeyName(name))
            throw new ArgumentException("A witness's name must be non-empty and contain no white space, control characters or '+'.", nameof(name));
        _key = key;
        Verifier = NoteVerifierKey.ForCosigner(name, key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    /// <summary>The witness's name, the key name of its cosignature lines.</summary>
    public string Name => Verifier.Name;

    /// <summary>The public half (type 0x04), to publish in verifiers' policies.</summary>
    public NoteVerifierKey Verifier { get; }

    /// <summary>The cosigner whose Ed25519 private key seed is <paramref name="seed"/> (32 bytes).</summary>
    public static Cosigner FromSeed(ReadOnlySpan<byte> seed, string name)
    {
        if (seed.Length != SignatureAlgorithm.Ed25519.PrivateKeySize)
            throw new ArgumentException("An Ed25519 private key seed is 32 bytes.", nameof(seed));
        var key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        try
        {
            return new Cosigner(key, name);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>A cosigner with a fresh random key.</summary>
    public static Cosigner Generate(string name)
    {
        var seed = RandomNumberGenerator.GetBytes(SignatureAlgorithm.Ed25519.PrivateKeySize);
        try
        {
            return FromSeed(seed, name);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>
    /// The line "— name base64(key ID ‖ timestamp ‖ signature)\n" cosigning <paramref name="checkpointBody"/>
    /// (the note text, final newline included) at <paramref name="time"/> (whole seconds, never zero).
    /// </summary>
    public string Cosign(string checkpointBody, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(checkpointBody);
        var timestamp = Math.Max(1, time.ToUnixTimeSeconds());
        var blob = new byte[4 + 8 + SignedNote.Ed25519SignatureSize];
        BinaryPrimitives.WriteUInt32BigEndian(blob, Verifier.KeyId);
        BinaryPrimitives.WriteUInt64BigEndian(blob.AsSpan(4), (ulong)timestamp);
        SignatureAlgorithm.Ed25519.Sign(_key, Cosignature.Message(checkpointBody, timestamp), blob.AsSpan(12));
        return SignedNote.SignaturePrefix + Name + " " + Convert.ToBase64String(blob) + "\n";
    }

    public void Dispose() => _key.Dispose();
}
