using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.Infrastructure.Identity;

/// <summary>Mints tokens with the local key, for the embedded default and for tests; each carries the zone of <see cref="TokenSettings.Zone"/>.</summary>
public sealed class TokenIssuer(TokenSettings settings, TimeProvider time)
{
    public string Issue(string role, string? government, TimeSpan lifetime, string? subject = null)
    {
        if (!LedgerClaims.Roles.ContainsKey(role))
            throw new ArgumentException($"unknown role '{role}' (one of: {string.Join(", ", LedgerClaims.Roles.Keys)})", nameof(role));
        if (role == "government" && string.IsNullOrWhiteSpace(government))
            throw new ArgumentException("the government role needs --government CODE", nameof(government));
        if (role != "government" && government is not null)
            throw new ArgumentException("only the government role is bound to a government", nameof(government));
        var key = settings.SigningKey
            ?? throw new InvalidOperationException("tokens come from the configured OpenID Connect provider, not from the ledger");

        var now = time.GetUtcNow();
        var claims = new List<Claim>
        {
            new(LedgerClaims.Subject, subject ?? (government is null ? role : $"{role}:{government}")),
            new(LedgerClaims.Role, role),
            new(LedgerClaims.Zone, settings.Zone),
        };
        if (government is not null) claims.Add(new Claim(LedgerClaims.Government, government));
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
