using System.Globalization;
using Ledger.Api.Http;
using Ledger.Api.OpenApi;
using Ledger.Contracts;
using Ledger.Infrastructure.Supervision;
using Ledger.Projections.Supervision;
using Marten;

namespace Ledger.Api.Supervision;

/// <summary>An overdue deadline or milestone with the days it is overdue today and the name of the government that leads it.</summary>
public sealed record OverdueEntry(OverdueItem Item, int DaysOverdue, string LeadGovernmentName);

/// <summary>A rectification order with whether it is past its due date today, and by how many days.</summary>
public sealed record RectificationEntry(RectificationTrack Rectification, bool PastDue, int DaysPastDue, string GovernmentName);

/// <summary>
/// The supervisors' views (ops/docs/supervision-views.md), read from the async projection's documents.
/// Each answer is one page with a keyset cursor and says how fresh the views are.
/// </summary>
public static class SupervisionViewEndpoints
{
    private const string DateType = "date";
    private const string NumericType = "numeric";
    private const string TextType = "text";

    public static RouteGroupBuilder MapSupervisionViews(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/supervision").WithTags("Supervision views").RequireAuthorization(Policies.Reader).WithStandardResponses();
        group.MapGet("/commitments", Commitments).Produces<Page<CommitmentStanding>>()
            .WithName("SuperviseCommitments").WithSummary("Where each commitment stands: status, colour, assessment, overdue items, open rectifications.");
        group.MapGet("/governments", Governments).Produces<Page<GovernmentCompliance>>()
            .WithName("GovernmentCompliance").WithSummary("Compliance per government: commitments by status and colour, on-time rate, overdue, open rectifications.");
        group.MapGet("/agreements", Agreements).Produces<Page<AgreementProgress>>()
            .WithName("AgreementProgress").WithSummary("Progress per agreement, rolled up from its commitments with weights.");
        group.MapGet("/areas", Areas).Produces<Page<AreaSummary>>()
            .WithName("AreaSummaries").WithSummary("The same roll-up per task area, province or prefecture.");
        group.MapGet("/overdue", Overdue).Produces<Page<OverdueEntry>>()
            .WithName("OverdueQueue").WithSummary("The overdue queue, most days overdue first.");
        group.MapGet("/rectifications", Rectifications).Produces<Page<RectificationEntry>>()
            .WithName("RectificationTracker").WithSummary("Rectification orders from order to close, with responses, reviews and escalation.");
        group.MapGet("/scorecards", Scorecards).Produces<Page<Scorecard>>()
            .WithName("Scorecards").WithSummary("Published scorecards per cycle and government, with band and rank.");
        group.MapGet("/trends", Trends).Produces<Page<TrendPoint>>()
            .WithName("Trends").WithSummary("What happened per quarter for the zone, a government or an agreement.");
        group.MapGet("/freshness", FreshnessNow).Produces<Freshness>()
            .WithName("ViewFreshness").WithSummary("How far the supervision views are behind the ledger.");
        return group;
    }

    public static async Task<IResult> Commitments(HttpContext http, IQuerySession session, ProjectionFreshness freshness, CancellationToken ct)
    {
        var q = ViewQuery.From(http, "province", "prefecture", "government", "agreement", "taskArea", "status", "colour", "period");
        var query = session.Query<CommitmentStanding>().AsQueryable();
        if (q.Enum<Province>("province") is { } province) query = query.Where(x => x.LeadProvince == province);
        if (q.Text("prefecture") is { } prefecture) query = query.Where(x => x.LeadPrefecture == prefecture);
        if (q.Text("government") is { } government) query = query.Where(x => x.Participants.Contains(government));
        if (q.Text("agreement") is { } agreement) query = query.Where(x => x.AgreementId == agreement);
        if (q.Enum<TaskArea>("taskArea") is { } area) query = query.Where(x => x.TaskArea == area);
        if (q.OneOf("status", Statuses) is { } status) query = query.Where(x => x.Status == status);
        if (q.Enum<Rag>("colour") is { } colour) query = query.Where(x => x.Rag == colour);
        if (q.Period() is { } period) query = query.Where(x => x.Deadline >= period.From && x.Deadline <= period.To);
        SortKey<CommitmentStanding>[] sorts =
        [
            new("commitmentId", "id", TextType, x => x.Id),
            new("deadline", "deadline", DateType, x => Day(x.Deadline)),
            new("overdueSince", "coalesce(overdue_since, date '9999-12-31')", DateType, x => x.OverdueSince is { } d ? Day(d) : "9999-12-31"),
            new("progress", "(data->>'progress')::numeric", NumericType, x => Number(x.Progress)),
            new("openRectifications", "(data->>'openRectifications')::numeric", NumericType, x => Number(x.OpenRectifications)),
        ];
        return TypedResults.Ok(await q.PageAsync(query, sorts, x => x.Id, await freshness.CheckAsync(ct), Same, ct));
    }

    public static async Task<IResult> Governments(HttpContext http, IQuerySession session, ProjectionFreshness freshness, CancellationToken ct)
    {
        var q = ViewQuery.From(http, "province", "prefecture", "government", "colour");
        var query = session.Query<GovernmentCompliance>().AsQueryable();
        if (q.Enum<Province>("province") is { } province) query = query.Where(x => x.Province == province);
        if (q.Text("prefecture") is { } prefecture) query = query.Where(x => x.Prefecture == prefecture);
        if (q.Text("government") is { } government) query = query.Where(x => x.Id == government);
        if (q.Enum<Rag>("colour") is { } colour) query = query.Where(x => x.Rag == colour);
        SortKey<GovernmentCompliance>[] sorts =
        [
            new("governmentId", "id", TextType, x => x.Id),
            new("onTimeRate", "coalesce((data->>'onTimeRate')::numeric, -1)", NumericType, x => Number(x.OnTimeRate ?? -1)),
            new("overdueItems", "overdue_items::numeric", NumericType, x => Number(x.OverdueItems)),
            new("openRectifications", "(data->>'openRectifications')::numeric", NumericType, x => Number(x.OpenRectifications)),
        ];
        return TypedResults.Ok(await q.PageAsync(query, sorts, x => x.Id, await freshness.CheckAsync(ct), Same, ct));
    }

    public static async Task<IResult> Agreements(HttpContext http, IQuerySession session, ProjectionFreshness freshness, CancellationToken ct)
    {
        var q = ViewQuery.From(http, "agreement", "taskArea");
        var query = session.Query<AgreementProgress>().AsQueryable();
        if (q.Text("agreement") is { } agreement) query = query.Where(x => x.Id == agreement);
        if (q.Enum<TaskArea>("taskArea") is { } area) query = query.Where(x => x.TaskArea == area);
        SortKey<AgreementProgress>[] sorts =
        [
            new("agreementId", "id", TextType, x => x.Id),
            new("progress", "progress", NumericType, x => Number(x.Progress)),
            new("overdueItems", "(data->>'overdueItems')::numeric", NumericType, x => Number(x.OverdueItems)),
        ];
        return TypedResults.Ok(await q.PageAsync(query, sorts, x => x.Id, await freshness.CheckAsync(ct), Same, ct));
    }

    public static async Task<IResult> Areas(HttpContext http, IQuerySession session, ProjectionFreshness freshness, CancellationToken ct)
    {
        var q = ViewQuery.From(http, "scope");
        var query = session.Query<AreaSummary>().AsQueryable();
        if (q.OneOf("scope", "taskArea", "province", "prefecture") is { } scope) query = query.Where(x => x.Scope == scope);
        SortKey<AreaSummary>[] sorts =
        [
            new("id", "id", TextType, x => x.Id),
            new("progress", "(data->>'progress')::numeric", NumericType, x => Number(x.Progress)),
            new("overdueItems", "(data->>'overdueItems')::numeric", NumericType, x => Number(x.OverdueItems)),
        ];
        return TypedResults.Ok(await q.PageAsync(query, sorts, x => x.Id, await freshness.CheckAsync(ct), Same, ct));
    }

    public static async Task<IResult> Overdue(HttpContext http, IQuerySession session, ProjectionFreshness freshness, TimeProvider time, CancellationToken ct)
    {
        var q = ViewQuery.From(http, "province", "prefecture", "government", "agreement", "taskArea", "kind", "period");
        var query = session.Query<OverdueItem>().AsQueryable();
        if (q.Enum<Province>("province") is { } province) query = query.Where(x => x.LeadProvince == province);
        if (q.Text("prefecture") is { } prefecture) query = query.Where(x => x.LeadPrefecture == prefecture);
        if (q.Text("government") is { } government) query = query.Where(x => x.LeadGovernmentId == government);
        if (q.Text("agreement") is { } agreement) query = query.Where(x => x.AgreementId == agreement);
        if (q.Enum<TaskArea>("taskArea") is { } area) query = query.Where(x => x.TaskArea == area);
        if (q.Enum<DueKind>("kind") is { } kind) query = query.Where(x => x.Kind == kind);
        if (q.Period() is { } period) query = query.Where(x => x.DueOn >= period.From && x.DueOn <= period.To);
        SortKey<OverdueItem>[] sorts =
        [
            // Earliest due first: the most days overdue at the top of the queue.
            new("dueOn", "due_on", DateType, x => Day(x.DueOn)),
            new("commitmentId", "commitment_id", TextType, x => x.CommitmentId),
        ];
        var today = SupervisionRules.ZoneDate(time.GetUtcNow());
        return TypedResults.Ok(await q.PageAsync(query, sorts, x => x.Id, await freshness.CheckAsync(ct), async items =>
        {
            var names = await NamesAsync(session, items.Select(i => i.LeadGovernmentId), ct);
            return (IReadOnlyList<OverdueEntry>)[.. items.Select(i => new OverdueEntry(i, today.DayNumber - i.DueOn.DayNumber, names.GetValueOrDefault(i.LeadGovernmentId, "")))];
        }, ct));
    }

    public static async Task<IResult> Rectifications(HttpContext http, IQuerySession session, ProjectionFreshness freshness, TimeProvider time, CancellationToken ct)
    {
        var q = ViewQuery.From(http, "province", "prefecture", "government", "agreement", "taskArea", "status", "open", "period");
        var query = session.Query<RectificationTrack>().AsQueryable();
        if (q.Enum<Province>("province") is { } province) query = query.Where(x => x.Province == province);
        if (q.Text("prefecture") is { } prefecture) query = query.Where(x => x.Prefecture == prefecture);
        if (q.Text("government") is { } government) query = query.Where(x => x.GovernmentId == government);
        if (q.Text("agreement") is { } agreement) query = query.Where(x => x.AgreementId == agreement);
        if (q.Enum<TaskArea>("taskArea") is { } area) query = query.Where(x => x.TaskArea == area);
        if (q.Enum<RectificationStatus>("status") is { } status) query = query.Where(x => x.Status == status);
        if (q.Flag("open") is { } open) query = query.Where(x => x.Open == open);
        if (q.Period() is { } period) query = query.Where(x => x.DueOn >= period.From && x.DueOn <= period.To);
        SortKey<RectificationTrack>[] sorts =
        [
            new("dueOn", "due_on", DateType, x => Day(x.DueOn)),
            new("orderedAt", "ordered_at", "timestamptz", x => x.OrderedAt.ToString("O", CultureInfo.InvariantCulture)),
        ];
        var today = SupervisionRules.ZoneDate(time.GetUtcNow());
        return TypedResults.Ok(await q.PageAsync(query, sorts, x => x.Id, await freshness.CheckAsync(ct), async items =>
        {
            var names = await NamesAsync(session, items.Select(i => i.GovernmentId), ct);
            return (IReadOnlyList<RectificationEntry>)[.. items.Select(r =>
            {
                var late = r.Open ? Math.Max(0, today.DayNumber - r.DueOn.DayNumber) : 0;
                return new RectificationEntry(r, late > 0, late, names.GetValueOrDefault(r.GovernmentId, ""));
            })];
        }, ct));
    }

    public static async Task<IResult> Scorecards(HttpContext http, IQuerySession session, ProjectionFreshness freshness, CancellationToken ct)
    {
        var q = ViewQuery.From(http, "cycle", "period", "province", "prefecture", "government", "band");
        var query = session.Query<Scorecard>().AsQueryable();
        if (q.Text("cycle") is { } cycle) query = query.Where(x => x.CycleId == cycle);
        if (q.Period() is { } period) query = query.Where(x => x.Period == period.Label);
        if (q.Enum<Province>("province") is { } province) query = query.Where(x => x.Province == province);
        if (q.Text("prefecture") is { } prefecture) query = query.Where(x => x.Prefecture == prefecture);
        if (q.Text("government") is { } government) query = query.Where(x => x.GovernmentId == government);
        if (q.Enum<Band>("band") is { } band) query = query.Where(x => x.Band == band);
        SortKey<Scorecard>[] sorts =
        [
            // Within a cycle, rank order; the id ("cycle/government") keeps cycles apart.
            new("rank", "rank::numeric", NumericType, x => Number(x.Rank)),
            new("total", "(data->>'total')::numeric", NumericType, x => Number(x.Total)),
            new("governmentId", "government_id", TextType, x => x.GovernmentId),
        ];
        return TypedResults.Ok(await q.PageAsync(query, sorts, x => x.Id, await freshness.CheckAsync(ct), Same, ct));
    }

    /// <summary>
    /// A series: every quarter from the scope's first with anything in it (or the period asked for) to the
    /// current one, for every government or agreement of the scope (or the one asked for). A quarter in
    /// which nothing happened is in the series with zero counts: a gap is what a supervisor looks for.
    /// </summary>
    public static async Task<IResult> Trends(HttpContext http, IQuerySession session, ProjectionFreshness freshness, TimeProvider time, CancellationToken ct)
    {
        var q = ViewQuery.From(http, "scope", "key", "period");
        var scope = q.OneOf("scope", "zone", "government", "agreement") ?? "zone";
        var key = q.Text("key");
        SortKey<TrendPoint>[] sorts = [new("period", "period", TextType, x => x.Period)];

        IReadOnlyList<string> keys = scope switch
        {
            "government" => await IdsAsync(session.Query<GovernmentCompliance>().Select(x => x.Id), key, ct),
            "agreement" => await IdsAsync(session.Query<AgreementProgress>().Select(x => x.Id), key, ct),
            _ => key is null or TrendPoint.ZoneKey ? [TrendPoint.ZoneKey] : [],
        };
        var current = SupervisionRules.Quarter(time.GetUtcNow());
        string first, last;
        if (q.Period() is { } period)
        {
            first = SupervisionRules.Quarter(new DateTimeOffset(period.From.ToDateTime(TimeOnly.MinValue), SupervisionRules.ZoneOffset));
            last = SupervisionRules.Quarter(new DateTimeOffset(period.To.ToDateTime(TimeOnly.MinValue), SupervisionRules.ZoneOffset));
        }
        else
        {
            first = await session.Query<TrendPoint>().Where(x => x.Scope == scope).OrderBy(x => x.Period).Select(x => x.Period).FirstOrDefaultAsync(ct) ?? current;
            last = current;
        }
        if (string.CompareOrdinal(last, current) > 0) last = current;

        var slots = Quarters(first, last).SelectMany(p => keys.Select(k => new TrendPoint { Id = TrendPoint.IdFor(scope, k, p), Scope = scope, Key = k, Period = p }));
        var page = await q.PageInMemoryAsync(slots, sorts, x => x.Id, await freshness.CheckAsync(ct), async items =>
        {
            if (items.Count == 0) return items;
            var stored = (await session.LoadManyAsync<TrendPoint>(ct, items.Select(x => x.Id).ToArray())).ToDictionary(x => x.Id);
            return (IReadOnlyList<TrendPoint>)items.Select(x => stored.GetValueOrDefault(x.Id, x)).ToList();
        });
        return TypedResults.Ok(page);
    }

    // The ids of a scope's governments or agreements: a few hundred at most, filtered here.
    private static async Task<IReadOnlyList<string>> IdsAsync(IQueryable<string> ids, string? only, CancellationToken ct) =>
        [.. (await ids.ToListAsync(ct)).Where(id => only is null || id == only).Order(StringComparer.Ordinal)];

    /// <summary>"2023-Q4" to "2024-Q2": 2023-Q4, 2024-Q1, 2024-Q2 (nothing if the first is after the last).</summary>
    private static IEnumerable<string> Quarters(string first, string last)
    {
        static (int Year, int Quarter) Parse(string p) => (int.Parse(p[..4], CultureInfo.InvariantCulture), p[^1] - '0');
        var (year, quarter) = Parse(first);
        var end = Parse(last);
        while (year < end.Year || (year == end.Year && quarter <= end.Quarter))
        {
            yield return $"{year:D4}-Q{quarter}";
            (year, quarter) = quarter == 4 ? (year + 1, 1) : (year, quarter + 1);
        }
    }

    public static async Task<IResult> FreshnessNow(HttpContext http, ProjectionFreshness freshness, CancellationToken ct)
    {
        ViewQuery.From(http);
        return TypedResults.Ok(await freshness.CheckAsync(ct));
    }

    private static readonly string[] Statuses =
        [StandingStatus.Draft, StandingStatus.Active, StandingStatus.FulfilmentClaimed, StandingStatus.Fulfilled, StandingStatus.Suspended, StandingStatus.Withdrawn];

    private static Task<IReadOnlyList<T>> Same<T>(IReadOnlyList<T> items) => Task.FromResult(items);

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Number(decimal n) => n.ToString(CultureInfo.InvariantCulture);

    private static async Task<Dictionary<string, string>> NamesAsync(IQuerySession session, IEnumerable<string> governmentIds, CancellationToken ct)
    {
        var ids = governmentIds.Distinct().ToArray();
        if (ids.Length == 0) return [];
        var governments = await session.LoadManyAsync<GovernmentCompliance>(ct, ids);
        return governments.ToDictionary(g => g.Id, g => $"{g.NameZh} {g.NameEn}");
    }
}
