using System.Linq.Expressions;
using Ledger.Contracts;
using Ledger.Projections.Querying;
using Marten;

namespace Ledger.Projections.Supervision;

/// <summary>Published scorecards (GET /api/supervision/scorecards, the console's /scorecards): their filters and sort keys.</summary>
public static class ScorecardQuery
{
    public static readonly IReadOnlyList<string> Filters = ["cycle", "period", "province", "prefecture", "government", "band"];

    public static readonly IReadOnlyList<SortKey<Scorecard>> Sorts =
    [
        // Within a cycle, rank order; the id ("cycle/government") keeps cycles apart.
        new("rank", "rank", SortValues.Integer, x => SortValues.Number(x.Rank)),
        new("total", "total", SortValues.Numeric, x => SortValues.Number(x.Total)),
        new("governmentId", "government_id", SortValues.Text, x => x.GovernmentId),
    ];

    /// <summary>The columns the filters read, and each sort key's index (<see cref="SortIndex"/>), duplicated from the document.</summary>
    public static void Index(StoreOptions opts) =>
        opts.Schema.For<Scorecard>().Identity(x => x.Id)
            .Duplicate(x => x.CycleId).Duplicate(x => x.Period)
            .Duplicate(x => x.GovernmentId, configure: SortIndex.On(Sorts, "governmentId"))
            .Duplicate(x => x.Province).Duplicate(x => x.Prefecture).Duplicate(x => x.Band)
            .Duplicate(x => x.Rank, configure: SortIndex.On(Sorts, "rank"))
            .Duplicate(x => x.Total, configure: SortIndex.On(Sorts, "total"));

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
