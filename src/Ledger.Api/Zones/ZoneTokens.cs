using Ledger.Infrastructure.Identity;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Ledger.Api.Zones;

/// <summary>
/// A node serves one zone, and a bearer token belongs to one zone (its <c>ledger_zone</c> claim): a token of another zone,
/// or of none, does not authenticate here, whoever signed it. The 401 that follows says why, with its own code
/// (<c>wrong_zone</c>, <c>missing_zone</c>) and the claim's name, where an expired token's 401 says <c>unauthenticated</c>.
/// </summary>
public static class ZoneTokens
{
    private const string RefusalKey = "ledger.zone-refusal";

    /// <summary>JwtBearer's <c>OnTokenValidated</c>: a token signed and current, but for another zone, fails here.</summary>
    public static Task CheckAsync(TokenValidatedContext context, string zone)
    {
        if (context.Principal is { } principal && LedgerClaims.ZoneRefusal(principal, zone) is { } refusal)
        {
            context.HttpContext.Items[RefusalKey] = refusal;
            context.Fail(refusal.Detail);
        }
        return Task.CompletedTask;
    }

    /// <summary>The 401's problem names the zone's refusal, when that was why the token did not authenticate.</summary>
    public static void Describe(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Status != StatusCodes.Status401Unauthorized
            || context.HttpContext.Items[RefusalKey] is not ValueTuple<string, string> refusal) return;
        context.ProblemDetails.Extensions["code"] = refusal.Item1;
        context.ProblemDetails.Detail = refusal.Item2;
        context.ProblemDetails.Extensions["claim"] = LedgerClaims.Zone;
    }
}
