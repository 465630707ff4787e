using Ledger.Infrastructure.Resilience;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ledger.Infrastructure.Integrity;

/// <summary>
/// Keeps the Merkle log current and signs checkpoints at an interval. The schema (tables and the
/// append-only trigger) is in place before the API serves its first request. Several nodes may run
/// this: the integrator's row lock lets one batch through at a time.
/// </summary>
public sealed class IntegrityWorker(
    LedgerIntegrity integrity, IntegrityOptions options, TimeProvider time, IntegrityMonitor monitor, ILogger<IntegrityWorker> logger)
    : BackgroundService
{

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await integrity.EnsureSchemaAsync(cancellationToken);
        // The log's gauges are published from here on, whether or not this node integrates.
        monitor.PublishGauges();
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.RunInBackground) return;
        var nextCheckpoint = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var outcome = await integrity.Integrator.IntegrateAsync(ct: stoppingToken);
                if (time.GetUtcNow() >= nextCheckpoint)
                {
                    // The leaves are committed and not yet signed over: a crash here must cost nothing.
                    if (outcome.Integrated > 0) Failpoints.Reach(Failpoints.MerkleAfterIntegrating);
                    await integrity.CheckpointAsync(stoppingToken);
                    nextCheckpoint = time.GetUtcNow() + options.CheckpointInterval;
                }
                if (outcome.Integrated == 0 || outcome.WaitingOnGap)
                    await Task.Delay(options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The log only ever appends what has committed; a failed batch is redone whole.
                logger.LogWarning(ex, "Merkle integration failed; retrying");
                await Task.Delay(options.PollInterval * 4, stoppingToken);
            }
        }
    }
}

/// <summary>
/// Asks the configured witnesses to cosign the latest checkpoint, apart from the Merkle worker so that a
/// witness that is slow or down never holds up the log. Each pass reads the latest checkpoint and submits it
/// to the witnesses that have not cosigned it and are not pausing after a failure.
/// </summary>
public sealed class WitnessWorker(LedgerIntegrity integrity, WitnessCosigning cosigning, IntegrityOptions options, ILogger<WitnessWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.RunInBackground || cosigning.Witnesses.Count == 0) return;
        var pause = options.PollInterval * 2;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if ((await integrity.ListAsync(1, stoppingToken)).FirstOrDefault() is { } latest)
                    await cosigning.SubmitAsync(latest, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Reading the latest checkpoint for the witnesses failed; retrying");
                pause = options.PollInterval * 8;
            }
            await Task.Delay(pause, stoppingToken);
            pause = options.PollInterval * 2;
        }
    }
}

/// <summary>
/// How often the log is brought up to date and a checkpoint signed; how far behind the events it may
/// fall before readiness reports it degraded (<c>Integrity:MaxLagEvents</c>); how long a read of its
/// status serves metrics and health checks (<c>Integrity:StatusMaxAge</c>).
/// </summary>
public sealed record IntegrityOptions(TimeSpan PollInterval, TimeSpan CheckpointInterval, bool RunInBackground)
{
    public long MaxLagEvents { get; init; } = 10_000;

    public TimeSpan StatusMaxAge { get; init; } = TimeSpan.FromSeconds(5);

    public static IntegrityOptions From(Microsoft.Extensions.Configuration.IConfiguration configuration) => new(
        TimeSpan.TryParse(configuration["Integrity:PollInterval"], System.Globalization.CultureInfo.InvariantCulture, out var poll) ? poll : TimeSpan.FromMilliseconds(500),
        TimeSpan.TryParse(configuration["Integrity:CheckpointInterval"], System.Globalization.CultureInfo.InvariantCulture, out var every) ? every : TimeSpan.FromMinutes(5),
        !string.Equals(configuration["Integrity:Background"], "false", StringComparison.OrdinalIgnoreCase))
    {
        MaxLagEvents = long.TryParse(configuration["Integrity:MaxLagEvents"], System.Globalization.CultureInfo.InvariantCulture, out var lag) && lag >= 0 ? lag : 10_000,
        StatusMaxAge = TimeSpan.TryParse(configuration["Integrity:StatusMaxAge"], System.Globalization.CultureInfo.InvariantCulture, out var age) ? age : TimeSpan.FromSeconds(5),
    };
}
