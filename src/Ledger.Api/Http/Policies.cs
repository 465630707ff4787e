using Ledger.Infrastructure.Identity;
using Microsoft.AspNetCore.Authorization;

namespace Ledger.Api.Http;

/// <summary>Endpoint-level role checks; the deciders check again (who leads, who contributes).</summary>
public static class Policies
{
    public const string Reader = "reader";
    public const string Government = "government";
    public const string Supervisor = "supervisor";
    public const string Decision = "decision";
    public const string Admin = "admin";
    public const string National = "national";
    public const string SupervisorOrDecision = "supervisor-or-decision";
    public const string GovernmentOrDecision = "government-or-decision";
    public const string SupervisorOrAuditor = "supervisor-or-auditor";
    public const string GovernmentOrSupervisor = "government-or-supervisor";

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(Reader, p => p.RequireAuthenticatedUser().RequireClaim(LedgerClaims.Role, LedgerClaims.Roles.Keys));
        foreach (var role in new[] { Government, Supervisor, Decision, Admin, National })
            options.AddPolicy(role, p => p.RequireAuthenticatedUser().RequireClaim(LedgerClaims.Role, role));
        options.AddPolicy(SupervisorOrDecision, p => p.RequireAuthenticatedUser().RequireClaim(LedgerClaims.Role, Supervisor, Decision));
        options.AddPolicy(GovernmentOrDecision, p => p.RequireAuthenticatedUser().RequireClaim(LedgerClaims.Role, Government, Decision));
        options.AddPolicy(SupervisorOrAuditor, p => p.RequireAuthenticatedUser().RequireClaim(LedgerClaims.Role, Supervisor, "auditor"));
        options.AddPolicy(GovernmentOrSupervisor, p => p.RequireAuthenticatedUser().RequireClaim(LedgerClaims.Role, Government, Supervisor));
    }
}
