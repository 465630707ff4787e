using System.Diagnostics;

namespace Ledger.Benchmarks;

/// <summary>One timed run: how many operations, how long the whole run took, and each operation's latency.</summary>
public sealed record RunResult(int Operations, double Seconds, double P50Ms, double P99Ms)
{
    public double Throughput => Operations / Seconds;
}

/// <summary>
/// Runs a fixed number of operations per client, all clients at once, each client's operations one
/// after another (a closed loop: a client sends its next request when the previous one answered).
/// </summary>
public static class Measurement
{
    public delegate Task Operation(int client, int index);

    public static async Task<RunResult> RunAsync(int clients, int operationsPerClient, Operation operation)
    {
        var ticks = new long[clients * operationsPerClient];
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var workers = new Task[clients];
        for (var c = 0; c < clients; c++)
        {
            var client = c;
            workers[c] = Task.Run(async () =>
            {
                await go.Task;
                for (var i = 0; i < operationsPerClient; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    await operation(client, i);
                    ticks[client * operationsPerClient + i] = Stopwatch.GetTimestamp() - started;
                }
            });
        }

        var wall = Stopwatch.StartNew();
        go.SetResult();
        await Task.WhenAll(workers);
        wall.Stop();

        Array.Sort(ticks);
        return new RunResult(ticks.Length, wall.Elapsed.TotalSeconds, Milliseconds(Percentile(ticks, 0.50)), Milliseconds(Percentile(ticks, 0.99)));
    }

    /// <summary>Nearest rank on sorted values.</summary>
    public static long Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
