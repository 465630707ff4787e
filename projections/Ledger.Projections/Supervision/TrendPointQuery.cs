using System.Globalization;
using Ledger.Projections.Querying;
using Marten;

namespace Ledger.Projections.Supervision;

/// <summary>A checked request for a series of quarters: its scope, the one government or agreement asked for, the period and the paging.</summary>
public sealed record TrendSeries(string Scope, string? Key, (DateOnly From, DateOnly To, string Label)? Period, ViewPlan<TrendPoint> Plan);

/// <summary>
/// A series (GET /api/supervision/trends, the console's scorecard trends): every quarter from the
/// scope's first with anything in it (or the period asked for) to the current one, for every
/// government or agreement of the scope (or the one asked for). A quarter in which nothing happened
/// is in the series with zero counts: a gap is what a supervisor looks for.
/// </summary>
public static class TrendPointQuery
{
    public static readonly IReadOnlyList<string> Filters = ["scope", "key", "period"];

    public static readonly IReadOnlyList<string> Scopes = ["zone", "government", "agreement"];

    // The series is made of every quarter from the first stored one, so it is sorted in memory
    // (PageInMemory); what PostgreSQL sorts is the scope's stored periods, for the first of them.
    public static readonly IReadOnlyList<SortKey<TrendPoint>> Sorts = [new("period", "period", SortValues.Text, x => x.Period)];

    /// <summary>
    /// The columns the series reads, duplicated from the document; the scope's index holds the period
    /// after it, so a scope's first quarter is the first entry of its run (<see cref="StoredPeriods"/>).
    /// </summary>
    public static void Index(StoreOptions opts) =>
        opts.Schema.For<TrendPoint>().Identity(x => x.Id)
            .Duplicate(x => x.Scope, configure: index => index.Mask = "?, period")
            .Duplicate(x => x.Key).Duplicate(x => x.Period);

    /// <summary>The quarters a scope has stored points for, earliest first: a series without a period starts at the first.</summary>
    public static IQueryable<string> StoredPeriods(IQuerySession session, string scope) =>
        session.Query<TrendPoint>().Where(x => x.Scope == scope).OrderBy(x => x.Period).Select(x => x.Period);

    public static TrendSeries Check(ViewRequest request)
    {
        var q = ViewQuery.For(request, Filters);
        var scope = q.OneOf("scope", [.. Scopes]) ?? "zone";
        var key = q.Text("key");
        var period = q.Period();
        return new TrendSeries(scope, key, period, q.Plan(Sorts));
    }

    /// <summary>One page of the series up to the quarter of <paramref name="now"/>.</summary>
    public static async Task<ViewPage<TrendPoint>> ReadAsync(this TrendSeries series, IQuerySession session, DateTimeOffset now, CancellationToken ct)
    {
        var (scope, key) = (series.Scope, series.Key);
        IReadOnlyList<string> keys = scope switch
        {
            "government" => await IdsAsync(session.Query<GovernmentCompliance>().Select(x => x.Id), key, ct),
            "agreement" => await IdsAsync(session.Query<AgreementProgress>().Select(x => x.Id), key, ct),
            _ => key is null or TrendPoint.ZoneKey ? [TrendPoint.ZoneKey] : [],
        };
        var current = SupervisionRules.Quarter(now);
        string first, last;
        if (series.Period is { } period)
        {
            first = SupervisionRules.Quarter(new DateTimeOffset(period.From.ToDateTime(TimeOnly.MinValue), SupervisionRules.ZoneOffset));
            last = SupervisionRules.Quarter(new DateTimeOffset(period.To.ToDateTime(TimeOnly.MinValue), SupervisionRules.ZoneOffset));
        }
        else
        {
            first = await StoredPeriods(session, scope).FirstOrDefaultAsync(ct) ?? current;
            last = current;
        }
        if (string.CompareOrdinal(last, current) > 0) last = current;

        var slots = Quarters(first, last).SelectMany(p => keys.Select(k => new TrendPoint { Id = TrendPoint.IdFor(scope, k, p), Scope = scope, Key = k, Period = p }));
        var page = series.Plan.PageInMemory(slots, x => x.Id);
        if (page.Items.Count == 0) return page;
        var stored = (await session.LoadManyAsync<TrendPoint>(ct, page.Items.Select(x => x.Id).ToArray())).ToDictionary(x => x.Id);
        return page with { Items = [.. page.Items.Select(x => stored.GetValueOrDefault(x.Id, x))] };
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
}
