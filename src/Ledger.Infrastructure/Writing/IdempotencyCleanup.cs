using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ledger.Infrastructure.Writing;

/// <summary>
/// Deletes idempotency records older than the window, at start and then every cleanup interval. An
/// expired record no longer replays anyway (the writer checks its age); purging only keeps the table
/// small. Several nodes may run this at once: the deletes are idempotent.
/// </summary>
public sealed partial class IdempotencyCleanup(IDocumentStore store, TimeProvider time, IOptions<IdempotencySettings> idempotency, ILogger<IdempotencyCleanup> logger)
    : BackgroundService
{
    private readonly IdempotencySettings _settings = idempotency.Value;

    public async Task PurgeAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - _settings.Window;
        await using var session = store.LightweightSession();
        session.DeleteWhere<IdempotencyRecord>(x => x.RecordedAt < cutoff);
        await session.SaveChangesAsync(ct);
        LogPurged(logger, cutoff);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PurgeAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A missed purge costs nothing but table size; the next round catches up.
                LogFailed(logger, ex);
            }
            try
            {
                await Task.Delay(_settings.CleanupInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Purged idempotency records recorded before {Cutoff}")]
    private static partial void LogPurged(ILogger logger, DateTimeOffset cutoff);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging expired idempotency records failed; retrying at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
