using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Integrity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ledger.Api.Tests;

/// <summary>
/// The database goes away under a running API and comes back: while it is down writes answer a clean
/// 503 and readiness says so; once it is back the same process serves again, the first request
/// included, and every event is there exactly once with a log that verifies.
/// </summary>
public sealed class RecoveryTests : IAsyncLifetime
{
    private const string Water = "recovery-water";
    private PrivateCluster _cluster = null!;
    private RecoveryHost _host = null!;

    /// <summary>The API on the test's own cluster; readiness retries PostgreSQL a second after it failed.</summary>
    private sealed class RecoveryHost(string connectionString) : LedgerHost
    {
        protected override void Customize(IWebHostBuilder builder)
        {
            builder.UseSetting("ConnectionStrings:Ledger", connectionString);
            builder.UseSetting("Resilience:ReadinessBreak", "00:00:01");
        }
    }

    public async Task InitializeAsync()
    {
        _cluster = await PrivateCluster.CreateAsync();
        _host = new RecoveryHost(_cluster.ConnectionString);
        await _host.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        // Not StopAsync: the schema lives in the private cluster, which goes away whole.
        if (_host is not null) await Teardown.DisposeAsync(_host, nameof(RecoveryTests));
        if (_cluster is not null) await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task The_API_answers_503_while_PostgreSQL_is_down_and_serves_again_once_it_is_back_without_a_restart()
    {
        await PilotZone.RegisterGovernmentsAsync(_host);
        await PilotZone.ActivateAgreementAsync(_host);
        await PilotZone.ActiveCommitmentAsync(_host, Water);
        var liuyang = _host.Client("government", PilotZone.Liuyang);
        foreach (var n in new[] { 1, 2, 3 })
            await liuyang.SendAsync(Report($"before-{n}")).Ok();
        var before = await StreamLengthAsync();

        await _cluster.StopAsync();

        var down = await liuyang.SendAsync(Report("while-down", key: "key-while-down"));
        var text = await down.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
        Assert.Equal("database_unavailable", (string?)JsonNode.Parse(text)!["code"]);
        Assert.True(down.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
        var read = await _host.Client("auditor").GetAsync($"/api/commitments/{Water}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
        Assert.Equal("database_unavailable", (string?)(await read.ReadAsync())["code"]);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _host.Anonymous().GetAsync("/health/ready")).StatusCode);

        await _cluster.StartAsync();

        // The first request after the restart succeeds: no stale pooled connection breaks it.
        var after = await liuyang.SendAsync(Report("after-restart"));
        Assert.True(after.StatusCode == HttpStatusCode.Created, $"{(int)after.StatusCode}: {await after.Content.ReadAsStringAsync()}");
        // Nothing of the refused write was recorded, so its retry with the same key is decided afresh.
        var retried = await liuyang.SendAsync(Report("while-down", key: "key-while-down"));
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.False(retried.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(before + 2, await StreamLengthAsync());
        await WaitUntilReadyAsync();

        await AssertEveryEventOnceAndTheLogVerifiesAsync(["before-1", "before-2", "before-3", "while-down", "after-restart"]);
    }

    [Fact]
    public async Task After_a_quick_restart_nobody_saw_the_first_requests_are_served_despite_the_connections_pooled_before_it()
    {
        await PilotZone.RegisterGovernmentsAsync(_host);
        await PilotZone.ActivateAgreementAsync(_host);
        await PilotZone.ActiveCommitmentAsync(_host, Water);
        // Several requests at once leave several connections idle in the pool.
        await Task.WhenAll(Enumerable.Range(1, 8).Select(n => _host.Client("government", PilotZone.Liuyang).SendAsync(Report($"warm-{n}")).Ok()));
        // and several reads of the Merkle log's status leave connections idle in its pool.
        await Task.WhenAll(Enumerable.Range(1, 4).Select(_ => _host.Client("auditor").GetAsync("/api/integrity/status").Ok()));

        // Stopped and started again with no request in between: every pooled connection now points at a server process that is gone.
        await _cluster.StopAsync();
        await _cluster.StartAsync();

        // The Merkle log's own pool too: its status, read first and several times at once, is answered from fresh connections.
        foreach (var status in await Task.WhenAll(Enumerable.Range(1, 4).Select(_ => _host.Client("auditor").GetAsync("/api/integrity/status"))))
            Assert.True(status.StatusCode == HttpStatusCode.OK, $"{(int)status.StatusCode}: {await status.Content.ReadAsStringAsync()}");
        var liuyang = _host.Client("government", PilotZone.Liuyang);
        var write = await liuyang.SendAsync(Report("first-after"));
        Assert.True(write.StatusCode == HttpStatusCode.Created, $"{(int)write.StatusCode}: {await write.Content.ReadAsStringAsync()}");
        var read = await _host.Client("auditor").GetAsync($"/api/commitments/{Water}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        await Task.WhenAll(Enumerable.Range(1, 8).Select(n => _host.Client("government", PilotZone.Liuyang).SendAsync(Report($"later-{n}")).Ok()));

        await AssertEveryEventOnceAndTheLogVerifiesAsync([.. Enumerable.Range(1, 8).Select(n => $"warm-{n}"), "first-after", .. Enumerable.Range(1, 8).Select(n => $"later-{n}")]);
    }

    private async Task AssertEveryEventOnceAndTheLogVerifiesAsync(IReadOnlyList<string> reports)
    {
        await using var db = NpgsqlDataSource.Create(_cluster.ConnectionString);
        // Every stream's versions run 1..n without a gap or a repeat.
        Assert.Equal(0L, await ScalarAsync(db, """
            select count(*) from (
                select stream_id from "{0}".mt_events group by stream_id
                having count(*) <> max(version) or count(distinct version) <> count(*) or min(version) <> 1) broken
            """));
        var reported = await TextsAsync(db, """select data ->> 'reportId' from "{0}".mt_events where type = 'progress_reported.v1' and stream_id = 'commitment/recovery-water'""");
        Assert.Equal(reports.Order(), reported.Order());

        // Retried conflicts leave sequence gaps, which the log settles after a grace period: wait for it to catch up.
        var auditor = _host.Client("auditor");
        var clock = Stopwatch.StartNew();
        while ((long)(await (await auditor.GetAsync("/api/integrity/status").Ok()).ReadAsync())["eventsNotYetIntegrated"]! > 0
               && clock.Elapsed < TimeSpan.FromSeconds(20))
            await Task.Delay(100);
        await auditor.PostAsync("/api/integrity/checkpoints", null).Ok();
        var verified = await new LedgerVerifier(db, _host.Schema).VerifyAsync(
            _host.Services.GetRequiredService<LedgerIntegrity>().VerifierKey, null, null, CancellationToken.None);
        Assert.True(verified.Valid, verified.Message);
        Assert.Equal(await ScalarAsync(db, """select count(*) from "{0}".mt_events"""), verified.TreeSize);
    }

    private async Task WaitUntilReadyAsync()
    {
        var clock = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            status = (await _host.Anonymous().GetAsync("/health/ready")).StatusCode;
            if (status == HttpStatusCode.OK) return;
            await Task.Delay(200);
        }
        while (clock.Elapsed < TimeSpan.FromSeconds(15));
        Assert.Fail($"/health/ready still answers {(int)status} after PostgreSQL came back");
    }

    private async Task<long> StreamLengthAsync()
    {
        await using var db = NpgsqlDataSource.Create(_cluster.ConnectionString);
        return await ScalarAsync(db, $"select count(*) from \"{{0}}\".mt_events where stream_id = 'commitment/{Water}'");
    }

    private async Task<long> ScalarAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, _host.Schema));
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<List<string>> TextsAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, _host.Schema));
        await using var reader = await command.ExecuteReaderAsync();
        var texts = new List<string>();
        while (await reader.ReadAsync()) texts.Add(reader.GetString(0));
        return texts;
    }

    private static HttpRequestMessage Report(string reportId, string? key = null)
    {
        var request = PilotZone.WaterReport(Water, reportId);
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return request;
    }
}
