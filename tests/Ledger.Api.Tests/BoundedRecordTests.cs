using System.Net;
using Ledger.Api.Tests.Support;

namespace Ledger.Api.Tests;

/// <summary>
/// A commitment's record keeps its current state, a count of its reports and the latest few: every
/// report is a document of its own, read a page at a time, and each field's versions are folded from
/// the events when asked for. So the stored record does not grow with the reports.
/// </summary>
public sealed class BoundedRecordTests(LedgerHost host) : IClassFixture<LedgerHost>, IAsyncLifetime
{
    public Task InitializeAsync() => PilotZone.EnsureAgreementAsync(host);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_stored_record_is_the_same_size_after_ten_reports_and_after_sixty()
    {
        await PilotZone.ActiveCommitmentAsync(host, "bounded-size");
        await ReportAsync("bounded-size", 1, 10);
        var afterTen = await StoredSizeAsync("bounded-size");

        await ReportAsync("bounded-size", 11, 60);
        var afterSixty = await StoredSizeAsync("bounded-size");

        // As JSON text (not compressed): each report held in the record would add a few hundred bytes.
        Assert.InRange(afterSixty, afterTen - 64, afterTen + 64);
        var record = await host.GetJsonAsync("/api/commitments/bounded-size");
        Assert.Equal(60, (int)record["reportCount"]!);
        Assert.Equal(["rep-0056", "rep-0057", "rep-0058", "rep-0059", "rep-0060"], record["recentReports"]!.AsArray().Select(r => (string?)r!["reportId"]));
        Assert.Null(record["history"]);
        Assert.Null(record["reports"]);
    }

    [Fact]
    public async Task Every_report_is_listed_in_the_order_made_a_page_at_a_time_and_by_its_id()
    {
        await PilotZone.ActiveCommitmentAsync(host, "bounded-list");
        await ReportAsync("bounded-list", 1, 12);

        var first = await host.GetJsonAsync("/api/commitments/bounded-list/reports?limit=5");
        Assert.Equal(["rep-0001", "rep-0002", "rep-0003", "rep-0004", "rep-0005"], first["items"]!.AsArray().Select(r => (string?)r!["reportId"]));
        Assert.Equal("inline", (string?)first["freshness"]!["written"]);
        var all = await host.ListAllAsync("/api/commitments/bounded-list/reports");
        Assert.Equal(Enumerable.Range(1, 12).Select(i => $"rep-{i:D4}"), all.Select(r => (string?)r!["reportId"]));
        var latest = await host.GetJsonAsync("/api/commitments/bounded-list/reports?sort=-version&limit=2");
        Assert.Equal(["rep-0012", "rep-0011"], latest["items"]!.AsArray().Select(r => (string?)r!["reportId"]));
        var second = await host.GetJsonAsync($"/api/commitments/bounded-list/reports?limit=5&cursor={(string?)first["next"]}");
        Assert.Equal("rep-0006", (string?)second["items"]![0]!["reportId"]);

        var one = await host.GetJsonAsync("/api/commitments/bounded-list/reports/rep-0003");
        Assert.Equal(("rep-0003", "2024", 3m), ((string?)one["reportId"], (string?)one["period"], (decimal?)one["values"]![0]!["value"]));

        using var auditor = host.Client("auditor");
        await (await auditor.GetAsync("/api/commitments/bounded-list/reports/rep-9999")).AssertProblemAsync(HttpStatusCode.NotFound, "report_not_found", null);
        await (await auditor.GetAsync("/api/commitments/no-such-commitment/reports")).AssertProblemAsync(HttpStatusCode.NotFound, "commitment_not_found", null);
        await (await auditor.GetAsync("/api/commitments/bounded-list/reports?sort=period")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "unknown_sort", "sort");
        await (await auditor.GetAsync("/api/commitments/bounded-list/reports?agreement=x")).AssertProblemAsync(HttpStatusCode.BadRequest, "unknown_filter", "agreement");
    }

    [Fact]
    public async Task A_correction_of_an_older_report_reaches_its_document_and_the_value_it_still_shows()
    {
        await PilotZone.ActiveCommitmentAsync(host, "bounded-correct");
        var liuyang = host.Client("government", PilotZone.Liuyang);
        await liuyang.PostJsonAsync("/api/commitments/bounded-correct/progress", new
        {
            reportId = "rep-march",
            period = "2024",
            asOf = "2024-03-31",
            values = new[] { new { indicatorId = "months-class-iii", value = 9m } },
            narrative = "Nine months in 2023.",
        }).Ok();
        // Later reports push it out of the record's latest few (another indicator's, so its value stays shown).
        await ReportMonthlyAsync("bounded-correct", 6);

        await liuyang.PostJsonAsync("/api/commitments/bounded-correct/corrections", new
        {
            correctionId = "fix-march",
            correctsReportId = "rep-march",
            values = new[] { new { indicatorId = "months-class-iii", value = 10m } },
            reason = "December re-sampled.",
        }).Ok();

        var record = await host.GetJsonAsync("/api/commitments/bounded-correct");
        Assert.DoesNotContain(record["recentReports"]!.AsArray(), r => (string?)r!["reportId"] == "rep-march");
        var actuals = record["indicators"]!.AsArray().Single(i => (string?)i!["definition"]!["indicatorId"] == "months-class-iii")!["actuals"]!.AsArray();
        var shown = actuals.Single(a => (string?)a!["period"] == "2024")!;
        Assert.Equal((10m, "rep-march", "fix-march", "2024-03-31"), ((decimal?)shown["value"], (string?)shown["reportId"], (string?)shown["correctionId"], (string?)shown["asOf"]));
        var report = await host.GetJsonAsync("/api/commitments/bounded-correct/reports/rep-march");
        Assert.Equal("fix-march", (string?)report["corrections"]!.AsArray().Single()!["correctionId"]);

        // A value the report never gave is a new report, not a correction: refused, nothing written.
        var before = await PilotZone.StreamLengthAsync(host, "commitment/bounded-correct");
        var refused = await liuyang.PostJsonAsync("/api/commitments/bounded-correct/corrections", new
        {
            correctionId = "fix-march-b",
            correctsReportId = "rep-march",
            values = new object[] { new { indicatorId = "months-class-iii", value = 10m }, new { indicatorId = "monthly-class", value = 3m } },
            reason = "Adding the monthly class.",
        });
        await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "not_in_report", "values[1].indicatorId");
        Assert.Equal(before, await PilotZone.StreamLengthAsync(host, "commitment/bounded-correct"));
    }

    [Fact]
    public async Task The_field_history_is_folded_from_the_events_and_read_a_page_at_a_time()
    {
        await PilotZone.ActiveCommitmentAsync(host, "bounded-history");
        await ReportAsync("bounded-history", 1, 8);

        var whole = await host.FieldHistoryAsync("bounded-history");
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (decimal?)i),
            whole["indicators.months-class-iii.actual.2024"]!.AsArray().Select(v => (decimal?)v!["value"]));
        Assert.Equal(["Draft", "Active"], whole["status"]!.AsArray().Select(v => (string?)v!["value"]));

        // Pages never split one event's changes, and go on after the last version they hold.
        var first = await host.GetJsonAsync("/api/audit/commitments/bounded-history/history?limit=3");
        var items = first["items"]!.AsArray();
        Assert.True(items.Count >= 3);
        var next = (long)first["next"]!;
        Assert.Equal(next, (long)items[^1]!["version"]!);
        var rest = await host.GetJsonAsync($"/api/audit/commitments/bounded-history/history?after={next}&limit=1000");
        Assert.Null(rest["next"]);
        Assert.All(rest["items"]!.AsArray(), v => Assert.True((long)v!["version"]! > next));
        Assert.Equal(whole.Sum(f => f.Value!.AsArray().Count), items.Count + rest["items"]!.AsArray().Count);

        var one = await host.GetJsonAsync("/api/audit/commitments/bounded-history/history?field=status");
        Assert.Equal(["status", "status"], one["items"]!.AsArray().Select(v => (string?)v!["field"]));

        using var auditor = host.Client("auditor");
        await (await auditor.GetAsync("/api/audit/commitments/bounded-history/history?limit=0")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_number", "limit");
        await (await auditor.GetAsync("/api/audit/commitments/bounded-history/history?limit=1001")).AssertProblemAsync(HttpStatusCode.BadRequest, "limit_out_of_range", "limit");
        await (await auditor.GetAsync("/api/audit/commitments/bounded-history/history?after=-1")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_number", "after");
        await (await auditor.GetAsync("/api/audit/commitments/no-such-commitment/history")).AssertProblemAsync(HttpStatusCode.NotFound, "commitment_not_found", null);
    }

    [Fact]
    public async Task Evidence_and_orders_are_documents_of_their_own_and_the_record_keeps_the_open_ones_and_the_latest_few()
    {
        const string id = "bounded-acts";
        await PilotZone.ActiveCommitmentAsync(host, id);
        using var liuyang = host.Client("government", PilotZone.Liuyang);
        for (var i = 1; i <= 12; i++)
            await liuyang.PostJsonAsync($"/api/commitments/{id}/evidence", PilotRequests.Evidence($"ev-{i:D2}")).Ok();
        var afterTwelve = await StoredSizeAsync(id);
        var twelveAt = (long)(await host.GetJsonAsync($"/api/commitments/{id}"))["version"]!;

        // One order left open, then six answered and accepted: the open one stays in the record however old.
        using var supervisor = host.Client("supervisor");
        for (var i = 1; i <= 7; i++)
        {
            await supervisor.PostJsonAsync($"/api/commitments/{id}/rectifications", new
            {
                rectificationId = $"rect-{i}",
                governmentId = PilotZone.Liuyang,
                findings = $"Finding number {i}.",
                requiredActions = new[] { "Put it right" },
                dueOn = "2026-12-31",
            }).Ok();
            if (i == 1) continue;
            await liuyang.PostJsonAsync($"/api/commitments/{id}/rectifications/rect-{i}/response", new { response = "Done." }).Ok();
            await supervisor.PostJsonAsync($"/api/commitments/{id}/rectifications/rect-{i}/acceptance", new { findings = "Seen." }).Ok();
        }
        for (var i = 13; i <= 30; i++)
            await liuyang.PostJsonAsync($"/api/commitments/{id}/evidence", PilotRequests.Evidence($"ev-{i:D2}")).Ok();

        var record = await host.GetJsonAsync($"/api/commitments/{id}");
        Assert.Equal((30, 7), ((int)record["evidenceCount"]!, (int)record["rectificationCount"]!));
        Assert.Equal(["ev-26", "ev-27", "ev-28", "ev-29", "ev-30"], record["recentEvidence"]!.AsArray().Select(e => (string?)e!["evidenceId"]));
        Assert.Equal(["rect-1", "rect-3", "rect-4", "rect-5", "rect-6", "rect-7"], record["recentRectifications"]!.AsArray().Select(r => (string?)r!["rectificationId"]));
        Assert.Null(record["evidence"]);
        Assert.Null(record["rectifications"]);
        // Eighteen more attachments and seven orders later, the stored record has not grown with them (each
        // held in it would add a few hundred bytes; the six orders it keeps are the difference allowed for).
        Assert.InRange(await StoredSizeAsync(id), afterTwelve - 64, afterTwelve + 6 * 600);

        // Every one of them is listed, in the order made, a page at a time.
        var evidence = new List<string?>();
        var pages = 0;
        for (string? next = ""; next is not null; pages++)
        {
            var page = await host.GetJsonAsync($"/api/commitments/{id}/evidence?limit=7" + (next == "" ? "" : $"&cursor={Uri.EscapeDataString(next)}"));
            evidence.AddRange(page["items"]!.AsArray().Select(e => (string?)e!["evidenceId"]));
            next = (string?)page["next"];
        }
        Assert.Equal(Enumerable.Range(1, 30).Select(i => $"ev-{i:D2}"), evidence);
        Assert.Equal(5, pages);
        var latest = await host.GetJsonAsync($"/api/commitments/{id}/evidence?sort=-version&limit=1");
        Assert.Equal("ev-30", (string?)latest["items"]![0]!["evidenceId"]);
        Assert.Equal("inline", (string?)latest["freshness"]!["written"]);
        var orders = await host.ListAllAsync($"/api/commitments/{id}/rectifications");
        Assert.Equal(Enumerable.Range(1, 7).Select(i => $"rect-{i}"), orders.Select(r => (string?)r!["rectificationId"]));
        var accepted = orders.Single(r => (string?)r!["rectificationId"] == "rect-2")!;
        Assert.Equal(("Accepted", "Done.", "Seen."),
            ((string?)accepted["status"], (string?)accepted["responses"]![0]!["response"], (string?)accepted["reviews"]![0]!["findings"]));
        var open = await host.GetJsonAsync($"/api/commitments/{id}/rectifications?open=true");
        Assert.Equal(["rect-1"], open["items"]!.AsArray().Select(r => (string?)r!["rectificationId"]));
        Assert.Empty((await host.GetJsonAsync($"/api/commitments/{id}/claims"))["items"]!.AsArray());

        using var auditor = host.Client("auditor");
        await (await auditor.GetAsync($"/api/commitments/{id}/evidence?open=maybe")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_flag", "open");
        await (await auditor.GetAsync($"/api/commitments/{id}/escalations?period=2024")).AssertProblemAsync(HttpStatusCode.BadRequest, "unknown_filter", "period");
        await (await auditor.GetAsync("/api/commitments/no-such-commitment/evidence")).AssertProblemAsync(HttpStatusCode.NotFound, "commitment_not_found", null);

        // An auditor's replay to a point shows every act made by then, not only the record's latest.
        var asOf = await host.GetJsonAsync($"/api/audit/commitments/{id}/as-of?version={twelveAt}");
        Assert.Equal(Enumerable.Range(1, 12).Select(i => $"ev-{i:D2}"), asOf["acts"]!["evidence"]!.AsArray().Select(e => (string?)e!["evidenceId"]));
    }

    /// <summary>Reports rep-{from}…rep-{to} for 2024 as Liuyang, each giving its own number as the months at Class III.</summary>
    private async Task ReportAsync(string commitmentId, int from, int to)
    {
        using var liuyang = host.Client("government", PilotZone.Liuyang);
        for (var i = from; i <= to; i++)
        {
            await liuyang.PostJsonAsync($"/api/commitments/{commitmentId}/progress", new
            {
                reportId = $"rep-{i:D4}",
                period = "2024",
                asOf = "2024-06-30",
                values = new[] { new { indicatorId = "months-class-iii", value = (decimal)Math.Min(i, 12) } },
                narrative = $"Report number {i:D4} of the year, every one the same length.",
            }).Ok();
        }
    }

    /// <summary>Monthly water-class reports (Class II) for the first <paramref name="months"/> months of 2024.</summary>
    private async Task ReportMonthlyAsync(string commitmentId, int months)
    {
        using var liuyang = host.Client("government", PilotZone.Liuyang);
        for (var m = 1; m <= months; m++)
        {
            await liuyang.PostJsonAsync($"/api/commitments/{commitmentId}/progress", new
            {
                reportId = $"class-2024-{m:D2}",
                period = $"2024-{m:D2}",
                asOf = $"2024-{m:D2}-28",
                values = new[] { new { indicatorId = "monthly-class", value = 2m } },
                narrative = "Class II at the border section.",
            }).Ok();
        }
    }

    private Task<int> StoredSizeAsync(string commitmentId) =>
        TestDatabase.ScalarAsync<int>($"select octet_length(data::text) from \"{host.Schema}\".mt_doc_commitmentrecord where id = 'commitment/{commitmentId}'");
}
