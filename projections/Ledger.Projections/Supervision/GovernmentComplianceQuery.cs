using System.Linq.Expressions;
using Ledger.Contracts;
using Ledger.Projections.Querying;
using Marten;

namespace Ledger.Projections.Supervision;

/// <summary>Compliance per government (GET /api/supervision/governments): its filters and sort keys.</summary>
public static class GovernmentComplianceQuery
{
    public static readonly IReadOnlyList<string> Filters = ["province", "prefecture", "government", "colour"];

    public static readonly IReadOnlyList<SortKey<GovernmentCompliance>> Sorts =
    [
        new("governmentId", "id", SortValues.Text, x => x.Id),
        // No rate while nothing has fallen due: it sorts as -1, below every rate.
        new("onTimeRate", "coalesce(on_time_rate, cast('-1' as numeric))", SortValues.Numeric, x => SortValues.Number(x.OnTimeRate ?? -1)),
        new("overdueItems", "overdue_items", SortValues.Integer, x => SortValues.Number(x.OverdueItems)),
        new("openRectifications", "open_rectifications", SortValues.Integer, x => SortValues.Number(x.OpenRectifications)),
    ];

    /// <summary>The columns the filters read, and each sort key's index (<see cref="SortIndex"/>), duplicated from the document.</summary>
    public static void Index(StoreOptions opts) =>
        opts.Schema.For<GovernmentCompliance>().Identity(x => x.Id)
            .Duplicate(x => x.Province).Duplicate(x => x.Prefecture).Duplicate(x => x.Rag)
            .Duplicate(x => x.OverdueItems, configure: SortIndex.On(Sorts, "overdueItems"))
            .Duplicate(x => x.OnTimeRate!, configure: SortIndex.On(Sorts, "onTimeRate"))
            .Duplicate(x => x.OpenRectifications, configure: SortIndex.On(Sorts, "openRectifications"));

    public static CheckedView<GovernmentCompliance> Check(ViewRequest request)
    {
        var q = ViewQuery.For(request, Filters);
        var where = new List<Expression<Func<GovernmentCompliance, bool>>>();
        if (q.Enum<Province>("province") is { } province) where.Add(x => x.Province == province);
        if (q.Text("prefecture") is { } prefecture) where.Add(x => x.Prefecture == prefecture);
        if (q.Text("government") is { } government) where.Add(x => x.Id == government);
        if (q.Enum<Rag>("colour") is { } colour) where.Add(x => x.Rag == colour);
        return q.Check(where, Sorts, x => x.Id);
    }

    /// <summary>The governments' names as the API's rows carry them ("浏阳市 Liuyang"), by division code.</summary>
    public static async Task<Dictionary<string, string>> NamesAsync(IQuerySession session, IEnumerable<string> governmentIds, CancellationToken ct)
    {
        var ids = governmentIds.Distinct().ToArray();
        if (ids.Length == 0) return [];
        var governments = await session.LoadManyAsync<GovernmentCompliance>(ct, ids);
        return governments.ToDictionary(g => g.Id, g => $"{g.NameZh} {g.NameEn}");
    }
}
