using System.Linq.Expressions;
using Ledger.Contracts;
using Ledger.Projections.Querying;
using Marten;

namespace Ledger.Projections.Supervision;

/// <summary>A rectification order with whether it is past its due date today, and by how many days.</summary>
public sealed record RectificationEntry(RectificationTrack Rectification, bool PastDue, int DaysPastDue, string GovernmentName);

/// <summary>The rectification tracker (GET /api/supervision/rectifications, the console's /rectifications): its filters, sort keys and rows.</summary>
public static class RectificationTrackQuery
{
    public static readonly IReadOnlyList<string> Filters = ["province", "prefecture", "government", "agreement", "taskArea", "status", "open", "period"];

    public static readonly IReadOnlyList<SortKey<RectificationTrack>> Sorts =
    [
        new("dueOn", "due_on", SortValues.Date, x => SortValues.Day(x.DueOn)),
        new("orderedAt", "ordered_at", SortValues.Timestamp, x => SortValues.Moment(x.OrderedAt)),
    ];

    /// <summary>The columns the filters read, and each sort key's index (<see cref="SortIndex"/>), duplicated from the document.</summary>
    public static void Index(StoreOptions opts) =>
        opts.Schema.For<RectificationTrack>().Identity(x => x.Id)
            .Duplicate(x => x.CommitmentId).Duplicate(x => x.AgreementId).Duplicate(x => x.TaskArea).Duplicate(x => x.GovernmentId)
            .Duplicate(x => x.Province).Duplicate(x => x.Prefecture).Duplicate(x => x.Status)
            .Duplicate(x => x.DueOn, configure: SortIndex.On(Sorts, "dueOn"))
            .Duplicate(x => x.OrderedAt, configure: SortIndex.On(Sorts, "orderedAt"));

    public static CheckedView<RectificationTrack> Check(ViewRequest request)
    {
        var q = ViewQuery.For(request, Filters);
        var where = new List<Expression<Func<RectificationTrack, bool>>>();
        if (q.Enum<Province>("province") is { } province) where.Add(x => x.Province == province);
        if (q.Text("prefecture") is { } prefecture) where.Add(x => x.Prefecture == prefecture);
        if (q.Text("government") is { } government) where.Add(x => x.GovernmentId == government);
        if (q.Text("agreement") is { } agreement) where.Add(x => x.AgreementId == agreement);
        if (q.Enum<TaskArea>("taskArea") is { } area) where.Add(x => x.TaskArea == area);
        if (q.Enum<RectificationStatus>("status") is { } status) where.Add(x => x.Status == status);
        if (q.Flag("open") is { } open) where.Add(x => x.Open == open);
        if (q.Period() is { } period) where.Add(x => x.DueOn >= period.From && x.DueOn <= period.To);
        return q.Check(where, Sorts, x => x.Id);
    }

    /// <summary>One page of the tracker as of <paramref name="today"/> (the zone's date): an open order past its due date is late by the days since.</summary>
    public static async Task<ViewPage<RectificationEntry>> ReadAsync(this CheckedView<RectificationTrack> view, IQuerySession session, DateOnly today, CancellationToken ct)
    {
        var page = await view.PageAsync(session, ct);
        var names = await GovernmentComplianceQuery.NamesAsync(session, page.Items.Select(i => i.GovernmentId), ct);
        return new ViewPage<RectificationEntry>([.. page.Items.Select(r =>
        {
            var late = r.Open ? Math.Max(0, today.DayNumber - r.DueOn.DayNumber) : 0;
            return new RectificationEntry(r, late > 0, late, names.GetValueOrDefault(r.GovernmentId, ""));
        })], page.Next);
    }
}
