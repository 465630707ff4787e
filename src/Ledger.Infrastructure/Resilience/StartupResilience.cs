using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Ledger.Infrastructure.Resilience;

/// <summary>
/// How long and how often the ledger tries PostgreSQL at start-up, and how quickly readiness gives
/// up on it (section <c>Resilience</c>; TimeSpans as <c>hh:mm:ss</c>).
/// </summary>
public sealed class ResilienceSettings
{
    public const string Section = "Resilience";

    /// <summary>The whole wait for PostgreSQL at start-up, all attempts and pauses included.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The first pause between attempts; it doubles (with jitter) up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one readiness check may wait for PostgreSQL.</summary>
    public TimeSpan ReadinessTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>After failed readiness checks, how long they answer "not ready" without connecting.</summary>
    public TimeSpan ReadinessBreak { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Resilience pipelines for connections only. There is deliberately none around a commit: Marten's
/// <c>SaveChangesAsync</c> is never retried, because a commit that timed out on the client may still
/// have landed on the server, and running it again appends the events twice (marten issue 5262).
/// A client's retry is made safe by its Idempotency-Key instead, and a version conflict re-runs the
/// whole fetch → decide → append (see LedgerWriter), which is not a blind retry.
/// </summary>
public static class StartupResilience
{
    /// <summary>Failures worth another try: the server is starting, restarting or briefly unreachable.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        NpgsqlException npgsql => npgsql.IsTransient,
        SocketException or TimeoutException => true,
        _ => false,
    };

    /// <summary>
    /// Retries transient failures with exponential back-off and jitter, all within one total timeout,
    /// so that a database that never comes up ends the start-up with an error instead of a hang.
    /// </summary>
    public static ResiliencePipeline ForStartup(ResilienceSettings settings, Action<OnRetryArguments<object>>? onRetry = null) =>
        new ResiliencePipelineBuilder()
            .AddTimeout(settings.StartupTimeout)
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.FirstDelay,
                MaxDelay = settings.MaxDelay,
                // The total timeout bounds the attempts, not a count.
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    onRetry?.Invoke(args);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    /// <summary>
    /// For readiness: each check is bounded by a timeout, and after repeated failures the circuit
    /// opens so that checks answer at once while PostgreSQL is down, instead of each one waiting for
    /// a connection timeout while probes pile up.
    /// </summary>
    public static ResiliencePipeline ForReadiness(ResilienceSettings settings) =>
        new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>().Handle<SocketException>()
                    .Handle<TimeoutException>().Handle<TimeoutRejectedException>(),
                FailureRatio = 0.5,
                MinimumThroughput = 2,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = settings.ReadinessBreak,
            })
            .AddTimeout(settings.ReadinessTimeout)
            .Build();

    /// <summary>
    /// Registers the wait for PostgreSQL and the readiness circuit. Call it before AddMarten: the
    /// wait runs in <see cref="IHostedLifecycleService.StartingAsync"/>, ahead of every hosted
    /// service's StartAsync, Marten's schema migration included.
    /// </summary>
    public static IServiceCollection AddStartupResilience(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = new ResilienceSettings();
        configuration.GetSection(ResilienceSettings.Section).Bind(settings);
        services.AddSingleton(settings);
        services.AddSingleton(new ReadinessCircuit(ForReadiness(settings)));
        services.AddHostedService<WaitForPostgres>();
        return services;
    }
}

/// <summary>The pipeline the readiness check opens its connections through.</summary>
public sealed class ReadinessCircuit(ResiliencePipeline pipeline)
{
    public ResiliencePipeline Pipeline { get; } = pipeline;
}
