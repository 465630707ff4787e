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
    public static BenchSettings Quick { get; } = new(3, 3, 100, [1, 16, 64], 100_000, 5, 500);

    /// <summary>Five append runs of about ten seconds; the integrity cases over 1,000,000 events, three runs of 10–50 s each.</summary>
    public static BenchSettings Full { get; } = new(5, 10, 300, [1, 16, 64], 1_000_000, 3, 2_000);

    public const string DefaultConnection =
        "Host=127.0.0.1;Port=55432;Database=ledger_bench;Username=postgres;Max Auto Prepare=50;Auto Prepare Min Usages=2";
}
