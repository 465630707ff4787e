using System.Diagnostics.Metrics;
using System.Globalization;
using JasperFx;
using JasperFx.Events.Daemon;
using Ledger.Infrastructure.Telemetry;
using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ledger.Infrastructure.Daemon;

/// <summary>
/// Section <c>Projections</c>: how far the supervision views may fall behind before readiness turns
/// degraded (<c>MaxLagSeconds</c>, default 60), how long a freshness reading serves metrics and
/// readiness (<c>StatusMaxAge</c>, default 5 s), and how often a node that does not run the daemon's
/// shard tries for its lock (<c>LeadershipPolling</c>, default 5 s, Marten's own default): after the
/// active node stops, another one takes over within about this long.
/// </summary>
public sealed class ProjectionSettings
{
    public const string Section = "Projections";

    public double MaxLagSeconds { get; set; } = 60;

    public TimeSpan StatusMaxAge { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan LeadershipPolling { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Refuses projection settings that cannot be used, naming the key.</summary>
public sealed class ProjectionSettingsValidator : IValidateOptions<ProjectionSettings>
{
    public ValidateOptionsResult Validate(string? name, ProjectionSettings options)
    {
        var failures = new List<string>();
        if (!(options.MaxLagSeconds >= 0) || double.IsInfinity(options.MaxLagSeconds))
            failures.Add($"{ProjectionSettings.Section}:MaxLagSeconds must be a number of seconds, zero or more: '{options.MaxLagSeconds.ToString(CultureInfo.InvariantCulture)}'.");
        if (options.StatusMaxAge < TimeSpan.Zero)
            failures.Add($"{ProjectionSettings.Section}:StatusMaxAge must be a non-negative TimeSpan (d.hh:mm:ss.fff): '{options.StatusMaxAge:c}'.");
        if (options.LeadershipPolling <= TimeSpan.Zero)
            failures.Add($"{ProjectionSettings.Section}:LeadershipPolling must be a positive TimeSpan (d.hh:mm:ss.fff): '{options.LeadershipPolling:c}'.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Which node, as this one sees it, runs the supervision projection's shard.</summary>
public enum ShardRunner
{
    /// <summary>This node holds the shard's lock and its agent is running.</summary>
    ThisNode,

    /// <summary>Another process holds the shard's advisory lock.</summary>
    AnotherNode,

    /// <summary>Nobody holds the lock: the views are not being kept current until a node takes it.</summary>
    NoNode,
}

/// <summary>
/// The supervision views' lag for metrics and readiness, and who runs their shard. Freshness is read
/// from PostgreSQL at most once per <see cref="ProjectionSettings.StatusMaxAge"/> of real time:
/// scrapes and probes in between are answered from the last reading. Real time, not the ledger's
/// clock: the cache bounds database load, and the ledger's clock may be a test's that stands still.
/// The gauges, in the ledger's meter: <c>ledger.projection.lag_events</c> and
/// <c>ledger.projection.lag_seconds</c>, both as of the last reading.
/// </summary>
public sealed class ProjectionMonitor(
    ProjectionFreshness freshness, IOptions<ProjectionSettings> projections, IDocumentStore store,
    IEnumerable<Marten.Events.Daemon.Coordination.IProjectionCoordinator> coordinators, IMeterFactory meters)
{
    // Gauge callbacks are synchronous; one waits this long for a reading before it reports nothing.
    private static readonly TimeSpan ObserveTimeout = TimeSpan.FromSeconds(2);

    private readonly ProjectionSettings _settings = projections.Value;
    private readonly SemaphoreSlim _reading = new(1, 1);
    private readonly Lock _publishing = new();
    private readonly TimeProvider _real = TimeProvider.System;
    private volatile Reading? _last;
    private long _failedAt = long.MinValue;
    private Meter? _meter;

    private sealed record Reading(Freshness Freshness, long At);

    /// <summary>The daemon mode this node runs (HotCold, or ExternallyManaged when <c>Ledger:Daemon</c> is Disabled).</summary>
    public DaemonMode Mode { get; } = ((DocumentStore)store).Options.Projections.AsyncMode;

    /// <summary>The last reading if it is recent enough, else a new one (one reader at a time; the others wait for it).</summary>
    public async Task<Freshness> CurrentAsync(CancellationToken ct)
    {
        if (Fresh() is { } cached) return cached;
        await _reading.WaitAsync(ct);
        try
        {
            if (Fresh() is { } justRead) return justRead;
            var reading = await freshness.CheckAsync(ct);
            _last = new Reading(reading, _real.GetTimestamp());
            return reading;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            Volatile.Write(ref _failedAt, _real.GetTimestamp());
            throw;
        }
        finally
        {
            _reading.Release();
        }
    }

    /// <summary>
    /// Who runs the supervision shard: this node when its daemon's agent for the shard is running, else
    /// whoever holds the shard's advisory lock in PostgreSQL (Marten's HotCold election lock).
    /// </summary>
    public async Task<ShardRunner> RunnerAsync(CancellationToken ct)
    {
        if (Mode == DaemonMode.HotCold &&
            coordinators.FirstOrDefault() is { } coordinator &&
            coordinator.DaemonForMainDatabase().StatusFor(ProjectionFreshness.ShardName) == AgentStatus.Running)
            return ShardRunner.ThisNode;

        return await ShardLockHolderAsync(ct) is null ? ShardRunner.NoNode : ShardRunner.AnotherNode;
    }

    /// <summary>The application name of the session holding the shard's advisory lock (it names the node), or null when none holds it.</summary>
    public async Task<string?> ShardLockHolderAsync(CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        // An advisory lock taken with one bigint key shows in pg_locks as its high and low 32 bits (classid, objid) with objsubid 1.
        var key = LockId();
        await using var command = new NpgsqlCommand("""
            select coalesce(a.application_name, '') from pg_locks l left join pg_stat_activity a on a.pid = l.pid
            where l.locktype = 'advisory' and l.granted and l.classid = $1::oid and l.objid = $2::oid and l.objsubid = 1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = (long)(uint)(key >> 32) });
        command.Parameters.Add(new NpgsqlParameter { Value = (long)(uint)key });
        return await command.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>The advisory lock key Marten's HotCold election uses for the supervision shard in this store's schema.</summary>
    public long LockId()
    {
        var options = ((DocumentStore)store).Options;
        var shard = options.Projections.AllShards().Single(s => s.Name.Identity == ProjectionFreshness.ShardName).Name;
        return ProjectionLockIds.Compute(options.Events.DatabaseSchemaName, shard, options.Projections.DaemonLockId);
    }

    /// <summary>Publishes the gauges (once); they read through <see cref="CurrentAsync"/>.</summary>
    public void PublishGauges()
    {
        lock (_publishing)
        {
            if (_meter is not null) return;
            _meter = meters.Create(LedgerMetrics.MeterName);
            _meter.CreateObservableGauge("ledger.projection.lag_events", () => Observe(f => new Measurement<long>(f.EventsBehind)),
                unit: "{event}", description: "Committed events the supervision views have not processed yet.");
            _meter.CreateObservableGauge("ledger.projection.lag_seconds", () => Observe(f => new Measurement<double>(f.SecondsBehind)),
                unit: "s", description: "Age of the oldest committed event the supervision views have not processed yet; 0 when current.");
        }
    }

    // A gauge with no reading reports nothing rather than a stale number; after a failed read it does
    // not try again until a reading would have expired, so an outage does not slow every collection.
    private IEnumerable<Measurement<T>> Observe<T>(Func<Freshness, Measurement<T>> measure) where T : struct
    {
        if (Fresh() is { } cached) return [measure(cached)];
        var failedAt = Volatile.Read(ref _failedAt);
        if (failedAt != long.MinValue && _real.GetElapsedTime(failedAt) < _settings.StatusMaxAge) return [];
        try
        {
            using var timeout = new CancellationTokenSource(ObserveTimeout);
            return [measure(CurrentAsync(timeout.Token).GetAwaiter().GetResult())];
        }
        catch (Exception)
        {
            Volatile.Write(ref _failedAt, _real.GetTimestamp());
            return [];
        }
    }

    private Freshness? Fresh() =>
        _last is { } last && _real.GetElapsedTime(last.At) < _settings.StatusMaxAge ? last.Freshness : null;
}

/// <summary>Publishes the projection gauges when the host starts, on every node, whether or not it runs the shard.</summary>
public sealed class ProjectionGauges(ProjectionMonitor monitor) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        monitor.PublishGauges();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
