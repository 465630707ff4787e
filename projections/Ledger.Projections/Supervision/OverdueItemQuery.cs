using System.Linq.Expressions;
using Ledger.Contracts;
using Ledger.Projections.Querying;
using Marten;

namespace Ledger.Projections.Supervision;

/// <summary>An overdue deadline or milestone with the days it is overdue today and the name of the government that leads it.</summary>
public sealed record OverdueEntry(OverdueItem Item, int DaysOverdue, string LeadGovernmentName);

/// <summary>The overdue queue (GET /api/supervision/overdue, the console's /overdue): its filters, sort keys and rows.</summary>
public static class OverdueItemQuery
{
    public static readonly IReadOnlyList<string> Filters = ["province", "prefecture", "government", "agreement", "taskArea", "kind", "period"];

    public static readonly IReadOnlyList<SortKey<OverdueItem>> Sorts =
    [
        // Earliest due first: the most days overdue at the top of the queue.
        new("dueOn", "due_on", SortValues.Date, x => SortValues.Day(x.DueOn)),
        new("commitmentId", "commitment_id", SortValues.Text, x => x.CommitmentId),
    ];

    /// <summary>The columns the filters read, and each sort key's index (<see cref="SortIndex"/>), duplicated from the document.</summary>
    public static void Index(StoreOptions opts) =>
        opts.Schema.For<OverdueItem>().Identity(x => x.Id)
            .Duplicate(x => x.DueOn, configure: SortIndex.On(Sorts, "dueOn"))
            .Duplicate(x => x.CommitmentId, configure: SortIndex.On(Sorts, "commitmentId"))
            .Duplicate(x => x.AgreementId).Duplicate(x => x.TaskArea).Duplicate(x => x.LeadGovernmentId)
            .Duplicate(x => x.LeadProvince).Duplicate(x => x.LeadPrefecture).Duplicate(x => x.Kind);

    public static CheckedView<OverdueItem> Check(ViewRequest request)
    {
        var q = ViewQuery.For(request, Filters);
        var where = new List<Expression<Func<OverdueItem, bool>>>();
        if (q.Enum<Province>("province") is { } province) where.Add(x => x.LeadProvince == province);
        if (q.Text("prefecture") is { } prefecture) where.Add(x => x.LeadPrefecture == prefecture);
        if (q.Text("government") is { } government) where.Add(x => x.LeadGovernmentId == government);
        if (q.Text("agreement") is { } agreement) where.Add(x => x.AgreementId == agreement);
        if (q.Enum<TaskArea>("taskArea") is { } area) where.Add(x => x.TaskArea == area);
        if (q.Enum<DueKind>("kind") is { } kind) where.Add(x => x.Kind == kind);
        if (q.Period() is { } period) where.Add(x => x.DueOn >= period.From && x.DueOn <= period.To);
        return q.Check(where, Sorts, x => x.Id);
    }

    /// <summary>One page of the queue as of <paramref name="today"/> (the zone's date): days overdue are counted when read.</summary>
    public static async Task<ViewPage<OverdueEntry>> ReadAsync(this CheckedView<OverdueItem> view, IQuerySession session, DateOnly today, CancellationToken ct)
    {
        var page = await view.PageAsync(session, ct);
        var names = await GovernmentComplianceQuery.NamesAsync(session, page.Items.Select(i => i.LeadGovernmentId), ct);
        return new ViewPage<OverdueEntry>(
            [.. page.Items.Select(i => new OverdueEntry(i, today.DayNumber - i.DueOn.DayNumber, names.GetValueOrDefault(i.LeadGovernmentId, "")))],
            page.Next);
    }
}
