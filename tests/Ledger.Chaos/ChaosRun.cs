using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Ledger.Api.Tests.Support;
using Ledger.Benchmarks;
using Ledger.Benchmarks.Appends;
using Ledger.Benchmarks.Integrity;
using Ledger.Infrastructure.Identity;
using Ledger.Infrastructure.Integrity;
using Ledger.Integrity.Checkpoints;
using Npgsql;

namespace Ledger.Chaos;

/// <summary>
/// One chaos run: a PostgreSQL cluster and two API nodes of its own, clients reporting progress with
/// Idempotency-Keys (an outcome the client could not learn is sent again, same key and body, until it is
/// definite), faults injected one at a time at moments drawn from the seed, and then the whole history
/// checked (<see cref="HistoryCheck"/>).
/// </summary>
public static class ChaosRun
{
    private const string Schema = "chaos";

    public static async Task<ChaosReport> RunAsync(ChaosOptions options)
    {
        var random = new Random(options.Seed);
        var (wal, whyNot) = await WalTmpfs.TryCreateAsync();
        List<string> leftOut = [];
        await using var walTmpfs = wal;
        if (whyNot is not null)
        {
            if (options.Faults.SequenceEqual([FaultKinds.WalFull])) throw new InvalidOperationException($"wal-full cannot run here: {whyNot}");
            if (options.Faults.Contains(FaultKinds.WalFull))
            {
                await Log($"wal-full left out: {whyNot}");
                leftOut.Add($"{FaultKinds.WalFull}: {whyNot}");
                options = options with { Faults = [.. options.Faults.Where(f => f != FaultKinds.WalFull)] };
            }
        }
        await using var cluster = await PrivateCluster.CreateAsync(wal?.MountPoint, wal is null ? null : WalTmpfs.ClusterSettings);
        // The nodes reach PostgreSQL through the proxy, so that it can misbehave between them; the checks go direct.
        await using var proxy = new ChaosProxy(cluster.Port);
        var throughProxy = new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Port = proxy.Port }.ConnectionString;
        var tokenKey = RandomNumberGenerator.GetBytes(32);
        var seed = CheckpointKeys.NewSeed();
        string[] settings =
        [
            $"--Auth:SigningKey={Convert.ToBase64String(tokenKey)}", $"--Integrity:SigningKey={seed}",
            "--RateLimits:Enabled=false", "--Integrity:CheckpointInterval=00:00:02",
            // The clock runs, often, on whichever node leads it: its notices are checked exactly once per due item.
            "--Clock:Enabled=true", $"--Clock:Interval={ClockInterval:c}",
            $"--Ledger:SessionLease={Faults.Lease:c}",
        ];
        var tokens = new TokenIssuer(new TokenSettings(TokenSettings.DefaultIssuer, TokenSettings.DefaultAudience, null, null, tokenKey), TimeProvider.System);
        await using var nodes = await Nodes.StartAsync(throughProxy, Schema, settings);
        await Log($"cluster on {cluster.Port} (proxy {proxy.Port}), nodes at {string.Join(", ", nodes.Addresses)}");

        var setupClient = new HttpClient { BaseAddress = nodes.Addresses[0], Timeout = TimeSpan.FromSeconds(30) };
        var setup = new PilotSetup(setupClient, (role, government) => tokens.Issue(role, government, TimeSpan.FromHours(2)));
        await setup.GovernmentsAndAgreementAsync();
        var streams = Enumerable.Range(1, options.Streams).Select(i => $"chaos-{i:D2}").ToArray();
        foreach (var id in streams) await setup.ActiveCommitmentAsync(id);

        var workload = new Workload(nodes, tokens.Issue("government", PilotSetup.Liuyang, TimeSpan.FromHours(24)),
            tokens.Issue("supervisor", null, TimeSpan.FromHours(24)), streams, options.Seed);
        var creator = new CommitmentCreator(nodes, tokens);
        var readiness = new ReadinessProbe(nodes);
        var faults = new List<FaultRecord>();
        var injectionFailures = new List<string>();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, options.Clients).Select(c => workload.ClientAsync(c, stop.Token)).ToArray();
        var creating = creator.RunAsync(workload.Clock, stop.Token);
        var probing = readiness.RunAsync(workload.Clock, stop.Token);
        var inject = new Faults(cluster, proxy, nodes, Schema, random, wal);

        // Faults one at a time, at moments drawn from the seed, kinds in turn; the last leaves time to recover.
        var end = TimeSpan.FromSeconds(options.Seconds);
        var kind = 0;
        while (true)
        {
            var pause = TimeSpan.FromSeconds(options.Quick ? 1 + random.NextDouble() : 2 + random.NextDouble() * 4);
            // Until the time is up, and in any case until each kind has been injected once.
            var everyKindOnce = options.Faults.All(k => faults.Any(f => f.Kind == k));
            if (workload.Clock.Elapsed + pause + TimeSpan.FromSeconds(8) > end && everyKindOnce) break;
            await Task.Delay(pause);
            var fault = new FaultRecord(options.Faults[kind++ % options.Faults.Count], workload.Clock.Elapsed);
            await Log($"{fault.StartedAt.TotalSeconds,6:F1} s: {fault.Kind}");
            try
            {
                await inject.InjectAsync(fault);
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or NpgsqlException or System.ComponentModel.Win32Exception)
            {
                // The harness failed, not necessarily the ledger: said in the report (the run fails), and the run goes on.
                injectionFailures.Add($"{fault.Kind} at {fault.StartedAt.TotalSeconds:F1} s could not be injected: {ex.Message.Split('\n')[0]}");
                await Log(injectionFailures[^1]);
                await inject.RecoverAsync();
            }
            fault.EndedAt = workload.Clock.Elapsed;
            faults.Add(fault);
        }
        var remaining = end - workload.Clock.Elapsed;
        if (remaining > TimeSpan.Zero) await Task.Delay(remaining);

        // No new operations; what is in flight is sent again until it is definite (or the deadline passes).
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        await creating;
        await probing;
        var loadStopped = workload.Clock.Elapsed;
        await Log($"{workload.Clock.Elapsed.TotalSeconds,6:F1} s: load stopped after {workload.Operations.Count} operations; checking the history");

        var check = await HistoryCheck.RunAsync(cluster.ConnectionString, Schema, streams, workload.Operations);
        // The clock's last passes: every commitment created has had two intervals and more to be noticed.
        await Task.Delay(ClockInterval * 3);
        var clock = await ClockCheck.RunAsync(cluster.ConnectionString, Schema, [.. streams, .. creator.Created]);
        var views = await ViewsCheck.CaughtUpAsync(cluster.ConnectionString, Schema);

        await MerkleCaughtUpAsync(cluster.ConnectionString);
        var nodeLogs = Path.Combine(Path.GetDirectoryName(options.Output)!, "nodes.log");
        Directory.CreateDirectory(Path.GetDirectoryName(nodeLogs)!);
        await nodes.DisposeAsync();
        await File.WriteAllTextAsync(nodeLogs, nodes.Logs);
        await Log($"the nodes' logs (warnings and above) are in {nodeLogs}");
        views = await ViewsCheck.AgainstRebuildAsync(cluster.ConnectionString, Schema, views);
        var verifierKey = CheckpointKeys.VerifierKeyOf(seed, IntegritySettings.DefaultOrigin);
        var verify = await VerifyAsync(cluster.ConnectionString, verifierKey);
        var (checkpoints, chainProblems) = await CheckpointChain.CheckAsync(cluster.ConnectionString, Schema, verifierKey);
        var (readBack, readMissing) = workload.ReadsAfterWrites;
        return ChaosReport.From(options, loadStopped, faults, workload.Operations, workload.Answers500, readiness, check with
        {
            Problems = [.. injectionFailures, .. workload.Failures, .. chainProblems, .. clock.Problems, .. views.Problems, .. check.Problems],
        }, verify) with
        {
            Checkpoints = checkpoints,
            CheckpointsInconsistent = chainProblems.Count,
            ReadsAfterWrites = readBack,
            ReadsMissingTheWrite = readMissing,
            Clock = clock,
            Views = views,
            LeftOut = leftOut,
            InjectionFailures = injectionFailures.Count,
        };
    }

    /// <summary>How often the chaos nodes' clock looks for due items.</summary>
    public static readonly TimeSpan ClockInterval = TimeSpan.FromSeconds(2);

    private static async Task<string> VerifyAsync(string connectionString, string verifierKey)
    {
        var cli = VerifyChild.CliPath() ?? throw new InvalidOperationException("src/Ledger.Cli is not built in this configuration; build the solution first");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var outcome = await VerifyChild.RunAsync(cli, connectionString, Schema, verifierKey, CancellationToken.None);
                return outcome.Output.Trim();
            }
            catch (InvalidOperationException ex) when (attempt < 3)
            {
                await Log("verify did not pass yet, trying again in 5 s: " + ex.Message.Split('\n')[0]);
                await Task.Delay(TimeSpan.FromSeconds(5));
            }
            catch (InvalidOperationException ex)
            {
                return "FAILED: " + ex.Message.Split('\n')[0];
            }
        }
    }

    // The nodes' Merkle workers catch up within seconds of the last write: verify covers every event once they have.
    private static async Task MerkleCaughtUpAsync(string connectionString)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        for (var waited = 0; waited < 120; waited++)
        {
            await using var behind = db.CreateCommand(
                $"select count(*) from \"{Schema}\".mt_events where seq_id > coalesce((select last_seq from \"{Schema}\".ledger_merkle_state), 0)");
            if ((long)(await behind.ExecuteScalarAsync())! == 0) return;
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    internal static Task Log(string line) => Console.Error.WriteLineAsync("chaos: " + line);
}

/// <summary>One injected fault: when (seconds into the run) it began and ended, and what it saw.</summary>
public sealed class FaultRecord(string kind, TimeSpan startedAt)
{
    public string Kind { get; } = kind;
    public TimeSpan StartedAt { get; } = startedAt;
    public TimeSpan EndedAt { get; set; }

    /// <summary>pause-node: seconds from the pause until the other node held the clock's lock.</summary>
    public double? LeaderTakeover { get; set; }

    /// <summary>merkle-kill: whether the node died at the failpoint (rather than not reaching it in time).</summary>
    public bool? FailpointReached { get; set; }
}

/// <summary>The API nodes a workload sends to: those up now.</summary>
public interface IServingNodes
{
    IReadOnlyList<Uri> Addresses { get; }
}

/// <summary>The two API nodes, each a process of its own on one database; one may be down for a moment.</summary>
public sealed class Nodes : IServingNodes, IAsyncDisposable
{
    private readonly ApiChild?[] _children = new ApiChild?[2];
    private readonly string _connectionString;
    private readonly string _schema;
    private readonly string[] _settings;
    private readonly List<string> _kept = [];

    private Nodes(string connectionString, string schema, string[] settings)
    {
        _connectionString = connectionString;
        _schema = schema;
        _settings = settings;
    }

    public static async Task<Nodes> StartAsync(string connectionString, string schema, string[] settings)
    {
        var nodes = new Nodes(connectionString, schema, settings);
        // One after the other: the first applies the schema.
        await nodes.StartAsync(0);
        await nodes.StartAsync(1);
        return nodes;
    }

    /// <summary>The addresses of the nodes up now.</summary>
    public IReadOnlyList<Uri> Addresses => [.. _children.Where(c => c is not null).Select(c => c!.Address)];

    public Uri? Address(int index) => _children[index]?.Address;

    public int? Pid(int index) => _children[index]?.Pid;

    /// <summary>The last part of what a node has logged (warnings and above).</summary>
    public string Output(int index)
    {
        if (_children[index] is not { } child) return "";
        lock (child.Output)
        {
            var text = child.Output.ToString().Trim();
            return text.Length <= 2000 ? text : text[^2000..];
        }
    }

    /// <summary>kill -9: no shutdown of any kind. Its log is kept.</summary>
    public async Task KillAsync(int index)
    {
        var child = _children[index];
        _children[index] = null;
        if (child is null) return;
        await child.DisposeAsync();
        lock (child.Output)
            lock (_kept) _kept.Add(child.Output.ToString());
    }

    public async Task StartAsync(int index, IReadOnlyDictionary<string, string>? environment = null) =>
        _children[index] = await ApiChild.StartAsync(_connectionString, _schema, environment ?? new Dictionary<string, string>(), _settings);

    public async Task StartMissingAsync()
    {
        for (var i = 0; i < _children.Length; i++)
            if (_children[i] is null) await StartAsync(i);
    }

    public async Task<bool> ExitedWithinAsync(int index, TimeSpan timeout) =>
        _children[index] is { } child && await child.ExitedWithinAsync(timeout);

    /// <summary>Every node's log, the killed ones' included, one after the other.</summary>
    public string Logs
    {
        get
        {
            var logs = new System.Text.StringBuilder();
            lock (_kept) foreach (var kept in _kept) logs.Append(kept);
            foreach (var child in _children)
                if (child is not null) lock (child.Output) logs.Append(child.Output);
            return logs.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _children.Length; i++) await KillAsync(i);
    }
}

/// <summary>
/// What became of one operation (a government's progress report or a supervisor's assessment, sent with one
/// Idempotency-Key until definite). <see cref="ReportId"/> is the report's or the assessment's id.
/// </summary>
public sealed class Operation(int client, string stream, string reportId, TimeSpan startedAt, bool assessment = false)
{
    public int Client { get; } = client;

    /// <summary>A supervisor's assessment rather than a government's progress report.</summary>
    public bool IsAssessment { get; } = assessment;
    public string Stream { get; } = stream;
    public string ReportId { get; } = reportId;
    public TimeSpan StartedAt { get; } = startedAt;
    public TimeSpan? AnsweredAt { get; set; }

    /// <summary>When its last attempt was sent: an acknowledgement counts as after a fault only if this is.</summary>
    public TimeSpan LastSentAt { get; set; }

    /// <summary>acknowledged (201), refused (a definite 4xx), or unresolved (never a definite answer).</summary>
    public string Outcome { get; set; } = "unresolved";

    /// <summary>Whether some attempt ended without a definite answer (a dropped connection, a timeout, a 503, a 500).</summary>
    public bool WasUnknown { get; set; }

    public int Attempts { get; set; }

    /// <summary>The longest any attempt waited for an answer it got (a status code), in seconds.</summary>
    public double LongestAnswer { get; set; }
}

/// <summary>
/// Clients writing to the commitments through whichever node is up: every fourth client a supervisor assessing
/// them, the others Liuyang's government reporting progress (the clock adds its notices, as the system).
/// </summary>
public sealed class Workload(IServingNodes nodes, string governmentToken, string supervisorToken, string[] streams, int seed)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Time since the load began: faults, answers and readiness samples are all placed on it.</summary>
    public Stopwatch Clock => _clock;
    private readonly SocketsHttpHandler _handler = new() { PooledConnectionLifetime = TimeSpan.FromSeconds(30), ConnectTimeout = TimeSpan.FromSeconds(2) };
    private int _answers500;

    public ConcurrentQueue<Operation> Operations { get; } = new();

    public int Answers500 => _answers500;

    /// <summary>The first answers of 500, as the ledger gave them (their trace ids lead to the nodes' logs).</summary>
    public ConcurrentQueue<string> Failures { get; } = new();

    public async Task ClientAsync(int client, CancellationToken stop)
    {
        var random = new Random(seed + client);
        var supervisor = client % 4 == 3;
        using var http = new HttpClient(_handler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", supervisor ? supervisorToken : governmentToken);
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var operation = new Operation(client, streams[random.Next(streams.Length)], $"{(supervisor ? 'a' : 'c')}{client:D2}-{n:D6}", _clock.Elapsed, supervisor);
            Operations.Enqueue(operation);
            await SendUntilDefiniteAsync(http, operation, random);
        }
    }

    private int _readsBack;
    private int _readsMissing;

    /// <summary>Acknowledged writes read back at once, and how many of those reads did not show the write.</summary>
    public (int Read, int Missing) ReadsAfterWrites => (_readsBack, _readsMissing);

    private async Task ReadBackAsync(HttpClient http, Operation operation, Random random)
    {
        var addresses = nodes.Addresses;
        if (addresses.Count == 0) return;
        try
        {
            using var response = await http.GetAsync(new Uri(addresses[random.Next(addresses.Count)], $"/api/commitments/{operation.Stream}/reports/{operation.ReportId}"));
            // A 404 is an answer (the report is not there); anything else but a 200 is a fault in between.
            if (!response.IsSuccessStatusCode && response.StatusCode != System.Net.HttpStatusCode.NotFound) return;
            var report = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync());
            Interlocked.Increment(ref _readsBack);
            if (!response.IsSuccessStatusCode || (string?)report?["reportId"] != operation.ReportId)
            {
                Interlocked.Increment(ref _readsMissing);
                if (Failures.Count < 10) Failures.Enqueue($"a read after the 201 of {operation.ReportId} on {operation.Stream} did not show it");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or System.Text.Json.JsonException)
        {
            // The read met a fault: it proves nothing either way.
        }
    }

    private async Task SendUntilDefiniteAsync(HttpClient http, Operation operation, Random random)
    {
        var key = Guid.NewGuid().ToString();
        var (path, body) = operation.IsAssessment
            ? ("assessments", $$"""
                {"assessmentId":"{{operation.ReportId}}","period":"2024-Q2","completion":"Substantial","confidence":"Green","risk":"Moderate","rationale":"Chaos assessment."}
                """)
            : ("progress", $$"""
                {"reportId":"{{operation.ReportId}}","period":"2024","asOf":"2024-06-30","values":[{"indicatorId":"months-class-iii","value":10,"text":null}],"narrative":"Chaos report."}
                """);
        var until = _clock.Elapsed + Deadline;
        while (_clock.Elapsed < until)
        {
            operation.Attempts++;
            var addresses = nodes.Addresses;
            if (addresses.Count == 0)
            {
                await Task.Delay(100);
                continue;
            }
            var address = addresses[random.Next(addresses.Count)];
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, $"/api/commitments/{operation.Stream}/{path}"))
                {
                    Content = new StringContent(body, Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("Idempotency-Key", key);
                var sent = _clock.Elapsed;
                operation.LastSentAt = sent;
                using var response = await http.SendAsync(request);
                operation.LongestAnswer = Math.Max(operation.LongestAnswer, (_clock.Elapsed - sent).TotalSeconds);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    operation.Outcome = "acknowledged";
                    operation.AnsweredAt = _clock.Elapsed;
                    // One acknowledgement in ten is read back at once, through either node: the record must show it.
                    if (!operation.IsAssessment && random.Next(10) == 0) await ReadBackAsync(http, operation, random);
                    return;
                }
                if ((int)response.StatusCode is >= 400 and < 500 and not 408 and not 429)
                {
                    operation.Outcome = "refused";
                    operation.AnsweredAt = _clock.Elapsed;
                    return;
                }
                if (response.StatusCode == HttpStatusCode.InternalServerError)
                {
                    Interlocked.Increment(ref _answers500);
                    if (Failures.Count < 10) Failures.Enqueue($"500 at {_clock.Elapsed.TotalSeconds:F1} s on {operation.Stream}: {await response.Content.ReadAsStringAsync()}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                // The outcome is unknown: the same key and body again, until the ledger says which.
            }
            operation.WasUnknown = true;
            await Task.Delay(100 + random.Next(200));
        }
    }
}
