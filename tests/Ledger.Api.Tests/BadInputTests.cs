using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;

namespace Ledger.Api.Tests;

/// <summary>
/// Every class of bad input is refused with problem+json naming a stable code and the field at fault,
/// leaks nothing internal, and leaves the ledger exactly as it was.
/// </summary>
public sealed class BadInputTests(LedgerHost host) : IClassFixture<LedgerHost>, IAsyncLifetime
{
    private const string AnyField = "(any field)";

    public async Task InitializeAsync()
    {
        // The fixture is shared by the class: the pilot zone is set up by the first test only.
        if ((await host.Client("auditor").GetAsync($"/api/agreements/{PilotZone.Agreement}")).StatusCode == HttpStatusCode.NotFound)
        {
            await PilotZone.RegisterGovernmentsAsync(host);
            await PilotZone.ActivateAgreementAsync(host);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("{\"commitmentId\":")]
    [InlineData("{\"commitmentId\": \"bad-malformed\"")]
    [InlineData("{\"commitmentId\": \"bad-malformed\",}")]
    [InlineData("not json")]
    public async Task Malformed_JSON_is_refused_with_400_malformed_json(string body)
    {
        await AssertRefusedAsync("commitment/bad-malformed", () => Liuyang().PostAsync("/api/commitments", Json.Raw(body)),
            HttpStatusCode.BadRequest, "malformed_json", AnyField);
    }

    [Theory]
    [InlineData("narrative")]
    [InlineData("reportId")]
    [InlineData("asOf")]
    [InlineData("values")]
    [InlineData("values[0].indicatorId")]
    public async Task A_missing_required_field_is_refused_with_400_field_required_naming_its_path(string field)
    {
        var id = await ActiveCommitmentAsync("bad-missing-field");
        var body = Report();
        if (field == "values[0].indicatorId") body["values"]![0]!.AsObject().Remove("indicatorId");
        else body.Remove(field);

        await AssertRefusedAsync(Stream(id), () => PostReportAsync(id, body), HttpStatusCode.BadRequest, "field_required", field);
    }

    [Theory]
    [InlineData("", "bogus")]
    [InlineData("values[0]", "values[0].bogus")]
    public async Task An_unknown_field_is_refused_with_400_unknown_field_naming_its_path(string parent, string field)
    {
        var id = await ActiveCommitmentAsync("bad-unknown-field");
        var body = Report();
        (parent == "" ? body : body["values"]![0]!.AsObject())["bogus"] = 1;

        await AssertRefusedAsync(Stream(id), () => PostReportAsync(id, body), HttpStatusCode.BadRequest, "unknown_field", field);
    }

    [Theory]
    [InlineData("values[0].value", "\"eleven\"")]
    [InlineData("asOf", "20241231")]
    [InlineData("asOf", "\"2024-13-31\"")]
    [InlineData("reportId", "42")]
    [InlineData("values", "{}")]
    public async Task A_value_of_the_wrong_type_is_refused_with_400_invalid_value_naming_its_path(string field, string json)
    {
        var id = await ActiveCommitmentAsync("bad-wrong-type");
        var body = Report();
        if (field == "values[0].value") body["values"]![0]!["value"] = JsonNode.Parse(json);
        else body[field] = JsonNode.Parse(json);

        await AssertRefusedAsync(Stream(id), () => PostReportAsync(id, body), HttpStatusCode.BadRequest, "invalid_value", field);
    }

    [Theory]
    [InlineData("indicators[0].measure", "\"Bogus\"")]
    [InlineData("resultType", "\"Bogus\"")]
    [InlineData("indicators[0].measure", "0")]
    [InlineData("resultType", "1")]
    public async Task An_enum_given_an_unknown_name_or_as_an_integer_is_refused_with_400_naming_the_field(string field, string json)
    {
        var body = Node(PilotZone.WaterCommitment("bad-enum"));
        if (field == "resultType") body["resultType"] = JsonNode.Parse(json);
        else body["indicators"]![0]!["measure"] = JsonNode.Parse(json);

        await AssertRefusedAsync("commitment/bad-enum", () => Liuyang().PostAsync("/api/commitments", Json.Raw(body.ToJsonString())),
            HttpStatusCode.BadRequest, "invalid_value", field);
    }

    [Theory]
    [InlineData("months-class-iii", "-1", "a whole number, 0 or more")]
    [InlineData("months-class-iii", "10.5", "a whole number, 0 or more")]
    [InlineData("good-days-share", "101", "from 0 to 100")]
    [InlineData("good-days-share", "-0.5", "from 0 to 100")]
    [InlineData("monthly-class", "7", "a whole number from 1 (Class I) to 6")]
    [InlineData("monthly-class", "0", "a whole number from 1 (Class I) to 6")]
    public async Task A_value_that_does_not_fit_its_indicator_is_refused_with_422_value_out_of_range_saying_what_it_takes(string indicatorId, string value, string allowed)
    {
        var id = await ActiveCommitmentAsync("bad-out-of-range", withPercentIndicator: true);
        var body = Report();
        body["values"] = new JsonArray(new JsonObject { ["indicatorId"] = indicatorId, ["value"] = JsonNode.Parse(value), ["text"] = null });

        var problem = await RefusedAsync(Stream(id), () => PostReportAsync(id, body), HttpStatusCode.UnprocessableEntity);

        Assert.Equal("value_out_of_range", (string?)problem["code"]);
        Assert.Equal("values[0].value", (string?)problem["field"]);
        Assert.Contains(allowed, (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_report_as_of_a_date_after_today_on_the_ledger_clock_is_refused_with_422_date_in_future()
    {
        var id = await ActiveCommitmentAsync("bad-future");
        var body = Report();
        // The day after the host's clock, which is long past by the wall clock: only the injected clock counts.
        body["asOf"] = DateOnly.FromDateTime(host.Clock.GetUtcNow().UtcDateTime).AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        await AssertRefusedAsync(Stream(id), () => PostReportAsync(id, body), HttpStatusCode.UnprocessableEntity, "date_in_future", "asOf");
    }

    [Fact]
    public async Task A_report_on_an_unknown_commitment_is_refused_with_404_commitment_not_found()
    {
        await AssertRefusedAsync("commitment/bad-nowhere", () => PostReportAsync("bad-nowhere", Report()),
            HttpStatusCode.NotFound, "commitment_not_found", "commitmentId");
    }

    [Fact]
    public async Task A_value_for_an_undefined_indicator_is_refused_with_422_unknown_indicator()
    {
        var id = await ActiveCommitmentAsync("bad-unknown-indicator");
        var body = Report();
        body["values"]![0]!["indicatorId"] = "no-such-indicator";

        await AssertRefusedAsync(Stream(id), () => PostReportAsync(id, body), HttpStatusCode.UnprocessableEntity, "unknown_indicator", "values[0].indicatorId");
    }

    [Fact]
    public async Task Registering_a_commitment_id_twice_is_refused_with_409_commitment_exists()
    {
        var id = await ActiveCommitmentAsync("bad-duplicate");

        await AssertRefusedAsync(Stream(id), () => Liuyang().PostJsonAsync("/api/commitments", PilotZone.WaterCommitment(id)),
            HttpStatusCode.Conflict, "commitment_exists", "commitmentId");
    }

    [Fact]
    public async Task Reporting_a_report_id_twice_is_refused_with_409_duplicate_report()
    {
        var id = await ActiveCommitmentAsync("bad-duplicate-report");
        await PostReportAsync(id, Report("report-1")).Ok();

        await AssertRefusedAsync(Stream(id), () => PostReportAsync(id, Report("report-1")), HttpStatusCode.Conflict, "duplicate_report", "reportId");
    }

    [Fact]
    public async Task A_body_over_256_KiB_is_refused_with_413_payload_too_large()
    {
        var id = await ActiveCommitmentAsync("bad-too-large");
        var body = Report();
        body["narrative"] = new string('x', 257 * 1024);

        await AssertRefusedAsync(Stream(id), () => PostReportAsync(id, body), HttpStatusCode.RequestEntityTooLarge, "payload_too_large", null);
    }

    [Fact]
    public async Task JSON_nested_deeper_than_32_is_refused_with_400_naming_the_field()
    {
        var id = await ActiveCommitmentAsync("bad-too-deep");
        // Trailing whitespace past the parser's first buffer makes it read the nested value ahead, where the
        // depth limit trips; when the whole body arrives in one read it is refused as the wrong type instead.
        var json = "{\"narrative\":" + new string('[', 40) + new string(']', 40) + new string(' ', 64 * 1024) + "}";

        var problem = await RefusedAsync(Stream(id), () => PostReportAsync(id, json), HttpStatusCode.BadRequest);

        Assert.Contains((string?)problem["code"], new[] { "too_deep", "invalid_value" });
        Assert.Equal("narrative", (string?)problem["field"]);
    }

    [Fact]
    public async Task A_report_on_a_withdrawn_commitment_is_refused_with_409_commitment_withdrawn()
    {
        var id = await ActiveCommitmentAsync("bad-withdrawn");
        await host.Client("decision").PostJsonAsync($"/api/commitments/{id}/withdrawal", new { reason = "Superseded by the 2025 joint plan." }).Ok();

        await AssertRefusedAsync(Stream(id), () => PostReportAsync(id, Report()), HttpStatusCode.Conflict, "commitment_withdrawn", null);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("W/\"6\"")]
    [InlineData("\"-1\"")]
    [InlineData("\"6\", \"7\"")]
    [InlineData("*")]
    public async Task A_malformed_If_Match_is_refused_with_400_invalid_if_match(string ifMatch)
    {
        var id = await ActiveCommitmentAsync("bad-if-match");
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/commitments/{id}/progress") { Content = Json.Raw(Report().ToJsonString()) };
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);

        await AssertRefusedAsync(Stream(id), () => Liuyang().SendAsync(request), HttpStatusCode.BadRequest, "invalid_if_match", "If-Match");
    }

    [Fact]
    public async Task An_empty_body_is_refused_with_400_body_required()
    {
        var id = await ActiveCommitmentAsync("bad-empty-body");

        await AssertRefusedAsync(Stream(id), () => PostReportAsync(id, ""), HttpStatusCode.BadRequest, "body_required", null);
    }

    [Fact]
    public async Task A_null_in_place_of_an_indicator_value_is_refused_as_bad_input_naming_it()
    {
        var id = await ActiveCommitmentAsync("bad-null-value");
        var body = Report();
        body["values"] = new JsonArray((JsonNode?)null);

        var problem = await RefusedAsync(Stream(id), () => PostReportAsync(id, body), HttpStatusCode.BadRequest, HttpStatusCode.UnprocessableEntity);

        Assert.Equal("values[0]", (string?)problem["field"]);
    }

    private HttpClient Liuyang() => host.Client("government", PilotZone.Liuyang);

    private static string Stream(string commitmentId) => "commitment/" + commitmentId;

    private Task<HttpResponseMessage> PostReportAsync(string commitmentId, JsonObject body) => PostReportAsync(commitmentId, body.ToJsonString());

    private Task<HttpResponseMessage> PostReportAsync(string commitmentId, string json) =>
        Liuyang().PostAsync($"/api/commitments/{commitmentId}/progress", Json.Raw(json));

    private static JsonObject Node(object value) => JsonSerializer.SerializeToNode(value, JsonSerializerOptions.Web)!.AsObject();

    private static JsonObject Report(string reportId = "report-1") => Node(new
    {
        reportId,
        period = "2024",
        asOf = "2024-12-31",
        values = new[] { new { indicatorId = "months-class-iii", value = (decimal?)11m, text = (string?)null } },
        narrative = "Eleven months at Class III or better.",
    });

    /// <summary>The water commitment, active, created once per id (theories share it).</summary>
    private async Task<string> ActiveCommitmentAsync(string id, bool withPercentIndicator = false)
    {
        if ((await host.Client("auditor").GetAsync($"/api/commitments/{id}")).StatusCode != HttpStatusCode.NotFound) return id;
        var body = Node(PilotZone.WaterCommitment(id));
        if (withPercentIndicator)
        {
            body["indicators"]!.AsArray().Add(Node(new
            {
                indicatorId = "good-days-share",
                name = "Share of days at Class III or better",
                measure = "Percent",
                unit = "%",
                direction = "Ascending",
                aggregation = "PerPeriod",
                baseline = (object?)null,
                periods = Array.Empty<object>(),
            }));
        }
        await Liuyang().PostAsync("/api/commitments", Json.Raw(body.ToJsonString())).Ok();
        await host.Client("supervisor").PostAsync($"/api/commitments/{id}/activation", null).Ok();
        return id;
    }

    private async Task AssertRefusedAsync(string streamKey, Func<Task<HttpResponseMessage>> send, HttpStatusCode status, string code, string? field)
    {
        var problem = await RefusedAsync(streamKey, send, status);
        Assert.Equal(code, (string?)problem["code"]);
        if (field != AnyField) Assert.Equal(field, (string?)problem["field"]);
    }

    /// <summary>Sends, then checks what every refusal shares: status, problem+json, no internals, nothing appended.</summary>
    private async Task<JsonNode> RefusedAsync(string streamKey, Func<Task<HttpResponseMessage>> send, params HttpStatusCode[] statuses)
    {
        var streamBefore = await PilotZone.StreamLengthAsync(host, streamKey);
        var allBefore = await AllEventsAsync();

        var response = await send();
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(statuses.Contains(response.StatusCode), $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        foreach (var leak in new[] { "Exception", "Npgsql", "Marten", "at Ledger.", "   at ", "System." })
            Assert.DoesNotContain(leak, text, StringComparison.Ordinal);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal((int)response.StatusCode, (int?)problem["status"]);
        Assert.Equal(streamBefore, await PilotZone.StreamLengthAsync(host, streamKey));
        Assert.Equal(allBefore, await AllEventsAsync());
        return problem;
    }

    private Task<long> AllEventsAsync() => TestDatabase.ScalarAsync<long>($"select count(*) from \"{host.Schema}\".mt_events");
}
