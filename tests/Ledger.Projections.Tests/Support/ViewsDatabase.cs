using Ledger.Infrastructure.Daemon;
using Ledger.Infrastructure.Store;
using Ledger.Projections.Supervision;
using Marten;
using Npgsql;

namespace Ledger.Projections.Tests.Support;

/// <summary>
/// A ledger store in a schema of its own on the real PostgreSQL (<c>LEDGER_TEST_CONNECTION</c>, else
/// the private cluster's ledger_test database), dropped when disposed.
/// </summary>
public sealed class ViewsDatabase : IAsyncDisposable
{
    public static string ConnectionString { get; } =
        Environment.GetEnvironmentVariable("LEDGER_TEST_CONNECTION")
        ?? "Host=127.0.0.1;Port=55432;Database=ledger_test;Username=postgres;Max Auto Prepare=50;Auto Prepare Min Usages=2";

    private ViewsDatabase(string schema, DocumentStore store)
    {
        Schema = schema;
        Store = store;
        Freshness = new ProjectionFreshness(store, TimeProvider.System);
    }

    public string Schema { get; }
    public DocumentStore Store { get; }
    public ProjectionFreshness Freshness { get; }

    public static async Task<ViewsDatabase> CreateAsync(string prefix)
    {
        var schema = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];
        var store = LedgerStore.Create(ConnectionString, schema, TimeProvider.System);
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return new ViewsDatabase(schema, store);
    }

    /// <summary>Appends each group of events in one transaction, in order.</summary>
    public async Task AppendAsync(IEnumerable<IReadOnlyList<(string Stream, object Event)>> transactions)
    {
        foreach (var transaction in transactions)
        {
            await using var session = Store.LightweightSession();
            foreach (var (stream, e) in transaction)
                session.Events.Append(stream, e);
            await session.SaveChangesAsync();
        }
    }

    /// <summary>Runs Marten's daemon until every committed event is reflected in the views, then stops it.</summary>
    public async Task CatchUpWithDaemonAsync(TimeSpan? timeout = null)
    {
        var log = new DaemonLog();
        using var daemon = await Store.BuildProjectionDaemonAsync(logger: log);
        await daemon.StartAllAsync();
        try
        {
            await Freshness.WaitUntilCurrentAsync(timeout ?? TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException stalled)
        {
            throw new TimeoutException(stalled.Message + Environment.NewLine + string.Join(Environment.NewLine, log.Lines), stalled);
        }
        finally
        {
            await daemon.StopAllAsync();
        }
    }

    public async Task RebuildAsync()
    {
        using var daemon = await Store.BuildProjectionDaemonAsync();
        await daemon.RebuildProjectionAsync(SupervisionProjection.Name, TimeSpan.FromMinutes(2), CancellationToken.None);
    }

    /// <summary>The views rebuilt by the ledger's own path, as <c>ledger rebuild Supervision</c> runs it.</summary>
    public Task<SupervisionRebuild.Outcome> OwnRebuildAsync() => SupervisionRebuild.RunAsync(Store, null, CancellationToken.None);

    public async Task<T?> LoadAsync<T>(string id) where T : class
    {
        await using var session = Store.QuerySession();
        return await session.LoadAsync<T>(id);
    }

    public async Task<IReadOnlyList<T>> AllAsync<T>() where T : class
    {
        await using var session = Store.QuerySession();
        return await session.Query<T>().ToListAsync();
    }

    /// <summary>
    /// Every supervision document as stored (jsonb text, which PostgreSQL normalises), by type and id:
    /// two snapshots are equal exactly when the documents are.
    /// </summary>
    public async Task<SortedDictionary<string, string>> SnapshotAsync()
    {
        var snapshot = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        foreach (var type in SupervisionFold.DocumentTypes)
        {
            // Marten's default table name for a top-level document type.
            var table = $"\"{Schema}\".mt_doc_{type.Name.ToLowerInvariant()}";
            await using var command = new NpgsqlCommand($"select id, data::text from {table}", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                snapshot[$"{type.Name}/{reader.GetString(0)}"] = reader.GetString(1);
        }
        return snapshot;
    }

    /// <summary>
    /// Every row of the supervision tables, every column but the two a write stamps afresh (mt_version, a
    /// new id per write, and mt_last_modified, the writing transaction's time), as one JSON object per row
    /// by table and id; and the projection's progression row (its sequence).
    /// </summary>
    public async Task<SortedDictionary<string, string>> RowsAsync()
    {
        var rows = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        foreach (var type in SupervisionFold.DocumentTypes)
        {
            var table = $"mt_doc_{type.Name.ToLowerInvariant()}";
            await using var command = new NpgsqlCommand(
                $"select id, (to_jsonb(t) - 'mt_version' - 'mt_last_modified')::text from \"{Schema}\".{table} t", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                rows[$"{table}/{reader.GetString(0)}"] = reader.GetString(1);
        }
        await using (var progression = new NpgsqlCommand(
            $"select last_seq_id::text from \"{Schema}\".mt_event_progression where name = '{ProjectionFreshness.ShardName}'", connection))
            rows["mt_event_progression/" + ProjectionFreshness.ShardName] = (string?)await progression.ExecuteScalarAsync() ?? "none";
        return rows;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"drop schema if exists \"{Schema}\" cascade", connection);
        await command.ExecuteNonQueryAsync();
    }
}
