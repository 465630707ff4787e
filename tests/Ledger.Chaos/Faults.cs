using System.Diagnostics;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Clock;
using Ledger.Infrastructure.Resilience;
using Npgsql;

namespace Ledger.Chaos;

/// <summary>Injects one fault of a kind, waits it out, and says what it saw (a leader's takeover, a failpoint reached).</summary>
public sealed class Faults(PrivateCluster cluster, ChaosProxy proxy, Nodes nodes, string schema, Random random, WalTmpfs? wal)
{
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(2) };

    public async Task InjectAsync(FaultRecord fault)
    {
        switch (fault.Kind)
        {
            case FaultKinds.KillNode:
                await nodes.KillAsync(random.Next(2));
                await Task.Delay(Between(1, 3));
                await nodes.StartMissingAsync();
                break;
            case FaultKinds.RestartPostgres:
                await cluster.StopImmediatelyAsync();
                await Task.Delay(Between(1, 3));
                await cluster.StartAsync();
                break;
            case FaultKinds.TerminateBackends:
                await TerminateAsync();
                break;
            case FaultKinds.ProxyLatency:
                proxy.Set(ChaosProxy.Mode.Latency, latencyMs: 100 + random.Next(400));
                await Task.Delay(Between(3, 6));
                proxy.Set(ChaosProxy.Mode.Normal);
                break;
            case FaultKinds.ProxyReset:
                proxy.ResetAll();
                break;
            case FaultKinds.ProxyBlackhole:
                proxy.Set(ChaosProxy.Mode.Blackhole);
                await Task.Delay(Between(3, 8));
                proxy.Set(ChaosProxy.Mode.Normal);
                break;
            case FaultKinds.ProxyTrickle:
                proxy.Set(ChaosProxy.Mode.Trickle);
                await Task.Delay(Between(3, 6));
                proxy.Set(ChaosProxy.Mode.Normal);
                break;
            case FaultKinds.PausePostgres:
                await PausePostgresAsync();
                break;
            case FaultKinds.PauseNode:
                fault.LeaderTakeover = await PauseLeaderAsync();
                break;
            case FaultKinds.MerkleKill:
                fault.FailpointReached = await KillMerkleWorkerAsync();
                break;
            case FaultKinds.WalFull:
                await FillWalAsync();
                break;
            default:
                throw new ArgumentException($"no such fault: {fault.Kind}");
        }
    }

    /// <summary>The postmaster and every backend stopped (SIGSTOP) for a few seconds, then continued.</summary>
    private async Task PausePostgresAsync()
    {
        var postmaster = cluster.PostmasterPid ?? throw new InvalidOperationException("PostgreSQL is not running");
        var pids = Signals.WithDescendants(postmaster);
        await Signals.PauseAsync(pids);
        try
        {
            await Task.Delay(Between(2, 6));
        }
        finally
        {
            // Backends forked since are children of a stopped postmaster: there are none, but continue whatever is there now.
            await Signals.ResumeAsync(Signals.WithDescendants(postmaster));
        }
    }

    /// <summary>
    /// The node leading the deadline clock stopped (SIGSTOP) past its session lease: its kernel still answers
    /// keepalives, so only the lease ends its leadership. Returns the seconds until the other node held the
    /// clock's lock, or null if it never did while the leader was paused.
    /// </summary>
    private async Task<double?> PauseLeaderAsync()
    {
        // The clock's leader, once there is one again after the fault before (a pass every two seconds).
        int? known = null;
        for (var look = 0; look < 40 && known is null; look++)
        {
            known = await ClockLeaderAsync();
            if (known is null) await Task.Delay(250);
        }
        var leader = known ?? random.Next(2);
        var pid = nodes.Pid(leader) ?? throw new InvalidOperationException("no node to pause");
        var lockKey = DeadlineClock.LockKey(schema);
        var holder = await LockHolderAsync(lockKey);
        await Signals.PauseAsync([pid]);
        double? takeover = null;
        var paused = Stopwatch.StartNew();
        try
        {
            var pause = Lease + Between(2, 6);
            while (paused.Elapsed < pause)
            {
                await Task.Delay(200);
                var now = await LockHolderAsync(lockKey);
                if (takeover is null && holder is not null && now is not null && now != holder) takeover = paused.Elapsed.TotalSeconds;
            }
        }
        finally
        {
            await Signals.ResumeAsync([pid]);
        }
        return takeover;
    }

    /// <summary>
    /// A node restarted with the Merkle worker's failpoint armed: it dies (SIGKILL, by its own hand) just after
    /// committing a batch of leaves and before signing a checkpoint over them; then both nodes are started as
    /// usual. The other node is stopped meanwhile: its worker, busy already, would otherwise take nearly every
    /// batch, and the armed one would seldom have leaves to sign over when its checkpoint fell due.
    /// </summary>
    private async Task<bool> KillMerkleWorkerAsync()
    {
        var index = random.Next(2);
        await nodes.KillAsync(index);
        bool reached;
        try
        {
            await nodes.StartAsync(index, new Dictionary<string, string> { [Failpoints.Variable] = Failpoints.MerkleAfterIntegrating });
            await nodes.KillAsync(1 - index);
            reached = await nodes.ExitedWithinAsync(index, TimeSpan.FromSeconds(30));
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains($"failpoint {Failpoints.MerkleAfterIntegrating} reached", StringComparison.Ordinal))
        {
            // Its worker integrated and reached the failpoint before the node answered its first probe.
            reached = true;
        }
        if (!reached) await ChaosRun.Log($"the failpoint was not reached within 30 s; the node said: {nodes.Output(index)}");
        await nodes.KillAsync(index);
        await nodes.StartMissingAsync();
        return reached;
    }

    /// <summary>
    /// pg_wal's tmpfs filled to the last byte for a few seconds while segments are switched, so that PostgreSQL
    /// must create one and cannot (with wal_recycle off there are no old ones to reuse): it stops with a PANIC.
    /// Then the space is freed and PostgreSQL started again if it is not running.
    /// </summary>
    private async Task FillWalAsync()
    {
        var tmpfs = wal ?? throw new InvalidOperationException("wal-full needs pg_wal on a tmpfs");
        await tmpfs.FillAsync();
        try
        {
            var until = Stopwatch.StartNew();
            var hold = Between(3, 6);
            while (until.Elapsed < hold)
            {
                try
                {
                    await using var connection = new NpgsqlConnection(Admin());
                    await connection.OpenAsync();
                    await using var command = new NpgsqlCommand("select pg_switch_wal()", connection);
                    await command.ExecuteScalarAsync();
                }
                catch (NpgsqlException)
                {
                    // PostgreSQL has stopped (or refuses): what the fault is for.
                }
                await Task.Delay(500);
            }
        }
        finally
        {
            tmpfs.Drain();
        }
        await EnsurePostgresRunningAsync();
    }

    /// <summary>After a fault that may have stopped PostgreSQL for good: start it if it does not come back by itself.</summary>
    private async Task EnsurePostgresRunningAsync()
    {
        for (var attempt = 0; attempt < 60; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(Admin());
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException)
            {
                // In recovery, or stopped.
            }
            if (cluster.PostmasterPid is not { } pid || !Directory.Exists($"/proc/{pid}"))
            {
                await cluster.StartAsync();
                return;
            }
            await Task.Delay(500);
        }
        throw new InvalidOperationException("PostgreSQL did not come back within 30 s of pg_wal having room again");
    }

    /// <summary>
    /// After a fault that could not be injected to its end: the proxy passing bytes, PostgreSQL running and
    /// both nodes up, so that the run goes on and the report says what happened.
    /// </summary>
    public async Task RecoverAsync()
    {
        proxy.Set(ChaosProxy.Mode.Normal);
        wal?.Drain();
        var postmaster = cluster.PostmasterPid;
        if (postmaster is { } pid) await Signals.ResumeAsync(Signals.WithDescendants(pid));
        await EnsurePostgresRunningAsync();
        await nodes.StartMissingAsync();
    }

    /// <summary>The session lease the nodes run with: a paused leader loses its locks within it.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(8);

    private async Task<int?> ClockLeaderAsync()
    {
        for (var i = 0; i < 2; i++)
        {
            if (nodes.Address(i) is not { } address) continue;
            try
            {
                using var response = await _probe.GetAsync(new Uri(address, "/health/ready"));
                if ((await response.Content.ReadAsStringAsync()).Contains("this node leads the clock", StringComparison.Ordinal)) return i;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }
        }
        return null;
    }

    /// <summary>The application name of the session holding the clock's advisory lock (it names the node), or null.</summary>
    private async Task<string?> LockHolderAsync(long key)
    {
        try
        {
            await using var connection = new NpgsqlConnection(Admin());
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid
                where l.locktype = 'advisory' and l.granted and l.classid = @high::oid and l.objid = @low::oid and l.objsubid = 1
                """, connection);
            command.Parameters.AddWithValue("high", (long)(uint)(key >> 32));
            command.Parameters.AddWithValue("low", (long)(uint)key);
            return await command.ExecuteScalarAsync() as string;
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }

    // Every session of the ledger's database but this one: the nodes' pooled connections and any commit in flight.
    private async Task TerminateAsync()
    {
        await using var connection = new NpgsqlConnection(Admin());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity where datname = @db and pid <> pg_backend_pid()", connection);
        command.Parameters.AddWithValue("db", new NpgsqlConnectionStringBuilder(cluster.ConnectionString).Database!);
        await command.ExecuteScalarAsync();
    }

    private string Admin() => new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;

    private TimeSpan Between(double min, double max) => TimeSpan.FromSeconds(min + random.NextDouble() * (max - min));
}
