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
