using System.Diagnostics;
using Ledger.Integrity.Leaves;
using Ledger.Integrity.Merkle;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Infrastructure.Integrity;

/// <summary>
/// Appends every committed event, in global sequence order, as one leaf of the Merkle log.
///
/// One integrator at a time: each batch locks the state row (SELECT … FOR UPDATE), so a second
/// node waits and then continues from the committed position. A batch writes its leaves, the
/// subtrees they complete and the new position in one transaction, so a crash anywhere loses the
/// batch and the next run redoes it: no leaf is counted twice (leaf_index and seq_id are unique).
///
/// Gaps: a sequence number can be missing because its transaction has not committed yet, or
/// because it rolled back and never will. The integrator never jumps a gap on sight. It records
/// the newest transaction id that could still be running (the xmax of a fresh snapshot) and stops.
/// Once every transaction below that id has ended (the oldest running transaction is past it), any
/// event that could fill the gap has committed; what is still missing is a rolled-back number,
/// recorded in ledger_merkle_gaps and skipped. A new transaction cannot take a number below one
/// already seen, because sequences only grow. As a second guard (a transaction gets its id at its
/// first write, which could in principle come just after it drew its sequence number) the gap must
/// also have been seen at least <see cref="GapGrace"/> ago.
///
/// One sighting settles every gap below the highest sequence number visible in the same snapshot
/// (<c>Through</c>): each of those numbers was drawn before the snapshot, so the same wait covers them
/// all. Resolving them one grace period at a time would let the log fall further behind with every
/// burst of conflicting writers, each of whose failed commits leaves a gap.
/// </summary>
public sealed class MerkleIntegrator(NpgsqlDataSource db, string schema, ILogger<MerkleIntegrator>? logger = null)
{
    public static readonly TimeSpan GapGrace = TimeSpan.FromSeconds(2);

    // In this process one batch at a time (the worker and proof requests share this instance, and the
    // frontier is not thread-safe); across processes the state row's lock does the same.
    private readonly SemaphoreSlim _oneBatch = new(1, 1);
    private MerkleFrontier? _frontier;
    // One object, swapped whole: the API's calls and the worker may integrate on this instance at once.
    private volatile GapSighting? _pendingGap;

    // SeenAt is a monotonic timestamp: the grace is wall-clock time on this machine, not business time.
    private sealed record GapSighting(long Through, long Xmax, long SeenAt);

    public sealed record Outcome(long TreeSize, long LastSeq, int Integrated, bool WaitingOnGap);

    /// <summary>Integrates until caught up (or a gap must be waited out), one batch per transaction.</summary>
    public async Task<Outcome> IntegrateAsync(int batchSize = 1000, int? maxBatches = null, CancellationToken ct = default)
    {
        var total = 0;
        for (var batch = 0; maxBatches is null || batch < maxBatches; batch++)
        {
            Outcome outcome;
            await _oneBatch.WaitAsync(ct);
            try
            {
                outcome = await IntegrateBatchAsync(batchSize, ct);
            }
            finally
            {
                _oneBatch.Release();
            }
            total += outcome.Integrated;
            if (outcome.Integrated < batchSize || outcome.WaitingOnGap)
                return outcome with { Integrated = total };
        }
        var (size, last, _) = await ReadStateAsync(ct);
        return new Outcome(size, last, total, false);
    }

    private async Task<(long, long, byte[])> ReadStateAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await new MerkleStore(connection, schema).StateAsync(forUpdate: false, ct);
    }

    private async Task<Outcome> IntegrateBatchAsync(int batchSize, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var sighting = _pendingGap;
        var settled = sighting is not null && Stopwatch.GetElapsedTime(sighting.SeenAt) >= GapGrace
            && await AllEndedBeforeAsync(connection, sighting.Xmax, ct);

        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var init = new NpgsqlCommand(
            $"insert into \"{schema}\".ledger_merkle_state (id, tree_size, last_seq, root, updated_at) values (1, 0, 0, @root, now()) on conflict (id) do nothing",
            connection, tx))
        {
            init.Parameters.AddWithValue("root", Rfc9162.EmptyRoot);
            await init.ExecuteNonQueryAsync(ct);
        }
        var store = new MerkleStore(connection, schema, tx);
        var (treeSize, lastSeq, _) = await store.StateAsync(forUpdate: true, ct);
        if (_frontier is null || _frontier.Size != treeSize)
            _frontier = await RestoreAsync(store, treeSize, ct);
        if (_pendingGap is { } pending && lastSeq >= pending.Through) _pendingGap = null; // the log (or another node) moved past it
        var settledThrough = settled ? sighting!.Through : 0;

        using var activity = Writing.LedgerWriter.Activity.StartActivity("ledger.integrate");
        var leaves = new List<(long Index, long Seq, string Stream, long Version, byte[] Hash)>();
        var nodes = new List<(int Level, long Index, byte[] Hash)>();
        var gaps = new List<long>();
        var expected = lastSeq + 1;
        var waiting = false;
        var frontier = _frontier;
        var startSize = frontier.Size;

        await foreach (var e in EventRows.AfterAsync(connection, tx, schema, lastSeq, batchSize, ct))
        {
            if (e.Sequence != expected)
            {
                if (e.Sequence - 1 > settledThrough)
                {
                    // Not settled yet: remember who could still fill it (unless a sighting already covers it), and stop here.
                    if (_pendingGap is not { } covering || e.Sequence - 1 > covering.Through)
                    {
                        var (xmax, through) = await SnapshotAsync(ct);
                        _pendingGap = new GapSighting(through, xmax, Stopwatch.GetTimestamp());
                    }
                    waiting = true;
                    break;
                }
                for (var s = expected; s < e.Sequence; s++) gaps.Add(s);
            }
            var hash = Rfc9162.LeafHash(LeafEncoding.Encode(e));
            leaves.Add((frontier.Size, e.Sequence, e.Stream, e.Version, hash));
            foreach (var node in frontier.Append(hash))
                nodes.Add((node.Level, node.Index, node.Hash));
            expected = e.Sequence + 1;
        }

        if (leaves.Count > 0 || gaps.Count > 0)
        {
            await WriteAsync(connection, tx, leaves, nodes, gaps, frontier, expected - 1, ct);
            await tx.CommitAsync(ct);
        }
        else
        {
            await tx.RollbackAsync(ct);
        }
        if (gaps.Count > 0)
            logger?.LogInformation("{Count} sequence numbers from {First} to {Last} were never committed; recorded as gaps", gaps.Count, gaps[0], gaps[^1]);
        activity?.SetTag("ledger.leaves", leaves.Count);
        activity?.SetTag("ledger.tree_size", frontier.Size);
        Debug.Assert(frontier.Size == startSize + leaves.Count);
        return new Outcome(frontier.Size, expected - 1, leaves.Count, waiting);
    }

    private async Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction tx,
        List<(long Index, long Seq, string Stream, long Version, byte[] Hash)> leaves,
        List<(int Level, long Index, byte[] Hash)> nodes, List<long> gaps, MerkleFrontier frontier, long lastSeq, CancellationToken ct)
    {
        await using (var copy = await connection.BeginBinaryImportAsync(
            $"copy \"{schema}\".ledger_merkle_leaves (leaf_index, seq_id, stream_id, version, leaf_hash) from stdin (format binary)", ct))
        {
            foreach (var l in leaves)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(l.Index, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(l.Seq, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(l.Stream, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(l.Version, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(l.Hash, NpgsqlDbType.Bytea, ct);
            }
            await copy.CompleteAsync(ct);
        }
        await using (var copy = await connection.BeginBinaryImportAsync(
            $"copy \"{schema}\".ledger_merkle_nodes (level, node_index, hash) from stdin (format binary)", ct))
        {
            foreach (var n in nodes)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(n.Level, NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(n.Index, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(n.Hash, NpgsqlDbType.Bytea, ct);
            }
            await copy.CompleteAsync(ct);
        }
        foreach (var seq in gaps)
        {
            await using var gap = new NpgsqlCommand($"insert into \"{schema}\".ledger_merkle_gaps (seq_id, resolved_at) values (@s, now())", connection, tx);
            gap.Parameters.AddWithValue("s", seq);
            await gap.ExecuteNonQueryAsync(ct);
        }
        await using var state = new NpgsqlCommand(
            $"update \"{schema}\".ledger_merkle_state set tree_size = @size, last_seq = @last, root = @root, updated_at = now() where id = 1", connection, tx);
        state.Parameters.AddWithValue("size", frontier.Size);
        state.Parameters.AddWithValue("last", lastSeq);
        state.Parameters.AddWithValue("root", frontier.Root());
        await state.ExecuteNonQueryAsync(ct);
    }

    private static async Task<MerkleFrontier> RestoreAsync(MerkleStore store, long size, CancellationToken ct)
    {
        var edge = new Dictionary<(int, long), byte[]>();
        foreach (var (level, index) in MerkleFrontier.RightEdge(size))
        {
            edge[(level, index)] = await store.StoredSubtreeAsync(level, index, ct)
                ?? throw new InvalidOperationException($"the stored tree lacks subtree ({level}, {index}) of its right edge");
        }
        return MerkleFrontier.Restore(size, (level, index) => edge[(level, index)]);
    }

    // One statement, one snapshot: every event it sees drew its number before the snapshot's xmax was taken.
    private async Task<(long Xmax, long Through)> SnapshotAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select pg_snapshot_xmax(pg_current_snapshot())::text::bigint, (select coalesce(max(seq_id), 0) from \"{schema}\".mt_events)", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    // True once the oldest transaction still running started after `xmax`: everything that was in
    // flight when the gap was first seen has committed or rolled back.
    private static async Task<bool> AllEndedBeforeAsync(NpgsqlConnection connection, long xmax, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select pg_snapshot_xmin(pg_current_snapshot())::text::bigint >= @x", connection);
        command.Parameters.AddWithValue("x", xmax);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }
}
