using Ledger.Integrity.Checkpoints;
using Ledger.Integrity.Leaves;
using Ledger.Integrity.Merkle;
using Npgsql;

namespace Ledger.Infrastructure.Integrity;

/// <summary>
/// Recomputes every leaf from the stored events and the tree from those leaves, streaming in
/// constant memory, and compares them with the stored log, the latest signed checkpoint and, when
/// given, a checkpoint an auditor kept earlier. It names the first event that differs.
/// </summary>
public sealed class LedgerVerifier(NpgsqlDataSource db, string schema)
{
    /// <summary>
    /// The outcome. <see cref="CheckpointRefused"/> when a checkpoint itself does not verify with what the caller
    /// trusts (a signature, or a policy's quorum): then nothing was found changed, it was not checked at all.
    /// </summary>
    public sealed record Result(bool Valid, string Message, long EventsChecked, long TreeSize, Checkpoint? Latest)
    {
        public bool CheckpointRefused { get; init; }
    }

    public Task<Result> VerifyAsync(string verifierKey, string? keptCheckpoint, Action<long, long>? progress, CancellationToken ct) =>
        VerifyAsync(TrustPolicy.ForLogKey(NoteVerifierKey.Parse(verifierKey)), keptCheckpoint, progress, ct);

    /// <summary>
    /// Verifies the whole log. The stored checkpoints must carry a signature by one of <paramref name="trust"/>'s
    /// logs; a kept checkpoint must meet the whole policy, its witnesses' quorum included.
    /// </summary>
    public async Task<Result> VerifyAsync(TrustPolicy trust, string? keptCheckpoint, Action<long, long>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(trust);
        await using var connection = await db.OpenConnectionAsync(ct);
        var store = new MerkleStore(connection, schema);
        var (treeSize, lastSeq, storedRoot) = await store.StateAsync(forUpdate: false, ct);

        var latest = await LatestCheckpointAsync(connection, ct);
        Checkpoint? latestCheckpoint = null;
        if (latest is not null)
        {
            var check = trust.VerifyLogSignature(latest);
            if (!check.Valid) return new Result(false, $"the latest stored checkpoint does not verify: {check.Reason}", 0, treeSize, null) { CheckpointRefused = true };
            latestCheckpoint = check.Checkpoint;
        }
        Checkpoint? kept = null;
        if (keptCheckpoint is not null)
        {
            var check = trust.Verify(keptCheckpoint);
            if (!check.Valid) return new Result(false, $"the kept checkpoint does not verify: {check.Reason}", 0, treeSize, latestCheckpoint) { CheckpointRefused = true };
            kept = check.Checkpoint!;
            if (kept.TreeSize > treeSize)
                return new Result(false, $"the kept checkpoint covers {kept.TreeSize} events but the log holds only {treeSize}: events were removed", 0, treeSize, latestCheckpoint);
        }

        long total;
        await using (var count = new NpgsqlCommand($"select greatest(coalesce(max(seq_id), 0), @last) from \"{schema}\".mt_events", connection))
        {
            count.Parameters.AddWithValue("last", lastSeq);
            total = (long)(await count.ExecuteScalarAsync(ct))!;
        }

        var frontier = new MerkleFrontier();
        var roots = new Dictionary<long, byte[]>();
        void Remember()
        {
            if (frontier.Size == treeSize || frontier.Size == latestCheckpoint?.TreeSize || frontier.Size == kept?.TreeSize)
                roots[frontier.Size] = frontier.Root();
        }
        Remember();

        // Events and leaves are read as two streams in sequence order (each an index scan) and merged
        // here: a join ordered on both would make PostgreSQL sort the whole ledger on its disk.
        // Bounds from the state row keep the two reads consistent while the integrator runs on.
        var settledGaps = new HashSet<long>();
        await using (var gapsCommand = new NpgsqlCommand($"select seq_id from \"{schema}\".ledger_merkle_gaps where seq_id <= @last", connection))
        {
            gapsCommand.Parameters.AddWithValue("last", lastSeq);
            await using var gapRows = await gapsCommand.ExecuteReaderAsync(ct);
            while (await gapRows.ReadAsync(ct)) settledGaps.Add(gapRows.GetInt64(0));
        }
        long lateTombstones = 0;
        await using var leavesConnection = await db.OpenConnectionAsync(ct);
        await using var eventsCommand = new NpgsqlCommand(EventRows.Select(schema) + " where seq_id <= @last order by seq_id", connection);
        eventsCommand.Parameters.AddWithValue("last", lastSeq);
        await using var leavesCommand = new NpgsqlCommand(
            $"select leaf_index, seq_id, stream_id, version, leaf_hash from \"{schema}\".ledger_merkle_leaves where leaf_index < @size order by seq_id",
            leavesConnection);
        leavesCommand.Parameters.AddWithValue("size", treeSize);
        await using var events = await eventsCommand.ExecuteReaderAsync(ct);
        await using var leaves = await leavesCommand.ExecuteReaderAsync(ct);
        var hasEvent = await events.ReadAsync(ct);
        var hasLeaf = await leaves.ReadAsync(ct);
        long checkedEvents = 0, lastSequence = 0;
        while (hasEvent || hasLeaf)
        {
            var eventSeq = hasEvent ? events.GetInt64(0) : long.MaxValue;
            var leafSeq = hasLeaf ? leaves.GetInt64(1) : long.MaxValue;
            if (leafSeq < eventSeq)
            {
                return Fail($"event {leafSeq} (stream {leaves.GetString(2)}, version {leaves.GetInt64(3)}) is in the log but no longer in the ledger: it was deleted",
                    checkedEvents);
            }
            var e = EventRows.Read(events);
            if (eventSeq < leafSeq && e.Stream == TombstoneStream && settledGaps.Contains(e.Sequence))
            {
                // Marten writes a tombstone in a transaction of its own after an append fails, at a sequence
                // number that append drew. When it comes after the log has settled that number as rolled back
                // (the chaos run saw one, written seconds late under a fault), it is not a ledger event and has
                // no leaf: a contentless row at a number the log recorded as unused.
                lateTombstones++;
                hasEvent = await events.ReadAsync(ct);
                continue;
            }
            if (eventSeq < leafSeq)
            {
                return Fail($"event {e.Sequence} (stream {e.Stream}, version {e.Version}) is in the ledger but not in the log: it was inserted behind the ledger's back",
                    checkedEvents);
            }
            if (leaves.GetInt64(0) != frontier.Size)
                return Fail($"leaf {frontier.Size} is missing before event {e.Sequence}: the log was altered", checkedEvents);
            var hash = Rfc9162.LeafHash(LeafEncoding.Encode(e));
            if (!hash.AsSpan().SequenceEqual((byte[])leaves[4]))
                return Fail($"event {e.Sequence} (stream {e.Stream}, version {e.Version}) differs from what the log recorded: it was changed", checkedEvents);
            frontier.Append(hash);
            checkedEvents++;
            lastSequence = e.Sequence;
            Remember();
            if (checkedEvents % 10_000 == 0) progress?.Invoke(e.Sequence, total);
            hasEvent = await events.ReadAsync(ct);
            hasLeaf = await leaves.ReadAsync(ct);
        }
        progress?.Invoke(total, total);

        if (frontier.Size < treeSize)
            return Fail($"the log holds {treeSize} leaves but only {frontier.Size} events were found for them", checkedEvents);
        if (!roots[treeSize].AsSpan().SequenceEqual(storedRoot))
            return Fail($"the stored root for {treeSize} events does not match the events", checkedEvents);
        if (latestCheckpoint is not null && !roots[latestCheckpoint.TreeSize].AsSpan().SequenceEqual(latestCheckpoint.RootHash))
            return Fail($"the events no longer produce the root of the latest checkpoint (size {latestCheckpoint.TreeSize})", checkedEvents);
        if (kept is not null && !roots[kept.TreeSize].AsSpan().SequenceEqual(kept.RootHash))
            return Fail($"the events no longer produce the root of your kept checkpoint (size {kept.TreeSize}): history before it was changed", checkedEvents);

        var against = kept is null ? "" : $"; consistent with your checkpoint of size {kept.TreeSize}"
            + (trust.RequiresWitnesses ? $" ({trust.Verify(keptCheckpoint).Reason})" : "");
        var signed = latestCheckpoint is null ? "no checkpoint signed yet" : $"latest signed checkpoint size {latestCheckpoint.TreeSize} matches";
        // A write that rolls back leaves its sequence numbers unused: say so, or "356/356" and "355 events" look like a lost event.
        var unused = lastSequence - checkedEvents;
        var tombstones = lateTombstones == 0 ? "" : $", {lateTombstones} of them later filled by {(lateTombstones == 1 ? "a tombstone" : "tombstones")} of the store";
        var gaps = unused > 0
            ? $" (sequence numbers 1–{lastSequence}: {unused} left unused by {(unused == 1 ? "a write" : "writes")} that rolled back{tombstones})"
            : "";
        return new Result(true, $"verified {checkedEvents} events{gaps}: every leaf and the root of {treeSize} match; {signed}{against}", checkedEvents, treeSize, latestCheckpoint);

        Result Fail(string message, long n) => new(false, message, n, treeSize, latestCheckpoint);
    }

    /// <summary>The stream Marten writes its tombstones to.</summary>
    public const string TombstoneStream = "mt_tombstone";

    private async Task<string?> LatestCheckpointAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select signed_note from \"{schema}\".ledger_checkpoints order by tree_size desc limit 1", connection);
        return await command.ExecuteScalarAsync(ct) as string;
    }
}
