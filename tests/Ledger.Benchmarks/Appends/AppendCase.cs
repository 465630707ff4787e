using Ledger.Benchmarks.Reporting;

namespace Ledger.Benchmarks.Appends;

/// <summary>
/// "Appends, one event per command" at a number of concurrent clients. Each target is warmed up and
/// sized from its warm-up rate to run about <see cref="BenchSettings.SecondsPerRun"/>; then the
/// targets take turns (the order rotates each run, so drift on a shared machine spreads over all
/// three) and the case reports the median of the runs.
/// </summary>
public sealed class AppendCase(BenchSettings settings, IAppendTarget ours, IAppendTarget peer, IAppendTarget limit)
{
    private const int MaxOperationsPerClient = 20_000;

    public async Task<CaseResult> RunAsync(int clients)
    {
        var name = $"append.c{clients}";
        IAppendTarget[] targets = [ours, peer, limit];
        var perClient = new Dictionary<IAppendTarget, int>();
        var runs = targets.ToDictionary(t => t, _ => new List<RunResult>());

        foreach (var target in targets)
        {
            var warmup = Math.Max(3, settings.WarmupOperations / clients);
            RunResult? last = null;
            for (var w = 1; w <= 2; w++)
                last = await RunOnceAsync(target, $"c{clients}-w{w}", clients, warmup);
            perClient[target] = (int)Math.Clamp(Math.Ceiling(last!.Throughput * settings.SecondsPerRun / clients), 3, MaxOperationsPerClient);
            Log($"{name} {target.Name,-5} warm: {last.Throughput,8:F1} ops/s → {perClient[target]} ops per client per run");
        }

        for (var run = 1; run <= settings.Runs; run++)
        {
            for (var t = 0; t < targets.Length; t++)
            {
                var target = targets[(t + run - 1) % targets.Length];
                var result = await RunOnceAsync(target, $"c{clients}-r{run}", clients, perClient[target]);
                runs[target].Add(result);
                Log($"{name} {target.Name,-5} run {run}/{settings.Runs}: {result.Operations,6} ops in {result.Seconds,5:F2} s = {result.Throughput,8:F1} ops/s, p50 {result.P50Ms,7:F2} ms, p99 {result.P99Ms,7:F2} ms");
            }
        }

        return CaseResult.From(name, runs[ours], runs[peer], runs[limit]);
    }

    /// <summary>
    /// Ours alone with <paramref name="perStream"/> clients writing to each stream, without If-Match: what
    /// contention costs, beside the case where each client has streams of its own. Every write must land
    /// (a 412 or a 503 stops the case).
    /// </summary>
    public async Task<CaseResult> RunContendedAsync(OursHttp target, int clients, int perStream)
    {
        var name = $"append.contended.c{clients}.s{perStream}";
        target.ClientsPerStream = perStream;
        try
        {
            var warmup = Math.Max(3, settings.WarmupOperations / clients);
            RunResult? last = null;
            for (var w = 1; w <= 2; w++)
                last = await RunOnceAsync(target, $"k{clients}-w{w}", clients, warmup);
            var perClient = (int)Math.Clamp(Math.Ceiling(last!.Throughput * settings.SecondsPerRun / clients), 3, MaxOperationsPerClient);
            var runs = new List<RunResult>();
            for (var run = 1; run <= settings.Runs; run++)
            {
                var result = await RunOnceAsync(target, $"k{clients}-r{run}", clients, perClient);
                runs.Add(result);
                Log($"{name} ours  run {run}/{settings.Runs}: {result.Operations,6} ops in {result.Seconds,5:F2} s = {result.Throughput,8:F1} ops/s, p50 {result.P50Ms,7:F2} ms, p99 {result.P99Ms,7:F2} ms");
            }
            return CaseResult.OursOnly(name, CaseResult.OpsPerSecond, runs);
        }
        finally
        {
            target.ClientsPerStream = 1;
        }
    }

    private static async Task<RunResult> RunOnceAsync(IAppendTarget target, string run, int clients, int operationsPerClient)
    {
        await target.PrepareAsync(run, clients, operationsPerClient);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return await Measurement.RunAsync(clients, operationsPerClient, target.AppendAsync);
    }

    private static void Log(string line) => Console.Error.WriteLine("bench: " + line);
}
