using System.Security.Claims;
using Ledger.Domain;

namespace Ledger.Infrastructure.Identity;

/// <summary>The claims a ledger token carries, and how they become the actor on every event.</summary>
public static class LedgerClaims
{
    public const string Subject = "sub";
    public const string Role = "ledger_role";
    public const string Government = "ledger_government";

    public static readonly IReadOnlyDictionary<string, ActorRole> Roles = new Dictionary<string, ActorRole>(StringComparer.Ordinal)
    {
        ["government"] = ActorRole.Government,
        ["supervisor"] = ActorRole.Supervisor,
        ["decision"] = ActorRole.Decision,
        ["auditor"] = ActorRole.Auditor,
        ["admin"] = ActorRole.Admin,
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
