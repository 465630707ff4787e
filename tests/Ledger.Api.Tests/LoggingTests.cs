using System.Diagnostics;
using System.Net;
using Ledger.Api.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Ledger.Api.Tests;

/// <summary>
/// The log an operator reads, as the host's own logging pipeline writes it: an expected outcome (a
/// writer losing the version race and deciding again) writes no error and no SQL; a failure PostgreSQL
/// reports on a commit is logged once, at Error, with the request's trace id.
/// </summary>
public sealed class LoggingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Writers = 16;
    private readonly LoggedHost _host = new();

    public async Task InitializeAsync()
    {
        await _host.InitializeAsync();
        await PilotZone.RegisterGovernmentsAsync(_host);
        await PilotZone.ActivateAgreementAsync(_host);
    }

    public Task DisposeAsync() => _host.StopAsync();

    [Fact]
    public async Task A_contended_burst_on_one_commitment_logs_no_error_and_no_SQL()
    {
        await PilotZone.ActiveCommitmentAsync(_host, "log-burst");
        var before = await PilotZone.StreamLengthAsync(_host, "commitment/log-burst");
        _host.Logs.Clear();

        var responses = await Task.WhenAll(Enumerable.Range(1, Writers).Select(i =>
            _host.Client("government", PilotZone.Liuyang).SendAsync(Report("log-burst", $"report-{i}"))));

        var entries = _host.Logs.Entries;
        output.WriteLine($"{entries.Count} log entries, {entries.Sum(e => e.Bytes)} bytes for {Writers} contended writes");
        // The writers take turns on the stream: every one lands.
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(before + Writers, await PilotZone.StreamLengthAsync(_host, "commitment/log-burst"));
        Assert.DoesNotContain(entries, e => e.Level >= LogLevel.Error);
        foreach (var marker in new[] { "mt_quick_append", "insert into", "select ", "MT003" })
            Assert.DoesNotContain(entries, e => e.Text.Contains(marker, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_commit_PostgreSQL_fails_is_logged_once_at_Error_with_the_request_trace_id()
    {
        await PilotZone.ActiveCommitmentAsync(_host, "log-refused");
        await TestDatabase.RefuseAppendsAsync(_host.Schema, "commitment/log-refused", "reports refused on this stream", "progress_reported.v1");
        _host.Logs.Clear();

        var trace = ActivityTraceId.CreateRandom();
        var request = Report("log-refused", "report-1");
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        var response = await _host.Client("government", PilotZone.Liuyang).SendAsync(request);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var entries = _host.Logs.Entries;
        output.WriteLine($"{entries.Count} log entries, {entries.Sum(e => e.Bytes)} bytes for one failed commit");
        var error = Assert.Single(entries, e => e.Level >= LogLevel.Error);
        Assert.Contains("reports refused on this stream", error.Text, StringComparison.Ordinal);
        Assert.Contains(trace.ToString(), error.Message, StringComparison.Ordinal);
    }

    private static HttpRequestMessage Report(string commitmentId, string reportId) => PilotZone.WaterReport(commitmentId, reportId);
}
