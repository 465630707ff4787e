using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Ledger.Integrity.Checkpoints;

/// <summary>
/// A signed-note verifier key ("vkey") for an Ed25519 key: <c>&lt;name&gt;+&lt;hex8 key ID&gt;+&lt;base64(0x01 ‖ 32-byte public key)&gt;</c>,
/// the format of C2SP signed-note and Go's <c>golang.org/x/mod/sumdb/note</c>, e.g.
/// <c>PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW</c>.
/// The key ID is the first four bytes, big-endian, of SHA-256(name ‖ "\n" ‖ type ‖ public key).
/// Two types are read: 0x01, a log's key that signs checkpoints, and 0x04, a witness's key that makes
/// C2SP tlog-cosignature/v1 cosignatures (<see cref="Cosignature"/>).
/// </summary>
public sealed class NoteVerifierKey
{
    private readonly byte[] _publicKey;

    private NoteVerifierKey(string name, uint keyId, byte[] publicKey, byte type)
    {
        Name = name;
        KeyId = keyId;
        _publicKey = publicKey;
        SignatureType = type;
    }

    /// <summary>0x01 for a note signer (a log's checkpoints), 0x04 for an Ed25519 cosigner (a witness).</summary>
    public byte SignatureType { get; }

    /// <summary>Whether this is a witness's key (cosignature/v1) rather than a log's.</summary>
    public bool IsCosigner => SignatureType == SignedNote.CosignatureV1Type;

    /// <summary>The key name (for checkpoints, by convention the log's origin).</summary>
    public string Name { get; }

    /// <summary>The 32-bit key ID that prefixes every signature by this key.</summary>
    public uint KeyId { get; }

    /// <summary>The 32-byte Ed25519 public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>The verifier key of the Ed25519 <paramref name="publicKey"/> under <paramref name="name"/>.</summary>
    public static NoteVerifierKey ForEd25519(string name, ReadOnlySpan<byte> publicKey)
    {
        if (!SignedNote.IsValidKeyName(name))
            throw new ArgumentException("A key name must be non-empty and contain no white space, control characters or '+'.", nameof(name));
        if (publicKey.Length != SignedNote.Ed25519PublicKeySize)
            throw new ArgumentException("An Ed25519 public key is 32 bytes.", nameof(publicKey));
        return new NoteVerifierKey(name, ComputeKeyId(name, publicKey), publicKey.ToArray(), SignedNote.Ed25519Type);
    }

    /// <summary>The verifier key of a witness's Ed25519 <paramref name="publicKey"/> (type 0x04) under <paramref name="name"/>.</summary>
    public static NoteVerifierKey ForCosigner(string name, ReadOnlySpan<byte> publicKey)
    {
        if (!SignedNote.IsValidKeyName(name))
            throw new ArgumentException("A key name must be non-empty and contain no white space, control characters or '+'.", nameof(name));
        if (publicKey.Length != SignedNote.Ed25519PublicKeySize)
            throw new ArgumentException("An Ed25519 public key is 32 bytes.", nameof(publicKey));
        return new NoteVerifierKey(name, SignedNote.KeyId(name, SignedNote.CosignatureV1Type, publicKey), publicKey.ToArray(), SignedNote.CosignatureV1Type);
    }

    /// <summary>SHA-256(name ‖ 0x0A ‖ 0x01 ‖ publicKey)[:4] as a big-endian integer.</summary>
    public static uint ComputeKeyId(string name, ReadOnlySpan<byte> ed25519PublicKey)
    {
        ArgumentNullException.ThrowIfNull(name);
        return SignedNote.KeyId(name, SignedNote.Ed25519Type, ed25519PublicKey);
    }

    /// <summary>Parses a verifier key; <see cref="FormatException"/> says what is wrong with it.</summary>
    public static NoteVerifierKey Parse(string text) =>
        TryParse(text, out var key, out var reason) ? key : throw new FormatException(reason);

    /// <summary>Parses a verifier key without throwing; <paramref name="reason"/> says what is wrong when it fails.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out NoteVerifierKey? key, out string reason)
    {
        key = null;
        if (string.IsNullOrEmpty(text))
        {
            reason = "verifier key is empty";
            return false;
        }
        if (text.Length > 1024)
        {
            reason = "verifier key is too long";
            return false;
        }

        var first = text.IndexOf('+', StringComparison.Ordinal);
        var second = first < 0 ? -1 : text.IndexOf('+', first + 1);
        if (second < 0)
        {
            reason = "verifier key is not <name>+<key ID>+<key>";
            return false;
        }
        var name = text[..first];
        var hex = text.AsSpan(first + 1, second - first - 1);
        var encoded = text.AsSpan(second + 1);

        if (!SignedNote.IsValidKeyName(name))
        {
            reason = "verifier key name is empty or contains white space, control characters or '+'";
            return false;
        }
        if (hex.Length != 8 || !uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var keyId))
        {
            reason = "verifier key ID is not 8 hexadecimal digits";
            return false;
        }
        var material = SignedNote.DecodeBase64(encoded);
        if (material is null || material.Length == 0)
        {
            reason = "verifier key material is not base64";
            return false;
        }
        var type = material[0];
        if (type != SignedNote.Ed25519Type && type != SignedNote.CosignatureV1Type)
        {
            reason = $"verifier key has signature type 0x{type:x2}; only Ed25519 (0x01) and Ed25519 cosignatures (0x04) are supported";
            return false;
        }
        if (material.Length != 1 + SignedNote.Ed25519PublicKeySize)
        {
            reason = "verifier key's Ed25519 public key is not 32 bytes";
            return false;
        }
        var publicKey = material[1..];
        if (SignedNote.KeyId(name, type, publicKey) != keyId)
        {
            reason = "verifier key ID does not match its name and public key";
            return false;
        }

        key = new NoteVerifierKey(name, keyId, publicKey, type);
        reason = "ok";
        return true;
    }

    /// <summary>The key ID as the 8 lower-case hex digits used in verifier keys.</summary>
    public string KeyIdHex => KeyId.ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>The encoded verifier key, <c>&lt;name&gt;+&lt;hex8&gt;+&lt;base64(type ‖ public key)&gt;</c>.</summary>
    public override string ToString()
    {
        var material = new byte[1 + _publicKey.Length];
        material[0] = SignatureType;
        _publicKey.CopyTo(material, 1);
        return $"{Name}+{KeyIdHex}+{Convert.ToBase64String(material)}";
    }
}
