using System.Diagnostics.Metrics;
using Ledger.Infrastructure.Telemetry;
using Microsoft.Extensions.Options;

namespace Ledger.Infrastructure.Integrity;

/// <summary>The Merkle log's status as last read: its size, the events not yet in it, its latest checkpoint's time.</summary>
public sealed record IntegrityStatus(long TreeSize, long LastSequence, long EventsBehind, DateTimeOffset? LatestCheckpointAt, DateTimeOffset ReadAt);

/// <summary>
/// The log's status for metrics and readiness. It is read from PostgreSQL at most once per
/// <see cref="IntegrityOptions.StatusMaxAge"/>: scrapes and probes in between are answered from the
/// last read, so a busy scraper or load balancer does not become database load. The gauges, in the
/// ledger's meter: <c>ledger.merkle.tree_size</c>, <c>ledger.merkle.lag_events</c> and
/// <c>ledger.checkpoint.age_seconds</c> (the age is computed at each observation, not cached).
/// </summary>
public sealed class IntegrityMonitor(LedgerIntegrity integrity, IOptions<IntegrityOptions> integrityOptions, TimeProvider time, IMeterFactory meters)
{
    private readonly IntegrityOptions _options = integrityOptions.Value;

    // Gauge callbacks are synchronous; one waits this long for a read before it reports nothing.
    private static readonly TimeSpan ObserveTimeout = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _reading = new(1, 1);
    private readonly Lock _publishing = new();
    private volatile IntegrityStatus? _last;
    private long _failedAtTicks = long.MinValue;
    private Meter? _meter;

    /// <summary>The last read if it is recent enough, else a new one (one reader at a time; the others wait for it).</summary>
    public async Task<IntegrityStatus> CurrentAsync(CancellationToken ct)
    {
        if (Fresh() is { } cached) return cached;
        await _reading.WaitAsync(ct);
        try
        {
            if (Fresh() is { } justRead) return justRead;
            var (size, lastSeq, behind, latest) = await integrity.StatusAsync(ct);
            var status = new IntegrityStatus(size, lastSeq, behind, latest?.CreatedAt, time.GetUtcNow());
            _last = status;
            return status;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            Volatile.Write(ref _failedAtTicks, time.GetUtcNow().UtcTicks);
            throw;
        }
        finally
        {
            _reading.Release();
        }
    }

    /// <summary>Publishes the gauges (once); they read through <see cref="CurrentAsync"/>.</summary>
    public void PublishGauges()
    {
        lock (_publishing)
        {
            if (_meter is not null) return;
            _meter = meters.Create(LedgerMetrics.MeterName);
            _meter.CreateObservableGauge("ledger.merkle.tree_size", () => Observe(s => s.TreeSize),
                unit: "{leaf}", description: "Events integrated into the Merkle log.");
            _meter.CreateObservableGauge("ledger.merkle.lag_events", () => Observe(s => s.EventsBehind),
                unit: "{event}", description: "Committed events not yet integrated into the Merkle log.");
            _meter.CreateObservableGauge("ledger.checkpoint.age_seconds", ObserveCheckpointAge,
                unit: "s", description: "Time since the latest signed checkpoint.");
        }
    }

    private IEnumerable<Measurement<long>> Observe(Func<IntegrityStatus, long> value) =>
        Observed() is { } status ? [new Measurement<long>(value(status))] : [];

    private IEnumerable<Measurement<double>> ObserveCheckpointAge() =>
        Observed() is { LatestCheckpointAt: { } signedAt } ? [new Measurement<double>((time.GetUtcNow() - signedAt).TotalSeconds)] : [];

    // A gauge with no reading reports nothing rather than a stale number; after a failed read it does
    // not try again until the status would have expired, so an outage does not slow every collection.
    private IntegrityStatus? Observed()
    {
        if (Fresh() is { } cached) return cached;
        var failedAt = Volatile.Read(ref _failedAtTicks);
        if (failedAt != long.MinValue && time.GetUtcNow().UtcTicks - failedAt < _options.StatusMaxAge.Ticks) return null;
        try
        {
            using var timeout = new CancellationTokenSource(ObserveTimeout);
            return CurrentAsync(timeout.Token).GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            Volatile.Write(ref _failedAtTicks, time.GetUtcNow().UtcTicks);
            return null;
        }
    }

    private IntegrityStatus? Fresh() =>
        _last is { } last && time.GetUtcNow() - last.ReadAt < _options.StatusMaxAge ? last : null;
}
