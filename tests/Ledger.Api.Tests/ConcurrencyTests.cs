using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Ledger.Api.Tests.Support;

namespace Ledger.Api.Tests;

/// <summary>
/// Optimistic concurrency as clients see it: If-Match against the stream version, the writer's retry of
/// conflicts when no version is expected, and Idempotency-Key making a client's retry safe.
/// </summary>
public sealed class ConcurrencyTests(LedgerHost host) : IClassFixture<LedgerHost>, IAsyncLifetime
{
    private const int Writers = 8;

    public Task InitializeAsync() => PilotZone.EnsureAgreementAsync(host);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_write_carrying_the_current_version_in_If_Match_succeeds_and_answers_the_new_version()
    {
        await PilotZone.ActiveCommitmentAsync(host, "cc-if-match-current");
        var current = await VersionAsync("cc-if-match-current");

        var response = await ReportAsync(host.Client("government", PilotZone.Liuyang), "cc-if-match-current", "report-1", ifMatch: current);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"\"{current + 1}\"", response.Headers.ETag?.Tag);
        Assert.Equal(current + 1, await PilotZone.StreamLengthAsync(host, "commitment/cc-if-match-current"));
    }

    [Fact]
    public async Task A_write_carrying_a_stale_If_Match_is_refused_with_412_and_appends_nothing()
    {
        await PilotZone.ActiveCommitmentAsync(host, "cc-if-match-stale");
        var liuyang = host.Client("government", PilotZone.Liuyang);
        var read = await VersionAsync("cc-if-match-stale");
        await ReportAsync(liuyang, "cc-if-match-stale", "report-1", ifMatch: read).Ok();
        var before = await PilotZone.StreamLengthAsync(host, "commitment/cc-if-match-stale");

        var response = await ReportAsync(liuyang, "cc-if-match-stale", "report-2", ifMatch: read);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadAsync();
        Assert.Equal("version_conflict", (string?)problem["code"]);
        Assert.Equal("If-Match", (string?)problem["field"]);
        Assert.Equal(read + 1, (long?)problem["currentVersion"]);
        Assert.Equal(before, await PilotZone.StreamLengthAsync(host, "commitment/cc-if-match-stale"));
    }

    [Fact]
    public async Task Of_concurrent_writes_expecting_the_same_version_exactly_one_succeeds_and_the_rest_get_412()
    {
        await PilotZone.ActiveCommitmentAsync(host, "cc-race-if-match");
        var current = await VersionAsync("cc-race-if-match");

        var responses = await Task.WhenAll(Enumerable.Range(1, Writers).Select(i =>
            ReportAsync(host.Client("government", PilotZone.Liuyang), "cc-race-if-match", $"report-{i}", ifMatch: current)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created),
            r => Assert.Equal(HttpStatusCode.PreconditionFailed, r.StatusCode));
        Assert.Equal(current + 1, await PilotZone.StreamLengthAsync(host, "commitment/cc-race-if-match"));
    }

    [Fact]
    public async Task Concurrent_writes_without_If_Match_all_succeed_and_leave_contiguous_versions()
    {
        await PilotZone.ActiveCommitmentAsync(host, "cc-race-retry");
        var before = await PilotZone.StreamLengthAsync(host, "commitment/cc-race-retry");

        var responses = await Task.WhenAll(Enumerable.Range(1, Writers).Select(i =>
            ReportAsync(host.Client("government", PilotZone.Liuyang), "cc-race-retry", $"report-{i}")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(before + Writers, await PilotZone.StreamLengthAsync(host, "commitment/cc-race-retry"));
        var events = (await (await host.Client("auditor").GetAsync("/api/commitments/cc-race-retry/events")).ReadAsync()).AsArray();
        Assert.Equal(Enumerable.Range(1, (int)before + Writers).Select(v => (long)v), events.Select(e => (long)e!["version"]!));
        var recorded = await host.ListAllAsync("/api/commitments/cc-race-retry/reports");
        Assert.Equal(Enumerable.Range(1, Writers).Select(i => $"report-{i}").Order(), recorded.Select(r => (string)r!["reportId"]!).Order());
    }

    [Fact]
    public async Task Forty_eight_writers_on_one_stream_take_turns_and_every_write_lands()
    {
        // Writers that decided at once would each lose to all those committed before them: the 13th would have
        // lost 12 times. Taking turns in the node, each decides on the state the one before it committed.
        const int writers = 48;
        await PilotZone.ActiveCommitmentAsync(host, "cc-turns");
        var before = await PilotZone.StreamLengthAsync(host, "commitment/cc-turns");

        var responses = await Task.WhenAll(Enumerable.Range(1, writers).Select(i =>
            ReportAsync(host.Client("government", PilotZone.Liuyang), "cc-turns", $"report-{i}")));

        foreach (var response in responses)
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(before + writers, await PilotZone.StreamLengthAsync(host, "commitment/cc-turns"));
    }

    [Fact]
    public async Task Concurrent_reports_with_the_same_report_id_are_recorded_once_because_the_retry_decides_again()
    {
        await PilotZone.ActiveCommitmentAsync(host, "cc-race-same-report");
        var before = await PilotZone.StreamLengthAsync(host, "commitment/cc-race-same-report");

        var responses = await Task.WhenAll(Enumerable.Range(1, Writers).Select(_ =>
            ReportAsync(host.Client("government", PilotZone.Liuyang), "cc-race-same-report", "report-1")));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("duplicate_report", (string?)(await refused.ReadAsync())["code"]);
        }
        Assert.Equal(before + 1, await PilotZone.StreamLengthAsync(host, "commitment/cc-race-same-report"));
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_commitment_id_create_it_once()
    {
        var responses = await Task.WhenAll(Enumerable.Range(1, Writers).Select(_ =>
            host.Client("government", PilotZone.Liuyang).PostJsonAsync("/api/commitments", PilotZone.WaterCommitment("cc-race-register"))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("commitment_exists", (string?)(await refused.ReadAsync())["code"]);
        }
        // registered + contributor + two indicators + one milestone, once
        Assert.Equal(5, await PilotZone.StreamLengthAsync(host, "commitment/cc-race-register"));
    }

    [Fact]
    public async Task A_request_repeated_with_the_same_Idempotency_Key_is_replayed_and_appends_once()
    {
        await PilotZone.ActiveCommitmentAsync(host, "cc-idem-replay");
        var liuyang = host.Client("government", PilotZone.Liuyang);
        var key = Guid.NewGuid().ToString();
        var before = await PilotZone.StreamLengthAsync(host, "commitment/cc-idem-replay");

        var first = await ReportAsync(liuyang, "cc-idem-replay", "report-1", idempotencyKey: key);
        var second = await ReportAsync(liuyang, "cc-idem-replay", "report-1", idempotencyKey: key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(["true"], second.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal(first.Headers.ETag?.Tag, second.Headers.ETag?.Tag);
        Assert.Equal($"\"{before + 1}\"", second.Headers.ETag?.Tag);
        Assert.Equal(before + 1, await PilotZone.StreamLengthAsync(host, "commitment/cc-idem-replay"));
    }

    [Fact]
    public async Task An_Idempotency_Key_reused_with_a_different_body_is_refused_with_422_and_appends_nothing()
    {
        await PilotZone.ActiveCommitmentAsync(host, "cc-idem-reused");
        var liuyang = host.Client("government", PilotZone.Liuyang);
        var key = Guid.NewGuid().ToString();
        await ReportAsync(liuyang, "cc-idem-reused", "report-1", idempotencyKey: key).Ok();
        var before = await PilotZone.StreamLengthAsync(host, "commitment/cc-idem-reused");

        var response = await ReportAsync(liuyang, "cc-idem-reused", "report-2", idempotencyKey: key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadAsync();
        Assert.Equal("idempotency_key_reused", (string?)problem["code"]);
        Assert.Equal("Idempotency-Key", (string?)problem["field"]);
        Assert.Equal(before, await PilotZone.StreamLengthAsync(host, "commitment/cc-idem-reused"));
    }

    [Fact]
    public async Task Concurrent_identical_requests_with_one_Idempotency_Key_append_once_and_all_answer_the_same_version()
    {
        await PilotZone.ActiveCommitmentAsync(host, "cc-idem-race");

        // Several bursts, each with its own key and report: a lost race shows in some bursts, not all.
        for (var burst = 1; burst <= 5; burst++)
        {
            var key = Guid.NewGuid().ToString();
            var before = await PilotZone.StreamLengthAsync(host, "commitment/cc-idem-race");

            var responses = await Task.WhenAll(Enumerable.Range(1, Writers).Select(_ =>
                ReportAsync(host.Client("government", PilotZone.Liuyang), "cc-idem-race", $"report-{burst}", idempotencyKey: key)));

            foreach (var response in responses)
            {
                Assert.True(response.StatusCode == HttpStatusCode.Created, $"burst {burst}: {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                Assert.Equal($"\"{before + 1}\"", response.Headers.ETag?.Tag);
            }
            Assert.Equal(Writers - 1, responses.Count(r => r.Headers.Contains("Idempotent-Replayed")));
            Assert.Equal(before + 1, await PilotZone.StreamLengthAsync(host, "commitment/cc-idem-race"));
        }
    }

    private async Task<long> VersionAsync(string commitmentId)
    {
        var response = await host.Client("auditor").GetAsync($"/api/commitments/{commitmentId}").Ok();
        return long.Parse(response.Headers.ETag!.Tag.Trim('"'), CultureInfo.InvariantCulture);
    }

    private static Task<HttpResponseMessage> ReportAsync(HttpClient client, string commitmentId, string reportId, long? ifMatch = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/commitments/{commitmentId}/progress")
        {
            Content = Json.Body(new
            {
                reportId,
                period = "2024",
                asOf = "2024-12-31",
                values = new[] { new { indicatorId = "months-class-iii", value = 11m, text = (string?)null } },
                narrative = "Eleven months at Class III or better.",
            }),
        };
        if (ifMatch is { } version) request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version}\""));
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }
}
