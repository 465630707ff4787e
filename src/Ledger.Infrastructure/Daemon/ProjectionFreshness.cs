using Ledger.Projections.Supervision;
using Marten;
using Npgsql;

namespace Ledger.Infrastructure.Daemon;

/// <summary>
/// How current a list is. For the supervision views (<see cref="Async"/>): the daemon's position
/// against the highest committed sequence, the committed events it has not processed yet, and the age
/// of the oldest of them. For the registry's lists (<see cref="Inline"/>: governments, agreements,
/// commitments), written in the same transaction as their events: the write position, never behind.
/// </summary>
/// <param name="Position">The last sequence the list reflects: the supervision projection's, or the write position for an inline list.</param>
/// <param name="StorePosition">The highest committed event sequence.</param>
/// <param name="EventsBehind">Committed events above <paramref name="Position"/> (holes left by rolled-back appends are not counted).</param>
/// <param name="SecondsBehind">How long ago the oldest of those events was recorded; 0 when current.</param>
/// <param name="CheckedAt">When this was measured.</param>
/// <param name="Written"><see cref="Async"/> (by the daemon, after the events commit) or <see cref="Inline"/> (with the events, in their transaction).</param>
public sealed record Freshness(long Position, long StorePosition, long EventsBehind, double SecondsBehind, DateTimeOffset CheckedAt, string Written = Freshness.Async)
{
    public const string Async = "async";
    public const string Inline = "inline";
    public const string Primary = "primary";
    public const string Standby = "standby";

    /// <summary>Where the list was read: <see cref="Primary"/>, or a <see cref="Standby"/> (<see cref="SupervisorReads"/>); the counts are the primary's either way.</summary>
    public string ReadFrom { get; init; } = Primary;

    public bool IsCurrent => EventsBehind == 0;
}

/// <summary>Measures the supervision views' freshness (the query endpoints report it with every answer) and waits for them to catch up.</summary>
public sealed class ProjectionFreshness(IDocumentStore store, TimeProvider time)
{
    /// <summary>The progression row the daemon keeps for the supervision projection (one shard, "All").</summary>
    public const string ShardName = SupervisionProjection.Name + ":All";

    private readonly string _schema = store.Options.Events.DatabaseSchemaName;

    public async Task<Freshness> CheckAsync(CancellationToken ct = default) => (await MeasureAsync(observed: null, ct)).Freshness;

    /// <summary>
    /// The freshness of views read elsewhere (a standby's) at <paramref name="observed"/>, measured on the primary,
    /// and how far they trail the primary's own views: the age of the oldest event the primary's views reflect and
    /// those do not (zero when they are level with or ahead of the primary's).
    /// </summary>
    public Task<(Freshness Freshness, TimeSpan Trailing)> CheckFromAsync(long observed, CancellationToken ct = default) =>
        MeasureAsync(observed, ct);

    private async Task<(Freshness Freshness, TimeSpan Trailing)> MeasureAsync(long? observed, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        return await MeasureAsync(connection, _schema, observed, time, ct);
    }

    /// <summary>
    /// The supervision views' freshness in the ledger <paramref name="connection"/> reaches (schema <paramref name="schema"/>):
    /// for this node's store, and for another zone's database (the national overview).
    /// </summary>
    public static async Task<Freshness> MeasureAsync(NpgsqlConnection connection, string schema, TimeProvider time, CancellationToken ct) =>
        (await MeasureAsync(connection, schema, observed: null, time, ct)).Freshness;

    private static async Task<(Freshness Freshness, TimeSpan Trailing)> MeasureAsync(
        NpgsqlConnection connection, string schema, long? observed, TimeProvider time, CancellationToken ct)
    {
        // One snapshot for both statements, so the position and the events above it agree. The count
        // takes the position as a parameter: with it the planner scans the sequence index from there
        // (nothing, when current); computed inside one statement it planned a parallel scan of a
        // third of the events, 30–50 ms per answer at a million events (measured).
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        long ownPosition, storePosition;
        await using (var command = new NpgsqlCommand($"""
            select coalesce((select last_seq_id from "{schema}".mt_event_progression where name = $1), 0),
                   coalesce((select max(seq_id) from "{schema}".mt_events), 0)
            """, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = ShardName });
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            ownPosition = reader.GetInt64(0);
            storePosition = reader.GetInt64(1);
        }
        var position = observed ?? ownPosition;
        // Marten's tombstones (the rows a failed append leaves, stream mt_tombstone) carry -infinity as their
        // time: they count as events behind but not as the oldest, which would otherwise be two thousand years old.
        long behind = 0;
        DateTimeOffset? oldest = null, oldestTrailing = null;
        if (storePosition > position)
        {
            await using var command = new NpgsqlCommand($"""
                select count(*), min(timestamp) filter (where timestamp > '-infinity'),
                       min(timestamp) filter (where timestamp > '-infinity' and seq_id <= $2)
                from "{schema}".mt_events where seq_id > $1
                """, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter { Value = position });
            command.Parameters.Add(new NpgsqlParameter { Value = ownPosition });
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            behind = reader.GetInt64(0);
            oldest = reader.IsDBNull(1) ? null : await reader.GetFieldValueAsync<DateTimeOffset>(1, ct);
            oldestTrailing = reader.IsDBNull(2) ? null : await reader.GetFieldValueAsync<DateTimeOffset>(2, ct);
        }
        await transaction.CommitAsync(ct);
        var now = time.GetUtcNow();
        var seconds = oldest is { } o ? Math.Max(0, Math.Round((now - o).TotalSeconds, 3)) : 0;
        var trailing = oldestTrailing is { } t && now > t ? now - t : TimeSpan.Zero;
        return (new Freshness(position, storePosition, behind, seconds, now), trailing);
    }

    /// <summary>
    /// The freshness of a list written inline: the highest committed sequence, read before the list, so
    /// the list reflects at least every event up to it and is never behind.
    /// </summary>
    public async Task<Freshness> WritePositionAsync(CancellationToken ct = default)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"""select coalesce(max(seq_id), 0) from "{_schema}".mt_events""", connection);
        var position = (long)(await command.ExecuteScalarAsync(ct))!;
        return new Freshness(position, position, 0, 0, time.GetUtcNow(), Freshness.Inline);
    }

    /// <summary>Polls until every committed event is reflected in the views; a <see cref="TimeoutException"/> says how far behind they still were.</summary>
    public async Task<Freshness> WaitUntilCurrentAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        // Real time, not the injected clock: a test's manual clock may never move while it waits.
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var freshness = await CheckAsync(ct);
            if (freshness.IsCurrent) return freshness;
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException(
                    $"The supervision views were still {freshness.EventsBehind} events behind (at {freshness.Position} of {freshness.StorePosition}) after {timeout.TotalSeconds:0.#} s.");
            await Task.Delay(100, ct);
        }
    }
}
