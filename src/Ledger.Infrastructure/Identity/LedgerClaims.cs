using System.Security.Claims;
using Ledger.Domain;

namespace Ledger.Infrastructure.Identity;

/// <summary>The claims a ledger token carries, and how they become the actor on every event.</summary>
public static class LedgerClaims
{
    public const string Subject = "sub";
    public const string Role = "ledger_role";
    public const string Government = "ledger_government";
    /// <summary>The cooperation zone a token or session belongs to: a node accepts only its own zone's (ops/docs/deployment.md).</summary>
    public const string Zone = "ledger_zone";

    public static readonly IReadOnlyDictionary<string, ActorRole> Roles = new Dictionary<string, ActorRole>(StringComparer.Ordinal)
    {
        ["government"] = ActorRole.Government,
        ["supervisor"] = ActorRole.Supervisor,
        ["decision"] = ActorRole.Decision,
        ["auditor"] = ActorRole.Auditor,
        ["admin"] = ActorRole.Admin,
        ["national"] = ActorRole.National,
    };

    /// <summary>
    /// Why a principal may not act on the node serving <paramref name="zone"/>: its <see cref="Zone"/> claim is missing
    /// (<c>missing_zone</c>) or names another zone (<c>wrong_zone</c>); null when it is this zone's.
    /// </summary>
    public static (string Code, string Detail)? ZoneRefusal(ClaimsPrincipal principal, string zone) => principal.FindFirst(Zone)?.Value switch
    {
        null or "" => ("missing_zone", $"The token carries no {Zone} claim; this node serves zone '{zone}' and accepts only its tokens."),
        var other when !string.Equals(other, zone, StringComparison.Ordinal) =>
            ("wrong_zone", $"The token's {Zone} claim is '{other}', but this node serves zone '{zone}': use a token from {other}'s own nodes there, or one of '{zone}' here."),
        _ => null,
    };

    public static Actor? ToActor(ClaimsPrincipal principal)
    {
        var subject = principal.FindFirst(Subject)?.Value;
        var role = principal.FindFirst(Role)?.Value;
        if (string.IsNullOrEmpty(subject) || role is null || !Roles.TryGetValue(role, out var actorRole)) return null;
        var government = principal.FindFirst(Government)?.Value;
        if (actorRole == ActorRole.Government && string.IsNullOrEmpty(government)) return null;
        return new Actor(subject, actorRole, actorRole == ActorRole.Government ? government : null);
    }
}
