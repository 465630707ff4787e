using System.Diagnostics;
using JasperFx;
using Ledger.Contracts;
using Ledger.Infrastructure.Telemetry;
using Marten;
using Marten.Exceptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ledger.Infrastructure.Writing;

/// <summary>
/// The write path: fetch the stream, fold it into the decider's state, decide, append with the
/// envelope, all in one session and one transaction. A concurrent writer is caught by Marten's
/// expected-version check at commit. With <c>If-Match</c> that is the client's 412; without it the
/// whole fetch → decide → append runs again in a new session (the failed commit appended nothing, so
/// this is not a blind retry).
///
/// The commit itself goes through <see cref="GroupCommit"/> when it is on (section <c>Writes</c>): the
/// appends of concurrent requests share one transaction, each still checked at its own expected version.
/// The decider's state of streams this node wrote is kept (<see cref="StreamStates"/>), so a command on
/// such a stream skips the read; a stale state fails at commit, or is confirmed before a refusal.
///
/// An idempotency record replays for <see cref="IdempotencySettings.Window"/> after it was recorded
/// (by the injected clock); after that the key is free and the request is decided afresh, its new
/// outcome replacing the old record.
/// </summary>
public sealed partial class LedgerWriter(
    IDocumentStore store, TimeProvider time, IOptions<IdempotencySettings> idempotencySettings, IOptions<WriteSettings> writeSettings, ILogger<LedgerWriter> logger)
    : IAsyncDisposable
{
    private readonly IdempotencySettings _idempotency = idempotencySettings.Value;
    private readonly WriteSettings _writes = writeSettings.Value;
    private readonly GroupCommit? _group = writeSettings.Value.GroupCommit ? new GroupCommit(store, writeSettings.Value.MaxBatch) : null;
    private readonly StreamStates _states = new(writeSettings.Value.CachedStreams);
    private readonly StreamTurns _turns = new();

    public static readonly ActivitySource Activity = new("Ledger");

    public async Task<TState?> LoadAsync<TState>(string streamKey, Func<TState?, object, TState?> evolve, CancellationToken ct)
        where TState : class
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(streamKey, token: ct);
        return events.Aggregate((TState?)null, (s, e) => evolve(s, e.Data));
    }

    public async Task<IReadOnlySet<string>> ExistingStreamsAsync(IEnumerable<string> streamKeys, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in streamKeys.Distinct())
        {
            if (await session.Events.FetchStreamStateAsync(key, ct) is not null) found.Add(key);
        }
        return found;
    }

    public async Task<AppendResult> ExecuteAsync<TState>(
        string streamKey,
        long? expectedVersion,
        Func<TState?, object, TState?> evolve,
        Func<TState?, IReadOnlyList<object>> decide,
        RequestContext context,
        CancellationToken ct,
        AlongsideWrite? alongside = null)
        where TState : class
    {
        // Writers of one stream take turns in this node: each decides on the state the one before it committed,
        // so contention within a node costs a queue, not a conflict.
        using var turn = await _turns.EnterAsync(streamKey, ct);
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await AttemptAsync(streamKey, expectedVersion, evolve, decide, context, useCache: true, alongside, ct);
            }
            catch (Exception ex) when (IsConcurrencyFailure(ex))
            {
                // Another node (or a writer outside this one) committed first: what this node knew of the
                // stream is behind, and the next attempt reads it afresh.
                _states.Forget(streamKey);
                if (context.IdempotencyKey is not null && await FindIdempotentAsync(context, ct) is { } first)
                {
                    LedgerMetrics.IdempotentReplay();
                    return first;
                }
                if (expectedVersion is { } stale)
                {
                    var actual = await CurrentVersionAsync(streamKey, ct);
                    LedgerMetrics.Conflict();
                    LogConflict(logger, streamKey, stale, actual);
                    throw new StreamVersionConflict(streamKey, stale, actual);
                }
                // A write without If-Match asked for no condition: it is decided again until it lands, for as long
                // as the node waits for a contended stream; after that it is told to come back, never 412.
                if (Stopwatch.GetElapsedTime(started) >= _writes.ContendedWait)
                {
                    LedgerMetrics.Conflict();
                    LogKeptLosing(logger, streamKey, attempt, _writes.ContendedWait.TotalSeconds);
                    throw new StreamContended(streamKey, _writes.ContendedWait);
                }
                LogDecidingAgain(logger, streamKey, attempt);
                // A little jitter, growing to 50 ms, so that nodes that collided do not collide again in lockstep.
                await Task.Delay(Random.Shared.Next(1, Math.Min(50, 5 * attempt)), ct);
            }
        }
    }

    private async Task<AppendResult> AttemptAsync<TState>(
        string streamKey, long? expectedVersion, Func<TState?, object, TState?> evolve,
        Func<TState?, IReadOnlyList<object>> decide, RequestContext context, bool useCache, AlongsideWrite? alongside, CancellationToken ct)
        where TState : class
    {
        var prior = context.IdempotencyKey is null ? null : await LoadIdempotencyAsync(context, ct);
        if (Replay(prior, context) is { } replay)
        {
            LedgerMetrics.IdempotentReplay();
            return replay;
        }

        // The state as this node last knew it when that matches what the client expects; else the stream read and folded.
        long version = 0;
        TState? state = null;
        var cached = useCache && _states.TryGet(streamKey, out version, out state)
            && (expectedVersion is null || expectedVersion == version);
        if (!cached)
        {
            IReadOnlyList<JasperFx.Events.IEvent> history;
            await using (var read = store.QuerySession())
                history = await read.Events.FetchStreamAsync(streamKey, token: ct);
            version = history.Count == 0 ? 0 : history[^1].Version;
            state = history.Aggregate((TState?)null, (s, e) => evolve(s, e.Data));
            _states.Set(streamKey, version, state);
        }
        // Look again: a twin request may have committed between the first look and now, and its events
        // would otherwise make this one fail as a duplicate instead of a replay.
        if (context.IdempotencyKey is not null && version > 0 && await FindIdempotentAsync(context, ct) is { } twin)
        {
            LedgerMetrics.IdempotentReplay();
            return twin;
        }
        if (expectedVersion is { } expected && expected != version)
        {
            LedgerMetrics.Conflict();
            LogConflict(logger, streamKey, expected, version);
            throw new StreamVersionConflict(streamKey, expected, version);
        }

        // A refusal or a no-op decided on a kept state stands only if the stream has not moved on since;
        // if it has, the kept state is dropped and the command decided again on the stream as it is.
        async Task<bool> MovedOnAsync()
        {
            if (await CurrentVersionAsync(streamKey, ct) == version) return false;
            _states.Forget(streamKey);
            return true;
        }

        IReadOnlyList<object> events;
        using (var decideSpan = Activity.StartActivity("ledger.decide"))
        {
            decideSpan?.SetTag("ledger.stream", streamKey);
            decideSpan?.SetTag("ledger.cached", cached);
            try
            {
                events = decide(state);
            }
            catch (Exception) when (cached)
            {
                if (!await MovedOnAsync()) throw;
                return await AttemptAsync(streamKey, expectedVersion, evolve, decide, context, useCache: false, alongside, ct);
            }
            decideSpan?.SetTag("ledger.events", events.Count);
        }
        if (events.Count == 0)
        {
            if (cached && await MovedOnAsync())
                return await AttemptAsync(streamKey, expectedVersion, evolve, decide, context, useCache: false, alongside, ct);
            return new AppendResult(streamKey, version, []);
        }

        var types = events.Select(e => EventNames.All[e.GetType()]).ToList();
        var result = new AppendResult(streamKey, version + events.Count, types);
        var record = context.IdempotencyKey is null ? null : new IdempotencyRecord
        {
            Id = IdempotencyId(context),
            RequestHash = context.RequestHash ?? "",
            StreamKey = streamKey,
            Version = result.Version,
            EventTypes = types,
            RecordedAt = time.GetUtcNow(),
        };
        var append = new PendingAppend(streamKey, version, events, context, record, replacesRecord: prior is not null) { Alongside = alongside };

        using (var appendSpan = Activity.StartActivity("ledger.append"))
        {
            appendSpan?.SetTag("ledger.stream", streamKey);
            appendSpan?.SetTag("ledger.version", result.Version);
            // An append with a write alongside commits alone: such writes are rare (accounts), and a
            // failure of theirs must never fail other requests' appends batched with it.
            if (_group is not null && alongside is null) await _group.CommitAsync(append);
            else await GroupCommit.WriteAsync(store, [append], ct);
        }
        _states.Set(streamKey, result.Version, events.Aggregate(state, evolve));
        LedgerMetrics.EventsAppended(types);
        return result;
    }

    // Keys are scoped to the actor: two governments choosing the same key never collide.
    private static string IdempotencyId(RequestContext context) => context.Actor.Id + "|" + context.IdempotencyKey;

    private async Task<AppendResult?> FindIdempotentAsync(RequestContext context, CancellationToken ct) =>
        Replay(await LoadIdempotencyAsync(context, ct), context);

    private async Task<IdempotencyRecord?> LoadIdempotencyAsync(RequestContext context, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<IdempotencyRecord>(IdempotencyId(context), ct);
    }

    /// <summary>The first answer while the record is within the window; nothing once it has expired.</summary>
    private AppendResult? Replay(IdempotencyRecord? record, RequestContext context)
    {
        if (record is null || record.RecordedAt < time.GetUtcNow() - _idempotency.Window) return null;
        if (record.RequestHash != (context.RequestHash ?? ""))
            throw new IdempotencyKeyReused(context.IdempotencyKey!);
        return new AppendResult(record.StreamKey, record.Version, record.EventTypes, Replayed: true);
    }

    private async Task<long> CurrentVersionAsync(string streamKey, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var state = await session.Events.FetchStreamStateAsync(streamKey, ct);
        return state?.Version ?? 0;
    }

    internal static bool IsConcurrencyFailure(Exception ex) =>
        ex is ConcurrencyException or ExistingStreamIdCollisionException or DocumentAlreadyExistsException
        || ex.InnerException is ConcurrencyException or ExistingStreamIdCollisionException;

    public async ValueTask DisposeAsync()
    {
        if (_group is not null) await _group.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Stream} moved on while attempt {Attempt} was deciding; deciding again")]
    private static partial void LogDecidingAgain(ILogger logger, string stream, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Version conflict (412): {Stream} is at version {Actual}, not {Expected}")]
    private static partial void LogConflict(ILogger logger, string stream, long expected, long actual);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream busy (503): {Stream} moved on under each of {Attempts} attempts in {Seconds} s; the client is asked to retry")]
    private static partial void LogKeptLosing(ILogger logger, string stream, int attempts, double seconds);
}
