using Ledger.Projections.Supervision;
using Marten;
using Npgsql;

namespace Ledger.Infrastructure.Supervision;

/// <summary>
/// How current the supervision views are: the daemon's position against the highest committed
/// sequence, the committed events it has not processed yet, and the age of the oldest of them.
/// </summary>
/// <param name="Position">The last sequence the supervision projection has processed.</param>
/// <param name="StorePosition">The highest committed event sequence.</param>
/// <param name="EventsBehind">Committed events above <paramref name="Position"/> (holes left by rolled-back appends are not counted).</param>
/// <param name="SecondsBehind">How long ago the oldest of those events was recorded; 0 when current.</param>
/// <param name="CheckedAt">When this was measured.</param>
public sealed record Freshness(long Position, long StorePosition, long EventsBehind, double SecondsBehind, DateTimeOffset CheckedAt)
{
    public bool IsCurrent => EventsBehind == 0;
}

/// <summary>Measures the supervision views' freshness (the query endpoints report it with every answer) and waits for them to catch up.</summary>
public sealed class ProjectionFreshness(IDocumentStore store, TimeProvider time)
{
    /// <summary>The progression row the daemon keeps for the supervision projection (one shard, "All").</summary>
    public const string ShardName = SupervisionProjection.Name + ":All";

    private readonly string _schema = store.Options.Events.DatabaseSchemaName;

    public async Task<Freshness> CheckAsync(CancellationToken ct = default)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        // One statement, one snapshot: the position and the events above it are read consistently.
        await using var command = new NpgsqlCommand($"""
            with p as (select coalesce((select last_seq_id from "{_schema}".mt_event_progression where name = $1), 0) as pos)
            select p.pos,
                   coalesce((select max(seq_id) from "{_schema}".mt_events), 0),
                   (select count(*) from "{_schema}".mt_events e where e.seq_id > p.pos),
                   (select min(e.timestamp) from "{_schema}".mt_events e where e.seq_id > p.pos)
            from p
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = ShardName });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var position = reader.GetInt64(0);
        var storePosition = reader.GetInt64(1);
        var behind = reader.GetInt64(2);
        DateTimeOffset? oldest = reader.IsDBNull(3) ? null : await reader.GetFieldValueAsync<DateTimeOffset>(3, ct);
        var now = time.GetUtcNow();
        var seconds = oldest is { } o ? Math.Max(0, Math.Round((now - o).TotalSeconds, 3)) : 0;
        return new Freshness(position, storePosition, behind, seconds, now);
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
