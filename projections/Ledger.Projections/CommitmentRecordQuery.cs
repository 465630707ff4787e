using System.Linq.Expressions;
using Ledger.Projections.Querying;
using Ledger.Projections.Supervision;
using Marten;

namespace Ledger.Projections;

/// <summary>One line of the commitment list, its lead government named; the full record is at /api/commitments/{id}.</summary>
public sealed record CommitmentSummary(
    string CommitmentId, string AgreementId, string LeadGovernmentId, string LeadGovernmentNameZh, string LeadGovernmentNameEn,
    string Title, string Status, DateOnly Deadline, long Version);

/// <summary>The commitments (GET /api/commitments): their filters, sort keys, indexed columns and rows.</summary>
public static class CommitmentRecordQuery
{
    public static readonly IReadOnlyList<string> Filters = ["agreement", "government", "status", "period"];

    public static readonly IReadOnlyList<SortKey<CommitmentRecord>> Sorts =
    [
        // The stream key ("commitment/a01-water-class-iii") orders as the commitment id does: the primary key's index.
        new("commitmentId", "id", SortValues.Text, x => x.Id),
        new("agreementId", "agreement_id", SortValues.Text, x => x.AgreementId),
        new("deadline", "deadline", SortValues.Date, x => SortValues.Day(x.Deadline)),
    ];

    /// <summary>The columns the filters and sorts read, duplicated from the document and indexed.</summary>
    public static void Index(StoreOptions opts) =>
        opts.Schema.For<CommitmentRecord>().Identity(x => x.Id)
            .Duplicate(x => x.AgreementId).Duplicate(x => x.LeadGovernmentId).Duplicate(x => x.Status).Duplicate(x => x.Deadline);

    // A record carries its lifecycle, indicators, latest reports and supervisory acts (a few kilobytes):
    // PostgreSQL sends, and the API deserialises, only the fields a line shows and the sort keys and id
    // the cursor is made of.
    private static readonly Expression<Func<CommitmentRecord, CommitmentRecord>> Line = x => new CommitmentRecord
    {
        Id = x.Id,
        CommitmentId = x.CommitmentId,
        AgreementId = x.AgreementId,
        LeadGovernmentId = x.LeadGovernmentId,
        Title = x.Title,
        Status = x.Status,
        Deadline = x.Deadline,
        Version = x.Version,
    };

    public static CheckedView<CommitmentRecord> Check(ViewRequest request)
    {
        var q = ViewQuery.For(request, Filters);
        var where = new List<Expression<Func<CommitmentRecord, bool>>>();
        if (q.Text("agreement") is { } agreement) where.Add(x => x.AgreementId == agreement);
        // A participant, as in the supervision views: the lead or a contributor.
        if (q.Text("government") is { } government)
            where.Add(x => x.LeadGovernmentId == government || x.Contributors.Any(c => c.GovernmentId == government));
        if (q.OneOf("status", [.. CommitmentStandingQuery.Statuses]) is { } status) where.Add(x => x.Status == status);
        if (q.Period() is { } period) where.Add(x => x.Deadline >= period.From && x.Deadline <= period.To);
        return q.Check(where, Sorts, x => x.Id, Line);
    }

    /// <summary>One page of commitments with the lead government's names from the registry.</summary>
    public static async Task<ViewPage<CommitmentSummary>> ReadAsync(this CheckedView<CommitmentRecord> view, IQuerySession session, CancellationToken ct)
    {
        var page = await view.PageAsync(session, ct);
        var names = await GovernmentViewQuery.NamesAsync(session, page.Items.Select(c => c.LeadGovernmentId), ct);
        return new ViewPage<CommitmentSummary>([.. page.Items.Select(c =>
        {
            var name = names.GetValueOrDefault(c.LeadGovernmentId) ?? new GovernmentName("", "");
            return new CommitmentSummary(c.CommitmentId, c.AgreementId, c.LeadGovernmentId, name.NameZh, name.NameEn, c.Title, c.Status, c.Deadline, c.Version);
        })], page.Next);
    }
}
