using Ledger.Api.Audit;
using Ledger.Api.Http;
using Ledger.Api.OpenApi;
using Ledger.Api.Supervision;
using Ledger.Contracts;
using Ledger.Domain.Governments;
using Ledger.Infrastructure.Audit;
using Ledger.Infrastructure.Daemon;
using Ledger.Projections;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.Api.Governments;

public sealed record RegisterGovernmentRequest(
    string GovernmentId, string NameZh, string NameEn, Province Province, string Prefecture, GovernmentLevel Level);

public static class GovernmentEndpoints
{
    public static RouteGroupBuilder MapGovernmentEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/governments").WithTags("Governments").RequireAuthorization(Policies.Reader).WithStandardResponses();
        group.MapPost("/", Register).RequireAuthorization(Policies.Admin)
            .WithName("RegisterGovernment").WithSummary("Register a government (admin).");
        group.MapGet("/", List).AsList(GovernmentViewQuery.Filters, GovernmentViewQuery.Sorts)
            .WithName("ListGovernments").WithSummary("The registered governments with their Chinese and English names, filtered, sorted and keyset-paged.");
        group.MapGet("/{governmentId}", Get)
            .WithName("GetGovernment").WithSummary("Read one government; its ETag is the stream version.");
        group.MapGet("/{governmentId}/events", Events).IsReplay()
            .WithName("GetGovernmentEvents").WithSummary("The government's raw event history with envelopes.");
        return group;
    }

    public static Task<Created<WriteResponse>> Register(RegisterGovernmentRequest body, HttpContext http) =>
        Appending.AppendAsync<GovernmentState>(http, StreamKeys.Government(body.GovernmentId), GovernmentState.Evolve,
            (state, actor, now) => GovernmentDecider.Decide(state, new RegisterGovernment(body.GovernmentId, body.NameZh, body.NameEn,
                body.Province, body.Prefecture, body.Level, actor, now)),
            $"/api/governments/{body.GovernmentId}");

    public static async Task<Ok<Page<GovernmentView>>> List(HttpContext http, IQuerySession session, ProjectionFreshness freshness, CancellationToken ct)
    {
        var view = GovernmentViewQuery.Check(ViewRequests.From(http, GovernmentViewQuery.Filters));
        var fresh = await freshness.WritePositionAsync(ct);
        return TypedResults.Ok(Page<GovernmentView>.Of(await view.PageAsync(session, ct), fresh));
    }

    public static Task<Ok<GovernmentView>> Get(string governmentId, HttpContext http, IQuerySession session) =>
        Reading.OneAsync<GovernmentView>(http, session, StreamKeys.Government(governmentId), x => x.Version, "government_not_found", $"Government {governmentId}");

    public static Task<Ok<List<EventEnvelope>>> Events(string governmentId, IQuerySession session, CancellationToken ct) =>
        EventHistory.ReadAsync(session, StreamKeys.Government(governmentId), "government_not_found", $"Government {governmentId}", ct);
}
