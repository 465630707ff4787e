using System.Linq.Expressions;
using Ledger.Contracts;
using Ledger.Projections.Querying;
using Marten;

namespace Ledger.Projections;

/// <summary>One line of the agreement list, its parties named; the full agreement is at /api/agreements/{id}.</summary>
public sealed record AgreementSummary(
    string AgreementId, string Title, TaskArea TaskArea, string Status, DateOnly TermStart, DateOnly TermEnd,
    DateTimeOffset? ActivatedAt, IReadOnlyList<NamedParty> Parties, int Amendments, long Version);

/// <summary>A party to an agreement with its government's names (empty when the registry does not hold the code).</summary>
public sealed record NamedParty(string GovernmentId, string NameZh, string NameEn, PartyRole Role, DateOnly? SignedOn);

/// <summary>The agreements (GET /api/agreements): their filters, sort keys, indexed columns and rows.</summary>
public static class AgreementViewQuery
{
    public static readonly IReadOnlyList<string> Filters = ["taskArea", "status", "government", "period"];

    public static readonly IReadOnlyList<string> Statuses = ["Drafted", "Active", "Terminated"];

    public static readonly IReadOnlyList<SortKey<AgreementView>> Sorts =
    [
        // The stream key ("agreement/xgb-2021-a01") orders as the agreement id does: the primary key's index.
        new("agreementId", "id", SortValues.Text, x => x.Id),
        new("termStart", "term_start", SortValues.Date, x => SortValues.Day(x.TermStart)),
        new("termEnd", "term_end", SortValues.Date, x => SortValues.Day(x.TermEnd)),
    ];

    /// <summary>The columns the filters and sorts read, duplicated from the document and indexed.</summary>
    public static void Index(StoreOptions opts) =>
        opts.Schema.For<AgreementView>().Identity(x => x.Id)
            .Duplicate(x => x.TaskArea).Duplicate(x => x.Status).Duplicate(x => x.TermStart).Duplicate(x => x.TermEnd);

    public static CheckedView<AgreementView> Check(ViewRequest request)
    {
        var q = ViewQuery.For(request, Filters);
        var where = new List<Expression<Func<AgreementView, bool>>>();
        if (q.Enum<TaskArea>("taskArea") is { } area) where.Add(x => x.TaskArea == area);
        if (q.OneOf("status", [.. Statuses]) is { } status) where.Add(x => x.Status == status);
        if (q.Text("government") is { } government) where.Add(x => x.Parties.Any(p => p.GovernmentId == government));
        // In force at some time in the period: the term overlaps it.
        if (q.Period() is { } period) where.Add(x => x.TermStart <= period.To && x.TermEnd >= period.From);
        return q.Check(where, Sorts, x => x.Id);
    }

    /// <summary>One page of agreements with each party's names from the registry.</summary>
    public static async Task<ViewPage<AgreementSummary>> ReadAsync(this CheckedView<AgreementView> view, IQuerySession session, CancellationToken ct)
    {
        var page = await view.PageAsync(session, ct);
        var names = await GovernmentViewQuery.NamesAsync(session, page.Items.SelectMany(a => a.Parties.Select(p => p.GovernmentId)), ct);
        return new ViewPage<AgreementSummary>([.. page.Items.Select(a => new AgreementSummary(
            a.AgreementId, a.Title, a.TaskArea, a.Status, a.TermStart, a.TermEnd, a.ActivatedAt,
            [.. a.Parties.Select(p => names.TryGetValue(p.GovernmentId, out var name)
                ? new NamedParty(p.GovernmentId, name.NameZh, name.NameEn, p.Role, p.SignedOn)
                : new NamedParty(p.GovernmentId, "", "", p.Role, p.SignedOn))],
            a.Amendments.Count, a.Version))], page.Next);
    }
}
