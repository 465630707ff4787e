using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Daemon;
using Ledger.Infrastructure.Integrity;
using Ledger.Infrastructure.Store;
using JasperFx;
using Ledger.Integrity.Checkpoints;
using Ledger.Integrity.Leaves;
using Ledger.Integrity.Merkle;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ledger.Api.Tests;

/// <summary>
/// One API node. Both nodes of a pair use the first one's schema, one token key and one checkpoint
/// key, and run their Merkle workers flat out (a checkpoint whenever the log grew).
/// </summary>
public sealed class Node(string? sharedSchema, string tokenKey, string checkpointSeed) : LedgerHost
{
    public string SharedSchema => sharedSchema ?? Schema;

    protected override void Customize(IWebHostBuilder builder)
    {
        builder.UseSetting("Ledger:Schema", SharedSchema);
        builder.UseSetting("Auth:SigningKey", tokenKey);
        builder.UseSetting("Integrity:SigningKey", checkpointSeed);
        builder.UseSetting("Integrity:PollInterval", "00:00:00.050");
        builder.UseSetting("Integrity:CheckpointInterval", "00:00:00");
        // A standby daemon tries for the projection shard's lock four times a second (Marten's default is
        // every 5 s), so a takeover after the active node stops is quick enough to wait for in a test.
        builder.UseSetting("Projections:LeadershipPolling", "00:00:00.250");
    }

    /// <summary>Whether this node's daemon is running the supervision projection's shard right now.</summary>
    public bool RunsSupervisionShard =>
        Services.GetRequiredService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>()
            .DaemonForMainDatabase().StatusFor(ProjectionFreshness.ShardName) == AgentStatus.Running;
}

/// <summary>Two nodes sharing the first one's schema, token key and checkpoint key, with the pilot zone's governments and agreement.</summary>
public abstract class NodePair
{
    protected NodePair()
    {
        var tokenKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var checkpointSeed = CheckpointKeys.NewSeed();
        A = new Node(null, tokenKey, checkpointSeed);
        B = new Node(A.Schema, tokenKey, checkpointSeed);
    }

    public Node A { get; }
    public Node B { get; }

    /// <summary>Starts both nodes and registers the pilot zone through A; the agreement is activated through the node given.</summary>
    protected async Task StartAsync(Node activatesAgreement)
    {
        // One after the other: the second finds the schema in place and changes nothing.
        await A.InitializeAsync();
        await B.InitializeAsync();
        await PilotZone.RegisterGovernmentsAsync(A);
        await PilotZone.ActivateAgreementAsync(activatesAgreement);
    }
}

/// <summary>Two nodes on one database and schema. The first drops the schema at the end; the second only stops.</summary>
public sealed class TwoNodes : NodePair, IAsyncLifetime
{
    public Task InitializeAsync() => StartAsync(A);

    public async Task DisposeAsync()
    {
        await Teardown.DisposeAsync(B, "node B");
        await A.StopAsync();
    }
}

/// <summary>
/// Two API nodes on one database behave as one ledger: an idempotency key is honoured across them,
/// optimistic concurrency holds across them, and their Merkle workers running side by side build one
/// log that verifies, with one leaf per event.
/// </summary>
public sealed class TwoNodeTests(TwoNodes nodes) : IClassFixture<TwoNodes>
{
    private Node A => nodes.A;
    private Node B => nodes.B;

    [Fact]
    public async Task Both_nodes_work_on_the_same_schema_and_see_each_others_writes()
    {
        Assert.Equal(A.Services.GetRequiredService<LedgerSettings>().Schema, B.Services.GetRequiredService<LedgerSettings>().Schema);
        await PilotZone.ActiveCommitmentAsync(A, "two-visible");

        var read = await B.Client("auditor").GetAsync("/api/commitments/two-visible");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("Active", (string?)(await read.ReadAsync())["status"]);
    }

    [Fact]
    public async Task The_same_Idempotency_Key_sent_to_both_nodes_at_once_appends_once_and_one_answer_is_replayed()
    {
        await PilotZone.ActiveCommitmentAsync(A, "two-idem");
        var clients = new[] { A.Client("government", PilotZone.Liuyang), B.Client("government", PilotZone.Liuyang) };

        // Several rounds, each with its own key and report: a lost race shows in some rounds, not all.
        for (var round = 1; round <= 8; round++)
        {
            var key = Guid.NewGuid().ToString();
            var before = await PilotZone.StreamLengthAsync(A, "commitment/two-idem");

            var responses = await AtOnceAsync(clients.Select(c => (Func<Task<HttpResponseMessage>>)(() =>
                c.SendAsync(Report("two-idem", $"report-{round}", idempotencyKey: key)))));

            foreach (var response in responses)
            {
                Assert.True(response.StatusCode == HttpStatusCode.Created, $"round {round}: {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                Assert.Equal($"\"{before + 1}\"", response.Headers.ETag?.Tag);
            }
            Assert.Single(responses, r => r.Headers.Contains("Idempotent-Replayed"));
            Assert.Equal(before + 1, await PilotZone.StreamLengthAsync(A, "commitment/two-idem"));
        }
    }

    [Fact]
    public async Task Of_concurrent_If_Match_writes_across_the_nodes_exactly_one_wins_and_the_rest_get_412()
    {
        await PilotZone.ActiveCommitmentAsync(A, "two-if-match");

        for (var round = 1; round <= 3; round++)
        {
            var current = await PilotZone.StreamLengthAsync(A, "commitment/two-if-match");

            var responses = await AtOnceAsync(Enumerable.Range(1, 8).Select(i =>
            {
                var client = (i % 2 == 0 ? A : B).Client("government", PilotZone.Liuyang);
                return (Func<Task<HttpResponseMessage>>)(() => client.SendAsync(Report("two-if-match", $"r{round}-w{i}", ifMatch: current)));
            }));

            Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
            Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created),
                r => Assert.Equal(HttpStatusCode.PreconditionFailed, r.StatusCode));
            Assert.Equal(current + 1, await PilotZone.StreamLengthAsync(A, "commitment/two-if-match"));
        }
    }

    [Fact]
    public async Task Writes_without_If_Match_through_both_nodes_to_one_stream_all_land_none_is_told_412()
    {
        // Within a node the writers of one stream take turns; across the nodes the loser of a race decides
        // again on the stream as it now is. A write that asked for no condition is never refused for it.
        await PilotZone.ActiveCommitmentAsync(A, "two-contended");
        var before = await PilotZone.StreamLengthAsync(A, "commitment/two-contended");
        const int writers = 24;

        var responses = await AtOnceAsync(Enumerable.Range(1, writers).Select(i =>
        {
            var client = (i % 2 == 0 ? A : B).Client("government", PilotZone.Liuyang);
            return (Func<Task<HttpResponseMessage>>)(() => client.SendAsync(Report("two-contended", $"writer-{i}")));
        }));

        foreach (var response in responses)
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(before + writers, await PilotZone.StreamLengthAsync(A, "commitment/two-contended"));
    }

    [Fact]
    public async Task A_node_whose_kept_state_of_a_stream_is_behind_decides_again_on_the_stream_as_it_is()
    {
        const string id = "two-kept";
        await PilotZone.ActiveCommitmentAsync(A, id);
        var onA = A.Client("government", PilotZone.Liuyang);
        var onB = B.Client("government", PilotZone.Liuyang);
        await onA.SendAsync(Report(id, "rep-1")).Ok(); // A keeps the stream's state at this version

        // B writes: A's kept state is one event behind. A write through A without If-Match still lands.
        await onB.SendAsync(Report(id, "rep-2")).Ok();
        var third = await onA.SendAsync(Report(id, "rep-3"));
        Assert.Equal(HttpStatusCode.Created, third.StatusCode);
        var length = await PilotZone.StreamLengthAsync(A, $"commitment/{id}");
        Assert.Equal($"\"{length}\"", third.Headers.ETag?.Tag);

        // With If-Match at the version B's write made, A does not answer 412 from what it kept.
        await onB.SendAsync(Report(id, "rep-4")).Ok();
        var current = await PilotZone.StreamLengthAsync(A, $"commitment/{id}");
        var conditional = await onA.SendAsync(Report(id, "rep-5", ifMatch: current));
        Assert.Equal(HttpStatusCode.Created, conditional.StatusCode);

        // A keeps the commitment suspended (its own write); B resumes it. A report through A is decided on
        // the resumed commitment, not refused on what A kept.
        var supervisorA = A.Client("supervisor");
        await supervisorA.PostJsonAsync($"/api/commitments/{id}/suspension", new { reason = "Monitoring data under review." }).Ok();
        await B.Client("supervisor").PostJsonAsync($"/api/commitments/{id}/resumption", new { reason = "Review closed." }).Ok();
        var afterResume = await onA.SendAsync(Report(id, "rep-6"));
        Assert.Equal(HttpStatusCode.Created, afterResume.StatusCode);

        // And a refusal on a state that is current stands: rep-6 again through A is a duplicate.
        var duplicate = await onA.SendAsync(Report(id, "rep-6"));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        var reports = (await (await A.Client("auditor").GetAsync($"/api/commitments/{id}/events")).ReadAsync()).AsArray()
            .Count(e => (string?)e!["type"] == "progress_reported.v1");
        Assert.Equal(6, reports);
    }

    [Fact]
    public async Task Both_nodes_Merkle_workers_running_at_once_build_one_log_that_verifies_with_one_leaf_per_event()
    {
        var commitments = new[] { "two-log-1", "two-log-2", "two-log-3", "two-log-4" };
        foreach (var id in commitments) await PilotZone.ActiveCommitmentAsync(id.EndsWith('2') ? B : A, id);

        // Writers on both nodes at once, colliding on the same streams (their retries leave sequence gaps).
        await Task.WhenAll(Enumerable.Range(1, 48).Select(i =>
            (i % 2 == 0 ? A : B).Client("government", PilotZone.Liuyang).SendAsync(Report(commitments[i % commitments.Length], $"log-{i}"))
                .ContinueWith(t => Assert.Equal(HttpStatusCode.Created, t.Result.StatusCode), TaskScheduler.Default)));

        var events = await CountAsync("mt_events");
        var deadline = Stopwatch.StartNew();
        while (await CountAsync("ledger_merkle_leaves") < events && deadline.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(100);

        await using var db = NpgsqlDataSource.Create(TestDatabase.ConnectionString);
        var leaves = await CountAsync("ledger_merkle_leaves");
        Assert.True(leaves == events, $"{leaves} leaves for {events} events after 30 s; the log is at (size, last sequence) " +
            await ScalarTextAsync(db, "select tree_size || ', ' || last_seq from \"{0}\".ledger_merkle_state"));
        Assert.Equal(events, await ScalarAsync(db, "select count(distinct seq_id) from \"{0}\".ledger_merkle_leaves"));
        Assert.Equal(events, await ScalarAsync(db, "select coalesce(max(leaf_index) + 1, 0) from \"{0}\".ledger_merkle_leaves"));
        Assert.Equal(0, await ScalarAsync(db,
            "select count(*) from \"{0}\".mt_events e left join \"{0}\".ledger_merkle_leaves l on l.seq_id = e.seq_id where l.seq_id is null"));

        var verified = await new LedgerVerifier(db, A.SharedSchema).VerifyAsync(A.Services.GetRequiredService<LedgerIntegrity>().VerifierKey, null, null, CancellationToken.None);
        Assert.True(verified.Valid, verified.Message);
        Assert.Equal(events, verified.TreeSize);

        // Every checkpoint either node signed is a root of this one tree.
        var roots = await RootsBySizeAsync(db);
        var checkpoints = await A.Services.GetRequiredService<LedgerIntegrity>().ListAsync(1000, CancellationToken.None);
        Assert.NotEmpty(checkpoints);
        Assert.All(checkpoints, c => Assert.Equal(Convert.ToBase64String(roots[c.TreeSize]), c.Root));
    }

    [Fact]
    public async Task Exactly_one_node_runs_the_supervision_shard_and_both_serve_views_current_with_writes_from_either()
    {
        var active = await Daemons.OneActiveAsync(A, B);
        var standby = active == A ? B : A;
        await PilotZone.ActiveCommitmentAsync(A, "two-views-a");
        await PilotZone.ActiveCommitmentAsync(B, "two-views-b");
        await B.Client("government", PilotZone.Liuyang).SendAsync(Report("two-views-a", "views-via-b")).Ok();
        await A.Client("government", PilotZone.Liuyang).SendAsync(Report("two-views-b", "views-via-a")).Ok();

        await standby.Services.GetRequiredService<ProjectionFreshness>().WaitUntilCurrentAsync(TimeSpan.FromSeconds(60));

        // Sampled over a second and a half: never both, never neither, and one holder of the shard's lock.
        for (var sample = 0; sample < 30; sample++)
        {
            Assert.True(active.RunsSupervisionShard, $"sample {sample}: the active node stopped running the shard");
            Assert.False(standby.RunsSupervisionShard, $"sample {sample}: the standby node runs the shard too");
            Assert.Equal(1, await Daemons.LockHoldersAsync(A));
            await Task.Delay(50);
        }
        var last = await TestDatabase.ScalarAsync<long>($"select max(seq_id) from \"{A.SharedSchema}\".mt_events");
        foreach (var node in new[] { A, B })
        {
            var page = await node.Client("supervisor").GetAsync("/api/supervision/commitments?limit=200").Ok();
            var body = await page.ReadAsync();
            var freshness = body["freshness"]!;
            Assert.Equal(0, (long?)freshness["eventsBehind"]);
            Assert.Equal(last, (long?)freshness["position"]);
            Assert.Equal(last, (long?)freshness["storePosition"]);
            var views = body["items"]!.AsArray().ToDictionary(x => (string)x!["commitmentId"]!, x => (string?)x!["status"]);
            Assert.Equal("Active", views["two-views-a"]);
            Assert.Equal("Active", views["two-views-b"]);
        }

        // Readiness: both healthy; each says where the views are kept current.
        Assert.EndsWith("this node runs the supervision projection", await Daemons.ReadyProjectionsAsync(active), StringComparison.Ordinal);
        Assert.EndsWith("another node runs the supervision projection; this node stands by", await Daemons.ReadyProjectionsAsync(standby), StringComparison.Ordinal);
    }

    private Task<long> CountAsync(string table) => TestDatabase.ScalarAsync<long>($"select count(*) from \"{A.SharedSchema}\".{table}");

    private async Task<long> ScalarAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, A.SharedSchema));
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<string> ScalarTextAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, A.SharedSchema));
        return (await command.ExecuteScalarAsync())?.ToString() ?? "";
    }

    /// <summary>The tree's root at every size, recomputed from the stored events alone.</summary>
    private async Task<Dictionary<long, byte[]>> RootsBySizeAsync(NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        var frontier = new MerkleFrontier();
        var roots = new Dictionary<long, byte[]>();
        await foreach (var e in EventRows.AfterAsync(connection, null, A.SharedSchema, 0, null, CancellationToken.None))
        {
            frontier.Append(Rfc9162.LeafHash(LeafEncoding.Encode(e)));
            roots[frontier.Size] = frontier.Root();
        }
        return roots;
    }

    /// <summary>Starts every call on one signal, so they reach the nodes as nearly at once as the machine allows.</summary>
    private static async Task<HttpResponseMessage[]> AtOnceAsync(IEnumerable<Func<Task<HttpResponseMessage>>> calls)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = calls.Select(call => Task.Run(async () =>
        {
            await go.Task;
            return await call();
        })).ToList();
        go.SetResult();
        return await Task.WhenAll(running);
    }

    private static HttpRequestMessage Report(string commitmentId, string reportId, long? ifMatch = null, string? idempotencyKey = null)
    {
        var request = PilotZone.WaterReport(commitmentId, reportId);
        if (ifMatch is { } version) request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version}\""));
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }
}

/// <summary>Two nodes on one schema, either of which a test may stop; the schema is dropped once both are down.</summary>
public sealed class StoppableNodes : NodePair, IAsyncLifetime
{
    public Task InitializeAsync() => StartAsync(B);

    public async Task DisposeAsync()
    {
        // Stopping a node twice is harmless; the schema goes only after both stopped.
        await Teardown.DisposeAsync(A, "node A");
        await Teardown.DisposeAsync(B, "node B");
        await TestDatabase.DropSchemaAsync(A.SharedSchema);
    }
}

/// <summary>
/// The supervision projection runs HotCold: when the node running it stops, the other takes its
/// shard's lock within a few leadership polls and brings the views up to date with what was written
/// after the stop.
/// </summary>
public sealed class DaemonFailoverTests(StoppableNodes nodes) : IClassFixture<StoppableNodes>
{
    [Fact]
    public async Task When_the_node_running_the_views_stops_the_other_takes_over_and_the_views_catch_up()
    {
        var active = await Daemons.OneActiveAsync(nodes.A, nodes.B);
        var survivor = active == nodes.A ? nodes.B : nodes.A;
        await PilotZone.ActiveCommitmentAsync(active, "failover-before");
        var freshness = survivor.Services.GetRequiredService<ProjectionFreshness>();
        await freshness.WaitUntilCurrentAsync(TimeSpan.FromSeconds(60));

        await active.DisposeAsync();
        var stoppedAt = Stopwatch.StartNew();
        // Written while the views may have no daemon at all: nothing may be lost.
        await PilotZone.ActiveCommitmentAsync(survivor, "failover-after");
        await survivor.Client("supervisor").PostJsonAsync("/api/commitments/failover-before/suspension", new { reason = "Written after the active node stopped." }).Ok();

        while (!survivor.RunsSupervisionShard && stoppedAt.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(50);
        var takeover = stoppedAt.Elapsed;
        Assert.True(survivor.RunsSupervisionShard, "the surviving node did not take the supervision shard within 30 s");
        await freshness.WaitUntilCurrentAsync(TimeSpan.FromSeconds(60));
        var current = stoppedAt.Elapsed;

        Assert.Equal(1, await Daemons.LockHoldersAsync(survivor));
        var body = await (await survivor.Client("supervisor").GetAsync("/api/supervision/commitments?limit=200").Ok()).ReadAsync();
        var last = await TestDatabase.ScalarAsync<long>($"select max(seq_id) from \"{survivor.SharedSchema}\".mt_events");
        Assert.Equal(last, (long?)body["freshness"]!["position"]);
        var views = body["items"]!.AsArray().ToDictionary(x => (string)x!["commitmentId"]!, x => (string?)x!["status"]);
        Assert.Equal("Active", views["failover-after"]);
        Assert.Equal("Suspended", views["failover-before"]);
        Assert.EndsWith("this node runs the supervision projection", await Daemons.ReadyProjectionsAsync(survivor), StringComparison.Ordinal);
        Console.WriteLine($"daemon failover: shard taken {takeover.TotalSeconds:0.00} s after the stop, views current {current.TotalSeconds:0.00} s after it");
    }
}

/// <summary>What the tests read about the daemons of several nodes on one schema.</summary>
internal static class Daemons
{
    /// <summary>Waits (at most 30 s, a node may still be starting) until exactly one of the nodes runs the supervision shard, and returns it.</summary>
    public static async Task<Node> OneActiveAsync(params Node[] nodes)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var running = nodes.Where(n => n.RunsSupervisionShard).ToList();
            if (running.Count == 1) return running[0];
            Assert.True(running.Count == 0, $"{running.Count} nodes run the supervision shard at once");
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "no node took the supervision shard within 30 s");
            await Task.Delay(50);
        }
    }

    /// <summary>Sessions holding the supervision shard's advisory lock (Marten's HotCold election) for the node's schema.</summary>
    public static async Task<long> LockHoldersAsync(Node node)
    {
        var key = node.Services.GetRequiredService<ProjectionMonitor>().LockId();
        return await TestDatabase.ScalarAsync<long>(
            $"select count(*) from pg_locks where locktype = 'advisory' and granted and classid = {(uint)(key >> 32)} and objid = {(uint)key} and objsubid = 1");
    }

    /// <summary>The projections entry of the node's readiness report, which must be healthy; returns its detail.</summary>
    public static async Task<string> ReadyProjectionsAsync(Node node)
    {
        var projections = (await (await node.Anonymous().GetAsync("/health/ready")).ReadAsync())["checks"]!["projections"]!;
        Assert.Equal("healthy", (string?)projections["status"]);
        return (string?)projections["detail"] ?? "";
    }
}
