using System.Globalization;
using Ledger.Benchmarks.Appends;
using Ledger.Benchmarks.Export;
using Ledger.Benchmarks.Import;
using Ledger.Benchmarks.Integrity;
using Ledger.Benchmarks.Queries;
using Ledger.Benchmarks.Rebuild;
using Ledger.Benchmarks.Replay;
using Ledger.Benchmarks.Reporting;
using Ledger.Benchmarks.Zone;
using Npgsql;

namespace Ledger.Benchmarks;

// An explicit entry point, so the only `Program` in the solution is the API's.
public static class BenchCommandLine
{
    private const string Usage = """
        usage: Ledger.Benchmarks [run] [--quick] [--out FILE] [--connection STRING] [--clients 1,16,64]
                                 [--cases append,long-stream,integrity,export,import,rebuild,queries,replay] [--events N]
               Ledger.Benchmarks compare [--latest FILE] [--baseline FILE] [--threshold 0.2]

        run       measures every case on a database of its own (LEDGER_BENCH_CONNECTION, else the private
                  cluster's ledger_bench database), prints a table and writes the results as JSON
                  (default artifacts/bench/latest.json); its schemas are dropped and created afresh.
                  --cases picks the groups to run (default all; long-stream: appends to commitments with 10
                  and with 10,000 prior reports, and their ratio); --events sets the ledger size of the
                  integrity cases (the export case runs over a tenth of it) and of the generated pilot-zone ledger the import, rebuild,
                  queries and replay cases share (default 1,000,000; 100,000 with --quick)
        compare   flags every ratio of the latest results that fell by more than the threshold below the
                  baseline (default ops/bench-baseline.json); exit code 1 when any did
        """;

    private const string OursSchema = "bench_api";
    private const string PeerSchema = "bench_peer";
    private const string LimitSchema = "bench_limit";
    private const string ZoneSchema = "bench_zone";
    private static readonly string[] KnownCases = ["append", "long-stream", "integrity", "export", "import", "rebuild", "queries", "replay"];
    private static readonly string[] ZoneCases = ["rebuild", "queries", "replay"];

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
        if (options.Value("--events") is { } events)
        {
            var n = int.Parse(events, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            settings = settings with { IntegrityEvents = n, ZoneEvents = n };
        }
        var cases = (options.Value("--cases") ?? string.Join(',', KnownCases)).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        if (cases.Count == 0 || cases.Except(KnownCases).FirstOrDefault() is { } unknown)
            throw new ArgumentException($"--cases takes one or more of {string.Join(", ", KnownCases)}{(cases.Count == 0 ? "" : $", not '{cases.Except(KnownCases).First()}'")}");
        var connection = options.Value("--connection")
            ?? Environment.GetEnvironmentVariable("LEDGER_BENCH_CONNECTION")
            ?? BenchSettings.DefaultConnection;
        var output = options.Value("--out") ?? Path.Combine(RepositoryRoot(), "artifacts", "bench", "latest.json");

        await Console.Error.WriteLineAsync($"bench: {(options.Flag("--quick") ? "quick" : "full")}: {string.Join(" and ", cases.Order())}; "
            + (cases.Contains("append") ? $"appends: {settings.Runs} runs of ~{settings.SecondsPerRun} s per target, clients {string.Join(", ", settings.Clients)}; " : "")
            + (cases.Contains("long-stream") ? $"long-stream: {settings.LongStreamRuns} runs per shape, {LongStreamCase.Clients} clients, {LongStreamCase.ShortPrior} and {LongStreamCase.LongPrior:N0} prior reports; " : "")
            + (cases.Contains("integrity") ? $"integrity: {settings.IntegrityEvents:N0} events, {settings.IntegrityRuns} runs per target, {settings.ProofsPerRun} proofs per run; " : "")
            + (cases.Overlaps([.. ZoneCases, "import"]) ? $"pilot-zone ledger of ~{settings.ZoneEvents:N0} events{(settings.ZoneEvents < 1_000_000 ? " (fewer than the million the query targets are set at)" : "")}; " : "")
            + $"{Environment.ProcessorCount} cores");
        await DropSchemasAsync(connection);

        var started = System.Diagnostics.Stopwatch.StartNew();
        var results = new List<CaseResult>();
        if (cases.Contains("append"))
        {
            await using var ours = await OursHttp.StartAsync(connection, OursSchema);
            await using var peer = await PeerMarten.CreateAsync(connection, PeerSchema, await ours.TemplateEventsAsync());
            await using var limit = await LimitNpgsql.CreateAsync(connection, LimitSchema);
            var appends = new AppendCase(settings, ours, peer, limit);
            // The API process's peak resident set so far, after each case (the load grows with the clients).
            foreach (var clients in settings.Clients)
                results.Add(await appends.RunAsync(clients) with { PeakRssMb = Math.Round(ours.ApiPeakRssMb, 1) });
            // Two writers per stream, beside the case of the same clients on streams of their own.
            var contendedClients = settings.Clients.Contains(16) ? 16 : settings.Clients.Max();
            var contended = await appends.RunContendedAsync(ours, contendedClients, 2);
            results.Add(contended);
            if (results.FirstOrDefault(r => r.Case == $"append.c{contendedClients}") is { } separate)
                await Console.Error.WriteLineAsync($"bench: {contended.Case}: {contended.Ours:F1} ops/s (p99 {contended.P99Ms:F1} ms) against {separate.Ours:F1} ops/s (p99 {separate.P99Ms:F1} ms) with a stream per client: {contended.Ours / separate.Ours:F2} of it");
            await Console.Error.WriteLineAsync($"bench: append cases took {started.Elapsed.TotalSeconds:F0} s");
        }
        if (cases.Contains("long-stream"))
        {
            var longStarted = started.Elapsed;
            results.AddRange(await new LongStreamCase(settings, connection).RunAsync());
            await Console.Error.WriteLineAsync($"bench: long-stream case took {(started.Elapsed - longStarted).TotalSeconds:F0} s");
        }
        if (cases.Contains("integrity"))
        {
            var integrityStarted = started.Elapsed;
            results.AddRange(await new IntegrityCase(settings, connection).RunAsync());
            await Console.Error.WriteLineAsync($"bench: integrity cases took {(started.Elapsed - integrityStarted).TotalSeconds:F0} s");
        }
        if (cases.Contains("export"))
        {
            // After the integrity cases, whose ledger (tree integrated) it reuses when they ran.
            var exportStarted = started.Elapsed;
            if (await new ExportCase(settings, connection).RunAsync() is { } export) results.Add(export);
            await Console.Error.WriteLineAsync($"bench: export case took {(started.Elapsed - exportStarted).TotalSeconds:F0} s");
        }
        if (cases.Contains("import"))
        {
            var importStarted = started.Elapsed;
            await using var db = NpgsqlDataSource.Create(connection);
            if (await new ImportCase(settings, connection).RunAsync(db, CancellationToken.None) is { } import) results.Add(import);
            await Console.Error.WriteLineAsync($"bench: import case took {(started.Elapsed - importStarted).TotalSeconds:F0} s");
        }
        if (cases.Overlaps(ZoneCases))
        {
            var zoneStarted = started.Elapsed;
            results.AddRange(await ZoneCasesAsync(settings, connection, cases));
            await Console.Error.WriteLineAsync($"bench: rebuild, query and replay cases took {(started.Elapsed - zoneStarted).TotalSeconds:F0} s");
        }

        await CaseResult.WriteAsync(output, results);
        Console.Write(CaseResult.Table(results));
        foreach (var append in results.Where(r => r.PeakRssMb is not null && r.Case.StartsWith("append.", StringComparison.Ordinal)))
            Console.WriteLine($"{append.Case}: peak RSS of the API process (its own, apart from the load's clients) {append.PeakRssMb:F1} MB by the end of this case");
        foreach (var child in results.Where(r => r.PeakRssMb is not null && !r.Case.StartsWith("append.", StringComparison.Ordinal)))
            Console.WriteLine($"{child.Case}: peak RSS of `ledger {child.Case switch { "export.all" => "export --all", "import.bulk" => "import", "rebuild.supervision" => "rebuild Supervision", _ => child.Case.Split('.').Last() }}` (child process) {child.PeakRssMb:F1} MB over {child.Events:N0} events"
                + (child.EventsSmall is null ? "" : $", {child.PeakRssMbSmall:F1} MB over {child.EventsSmall:N0}"));
        await Console.Error.WriteLineAsync($"bench: wrote {output} after {started.Elapsed.TotalSeconds:F0} s");
        return 0;
    }

    /// <summary>
    /// The cases over one generated pilot-zone ledger: the rebuild (which leaves the views), the
    /// supervisors' queries on those views and the audit replay, the last two through one API host.
    /// </summary>
    private static async Task<IReadOnlyList<CaseResult>> ZoneCasesAsync(BenchSettings settings, string connection, HashSet<string> cases)
    {
        var results = new List<CaseResult>();
        await using var db = NpgsqlDataSource.Create(connection);
        var zone = ZoneLedger.OfAbout(settings.ZoneEvents);
        var loaded = await ZoneLoad.CreateAsync(db, connection, ZoneSchema, zone, CancellationToken.None);
        var rebuild = new RebuildCase(settings, connection, ZoneSchema);
        if (cases.Contains("rebuild"))
            results.Add(await rebuild.RunAsync(db, loaded.Events, CancellationToken.None));
        else if (cases.Contains("queries") || cases.Contains("replay"))
            await rebuild.RebuildOnceAsync(db, loaded.Events, CancellationToken.None);
        if (!cases.Contains("queries") && !cases.Contains("replay")) return results;

        await QueryCase.SettleAsync(db, ZoneSchema, CancellationToken.None);
        await using var api = await ZoneApi.StartAsync(connection, ZoneSchema);
        if (cases.Contains("queries"))
            results.AddRange((await new QueryCase(settings, api, db, ZoneSchema).RunAsync(zone.AgreementIds, CancellationToken.None)).Select(r => r with { Events = loaded.Events }));
        if (cases.Contains("replay"))
            results.AddRange(await new ReplayCase(settings, api, db, ZoneSchema).RunAsync(CancellationToken.None));
        return results;
    }

    private static async Task DropSchemasAsync(string connection)
    {
        await using var source = NpgsqlDataSource.Create(connection);
        await using var command = source.CreateCommand(string.Join("; ", new[] { OursSchema, PeerSchema, LimitSchema, LongStreamCase.Schema, IntegrityCase.Schema, IntegrityCase.SmallSchema, ExportCase.SmallSchema, ImportCase.Schema, ZoneSchema }.Select(s => $"drop schema if exists \"{s}\" cascade")));
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
        private static readonly HashSet<string> Valued = ["--out", "--connection", "--clients", "--cases", "--events", "--latest", "--baseline", "--threshold"];
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
