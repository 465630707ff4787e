using Ledger.Api.Http;
using Ledger.Api.OpenApi;
using Ledger.Contracts;
using Ledger.Domain.Commitments;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.Api.Commitments;

public sealed record AssessCommitmentRequest(
    string AssessmentId, string Period, Completion Completion, DeliveryConfidence Confidence, RiskCategory Risk, string Rationale);

public sealed record OrderRectificationRequest(
    string RectificationId, string GovernmentId, string Findings, IReadOnlyList<string> RequiredActions, DateOnly DueOn);

public sealed record RespondToRectificationRequest(string Response, IReadOnlyList<string>? EvidenceIds = null);

public sealed record FindingsRequest(string Findings);

public sealed record RejectRectificationRequest(string Findings, DateOnly? NewDueOn = null);

public sealed record RaiseEscalationRequest(string EscalationId, string Subject, IReadOnlyList<string> Options, string? RectificationId = null);

public sealed record DecideEscalationRequest(string DecisionReference, string Decision);

/// <summary>A milestone to move: its id and new due date; a title or type, where given, replaces the one it had.</summary>
public sealed record RescheduledMilestoneRequest(string MilestoneId, DateOnly Due, string? Title = null, MilestoneType? Type = null);

public sealed record ReviseCommitmentRequest(
    string RevisionId, string Reason, string DecisionReference, DateOnly? NewDeadline = null,
    IReadOnlyList<RescheduledMilestoneRequest>? RescheduledMilestones = null);

/// <summary>
/// Supervising one commitment across the three levels (the acts, as the domain's <c>Supervising</c> decider
/// judges them; the supervisors' views are Supervision/): assessments and rectification orders by the
/// coordination level, responses by the ordered government, escalations one level up, decisions by the
/// level reached, and revisions by the decision level. The deciders check who may act; the policies
/// here only keep out roles that never may.
/// </summary>
public static class SupervisingEndpoints
{
    public static RouteGroupBuilder MapSupervisingEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/commitments").WithTags("Supervision").RequireAuthorization(Policies.Reader).WithStandardResponses();
        group.MapPost("/{commitmentId}/assessments", Assess).RequireAuthorization(Policies.Supervisor)
            .WithName("AssessCommitment").WithSummary("Assess completion, delivery confidence and risk for a period, with a rationale (supervisor).");
        group.MapPost("/{commitmentId}/rectifications", OrderRectification).RequireAuthorization(Policies.Supervisor)
            .WithName("OrderRectification").WithSummary("Order a participating government to rectify findings by a due date (supervisor).");
        group.MapPost("/{commitmentId}/rectifications/{rectificationId}/response", RespondToRectification).RequireAuthorization(Policies.Government)
            .WithName("RespondToRectification").WithSummary("Answer a rectification order, citing attached evidence (the ordered government).");
        group.MapPost("/{commitmentId}/rectifications/{rectificationId}/acceptance", AcceptRectification).RequireAuthorization(Policies.Supervisor)
            .WithName("AcceptRectification").WithSummary("Accept the response and close the rectification (supervisor).");
        group.MapPost("/{commitmentId}/rectifications/{rectificationId}/rejection", RejectRectification).RequireAuthorization(Policies.Supervisor)
            .WithName("RejectRectification").WithSummary("Reject the response; the order stays open, optionally with a new due date (supervisor).");
        group.MapPost("/{commitmentId}/escalations", RaiseEscalation).RequireAuthorization(Policies.GovernmentOrSupervisor)
            .WithName("RaiseEscalation").WithSummary("Raise a matter one level up with options: a participating government to coordination, a supervisor to decision.");
        group.MapPost("/{commitmentId}/escalations/{escalationId}/decision", DecideEscalation).RequireAuthorization(Policies.SupervisorOrDecision)
            .WithName("DecideEscalation").WithSummary("Decide an escalation, naming the decision document (the level it was raised to).");
        group.MapPost("/{commitmentId}/revision", Revise).RequireAuthorization(Policies.Decision)
            .WithName("ReviseCommitment").WithSummary("Revise the deadline or reschedule milestones under a decision taken on an escalation (decision).");
        return group;
    }

    public static Task<Created<WriteResponse>> Assess(string commitmentId, AssessCommitmentRequest body, HttpContext http) =>
        Write(http, commitmentId, (s, actor, now) => CommitmentDecider.Decide(s, new AssessCommitment(
            commitmentId, body.AssessmentId, body.Period, body.Completion, body.Confidence, body.Risk, body.Rationale, actor, now)));

    public static Task<Created<WriteResponse>> OrderRectification(string commitmentId, OrderRectificationRequest body, HttpContext http) =>
        Write(http, commitmentId, (s, actor, now) => CommitmentDecider.Decide(s, new Domain.Commitments.OrderRectification(
            commitmentId, body.RectificationId, body.GovernmentId, body.Findings, body.RequiredActions ?? [], body.DueOn, actor, now)));

    public static Task<Created<WriteResponse>> RespondToRectification(string commitmentId, string rectificationId, RespondToRectificationRequest body, HttpContext http) =>
        Write(http, commitmentId, (s, actor, now) => CommitmentDecider.Decide(s, new Domain.Commitments.RespondToRectification(
            commitmentId, rectificationId, body.Response, body.EvidenceIds ?? [], actor, now)));

    public static Task<Created<WriteResponse>> AcceptRectification(string commitmentId, string rectificationId, FindingsRequest body, HttpContext http) =>
        Write(http, commitmentId, (s, actor, now) => CommitmentDecider.Decide(s, new Domain.Commitments.AcceptRectification(
            commitmentId, rectificationId, body.Findings, actor, now)));

    public static Task<Created<WriteResponse>> RejectRectification(string commitmentId, string rectificationId, RejectRectificationRequest body, HttpContext http) =>
        Write(http, commitmentId, (s, actor, now) => CommitmentDecider.Decide(s, new Domain.Commitments.RejectRectification(
            commitmentId, rectificationId, body.Findings, body.NewDueOn, actor, now)));

    public static Task<Created<WriteResponse>> RaiseEscalation(string commitmentId, RaiseEscalationRequest body, HttpContext http) =>
        Write(http, commitmentId, (s, actor, now) => CommitmentDecider.Decide(s, new Domain.Commitments.RaiseEscalation(
            commitmentId, body.EscalationId, body.Subject, body.Options ?? [], body.RectificationId, actor, now)));

    public static Task<Created<WriteResponse>> DecideEscalation(string commitmentId, string escalationId, DecideEscalationRequest body, HttpContext http) =>
        Write(http, commitmentId, (s, actor, now) => CommitmentDecider.Decide(s, new Domain.Commitments.DecideEscalation(
            commitmentId, escalationId, body.DecisionReference, body.Decision, actor, now)));

    public static Task<Created<WriteResponse>> Revise(string commitmentId, ReviseCommitmentRequest body, HttpContext http) =>
        Write(http, commitmentId, (s, actor, now) => CommitmentDecider.Decide(s, new ReviseCommitment(
            commitmentId, body.RevisionId, body.Reason, body.DecisionReference, body.NewDeadline,
            // A null element passes the JSON reader (nullability is not enforced inside lists); the decider names it.
            [.. (body.RescheduledMilestones ?? []).Select(m => m is null ? null! : new MilestoneReschedule(m.MilestoneId, m.Due, m.Title, m.Type))],
            actor, now)));

    private static Task<Created<WriteResponse>> Write(HttpContext http, string commitmentId, Appending.Decision<CommitmentState> decide) =>
        Appending.AppendAsync(http, StreamKeys.Commitment(commitmentId), CommitmentState.Evolve, decide, $"/api/commitments/{Uri.EscapeDataString(commitmentId)}");
}
