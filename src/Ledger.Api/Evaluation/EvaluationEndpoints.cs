using JasperFx.Events;
using Ledger.Api.Audit;
using Ledger.Api.Http;
using Ledger.Api.OpenApi;
using Ledger.Contracts;
using Ledger.Domain.Evaluation;
using Ledger.Infrastructure.Audit;
using Ledger.Projections;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.Api.Evaluation;

public sealed record OpenEvaluationCycleRequest(
    string CycleId, string Period, DateOnly Start, DateOnly End, string MethodVersion, ScoreWeights Weights);

/// <summary><c>governmentId</c> names the scorecard appealed; left out, it is the caller's own.</summary>
public sealed record AppealScoreRequest(string AppealId, string Grounds, string? GovernmentId = null);

public sealed record DecideAppealRequest(bool Upheld, string Findings, decimal? RevisedTotal = null);

public static class EvaluationEndpoints
{
    public static RouteGroupBuilder MapEvaluationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/evaluations").WithTags("Evaluations").RequireAuthorization(Policies.Reader).WithStandardResponses();
        group.MapPost("/", Open).RequireAuthorization(Policies.Supervisor)
            .WithName("OpenEvaluationCycle").WithSummary("Open an evaluation cycle with its method version and weights (supervisor).");
        group.MapPost("/{cycleId}/scorecards", Publish).RequireAuthorization(Policies.Supervisor)
            .WithName("PublishScorecards").WithSummary("Compute every government's scorecard from the ledger and publish them, after the cycle's end (supervisor).");
        group.MapPost("/{cycleId}/appeals", Appeal).RequireAuthorization(Policies.Government)
            .WithName("AppealScore").WithSummary("Appeal the caller's own published score within 30 days (government).");
        group.MapPost("/{cycleId}/appeals/{appealId}/decision", DecideAppeal).RequireAuthorization(Policies.Supervisor)
            .WithName("DecideAppeal").WithSummary("Uphold an appeal with the revised total, or dismiss it (supervisor).");
        group.MapGet("/{cycleId}", Get)
            .WithName("GetEvaluationCycle").WithSummary("The cycle with its published scorecards and appeals; its ETag is the stream version.");
        group.MapGet("/{cycleId}/preview", Preview).RequireAuthorization(Policies.SupervisorOrAuditor)
            .WithName("PreviewScorecards").WithSummary("The scorecards the method computes from the ledger now, unpublished (supervisor, auditor).");
        group.MapGet("/{cycleId}/events", Events).IsReplay()
            .WithName("GetEvaluationCycleEvents").WithSummary("The cycle's raw event history with envelopes.");
        return group;
    }

    public static Task<Created<WriteResponse>> Open(OpenEvaluationCycleRequest body, HttpContext http) =>
        Write(http, body.CycleId, (s, actor, now) => EvaluationDecider.Decide(s, new OpenEvaluationCycle(
            body.CycleId, body.Period, body.Start, body.End, body.MethodVersion, body.Weights, actor, now)));

    public static async Task<Created<WriteResponse>> Publish(string cycleId, HttpContext http, IQuerySession session)
    {
        var facts = await ScoringFactsAsync(session, http.RequestAborted);
        return await Write(http, cycleId, (s, actor, now) => EvaluationDecider.Decide(s, new PublishScorecards(cycleId, facts, actor, now)));
    }

    public static Task<Created<WriteResponse>> Appeal(string cycleId, AppealScoreRequest body, HttpContext http) =>
        Write(http, cycleId, (s, actor, now) => EvaluationDecider.Decide(s, new AppealScore(
            cycleId, body.AppealId, body.GovernmentId, body.Grounds, actor, now)));

    public static Task<Created<WriteResponse>> DecideAppeal(string cycleId, string appealId, DecideAppealRequest body, HttpContext http) =>
        Write(http, cycleId, (s, actor, now) => EvaluationDecider.Decide(s, new Domain.Evaluation.DecideAppeal(
            cycleId, appealId, body.Upheld, body.RevisedTotal, body.Findings, actor, now)));

    public static async Task<Ok<EvaluationCycleView>> Get(string cycleId, HttpContext http, IQuerySession session)
    {
        var events = await session.Events.FetchStreamAsync(StreamKeys.Evaluation(cycleId), token: http.RequestAborted);
        var view = EvaluationCycleView.From(events) ?? throw NotFound(cycleId);
        http.Response.Headers.ETag = StreamVersions.ETag(view.Version);
        return TypedResults.Ok(view);
    }

    public static async Task<Ok<ScorecardPreview>> Preview(string cycleId, HttpContext http, IQuerySession session, TimeProvider time)
    {
        var events = await session.Events.FetchStreamAsync(StreamKeys.Evaluation(cycleId), token: http.RequestAborted);
        var cycle = events.Aggregate((EvaluationState?)null, (s, e) => EvaluationState.Evolve(s, e.Data)) ?? throw NotFound(cycleId);
        var facts = await ScoringFactsAsync(session, http.RequestAborted);
        var outcome = ScoringMethod.Score(cycle.MethodVersion, cycle.Start, cycle.End, cycle.Weights, facts);
        return TypedResults.Ok(new ScorecardPreview(cycle.CycleId, cycle.MethodVersion, cycle.Weights, time.GetUtcNow(), cycle.IsPublished,
            outcome.Ranked, outcome.NotScored));
    }

    public static Task<Ok<List<EventEnvelope>>> Events(string cycleId, IQuerySession session, CancellationToken ct) =>
        EventHistory.ReadAsync(session, StreamKeys.Evaluation(cycleId), "cycle_not_found", $"Evaluation cycle {cycleId}", ct);

    /// <summary>
    /// The registry and every commitment's events, in two queries: scoring is a once-a-cycle read of
    /// the whole ledger, not one fetch per stream.
    /// </summary>
    private static async Task<ScoringFacts> ScoringFactsAsync(IQuerySession session, CancellationToken ct)
    {
        var governments = await session.Query<GovernmentView>().ToListAsync(ct);
        var prefix = StreamKeys.Commitment("");
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamKey!.StartsWith(prefix))
            .OrderBy(e => e.Sequence)
            .ToListAsync(ct);
        return ScoringFacts.From(
            governments.Select(g => new GovernmentFacts(g.GovernmentId, g.Province)),
            events.GroupBy(e => e.StreamKey, StringComparer.Ordinal).Select(stream => stream.Select(e => e.Data)));
    }

    private static RequestRejected NotFound(string cycleId) =>
        new(StatusCodes.Status404NotFound, "cycle_not_found", $"Evaluation cycle {cycleId} does not exist.");

    private static Task<Created<WriteResponse>> Write(HttpContext http, string cycleId, Appending.Decision<EvaluationState> decide) =>
        Appending.AppendAsync(http, StreamKeys.Evaluation(cycleId), EvaluationState.Evolve, decide, $"/api/evaluations/{Uri.EscapeDataString(cycleId ?? "")}");
}

/// <summary>
/// What the cycle's method computes from the ledger at <c>ComputedAt</c>; nothing is published by reading
/// it. <c>NotScored</c> lists the governments with nothing to measure (method 2.0 and later): no total, no rank.
/// </summary>
public sealed record ScorecardPreview(
    string CycleId, string MethodVersion, ScoreWeights Weights, DateTimeOffset ComputedAt, bool Published,
    IReadOnlyList<Scorecard> Scorecards, IReadOnlyList<UnscoredCard> NotScored);

/// <summary>A published scorecard; an upheld appeal revises its total and band (the rank stays as published).</summary>
public sealed record PublishedScorecard(
    string GovernmentId, IReadOnlyList<ScoreComponent> Components, decimal Total, Band Band, int Rank, int Of,
    decimal? RevisedTotal, decimal FinalTotal, Band FinalBand);

public sealed record AppealView(
    string AppealId, string GovernmentId, string Grounds, string AppealedBy, DateTimeOffset AppealedAt, string Status,
    decimal? RevisedTotal, string? Findings, string? DecidedBy, DateTimeOffset? DecidedAt);

/// <summary>
/// An evaluation cycle as its events tell it: how it was opened, the scorecards published (ranked), the
/// governments published as not scored (no total, band or rank) and the appeals.
/// </summary>
public sealed record EvaluationCycleView(
    string CycleId, string Period, DateOnly Start, DateOnly End, string MethodVersion, ScoreWeights Weights,
    string OpenedBy, DateTimeOffset OpenedAt, string Status, string? PublishedBy, DateTimeOffset? PublishedAt,
    IReadOnlyList<PublishedScorecard> Scorecards, IReadOnlyList<UnscoredCard> NotScored, IReadOnlyList<AppealView> Appeals, long Version)
{
    public static EvaluationCycleView? From(IReadOnlyList<IEvent> events)
    {
        if (events.Count == 0 || events[0].Data is not EvaluationCycleOpened opened) return null;
        var view = new EvaluationCycleView(opened.CycleId, opened.Period, opened.Start, opened.End, opened.MethodVersion, opened.Weights,
            opened.OpenedBy, opened.OpenedAt, "Open", null, null, [], [], [], events[0].Version);
        foreach (var e in events.Skip(1))
        {
            view = e.Data switch
            {
                ScorecardPublished p => view with
                {
                    Status = "Published",
                    PublishedBy = p.PublishedBy,
                    PublishedAt = p.PublishedAt,
                    Scorecards = [.. view.Scorecards, new PublishedScorecard(p.GovernmentId, p.Components, p.Total, p.Band, p.Rank, p.Of, null, p.Total, p.Band)],
                },
                GovernmentNotScored n => view with
                {
                    Status = "Published",
                    PublishedBy = n.PublishedBy,
                    PublishedAt = n.PublishedAt,
                    NotScored = [.. view.NotScored, new UnscoredCard(n.GovernmentId, n.Components)],
                },
                ScoreAppealed a => view with
                {
                    Appeals = [.. view.Appeals, new AppealView(a.AppealId, a.GovernmentId, a.Grounds, a.AppealedBy, a.AppealedAt, "Open", null, null, null, null)],
                },
                ScoreAppealDecided d => view with
                {
                    Appeals = [.. view.Appeals.Select(x => x.AppealId != d.AppealId ? x : x with
                    {
                        Status = d.Upheld ? "Upheld" : "Dismissed", RevisedTotal = d.RevisedTotal, Findings = d.Findings, DecidedBy = d.DecidedBy, DecidedAt = d.DecidedAt,
                    })],
                    Scorecards = d.RevisedTotal is not { } revised ? view.Scorecards : [.. view.Scorecards.Select(x => x.GovernmentId != d.GovernmentId ? x : x with
                    {
                        RevisedTotal = revised, FinalTotal = revised, FinalBand = ScoringMethod.BandOf(revised),
                    })],
                },
                _ => view,
            };
            view = view with { Version = e.Version };
        }
        return view;
    }
}
