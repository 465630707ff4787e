using Ledger.Projections;
using Marten;
using Npgsql;

namespace Ledger.Infrastructure.Store;

/// <summary>
/// Read models written in an older shape: a commitment record or a supervision standing without its
/// <c>lifecycle</c> (it would fold its next event from an empty lifecycle), and a record that still holds
/// every report and field version instead of a count and the latest few (<c>reportCount</c>; its reports
/// were not yet documents of their own), or every act (<c>evidenceCount</c>; its evidence, claims, assessments,
/// orders and escalations were not yet documents of their own). Each is rewritten from the events first: the
/// records with their report and act documents one stream at a time, the supervision views by a rebuild.
/// </summary>
public static class ReadModelUpgrade
{
    public sealed record Staleness(long Records, long Standings)
    {
        public bool Any => Records > 0 || Standings > 0;
    }

    public static async Task<Staleness> FindAsync(DocumentStore store, string schema, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        return new Staleness(
            await CountAsync(connection, schema, "mt_doc_commitmentrecord", StaleRecord, ct),
            await CountAsync(connection, schema, "mt_doc_commitmentstanding", "not (data ? 'lifecycle')", ct));
    }

    /// <summary>A record of an older shape: without a lifecycle, its report count, or its count of evidence (its acts were not yet documents of their own).</summary>
    private const string StaleRecord = "not (data ? 'lifecycle') or not (data ? 'reportCount') or not (data ? 'evidenceCount')";

    /// <summary>
    /// Rewrites each commitment record, and its report documents, from its stream through their own
    /// projections; with <paramref name="staleOnly"/>, only those of an older shape. Returns how many were written.
    /// </summary>
    public static async Task<int> RebuildRecordsAsync(DocumentStore store, string schema, bool staleOnly, IProgress<(int Done, int Total)>? progress, CancellationToken ct)
    {
        var ids = await RecordIdsAsync(store, schema, staleOnly, ct);
        var done = 0;
        foreach (var batch in ids.Chunk(200))
        {
            await using var session = store.LightweightSession();
            foreach (var id in batch)
            {
                var events = await session.Events.FetchStreamAsync(id, token: ct);
                if (await store.Options.Projections.AggregatorFor<CommitmentRecord>().BuildAsync(events, session, null, ct) is { } record)
                    session.Store(record);
                foreach (var report in ProgressReportRecord.Fold(events)) session.Store(report);
                foreach (var act in CommitmentActRecord.Fold(events)) session.Store(act);
            }
            await session.SaveChangesAsync(ct);
            done += batch.Length;
            progress?.Report((done, ids.Count));
        }
        return ids.Count;
    }

    private static async Task<IReadOnlyList<string>> RecordIdsAsync(DocumentStore store, string schema, bool staleOnly, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        var sql = staleOnly
            ? $"select id from \"{schema}\".mt_doc_commitmentrecord where {StaleRecord} order by id"
            : $"select id from \"{schema}\".mt_streams where id like 'commitment/%' order by id";
        await using var command = new NpgsqlCommand(sql, connection);
        var ids = new List<string>();
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // A ledger that has never written a commitment has no such table yet: nothing to rewrite.
        }
        return ids;
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, string schema, string table, string stale, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select count(*) from \"{schema}\".{table} where {stale}", connection);
        try
        {
            return (long)(await command.ExecuteScalarAsync(ct))!;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0;
        }
    }
}
