using Ledger.Infrastructure.Writing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ledger.Infrastructure.Telemetry;

/// <summary>
/// Traces, metrics and logs, wired in one place: ASP.NET Core, Npgsql, Marten and the ledger's own
/// source and meter. Exported over OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the
/// other standard <c>OTEL_*</c> variables apply); without it nothing leaves the process.
/// </summary>
public static class LedgerTelemetry
{
    public const string DefaultServiceName = "ledger-api";
    public const string MartenSource = "Marten";

    public static IServiceCollection AddLedgerTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] ?? DefaultServiceName))
            .WithTracing(tracing => tracing
                .AddSource(LedgerWriter.Activity.Name)
                .AddSource(MartenSource)
                // Probes hit /health every few seconds; their spans would drown the requests that matter.
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                .AddNpgsql())
            .WithMetrics(metrics => metrics
                .AddMeter(LedgerMetrics.MeterName)
                .AddMeter(MartenSource)
                .AddAspNetCoreInstrumentation()
                .AddNpgsqlInstrumentation())
            .WithLogging(configureBuilder: null, configureOptions: o =>
            {
                o.IncludeScopes = true;
                o.IncludeFormattedMessage = true;
            });

        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            telemetry.UseOtlpExporter();

        // The host puts TraceId/SpanId in every log scope; show scopes so console lines can be
        // matched to a trace even when no collector is configured.
        services.Configure<SimpleConsoleFormatterOptions>(o => o.IncludeScopes = true);
        services.Configure<JsonConsoleFormatterOptions>(o => o.IncludeScopes = true);
        return services;
    }
}
