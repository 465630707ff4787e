using System.Linq.Expressions;
using Ledger.Contracts;
using Ledger.Projections.Querying;
using Marten;

namespace Ledger.Projections.Supervision;

/// <summary>Progress per agreement (GET /api/supervision/agreements): its filters and sort keys.</summary>
public static class AgreementProgressQuery
{
    public static readonly IReadOnlyList<string> Filters = ["agreement", "taskArea"];

    public static readonly IReadOnlyList<SortKey<AgreementProgress>> Sorts =
    [
        new("agreementId", "id", SortValues.Text, x => x.Id),
        new("progress", "progress", SortValues.Numeric, x => SortValues.Number(x.Progress)),
        new("overdueItems", "overdue_items", SortValues.Integer, x => SortValues.Number(x.OverdueItems)),
    ];

    /// <summary>The columns the filters read, and each sort key's index (<see cref="SortIndex"/>), duplicated from the document.</summary>
    public static void Index(StoreOptions opts) =>
        opts.Schema.For<AgreementProgress>().Identity(x => x.Id)
            .Duplicate(x => x.TaskArea)
            .Duplicate(x => x.Progress, configure: SortIndex.On(Sorts, "progress"))
            .Duplicate(x => x.OverdueItems, configure: SortIndex.On(Sorts, "overdueItems"));

    public static CheckedView<AgreementProgress> Check(ViewRequest request)
    {
        var q = ViewQuery.For(request, Filters);
        var where = new List<Expression<Func<AgreementProgress, bool>>>();
        if (q.Text("agreement") is { } agreement) where.Add(x => x.Id == agreement);
        if (q.Enum<TaskArea>("taskArea") is { } area) where.Add(x => x.TaskArea == area);
        return q.Check(where, Sorts, x => x.Id);
    }
}
