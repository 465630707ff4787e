using System.Security.Cryptography;

namespace Ledger.Infrastructure.Integrity;

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
            var configured = DecodeSeed(base64SeedFromEnvOrConfig)
                ?? throw new InvalidOperationException(
                    $"The configured checkpoint key ({IntegritySettings.SigningKeyEnvironmentVariable} or {IntegritySettings.SigningKeySetting}) is not base64 of a 32-byte Ed25519 seed.");
            return SignerFrom(configured, origin ?? keyName, keyName);
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(keyFile);
        return SignerFrom(File.Exists(keyFile) ? ReadSeed(keyFile) : CreateKeyFile(keyFile), origin ?? keyName, keyName);
    }

    /// <summary>The signer that <paramref name="settings"/> describe: their origin, key name and key.</summary>
    public static CheckpointSigner CreateSigner(IntegritySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return LoadOrCreate(settings.SigningKey, settings.KeyFile, settings.KeyName, settings.Origin);
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

    private static byte[] ReadSeed(string keyFile) =>
        DecodeSeed(File.ReadAllText(keyFile))
        ?? throw new InvalidOperationException($"The checkpoint key file {keyFile} does not hold base64 of a 32-byte Ed25519 seed.");

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
        // A temporary file in the same directory, born owner-only, then moved into place: a reader never sees
        // half a key, and when two processes race the first key to land wins and the other adopts it.
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temp, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(Convert.ToBase64String(seed));
                writer.Write('\n');
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temp, path, overwrite: false);
                return seed;
            }
            catch (IOException) when (File.Exists(path))
            {
                CryptographicOperations.ZeroMemory(seed);
                return ReadSeed(path);
            }
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }
}
