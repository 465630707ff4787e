using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Identity;
using Npgsql;

namespace Ledger.Chaos;

/// <summary>
/// What `./ops/ledger cluster test` asks of a running Patroni cluster and its two API nodes: the nodes' addresses,
/// the members' Patroni REST APIs, a connection for the checks, the nodes' data folder (their token key), which
/// faults, and how long the load runs after each recovery.
/// </summary>
public sealed record FailoverOptions(
    IReadOnlyList<Uri> Nodes, IReadOnlyList<Uri> Patroni, string Connection, string DataDirectory,
    IReadOnlyList<string> Faults, int Clients, int SecondsAfter, string Output)
{
    public const string Kill = "kill-primary";
    public const string Switchover = "switchover";
    public const string KillLagging = "kill-lagging-primary";

    /// <summary>
    /// <c>--replication async</c>: the run switches Patroni to asynchronous replication (and back to synchronous at
    /// its end) and measures what a failover loses there; the losses are its finding, not its failure.
    /// </summary>
    public bool Asynchronous { get; init; }

    /// <summary>How long the standbys' WAL receivers are stopped before the primary is killed (<c>--lag-seconds</c>).</summary>
    public int LagSeconds { get; init; } = 3;

    /// <summary>Where the checkpoint signed just before each kill is kept, for `verify --against` after (<c>--checkpoint-out</c>).</summary>
    public string? CheckpointOutput { get; init; }

    public static FailoverOptions Parse(string[] args)
    {
        List<Uri> nodes = [], patroni = [];
        string? connection = null, dataDirectory = null, output = null;
        string[] faults = [Kill, Switchover];
        int clients = 6, after = 8, lag = 3;
        bool asynchronous = false, faultsGiven = false;
        string? checkpointOutput = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--nodes": nodes = [.. Value().Split(',').Select(u => new Uri(u))]; break;
                case "--patroni": patroni = [.. Value().Split(',').Select(u => new Uri(u))]; break;
                case "--connection": connection = Value(); break;
                case "--data-dir": dataDirectory = Value(); break;
                case "--out": output = Path.GetFullPath(Value()); break;
                case "--clients": clients = Whole(Value(), "--clients", 1, 64); break;
                case "--seconds-after": after = Whole(Value(), "--seconds-after", 2, 600); break;
                case "--faults":
                    faultsGiven = true;
                    faults = Value().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                    if (faults.Length == 0 || faults.Any(f => f is not (Kill or Switchover or KillLagging)))
                        throw new ArgumentException($"--faults takes {Kill}, {Switchover} or {KillLagging}");
                    break;
                case "--replication":
                    asynchronous = Value() switch
                    {
                        "sync" => false,
                        "async" => true,
                        var other => throw new ArgumentException($"--replication takes sync or async, not '{other}'"),
                    };
                    break;
                case "--lag-seconds": lag = Whole(Value(), "--lag-seconds", 1, 60); break;
                case "--checkpoint-out": checkpointOutput = Path.GetFullPath(Value()); break;
                default: throw new ArgumentException($"unknown option '{args[i]}' (failover options: --nodes, --patroni, --connection, --data-dir, --faults, --replication, --lag-seconds, --clients, --seconds-after, --checkpoint-out, --out)");
            }
        }
        if (nodes.Count == 0 || patroni.Count == 0 || connection is null || dataDirectory is null || output is null)
            throw new ArgumentException("failover needs --nodes, --patroni, --connection, --data-dir and --out");
        if (asynchronous && !faultsGiven) faults = [KillLagging];
        if (faults.Contains(KillLagging) != asynchronous)
            throw new ArgumentException($"{KillLagging} is the asynchronous run's fault, and the asynchronous run's only one: --replication async --faults {KillLagging}");
        return new FailoverOptions(nodes, patroni, connection, dataDirectory, faults, clients, after, output)
        {
            Asynchronous = asynchronous, LagSeconds = lag, CheckpointOutput = checkpointOutput,
        };
    }

    private static int Whole(string text, string option, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new ArgumentException($"{option} takes a whole number from {min} to {max}, not '{text}'");
}

/// <summary>One fault on the primary and what was seen after it, in seconds from the fault.</summary>
public sealed record FailoverFault(string Kind, string OldPrimary, string NewPrimary, double At,
    double NewLeaderAfter, double SyncStandbyAfter, double FirstAcknowledgedAfter, double LongestWithoutAcknowledgement);

/// <summary>
/// The failover test against the cluster `./ops/ledger cluster up` started: clients append progress reports and
/// assessments through both API nodes (each with an Idempotency-Key, sent again with the same key until the answer
/// is definite), the primary's postmaster is killed with SIGKILL (and, separately, Patroni is asked for a planned
/// switchover), the recovery is timed from the fault to the first acknowledgement of a request sent after it, and
/// then every acknowledged append is looked for in mt_events (<see cref="HistoryCheck"/>: 0 lost, 0 duplicated), and the
/// Merkle log, the views and the deadline clock are seen to have gone on on the new primary.
/// </summary>
public static class FailoverRun
{
    private const string Schema = "ledger";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(FailoverOptions options)
    {
        var tokens = new TokenIssuer(TokenSettings.From(new AuthSettings(), options.DataDirectory), TimeProvider.System);
        using var patroni = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var nodes = new FixedNodes(options.Nodes);

        // Commitments of this run's own, under the pilot slice's agreement (registered once per ledger).
        using (var http = new HttpClient { BaseAddress = options.Nodes[0], Timeout = TimeSpan.FromSeconds(30) })
        {
            foreach (var r in PilotRequests.Governments().Concat(PilotRequests.ActiveAgreement()))
                await LedgerRequests.SendAsync(http, tokens, r, alreadyDoneIsFine: true);
        }
        var run = DateTime.UtcNow.ToString("yyMMddHHmmss", CultureInfo.InvariantCulture);
        var streams = Enumerable.Range(1, 4).Select(i => $"failover-{run}-{i}").ToArray();
        // One more for the standby-reads check, outside the history the faults are checked on.
        var readsCommitment = $"failover-{run}-reads";
        using (var http = new HttpClient { BaseAddress = options.Nodes[0], Timeout = TimeSpan.FromSeconds(30) })
        {
            foreach (var id in streams.Append(readsCommitment))
                foreach (var r in PilotRequests.ActiveCommitment(id))
                    await LedgerRequests.SendAsync(http, tokens, r, alreadyDoneIsFine: false);
        }

        if (options.Asynchronous) await ReplicationAsync(patroni, options.Patroni, synchronous: false);
        var kept = new List<(string Fault, SignedCheckpoint Checkpoint)>();
        var workload = new Workload(nodes, tokens.Issue("government", PilotRequests.Liuyang, TimeSpan.FromHours(2)),
            tokens.Issue("supervisor", null, TimeSpan.FromHours(2)), streams, Environment.ProcessId);
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, options.Clients).Select(c => workload.ClientAsync(c, stop.Token)).ToArray();
        await Log($"{options.Clients} clients appending to {streams.Length} commitments through {string.Join(", ", options.Nodes)}");
        await Task.Delay(TimeSpan.FromSeconds(options.SecondsAfter));

        var results = new List<FailoverFault>();
        var failures = new List<string>();
        foreach (var kind in options.Faults)
        {
            var before = await MembersAsync(patroni, options.Patroni);
            var leader = before.FirstOrDefault(m => m.Role == "leader");
            var standbyRole = options.Asynchronous ? "replica" : "sync_standby";
            if (leader is null || !before.Any(m => m.Role == standbyRole))
            {
                failures.Add($"{kind}: no leader with a {(options.Asynchronous ? "" : "synchronous ")}standby to begin with ({Describe(before)})");
                break;
            }
            double at;
            if (kind is FailoverOptions.Kill or FailoverOptions.KillLagging)
            {
                var pid = await PostmasterPidAsync(leader);
                if (kind == FailoverOptions.KillLagging)
                {
                    // The standbys held behind: the primary's WAL senders stopped, so what it commits from now on reaches
                    // none of them (what was sent before still does, from the sockets' buffers).
                    var senders = await WalSendersAsync(leader);
                    await Signals.PauseAsync(senders);
                    await Log($"{workload.Clock.Elapsed.TotalSeconds,6:F1} s: stopped the primary's WAL senders (pids {string.Join(", ", senders)}) for {options.LagSeconds} s");
                    await Task.Delay(TimeSpan.FromSeconds(options.LagSeconds));
                }
                // What an auditor would have kept: a checkpoint signed just before the fault.
                kept.Add((kind, await SignAsync(options.Nodes[0], tokens)));
                at = workload.Clock.Elapsed.TotalSeconds;
                if (kind == FailoverOptions.KillLagging)
                {
                    // The machine dies: the postmaster and every process it forked at once, the stopped senders with it.
                    await Signals.KillAsync(Signals.WithDescendants(pid));
                    await Log($"{at,6:F1} s: killed the primary {leader.Name}'s postmaster (pid {pid}) and all its processes with SIGKILL, just after signing a checkpoint of size {kept[^1].Checkpoint.TreeSize}");
                }
                else
                {
                    using (var postmaster = Process.GetProcessById(pid)) postmaster.Kill();
                    await Log($"{at,6:F1} s: killed the primary {leader.Name}'s postmaster (pid {pid}) with SIGKILL, just after signing a checkpoint of size {kept[^1].Checkpoint.TreeSize}");
                }
            }
            else
            {
                at = workload.Clock.Elapsed.TotalSeconds;
                await Log($"{at,6:F1} s: asking Patroni to switch over from {leader.Name}");
                // A body with its length: Patroni's REST API answers 411 to a chunked one.
                using var body = new StringContent(JsonSerializer.Serialize(new { leader = leader.Name }), System.Text.Encoding.UTF8, "application/json");
                using var response = await patroni.PostAsync(new Uri(leader.Api, "/switchover"), body);
                var said = (await response.Content.ReadAsStringAsync()).Trim();
                if (!response.IsSuccessStatusCode) failures.Add($"switchover: Patroni answered {(int)response.StatusCode} {said}");
                await Log($"Patroni: {said}");
            }

            // The new leader, its synchronous standby, and the first acknowledgement of a request sent after the fault.
            double? newLeader = null, sync = null, firstAck = null;
            var newPrimary = "";
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(120) && (newLeader is null || sync is null || firstAck is null))
            {
                var now = workload.Clock.Elapsed.TotalSeconds;
                if (newLeader is null || sync is null)
                {
                    var members = await MembersAsync(patroni, options.Patroni);
                    if (newLeader is null && members.FirstOrDefault(m => m.Role == "leader" && m.State == "running" && m.Name != leader.Name) is { } l)
                    {
                        newLeader = now - at;
                        newPrimary = l.Name;
                    }
                    if (newLeader is not null && sync is null && (options.Asynchronous || members.Any(m => m.Role == "sync_standby"))) sync = now - at;
                }
                if (firstAck is null && FirstAcknowledgedAfter(workload, at) is { } ack) firstAck = ack - at;
                await Task.Delay(100);
            }
            // Writes stop when the old primary stops taking them, which for a switchover is a while after it was asked
            // for: the window runs until the new primary has its synchronous standby and a moment more.
            var gap = LongestGap(workload, at - 1, at + Math.Max(Math.Max(newLeader ?? 120, sync ?? 120), firstAck ?? 120) + 2);
            results.Add(new FailoverFault(kind, leader.Name, newPrimary, at, newLeader ?? -1, sync ?? -1, firstAck ?? -1, gap));
            if (newLeader is null || sync is null || firstAck is null)
                failures.Add($"{kind}: within 120 s {(newLeader is null ? "no new leader" : sync is null ? "no synchronous standby" : "no acknowledged append")}");
            await Log($"{kind}: new leader {newPrimary} after {newLeader:F2} s, sync standby after {sync:F2} s, first acknowledged append after {firstAck:F2} s");
            await Task.Delay(TimeSpan.FromSeconds(options.SecondsAfter));
        }

        await stop.CancelAsync();
        await Task.WhenAll(clients);
        var operations = workload.Operations.ToArray();
        await Log($"load stopped after {operations.Length} operations; checking the history");
        var check = await HistoryCheck.RunAsync(options.Connection, Schema, streams, operations);
        var caughtUp = await MerkleCaughtUpAsync(options.Connection);
        // The daemon and the clock went on on the new primary: the views reach the last event, and the clock (every
        // minute on the node that leads it) notices each run commitment's past deadline, once.
        var views = await ViewsCheck.CaughtUpAsync(options.Connection, Schema);
        var clock = await ClockCheck.RunAsync(options.Connection, Schema, streams);
        for (var waited = Stopwatch.StartNew(); clock.DeadlinesNotNoticed > 0 && waited.Elapsed < TimeSpan.FromSeconds(150);)
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            clock = await ClockCheck.RunAsync(options.Connection, Schema, streams);
        }
        // Supervisors' reads on standbys, with the load stopped and the cluster whole again (the synchronous run's).
        StandbyReadsResult? reads = null;
        if (!options.Asynchronous)
        {
            var standbys = (await MembersAsync(patroni, options.Patroni)).Where(m => m.Role != "leader" && m.State is "running" or "streaming")
                .Select(m => (m.Host, m.Port)).ToList();
            reads = await StandbyReadsCheck.RunAsync(options.Nodes[0], tokens, readsCommitment, standbys, options.Patroni, Log);
        }
        else
        {
            await ReplicationAsync(patroni, options.Patroni, synchronous: true);
        }
        // The views the nodes' daemons left on the new primary, once caught up, against the same views rebuilt from the
        // events (`ledger rebuild`; the load has stopped, so the daemons are idle): every document equal.
        views = await ViewsCheck.AgainstRebuildAsync(options.Connection, Schema, await ViewsCheck.CaughtUpAsync(options.Connection, Schema));
        await Log($"views: {views.Documents} documents, {views.Differing} differ from a rebuild ({views.RebuildSeconds:F1} s)");
        if (options.CheckpointOutput is { } keep && kept.Count > 0)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(keep)!);
            await File.WriteAllTextAsync(keep, kept[^1].Checkpoint.SignedNote);
        }
        var after = await MembersAsync(patroni, options.Patroni);

        var acknowledged = operations.Count(o => o.Outcome == "acknowledged");
        var refused = operations.Count(o => o.Outcome == "refused");
        var unresolved = operations.Count(o => o.Outcome == "unresolved");
        // Asynchronously replicated, a failover may lose what was acknowledged: that is what the run measures. It still
        // must not duplicate or leave a stream with a gap, and everything else must go on.
        var history = options.Asynchronous
            ? check.Duplicated == 0 && check.UnknownPresentTwice == 0 && check.StreamsWithGaps == 0 && check.RefusedButPresent == 0
            : check.Passed;
        var passed = history && failures.Count == 0 && unresolved == 0 && caughtUp && views.Passed && clock.Passed && (reads?.Passed ?? true);
        var problems = failures.Concat(options.Asynchronous ? check.Problems.Where(p => !p.StartsWith("lost:", StringComparison.Ordinal)) : check.Problems)
            .Concat(views.Problems).Concat(clock.Problems).Concat(reads?.Problems ?? []).Concat(workload.Failures).ToList();
        var report = new JsonObject
        {
            ["passed"] = passed,
            ["replication"] = options.Asynchronous ? "async" : "sync",
            ["clients"] = options.Clients,
            ["operations"] = operations.Length,
            ["acknowledged"] = acknowledged,
            ["refused"] = refused,
            ["unresolved"] = unresolved,
            ["retried"] = operations.Count(o => o.WasUnknown),
            ["answers500"] = workload.Answers500,
            ["lost"] = check.Lost,
            ["duplicated"] = check.Duplicated,
            ["refusedButPresent"] = check.RefusedButPresent,
            ["streamsWithGaps"] = check.StreamsWithGaps,
            ["merkleCaughtUp"] = caughtUp,
            ["viewsCaughtUp"] = views.CaughtUp,
            ["viewsDifferingFromRebuild"] = views.Differing,
            ["clockNotices"] = clock.Notices,
            ["clockNoticesDuplicated"] = clock.Duplicated,
            ["deadlinesNotNoticed"] = clock.DeadlinesNotNoticed,
            ["faults"] = JsonSerializer.SerializeToNode(results),
            ["standbyReads"] = reads is null ? null : JsonSerializer.SerializeToNode(reads),
            ["checkpointsKept"] = JsonSerializer.SerializeToNode(kept.Select(k => new { k.Fault, k.Checkpoint.TreeSize })),
            ["membersAfter"] = Describe(after),
            ["problems"] = new JsonArray([.. problems.Take(30).Select(p => (JsonNode)p!)]),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(options.Output)!);
        await File.WriteAllTextAsync(options.Output, report.ToJsonString(Indented));

        Console.WriteLine($"{"fault",-13} {"old → new primary",-18} {"new leader",10} {"sync standby",13} {"first ack",10} {"longest without ack",20}");
        foreach (var r in results)
            Console.WriteLine($"{r.Kind,-13} {r.OldPrimary + " → " + r.NewPrimary,-18} {r.NewLeaderAfter,9:F2}s {r.SyncStandbyAfter,12:F2}s {r.FirstAcknowledgedAfter,9:F2}s {r.LongestWithoutAcknowledgement,19:F2}s");
        Console.WriteLine($"operations {operations.Length}: {acknowledged} acknowledged, {refused} refused, {unresolved} unresolved, " +
                          $"{operations.Count(o => o.WasUnknown)} sent more than once, {workload.Answers500} answers of 500");
        Console.WriteLine($"history: {check.Lost} lost, {check.Duplicated} duplicated, {check.RefusedButPresent} refused but present, " +
                          $"{check.StreamsWithGaps} streams with gaps ({check.Events} events on the run's commitments)");
        Console.WriteLine($"after: the Merkle log {(caughtUp ? "caught up" : "NOT caught up")}, the views {(views.CaughtUp ? "caught up" : "NOT caught up")} ({views.Differing} of {views.Documents} documents differing from a rebuild), " +
                          $"the clock's notices {clock.Notices} ({clock.Duplicated} duplicated, {clock.DeadlinesNotNoticed} of {streams.Length} deadlines not noticed)");
        if (reads is not null)
            Console.WriteLine($"supervisor reads: from a standby after {reads.StandbyAfterSeconds:F2} s; with the standbys held 30 s behind from the {reads.WhileHeldBehindReadFrom} " +
                              $"after {reads.PrimaryAfterHeldSeconds:F2} s; a standby again {reads.StandbyAgainAfterReleaseSeconds:F2} s after the delay was lifted");
        if (options.Asynchronous)
            Console.WriteLine($"asynchronous replication: {check.Lost} acknowledged appends lost in the failover (standbys held {options.LagSeconds} s behind)");
        Console.WriteLine($"members after: {Describe(after)}");
        foreach (var problem in problems.Take(10)) Console.WriteLine("problem: " + problem);
        Console.WriteLine(passed ? "failover: passed" : "failover: FAILED");
        await Log($"wrote {options.Output}");
        return passed ? 0 : 1;
    }

    /// <summary>The earliest acknowledgement of an attempt sent at or after <paramref name="at"/> (seconds on the workload's clock).</summary>
    private static double? FirstAcknowledgedAfter(Workload workload, double at) =>
        workload.Operations
            .Where(o => o.Outcome == "acknowledged" && o.AnsweredAt is not null && o.LastSentAt.TotalSeconds >= at)
            .Select(o => o.AnsweredAt!.Value.TotalSeconds)
            // The clients write these fields as this reads them: an answer cannot come before the fault it follows.
            .Where(t => t >= at)
            .Select(t => (double?)t)
            .Min();

    /// <summary>The longest time between two acknowledgements (whenever sent) within the window.</summary>
    private static double LongestGap(Workload workload, double from, double to)
    {
        var times = workload.Operations
            .Where(o => o.Outcome == "acknowledged" && o.AnsweredAt is not null)
            .Select(o => o.AnsweredAt!.Value.TotalSeconds)
            .Where(t => t >= from && t <= to)
            .Order()
            .ToList();
        return times.Count < 2 ? to - from : times.Zip(times.Skip(1), (a, b) => b - a).Max();
    }

    private sealed record Member(string Name, string Role, string State, string Host, int Port, Uri Api);

    private static async Task<IReadOnlyList<Member>> MembersAsync(HttpClient http, IReadOnlyList<Uri> patroni)
    {
        foreach (var api in patroni)
        {
            try
            {
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                var cluster = JsonNode.Parse(await http.GetStringAsync(new Uri(api, "/cluster"), wait.Token));
                return [.. (cluster?["members"]?.AsArray() ?? []).Select(m => new Member(
                    (string)m!["name"]!, (string)m["role"]!, (string)m["state"]!, (string)m["host"]!, (int)m["port"]!,
                    new Uri(new Uri((string)m["api_url"]!).GetLeftPart(UriPartial.Authority))))];
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
                // This member's Patroni is not answering (its PostgreSQL may just have been killed): ask the next.
            }
        }
        return [];
    }

    private static string Describe(IReadOnlyList<Member> members) =>
        members.Count == 0 ? "no member answers" : string.Join(", ", members.Select(m => $"{m.Name} {m.Role} {m.State}"));

    // The postmaster's pid is the first line of postmaster.pid in the member's data folder (this test runs on the
    // members' machine, as the user who started them or root).
    private static async Task<int> PostmasterPidAsync(Member leader)
    {
        await using var connection = new NpgsqlConnection($"Host={leader.Host};Port={leader.Port};Database=postgres;Username=postgres;Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select current_setting('data_directory')", connection);
        var dataDirectory = (string)(await command.ExecuteScalarAsync())!;
        var first = (await File.ReadAllLinesAsync(Path.Combine(dataDirectory, "postmaster.pid")))[0];
        return int.Parse(first, CultureInfo.InvariantCulture);
    }

    private static async Task<SignedCheckpoint> SignAsync(Uri node, TokenIssuer tokens)
    {
        using var http = new HttpClient { BaseAddress = node, Timeout = TimeSpan.FromSeconds(30) };
        return await LedgerRequests.SignCheckpointAsync(http, tokens);
    }

    /// <summary>The primary's WAL sender processes (pg_stat_replication), to stop while it goes on committing.</summary>
    private static async Task<IReadOnlyList<int>> WalSendersAsync(Member primary)
    {
        await using var connection = new NpgsqlConnection($"Host={primary.Host};Port={primary.Port};Database=postgres;Username=postgres;Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select pid from pg_stat_replication", connection);
        var pids = new List<int>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) pids.Add(reader.GetInt32(0));
        if (pids.Count == 0) throw new InvalidOperationException("the primary has no WAL sender to stop");
        return pids;
    }

    /// <summary>
    /// Switches Patroni's replication (PATCH /config, its dynamic configuration) and waits until the members show it:
    /// asynchronous (no synchronous standby; a standby up to 64 MB of WAL behind may be promoted) or synchronous and
    /// strict again, with a synchronous standby (maximum_lag_on_failover back to 1 MB, as `cluster up` sets it).
    /// </summary>
    private static async Task ReplicationAsync(HttpClient http, IReadOnlyList<Uri> patroni, bool synchronous)
    {
        var body = JsonSerializer.Serialize(new
        {
            synchronous_mode = synchronous, synchronous_mode_strict = synchronous,
            maximum_lag_on_failover = synchronous ? 1_048_576 : 64 * 1_048_576,
        });
        var patched = false;
        foreach (var api in patroni)
        {
            try
            {
                using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
                using var response = await http.PatchAsync(new Uri(api, "/config"), content);
                if (patched = response.IsSuccessStatusCode) break;
            }
            catch (HttpRequestException)
            {
                // This member's REST API is not answering: the next.
            }
        }
        if (!patched) throw new InvalidOperationException("no Patroni member took the replication change (PATCH /config)");
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var members = await MembersAsync(http, patroni);
            var hasSync = members.Any(m => m.Role == "sync_standby");
            if (members.Any(m => m.Role == "leader") && hasSync == synchronous) break;
            if (watch.Elapsed > TimeSpan.FromSeconds(180))
                throw new TimeoutException($"the cluster did not become {(synchronous ? "synchronous" : "asynchronous")} within 180 s ({Describe(members)})");
            await Task.Delay(500);
        }
        await Log($"replication is {(synchronous ? "synchronous (strict)" : "asynchronous")} now, after {watch.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task<bool> MerkleCaughtUpAsync(string connectionString)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        for (var waited = 0; waited < 120; waited++)
        {
            await using var behind = db.CreateCommand(
                $"select count(*) from \"{Schema}\".mt_events where seq_id > coalesce((select last_seq from \"{Schema}\".ledger_merkle_state), 0)");
            if ((long)(await behind.ExecuteScalarAsync())! == 0) return true;
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        return false;
    }

    private static Task Log(string line) => Console.Error.WriteLineAsync("failover: " + line);

    private sealed class FixedNodes(IReadOnlyList<Uri> addresses) : IServingNodes
    {
        public IReadOnlyList<Uri> Addresses => addresses;
    }
}
