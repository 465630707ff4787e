using System.Security.Cryptography;

namespace Ledger.Integrity.Checkpoints;

/// <summary>
/// Where the checkpoint signing key comes from. A configured seed (the environment variable
/// <c>LEDGER_CHECKPOINT_KEY</c> or the setting <c>Integrity:SigningKey</c>: base64 of the 32-byte Ed25519
/// private key seed) wins; otherwise the key file (the same base64 text) is read, and created once with
/// owner-only permissions (0600) if it does not exist yet.
/// </summary>
public static class CheckpointKeys
{
    private const int SeedSize = 32;

    /// <summary>
    /// The signer for the configured seed, else the key file's seed, else a new key written to the key file.
    /// It signs checkpoints of <paramref name="origin"/>, by default the key name.
    /// </summary>
    public static CheckpointSigner LoadOrCreate(string? base64SeedFromEnvOrConfig, string keyFile, string keyName, string? origin = null)
    {
        if (!string.IsNullOrWhiteSpace(base64SeedFromEnvOrConfig))
        {
            // The names under which Ledger.Infrastructure's IntegritySettings reads a configured seed.
            var configured = DecodeSeed(base64SeedFromEnvOrConfig)
                ?? throw new InvalidOperationException(
                    "The configured checkpoint key (LEDGER_CHECKPOINT_KEY or Integrity:SigningKey) is not base64 of a 32-byte Ed25519 seed.");
            return SignerFrom(configured, origin ?? keyName, keyName);
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(keyFile);
        return SignerFrom(File.Exists(keyFile) ? ReadSeedOnceWritten(keyFile) : CreateKeyFile(keyFile), origin ?? keyName, keyName);
    }

    /// <summary>A fresh random seed, base64: a value for <c>LEDGER_CHECKPOINT_KEY</c> or a key file (for key rotation).</summary>
    public static string NewSeed()
    {
        var seed = RandomNumberGenerator.GetBytes(SeedSize);
        try
        {
            return Convert.ToBase64String(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>The verifier key (public, safe to publish) of a base64 seed under <paramref name="keyName"/>.</summary>
    public static string VerifierKeyOf(string base64Seed, string keyName)
    {
        var seed = DecodeSeed(base64Seed) ?? throw new ArgumentException("Not base64 of a 32-byte Ed25519 seed.", nameof(base64Seed));
        using var signer = SignerFrom(seed, keyName, keyName);
        return signer.VerifierKey;
    }

    private static CheckpointSigner SignerFrom(byte[] seed, string origin, string keyName)
    {
        try
        {
            return CheckpointSigner.FromSeed(seed, origin, keyName);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>
    /// The key file's seed. A file that does not hold one yet may be another process's key being written
    /// this instant: it is read again for a moment before it is called corrupt.
    /// </summary>
    private static byte[] ReadSeedOnceWritten(string keyFile)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (DecodeSeed(File.ReadAllText(keyFile)) is { } seed) return seed;
            }
            catch (IOException) when (attempt < 40)
            {
                // The writer still holds it exclusively.
            }
            if (attempt == 40)
                throw new InvalidOperationException($"The checkpoint key file {keyFile} does not hold base64 of a 32-byte Ed25519 seed.");
            Thread.Sleep(25);
        }
    }

    private static byte[]? DecodeSeed(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64))
            return null;
        var buffer = new byte[SeedSize + 3];
        if (!Convert.TryFromBase64String(base64.Trim(), buffer, out var written) || written != SeedSize)
        {
            CryptographicOperations.ZeroMemory(buffer);
            return null;
        }
        var seed = buffer[..SeedSize];
        CryptographicOperations.ZeroMemory(buffer);
        return seed;
    }

    private static byte[] CreateKeyFile(string keyFile)
    {
        var path = Path.GetFullPath(keyFile);
        var directory = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(directory);
        else if (!Directory.Exists(directory))
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var seed = RandomNumberGenerator.GetBytes(SeedSize);
        // Created exclusively (O_CREAT | O_EXCL) and born owner-only: when processes race, exactly one
        // creates the file and the others read its key once it is written. (A temporary file moved into
        // place is not enough: without overwrite, .NET's move on Linux may check and then rename, so two
        // racing processes could each believe their key landed.)
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var stream = new FileStream(path, options);
            var text = System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(seed) + "\n");
            stream.Write(text);
            stream.Flush(flushToDisk: true);
            return seed;
        }
        catch (IOException) when (File.Exists(path))
        {
            CryptographicOperations.ZeroMemory(seed);
            return ReadSeedOnceWritten(path);
        }
    }
}
