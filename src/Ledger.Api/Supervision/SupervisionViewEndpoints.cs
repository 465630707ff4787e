using Ledger.Api.Http;
using Ledger.Api.OpenApi;
using Ledger.Infrastructure.Daemon;
using Ledger.Projections.Supervision;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.Api.Supervision;

/// <summary>
/// The supervisors' views (ops/docs/supervision-views.md), read from the async projection's documents.
/// Each answer is one page with a keyset cursor and says how fresh the views are and where it was read (a standby,
/// where <see cref="SupervisorReads"/> allows, else the primary); what each view's
/// filters and sort keys are lives beside its document (projections/…/Supervision/*Query.cs), shared
/// with the console.
/// </summary>
public static class SupervisionViewEndpoints
{
    public static RouteGroupBuilder MapSupervisionViews(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/supervision").WithTags("Supervision views").RequireAuthorization(Policies.Reader).WithStandardResponses();
        group.MapGet("/commitments", Commitments)
            .WithName("SuperviseCommitments").WithSummary("Where each commitment stands: status, colour, assessment, overdue items, open rectifications.");
        group.MapGet("/governments", Governments)
            .WithName("GovernmentCompliance").WithSummary("Compliance per government: commitments by status and colour, on-time rate, overdue, open rectifications.");
        group.MapGet("/agreements", Agreements)
            .WithName("AgreementProgress").WithSummary("Progress per agreement, rolled up from its commitments with weights.");
        group.MapGet("/areas", Areas)
            .WithName("AreaSummaries").WithSummary("The same roll-up per task area, province or prefecture.");
        group.MapGet("/overdue", Overdue)
            .WithName("OverdueQueue").WithSummary("The overdue queue, most days overdue first.");
        group.MapGet("/rectifications", Rectifications)
            .WithName("RectificationTracker").WithSummary("Rectification orders from order to close, with responses, reviews and escalation.");
        group.MapGet("/scorecards", Scorecards)
            .WithName("Scorecards").WithSummary("Published scorecards per cycle and government, with band and rank.");
        group.MapGet("/trends", Trends)
            .WithName("Trends").WithSummary("What happened per quarter for the zone, a government or an agreement.");
        group.MapGet("/freshness", FreshnessNow)
            .WithName("ViewFreshness").WithSummary("How far the supervision views are behind the ledger.");
        return group;
    }

    public static async Task<Ok<Page<CommitmentStanding>>> Commitments(HttpContext http, IQuerySession session, SupervisorReads reads, CancellationToken ct)
    {
        var view = CommitmentStandingQuery.Check(ViewRequests.From(http, CommitmentStandingQuery.Filters));
        var (page, fresh) = await reads.ReadAsync(session, s => view.PageAsync(s, ct), ct);
        return TypedResults.Ok(Page<CommitmentStanding>.Of(page, fresh));
    }

    public static async Task<Ok<Page<GovernmentCompliance>>> Governments(HttpContext http, IQuerySession session, SupervisorReads reads, CancellationToken ct)
    {
        var view = GovernmentComplianceQuery.Check(ViewRequests.From(http, GovernmentComplianceQuery.Filters));
        var (page, fresh) = await reads.ReadAsync(session, s => view.PageAsync(s, ct), ct);
        return TypedResults.Ok(Page<GovernmentCompliance>.Of(page, fresh));
    }

    public static async Task<Ok<Page<AgreementProgress>>> Agreements(HttpContext http, IQuerySession session, SupervisorReads reads, CancellationToken ct)
    {
        var view = AgreementProgressQuery.Check(ViewRequests.From(http, AgreementProgressQuery.Filters));
        var (page, fresh) = await reads.ReadAsync(session, s => view.PageAsync(s, ct), ct);
        return TypedResults.Ok(Page<AgreementProgress>.Of(page, fresh));
    }

    public static async Task<Ok<Page<AreaSummary>>> Areas(HttpContext http, IQuerySession session, SupervisorReads reads, CancellationToken ct)
    {
        var view = AreaSummaryQuery.Check(ViewRequests.From(http, AreaSummaryQuery.Filters));
        var (page, fresh) = await reads.ReadAsync(session, s => view.PageAsync(s, ct), ct);
        return TypedResults.Ok(Page<AreaSummary>.Of(page, fresh));
    }

    public static async Task<Ok<Page<OverdueEntry>>> Overdue(HttpContext http, IQuerySession session, SupervisorReads reads, TimeProvider time, CancellationToken ct)
    {
        var view = OverdueItemQuery.Check(ViewRequests.From(http, OverdueItemQuery.Filters));
        var today = SupervisionRules.ZoneDate(time.GetUtcNow());
        var (page, fresh) = await reads.ReadAsync(session, s => view.ReadAsync(s, today, ct), ct);
        return TypedResults.Ok(Page<OverdueEntry>.Of(page, fresh));
    }

    public static async Task<Ok<Page<RectificationEntry>>> Rectifications(HttpContext http, IQuerySession session, SupervisorReads reads, TimeProvider time, CancellationToken ct)
    {
        var view = RectificationTrackQuery.Check(ViewRequests.From(http, RectificationTrackQuery.Filters));
        var today = SupervisionRules.ZoneDate(time.GetUtcNow());
        var (page, fresh) = await reads.ReadAsync(session, s => view.ReadAsync(s, today, ct), ct);
        return TypedResults.Ok(Page<RectificationEntry>.Of(page, fresh));
    }

    public static async Task<Ok<Page<Scorecard>>> Scorecards(HttpContext http, IQuerySession session, SupervisorReads reads, CancellationToken ct)
    {
        var view = ScorecardQuery.Check(ViewRequests.From(http, ScorecardQuery.Filters));
        var (page, fresh) = await reads.ReadAsync(session, s => view.PageAsync(s, ct), ct);
        return TypedResults.Ok(Page<Scorecard>.Of(page, fresh));
    }

    /// <summary>A series of quarters for the zone, a government or an agreement (TrendPointQuery says which quarters).</summary>
    public static async Task<Ok<Page<TrendPoint>>> Trends(HttpContext http, IQuerySession session, SupervisorReads reads, TimeProvider time, CancellationToken ct)
    {
        var series = TrendPointQuery.Check(ViewRequests.From(http, TrendPointQuery.Filters));
        var (page, fresh) = await reads.ReadAsync(session, s => series.ReadAsync(s, time.GetUtcNow(), ct), ct);
        return TypedResults.Ok(Page<TrendPoint>.Of(page, fresh));
    }

    public static async Task<Ok<Freshness>> FreshnessNow(HttpContext http, ProjectionFreshness freshness, CancellationToken ct)
    {
        ViewRequests.From(http, []);
        return TypedResults.Ok(await freshness.CheckAsync(ct));
    }
}
