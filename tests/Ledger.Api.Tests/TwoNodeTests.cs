using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Integrity;
using Ledger.Infrastructure.Store;
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
        builder.UseSetting("RateLimits:Enabled", "false");
    }
}

/// <summary>Two nodes on one database and schema. The first drops the schema at the end; the second only stops.</summary>
public sealed class TwoNodes : IAsyncLifetime
{
    public TwoNodes()
    {
        var tokenKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var checkpointSeed = CheckpointKeys.NewSeed();
        A = new Node(null, tokenKey, checkpointSeed);
        B = new Node(A.Schema, tokenKey, checkpointSeed);
    }

    public Node A { get; }
    public Node B { get; }

    public async Task InitializeAsync()
    {
        // One after the other: the second finds the schema in place and changes nothing.
        await A.InitializeAsync();
        await B.InitializeAsync();
        await PilotZone.RegisterGovernmentsAsync(A);
        await PilotZone.ActivateAgreementAsync(A);
    }

    public async Task DisposeAsync()
    {
        await B.DisposeAsync();
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
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/commitments/{commitmentId}/progress")
        {
            Content = Json.Body(new
            {
                reportId,
                period = "2024",
                asOf = "2024-12-31",
                values = new[] { new { indicatorId = "months-class-iii", value = 11m } },
                narrative = "Eleven months at Class III or better.",
            }),
        };
        if (ifMatch is { } version) request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version}\""));
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }
}
