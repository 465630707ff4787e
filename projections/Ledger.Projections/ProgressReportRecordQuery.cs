using System.Linq.Expressions;
using Ledger.Projections.Querying;
using Marten.Schema;

namespace Ledger.Projections;

/// <summary>One commitment's progress reports (GET /api/commitments/{id}/reports): their filter, sort key and indexed columns.</summary>
public static class ProgressReportRecordQuery
{
    public static readonly IReadOnlyList<string> Filters = ["period"];

    public static readonly IReadOnlyList<SortKey<ProgressReportRecord>> Sorts =
    [
        // The order the reports were made in ("-version": the latest first).
        new("version", "stream_version", SortValues.Integer, x => SortValues.Number(x.StreamVersion)),
    ];

    /// <summary>
    /// Called by Marten when it maps the document (see <see cref="ProgressReportRecord.ConfigureMarten"/>): the
    /// commitment, the stream version and the period duplicated, and one index over the commitment, the
    /// version and the id that breaks ties (not one a column), so that a page of one commitment's reports is
    /// read in index order however many it has, and a report's write keeps one index beside the key.
    /// </summary>
    internal static void Configure(DocumentMapping<ProgressReportRecord> mapping)
    {
        mapping.Duplicate(x => x.CommitmentId);
        mapping.Duplicate(x => x.StreamVersion);
        mapping.Duplicate(x => x.Period);
        SortIndex.OnlyComposite(mapping, "commitment_id", "stream_version", "id");
    }

    public static CheckedView<ProgressReportRecord> Check(string commitmentId, ViewRequest request)
    {
        var q = ViewQuery.For(request, Filters);
        var where = new List<Expression<Func<ProgressReportRecord, bool>>> { x => x.CommitmentId == commitmentId };
        if (q.Text("period") is { } period) where.Add(x => x.Period == period);
        return q.Check(where, Sorts, x => x.Id);
    }
}
