using System.Globalization;
using Ledger.Chaos;

// ./ops/ledger chaos [--quick] [--seconds N] [--faults LIST] [--seed N] [--clients N] [--out FILE]
// ./ops/ledger cluster test runs `failover …` against the cluster it started (FailoverRun); cluster restore-test runs
// `append …` and `checkpoint …` against an API node (RestoreClient).
if (args is [("append" or "checkpoint") and var verb, ..])
    return await RunAsync(verb, () => RestoreClient.RunAsync(RestoreClientOptions.Parse(verb, args[1..])));
return args is ["failover", ..]
    ? await RunAsync("failover", () => FailoverRun.RunAsync(FailoverOptions.Parse(args[1..])))
    : await RunAsync("chaos", async () =>
    {
        var options = ChaosOptions.Parse(args);
        await Console.Error.WriteLineAsync(
            $"chaos: seed {options.Seed} (give --seed {options.Seed} to run the same faults at the same moments), " +
            $"{options.Seconds} s, {options.Clients} clients on {options.Streams} commitments, faults: {string.Join(", ", options.Faults)}");
        var report = await ChaosRun.RunAsync(options);
        await report.WriteAsync(options.Output);
        Console.WriteLine(report.Table());
        await Console.Error.WriteLineAsync($"chaos: wrote {options.Output}");
        return report.Passed ? 0 : 1;
    });

// Bad options: one line and exit 2; a run that could not be made: its first line and exit 1.
static async Task<int> RunAsync(string name, Func<Task<int>> run)
{
    try
    {
        return await run();
    }
    catch (ArgumentException ex)
    {
        await Console.Error.WriteLineAsync($"{name}: " + ex.Message);
        return 2;
    }
    catch (InvalidOperationException ex)
    {
        await Console.Error.WriteLineAsync($"{name}: " + ex.Message.Split('\n')[0]);
        return 1;
    }
}

namespace Ledger.Chaos
{
    /// <summary>What a run does: how long, how many clients on how many streams, which faults, from which seed.</summary>
    public sealed record ChaosOptions(int Seconds, int Clients, int Streams, IReadOnlyList<string> Faults, int Seed, string Output)
    {
        /// <summary>The quick run: each kind once, 1–2 s apart rather than 2–6 s.</summary>
        public bool Quick { get; init; }

        public static readonly string[] Kinds =
        [
            FaultKinds.KillNode, FaultKinds.RestartPostgres, FaultKinds.TerminateBackends, FaultKinds.ProxyLatency, FaultKinds.ProxyReset,
            FaultKinds.ProxyBlackhole, FaultKinds.ProxyTrickle, FaultKinds.PausePostgres, FaultKinds.PauseNode, FaultKinds.MerkleKill,
            FaultKinds.WalFull,
        ];

        public static ChaosOptions Parse(string[] args)
        {
            var quick = false;
            int? seconds = null, seed = null, clients = null;
            string[]? faults = null;
            var output = Path.Combine(Repository(), "artifacts", "chaos", "latest.json");
            for (var i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--quick": quick = true; break;
                    case "--seconds": seconds = Whole(Value(), "--seconds", 5, 24 * 3600); break;
                    case "--seed": seed = Whole(Value(), "--seed", 0, int.MaxValue); break;
                    case "--clients": clients = Whole(Value(), "--clients", 1, 256); break;
                    case "--out": output = Path.GetFullPath(Value()); break;
                    case "--faults":
                        faults = Value().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                        if (faults.Length == 0 || faults.FirstOrDefault(f => !Kinds.Contains(f)) is { } unknown)
                            throw new ArgumentException($"--faults takes one or more of {string.Join(", ", Kinds)}{(faults.Length == 0 ? "" : $", not '{faults.First(f => !Kinds.Contains(f))}'")}");
                        break;
                    default: throw new ArgumentException($"unknown option '{args[i]}' (options: --quick, --seconds N, --faults {string.Join(",", Kinds)}, --seed N, --clients N, --out FILE)");
                }
            }
            return new ChaosOptions(seconds ?? (quick ? 20 : 600), clients ?? 12, 6, faults ?? Kinds, seed ?? Random.Shared.Next(), output) { Quick = quick };
        }

        private static int Whole(string text, string option, int min, int max) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                ? n
                : throw new ArgumentException($"{option} takes a whole number from {min} to {max}, not '{text}'");

        private static string Repository()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ledger.sln"))) dir = dir.Parent;
            return dir?.FullName ?? Directory.GetCurrentDirectory();
        }
    }

    public static class FaultKinds
    {
        /// <summary>kill -9 of one API node; it is started again a moment later (the other serves meanwhile).</summary>
        public const string KillNode = "kill-node";

        /// <summary>PostgreSQL stopped with <c>pg_ctl stop -m immediate</c> (a crash) and started again.</summary>
        public const string RestartPostgres = "pg-restart";

        /// <summary><c>pg_terminate_backend</c> of every session of the ledger's database, commits in flight included.</summary>
        public const string TerminateBackends = "terminate";

        /// <summary>The proxy between the nodes and PostgreSQL delays every chunk by 100–500 ms for a few seconds.</summary>
        public const string ProxyLatency = "proxy-latency";

        /// <summary>The proxy resets every connection, both ways.</summary>
        public const string ProxyReset = "proxy-reset";

        /// <summary>The proxy holds every byte for 3–8 s (a partition that heals).</summary>
        public const string ProxyBlackhole = "proxy-blackhole";

        /// <summary>The proxy passes a few bytes at a time for a few seconds.</summary>
        public const string ProxyTrickle = "proxy-trickle";

        /// <summary>SIGSTOP of PostgreSQL (the postmaster and every backend) for 2–6 s, then SIGCONT.</summary>
        public const string PausePostgres = "pause-pg";

        /// <summary>SIGSTOP of the node leading the clock for longer than its session lease, then SIGCONT.</summary>
        public const string PauseNode = "pause-node";

        /// <summary>A node killed by the Merkle worker's failpoint: after integrating a batch, before signing a checkpoint.</summary>
        public const string MerkleKill = "merkle-kill";

        /// <summary>pg_wal (a tmpfs of its own) filled for a few seconds, then freed: as root only.</summary>
        public const string WalFull = "wal-full";
    }
}
