using Ledger.Infrastructure.Integrity;
using Ledger.Infrastructure.Resilience;
using Ledger.Infrastructure.Store;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
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
            var schemaReady = await circuit.Pipeline.ExecuteAsync(async token =>
            {
                await using var connection = new NpgsqlConnection(settings.ConnectionString);
                await connection.OpenAsync(token);
                await using var command = new NpgsqlCommand("select to_regclass(@table) is not null", connection);
                command.Parameters.AddWithValue("table", settings.Schema + ".mt_events");
                return (bool)(await command.ExecuteScalarAsync(token))!;
            }, ct);
            return schemaReady
                ? HealthCheckResult.Healthy("PostgreSQL answers and the schema is in place")
                : HealthCheckResult.Unhealthy("the ledger schema is missing");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException or ExecutionRejectedException)
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
public sealed class IntegrityLagCheck(IntegrityMonitor monitor, IntegrityOptions options, ReadinessCircuit circuit) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var status = await circuit.Pipeline.ExecuteAsync(async token => await monitor.CurrentAsync(token), ct);
            var detail = $"the Merkle log is {status.EventsBehind} events behind the ledger (limit {options.MaxLagEvents}); tree size {status.TreeSize}";
            return status.EventsBehind <= options.MaxLagEvents ? HealthCheckResult.Healthy(detail) : HealthCheckResult.Degraded(detail);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException or ExecutionRejectedException)
        {
            return HealthCheckResult.Degraded("the Merkle log's status cannot be read");
        }
    }
}
