using System.Security.Claims;
using Ledger.Infrastructure.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.Infrastructure.Audit;

/// <summary>Who a command-line export is recorded as: the holder of a ledger token, or the operating-system account running it.</summary>
public static class AccessLogActors
{
    public const string OperatorRole = "operator";

    /// <summary>
    /// The actor a ledger token names, once its signature, issuer, audience and lifetime hold. Only the
    /// ledger's own tokens can be checked offline; with an OpenID Connect provider configured this refuses.
    /// </summary>
    public static async Task<AccessActor> FromTokenAsync(string token, TokenSettings settings, TimeProvider time)
    {
        var key = settings.SigningKey
            ?? throw new ArgumentException("tokens come from the configured OpenID Connect provider and cannot be checked here; export without --token to be recorded under your operating-system account");
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            IssuerSigningKey = key,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return (notBefore is null || notBefore <= now.AddSeconds(30)) && (expires is null || expires > now.AddSeconds(-30));
            },
        });
        if (!result.IsValid)
            throw new ArgumentException($"the token is not valid for this ledger ({result.Exception?.Message ?? "rejected"})");
        var actor = LedgerClaims.ToActor(new ClaimsPrincipal(result.ClaimsIdentity))
            ?? throw new ArgumentException("the token names no ledger role");
        return new AccessActor(actor.Id, actor.Role.ToString().ToLowerInvariant(), actor.GovernmentId);
    }

    /// <summary>Whoever runs the tool with the database's credentials, named by account and machine.</summary>
    public static AccessActor OperatingSystemAccount() => new($"os:{Environment.UserName}@{Environment.MachineName}", OperatorRole, null);
}
