using System.Diagnostics;
using System.Threading.Channels;
using JasperFx.Events;
using Ledger.Infrastructure.Resilience;
using Ledger.Infrastructure.Telemetry;
using Marten;
using Marten.Services;
using Npgsql;

namespace Ledger.Infrastructure.Writing;

/// <summary>
/// An append a request has decided and wants committed: the events for one stream at the version the
/// decision read, the envelope, and the idempotency record to store with them.
/// </summary>
internal sealed class PendingAppend(string streamKey, long version, IReadOnlyList<object> events, RequestContext context, IdempotencyRecord? record, bool replacesRecord)
{
    public string StreamKey { get; } = streamKey;
    public long Version { get; } = version;
    public IReadOnlyList<object> Events { get; } = events;
    public RequestContext Context { get; } = context;
    public IdempotencyRecord? Record { get; } = record;
    public bool ReplacesRecord { get; } = replacesRecord;
    public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A write to another table that lands with these events or not at all.</summary>
    public AlongsideWrite? Alongside { get; init; }

    /// <summary>The span the request appends under, for the commit's span to hang from or link to.</summary>
    public ActivityContext? Trace { get; set; }

    /// <summary>
    /// A session for appends that carry their own envelopes: Marten's defaults (the trace's ids as
    /// correlation and causation) are cleared, so an event without a causation id stores none.
    /// </summary>
    public static IDocumentSession OpenSession(IDocumentStore store, NpgsqlTransaction transaction)
    {
        // Marten commits or rolls back the transaction and leaves the connection to its owner (a session
        // given the connection alone closes it on a failure, back into the pool before it can be set right).
        var session = store.LightweightSession(SessionOptions.ForTransaction(transaction, shouldAutoCommit: true));
        session.CorrelationId = null;
        session.CausationId = null;
        session.LastModifiedBy = null;
        return session;
    }

    /// <summary>Writes this append into <paramref name="session"/>; nothing reaches the database before SaveChanges.</summary>
    public void WriteTo(IDocumentSession session)
    {
        StreamAction action;
        if (Version == 0)
        {
            // StartStream, not Append: a second creator of the same stream fails at commit.
            action = session.Events.StartStream(StreamKey, [.. Events]);
        }
        else
        {
            // Quick append mode checks this at commit: a concurrent writer makes the commit fail whole.
            // (Append with an expected version needs Rich mode; setting it on the stream action does not.)
            action = session.Events.Append(StreamKey, [.. Events]);
            action.ExpectedVersionOnServer = Version;
        }
        // The envelope goes on each event rather than on the session, which other appends share.
        foreach (var e in action.Events) Envelope.Stamp(e, Context);

        if (Record is null) return;
        // Insert fails at commit if a twin recorded the key meanwhile; an expired record is replaced.
        if (ReplacesRecord) session.Store(Record);
        else session.Insert(Record);
    }
}

/// <summary>
/// Group commit: the appends that concurrent requests have decided are written in one transaction,
/// so a burst of writers pays for one round of statements and one WAL flush instead of one each.
///
/// Exactness is kept per append. Each still carries the version its decision read as the expected
/// version (or starts its stream), so Marten's check at commit catches a concurrent writer exactly as
/// before; two appends to the same stream, or two records of the same idempotency key, never share a
/// batch (the later one waits for the next). When a batch fails on such a check, PostgreSQL has rolled
/// all of it back, and each append is committed again alone, so that only the one that lost the race
/// sees the conflict (and is decided afresh by the writer). Any other failure — a broken connection, a
/// database that went away — fails every append of the batch, as it would have failed each alone.
/// </summary>
public sealed class GroupCommit : IAsyncDisposable
{
    private readonly IDocumentStore _store;
    private readonly int _maxBatch;
    private readonly Channel<PendingAppend> _queue = Channel.CreateUnbounded<PendingAppend>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
    private readonly Task _loop;

    public GroupCommit(IDocumentStore store, int maxBatch) : this(store, maxBatch, Task.CompletedTask)
    {
    }

    /// <summary>Starts committing once <paramref name="startAfter"/> completes (tests queue a whole batch first).</summary>
    internal GroupCommit(IDocumentStore store, int maxBatch, Task startAfter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _store = store;
        _maxBatch = maxBatch;
        // The loop serves every request: it must not carry the first one's trace or other context.
        using (ExecutionContext.SuppressFlow())
        {
            _loop = Task.Run(async () =>
            {
                await startAfter;
                await RunAsync();
            });
        }
    }

    internal async Task CommitAsync(PendingAppend append)
    {
        append.Trace = Activity.Current?.Context;
        // Once the writer is shutting down, an append is committed on its own rather than refused.
        if (!_queue.Writer.TryWrite(append))
            await CommitAloneAsync(append);
        // The commit is not cancelled with the request: once queued it lands or fails as a whole.
        await append.Committed.Task;
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var waiting = new List<PendingAppend>();
        while (waiting.Count > 0 || await reader.WaitToReadAsync())
        {
            var batch = new List<PendingAppend>();
            var streams = new HashSet<string>(StringComparer.Ordinal);
            var keys = new HashSet<string>(StringComparer.Ordinal);
            var later = new List<PendingAppend>();

            void Take(PendingAppend append)
            {
                var clashes = streams.Contains(append.StreamKey) || (append.Record is { } r && keys.Contains(r.Id));
                if (clashes || batch.Count >= _maxBatch)
                {
                    later.Add(append);
                    return;
                }
                streams.Add(append.StreamKey);
                if (append.Record is { } record) keys.Add(record.Id);
                batch.Add(append);
            }

            foreach (var append in waiting) Take(append);
            while (batch.Count < _maxBatch && reader.TryRead(out var next)) Take(next);
            waiting = later;

            await CommitBatchAsync(batch);
        }
    }

    // One transaction for the batch. When one of several lost a race, or PostgreSQL refused one, it rolled
    // all of them back and said so: each is committed again alone, so only the loser conflicts and only the
    // append at fault fails. A failure PostgreSQL did not report (the connection broke) fails them all, as
    // such a commit may have landed.
    private async Task CommitBatchAsync(IReadOnlyList<PendingAppend> batch)
    {
        try
        {
            // A refusal of several is made again append by append below: the store logs the batch's only briefly.
            using (batch.Count > 1 ? StoreLog.AppendsRetriedAlone() : null)
                await WriteAsync(_store, batch, CancellationToken.None);
        }
        catch (Exception ex) when (batch.Count > 1 && (LedgerWriter.IsConcurrencyFailure(ex) || DatabaseFailures.IsRefusal(ex)))
        {
            await Task.WhenAll(batch.Select(CommitAloneAsync));
            return;
        }
        catch (Exception ex)
        {
            foreach (var append in batch) append.Committed.TrySetException(ex);
            return;
        }
        foreach (var append in batch) append.Committed.TrySetResult();
    }

    private Task CommitAloneAsync(PendingAppend append) => CommitBatchAsync([append]);

    private const int AttemptsAfterRollback = 3;

    /// <summary>
    /// Writes <paramref name="appends"/> in one session and one transaction, under a commit span. A commit
    /// PostgreSQL reports it rolled back for a reason that may pass (a deadlock, a serialization failure:
    /// class 40) is made again on a new transaction; nothing else is (marten issue 5262), and Marten's own
    /// replay is off because it cannot open a new transaction on one it was given (LedgerStore).
    /// </summary>
    internal static async Task WriteAsync(IDocumentStore store, IReadOnlyList<PendingAppend> appends, CancellationToken ct)
    {
        using var span = StartCommitSpan(appends);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await CommitOnceAsync(store, appends, ct);
                break;
            }
            catch (Exception ex) when (attempt < AttemptsAfterRollback && !LedgerWriter.IsConcurrencyFailure(ex)
                && DatabaseFailures.FindRefusal(ex)?.SqlState.StartsWith("40", StringComparison.Ordinal) == true)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), ct);
            }
        }
        LedgerMetrics.GroupCommitted(appends.Count);
    }

    private static async Task CommitOnceAsync(IDocumentStore store, IReadOnlyList<PendingAppend> appends, CancellationToken ct)
    {
        // The session runs on a connection of our own, so that one PostgreSQL refused a statement on is set
        // right before the pool can hand it to another request (PreparedStatements says why).
        var (connection, transaction) = await BeginAsync(store, ct);
        await using var _ = connection;
        await using var __ = transaction;
        try
        {
            await using var session = PendingAppend.OpenSession(store, transaction);
            foreach (var append in appends) append.WriteTo(session);
            // On the same transaction, which Marten's SaveChanges commits: both land, or neither does.
            foreach (var append in appends)
            {
                if (append.Alongside is { } alongside) await alongside(connection, transaction, ct);
            }
            await session.SaveChangesAsync(ct);
        }
        catch (InvalidOperationException ex) when (connection.FullState.HasFlag(System.Data.ConnectionState.Broken) || connection.State != System.Data.ConnectionState.Open)
        {
            // The connection died under the commit (PostgreSQL crashed or ended the session) and Marten, retrying
            // a read on the transaction it was given, found that transaction gone: the database was unavailable,
            // whatever the exception's type says. The request is told so (503; a retry with its key is safe).
            throw new NpgsqlException("The connection to PostgreSQL broke during the commit.", ex);
        }
        catch (Exception ex) when (PreparedStatements.MayBeOutOfStep(ex))
        {
            PreparedStatements.Reset(connection);
            throw;
        }
    }

    /// <summary>
    /// A connection and a transaction on it that has made one round trip. A pooled connection whose
    /// server went away (a restart nobody saw) fails there, before anything is written, and is replaced
    /// along with the rest of the pool. Inside the commit it could not be: Marten retries a failed read on
    /// the transaction it was given, which is gone with its connection.
    /// </summary>
    private static async Task<(NpgsqlConnection, NpgsqlTransaction)> BeginAsync(IDocumentStore store, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var connection = store.Storage.Database.CreateConnection();
            try
            {
                await connection.OpenAsync(ct);
                var transaction = await connection.BeginTransactionAsync(ct);
                await using (var ping = new NpgsqlCommand("select 1", connection, transaction))
                    await ping.ExecuteScalarAsync(ct);
                return (connection, transaction);
            }
            catch (Exception ex)
            {
                var stale = attempt < 3 && DatabaseFailures.IsUnavailable(ex);
                if (stale) NpgsqlConnection.ClearPool(connection);
                await connection.DisposeAsync();
                if (!stale) throw;
            }
        }
    }

    // The commit's span is a child of the first append's span and links the others, so each request's
    // trace leads to the SQL that committed it.
    private static Activity? StartCommitSpan(IReadOnlyList<PendingAppend> batch)
    {
        var links = batch.Skip(1).Where(a => a.Trace is not null).Select(a => new ActivityLink(a.Trace!.Value)).ToList();
        var span = LedgerWriter.Activity.StartActivity("ledger.commit", ActivityKind.Internal, batch[0].Trace ?? default, links: links);
        span?.SetTag("ledger.batch", batch.Count);
        return span;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }
}

/// <summary>The envelope as each event stores it: correlation, causation, actor and headers.</summary>
internal static class Envelope
{
    public static void Stamp(IEvent e, RequestContext context)
    {
        e.CorrelationId = context.CorrelationId;
        e.CausationId = context.CausationId;
        e.UserName = context.Actor.Id;
        e.SetHeader(EnvelopeHeaders.ActorRole, context.Actor.Role.ToString().ToLowerInvariant());
        if (context.Actor.GovernmentId is { } government)
            e.SetHeader(EnvelopeHeaders.ActorGovernment, government);
        if (context.IdempotencyKey is { } key)
            e.SetHeader(EnvelopeHeaders.IdempotencyKey, key);
    }
}
