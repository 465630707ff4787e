using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ledger.Api.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests;

/// <summary>
/// Every replay is accountable: the OpenAPI document marks each read of the past (x-ledger-replay), the
/// marks cover every route that replays by its shape, each marked GET leaves an access-log row naming
/// what it read, and an unmarked GET (a record's current state) leaves none. The endpoints are taken
/// from the document the host serves, so a new replay endpoint is walked without editing this test.
/// </summary>
public sealed partial class ReplayAccessLogTests(LedgerHost host) : IClassFixture<LedgerHost>, IAsyncLifetime
{
    private const string ReplayMark = "x-ledger-replay";
    private const string Cycle = "2026";

    /// <summary>Ids that exist in the ledger set up below, by route parameter.</summary>
    private static readonly Dictionary<string, string> Ids = new(StringComparer.Ordinal)
    {
        ["governmentId"] = PilotZone.Liuyang,
        ["agreementId"] = PilotZone.Agreement,
        ["commitmentId"] = PilotZone.Commitment,
        ["cycleId"] = Cycle,
        ["reportId"] = "no-such-report",
    };

    public async Task InitializeAsync()
    {
        if ((await host.Client("auditor").GetAsync($"/api/commitments/{PilotZone.Commitment}")).StatusCode == HttpStatusCode.OK)
            return;
        await PilotZone.RegisterGovernmentsAsync(host);
        await PilotZone.ActivateAgreementAsync(host);
        await PilotZone.ActiveCommitmentAsync(host);
        await host.Client("supervisor").PostJsonAsync("/api/evaluations", new
        {
            cycleId = Cycle,
            period = Cycle,
            start = "2026-01-01",
            end = "2026-12-31",
            methodVersion = "xgb-eval-2.0",
            weights = new { indicatorAchievement = 40, milestonesOnTime = 20, reportingTimeliness = 10, verificationPassRate = 15, rectificationOnTime = 10, jointActions = 5 },
        }).Ok();
        host.Clock.Advance(TimeSpan.FromMinutes(5));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Every_route_that_replays_by_its_shape_is_marked_in_the_document()
    {
        var marked = (await GetsAsync()).Where(g => g.Replay).Select(g => g.Path).ToHashSet(StringComparer.Ordinal);

        // Independent of the mark: the routes the host serves whose shape says they read the past.
        var replaying = ServedGets()
            .Where(p => p.StartsWith("/api/audit/", StringComparison.Ordinal) || ReplaySuffix().IsMatch(p))
            .ToList();

        Assert.True(replaying.Count >= 16, $"only {replaying.Count} replaying routes were found");
        var unmarked = replaying.Where(p => !marked.Contains(p)).ToList();
        Assert.Empty(unmarked);
        Assert.Contains("/api/evaluations/{cycleId}/events", marked);
        Assert.Contains("/api/commitments/{commitmentId}/ocds", marked);
        Assert.Contains("/api/audit/views/governments/{governmentId}", marked);
    }

    [Fact]
    public async Task Every_marked_get_leaves_an_access_log_row_naming_what_it_read()
    {
        var replays = (await GetsAsync()).Where(g => g.Replay).ToList();
        Assert.NotEmpty(replays);

        var calls = new List<(string Pattern, string Correlation, string Target, List<string> Subjects)>();
        foreach (var (pattern, _) in replays)
        {
            var (target, subjects) = Fill(pattern);
            var correlation = "replay-" + Guid.NewGuid().ToString("N")[..12];
            using var response = await GetAsync(target + Query(pattern), correlation);
            Assert.True(response.StatusCode == HttpStatusCode.OK,
                $"GET {target}{Query(pattern)}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            calls.Add((pattern, correlation, target, subjects));
        }

        var rows = await RowsAsync();
        var missing = new List<string>();
        foreach (var (pattern, correlation, target, subjects) in calls)
        {
            var row = rows.SingleOrDefault(r => (string?)r["correlationId"] == correlation);
            if (row is null)
            {
                missing.Add($"GET {pattern}: no row");
                continue;
            }
            Assert.Equal($"GET {pattern}", (string?)row["action"]);
            Assert.Equal(target, (string?)row["target"]);
            Assert.Equal(200, (int)row["status"]!);
            var named = row["subjects"]!.AsArray().Select(s => (string?)s).ToList();
            Assert.True(subjects.All(named.Contains), $"GET {pattern} names [{string.Join(", ", named)}], not [{string.Join(", ", subjects)}]");
        }
        Assert.Empty(missing);
    }

    [Fact]
    public async Task A_current_state_read_or_any_other_unmarked_get_leaves_no_row()
    {
        var plain = (await GetsAsync()).Where(g => !g.Replay && g.Path.StartsWith("/api/", StringComparison.Ordinal)).Select(g => g.Path).ToList();
        Assert.Contains("/api/commitments/{commitmentId}", plain);

        var correlations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pattern in plain)
        {
            var correlation = "current-" + Guid.NewGuid().ToString("N")[..12];
            using var response = await GetAsync(Fill(pattern).Target, correlation);
            if (pattern == "/api/commitments/{commitmentId}")
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            correlations[correlation] = pattern;
        }

        var recorded = (await RowsAsync())
            .Where(r => correlations.ContainsKey((string?)r["correlationId"] ?? ""))
            .Select(r => (string?)r["action"]).ToList();
        Assert.Empty(recorded);
    }

    private async Task<HttpResponseMessage> GetAsync(string pathAndQuery, string correlation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Add("X-Correlation-Id", correlation);
        return await host.Client("supervisor").SendAsync(request);
    }

    /// <summary>The supervisor's rows, newest first (the walk stays well under a page).</summary>
    private async Task<List<JsonNode>> RowsAsync()
    {
        var page = await host.Client("decision").GetAsync("/api/audit/access-log?actor=supervisor&limit=200").ReadOkAsync();
        return [.. page["items"]!.AsArray().Select(r => r!)];
    }

    /// <summary>The route with its parameters replaced by ids that exist, and those ids.</summary>
    private static (string Target, List<string> Subjects) Fill(string pattern)
    {
        var subjects = new List<string>();
        var target = Parameter().Replace(pattern, m =>
        {
            Assert.True(Ids.TryGetValue(m.Groups[1].Value, out var id), $"{pattern}: no id for {{{m.Groups[1].Value}}}; add one to Ids");
            subjects.Add(id!);
            return id!;
        });
        return (target, subjects);
    }

    /// <summary>What a replay needs beside its route to answer 200: the point in time of a view as it was, a version.</summary>
    private string Query(string pattern)
    {
        var now = Uri.EscapeDataString(host.Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        return pattern switch
        {
            "/api/audit/commitments/{commitmentId}/as-of" => "?version=1",
            "/api/audit/commitments/{commitmentId}/diff" => "?from=2020-01-01T00:00:00Z",
            "/api/audit/views/overdue" or "/api/audit/views/rectifications" => $"?at={now}&agreement={PilotZone.Agreement}",
            _ when pattern.StartsWith("/api/audit/views/", StringComparison.Ordinal) => $"?at={now}",
            _ => "",
        };
    }

    private async Task<List<(string Path, bool Replay)>> GetsAsync()
    {
        using var response = await host.Anonymous().GetAsync("/openapi/v1.json");
        var document = await response.ReadAsync();
        return
        [
            .. document["paths"]!.AsObject()
                .Where(p => p.Value!["get"] is not null)
                .Select(p => (Normalize(p.Key), p.Value!["get"]![ReplayMark] is JsonValue mark && mark.GetValue<bool>())),
        ];
    }

    private List<string> ServedGets() =>
        [
            .. host.Services.GetRequiredService<EndpointDataSource>().Endpoints
                .OfType<RouteEndpoint>()
                .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true
                    && e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
                .Select(e => Normalize(e.RoutePattern.RawText!))
                .Distinct(),
        ];

    private static string Normalize(string path)
    {
        var normalized = Parameter().Replace(path, "{$1}");
        return normalized.Length > 1 ? normalized.TrimEnd('/') : normalized;
    }

    [GeneratedRegex(@"\{\*?([A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex Parameter();

    [GeneratedRegex("/(events|ocds|as-of|diff)$")]
    private static partial Regex ReplaySuffix();
}
