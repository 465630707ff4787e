using System.Linq.Expressions;
using Ledger.Projections.Querying;
using Marten.Schema;

namespace Ledger.Projections;

/// <summary>One commitment's acts of one kind (GET /api/commitments/{id}/evidence, /claims, …): their filter, sort key and indexed columns.</summary>
public static class CommitmentActRecordQuery
{
    /// <summary>open=true: the claims, orders and escalations still open; open=false: those closed.</summary>
    public static readonly IReadOnlyList<string> Filters = ["open"];

    public static readonly IReadOnlyList<SortKey<CommitmentActRecord>> Sorts =
    [
        // The order the acts were made in ("-version": the latest first).
        new("version", "stream_version", SortValues.Integer, x => SortValues.Number(x.StreamVersion)),
    ];

    /// <summary>
    /// Called by Marten when it maps the document (see <see cref="CommitmentActRecord.ConfigureMarten"/>): the
    /// commitment, kind, stream version and whether it is open duplicated, and one index over the commitment,
    /// the kind, the version and the id that breaks ties, so that a page of one commitment's acts of one kind is
    /// read in index order however many it has, and an act's write keeps one index beside the key.
    /// </summary>
    internal static void Configure(DocumentMapping<CommitmentActRecord> mapping)
    {
        mapping.Duplicate(x => x.CommitmentId);
        mapping.Duplicate(x => x.Kind);
        mapping.Duplicate(x => x.StreamVersion);
        mapping.Duplicate(x => x.Open);
        SortIndex.OnlyComposite(mapping, "commitment_id", "kind", "stream_version", "id");
    }

    public static CheckedView<CommitmentActRecord> Check(string commitmentId, string kind, ViewRequest request)
    {
        var q = ViewQuery.For(request, Filters);
        var where = new List<Expression<Func<CommitmentActRecord, bool>>> { x => x.CommitmentId == commitmentId, x => x.Kind == kind };
        if (q.Flag("open") is { } open) where.Add(x => x.Open == open);
        return q.Check(where, Sorts, x => x.Id);
    }
}
