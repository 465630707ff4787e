using Ledger.Infrastructure.Clock;
using Ledger.Infrastructure.Daemon;
using Ledger.Infrastructure.Integrity;
using Ledger.Infrastructure.Resilience;
using Ledger.Infrastructure.Store;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using Polly;

namespace Ledger.Api.Health;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = Write }).WithTags("Health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { ResponseWriter = Write }).WithTags("Health");
        return app;
    }

    private static Task Write(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString().ToLowerInvariant(), detail = e.Value.Description }),
        });
    }
}

/// <summary>
/// Ready when PostgreSQL answers and the ledger's event table exists in the configured schema. The
/// check goes through the readiness circuit: while PostgreSQL is down it answers at once.
/// </summary>
public sealed class PostgresReadyCheck(LedgerSettings settings, ReadinessCircuit circuit) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var schemaReady = await circuit.Pipeline.ExecuteAsync(token => new ValueTask<bool>(LedgerSchema.InPlaceAsync(settings, token)), ct);
            return schemaReady
                ? HealthCheckResult.Healthy("PostgreSQL answers and the schema is in place")
                : HealthCheckResult.Unhealthy("the ledger schema is missing");
        }
        catch (Exception ex) when (Readiness.CannotRead(ex))
        {
            return HealthCheckResult.Unhealthy("PostgreSQL does not answer");
        }
    }
}

/// <summary>
/// Healthy while the Merkle log is at most <c>Integrity:MaxLagEvents</c> events behind the ledger;
/// degraded beyond that, or when its status cannot be read. Degraded, not unhealthy: writes still
/// commit and are integrated once the log catches up, so the node stays in service (readiness
/// answers 200) while the lag shows in the report and in <c>ledger.merkle.lag_events</c>.
/// </summary>
public sealed class IntegrityLagCheck(IntegrityMonitor monitor, IOptions<IntegrityOptions> integrity, ReadinessCircuit circuit) : IHealthCheck
{
    private readonly IntegrityOptions _options = integrity.Value;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Readiness.LagAsync(circuit, async token => await monitor.CurrentAsync(token),
            status => (status.EventsBehind <= _options.MaxLagEvents,
                $"the Merkle log is {status.EventsBehind} events behind the ledger (limit {_options.MaxLagEvents}); tree size {status.TreeSize}"),
            "the Merkle log's status cannot be read", ct);
}

/// <summary>
/// Each configured witness and how far behind the latest checkpoint its cosignature is. Healthy when every
/// witness has cosigned within <c>Integrity:MaxWitnessLagLeaves</c> leaves (default 10,000) of the latest
/// checkpoint, or when none is configured; degraded otherwise. Degraded, never unhealthy: a witness that is
/// down delays its cosignatures, not the ledger's appends. The lag is also <c>ledger.witness.lag_leaves</c>.
/// </summary>
public sealed class WitnessCheck(WitnessCosigning cosigning, IOptions<IntegrityOptions> integrity) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (cosigning.Witnesses.Count == 0)
            return Task.FromResult(HealthCheckResult.Healthy("no witness is configured: checkpoints carry the ledger's signature alone"));
        var limit = integrity.Value.MaxWitnessLagLeaves;
        var statuses = cosigning.Status();
        var detail = string.Join("; ", statuses.Select(s =>
            $"{s.Name}: cosigned {s.CosignedSize}, {s.LagLeaves} behind" + (s.LastError is null ? "" : $" (last error: {s.LastError})")));
        return Task.FromResult(statuses.All(s => s.LagLeaves <= limit && (s.LastCosignedAt is not null || s.LastError is null))
            ? HealthCheckResult.Healthy(detail)
            : HealthCheckResult.Degraded($"{detail} (limit {limit} leaves)"));
    }
}

/// <summary>
/// Healthy while the supervision views are at most <c>Projections:MaxLagSeconds</c> (default 60) behind
/// the ledger; degraded beyond that or when their position cannot be read. The views are shared by
/// every node, so a node whose daemon stands by (HotCold: another node holds the shard) or is off is
/// healthy as long as some node keeps them current; the detail says which node runs the shard.
/// Degraded, not unhealthy: every answer carries its freshness, so a lagging view is visible to its
/// reader, and writes go on.
/// </summary>
public sealed class ProjectionLagCheck(ProjectionMonitor monitor, IOptions<ProjectionSettings> projections, ReadinessCircuit circuit) : IHealthCheck
{
    private readonly ProjectionSettings _settings = projections.Value;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Readiness.LagAsync(circuit, async token => (Freshness: await monitor.CurrentAsync(token), Runner: await monitor.RunnerAsync(token)),
            status => (status.Freshness.SecondsBehind <= _settings.MaxLagSeconds, Detail(status.Freshness, status.Runner)),
            "the supervision views' position cannot be read", ct);

    private string Detail(Freshness f, ShardRunner runner)
    {
        var daemon = (monitor.Mode, runner) switch
        {
            (_, ShardRunner.ThisNode) => "this node runs the supervision projection",
            (JasperFx.Events.Daemon.DaemonMode.HotCold, ShardRunner.AnotherNode) => "another node runs the supervision projection; this node stands by",
            (JasperFx.Events.Daemon.DaemonMode.HotCold, _) => "no node runs the supervision projection; this node is waiting to take it",
            (_, ShardRunner.AnotherNode) => "the daemon is off on this node; another node runs the supervision projection",
            _ => "the daemon is off on this node and no node runs the supervision projection",
        };
        return $"the supervision views are {f.EventsBehind} events and {f.SecondsBehind:0.#} s behind the ledger (limit {_settings.MaxLagSeconds:0.#} s); {daemon}";
    }
}

/// <summary>
/// The deadline clock: healthy when this node leads it, when another node holds its advisory lock,
/// or when it is switched off here by configuration; degraded when this node runs it and no node holds it (deadlines are then not watched,
/// though nothing is lost: the next leader's first pass appends whatever fell due meanwhile).
/// </summary>
public sealed class ClockLeaderCheck(ClockLeadership leadership, LedgerSettings settings, ReadinessCircuit circuit) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (!leadership.Enabled)
            return HealthCheckResult.Healthy("the clock is off on this node (Clock:Enabled is false)");
        if (leadership.IsLeader)
            return HealthCheckResult.Healthy($"this node leads the clock since {leadership.LeaderSince:O}; last pass at {leadership.LastPassAt:O}");
        try
        {
            var heldElsewhere = await circuit.Pipeline.ExecuteAsync(
                token => new ValueTask<bool>(DeadlineClock.LockHeldAsync(settings.ConnectionString, settings.Schema, token)), ct);
            if (heldElsewhere) return HealthCheckResult.Healthy("another node leads the clock");
            var error = leadership.LastError is { } e ? $" (last error: {e})" : "";
            return HealthCheckResult.Degraded($"no node leads the deadline clock; this node is waiting to lead it{error}");
        }
        catch (Exception ex) when (Readiness.CannotRead(ex))
        {
            return HealthCheckResult.Degraded("the clock's leadership cannot be read");
        }
    }
}

/// <summary>What the readiness checks share: which failures mean "cannot be read", and the lag checks' verdict.</summary>
internal static class Readiness
{
    /// <summary>PostgreSQL down or slow, or the readiness circuit refusing to try: the check reports it rather than throwing.</summary>
    public static bool CannotRead(Exception ex) =>
        ex is NpgsqlException or TimeoutException or OperationCanceledException or ExecutionRejectedException;

    /// <summary>
    /// Reads a status through the readiness circuit: healthy within its limit, degraded beyond it or when it
    /// cannot be read. Degraded, not unhealthy: a lag keeps the node in service and shows in the report.
    /// </summary>
    public static async Task<HealthCheckResult> LagAsync<T>(
        ReadinessCircuit circuit, Func<CancellationToken, ValueTask<T>> read, Func<T, (bool WithinLimit, string Detail)> judge, string unreadable, CancellationToken ct)
    {
        try
        {
            var (withinLimit, detail) = judge(await circuit.Pipeline.ExecuteAsync(read, ct));
            return withinLimit ? HealthCheckResult.Healthy(detail) : HealthCheckResult.Degraded(detail);
        }
        catch (Exception ex) when (CannotRead(ex))
        {
            return HealthCheckResult.Degraded(unreadable);
        }
    }
}
