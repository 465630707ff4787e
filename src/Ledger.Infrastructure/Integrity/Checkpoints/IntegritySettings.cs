using System.Text;
using Ledger.Integrity.Checkpoints;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Ledger.Infrastructure.Integrity;

/// <summary>
/// The integrity log's identity and signing key. <see cref="Origin"/> (<c>Integrity:Origin</c>, default
/// <c>ledger.local/</c> and the zone, <c>Ledger:Zone</c>: <c>ledger.local/pilot-zone</c>) is the first line of every checkpoint; <see cref="KeyName"/>
/// (<c>Integrity:KeyName</c>, default the origin) names the key in signature and verifier key lines. The key
/// itself is <see cref="SigningKey"/> (<c>Integrity:SigningKey</c>, else the environment variable
/// <c>LEDGER_CHECKPOINT_KEY</c>: base64 of a 32-byte Ed25519 seed) or, when neither is set, the file
/// <see cref="KeyFile"/> (<c>Integrity:KeyFile</c>, default <c>&lt;data directory&gt;/keys/checkpoint-ed25519.key</c>).
/// </summary>
public sealed record IntegritySettings(string Origin, string KeyName, string KeyFile, string? SigningKey)
{
    public const string DefaultOrigin = "ledger.local/pilot-zone";
    public const string SigningKeyEnvironmentVariable = "LEDGER_CHECKPOINT_KEY";
    public const string OriginSetting = "Integrity:Origin";
    public const string KeyNameSetting = "Integrity:KeyName";
    public const string SigningKeySetting = "Integrity:SigningKey";
    public const string KeyFileSetting = "Integrity:KeyFile";
    public const string KeyDirectoryName = "keys";
    public const string DefaultKeyFileName = "checkpoint-ed25519.key";

    public static IntegritySettings From(IConfiguration configuration, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        // Each zone's log has an origin of its own (ops/docs/deployment.md); the pilot zone's is DefaultOrigin.
        var zone = NonBlank(configuration[Zones.ZoneId.Setting]) ?? Zones.ZoneId.Default;
        var origin = NonBlank(configuration[OriginSetting]) ?? Zones.ZoneId.DefaultOrigin(zone);
        var keyName = NonBlank(configuration[KeyNameSetting]) ?? origin;
        var keyFile = NonBlank(configuration[KeyFileSetting]) ?? Path.Combine(dataDirectory, KeyDirectoryName, DefaultKeyFileName);
        var signingKey = NonBlank(configuration[SigningKeySetting]) ?? NonBlank(Environment.GetEnvironmentVariable(SigningKeyEnvironmentVariable));
        // Checked here, where the start can still refuse in one line naming the key, rather than when the
        // first checkpoint is signed.
        if (!Checkpoint.IsValidOrigin(origin))
            throw Refused(OriginSetting, $"{OriginSetting} must be non-empty, well-formed Unicode and free of control characters: '{origin}'.");
        if (!SignedNote.IsValidKeyName(keyName))
        {
            var which = NonBlank(configuration[KeyNameSetting]) is null ? $"{KeyNameSetting} (the origin, unless set)" : KeyNameSetting;
            throw Refused(KeyNameSetting, $"{which} must be non-empty and contain no white space, control characters or '+' (a signed note's key name): '{keyName}'.");
        }
        return new IntegritySettings(origin, keyName, keyFile, signingKey);
    }

    private static OptionsValidationException Refused(string key, string message) => new(key, typeof(IntegritySettings), [message]);

    // The seed is a secret: never in logs or exception messages.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Origin = ").Append(Origin)
            .Append(", KeyName = ").Append(KeyName)
            .Append(", KeyFile = ").Append(KeyFile)
            .Append(", SigningKey = ").Append(SigningKey is null ? "(not set)" : "(set, redacted)");
        return true;
    }

    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
