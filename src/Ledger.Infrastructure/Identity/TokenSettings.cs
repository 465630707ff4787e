using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.Infrastructure.Identity;

/// <summary>
/// How tokens are checked. With <c>Auth:Authority</c> (or <c>Auth:MetadataAddress</c>) an OpenID
/// Connect provider issues them; otherwise the ledger's local key signs and checks them (HMAC-SHA256),
/// read from <c>Auth:SigningKey</c> (base64) or the key file, generated into the data folder once.
/// </summary>
public sealed record TokenSettings(string Issuer, string Audience, string? Authority, string? MetadataAddress, byte[]? LocalKey)
{
    public const string DefaultIssuer = "ledger-local";
    public const string DefaultAudience = "ledger";

    /// <summary>
    /// Whether the provider's metadata must come over HTTPS (<c>Auth:RequireHttpsMetadata</c>, true unless set
    /// to false): only a provider on the machine's own loopback, as the tests start one, is reached over HTTP.
    /// </summary>
    public bool RequireHttpsMetadata { get; init; } = true;

    /// <summary>The zone of the node these settings are for (<c>Ledger:Zone</c>): the local key's tokens carry it, and only its tokens are accepted.</summary>
    public string Zone { get; init; } = Zones.ZoneId.Default;

    /// <summary>Whether an OpenID Connect provider issues the tokens (and signs people in to the console).</summary>
    public bool External => Authority is not null || MetadataAddress is not null;

    public SymmetricSecurityKey? SigningKey => LocalKey is null ? null : new SymmetricSecurityKey(LocalKey) { KeyId = "ledger-local-1" };

    /// <summary>Section <c>Auth</c> read and validated now (the command-line verbs, which run without a host).</summary>
    public static TokenSettings From(IConfiguration configuration, string dataDirectory) =>
        From(ValidatedSettings.Read<AuthSettings, AuthSettingsValidator>(configuration, AuthSettings.Section), dataDirectory)
            with { Zone = Store.LedgerSettings.From(configuration).Zone };

    public static TokenSettings From(AuthSettings auth, string dataDirectory)
    {
        var issuer = auth.Issuer;
        var audience = auth.Audience;
        if (auth.External)
            return new TokenSettings(issuer, audience, NullIfBlank(auth.Authority), NullIfBlank(auth.MetadataAddress), null)
            {
                RequireHttpsMetadata = auth.RequireHttpsMetadata,
            };

        if (!string.IsNullOrWhiteSpace(auth.SigningKey))
            return new TokenSettings(issuer, audience, null, null, Convert.FromBase64String(auth.SigningKey));

        var file = auth.SigningKeyFile ?? Path.Combine(dataDirectory, "keys", "token-signing.key");
        return new TokenSettings(issuer, audience, null, null, LoadOrCreateKey(file));
    }

    internal static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static byte[] LoadOrCreateKey(string file)
    {
        if (File.Exists(file))
            return Convert.FromBase64String(File.ReadAllText(file).Trim());
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        var key = RandomNumberGenerator.GetBytes(32);
        // Written to a temporary file first so that two processes starting at once never read half a key.
        var temp = file + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temp, Convert.ToBase64String(key));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            File.Move(temp, file, overwrite: false);
        }
        catch (IOException)
        {
            File.Delete(temp);
            return Convert.FromBase64String(File.ReadAllText(file).Trim());
        }
        return key;
    }
}

/// <summary>
/// Section <c>Auth</c>: the tokens' issuer and audience (<c>Issuer</c>, default <c>ledger-local</c>; <c>Audience</c>,
/// default <c>ledger</c>); an OpenID Connect provider (<c>Authority</c> or <c>MetadataAddress</c>, its metadata over
/// HTTPS unless <c>RequireHttpsMetadata</c> is false; the console's client <c>ClientId</c>, <c>ClientSecret</c> and
/// <c>Scopes</c>, default <c>openid profile ledger</c>); else the local key (<c>SigningKey</c>, base64, or the file
/// <c>SigningKeyFile</c>, default <c>&lt;data directory&gt;/keys/token-signing.key</c>). <see cref="TokenSettings"/>
/// is what they resolve to.
/// </summary>
public sealed class AuthSettings
{
    public const string Section = "Auth";
    public const string DefaultScopes = "openid profile ledger";

    public string Issuer { get; set; } = TokenSettings.DefaultIssuer;

    public string Audience { get; set; } = TokenSettings.DefaultAudience;

    public string? Authority { get; set; }

    public string? MetadataAddress { get; set; }

    public bool RequireHttpsMetadata { get; set; } = true;

    public string? SigningKey { get; set; }

    public string? SigningKeyFile { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    public string Scopes { get; set; } = DefaultScopes;

    /// <summary>Whether an OpenID Connect provider issues the tokens (and signs people in to the console).</summary>
    public bool External => TokenSettings.NullIfBlank(Authority) is not null || TokenSettings.NullIfBlank(MetadataAddress) is not null;
}

/// <summary>Refuses a section <c>Auth</c> that cannot be used, naming the key (never a secret's value).</summary>
public sealed class AuthSettingsValidator : IValidateOptions<AuthSettings>
{
    public ValidateOptionsResult Validate(string? name, AuthSettings options)
    {
        var failures = new List<string>();
        if (!options.External && !string.IsNullOrWhiteSpace(options.SigningKey)
            && !Convert.TryFromBase64String(options.SigningKey, new byte[options.SigningKey.Length], out _))
            failures.Add($"{AuthSettings.Section}:SigningKey is not base64 (32 random bytes, e.g. from openssl rand -base64 32).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
