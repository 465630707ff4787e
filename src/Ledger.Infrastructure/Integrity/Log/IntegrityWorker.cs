using Ledger.Infrastructure.Resilience;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ledger.Infrastructure.Integrity;

/// <summary>
/// Keeps the Merkle log current and signs checkpoints at an interval. The schema (tables and the
/// append-only trigger) is in place before the API serves its first request. Several nodes may run
/// this: the integrator's row lock lets one batch through at a time.
/// </summary>
public sealed class IntegrityWorker(
    LedgerIntegrity integrity, IOptions<IntegrityOptions> integrityOptions, TimeProvider time, IntegrityMonitor monitor, ILogger<IntegrityWorker> logger)
    : BackgroundService
{
    private readonly IntegrityOptions _options = integrityOptions.Value;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await integrity.EnsureSchemaAsync(cancellationToken);
        // The log's gauges are published from here on, whether or not this node integrates.
        monitor.PublishGauges();
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Background) return;
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
                    nextCheckpoint = time.GetUtcNow() + _options.CheckpointInterval;
                }
                if (outcome.Integrated == 0 || outcome.WaitingOnGap)
                    await Task.Delay(_options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The log only ever appends what has committed; a failed batch is redone whole.
                logger.LogWarning(ex, "Merkle integration failed; retrying");
                await Task.Delay(_options.PollInterval * 4, stoppingToken);
            }
        }
    }
}

/// <summary>
/// Asks the configured witnesses to cosign the latest checkpoint, apart from the Merkle worker so that a
/// witness that is slow or down never holds up the log. Each pass reads the latest checkpoint and submits it
/// to the witnesses that have not cosigned it and are not pausing after a failure.
/// </summary>
public sealed class WitnessWorker(LedgerIntegrity integrity, WitnessCosigning cosigning, IOptions<IntegrityOptions> integrityOptions, ILogger<WitnessWorker> logger)
    : BackgroundService
{
    private readonly IntegrityOptions _options = integrityOptions.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Background || cosigning.Witnesses.Count == 0) return;
        var pause = _options.PollInterval * 2;
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
                pause = _options.PollInterval * 8;
            }
            await Task.Delay(pause, stoppingToken);
            pause = _options.PollInterval * 2;
        }
    }
}

/// <summary>
/// Section <c>Integrity</c>, the log's pace: how often it is brought up to date (<c>PollInterval</c>, default
/// 500 ms) and a checkpoint signed (<c>CheckpointInterval</c>, default 5 minutes), whether this node does so
/// (<c>Background</c>, default true); how far behind the events it may fall before readiness reports it
/// degraded (<c>MaxLagEvents</c>, default 10,000); how long a read of its status serves metrics and health
/// checks (<c>StatusMaxAge</c>, default 5 s); how long the ledger waits for a witness's answer
/// (<c>WitnessTimeout</c>, default 10 s) and how many leaves a witness may lag before readiness reports it
/// (<c>MaxWitnessLagLeaves</c>, default 10,000). The log's identity and key are <see cref="IntegritySettings"/>.
/// </summary>
public sealed class IntegrityOptions
{
    public const string Section = "Integrity";

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(5);

    public bool Background { get; set; } = true;

    public long MaxLagEvents { get; set; } = 10_000;

    public TimeSpan StatusMaxAge { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan WitnessTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public long MaxWitnessLagLeaves { get; set; } = 10_000;
}

/// <summary>Refuses integrity settings that cannot be used, naming the key.</summary>
public sealed class IntegrityOptionsValidator : IValidateOptions<IntegrityOptions>
{
    public ValidateOptionsResult Validate(string? name, IntegrityOptions options)
    {
        var failures = new List<string>();
        Positive(options.PollInterval, nameof(IntegrityOptions.PollInterval), failures);
        Positive(options.WitnessTimeout, nameof(IntegrityOptions.WitnessTimeout), failures);
        // Zero signs a checkpoint at every pass.
        if (options.CheckpointInterval < TimeSpan.Zero)
            failures.Add($"{IntegrityOptions.Section}:CheckpointInterval must be zero or more: '{options.CheckpointInterval:c}'.");
        if (options.StatusMaxAge < TimeSpan.Zero)
            failures.Add($"{IntegrityOptions.Section}:StatusMaxAge must be zero or more: '{options.StatusMaxAge:c}'.");
        if (options.MaxLagEvents < 0)
            failures.Add($"{IntegrityOptions.Section}:MaxLagEvents must be a number of events, zero or more: '{options.MaxLagEvents}'.");
        if (options.MaxWitnessLagLeaves < 0)
            failures.Add($"{IntegrityOptions.Section}:MaxWitnessLagLeaves must be a number of leaves, zero or more: '{options.MaxWitnessLagLeaves}'.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(TimeSpan value, string name, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
            failures.Add($"{IntegrityOptions.Section}:{name} must be a positive time span (d.hh:mm:ss.fff): '{value:c}'.");
    }
}
