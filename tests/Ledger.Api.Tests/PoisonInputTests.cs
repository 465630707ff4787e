using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace Ledger.Api.Tests;

/// <summary>
/// Text PostgreSQL cannot hold (U+0000) is refused before it reaches the database, wherever it comes
/// in — body, path, query, a forged cursor — and no bad request ever breaks the next, valid one. The
/// host runs on a pool of <see cref="SmallPoolHost.PoolSize"/> connections, so every valid request
/// after the poison is served by a connection a poisoned one could have used.
/// </summary>
public sealed class PoisonInputTests(PoisonInputTests.SmallPoolHost host) : IClassFixture<PoisonInputTests.SmallPoolHost>, IAsyncLifetime
{
    public sealed class SmallPoolHost : LedgerHost
    {
        public const int PoolSize = 3;

        protected override void Customize(IWebHostBuilder builder) =>
            builder.UseSetting("ConnectionStrings:Ledger", new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString)
            {
                MaxPoolSize = PoolSize,
                // The conditions the fault was seen under, whatever LEDGER_TEST_CONNECTION says.
                MaxAutoPrepare = 50,
                AutoPrepareMinUsages = 2,
            }.ConnectionString);
    }

    private const string Commitment = "poison-water";

    public async Task InitializeAsync()
    {
        if ((await host.Client("auditor").GetAsync($"/api/commitments/{Commitment}")).StatusCode != HttpStatusCode.NotFound) return;
        await PilotZone.RegisterGovernmentsAsync(host);
        await PilotZone.ActivateAgreementAsync(host);
        await Liuyang().PostJsonAsync("/api/commitments", PilotZone.WaterCommitment(Commitment)).Ok();
        await host.Client("supervisor").PostAsync($"/api/commitments/{Commitment}/activation", null).Ok();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("narrative")]
    [InlineData("reportId")]
    [InlineData("period")]
    [InlineData("values[0].indicatorId")]
    [InlineData("values[0].text")]
    public async Task U_0000_in_any_text_of_a_body_is_refused_with_400_naming_the_field(string field)
    {
        var body = Report("nul-" + field);
        if (field.StartsWith("values[0].", StringComparison.Ordinal)) body["values"]![0]![field["values[0].".Length..]] = "a\u0000b";
        else body[field] = "a\u0000b";

        var problem = await RefusedAsync(() => PostReportAsync(body));

        Assert.Equal("invalid_character", (string?)problem["code"]);
        Assert.Equal(field, (string?)problem["field"]);
        Assert.Contains("U+0000", (string?)problem["detail"]);
    }

    [Fact]
    public async Task An_unpaired_surrogate_escape_is_refused_as_bad_input_naming_the_field()
    {
        // jsonb refuses "\ud800" as well; the JSON reader refuses it first.
        var json = Report("lone-surrogate").ToJsonString().Replace("\"Eleven months.\"", "\"a\\ud800b\"", StringComparison.Ordinal);

        var problem = await RefusedAsync(() => Liuyang().PostAsync($"/api/commitments/{Commitment}/progress", Json.Raw(json)));

        Assert.Equal("narrative", (string?)problem["field"]);
    }

    [Theory]
    [InlineData("/api/commitments/a%00b")]
    [InlineData("/api/audit/commitments/a%00b/events")]
    public async Task U_0000_in_the_path_is_refused_with_400_before_the_API_sees_it(string url)
    {
        // Kestrel refuses a path that decodes to U+0000 while it reads the request line, with a bare 400.
        var before = await AllEventsAsync();

        var response = await host.Client("auditor").GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, await AllEventsAsync());
    }

    [Theory]
    [InlineData("/api/supervision/governments?prefecture=a%00b", "prefecture")]
    [InlineData("/api/supervision/trends?scope=government&key=%00", "key")]
    [InlineData("/api/audit/commitments/poison-water/as-of?at=2024-01-01%00", "at")]
    public async Task U_0000_in_a_query_parameter_is_refused_with_400_naming_it(string url, string field)
    {
        var problem = await RefusedAsync(() => host.Client("auditor").GetAsync(url));

        Assert.Equal("invalid_character", (string?)problem["code"]);
        Assert.Equal(field, (string?)problem["field"]);
    }

    [Fact]
    public async Task A_forged_cursor_carrying_U_0000_is_refused_as_not_issued_by_the_API()
    {
        var forged = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new[] { "governmentId", "a\u0000b", "x" }))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var problem = await RefusedAsync(() => host.Client("auditor").GetAsync($"/api/supervision/governments?cursor={forged}"));

        Assert.Equal("invalid_cursor", (string?)problem["code"]);
    }

    [Fact]
    public async Task Poison_sent_many_times_never_breaks_the_valid_requests_that_follow()
    {
        // Rounds of 1, 2, 3… poisoned reports before each valid one: before the fix, the second refusal
        // of a statement on a connection made the next valid request on it fail with 500.
        var version = await PilotZone.StreamLengthAsync(host, "commitment/" + Commitment);
        for (var round = 1; round <= 6; round++)
        {
            for (var i = 0; i < round; i++)
                await RefusedAsync(() => PostReportAsync(Report($"poison-{round}-{i}", narrative: "a\u0000b")));
            await PostReportAsync(Report($"valid-{round}")).Ok();
        }

        // Then as many valid requests as the pool has connections, several times over, writes and reads.
        for (var i = 0; i < 3 * SmallPoolHost.PoolSize; i++)
        {
            await PostReportAsync(Report($"after-{i}")).Ok();
            await host.Client("auditor").GetAsync($"/api/commitments/{Commitment}").Ok();
            await host.Client("auditor").GetAsync("/api/supervision/governments").Ok();
        }
        Assert.Equal(version + 6 + 3 * SmallPoolHost.PoolSize, await PilotZone.StreamLengthAsync(host, "commitment/" + Commitment));
    }

    private HttpClient Liuyang() => host.Client("government", PilotZone.Liuyang);

    private Task<HttpResponseMessage> PostReportAsync(JsonObject body) =>
        Liuyang().PostAsync($"/api/commitments/{Commitment}/progress", Json.Raw(body.ToJsonString()));

    /// <summary>Sends, and checks the refusal: 400 problem+json, nothing internal, nothing appended.</summary>
    private async Task<JsonNode> RefusedAsync(Func<Task<HttpResponseMessage>> send)
    {
        var before = await AllEventsAsync();
        var response = await send();
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        foreach (var leak in new[] { "Exception", "Npgsql", "Marten", "   at " })
            Assert.DoesNotContain(leak, text, StringComparison.Ordinal);
        Assert.Equal(before, await AllEventsAsync());
        return JsonNode.Parse(text)!;
    }

    private Task<long> AllEventsAsync() => TestDatabase.ScalarAsync<long>($"select count(*) from \"{host.Schema}\".mt_events");

    private static JsonObject Report(string reportId, string narrative = "Eleven months.") => JsonSerializer.SerializeToNode(new
    {
        reportId,
        period = "2024",
        asOf = "2024-12-31",
        values = new[] { new { indicatorId = "months-class-iii", value = (decimal?)11m, text = (string?)null } },
        narrative,
    }, JsonSerializerOptions.Web)!.AsObject();
}
