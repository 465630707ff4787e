using JasperFx.Events;
using Ledger.Contracts;
using Marten;
using Npgsql;

namespace Ledger.Infrastructure.Store;

/// <summary>
/// Events read straight from <c>mt_events</c>, for the paths that fold many of them without Marten's own
/// event loading (the import's records, the views' own rebuild): the columns a fold reads, in the order
/// <see cref="Columns"/> names them, with the data read as the store reads it.
/// </summary>
public static class RawEvents
{
    /// <summary>The columns <see cref="Read"/> expects, in this order.</summary>
    public const string Columns = "seq_id, id, stream_id, version, type, timestamp, data";

    /// <summary>The tenant column's value for a store without tenancy, as Marten writes it.</summary>
    public const string DefaultTenant = "*DEFAULT*";

    /// <summary>The event on the reader's current row; a retired shape keeps its stored name and is read as the current shape.</summary>
    public static IEvent Read(NpgsqlDataReader reader, ISerializer serializer, IDocumentSession session)
    {
        var name = reader.GetString(4);
        var e = session.Events.BuildEvent(EventNames.Current(serializer.FromJson(EventNames.TypesByName[name], reader, 6)));
        e.EventTypeName = name;
        e.Sequence = reader.GetInt64(0);
        e.Id = reader.GetGuid(1);
        e.StreamKey = reader.GetString(2);
        e.Version = reader.GetInt64(3);
        e.Timestamp = reader.GetFieldValue<DateTimeOffset>(5);
        e.TenantId = DefaultTenant;
        return e;
    }
}
