using System.Linq.Expressions;
using Ledger.Projections.Querying;
using Marten;

namespace Ledger.Projections.Supervision;

/// <summary>The roll-up per task area, province or prefecture (GET /api/supervision/areas): its filter and sort keys.</summary>
public static class AreaSummaryQuery
{
    public static readonly IReadOnlyList<string> Filters = ["scope"];

    public static readonly IReadOnlyList<string> Scopes = ["taskArea", "province", "prefecture"];

    public static readonly IReadOnlyList<SortKey<AreaSummary>> Sorts =
    [
        new("id", "id", SortValues.Text, x => x.Id),
        new("progress", "progress", SortValues.Numeric, x => SortValues.Number(x.Progress)),
        new("overdueItems", "overdue_items", SortValues.Integer, x => SortValues.Number(x.OverdueItems)),
    ];

    /// <summary>The column the filter reads, and each sort key's index (<see cref="SortIndex"/>), duplicated from the document.</summary>
    public static void Index(StoreOptions opts) =>
        opts.Schema.For<AreaSummary>().Identity(x => x.Id)
            .Duplicate(x => x.Scope)
            .Duplicate(x => x.Progress, configure: SortIndex.On(Sorts, "progress"))
            .Duplicate(x => x.OverdueItems, configure: SortIndex.On(Sorts, "overdueItems"));

    public static CheckedView<AreaSummary> Check(ViewRequest request)
    {
        var q = ViewQuery.For(request, Filters);
        var where = new List<Expression<Func<AreaSummary, bool>>>();
        if (q.OneOf("scope", [.. Scopes]) is { } scope) where.Add(x => x.Scope == scope);
        return q.Check(where, Sorts, x => x.Id);
    }
}
