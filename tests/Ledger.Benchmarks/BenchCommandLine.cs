using System.Globalization;
using Ledger.Benchmarks.Appends;
using Ledger.Benchmarks.Reporting;
using Npgsql;

namespace Ledger.Benchmarks;

// An explicit entry point, so the only `Program` in the solution is the API's.
public static class BenchCommandLine
{
    private const string Usage = """
        usage: Ledger.Benchmarks [run] [--quick] [--out FILE] [--connection STRING] [--clients 1,16,64]
               Ledger.Benchmarks compare [--latest FILE] [--baseline FILE] [--threshold 0.2]

        run       measures every case on a database of its own (LEDGER_BENCH_CONNECTION, else the private
                  cluster's ledger_bench database), prints a table and writes the results as JSON
                  (default artifacts/bench/latest.json); its schemas are dropped and created afresh
        compare   flags every ratio of the latest results that fell by more than the threshold below the
                  baseline (default ops/bench-baseline.json); exit code 1 when any did
        """;

    private const string OursSchema = "bench_api";
    private const string PeerSchema = "bench_peer";
    private const string LimitSchema = "bench_limit";

    public static async Task<int> Main(string[] args)
    {
        try
        {
            var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "run";
            var options = Options.Parse(verb == "run" && (args.Length == 0 || args[0].StartsWith('-')) ? args : args[1..]);
            return verb switch
            {
                "run" => await RunAsync(options),
                "compare" => BaselineComparison.Run(
                    options.Value("--latest") ?? Path.Combine(RepositoryRoot(), "artifacts", "bench", "latest.json"),
                    options.Value("--baseline") ?? Path.Combine(RepositoryRoot(), "ops", "bench-baseline.json"),
                    options.Value("--threshold") is { } t ? double.Parse(t, CultureInfo.InvariantCulture) : BaselineComparison.DefaultThreshold,
                    Console.Out),
                "help" or "--help" or "-h" => Help(0),
                _ => Help(2),
            };
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"bench: {e.Message}");
            return Help(2);
        }
    }

    private static async Task<int> RunAsync(Options options)
    {
        var settings = options.Flag("--quick") ? BenchSettings.Quick : BenchSettings.Full;
        if (options.Value("--clients") is { } list)
            settings = settings with { Clients = [.. list.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))] };
        var connection = options.Value("--connection")
            ?? Environment.GetEnvironmentVariable("LEDGER_BENCH_CONNECTION")
            ?? BenchSettings.DefaultConnection;
        var output = options.Value("--out") ?? Path.Combine(RepositoryRoot(), "artifacts", "bench", "latest.json");

        await Console.Error.WriteLineAsync($"bench: {(options.Flag("--quick") ? "quick" : "full")}: {settings.Runs} runs of ~{settings.SecondsPerRun} s per target, clients {string.Join(", ", settings.Clients)}, {Environment.ProcessorCount} cores");
        await DropSchemasAsync(connection);

        var results = new List<CaseResult>();
        await using (var ours = await OursHttp.StartAsync(connection, OursSchema))
        await using (var peer = await PeerMarten.CreateAsync(connection, PeerSchema, await ours.TemplateEventsAsync()))
        await using (var limit = await LimitNpgsql.CreateAsync(connection, LimitSchema))
        {
            var appends = new AppendCase(settings, ours, peer, limit);
            foreach (var clients in settings.Clients)
                results.Add(await appends.RunAsync(clients));
        }

        await CaseResult.WriteAsync(output, results);
        Console.Write(CaseResult.Table(results));
        await Console.Error.WriteLineAsync($"bench: wrote {output}");
        return 0;
    }

    private static async Task DropSchemasAsync(string connection)
    {
        await using var source = NpgsqlDataSource.Create(connection);
        await using var command = source.CreateCommand(string.Join("; ", new[] { OursSchema, PeerSchema, LimitSchema }.Select(s => $"drop schema if exists \"{s}\" cascade")));
        await command.ExecuteNonQueryAsync();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln"))) return dir.FullName;
        }
        return Environment.CurrentDirectory;
    }

    private static int Help(int code)
    {
        (code == 0 ? Console.Out : Console.Error).WriteLine(Usage);
        return code;
    }

    private sealed class Options
    {
        private static readonly HashSet<string> Flags = ["--quick"];
        private static readonly HashSet<string> Valued = ["--out", "--connection", "--clients", "--latest", "--baseline", "--threshold"];
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
        private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

        public static Options Parse(string[] args)
        {
            var options = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                var (name, inline) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], null);
                if (Flags.Contains(name) && inline is null) options._flags.Add(name);
                else if (Valued.Contains(name))
                {
                    var value = inline ?? (i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value"));
                    options._values[name] = value;
                }
                else throw new ArgumentException($"unknown argument '{args[i]}'");
            }
            return options;
        }

        public bool Flag(string name) => _flags.Contains(name);

        public string? Value(string name) => _values.GetValueOrDefault(name);
    }
}
