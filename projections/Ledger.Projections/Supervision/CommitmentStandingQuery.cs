using System.Linq.Expressions;
using Ledger.Contracts;
using Ledger.Projections.Querying;
using Marten;

namespace Ledger.Projections.Supervision;

/// <summary>Where each commitment stands (GET /api/supervision/commitments): its filters and sort keys.</summary>
public static class CommitmentStandingQuery
{
    public static readonly IReadOnlyList<string> Filters = ["province", "prefecture", "government", "agreement", "taskArea", "status", "colour", "period"];

    public static readonly IReadOnlyList<string> Statuses =
        [StandingStatus.Draft, StandingStatus.Active, StandingStatus.FulfilmentClaimed, StandingStatus.Fulfilled, StandingStatus.Suspended, StandingStatus.Withdrawn];

    public static readonly IReadOnlyList<SortKey<CommitmentStanding>> Sorts =
    [
        new("commitmentId", "id", SortValues.Text, x => x.Id),
        new("deadline", "deadline", SortValues.Date, x => SortValues.Day(x.Deadline)),
        // Nothing overdue sorts after every date (last ascending, first descending).
        new("overdueSince", "coalesce(overdue_since, cast('9999-12-31' as date))", SortValues.Date, x => x.OverdueSince is { } d ? SortValues.Day(d) : "9999-12-31"),
        new("progress", "progress", SortValues.Numeric, x => SortValues.Number(x.Progress)),
        new("openRectifications", "open_rectifications", SortValues.Integer, x => SortValues.Number(x.OpenRectifications)),
    ];

    /// <summary>The columns the filters read, and each sort key's index (<see cref="SortIndex"/>), duplicated from the document.</summary>
    public static void Index(StoreOptions opts) =>
        opts.Schema.For<CommitmentStanding>().Identity(x => x.Id)
            .Duplicate(x => x.AgreementId).Duplicate(x => x.TaskArea).Duplicate(x => x.LeadGovernmentId)
            .Duplicate(x => x.LeadProvince).Duplicate(x => x.LeadPrefecture).Duplicate(x => x.Status).Duplicate(x => x.Rag)
            .Duplicate(x => x.Deadline, configure: SortIndex.On(Sorts, "deadline"))
            .Duplicate(x => x.OverdueSince!, configure: SortIndex.On(Sorts, "overdueSince"))
            .Duplicate(x => x.Progress, configure: SortIndex.On(Sorts, "progress"))
            .Duplicate(x => x.OpenRectifications, configure: SortIndex.On(Sorts, "openRectifications"));

    public static CheckedView<CommitmentStanding> Check(ViewRequest request)
    {
        var q = ViewQuery.For(request, Filters);
        var where = new List<Expression<Func<CommitmentStanding, bool>>>();
        if (q.Enum<Province>("province") is { } province) where.Add(x => x.LeadProvince == province);
        if (q.Text("prefecture") is { } prefecture) where.Add(x => x.LeadPrefecture == prefecture);
        if (q.Text("government") is { } government) where.Add(x => x.Participants.Contains(government));
        if (q.Text("agreement") is { } agreement) where.Add(x => x.AgreementId == agreement);
        if (q.Enum<TaskArea>("taskArea") is { } area) where.Add(x => x.TaskArea == area);
        if (q.OneOf("status", [.. Statuses]) is { } status) where.Add(x => x.Status == status);
        if (q.Enum<Rag>("colour") is { } colour) where.Add(x => x.Rag == colour);
        if (q.Period() is { } period) where.Add(x => x.Deadline >= period.From && x.Deadline <= period.To);
        return q.Check(where, Sorts, x => x.Id);
    }
}
