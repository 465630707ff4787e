using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ledger.Integrity.Checkpoints;

namespace Ledger.Witness.Keys;

/// <summary>
/// A witness's private key file, in the shape of Go's note private keys (golang.org/x/mod/sumdb/note):
/// <c>PRIVATE+KEY+&lt;name&gt;+&lt;hex8 key ID&gt;+&lt;base64(0x04 ‖ 32-byte Ed25519 seed)&gt;</c>, one line.
/// It names its key, so that <c>serve --name</c> can refuse a key file made for another witness, and the key ID
/// (SHA-256(name ‖ "\n" ‖ 0x04 ‖ public key)[:4], C2SP tlog-cosignature) lets a damaged file be told apart
/// from another key. The file is born owner-only (0600) and never overwritten.
/// </summary>
internal static class WitnessKeyFile
{
    private const string Prefix = "PRIVATE+KEY+";
    private const int SeedSize = 32;

    /// <summary>Writes a new random key for <paramref name="name"/> to <paramref name="path"/> and returns its public half.</summary>
    public static NoteVerifierKey Create(string path, string name)
    {
        if (!SignedNote.IsValidKeyName(name))
            throw new WitnessFailure($"--name '{name}' is not a key name (non-empty, no white space, control characters or '+')", 2);
        var full = Path.GetFullPath(path);
        if (File.Exists(full) || Directory.Exists(full))
            throw new WitnessFailure($"{full} exists already: a witness key is never overwritten (its cosignatures would no longer verify)", 2);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            throw new WitnessFailure($"the folder {directory} does not exist", 2);

        var seed = RandomNumberGenerator.GetBytes(SeedSize);
        try
        {
            using var cosigner = Cosigner.FromSeed(seed, name);
            var material = new byte[1 + SeedSize];
            material[0] = cosigner.Verifier.SignatureType;
            seed.CopyTo(material, 1);
            var text = Encoding.ASCII.GetBytes($"{Prefix}{name}+{cosigner.Verifier.KeyIdHex}+{Convert.ToBase64String(material)}\n");
            CryptographicOperations.ZeroMemory(material);
            // CreateNew is O_CREAT | O_EXCL: a file that appeared meanwhile is not overwritten either.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            try
            {
                using var stream = new FileStream(full, options);
                stream.Write(text);
                stream.Flush(flushToDisk: true);
            }
            catch (IOException) when (File.Exists(full))
            {
                throw new WitnessFailure($"{full} exists already: a witness key is never overwritten", 2);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(text);
            }
            return cosigner.Verifier;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>The cosigner in the key file at <paramref name="path"/>, which must be the key of <paramref name="name"/>.</summary>
    public static Cosigner Load(string path, string name)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new WitnessFailure($"no key file at {full} (./ops/ledger witness keygen --name {name} --out {path} makes one)", 2);
        string text;
        try
        {
            text = File.ReadAllText(full, Encoding.ASCII).TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WitnessFailure($"cannot read the key file {full}: {e.Message}", 2);
        }
        var (cosigner, problem) = Parse(text);
        if (cosigner is null)
            throw new WitnessFailure($"{full} is not a witness key file: {problem}", 2);
        if (!string.Equals(cosigner.Name, name, StringComparison.Ordinal))
        {
            var named = cosigner.Name;
            cosigner.Dispose();
            throw new WitnessFailure($"the key file {full} holds the key of '{named}', not of '{name}' (--name)", 2);
        }
        return cosigner;
    }

    private static (Cosigner? Cosigner, string Problem) Parse(string text)
    {
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
            return (null, $"it does not start with {Prefix}");
        // Name and key ID hold no '+'; the base64 key after them may.
        var parts = text[Prefix.Length..].Split('+', 3);
        if (parts.Length != 3)
            return (null, "it is not PRIVATE+KEY+<name>+<key ID>+<key>");
        var (name, hex, encoded) = (parts[0], parts[1], parts[2]);
        if (!SignedNote.IsValidKeyName(name))
            return (null, "its key name is not valid");
        if (hex.Length != 8 || !uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var keyId))
            return (null, "its key ID is not 8 hexadecimal digits");
        var material = SignedNote.DecodeBase64(encoded);
        try
        {
            if (material is not { Length: 1 + SeedSize } || material[0] != 0x04)
                return (null, "its key is not base64 of 0x04 and a 32-byte Ed25519 seed");
            var cosigner = Cosigner.FromSeed(material.AsSpan(1), name);
            if (cosigner.Verifier.KeyId != keyId)
            {
                cosigner.Dispose();
                return (null, "its key ID does not match its name and key (the file is damaged)");
            }
            return (cosigner, "ok");
        }
        finally
        {
            if (material is not null)
                CryptographicOperations.ZeroMemory(material);
        }
    }
}
