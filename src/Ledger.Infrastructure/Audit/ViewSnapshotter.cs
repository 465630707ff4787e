using Ledger.Infrastructure.Store;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ledger.Infrastructure.Audit;

/// <summary>
/// Section <c>ViewSnapshots</c>: whether this node takes the views' snapshots (<c>Enabled</c>, default
/// true), after how many events of the sequence (<c>Every</c>, default 100,000), and how often it looks
/// (<c>Interval</c>, default one minute, as <c>d.hh:mm:ss</c>).
/// </summary>
public sealed class ViewSnapshotSettings
{
    public const string Section = "ViewSnapshots";

    public bool Enabled { get; set; } = true;

    public long Every { get; set; } = ViewSnapshots.DefaultEvery;

    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Refuses snapshot settings that cannot be used, naming the key.</summary>
public sealed class ViewSnapshotSettingsValidator : IValidateOptions<ViewSnapshotSettings>
{
    public ValidateOptionsResult Validate(string? name, ViewSnapshotSettings options)
    {
        var failures = new List<string>();
        if (options.Every < 1)
            failures.Add($"{ViewSnapshotSettings.Section}:Every is a number of events, 1 or more: '{options.Every}'.");
        if (options.Interval <= TimeSpan.Zero)
            failures.Add($"{ViewSnapshotSettings.Section}:Interval is a positive time span such as 00:01:00: '{options.Interval:c}'.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// Takes the views' snapshots as the log grows (<see cref="ViewSnapshots.ExtendAsync"/>): at start and then
/// every interval, once their table is there (made here if missing, as the access log's is). Every node
/// may run it; one at a time extends (the others find the lock held).
/// </summary>
public sealed partial class ViewSnapshotter(
    IDocumentStore store, [FromKeyedServices("ledger-integrity")] NpgsqlDataSource db, LedgerSettings ledger, IOptions<ViewSnapshotSettings> snapshots,
    ILogger<ViewSnapshotter> logger) : BackgroundService
{
    private readonly ViewSnapshotSettings _settings = snapshots.Value;
    private readonly SchemaOnce _schema = new(ct => ViewSnapshots.EnsureAsync(db, ledger.Schema, ct));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _schema.EnsureAsync(stoppingToken);
                foreach (var position in await ViewSnapshots.ExtendAsync(store, _settings.Every, null, stoppingToken))
                    LogTaken(logger, position);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A snapshot not taken only makes the views as they were slower to answer; the next round tries again.
                LogFailed(logger, ex);
            }
            try
            {
                await Task.Delay(_settings.Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Took a snapshot of the supervision views at sequence {Position}")]
    private static partial void LogTaken(ILogger logger, long position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Taking the supervision views' snapshots failed; retrying at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
