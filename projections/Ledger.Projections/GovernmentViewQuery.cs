using System.Linq.Expressions;
using Ledger.Contracts;
using Ledger.Projections.Querying;
using Marten;

namespace Ledger.Projections;

/// <summary>A government's names, as the lists give them beside its division code.</summary>
public sealed record GovernmentName(string NameZh, string NameEn);

/// <summary>The registered governments (GET /api/governments): their filters, sort keys and indexed columns.</summary>
public static class GovernmentViewQuery
{
    public static readonly IReadOnlyList<string> Filters = ["province", "prefecture", "level"];

    public static readonly IReadOnlyList<SortKey<GovernmentView>> Sorts =
    [
        // The stream key ("government/430181") orders as the division code does: the primary key's index.
        new("governmentId", "id", SortValues.Text, x => x.Id),
        new("nameEn", "name_en", SortValues.Text, x => x.NameEn),
    ];

    /// <summary>The columns the filters and sorts read, duplicated from the document and indexed.</summary>
    public static void Index(StoreOptions opts) =>
        opts.Schema.For<GovernmentView>().Identity(x => x.Id)
            .Duplicate(x => x.NameEn).Duplicate(x => x.Province).Duplicate(x => x.Prefecture).Duplicate(x => x.Level);

    public static CheckedView<GovernmentView> Check(ViewRequest request)
    {
        var q = ViewQuery.For(request, Filters);
        var where = new List<Expression<Func<GovernmentView, bool>>>();
        if (q.Enum<Province>("province") is { } province) where.Add(x => x.Province == province);
        if (q.Text("prefecture") is { } prefecture) where.Add(x => x.Prefecture == prefecture);
        if (q.Enum<GovernmentLevel>("level") is { } level) where.Add(x => x.Level == level);
        return q.Check(where, Sorts, x => x.Id);
    }

    /// <summary>
    /// The names of <paramref name="governmentIds"/> by division code, read from the registry (written
    /// inline, so a government registered a moment ago is named); a code the registry lacks is left out.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, GovernmentName>> NamesAsync(IQuerySession session, IEnumerable<string> governmentIds, CancellationToken ct)
    {
        var keys = governmentIds.Distinct(StringComparer.Ordinal).Select(StreamKeys.Government).ToArray();
        if (keys.Length == 0) return new Dictionary<string, GovernmentName>();
        var governments = await session.LoadManyAsync<GovernmentView>(ct, keys);
        return governments.ToDictionary(g => g.GovernmentId, g => new GovernmentName(g.NameZh, g.NameEn), StringComparer.Ordinal);
    }
}
