using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
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

    /// <summary>Whether an OpenID Connect provider issues the tokens (and signs people in to the console).</summary>
    public bool External => Authority is not null || MetadataAddress is not null;

    public SymmetricSecurityKey? SigningKey => LocalKey is null ? null : new SymmetricSecurityKey(LocalKey) { KeyId = "ledger-local-1" };

    public static TokenSettings From(IConfiguration configuration, string dataDirectory)
    {
        var issuer = configuration["Auth:Issuer"] ?? DefaultIssuer;
        var audience = configuration["Auth:Audience"] ?? DefaultAudience;
        var authority = configuration["Auth:Authority"];
        var metadata = configuration["Auth:MetadataAddress"];
        if (!string.IsNullOrWhiteSpace(authority) || !string.IsNullOrWhiteSpace(metadata))
            return new TokenSettings(issuer, audience, NullIfBlank(authority), NullIfBlank(metadata), null)
            {
                RequireHttpsMetadata = !bool.TryParse(configuration["Auth:RequireHttpsMetadata"], out var https) || https,
            };

        var configured = configuration["Auth:SigningKey"];
        if (!string.IsNullOrWhiteSpace(configured))
            return new TokenSettings(issuer, audience, null, null, Convert.FromBase64String(configured));

        var file = configuration["Auth:SigningKeyFile"] ?? Path.Combine(dataDirectory, "keys", "token-signing.key");
        return new TokenSettings(issuer, audience, null, null, LoadOrCreateKey(file));
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

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
