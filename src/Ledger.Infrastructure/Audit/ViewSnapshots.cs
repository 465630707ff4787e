using System.IO.Compression;
using System.Text;
using Ledger.Infrastructure.Store;
using Ledger.Projections.Supervision;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Infrastructure.Audit;

/// <summary>
/// The supervision documents as the fold held them after every event up to <see cref="Position"/> (a
/// multiple of the snapshot interval): where a replay of the views as they were starts instead of the
/// first event. <see cref="StampedUntil"/> is the latest time any of those events records, so a replay to
/// a time T may start here only when T is at or after it.
/// </summary>
public sealed record ViewSnapshot(long Position, long LastSequence, DateTimeOffset? LastTimestamp, DateTimeOffset? StampedUntil, long Events, SupervisionFold Fold);

/// <summary>
/// Snapshots of the supervision views' fold at multiples of the global sequence: a cache of work, never a
/// record. Each is made by replaying the log into the same fold the as-of replay runs, starting from the
/// previous snapshot, only over events the daemon's high-water mark has settled (no lower sequence can
/// still commit), so a replay from a snapshot folds exactly the events a replay from the first event
/// would. Each belongs to the code that made it (<see cref="FoldVersion"/>): a build whose fold or
/// documents differ neither reads nor extends another's, and <c>setup</c> removes them. The documents are
/// stored as gzip-compressed JSON lines, in the store's own serialisation. A snapshot that does not
/// match the events it claims to end at, or cannot be read, is passed over.
/// </summary>
public static class ViewSnapshots
{
    public const string Table = "ledger_view_snapshots";

    /// <summary>The default interval: a snapshot after every 100,000 events of the sequence.</summary>
    public const long DefaultEvery = 100_000;

    private static readonly IReadOnlyDictionary<string, Type> TypesByName = SupervisionFold.DocumentTypes.ToDictionary(t => t.Name);

    /// <summary>
    /// The code a snapshot was made by: the builds of the fold and its documents (Ledger.Projections) and of
    /// the lifecycle rules they fold with (Ledger.Domain). A deterministic build changes them only when
    /// that code changes.
    /// </summary>
    public static string FoldVersion { get; } = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(
        typeof(SupervisionFold).Assembly.ManifestModule.ModuleVersionId.ToString("N") + typeof(Ledger.Domain.Commitments.CommitmentLifecycle).Assembly.ManifestModule.ModuleVersionId.ToString("N"))))[..16];

    public static string Sql(string schema) => $"""
        create table if not exists "{schema}".{Table} (
            fold_version text not null,
            position bigint not null,
            last_sequence bigint not null,
            last_timestamp timestamptz,
            stamped_until timestamptz,
            events bigint not null,
            documents int not null,
            taken_at timestamptz not null,
            data bytea not null,
            primary key (fold_version, position));
        create index if not exists ledger_view_snapshots_stamped on "{schema}".{Table} (fold_version, stamped_until, position);
        """;

    public static Task EnsureAsync(NpgsqlDataSource dataSource, string schema, CancellationToken ct) =>
        SchemaGuards.EnsureAsync(dataSource, schema, "ledger-view-snapshots-schema", [Table], [], SchemaGuards.Schema(schema) + "\n" + Sql(schema), ct);

    /// <summary>Removes the snapshots other builds made (the owner's <c>setup</c> does); returns how many.</summary>
    public static async Task<int> PruneAsync(NpgsqlDataSource dataSource, string schema, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"delete from \"{schema}\".{Table} where fold_version <> $1");
        command.Parameters.Add(new NpgsqlParameter { Value = FoldVersion });
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The latest snapshot a replay to <paramref name="at"/> (every event stamped at or before it) or to
    /// sequence <paramref name="position"/> may start from; null when none may (or none is taken yet).
    /// </summary>
    public static async Task<ViewSnapshot?> NearestAsync(IQuerySession session, DateTimeOffset? at, long? position, CancellationToken ct)
    {
        await using var connection = session.Database.CreateConnection();
        await connection.OpenAsync(ct);
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        // This build's, and consistent with the events it claims to end at: its last event is there with its
        // time, no event lies between it and the snapshot's position, and that position has been reached.
        await using var command = new NpgsqlCommand(
            $"""
            select s.position, s.last_sequence, s.last_timestamp, s.stamped_until, s.events, s.data from "{schema}".{Table} s
            where s.fold_version = @version
              and (@position::bigint is null or s.position <= @position) and (@at::timestamptz is null or s.stamped_until <= @at)
              and s.last_sequence <= s.position
              and (s.last_sequence = 0 or exists (select 1 from "{schema}".mt_events e where e.seq_id = s.last_sequence and e.timestamp = s.last_timestamp))
              and not exists (select 1 from "{schema}".mt_events e where e.seq_id > s.last_sequence and e.seq_id <= s.position)
              and s.position <= (select coalesce(max(seq_id), 0) from "{schema}".mt_events)
            order by s.position desc limit 1
            """, connection);
        command.Parameters.AddWithValue("version", FoldVersion);
        command.Parameters.Add(new NpgsqlParameter("position", NpgsqlDbType.Bigint) { Value = (object?)position ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = (object?)at?.ToUniversalTime() ?? DBNull.Value });
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) return null;
            var documents = Read(session.DocumentStore.Options.Serializer(), await reader.GetFieldValueAsync<byte[]>(5, ct));
            return new ViewSnapshot(reader.GetInt64(0), reader.GetInt64(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetInt64(4), SupervisionFold.FromDocuments(documents));
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn)
        {
            return null; // A ledger whose schema predates snapshots (or this shape of them): the replay starts from the first event.
        }
        catch (Exception ex) when (ex is InvalidDataException or KeyNotFoundException or ArgumentException or System.Text.Json.JsonException)
        {
            return null; // Unreadable (damaged, or of a document this build does not know): the replay starts from the first event.
        }
    }

    /// <summary>
    /// Takes every snapshot due since the latest one, up to the daemon's high-water mark or the views' shard
    /// position, whichever is further (the sequence below which no event can still commit): one at each multiple of
    /// <paramref name="every"/>. One node at a time per ledger
    /// (an advisory lock); another that finds the lock held returns at once. Returns the positions taken.
    /// </summary>
    public static async Task<IReadOnlyList<long>> ExtendAsync(IDocumentStore store, long every, IProgress<long>? progress, CancellationToken ct)
    {
        if (every < 1) throw new ArgumentOutOfRangeException(nameof(every), "The snapshot interval is a number of events, 1 or more.");
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var session = store.QuerySession();
        await using var connection = session.Database.CreateConnection();
        await connection.OpenAsync(ct);
        // One lock per ledger: the schema is in its key.
        var lockKey = $"hashtext('ledger-view-snapshots:{schema}')";
        if (!await ScalarAsync<bool>(connection, $"select pg_try_advisory_lock({lockKey})", ct)) return [];
        try
        {
            // Settled: below the high-water mark, or below what the views' own shard has applied (after a
            // rebuild, with no daemon running, only the shard says so), no event can still commit.
            var settled = await ScalarAsync<long?>(connection,
                $"select max(last_seq_id) from \"{schema}\".mt_event_progression where name in ('HighWaterMark', '{Daemon.ProjectionFreshness.ShardName}')", ct) ?? 0;
            // Whether one is due is asked of the positions alone: the latest snapshot is read only when it is.
            var from = await ScalarAsync<long?>(connection,
                $"select max(position) from \"{schema}\".{Table} where fold_version = '{FoldVersion}'", ct) ?? 0;
            var until = settled / every * every;
            if (until <= from || until < (from / every + 1) * every) return [];
            var latest = await NearestAsync(session, null, null, ct);
            from = latest?.Position ?? 0;

            var fold = latest?.Fold ?? SupervisionFold.FromNothing();
            long lastSequence = latest?.LastSequence ?? 0, events = latest?.Events ?? 0;
            DateTimeOffset? lastTimestamp = latest?.LastTimestamp, stampedUntil = latest?.StampedUntil;
            var taken = new List<long>();
            var boundary = (from / every + 1) * every;
            var after = from;
            while (boundary <= until)
            {
                var page = await session.Events.QueryAllRawEvents()
                    .Where(e => e.Sequence > after && e.Sequence <= boundary).OrderBy(e => e.Sequence).Take(ViewsAsOf.PageSize).ToListAsync(ct);
                foreach (var e in page)
                {
                    await fold.ApplyAsync(e, ct);
                    lastSequence = e.Sequence;
                    lastTimestamp = e.Timestamp;
                    if (stampedUntil is null || e.Timestamp > stampedUntil) stampedUntil = e.Timestamp;
                    events++;
                }
                after = page.Count > 0 ? page[^1].Sequence : boundary;
                if (page.Count == ViewsAsOf.PageSize && after < boundary) continue;

                await WriteAsync(connection, schema, store.Options.Serializer(),
                    new ViewSnapshot(boundary, lastSequence, lastTimestamp, stampedUntil, events, fold), ct);
                taken.Add(boundary);
                progress?.Report(boundary);
                after = boundary;
                boundary += every;
            }
            return taken;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"select pg_advisory_unlock({lockKey})", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task WriteAsync(NpgsqlConnection connection, string schema, ISerializer serializer, ViewSnapshot snapshot, CancellationToken ct)
    {
        var documents = snapshot.Fold.AllDocuments().ToList();
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        await using (var writer = new StreamWriter(gzip, new UTF8Encoding(false)))
        {
            foreach (var document in documents)
            {
                await writer.WriteAsync(document.GetType().Name);
                await writer.WriteAsync('\t');
                await writer.WriteAsync(serializer.ToJson(document));
                await writer.WriteAsync('\n');
            }
        }
        await using var command = new NpgsqlCommand(
            $"""
            insert into "{schema}".{Table} (fold_version, position, last_sequence, last_timestamp, stamped_until, events, documents, taken_at, data)
            values (@version, @position, @last, @lastAt, @stamped, @events, @documents, now(), @data) on conflict (fold_version, position) do nothing
            """, connection);
        command.Parameters.AddWithValue("version", FoldVersion);
        command.Parameters.AddWithValue("position", snapshot.Position);
        command.Parameters.AddWithValue("last", snapshot.LastSequence);
        command.Parameters.Add(new NpgsqlParameter("lastAt", NpgsqlDbType.TimestampTz) { Value = (object?)snapshot.LastTimestamp?.ToUniversalTime() ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("stamped", NpgsqlDbType.TimestampTz) { Value = (object?)snapshot.StampedUntil?.ToUniversalTime() ?? DBNull.Value });
        command.Parameters.AddWithValue("events", snapshot.Events);
        command.Parameters.AddWithValue("documents", documents.Count);
        command.Parameters.AddWithValue("data", buffer.ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    private static List<object> Read(ISerializer serializer, byte[] data)
    {
        var documents = new List<object>();
        using var gzip = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            var type = TypesByName[line[..tab]];
            using var json = new MemoryStream(Encoding.UTF8.GetBytes(line[(tab + 1)..]));
            documents.Add(serializer.FromJson(type, json));
        }
        return documents;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(ct);
        return value is null or DBNull ? default! : (T)value;
    }
}
