using Marten.Schema;

namespace Ledger.Projections.Querying;

/// <summary>
/// The index a view's sort key reads: the key's own expression, then the id. A page is the first rows
/// of <c>order by key, id</c> after the cursor's <c>(key, id)</c>, so with both columns in the index
/// PostgreSQL reads it in the index's order (backward for descending) and starts at the cursor's row:
/// no sort of the table, nor of a run of equal keys (most commitments share a progress of 0, ⅓, ⅔
/// or 1, and have no open rectification).
/// </summary>
public static class SortIndex
{
    /// <summary>
    /// Configures a duplicated column's index, under the name Marten gives it, as the sort key
    /// <paramref name="name"/>'s: on the key's SQL, then the id. The key's SQL must be the column or an
    /// expression over it that Marten reads back from PostgreSQL as the same (a constant cast as
    /// <c>cast('-1' as numeric)</c>, which PostgreSQL shows as <c>'-1'::numeric</c>), or every setup
    /// would drop the index and build it again.
    /// </summary>
    public static Action<DocumentIndex> On<T>(IReadOnlyList<SortKey<T>> sorts, string name)
    {
        var sort = sorts.Single(s => s.Name == name);
        // A Marten index's columns are the duplicated column alone; its mask is what the DDL writes
        // in their place ("?" for the column), so the key's expression and the id go there.
        return index => index.Mask = $"{sort.Sql}, id";
    }

    /// <summary>
    /// Replaces the single-column indexes Marten gives a document's duplicated columns by one index over
    /// <paramref name="columns"/>: for documents read a page at a time within one parent (a commitment's
    /// reports or acts), in index order however many there are, while a write keeps one index beside the key.
    /// </summary>
    public static void OnlyComposite<T>(DocumentMapping<T> mapping, params string[] columns)
    {
        foreach (var single in mapping.Indexes.OfType<DocumentIndex>().Where(i => i.Columns is { Length: 1 }).ToList())
            mapping.Indexes.Remove(single);
        mapping.Indexes.Add(new DocumentIndex(mapping, columns));
    }
}
