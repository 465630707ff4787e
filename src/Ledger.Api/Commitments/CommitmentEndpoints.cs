using Ledger.Api.Audit;
using Ledger.Api.Http;
using Ledger.Api.OpenApi;
using Ledger.Api.Supervision;
using Ledger.Contracts;
using Ledger.Domain.Agreements;
using Ledger.Domain.Commitments;
using Ledger.Infrastructure.Audit;
using Ledger.Infrastructure.Daemon;
using Ledger.Infrastructure.Writing;
using Ledger.Projections;
using Ledger.Projections.Querying;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.Api.Commitments;

public sealed record RegisterCommitmentRequest(
    string CommitmentId, string AgreementId, string LeadGovernmentId, string LeadDepartment, ResultType ResultType,
    string Title, string Description, DateOnly Deadline, IReadOnlyList<Indicator>? Indicators = null,
    IReadOnlyList<Milestone>? Milestones = null, IReadOnlyList<ContributorShare>? Contributors = null);

public sealed record ReasonRequest(string Reason);

public sealed record ReportProgressRequest(string ReportId, string Period, DateOnly AsOf, IReadOnlyList<IndicatorValue> Values, string Narrative);

public sealed record CorrectProgressRequest(string CorrectionId, string CorrectsReportId, IReadOnlyList<IndicatorValue> Values, string Reason);

/// <summary>Evidence by hash and location; its media type and size in bytes may be given too.</summary>
public sealed record AttachEvidenceRequest(
    string EvidenceId, DocumentType DocumentType, string Title, string Sha256, string StorageUri, string Issuer,
    DateOnly IssuedOn, Confidentiality Confidentiality, string? MediaType = null, long? Length = null);

public sealed record ClaimFulfilmentRequest(string ClaimId, ClaimScope Scope, IReadOnlyList<string> EvidenceIds, string Statement, string? Subject = null);

public sealed record VerifyClaimRequest(VerificationMethod Method, Verdict Verdict, string Findings);

public static class CommitmentEndpoints
{
    public static RouteGroupBuilder MapCommitmentEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/commitments").WithTags("Commitments").RequireAuthorization(Policies.Reader).WithStandardResponses();
        group.MapPost("/", Register).RequireAuthorization(Policies.Government)
            .WithName("RegisterCommitment").WithSummary("Register a commitment under an active agreement (lead government).");
        group.MapPost("/{commitmentId}/activation", Activate).RequireAuthorization(Policies.Supervisor)
            .WithName("ActivateCommitment").WithSummary("Take the commitment into supervision (supervisor).");
        group.MapPost("/{commitmentId}/suspension", Suspend).RequireAuthorization(Policies.Supervisor)
            .WithName("SuspendCommitment").WithSummary("Suspend the commitment, with a reason (supervisor).");
        group.MapPost("/{commitmentId}/resumption", Resume).RequireAuthorization(Policies.Supervisor)
            .WithName("ResumeCommitment").WithSummary("Resume a suspended commitment (supervisor).");
        group.MapPost("/{commitmentId}/withdrawal", Withdraw).RequireAuthorization(Policies.GovernmentOrDecision)
            .WithName("WithdrawCommitment").WithSummary("Withdraw the commitment (lead government or decision).");
        group.MapPost("/{commitmentId}/progress", ReportProgress).RequireAuthorization(Policies.Government)
            .WithName("ReportProgress").WithSummary("Report indicator values for a period (government).");
        group.MapPost("/{commitmentId}/corrections", CorrectProgress).RequireAuthorization(Policies.Government)
            .WithName("CorrectProgress").WithSummary("Correct an earlier progress report; the original stays on record (government).");
        group.MapPost("/{commitmentId}/evidence", AttachEvidence).RequireAuthorization(Policies.Government)
            .WithName("AttachEvidence").WithSummary("Attach a document as evidence, by hash and location (government).");
        group.MapPost("/{commitmentId}/claims", Claim).RequireAuthorization(Policies.Government)
            .WithName("ClaimFulfilment").WithSummary("Claim the commitment, or part of it, fulfilled on attached evidence (government).");
        group.MapPost("/{commitmentId}/claims/{claimId}/withdrawal", WithdrawClaim).RequireAuthorization(Policies.Government)
            .WithName("WithdrawClaim").WithSummary("Withdraw a fulfilment claim (government).");
        group.MapPost("/{commitmentId}/claims/{claimId}/verification", Verify).RequireAuthorization(Policies.Supervisor)
            .WithName("VerifyClaim").WithSummary("Record the verification verdict on a claim (supervisor).");
        group.MapGet("/", List).AsList(CommitmentRecordQuery.Filters, CommitmentRecordQuery.Sorts)
            .WithName("ListCommitments").WithSummary("The commitments, the lead government named in Chinese and English, filtered by agreement, participant, status or deadline, sorted and keyset-paged.");
        group.MapGet("/{commitmentId}", Get)
            .WithName("GetCommitment").WithSummary("Read one commitment's full record; its ETag is the stream version.");
        group.MapGet("/{commitmentId}/reports", Reports)
            .AsList(ProgressReportRecordQuery.Filters, ProgressReportRecordQuery.Sorts)
            .WithName("ListCommitmentReports").WithSummary("Every progress report of the commitment with its corrections, in the order made (sort=-version: the latest first), keyset-paged; the record itself keeps the latest few.");
        group.MapGet("/{commitmentId}/reports/{reportId}", Report)
            .WithName("GetCommitmentReport").WithSummary("One progress report of the commitment with its corrections.");
        group.MapGet("/{commitmentId}/evidence", Evidence).AsList(CommitmentActRecordQuery.Filters, CommitmentActRecordQuery.Sorts)
            .WithName("ListCommitmentEvidence").WithSummary("Every document attached to the commitment as evidence, in the order attached (sort=-version: the latest first), keyset-paged; the record itself keeps the latest few.");
        group.MapGet("/{commitmentId}/claims", Claims).AsList(CommitmentActRecordQuery.Filters, CommitmentActRecordQuery.Sorts)
            .WithName("ListCommitmentClaims").WithSummary("Every fulfilment claim on the commitment with its verdict (open=true: those awaiting one), keyset-paged; the record keeps the open ones and the latest few.");
        group.MapGet("/{commitmentId}/assessments", Assessments).AsList(CommitmentActRecordQuery.Filters, CommitmentActRecordQuery.Sorts)
            .WithName("ListCommitmentAssessments").WithSummary("Every assessment of the commitment, in the order made, keyset-paged; the record keeps the latest few.");
        group.MapGet("/{commitmentId}/rectifications", Rectifications).AsList(CommitmentActRecordQuery.Filters, CommitmentActRecordQuery.Sorts)
            .WithName("ListCommitmentRectifications").WithSummary("Every rectification order on the commitment with its responses and reviews (open=true: those not yet accepted), keyset-paged; the record keeps the open ones and the latest few.");
        group.MapGet("/{commitmentId}/escalations", Escalations).AsList(CommitmentActRecordQuery.Filters, CommitmentActRecordQuery.Sorts)
            .WithName("ListCommitmentEscalations").WithSummary("Every escalation of the commitment with its decision (open=true: those not yet decided), keyset-paged; the record keeps the open ones and the latest few.");
        group.MapGet("/{commitmentId}/events", Events).IsReplay()
            .WithName("GetCommitmentEvents").WithSummary("The commitment's raw event history with envelopes.");
        return group;
    }

    public static async Task<Created<WriteResponse>> Register(RegisterCommitmentRequest body, HttpContext http, LedgerWriter writer)
    {
        var agreement = await writer.LoadAsync<AgreementState>(StreamKeys.Agreement(body.AgreementId), AgreementState.Evolve, http.RequestAborted);
        return await Write(http, body.CommitmentId, (s, actor, now) => CommitmentDecider.Decide(s, new RegisterCommitment(
            body.CommitmentId, body.AgreementId, body.LeadGovernmentId, body.LeadDepartment, body.ResultType, body.Title,
            body.Description, body.Deadline, body.Indicators ?? [], body.Milestones ?? [], body.Contributors ?? [], actor, now), agreement));
    }

    public static Task<Created<WriteResponse>> Activate(string commitmentId, HttpContext http) =>
        Write(http, commitmentId, (s, actor, now) => CommitmentDecider.Decide(s, new ActivateCommitment(commitmentId, actor, now)));

    public static Task<Created<WriteResponse>> Suspend(string commitmentId, ReasonRequest body, HttpContext http) =>
        Write(http, commitmentId, (s, actor, now) => CommitmentDecider.Decide(s, new SuspendCommitment(commitmentId, body.Reason, actor, now)));

    public static Task<Created<WriteResponse>> Resume(string commitmentId, ReasonRequest body, HttpContext http) =>
        Write(http, commitmentId, (s, actor, now) => CommitmentDecider.Decide(s, new ResumeCommitment(commitmentId, body.Reason, actor, now)));

    public static Task<Created<WriteResponse>> Withdraw(string commitmentId, ReasonRequest body, HttpContext http) =>
        Write(http, commitmentId, (s, actor, now) => CommitmentDecider.Decide(s, new WithdrawCommitment(commitmentId, body.Reason, actor, now)));

    public static Task<Created<WriteResponse>> ReportProgress(string commitmentId, ReportProgressRequest body, HttpContext http) =>
        Write(http, commitmentId, (s, actor, now) => CommitmentDecider.Decide(s, new Domain.Commitments.ReportProgress(
            commitmentId, body.ReportId, body.Period, body.AsOf, body.Values ?? [], body.Narrative, actor, now)));

    public static Task<Created<WriteResponse>> CorrectProgress(string commitmentId, CorrectProgressRequest body, HttpContext http) =>
        Write(http, commitmentId, (s, actor, now) => CommitmentDecider.Decide(s, new Domain.Commitments.CorrectProgress(
            commitmentId, body.CorrectionId, body.CorrectsReportId, body.Values ?? [], body.Reason, actor, now)));

    public static Task<Created<WriteResponse>> AttachEvidence(string commitmentId, AttachEvidenceRequest body, HttpContext http) =>
        Write(http, commitmentId, (s, actor, now) => CommitmentDecider.Decide(s, new Domain.Commitments.AttachEvidence(
            commitmentId, body.EvidenceId, body.DocumentType, body.Title, body.Sha256, body.StorageUri, body.Issuer, body.IssuedOn,
            body.Confidentiality, actor, now, body.MediaType, body.Length)));

    public static Task<Created<WriteResponse>> Claim(string commitmentId, ClaimFulfilmentRequest body, HttpContext http) =>
        Write(http, commitmentId, (s, actor, now) => CommitmentDecider.Decide(s, new ClaimFulfilment(
            commitmentId, body.ClaimId, body.Scope, body.Subject, body.EvidenceIds ?? [], body.Statement, actor, now)));

    public static Task<Created<WriteResponse>> WithdrawClaim(string commitmentId, string claimId, ReasonRequest body, HttpContext http) =>
        Write(http, commitmentId, (s, actor, now) => CommitmentDecider.Decide(s, new Domain.Commitments.WithdrawClaim(commitmentId, claimId, body.Reason, actor, now)));

    public static Task<Created<WriteResponse>> Verify(string commitmentId, string claimId, VerifyClaimRequest body, HttpContext http) =>
        Write(http, commitmentId, (s, actor, now) => CommitmentDecider.Decide(s, new VerifyClaim(
            commitmentId, claimId, body.Method, body.Verdict, body.Findings, actor, now)));

    public static async Task<Ok<Page<CommitmentSummary>>> List(HttpContext http, IQuerySession session, ProjectionFreshness freshness, CancellationToken ct)
    {
        var view = CommitmentRecordQuery.Check(ViewRequests.From(http, CommitmentRecordQuery.Filters));
        var fresh = await freshness.WritePositionAsync(ct);
        return TypedResults.Ok(Page<CommitmentSummary>.Of(await view.ReadAsync(session, ct), fresh));
    }

    public static Task<Ok<CommitmentRecord>> Get(string commitmentId, HttpContext http, IQuerySession session) =>
        Reading.OneAsync<CommitmentRecord>(http, session, StreamKeys.Commitment(commitmentId), x => x.Version, "commitment_not_found", $"Commitment {commitmentId}");

    public static async Task<Ok<Page<ProgressReportRecord>>> Reports(string commitmentId, HttpContext http, IQuerySession session, ProjectionFreshness freshness, CancellationToken ct)
    {
        var view = ProgressReportRecordQuery.Check(commitmentId, ViewRequests.From(http, ProgressReportRecordQuery.Filters));
        await RequireCommitmentAsync(commitmentId, session, ct);
        var fresh = await freshness.WritePositionAsync(ct);
        return TypedResults.Ok(Page<ProgressReportRecord>.Of(await view.PageAsync(session, ct), fresh));
    }

    public static async Task<Ok<ProgressReportRecord>> Report(string commitmentId, string reportId, IQuerySession session, CancellationToken ct) =>
        await session.LoadAsync<ProgressReportRecord>(ProgressReportRecord.IdOf(commitmentId, reportId), ct) is { } report
            ? TypedResults.Ok(report)
            : throw new RequestRejected(StatusCodes.Status404NotFound, "report_not_found", $"Commitment {commitmentId} has no report {reportId}.");

    public static Task<Ok<Page<EvidenceEntry>>> Evidence(string commitmentId, HttpContext http, IQuerySession session, ProjectionFreshness freshness, CancellationToken ct) =>
        ActsAsync(commitmentId, ActKinds.Evidence, x => x.Evidence!, http, session, freshness, ct);

    public static Task<Ok<Page<ClaimEntry>>> Claims(string commitmentId, HttpContext http, IQuerySession session, ProjectionFreshness freshness, CancellationToken ct) =>
        ActsAsync(commitmentId, ActKinds.Claim, x => x.Claim!, http, session, freshness, ct);

    public static Task<Ok<Page<AssessmentEntry>>> Assessments(string commitmentId, HttpContext http, IQuerySession session, ProjectionFreshness freshness, CancellationToken ct) =>
        ActsAsync(commitmentId, ActKinds.Assessment, x => x.Assessment!, http, session, freshness, ct);

    public static Task<Ok<Page<RectificationEntry>>> Rectifications(string commitmentId, HttpContext http, IQuerySession session, ProjectionFreshness freshness, CancellationToken ct) =>
        ActsAsync(commitmentId, ActKinds.Rectification, x => x.Rectification!, http, session, freshness, ct);

    public static Task<Ok<Page<EscalationEntry>>> Escalations(string commitmentId, HttpContext http, IQuerySession session, ProjectionFreshness freshness, CancellationToken ct) =>
        ActsAsync(commitmentId, ActKinds.Escalation, x => x.Escalation!, http, session, freshness, ct);

    /// <summary>A page of one commitment's acts of one kind, each as its entry; 404 for a commitment that does not exist.</summary>
    private static async Task<Ok<Page<T>>> ActsAsync<T>(
        string commitmentId, string kind, Func<CommitmentActRecord, T> entry, HttpContext http, IQuerySession session, ProjectionFreshness freshness, CancellationToken ct)
    {
        var view = CommitmentActRecordQuery.Check(commitmentId, kind, ViewRequests.From(http, CommitmentActRecordQuery.Filters));
        await RequireCommitmentAsync(commitmentId, session, ct);
        var fresh = await freshness.WritePositionAsync(ct);
        var page = await view.PageAsync(session, ct);
        return TypedResults.Ok(Page<T>.Of(new ViewPage<T>([.. page.Items.Select(entry)], page.Next), fresh));
    }

    private static async Task RequireCommitmentAsync(string commitmentId, IQuerySession session, CancellationToken ct)
    {
        if (await session.Events.FetchStreamStateAsync(StreamKeys.Commitment(commitmentId), ct) is null)
            throw new RequestRejected(StatusCodes.Status404NotFound, "commitment_not_found", $"Commitment {commitmentId} does not exist.");
    }

    public static Task<Ok<List<EventEnvelope>>> Events(string commitmentId, IQuerySession session, CancellationToken ct) =>
        EventHistory.ReadAsync(session, StreamKeys.Commitment(commitmentId), "commitment_not_found", $"Commitment {commitmentId}", ct);

    private static Task<Created<WriteResponse>> Write(HttpContext http, string commitmentId, Appending.Decision<CommitmentState> decide) =>
        Appending.AppendAsync(http, StreamKeys.Commitment(commitmentId), CommitmentState.Evolve, decide, $"/api/commitments/{Uri.EscapeDataString(commitmentId)}");
}
