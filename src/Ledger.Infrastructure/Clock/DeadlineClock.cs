using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Ledger.Infrastructure.Resilience;
using Ledger.Infrastructure.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Ledger.Infrastructure.Clock;

/// <summary>
/// Runs the deadline clock on exactly one node at a time. Every node tries, each interval, for a
/// PostgreSQL session advisory lock on a connection of its own; the one that holds it leads and runs
/// a <see cref="ClockPass"/> at every tick, the others keep trying. The lock lives as long as the
/// leader's database session: when the leader stops or its connection breaks, PostgreSQL releases it
/// and another node takes over at its next try; a leader that is paused loses it when its
/// <see cref="Store.SessionLease"/> runs out. A deposed leader that does not know it yet can run at
/// most one more pass, and that pass appends nothing twice (each notice is decided on the stream's
/// current version and a concurrent append fails at commit).
/// </summary>
public sealed partial class DeadlineClock(
    ClockPass pass, IOptions<ClockSettings> clock, ClockLeadership leadership, LedgerSettings ledger, TimeProvider time, ILogger<DeadlineClock> logger)
    : BackgroundService
{
    private readonly ClockSettings _settings = clock.Value;
    private readonly long _lockKey = LockKey(ledger.Schema);
    private readonly ResiliencePipeline _connect = ConnectPipeline(clock.Value.Interval);
    private NpgsqlConnection? _connection;

    /// <summary>
    /// The advisory lock key for a store's schema: the first eight bytes of SHA-256("ledger-clock:" + schema).
    /// Schemas sharing one database (tests, tenants) each elect their own leader; a 64-bit key keeps
    /// clear of the small integer keys Marten's daemon locks with.
    /// </summary>
    public static long LockKey(string schema) =>
        BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes("ledger-clock:" + schema)));

    /// <summary>Whether some session (this node's or another's) holds the clock's advisory lock for <paramref name="schema"/>.</summary>
    public static async Task<bool> LockHeldAsync(string connectionString, string schema, CancellationToken ct)
    {
        var key = LockKey(schema);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        // A bigint advisory lock shows in pg_locks as its high and low 32 bits (classid, objid) with objsubid 1.
        await using var command = new NpgsqlCommand(
            "select exists(select 1 from pg_locks where locktype = 'advisory' and granted and classid = @high::oid and objid = @low::oid and objsubid = 1)", connection);
        command.Parameters.AddWithValue("high", (long)(uint)(key >> 32));
        command.Parameters.AddWithValue("low", (long)(uint)key);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (await LeadAsync(stoppingToken))
                    {
                        var result = await pass.RunAsync(time.GetUtcNow(), stoppingToken);
                        leadership.Passed(result);
                        LogPass(logger, result.At, result.Commitments, result.Approaching, result.Overdue, result.Missing, result.Contended);
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    leadership.Failed(ex.Message, time.GetUtcNow());
                    LogFailed(logger, leadership.NodeId, ex);
                }
                try
                {
                    await Task.Delay(_settings.Interval, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
        finally
        {
            await StepDownAsync();
        }
    }

    /// <summary>True while this node holds the lock: checked on the lock's own session at every tick.</summary>
    private async Task<bool> LeadAsync(CancellationToken ct)
    {
        if (leadership.IsLeader)
        {
            try
            {
                await using var check = new NpgsqlCommand("select 1", _connection);
                await check.ExecuteScalarAsync(ct);
                return true;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // The session is gone and the lock with it; another node may already lead.
                LogLost(logger, leadership.NodeId, ex);
                await StepDownAsync();
            }
        }

        var acquired = await _connect.ExecuteAsync(async token =>
        {
            if (_connection is not { State: System.Data.ConnectionState.Open })
            {
                await DisposeConnectionAsync();
                _connection = new NpgsqlConnection(LockConnectionString());
                await _connection.OpenAsync(token);
            }
            await using var tryLock = new NpgsqlCommand("select pg_try_advisory_lock(@key)", _connection);
            tryLock.Parameters.AddWithValue("key", _lockKey);
            return (bool)(await tryLock.ExecuteScalarAsync(token))!;
        }, ct);
        if (!acquired) return false;

        leadership.Elected(time.GetUtcNow());
        LogElected(logger, leadership.NodeId, ledger.Schema);
        return true;
    }

    private string LockConnectionString()
    {
        var builder = new NpgsqlConnectionStringBuilder(ledger.ConnectionString)
        {
            // A session of its own: a pooled connection would outlive this node's leadership in the pool.
            Pooling = false,
            ApplicationName = "ledger-clock " + leadership.NodeId,
        };
        // A broken session is noticed between ticks too, not only at the next check; under a session lease
        // the keepalive is the lease's own (a quarter of it), so a live leader keeps its lock and a paused
        // one loses it when the lease runs out.
        builder.KeepAlive = builder.KeepAlive is > 0 and < 15 ? builder.KeepAlive : 15;
        return builder.ConnectionString;
    }

    private async Task StepDownAsync()
    {
        var wasLeader = leadership.IsLeader;
        leadership.Deposed();
        // Closing the session releases the lock; no unlock call is needed, and none could help a broken one.
        await DisposeConnectionAsync();
        if (wasLeader) LogSteppedDown(logger, leadership.NodeId);
    }

    private async Task DisposeConnectionAsync()
    {
        if (_connection is null) return;
        try
        {
            await _connection.DisposeAsync();
        }
        catch (NpgsqlException)
        {
            // Already broken: nothing left to close.
        }
        _connection = null;
    }

    /// <summary>
    /// Opening the lock connection backs off exponentially while PostgreSQL is unreachable, within one
    /// interval; what still fails waits for the next tick. Only the connection and the lock attempt are
    /// retried — a pass's commits never are.
    /// </summary>
    private static ResiliencePipeline ConnectPipeline(TimeSpan interval) => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(StartupResilience.IsTransient),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = interval,
            MaxRetryAttempts = 3,
        })
        .Build();

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Clock pass at {At:O}: {Commitments} commitments watched; appended {Approaching} approaching, {Overdue} overdue, {Missing} report missing ({Contended} streams left for the next pass)")]
    private static partial void LogPass(ILogger logger, DateTimeOffset at, int commitments, int approaching, int overdue, int missing, int contended);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeId} leads the deadline clock for schema {Schema}")]
    private static partial void LogElected(ILogger logger, string nodeId, string schema);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeId} no longer leads the deadline clock")]
    private static partial void LogSteppedDown(ILogger logger, string nodeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {NodeId} lost the deadline clock's lock connection; trying to lead again")]
    private static partial void LogLost(ILogger logger, string nodeId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deadline clock on node {NodeId} failed; trying again at the next interval")]
    private static partial void LogFailed(ILogger logger, string nodeId, Exception exception);
}
