using JasperFx;
using JasperFx.Events.Daemon;
using Ledger.Infrastructure.Clock;
using Ledger.Infrastructure.Store;
using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ledger.Infrastructure.Daemon;

/// <summary>
/// Restarts the supervision shard when this node runs it and the daemon has stopped it after a failure.
/// Marten's daemon pauses a shard whose batch fails in a way it does not retry, and its HotCold coordinator
/// keeps the shard's lock without starting it again, so the views would stand still until the node restarts
/// while every other node waits for a lock that is never released. The case that shows it: PostgreSQL ends the
/// daemon's session while a batch commits; the store's retry sends the batch again, but the first attempt had
/// committed, so the progression row has moved and the retry fails as out of order. Restarting the shard reads
/// the stored position again and goes on from there, which is exactly right: what committed is not applied
/// twice. Looked at every <see cref="ProjectionSettings.LeadershipPolling"/>; a shard found stopped twice in a row is started again.
/// </summary>
public sealed partial class ShardWatchdog(
    IEnumerable<Marten.Events.Daemon.Coordination.IProjectionCoordinator> coordinators, IDocumentStore store, ProjectionMonitor monitor,
    ClockLeadership node, IOptions<ProjectionSettings> projections, TimeProvider time, ILogger<ShardWatchdog> logger)
    : BackgroundService
{
    private readonly ProjectionSettings _settings = projections.Value;
    private readonly DaemonMode _mode = ((DocumentStore)store).Options.Projections.AsyncMode;

    private bool _stoppedAtLastLook;

    /// <summary>How many times this node restarted the shard.</summary>
    public int Restarts { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_mode != DaemonMode.HotCold || coordinators.FirstOrDefault() is not { } coordinator) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_settings.LeadershipPolling, time, stoppingToken);
                await RestartIfPausedAsync(coordinator.DaemonForMainDatabase(), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // PostgreSQL away, or the daemon between states: look again at the next interval.
                LogFailed(logger, ex);
            }
        }
    }

    private async Task RestartIfPausedAsync(IProjectionDaemon daemon, CancellationToken ct)
    {
        var shard = ProjectionFreshness.ShardName;
        // Only a shard this node took is listed among its agents; one that failed stays listed, stopped or
        // paused. Two looks in a row, so that a shard between states (starting, being stopped) is left alone.
        var stopped = daemon.CurrentAgents().Any(a => a.Name.Identity == shard && a.Status != AgentStatus.Running);
        var seenBefore = _stoppedAtLastLook;
        _stoppedAtLastLook = stopped;
        if (!stopped || !seenBefore) return;
        _stoppedAtLastLook = false;
        // A node that was paused past its session lease comes back to a shard another node now runs: its own
        // stops at its first batch, and must stay stopped. Started again only while this node holds the lock.
        if (!await HoldsShardLockAsync(ct)) return;
        LogRestarting(logger, shard);
        await daemon.StopAgentAsync(shard);
        daemon.EjectPausedShard(shard);
        await daemon.StartAgentAsync(shard, ct);
        Restarts++;
    }

    private async Task<bool> HoldsShardLockAsync(CancellationToken ct) =>
        (await monitor.ShardLockHolderAsync(ct))?.EndsWith(NodeIdentity.ApplicationName(node.NodeId), StringComparison.Ordinal) == true;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The daemon stopped the shard {Shard} after a failure; starting it again from its stored position")]
    private static partial void LogRestarting(ILogger logger, string shard);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking after the supervision shard failed; looking again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
