namespace Ledger.Benchmarks;

/// <summary>How long and how often each case runs.</summary>
/// <param name="Runs">Timed runs per target of the append cases.</param>
/// <param name="SecondsPerRun">About how long each append run lasts (sized from the warm-up rate).</param>
/// <param name="WarmupOperations">Operations of each append warm-up, over all clients.</param>
/// <param name="Clients">The concurrent clients of each append case.</param>
/// <param name="IntegrityEvents">The events the integrity cases generate once and integrate, verify and prove over.</param>
/// <param name="IntegrityRuns">Timed runs per target of the integrity cases (each run covers every event).</param>
/// <param name="ProofsPerRun">Proofs asked for in each run of a proof-latency case.</param>
public sealed record BenchSettings(
    int Runs, double SecondsPerRun, int WarmupOperations, IReadOnlyList<int> Clients,
    int IntegrityEvents, int IntegrityRuns, int ProofsPerRun)
{
    /// <summary>
    /// Three runs of about three seconds per target and append case; the integrity cases over 100,000
    /// events, five runs each (a run takes 1–4 s, so medians of three moved with the machine's load):
    /// about three minutes on two cores, plus the build.
    /// </summary>
    public static BenchSettings Quick { get; } = new(3, 3, 100, [1, 16, 64], 100_000, 5, 500)
    {
        ZoneEvents = 100_000, LongStreamRuns = 3, LongStreamMinOperations = 15, ImportRuns = 3, RebuildRuns = 3, QueryClients = 2, QueriesPerRun = 400, QueryRuns = 3, ReplayRuns = 3, ReplaysPerRun = 5,
    };

    /// <summary>Five append runs of about ten seconds; the integrity cases over 1,000,000 events, three runs of 10–50 s each.</summary>
    public static BenchSettings Full { get; } = new(5, 10, 300, [1, 16, 64], 1_000_000, 3, 2_000)
    {
        ZoneEvents = 1_000_000, LongStreamRuns = 5, LongStreamMinOperations = 40, ImportRuns = 3, RebuildRuns = 3, QueryClients = 2, QueriesPerRun = 2_000, QueryRuns = 5, ReplayRuns = 5, ReplaysPerRun = 10,
    };

    /// <summary>About how many events the generated zone ledger of the rebuild, query and replay cases holds.</summary>
    public int ZoneEvents { get; init; }

    /// <summary>Timed runs of each shape of the long-stream case (short and long take turns, so as many pairs).</summary>
    public int LongStreamRuns { get; init; }

    /// <summary>
    /// The fewest operations per client in a run of the long-stream case, however slow the warm-up was:
    /// the long shape may manage only a few appends a second, too few for a p99 in a few seconds.
    /// </summary>
    public int LongStreamMinOperations { get; init; }

    /// <summary>Timed imports of the generated file per target of the import case.</summary>
    public int ImportRuns { get; init; }

    /// <summary>Timed rebuilds (and raw reads) per target of the rebuild case.</summary>
    public int RebuildRuns { get; init; }

    /// <summary>Concurrent clients of each query case (supervisors asking at once).</summary>
    public int QueryClients { get; init; }

    /// <summary>Queries per run and target of each query case, over all clients.</summary>
    public int QueriesPerRun { get; init; }

    public int QueryRuns { get; init; }

    public int ReplayRuns { get; init; }

    /// <summary>Replays of the 10,000-event history per run and target, one after another.</summary>
    public int ReplaysPerRun { get; init; }

    public const string DefaultConnection =
        "Host=127.0.0.1;Port=55432;Database=ledger_bench;Username=postgres;Max Auto Prepare=50;Auto Prepare Min Usages=2";
}
