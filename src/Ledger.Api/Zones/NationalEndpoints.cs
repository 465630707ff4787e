using Ledger.Api.Http;
using Ledger.Api.OpenApi;
using Ledger.Infrastructure.Zones;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.Api.Zones;

/// <summary>The national overview: every cooperation zone's compliance side by side, for the <c>national</c> role (ops/docs/roles.md).</summary>
public static class NationalEndpoints
{
    public static RouteGroupBuilder MapNationalEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/national").WithTags("National").RequireAuthorization(Policies.National).WithStandardResponses();
        group.MapGet("/overview", Overview)
            .WithName("GetNationalOverview")
            .WithSummary("Every zone of the master table side by side: compliance from its supervision views, its log's origin and size, how fresh each is; an unreachable zone says so (national).");
        return group;
    }

    public static async Task<Ok<NationalOverview.Overview>> Overview(NationalOverview overview, CancellationToken ct) =>
        TypedResults.Ok(await overview.ReadAsync(ct));
}
