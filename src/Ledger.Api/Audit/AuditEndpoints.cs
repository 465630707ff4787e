using Ledger.Api.Http;
using Ledger.Api.OpenApi;
using Ledger.Contracts;
using Ledger.Infrastructure.Audit;
using Ledger.Infrastructure.Integrity;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Ledger.Api.Audit;

/// <summary>
/// Replays of the past over HTTP: the query string read and checked here, the replay itself in
/// <see cref="AuditReplay"/>, which the console's history pages run too.
/// </summary>
public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        // Every read here replays the past.
        var group = app.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(Policies.Reader).WithStandardResponses().IsReplay();
        group.MapGet("/commitments/{commitmentId}/events", CommitmentEvents)
            .WithName("ReplayCommitment").WithSummary("A commitment's events with envelopes; filter by from/to/type, add inclusion proofs with proofs=true.");
        group.MapGet("/agreements/{agreementId}/events", AgreementEvents)
            .WithName("ReplayAgreement").WithSummary("An agreement's events with envelopes; filter by from/to/type, add inclusion proofs with proofs=true.");
        group.MapGet("/governments/{governmentId}/events", GovernmentEvents)
            .WithName("ReplayGovernment").WithSummary("A government's events with envelopes; filter by from/to/type, add inclusion proofs with proofs=true.");
        group.MapGet("/commitments/{commitmentId}/as-of", AsOf)
            .WithName("CommitmentAsOf").WithSummary("The commitment record as it was at a time (at) or a stream version (version), replayed through its projection.");
        group.MapGet("/commitments/{commitmentId}/history", History)
            .WithName("CommitmentFieldHistory").WithSummary("Each version of the commitment record's fields (OCDS's versioned release), folded from its events: in stream order, after the stream version 'after', of one 'field' when given, a page of about 'limit' (default 200, at most 1000).");
        group.MapGet("/commitments/{commitmentId}/diff", Diff)
            .WithName("CommitmentDiff").WithSummary("Which fields of the commitment record changed between two times, from what to what, and by which events.");
        return group;
    }

    public static Task<Ok<AuditHistory>> CommitmentEvents(string commitmentId, HttpContext http, IQuerySession session, string? from, string? to,
        [FromQuery(Name = "type")] string[]? type, string? proofs) =>
        HistoryAsync(http, session, StreamKeys.Commitment(commitmentId), "commitment_not_found", $"Commitment {commitmentId}", from, to, type, proofs);

    public static Task<Ok<AuditHistory>> AgreementEvents(string agreementId, HttpContext http, IQuerySession session, string? from, string? to,
        [FromQuery(Name = "type")] string[]? type, string? proofs) =>
        HistoryAsync(http, session, StreamKeys.Agreement(agreementId), "agreement_not_found", $"Agreement {agreementId}", from, to, type, proofs);

    public static Task<Ok<AuditHistory>> GovernmentEvents(string governmentId, HttpContext http, IQuerySession session, string? from, string? to,
        [FromQuery(Name = "type")] string[]? type, string? proofs) =>
        HistoryAsync(http, session, StreamKeys.Government(governmentId), "government_not_found", $"Government {governmentId}", from, to, type, proofs);

    private static async Task<Ok<AuditHistory>> HistoryAsync(HttpContext http, IQuerySession session, string streamKey, string notFoundCode, string what,
        string? from, string? to, string[]? types, string? proofs)
    {
        var (start, end) = AuditQuery.Range(from, to, Now(http));
        var withProofs = AuditQuery.Flag(proofs, "proofs");
        var integrity = http.RequestServices.GetRequiredService<LedgerIntegrity>();
        var db = http.RequestServices.GetRequiredKeyedService<NpgsqlDataSource>("ledger-integrity");
        return TypedResults.Ok(await AuditReplay.HistoryAsync(session, AuditReplay.Prover(db, integrity.Schema), streamKey, notFoundCode, what,
            start, end, types, withProofs, http.RequestAborted));
    }

    public static async Task<Ok<CommitmentAsOf>> AsOf(string commitmentId, HttpContext http, IQuerySession session, string? at, string? version)
    {
        if (string.IsNullOrWhiteSpace(at) == string.IsNullOrWhiteSpace(version))
            throw new RequestRejected(StatusCodes.Status400BadRequest, "at_or_version", "Give exactly one of 'at' (a time) or 'version' (a stream version).", "at");
        var time = AuditQuery.Time(at, "at", Now(http));
        var wantedVersion = AuditQuery.Version(version);
        return TypedResults.Ok(await AuditReplay.AsOfAsync(session, commitmentId, time, wantedVersion, http.RequestAborted));
    }

    public static async Task<Ok<FieldHistoryPage>> History(string commitmentId, HttpContext http, IQuerySession session, string? field, string? after, string? limit)
    {
        var afterVersion = AuditQuery.Number(after, "after", 0, 0);
        var size = AuditQuery.Number(limit, "limit", 1, AuditReplay.DefaultHistoryLimit);
        if (size > AuditReplay.MaxHistoryLimit)
            throw new RequestRejected(StatusCodes.Status400BadRequest, "limit_out_of_range", $"'limit' must be between 1 and {AuditReplay.MaxHistoryLimit}.", "limit");
        return TypedResults.Ok(await AuditReplay.FieldHistoryAsync(session, commitmentId, string.IsNullOrWhiteSpace(field) ? null : field, afterVersion, (int)size, http.RequestAborted));
    }

    public static async Task<Ok<CommitmentDiff>> Diff(string commitmentId, HttpContext http, IQuerySession session, string? from, string? to)
    {
        var now = Now(http);
        if (string.IsNullOrWhiteSpace(from))
            throw new RequestRejected(StatusCodes.Status400BadRequest, "field_required", "'from' (the earlier time) is required.", "from");
        var (start, end) = AuditQuery.Range(from, to, now);
        return TypedResults.Ok(await AuditReplay.DiffAsync(session, commitmentId, start!.Value, end ?? now, http.RequestAborted));
    }

    private static DateTimeOffset Now(HttpContext http) => http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
}
