using System.Net;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;
using Npgsql;

namespace Ledger.Api.Tests;

/// <summary>
/// Every replay is recorded in the append-only access log with who, what, when, the correlation id and
/// the outcome; supervisors and the decision level can read it, auditors cannot, and PostgreSQL refuses
/// to change or erase an entry.
/// </summary>
public sealed class AccessLogTests(LedgerHost host) : IClassFixture<LedgerHost>, IAsyncLifetime
{
    private const string Xingan = "360824";

    public async Task InitializeAsync()
    {
        using var response = await host.Client("admin").PostJsonAsync("/api/governments", new
        {
            governmentId = Xingan, nameZh = "新干县", nameEn = "Xingan", province = "Jiangxi", prefecture = "Ji'an", level = "County",
        });
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity, response.StatusCode.ToString());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_auditors_replays_and_failed_attempts_appear_in_the_log_with_who_what_when_and_outcome()
    {
        var auditor = host.Client("auditor");
        var correlation = "audit-" + Guid.NewGuid().ToString("N")[..8];
        auditor.DefaultRequestHeaders.Add("X-Correlation-Id", correlation);
        var asked = host.Clock.GetUtcNow();

        using (var replay = await auditor.GetAsync($"/api/audit/governments/{Xingan}/events?type=government_registered.v1&from=2020-01-01T00:00:00Z"))
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        using (var history = await auditor.GetAsync($"/api/governments/{Xingan}/events"))
            Assert.Equal(HttpStatusCode.OK, history.StatusCode);
        using (var missing = await auditor.GetAsync("/api/audit/commitments/no-such-commitment/as-of?version=1"))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var page = await host.Client("supervisor").GetAsync($"/api/audit/access-log?actor=auditor&subject={Xingan}").ReadOkAsync();
        var entries = page["items"]!.AsArray().Where(e => (string?)e!["correlationId"] == correlation).ToList();
        Assert.Equal(2, entries.Count);
        // Newest first.
        var (plain, audit) = (entries[0]!, entries[1]!);
        Assert.Equal("GET /api/audit/governments/{governmentId}/events", (string?)audit["action"]);
        Assert.Equal($"/api/audit/governments/{Xingan}/events", (string?)audit["target"]);
        Assert.Equal("auditor", (string?)audit["actor"]!["id"]);
        Assert.Equal("auditor", (string?)audit["actor"]!["role"]);
        Assert.Null((string?)audit["actor"]!["government"]);
        Assert.Equal([Xingan], audit["subjects"]!.AsArray().Select(s => (string?)s));
        Assert.Equal("government_registered.v1", (string?)audit["filters"]!["type"]);
        Assert.Equal("2020-01-01T00:00:00Z", (string?)audit["filters"]!["from"]);
        Assert.Equal(200, (int)audit["status"]!);
        Assert.Equal(asked, DateTimeOffset.Parse((string)audit["at"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("GET /api/governments/{governmentId}/events", (string?)plain["action"]);
        Assert.Equal(200, (int)plain["status"]!);

        var failed = await host.Client("decision").GetAsync("/api/audit/access-log?subject=no-such-commitment").ReadOkAsync();
        var attempt = Assert.Single(failed["items"]!.AsArray())!;
        Assert.Equal(404, (int)attempt["status"]!);
        Assert.Equal("GET /api/audit/commitments/{commitmentId}/as-of", (string?)attempt["action"]);
        Assert.Equal(correlation, (string?)attempt["correlationId"]);
    }

    [Fact]
    public async Task An_auditor_may_not_read_the_log_and_the_refused_attempt_is_itself_recorded()
    {
        var auditor = host.Client("auditor");
        var correlation = "peek-" + Guid.NewGuid().ToString("N")[..8];
        auditor.DefaultRequestHeaders.Add("X-Correlation-Id", correlation);

        using var refused = await auditor.GetAsync("/api/audit/access-log");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var government = await host.Client("government", Xingan).GetAsync("/api/audit/access-log");
        Assert.Equal(HttpStatusCode.Forbidden, government.StatusCode);

        var page = await host.Client("supervisor").GetAsync("/api/audit/access-log?actor=auditor&limit=200").ReadOkAsync();
        var entry = Assert.Single(page["items"]!.AsArray(), e => (string?)e!["correlationId"] == correlation)!;
        Assert.Equal(403, (int)entry["status"]!);
        Assert.Equal("GET /api/audit/access-log", (string?)entry["action"]);
    }

    [Fact]
    public async Task The_log_refuses_update_delete_and_truncate_in_postgres()
    {
        await host.Client("auditor").GetAsync($"/api/audit/governments/{Xingan}/events").ReadOkAsync();
        var table = $"\"{host.Schema}\".ledger_access_log";
        var before = await TestDatabase.ScalarAsync<long>($"select count(*) from {table}");
        Assert.True(before > 0);

        foreach (var sql in new[]
        {
            $"update {table} set actor_id = 'someone-else'",
            $"delete from {table}",
            $"truncate {table}",
        })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => TestDatabase.ScalarAsync<object>(sql));
            Assert.Equal("P0001", refused.SqlState);
            Assert.Contains("append-only", refused.MessageText);
        }
        Assert.Equal(before, await TestDatabase.ScalarAsync<long>($"select count(*) from {table}"));
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>($"select count(*) from {table} where actor_id = 'someone-else'"));
    }

    [Fact]
    public async Task Pages_follow_the_cursor_without_repeating_an_entry()
    {
        var auditor = host.Client("auditor");
        for (var i = 0; i < 4; i++)
            await auditor.GetAsync($"/api/audit/governments/{Xingan}/events").ReadOkAsync();
        var supervisor = host.Client("supervisor");

        var first = await supervisor.GetAsync("/api/audit/access-log?actor=auditor&limit=2").ReadOkAsync();
        var second = await supervisor.GetAsync($"/api/audit/access-log?actor=auditor&limit=2&cursor={(string)first["next"]!}").ReadOkAsync();

        var ids = first["items"]!.AsArray().Concat(second["items"]!.AsArray()).Select(e => (long)e!["id"]!).ToList();
        Assert.Equal(4, ids.Count);
        Assert.Equal(ids.OrderDescending(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Theory]
    [InlineData("who=auditor", 400, "unknown_filter", "who")]
    [InlineData("from=yesterday", 400, "invalid_time", "from")]
    [InlineData("from=2030-01-01T00:00:00Z", 422, "time_in_future", "from")]
    [InlineData("from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z", 422, "range_inverted", "to")]
    [InlineData("limit=0", 422, "limit_out_of_range", "limit")]
    [InlineData("limit=201", 422, "limit_out_of_range", "limit")]
    [InlineData("limit=ten", 400, "invalid_limit", "limit")]
    [InlineData("cursor=not-a-cursor", 400, "invalid_cursor", "cursor")]
    public async Task Bad_filters_are_refused_naming_the_field(string query, int status, string code, string field)
    {
        using var response = await host.Client("supervisor").GetAsync($"/api/audit/access-log?{query}");

        await response.AssertProblemAsync((System.Net.HttpStatusCode)status, code, field);
    }
}

internal static class AccessLogResponses
{
    public static async Task<JsonNode> ReadOkAsync(this Task<HttpResponseMessage> request)
    {
        using var response = await request;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }
}
