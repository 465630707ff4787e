using System.Buffers.Binary;
using System.Text;
using NSec.Cryptography;

namespace Ledger.Integrity.Checkpoints;

/// <summary>
/// Signs checkpoints with an Ed25519 key as C2SP signed notes:
/// <code>
/// &lt;origin&gt;
/// &lt;tree size&gt;
/// &lt;base64 root hash&gt;
///
/// — &lt;key name&gt; &lt;base64(key ID ‖ Ed25519 signature of the three lines above, final newline included)&gt;
/// </code>
/// The key name defaults to the origin. Owns its key: dispose it.
/// </summary>
public sealed class CheckpointSigner : IDisposable
{
    private readonly Key _key;
    private readonly NoteVerifierKey _verifier;

    /// <summary>
    /// Signs checkpoints of the log <paramref name="origin"/> with <paramref name="key"/> (an Ed25519 key, which
    /// this signer now owns) under <paramref name="keyName"/>, by default the origin as tlog-checkpoint recommends.
    /// </summary>
    public CheckpointSigner(Key key, string origin, string? keyName = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Algorithm != SignatureAlgorithm.Ed25519)
            throw new ArgumentException("Checkpoints are signed with Ed25519 keys.", nameof(key));
        if (!Checkpoint.IsValidOrigin(origin))
            throw new ArgumentException("An origin must be non-empty, well-formed Unicode and free of control characters.", nameof(origin));
        keyName ??= origin;
        if (!SignedNote.IsValidKeyName(keyName))
            throw new ArgumentException("A key name must be non-empty and contain no white space, control characters or '+'.", nameof(keyName));
        _key = key;
        Origin = origin;
        _verifier = NoteVerifierKey.ForEd25519(keyName, key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    /// <summary>The log this signer signs checkpoints for: the first line of each checkpoint.</summary>
    public string Origin { get; }

    /// <summary>The key name in signature lines and in the verifier key.</summary>
    public string KeyName => _verifier.Name;

    /// <summary>The 32-bit key ID that prefixes each signature.</summary>
    public uint KeyId => _verifier.KeyId;

    /// <summary>The public half, as a parsed verifier key.</summary>
    public NoteVerifierKey Verifier => _verifier;

    /// <summary>The verifier key to publish: <c>&lt;name&gt;+&lt;hex8&gt;+&lt;base64(0x01 ‖ public key)&gt;</c>.</summary>
    public string VerifierKey => _verifier.ToString();

    /// <summary>A signer for the Ed25519 private key whose 32-byte seed is <paramref name="seed"/>.</summary>
    public static CheckpointSigner FromSeed(ReadOnlySpan<byte> seed, string origin, string? keyName = null)
    {
        if (seed.Length != SignatureAlgorithm.Ed25519.PrivateKeySize)
            throw new ArgumentException("An Ed25519 private key seed is 32 bytes.", nameof(seed));
        var key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        try
        {
            return new CheckpointSigner(key, origin, keyName);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>A signer for a fresh random key (tests, one-off tools; the ledger loads its key through <see cref="CheckpointKeys"/>).</summary>
    public static CheckpointSigner Generate(string origin, string? keyName = null)
    {
        var key = Key.Create(SignatureAlgorithm.Ed25519);
        try
        {
            return new CheckpointSigner(key, origin, keyName);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The signed note of <paramref name="checkpoint"/>: its body, a blank line and this key's signature line.
    /// The checkpoint must be of this signer's <see cref="Origin"/>.
    /// </summary>
    public string Sign(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        RequireOrigin(checkpoint);
        var body = checkpoint.Body();
        return body + "\n" + SignatureLine(body);
    }

    /// <summary>
    /// The signed note of <paramref name="checkpoint"/> with one signature line per signer, in the order given:
    /// how a log signs with both its old and new key while rotating. Signers must differ in name or key ID.
    /// </summary>
    public static string SignWithAll(Checkpoint checkpoint, IReadOnlyList<CheckpointSigner> signers)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(signers);
        if (signers.Count == 0)
            throw new ArgumentException("A signed note needs at least one signature.", nameof(signers));
        var seen = new HashSet<(string, uint)>();
        foreach (var signer in signers)
        {
            ArgumentNullException.ThrowIfNull(signer, nameof(signers));
            signer.RequireOrigin(checkpoint);
            if (!seen.Add((signer.KeyName, signer.KeyId)))
                throw new ArgumentException($"Two signers share the key {signer.KeyName}+{signer.Verifier.KeyIdHex}.", nameof(signers));
        }

        var body = checkpoint.Body();
        var note = new StringBuilder(body).Append('\n');
        foreach (var signer in signers)
            note.Append(signer.SignatureLine(body));
        return note.ToString();
    }

    /// <summary>"— name base64(keyID ‖ signature)\n" over <paramref name="text"/>, which must end in a newline.</summary>
    internal string SignatureLine(string text)
    {
        var message = Encoding.UTF8.GetBytes(text);
        var blob = new byte[4 + SignedNote.Ed25519SignatureSize];
        BinaryPrimitives.WriteUInt32BigEndian(blob, KeyId);
        SignatureAlgorithm.Ed25519.Sign(_key, message, blob.AsSpan(4));
        return SignedNote.SignaturePrefix + KeyName + " " + Convert.ToBase64String(blob) + "\n";
    }

    public void Dispose() => _key.Dispose();

    private void RequireOrigin(Checkpoint checkpoint)
    {
        if (!string.Equals(checkpoint.Origin, Origin, StringComparison.Ordinal))
            throw new ArgumentException($"This signer signs checkpoints of {Origin}, not {checkpoint.Origin}.", nameof(checkpoint));
    }
}
