using Ledger.Api.Audit;
using Ledger.Api.Http;
using Ledger.Api.OpenApi;
using Ledger.Api.Supervision;
using Ledger.Contracts;
using Ledger.Domain.Agreements;
using Ledger.Infrastructure.Audit;
using Ledger.Infrastructure.Daemon;
using Ledger.Infrastructure.Writing;
using Ledger.Projections;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.Api.Agreements;

public sealed record DraftAgreementRequest(
    string AgreementId, string Title, TaskArea TaskArea, IReadOnlyList<AgreementParty> Parties,
    DateOnly TermStart, DateOnly TermEnd, IReadOnlyList<string>? LegalBasis = null);

public sealed record SignAgreementRequest(string GovernmentId, DateOnly SignedOn);

public sealed record DecisionRequest(string Summary, string DecisionReference);

public sealed record TerminationRequest(string Reason, string DecisionReference);

public static class AgreementEndpoints
{
    public static RouteGroupBuilder MapAgreementEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/agreements").WithTags("Agreements").RequireAuthorization(Policies.Reader).WithStandardResponses();
        group.MapPost("/", Draft).RequireAuthorization(Policies.Supervisor)
            .WithName("DraftAgreement").WithSummary("Draft an agreement between registered governments (supervisor).");
        group.MapPost("/{agreementId}/signatures", Sign).RequireAuthorization(Policies.Government)
            .WithName("SignAgreement").WithSummary("Sign the agreement for the caller's government (government).");
        group.MapPost("/{agreementId}/activation", Activate).RequireAuthorization(Policies.SupervisorOrDecision)
            .WithName("ActivateAgreement").WithSummary("Activate a fully signed agreement (supervisor or decision).");
        group.MapPost("/{agreementId}/amendments", Amend).RequireAuthorization(Policies.Decision)
            .WithName("AmendAgreement").WithSummary("Record an amendment decided on the agreement (decision).");
        group.MapPost("/{agreementId}/termination", Terminate).RequireAuthorization(Policies.Decision)
            .WithName("TerminateAgreement").WithSummary("Terminate the agreement by decision (decision).");
        group.MapGet("/", List).AsList(AgreementViewQuery.Filters, AgreementViewQuery.Sorts)
            .WithName("ListAgreements").WithSummary("The agreements, each party named in Chinese and English, filtered, sorted and keyset-paged.");
        group.MapGet("/{agreementId}", Get)
            .WithName("GetAgreement").WithSummary("Read one agreement; its ETag is the stream version.");
        group.MapGet("/{agreementId}/events", Events).IsReplay()
            .WithName("GetAgreementEvents").WithSummary("The agreement's raw event history with envelopes.");
        return group;
    }

    public static async Task<Created<WriteResponse>> Draft(DraftAgreementRequest body, HttpContext http, LedgerWriter writer)
    {
        var parties = body.Parties ?? [];
        var existing = await writer.ExistingStreamsAsync(parties.Select(p => StreamKeys.Government(p.GovernmentId)), http.RequestAborted);
        var registered = existing.Select(StreamKeys.IdOf).ToHashSet(StringComparer.Ordinal);
        return await Appending.AppendAsync<AgreementState>(http, StreamKeys.Agreement(body.AgreementId), AgreementState.Evolve,
            (state, actor, now) => AgreementDecider.Decide(state, new DraftAgreement(body.AgreementId, body.Title, body.TaskArea, parties,
                body.TermStart, body.TermEnd, body.LegalBasis ?? [], actor, now), registered),
            Location(body.AgreementId));
    }

    public static Task<Created<WriteResponse>> Sign(string agreementId, SignAgreementRequest body, HttpContext http) =>
        Write(http, agreementId, (s, actor, now) => AgreementDecider.Decide(s, new SignAgreement(agreementId, body.GovernmentId, body.SignedOn, actor, now)));

    public static Task<Created<WriteResponse>> Activate(string agreementId, HttpContext http) =>
        Write(http, agreementId, (s, actor, now) => AgreementDecider.Decide(s, new ActivateAgreement(agreementId, actor, now)));

    public static Task<Created<WriteResponse>> Amend(string agreementId, DecisionRequest body, HttpContext http) =>
        Write(http, agreementId, (s, actor, now) => AgreementDecider.Decide(s, new AmendAgreement(agreementId, body.Summary, body.DecisionReference, actor, now)));

    public static Task<Created<WriteResponse>> Terminate(string agreementId, TerminationRequest body, HttpContext http) =>
        Write(http, agreementId, (s, actor, now) => AgreementDecider.Decide(s, new TerminateAgreement(agreementId, body.Reason, body.DecisionReference, actor, now)));

    public static async Task<Ok<Page<AgreementSummary>>> List(HttpContext http, IQuerySession session, ProjectionFreshness freshness, CancellationToken ct)
    {
        var view = AgreementViewQuery.Check(ViewRequests.From(http, AgreementViewQuery.Filters));
        var fresh = await freshness.WritePositionAsync(ct);
        return TypedResults.Ok(Page<AgreementSummary>.Of(await view.ReadAsync(session, ct), fresh));
    }

    public static Task<Ok<AgreementView>> Get(string agreementId, HttpContext http, IQuerySession session) =>
        Reading.OneAsync<AgreementView>(http, session, StreamKeys.Agreement(agreementId), x => x.Version, "agreement_not_found", $"Agreement {agreementId}");

    public static Task<Ok<List<EventEnvelope>>> Events(string agreementId, IQuerySession session, CancellationToken ct) =>
        EventHistory.ReadAsync(session, StreamKeys.Agreement(agreementId), "agreement_not_found", $"Agreement {agreementId}", ct);

    private static Task<Created<WriteResponse>> Write(HttpContext http, string agreementId, Appending.Decision<AgreementState> decide) =>
        Appending.AppendAsync(http, StreamKeys.Agreement(agreementId), AgreementState.Evolve, decide, Location(agreementId));

    private static string Location(string agreementId) => $"/api/agreements/{Uri.EscapeDataString(agreementId)}";
}
