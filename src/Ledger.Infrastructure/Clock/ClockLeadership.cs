namespace Ledger.Infrastructure.Clock;

/// <summary>
/// Where this node stands in the deadline clock's election, for readiness and operators: whether it
/// takes part, whether it leads, when its last pass looked at the ledger and what the last failure was.
/// One per process; read from any thread.
/// </summary>
public sealed class ClockLeadership(bool enabled)
{
    private readonly Lock _gate = new();
    private bool _isLeader;
    private DateTimeOffset? _leaderSince;
    private DateTimeOffset? _lastPassAt;
    private ClockPassResult? _lastPass;
    private long _passes;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;

    /// <summary>This node's name in the election, also in the application name of its sessions in pg_stat_activity (the clock's lock connection, the store's).</summary>
    public string NodeId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>False when <c>Clock:Enabled</c> is false: this node never runs the clock.</summary>
    public bool Enabled { get; } = enabled;

    public bool IsLeader { get { lock (_gate) return _isLeader; } }

    public DateTimeOffset? LeaderSince { get { lock (_gate) return _leaderSince; } }

    /// <summary>The instant (by the ledger's clock) the last completed pass looked at.</summary>
    public DateTimeOffset? LastPassAt { get { lock (_gate) return _lastPassAt; } }

    public ClockPassResult? LastPass { get { lock (_gate) return _lastPass; } }

    /// <summary>Passes this node has completed since it started, as leader at the time.</summary>
    public long Passes { get { lock (_gate) return _passes; } }

    /// <summary>The last failure (connecting, electing or passing); cleared by the next pass that completes.</summary>
    public string? LastError { get { lock (_gate) return _lastError; } }

    public DateTimeOffset? LastErrorAt { get { lock (_gate) return _lastErrorAt; } }

    internal void Elected(DateTimeOffset at)
    {
        lock (_gate)
        {
            _isLeader = true;
            _leaderSince = at;
        }
    }

    internal void Deposed()
    {
        lock (_gate)
        {
            _isLeader = false;
            _leaderSince = null;
        }
    }

    internal void Passed(ClockPassResult result)
    {
        lock (_gate)
        {
            _lastPassAt = result.At;
            _lastPass = result;
            _passes++;
            _lastError = null;
            _lastErrorAt = null;
        }
    }

    internal void Failed(string error, DateTimeOffset at)
    {
        lock (_gate)
        {
            _lastError = error;
            _lastErrorAt = at;
        }
    }
}
