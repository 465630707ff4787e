using Ledger.Integrity.Checkpoints;

namespace Ledger.Infrastructure.Integrity;

/// <summary>The checkpoint signer that the ledger's integrity settings describe.</summary>
public static class ConfiguredSigner
{
    /// <summary>The signer of <paramref name="settings"/>: their origin, key name and key (seed or key file).</summary>
    public static CheckpointSigner CreateSigner(this IntegritySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return CheckpointKeys.LoadOrCreate(settings.SigningKey, settings.KeyFile, settings.KeyName, settings.Origin);
    }
}
