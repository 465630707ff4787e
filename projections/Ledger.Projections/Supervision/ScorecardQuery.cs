using System.Linq.Expressions;
using Ledger.Contracts;
using Ledger.Projections.Querying;

namespace Ledger.Projections.Supervision;

/// <summary>Published scorecards (GET /api/supervision/scorecards, the console's /scorecards): their filters and sort keys.</summary>
public static class ScorecardQuery
{
    public static readonly IReadOnlyList<string> Filters = ["cycle", "period", "province", "prefecture", "government", "band"];

    public static readonly IReadOnlyList<SortKey<Scorecard>> Sorts =
    [
        // Within a cycle, rank order; the id ("cycle/government") keeps cycles apart.
        new("rank", "rank::numeric", SortValues.Numeric, x => SortValues.Number(x.Rank)),
        new("total", "(data->>'total')::numeric", SortValues.Numeric, x => SortValues.Number(x.Total)),
        new("governmentId", "government_id", SortValues.Text, x => x.GovernmentId),
    ];

    public static CheckedView<Scorecard> Check(ViewRequest request)
    {
        var q = ViewQuery.For(request, Filters);
        var where = new List<Expression<Func<Scorecard, bool>>>();
        if (q.Text("cycle") is { } cycle) where.Add(x => x.CycleId == cycle);
        if (q.Period() is { } period) where.Add(x => x.Period == period.Label);
        if (q.Enum<Province>("province") is { } province) where.Add(x => x.Province == province);
        if (q.Text("prefecture") is { } prefecture) where.Add(x => x.Prefecture == prefecture);
        if (q.Text("government") is { } government) where.Add(x => x.GovernmentId == government);
        if (q.Enum<Band>("band") is { } band) where.Add(x => x.Band == band);
        return q.Check(where, Sorts, x => x.Id);
    }
}
