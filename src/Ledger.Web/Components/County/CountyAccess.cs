using System.Security.Claims;
using Ledger.Infrastructure.Identity;
using Ledger.Projections;
using Marten;

namespace Ledger.Web.Components.County;

/// <summary>A county official's reach: the commitments their government leads or contributes to.</summary>
public static class CountyAccess
{
    public static string Government(ClaimsPrincipal user) =>
        user.FindFirst(LedgerClaims.Government)?.Value ?? throw new UnauthorizedAccessException("The session names no government.");

    public static bool Participates(CommitmentRecord record, string government) =>
        record.LeadGovernmentId == government || record.Contributors.Any(c => c.GovernmentId == government);

    public static Task<IReadOnlyList<CommitmentRecord>> MineAsync(IQuerySession session, string government, CancellationToken ct) =>
        session.Query<CommitmentRecord>()
            .Where(r => r.LeadGovernmentId == government || r.Contributors.Any(c => c.GovernmentId == government))
            .OrderBy(r => r.Deadline)
            .ToListAsync(ct);
}
