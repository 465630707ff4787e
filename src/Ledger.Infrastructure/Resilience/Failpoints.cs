using System.Diagnostics;

namespace Ledger.Infrastructure.Resilience;

/// <summary>
/// Named steps at which a fault test may kill this process outright (SIGKILL, no shutdown of any kind),
/// so that a crash lands exactly where a random kill would only rarely land. A point is armed only when the
/// environment variable <c>LEDGER_FAILPOINTS</c> names it (a comma-separated list); the chaos tool sets it on
/// a node it starts. Unarmed, a point costs one lookup in an empty set.
/// </summary>
public static class Failpoints
{
    public const string Variable = "LEDGER_FAILPOINTS";

    /// <summary>The Merkle worker has committed a batch of leaves and is about to sign a checkpoint over them.</summary>
    public const string MerkleAfterIntegrating = "merkle-after-integrating";

    private static readonly HashSet<string> Armed = new(
        (Environment.GetEnvironmentVariable(Variable) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
        StringComparer.Ordinal);

    /// <summary>Kills this process here if the point is armed.</summary>
    public static void Reach(string point)
    {
        if (!Armed.Contains(point)) return;
        Console.Error.WriteLine($"ledger: failpoint {point} reached: killing this process");
        Console.Error.Flush();
        Process.GetCurrentProcess().Kill();
    }
}
