using Ledger.Infrastructure.Store;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ledger.Infrastructure.Audit;

/// <summary>
/// Section <c>ViewSnapshots</c>: whether this node takes the views' snapshots (<c>Enabled</c>, default
/// true), after how many events of the sequence (<c>Every</c>, default 100,000), and how often it looks
/// (<c>Interval</c>, default one minute, as <c>d.hh:mm:ss</c>).
/// </summary>
public sealed record ViewSnapshotSettings(bool Enabled, long Every, TimeSpan Interval)
{
    public const string Section = "ViewSnapshots";

    public static ViewSnapshotSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var enabled = section["Enabled"] is { Length: > 0 } rawEnabled
            ? bool.TryParse(rawEnabled, out var on) ? on : throw new InvalidOperationException($"{Section}:Enabled is not true or false: '{rawEnabled}'.")
            : true;
        var every = section["Every"] is { Length: > 0 } rawEvery
            ? long.TryParse(rawEvery, out var n) && n >= 1 ? n : throw new InvalidOperationException($"{Section}:Every is a number of events, 1 or more: '{rawEvery}'.")
            : ViewSnapshots.DefaultEvery;
        var interval = section["Interval"] is { Length: > 0 } rawInterval
            ? TimeSpan.TryParse(rawInterval, System.Globalization.CultureInfo.InvariantCulture, out var t) && t > TimeSpan.Zero
                ? t
                : throw new InvalidOperationException($"{Section}:Interval is a positive time span such as 00:01:00: '{rawInterval}'.")
            : TimeSpan.FromMinutes(1);
        return new ViewSnapshotSettings(enabled, every, interval);
    }
}

/// <summary>
/// Takes the views' snapshots as the log grows (<see cref="ViewSnapshots.ExtendAsync"/>): at start and then
/// every interval, once their table is there (made here if missing, as the access log's is). Every node
/// may run it; one at a time extends (the others find the lock held).
/// </summary>
public sealed partial class ViewSnapshotter(
    IDocumentStore store, [FromKeyedServices("ledger-integrity")] NpgsqlDataSource db, LedgerSettings ledger, ViewSnapshotSettings settings,
    ILogger<ViewSnapshotter> logger) : BackgroundService
{
    private readonly SchemaOnce _schema = new(ct => ViewSnapshots.EnsureAsync(db, ledger.Schema, ct));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _schema.EnsureAsync(stoppingToken);
                foreach (var position in await ViewSnapshots.ExtendAsync(store, settings.Every, null, stoppingToken))
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
                await Task.Delay(settings.Interval, stoppingToken);
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
