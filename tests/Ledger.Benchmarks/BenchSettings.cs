namespace Ledger.Benchmarks;

/// <summary>How long and how often each case runs.</summary>
public sealed record BenchSettings(int Runs, double SecondsPerRun, int WarmupOperations, IReadOnlyList<int> Clients)
{
    /// <summary>Three runs of about three seconds per target and case: a few minutes on two cores.</summary>
    public static BenchSettings Quick { get; } = new(3, 3, 100, [1, 16, 64]);

    public static BenchSettings Full { get; } = new(5, 10, 300, [1, 16, 64]);

    public const string DefaultConnection =
        "Host=127.0.0.1;Port=55432;Database=ledger_bench;Username=postgres;Max Auto Prepare=50;Auto Prepare Min Usages=2";
}
