using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;

namespace Ledger.Api.Tests;

/// <summary>
/// What auditors and supervisors read: the raw history with each event's envelope, the lists, the
/// registry and agreement views with their version as ETag, and the commitment record with its
/// field history and corrections.
/// </summary>
public sealed class ReadTests(LedgerHost host) : IClassFixture<LedgerHost>, IAsyncLifetime
{
    public Task InitializeAsync() => PilotZone.EnsureAgreementAsync(host);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_raw_history_returns_every_event_with_its_envelope_as_written()
    {
        var registeredAt = new DateTimeOffset(2026, 6, 2, 9, 30, 15, 123, TimeSpan.Zero);
        host.Clock.Set(registeredAt);
        var register = new HttpRequestMessage(HttpMethod.Post, "/api/commitments") { Content = Json.Body(PilotZone.WaterCommitment("read-envelope")) };
        register.Headers.Add("X-Correlation-Id", "corr-123");
        register.Headers.Add("X-Causation-Id", "cause-456");
        register.Headers.Add("Idempotency-Key", "key-read-envelope");
        await host.Client("government", PilotZone.Liuyang).SendAsync(register).Ok();
        var activatedAt = registeredAt.AddHours(1);
        host.Clock.Set(activatedAt);
        var activate = new HttpRequestMessage(HttpMethod.Post, "/api/commitments/read-envelope/activation");
        activate.Headers.Add("X-Correlation-Id", "corr-124");
        await host.Client("supervisor").SendAsync(activate).Ok();

        var events = (await (await host.Client("auditor").GetAsync("/api/commitments/read-envelope/events")).ReadAsync()).AsArray();

        Assert.Equal(
            ["commitment_registered.v1", "contributor_assigned.v1", "indicator_defined.v1", "indicator_defined.v1", "milestone_scheduled.v1", "commitment_activated.v1"],
            events.Select(e => (string?)e!["type"]));
        Assert.Equal([1L, 2, 3, 4, 5, 6], events.Select(e => (long)e!["version"]!));
        var sequences = events.Select(e => (long)e!["sequence"]!).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
        foreach (var e in events.Take(5))
        {
            Assert.Equal(registeredAt, Timestamp(e!["timestamp"]));
            Assert.Equal($"government:{PilotZone.Liuyang}", (string?)e["actor"]!["id"]);
            Assert.Equal("government", (string?)e["actor"]!["role"]);
            Assert.Equal(PilotZone.Liuyang, (string?)e["actor"]!["government"]);
            Assert.Equal("corr-123", (string?)e["correlationId"]);
            Assert.Equal("cause-456", (string?)e["causationId"]);
            Assert.Equal("key-read-envelope", (string?)e["idempotencyKey"]);
            Assert.Equal("read-envelope", (string?)e["data"]!["commitmentId"]);
        }
        var activated = events[5]!;
        Assert.Equal(activatedAt, Timestamp(activated["timestamp"]));
        Assert.Equal("supervisor", (string?)activated["actor"]!["id"]);
        Assert.Equal("supervisor", (string?)activated["actor"]!["role"]);
        Assert.Null((string?)activated["actor"]!["government"]);
        Assert.Equal("corr-124", (string?)activated["correlationId"]);
        Assert.Null((string?)activated["causationId"]);
        Assert.Null((string?)activated["idempotencyKey"]);
    }

    [Fact]
    public async Task The_raw_history_of_an_unknown_commitment_is_404_commitment_not_found()
    {
        var response = await host.Client("auditor").GetAsync("/api/commitments/read-nowhere/events");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("commitment_not_found", (string?)(await response.ReadAsync())["code"]);
    }

    [Fact]
    public async Task Listing_commitments_by_agreement_includes_a_commitment_the_moment_it_is_written_named_and_with_the_write_position()
    {
        await PilotZone.ActiveCommitmentAsync(host, "read-list");
        var written = (await host.GetJsonAsync("/api/commitments/read-list/events")).AsArray().Max(e => (long)e!["sequence"]!);

        // No wait: the list is written in the same transaction as the events.
        var listed = await host.GetJsonAsync($"/api/commitments?agreement={PilotZone.Agreement}&limit=200");
        var elsewhere = await host.GetJsonAsync("/api/commitments?agreement=no-such-agreement");
        var drafts = await host.ListAllAsync("/api/commitments?status=Draft");

        var summary = listed["items"]!.AsArray().Single(c => (string?)c!["commitmentId"] == "read-list")!;
        Assert.Equal(PilotZone.Agreement, (string?)summary["agreementId"]);
        Assert.Equal(PilotZone.Liuyang, (string?)summary["leadGovernmentId"]);
        var liuyang = await host.GetJsonAsync($"/api/governments/{PilotZone.Liuyang}");
        Assert.Equal((string?)liuyang["nameZh"], (string?)summary["leadGovernmentNameZh"]);
        Assert.Equal((string?)liuyang["nameEn"], (string?)summary["leadGovernmentNameEn"]);
        Assert.Equal("Active", (string?)summary["status"]);
        Assert.Equal(6, (long?)summary["version"]);
        Assert.Equal("inline", (string?)listed["freshness"]!["written"]);
        Assert.True((long)listed["freshness"]!["position"]! >= written, $"the list's position {listed["freshness"]!["position"]} is below the write at {written}");
        Assert.Empty(elsewhere["items"]!.AsArray());
        Assert.Null(elsewhere["next"]);
        Assert.DoesNotContain(drafts, c => (string?)c!["commitmentId"] == "read-list");
    }

    [Fact]
    public async Task A_government_and_an_agreement_read_back_with_their_data_and_version_as_ETag()
    {
        var auditor = host.Client("auditor");

        var government = await auditor.GetAsync($"/api/governments/{PilotZone.Liuyang}");
        var agreement = await auditor.GetAsync($"/api/agreements/{PilotZone.Agreement}");

        Assert.Equal(HttpStatusCode.OK, government.StatusCode);
        Assert.Equal("\"1\"", government.Headers.ETag?.Tag);
        var liuyang = await government.ReadAsync();
        Assert.Equal(PilotZone.Liuyang, (string?)liuyang["governmentId"]);
        Assert.Equal("浏阳市", (string?)liuyang["nameZh"]);
        Assert.Equal("Liuyang", (string?)liuyang["nameEn"]);
        Assert.Equal("Hunan", (string?)liuyang["province"]);
        Assert.Equal("CountyLevelCity", (string?)liuyang["level"]);

        Assert.Equal(HttpStatusCode.OK, agreement.StatusCode);
        // drafted, two signatures, activated
        Assert.Equal("\"4\"", agreement.Headers.ETag?.Tag);
        var view = await agreement.ReadAsync();
        Assert.Equal("Active", (string?)view["status"]);
        Assert.Equal("Ecology", (string?)view["taskArea"]);
        Assert.Equal(
            [(PilotZone.Liuyang, "Lead", "2021-03-01"), (PilotZone.Shangli, "Signatory", "2021-03-01")],
            view["parties"]!.AsArray().Select(p => ((string?)p!["governmentId"], (string?)p["role"], (string?)p["signedOn"])));
    }

    [Fact]
    public async Task Unknown_governments_and_agreements_are_404_with_their_codes()
    {
        var auditor = host.Client("auditor");

        var government = await auditor.GetAsync("/api/governments/439999");
        var agreement = await auditor.GetAsync("/api/agreements/no-such-agreement");

        Assert.Equal(HttpStatusCode.NotFound, government.StatusCode);
        Assert.Equal("government_not_found", (string?)(await government.ReadAsync())["code"]);
        Assert.Equal(HttpStatusCode.NotFound, agreement.StatusCode);
        Assert.Equal("agreement_not_found", (string?)(await agreement.ReadAsync())["code"]);
    }

    [Fact]
    public async Task The_record_history_keeps_every_version_of_the_status_with_the_event_that_set_it()
    {
        var registeredAt = host.Clock.GetUtcNow();
        await host.Client("government", PilotZone.Liuyang).PostJsonAsync("/api/commitments", PilotZone.WaterCommitment("read-history")).Ok();
        host.Clock.Advance(TimeSpan.FromDays(1));
        var activatedAt = host.Clock.GetUtcNow();
        var supervisor = host.Client("supervisor");
        await supervisor.PostAsync("/api/commitments/read-history/activation", null).Ok();
        host.Clock.Advance(TimeSpan.FromDays(1));
        await supervisor.PostJsonAsync("/api/commitments/read-history/suspension", new { reason = "Monitoring data under review." }).Ok();
        host.Clock.Advance(TimeSpan.FromDays(1));
        await supervisor.PostJsonAsync("/api/commitments/read-history/resumption", new { reason = "Review closed." }).Ok();

        var response = await host.Client("auditor").GetAsync("/api/commitments/read-history");

        Assert.Equal("\"8\"", response.Headers.ETag?.Tag);
        var record = await response.ReadAsync();
        Assert.Equal("Active", (string?)record["status"]);
        var status = (await host.FieldHistoryAsync("read-history"))["status"]!.AsArray();
        Assert.Equal(
            [("Draft", 1L, "commitment_registered.v1"), ("Active", 6L, "commitment_activated.v1"), ("Suspended", 7L, "commitment_suspended.v1"), ("Active", 8L, "commitment_resumed.v1")],
            status.Select(v => ((string?)v!["value"], (long)v["version"]!, (string?)v["event"])));
        Assert.Equal(registeredAt, Timestamp(status[0]!["at"]));
        Assert.Equal(activatedAt, Timestamp(status[1]!["at"]));
    }

    [Fact]
    public async Task A_correction_is_listed_under_its_report_and_replaces_the_actual_for_that_period()
    {
        await PilotZone.ActiveCommitmentAsync(host, "read-correction");
        var liuyang = host.Client("government", PilotZone.Liuyang);
        await liuyang.PostJsonAsync("/api/commitments/read-correction/progress", new
        {
            reportId = "report-2024",
            period = "2024",
            asOf = "2024-12-31",
            values = new[] { new { indicatorId = "months-class-iii", value = 10m } },
            narrative = "Ten months at Class III or better.",
        }).Ok();
        var corrected = await liuyang.PostJsonAsync("/api/commitments/read-correction/corrections", new
        {
            correctionId = "report-2024-fix",
            correctsReportId = "report-2024",
            values = new[] { new { indicatorId = "months-class-iii", value = 11m } },
            reason = "November's sample was re-analysed by the provincial station.",
        });
        Assert.Equal(HttpStatusCode.Created, corrected.StatusCode);

        var record = await (await host.Client("auditor").GetAsync("/api/commitments/read-correction")).ReadAsync();

        Assert.Equal(1, (int)record["reportCount"]!);
        var report = record["recentReports"]!.AsArray().Single()!;
        Assert.Equal(report.ToJsonString(), (await host.ListAllAsync("/api/commitments/read-correction/reports")).Single()!.ToJsonString());
        Assert.Equal(10m, (decimal?)report["values"]![0]!["value"]);
        var correction = report["corrections"]!.AsArray().Single()!;
        Assert.Equal("report-2024-fix", (string?)correction["correctionId"]);
        Assert.Equal(11m, (decimal?)correction["values"]![0]!["value"]);
        Assert.Equal($"government:{PilotZone.Liuyang}", (string?)correction["correctedBy"]);
        var indicator = record["indicators"]!.AsArray().Single(i => (string?)i!["definition"]!["indicatorId"] == "months-class-iii")!;
        var actual = indicator["actuals"]!.AsArray().Single()!;
        Assert.Equal("2024", (string?)actual["period"]);
        Assert.Equal(11m, (decimal?)actual["value"]);
        Assert.Equal("report-2024", (string?)actual["reportId"]);
        Assert.Equal("report-2024-fix", (string?)actual["correctionId"]);
        Assert.Equal(
            [(10m, "progress_reported.v1"), (11m, "progress_corrected.v1")],
            (await host.FieldHistoryAsync("read-correction"))["indicators.months-class-iii.actual.2024"]!.AsArray().Select(v => ((decimal?)v!["value"], (string?)v["event"])));
    }

    private static DateTimeOffset Timestamp(JsonNode? node) =>
        DateTimeOffset.Parse((string)node!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
