using System.Globalization;
using Ledger.Api.Http;
using Ledger.Api.OpenApi;
using Ledger.Contracts;
using Ledger.Infrastructure.Audit;
using Ledger.Infrastructure.Identity;
using Ledger.Projections.Supervision;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.Api.Audit;

/// <summary>One supervision document as it stood at <see cref="AsOf"/>.</summary>
public sealed record ViewAsOf<T>(ReplayPoint AsOf, T View);

/// <summary>A supervision list (the overdue queue, the rectification tracker) as it stood at <see cref="AsOf"/>, whole and in the live view's order.</summary>
public sealed record ViewListAsOf<T>(ReplayPoint AsOf, int Count, IReadOnlyList<T> Items);

/// <summary>
/// The supervisors' views as they were at a time (<c>at</c>) or a daemon position (<c>position</c>),
/// replayed from the event log through the projection's own fold (<see cref="ViewsAsOf"/>), not read
/// from today's documents. Days overdue and past due are counted to the day of <c>at</c> (UTC+8), or
/// of the last event included when the question was a position.
/// </summary>
public static class ViewsAsOfEndpoints
{
    private static readonly string[] Point = ["at", "position"];

    public static RouteGroupBuilder MapViewsAsOfEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/audit/views").WithTags("Audit")
            .RequireAuthorization(p => p.RequireAuthenticatedUser().RequireClaim(LedgerClaims.Role, "auditor", Policies.Supervisor, Policies.Decision))
            .WithStandardResponses()
            .IsReplay();
        group.MapGet("/governments/{governmentId}", Government)
            .WithName("GovernmentComplianceAsOf").WithSummary("A government's compliance view as it was at a time (at) or daemon position (position), replayed from the events.");
        group.MapGet("/commitments/{commitmentId}", Commitment)
            .WithName("CommitmentStandingAsOf").WithSummary("Where a commitment stood for supervision at a time (at) or daemon position (position), replayed from the events.");
        group.MapGet("/agreements/{agreementId}", Agreement)
            .WithName("AgreementProgressAsOf").WithSummary("An agreement's progress view as it was at a time (at) or daemon position (position), replayed from the events.");
        group.MapGet("/overdue", Overdue)
            .WithName("OverdueQueueAsOf").WithSummary("The overdue queue as it was at a time (at) or daemon position (position); filter by agreement or government.");
        group.MapGet("/rectifications", Rectifications)
            .WithName("RectificationTrackerAsOf").WithSummary("The rectification tracker as it was at a time (at) or daemon position (position); filter by agreement, government or open.");
        return group;
    }

    public static Task<Ok<ViewAsOf<GovernmentCompliance>>> Government(string governmentId, HttpContext http, IQuerySession session) =>
        OneAsync<GovernmentCompliance>(http, session, StreamKeys.Government(governmentId), governmentId, "government_not_found", $"Government {governmentId}");

    public static Task<Ok<ViewAsOf<CommitmentStanding>>> Commitment(string commitmentId, HttpContext http, IQuerySession session) =>
        OneAsync<CommitmentStanding>(http, session, StreamKeys.Commitment(commitmentId), commitmentId, "commitment_not_found", $"Commitment {commitmentId}");

    public static Task<Ok<ViewAsOf<AgreementProgress>>> Agreement(string agreementId, HttpContext http, IQuerySession session) =>
        OneAsync<AgreementProgress>(http, session, StreamKeys.Agreement(agreementId), agreementId, "agreement_not_found", $"Agreement {agreementId}");

    public static async Task<Ok<ViewListAsOf<OverdueEntry>>> Overdue(HttpContext http, IQuerySession session)
    {
        var ct = http.RequestAborted;
        var q = Query.From(http, "agreement", "government");
        var (at, position) = await q.PointAsync(session, ct);
        var agreement = await q.ExistingAsync(session, "agreement", StreamKeys.Agreement, "agreement_not_found", "Agreement", ct);
        var government = await q.ExistingAsync(session, "government", StreamKeys.Government, "government_not_found", "Government", ct);

        var views = await ViewsAsOf.ReplayAsync(session, at, position, ct);
        var items = views.Overdue(agreement, government).Select(o => new OverdueEntry(o.Item, o.DaysOverdue, views.NameOf(o.Item.LeadGovernmentId))).ToList();
        return TypedResults.Ok(new ViewListAsOf<OverdueEntry>(views.Point, items.Count, items));
    }

    public static async Task<Ok<ViewListAsOf<RectificationEntry>>> Rectifications(HttpContext http, IQuerySession session)
    {
        var ct = http.RequestAborted;
        var q = Query.From(http, "agreement", "government", "open");
        var (at, position) = await q.PointAsync(session, ct);
        var agreement = await q.ExistingAsync(session, "agreement", StreamKeys.Agreement, "agreement_not_found", "Agreement", ct);
        var government = await q.ExistingAsync(session, "government", StreamKeys.Government, "government_not_found", "Government", ct);
        var open = q.Flag("open");

        var views = await ViewsAsOf.ReplayAsync(session, at, position, ct);
        var items = views.Rectifications(agreement, government, open)
            .Select(r => new RectificationEntry(r.Rectification, r.PastDue, r.DaysPastDue, views.NameOf(r.Rectification.GovernmentId))).ToList();
        return TypedResults.Ok(new ViewListAsOf<RectificationEntry>(views.Point, items.Count, items));
    }

    private static async Task<Ok<ViewAsOf<T>>> OneAsync<T>(HttpContext http, IQuerySession session, string streamKey, string id, string notFoundCode, string what)
        where T : class
    {
        var ct = http.RequestAborted;
        var q = Query.From(http);
        var (at, position) = await q.PointAsync(session, ct);
        // An id the ledger has never recorded is refused before paying for a replay.
        if (await session.Events.FetchStreamStateAsync(streamKey, ct) is null)
            throw new RequestRejected(StatusCodes.Status404NotFound, notFoundCode, $"{what} does not exist.");

        var views = await ViewsAsOf.ReplayAsync(session, at, position, ct);
        var view = views.Documents.Held<T>(id)
            ?? throw new RequestRejected(StatusCodes.Status404NotFound, "not_yet_recorded",
                $"{what} is not in the supervision views at {(at is { } t ? t.ToString("O", CultureInfo.InvariantCulture) : $"position {position}")}: it was recorded later.",
                at is null ? "position" : "at");
        return TypedResults.Ok(new ViewAsOf<T>(views.Point, view));
    }

    /// <summary>The query string of an as-of view: the point (exactly one of at and position) and the view's own filters, nothing else.</summary>
    private sealed class Query
    {
        private readonly HttpContext _http;

        private Query(HttpContext http) => _http = http;

        public static Query From(HttpContext http, params string[] filters)
        {
            foreach (var (name, values) in http.Request.Query)
            {
                if (!Point.Contains(name, StringComparer.Ordinal) && !filters.Contains(name, StringComparer.Ordinal))
                    throw new RequestRejected(StatusCodes.Status400BadRequest, "unknown_filter",
                        $"'{name}' is not a parameter of this view; it takes {string.Join(", ", Point.Concat(filters))}.", name);
                if (values.Count > 1)
                    throw new RequestRejected(StatusCodes.Status400BadRequest, "repeated_filter", $"'{name}' is given more than once.", name);
            }
            return new Query(http);
        }

        public string? Text(string name)
        {
            var value = _http.Request.Query[name].ToString();
            return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        }

        /// <summary>
        /// Exactly one of <c>at</c> (ISO 8601, not in the future) or <c>position</c> (a sequence the
        /// ledger has reached, as a live answer's freshness reports it).
        /// </summary>
        public async Task<(DateTimeOffset? At, long? Position)> PointAsync(IQuerySession session, CancellationToken ct)
        {
            var rawAt = Text("at");
            var rawPosition = Text("position");
            if (rawAt is null == rawPosition is null)
                throw new RequestRejected(StatusCodes.Status400BadRequest, "at_or_position",
                    "Give exactly one of 'at' (a time) or 'position' (an event sequence).", "at");
            var now = _http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
            var at = AuditQuery.Time(rawAt, "at", now);
            if (rawPosition is null) return (at, null);

            if (!long.TryParse(rawPosition, NumberStyles.None, CultureInfo.InvariantCulture, out var position) || position < 1)
                throw new RequestRejected(StatusCodes.Status400BadRequest, "invalid_position", "'position' must be an event sequence, 1 or more.", "position");
            var highest = await ViewsAsOf.HighestSequenceAsync(session, ct);
            if (position > highest)
                throw new RequestRejected(StatusCodes.Status422UnprocessableEntity, "position_out_of_range",
                    $"'position' is beyond the last recorded event ({highest}); the ledger shows only what it has recorded.", "position");
            return (null, position);
        }

        /// <summary>An id filter that must name something the ledger has recorded.</summary>
        public async Task<string?> ExistingAsync(IQuerySession session, string name, Func<string, string> streamKey, string notFoundCode, string what, CancellationToken ct)
        {
            var id = Text(name);
            if (id is null) return null;
            if (id.Length > 100)
                throw new RequestRejected(StatusCodes.Status400BadRequest, "invalid_filter", $"'{name}' is longer than 100 characters.", name);
            if (await session.Events.FetchStreamStateAsync(streamKey(id), ct) is null)
                throw new RequestRejected(StatusCodes.Status404NotFound, notFoundCode, $"{what} {id} does not exist.", name);
            return id;
        }

        public bool? Flag(string name) => Text(name)?.ToLowerInvariant() switch
        {
            null => null,
            "true" => true,
            "false" => false,
            _ => throw new RequestRejected(StatusCodes.Status400BadRequest, "invalid_flag", $"'{name}' must be true or false.", name),
        };
    }
}
