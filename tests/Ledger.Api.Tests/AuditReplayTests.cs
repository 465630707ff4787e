using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Integrity;
using Ledger.Integrity.Checkpoints;
using Ledger.Integrity.Merkle;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests;

/// <summary>
/// An auditor replays the pilot-zone scenario: what the ledger showed for the Suichuan–Guidong
/// corridor on 2023-06-30 and what changed since, stream histories filtered by time and type, and
/// histories whose every event carries a proof that verifies against the signed checkpoint.
/// </summary>
public sealed class AuditReplayTests(ScenarioTests.LoadedScenario scenario) : IClassFixture<ScenarioTests.LoadedScenario>
{
    private const string Corridor = "a03-suichuan-guidong-corridor";
    private const string MidYear = "2023-06-30T23:59:59+08:00";

    private LedgerHost Host => scenario.Host;

    [Fact]
    public async Task The_corridor_as_of_mid_2023_shows_the_june_report_and_the_milestone_still_scheduled()
    {
        var asOf = await GetAsync($"/api/audit/commitments/{Corridor}/as-of?at={Uri.EscapeDataString(MidYear)}");

        // The last event on or before 2023-06-30 is the June report (reported 2023-06-20, as of 2023-06-15).
        Assert.Equal(Corridor, (string?)asOf["commitmentId"]);
        Assert.Equal(new DateTimeOffset(2023, 6, 20, 6, 0, 0, TimeSpan.Zero), Time(asOf["timestamp"]));
        var events = (await GetAsync($"/api/audit/commitments/{Corridor}/events"))["events"]!.AsArray();
        var june = events.Single(e => (string?)e!["event"]!["data"]!["reportId"] == "r-2023-06")!["event"]!;
        Assert.Equal((long)june["version"]!, (long)asOf["version"]!);
        Assert.Equal((long)june["sequence"]!, (long)asOf["sequence"]!);

        var record = asOf["record"]!;
        Assert.Equal("Active", (string?)record["status"]);
        Assert.Equal((long)asOf["version"]!, (long)record["version"]!);
        var actuals = Actuals(record, "preparatory-work");
        var only = Assert.Single(actuals)!;
        Assert.Equal("2023", (string?)only["period"]);
        Assert.Equal(35m, (decimal?)only["value"]);
        Assert.Equal("r-2023-06", (string?)only["reportId"]);
        Assert.Equal(1, (int)record["reportCount"]!);
        Assert.Equal(["r-2023-06"], record["recentReports"]!.AsArray().Select(r => (string?)r!["reportId"]));
        Assert.Equal("2023-06-15", (string?)record["recentReports"]![0]!["asOf"]);
        Assert.Equal("Scheduled", (string?)Milestone(record, "feasibility-approved")["status"]);
        Assert.Equal(0, (int)record["claimCount"]!);
        Assert.Empty(asOf["acts"]!["claims"]!.AsArray());

        // The same point named by version gives the same record; an unencoded '+' in the query is read back as '+'.
        var byVersion = await GetAsync($"/api/audit/commitments/{Corridor}/as-of?version={(long)asOf["version"]!}");
        Assert.Equal(record.ToJsonString(), byVersion["record"]!.ToJsonString());
        var unencoded = await GetAsync($"/api/audit/commitments/{Corridor}/as-of?at={MidYear}");
        Assert.Equal((long)asOf["version"]!, (long)unencoded["version"]!);
    }

    [Fact]
    public async Task Replaying_to_the_last_version_gives_the_stored_record()
    {
        var stored = await GetAsync($"/api/commitments/{Corridor}");

        var replayed = await GetAsync($"/api/audit/commitments/{Corridor}/as-of?version={(long)stored["version"]!}");

        Assert.Equal(Actuals(stored, "preparatory-work").ToJsonString(), Actuals(replayed["record"]!, "preparatory-work").ToJsonString());
        Assert.True(JsonNode.DeepEquals(stored, replayed["record"]), "the replayed record differs from the stored one");
        Assert.True(JsonNode.DeepEquals(await Host.FieldHistoryAsync(Corridor), replayed["history"]), "the replayed versions differ from the field history");
        Assert.Equal("Met", (string?)Milestone(replayed["record"]!, "feasibility-approved")["status"]);
    }

    [Fact]
    public async Task Since_mid_2023_the_2023_figure_went_from_35_to_55_and_the_feasibility_milestone_was_met()
    {
        var diff = await GetAsync($"/api/audit/commitments/{Corridor}/diff?from={Uri.EscapeDataString(MidYear)}");

        var changes = diff["changes"]!.AsArray().ToDictionary(c => (string)c!["field"]!, c => c!);
        Assert.Equal(
            [
                // Construction started on 2025-12-31: both claims verified on 2026-01-09.
                "claims.claim-construction-start.state",
                "claims.claim-corridor.state",
                "claims.claim-feasibility.state",
                // The scenario's 2025-Q3 assessment of the corridor.
                "completion",
                "confidence",
                "indicators.preparatory-work.actual.2023",
                "indicators.preparatory-work.actual.2024",
                "indicators.preparatory-work.actual.2025",
                "milestones.construction-started.status",
                "milestones.feasibility-approved.status",
                "risk",
                "status",
            ],
            changes.Keys.Order(StringComparer.Ordinal));

        var figure = changes["indicators.preparatory-work.actual.2023"];
        Assert.Equal(35m, Number(figure["from"]));
        Assert.Equal(55m, Number(figure["to"]));
        var report = Assert.Single(figure["events"]!.AsArray())!;
        Assert.Equal("progress_reported.v1", (string?)report["type"]);
        Assert.Equal(new DateTimeOffset(2024, 1, 12, 6, 0, 0, TimeSpan.Zero), Time(report["timestamp"]));
        Assert.Equal("government", (string?)report["actor"]!["role"]);
        Assert.Equal("431027", (string?)report["actor"]!["government"]);
        Assert.True((long)report["sequence"]! > 0);

        var milestone = changes["milestones.feasibility-approved.status"];
        Assert.Equal(JsonValueKind.String, milestone["from"]!.GetValueKind());
        Assert.Equal("Scheduled", (string?)milestone["from"]);
        Assert.Equal("Met", (string?)milestone["to"]);
        var met = milestone["events"]!.AsArray().Last()!;
        Assert.Equal(new DateTimeOffset(2024, 6, 28, 6, 0, 0, TimeSpan.Zero), Time(met["timestamp"]));
        Assert.Equal("supervisor", (string?)met["actor"]!["role"]);

        Assert.Null((string?)changes["indicators.preparatory-work.actual.2024"]["from"]);
        Assert.Equal(82m, Number(changes["indicators.preparatory-work.actual.2024"]["to"]));
        Assert.Equal(100m, Number(changes["indicators.preparatory-work.actual.2025"]["to"]));
        Assert.Equal([93m, 100m], changes["indicators.preparatory-work.actual.2025"]["events"]!.AsArray().Select(e => Number(e!["value"])));
        Assert.Equal("Active", (string?)changes["status"]["from"]);
        Assert.Equal("Fulfilled", (string?)changes["status"]["to"]);
        Assert.Equal("Met", (string?)changes["milestones.construction-started.status"]["to"]);
        Assert.Equal("verified", (string?)changes["claims.claim-feasibility.state"]["to"]);
        Assert.Equal(["open", "verified"], changes["claims.claim-feasibility.state"]["events"]!.AsArray().Select(e => (string?)e!["value"]));
    }

    [Fact]
    public async Task A_diff_within_one_quiet_stretch_lists_no_changes()
    {
        var diff = await GetAsync($"/api/audit/commitments/{Corridor}/diff?from=2023-07-01T00:00:00Z&to=2023-12-31T00:00:00Z");

        Assert.Empty(diff["changes"]!.AsArray());
        Assert.Equal((long?)diff["versionAtFrom"], (long?)diff["versionAtTo"]);
    }

    [Fact]
    public async Task Histories_filter_by_type_and_by_time()
    {
        var whole = (await GetAsync($"/api/audit/commitments/{Corridor}/events"))["events"]!.AsArray();
        var plain = (await GetAsync($"/api/commitments/{Corridor}/events")).AsArray();
        Assert.Equal(plain.Select(e => (long)e!["sequence"]!), whole.Select(e => (long)e!["event"]!["sequence"]!));
        Assert.All(whole, e => Assert.Equal("not_requested", (string?)e!["proofStatus"]));

        var reports = (await GetAsync($"/api/audit/commitments/{Corridor}/events?type=progress_reported.v1"))["events"]!.AsArray();
        Assert.Equal(["r-2023-06", "r-2023-12", "r-2024-12", "r-2025-09", "r-2025-12"], reports.Select(e => (string?)e!["event"]!["data"]!["reportId"]));

        var two = (await GetAsync($"/api/audit/commitments/{Corridor}/events?type=progress_reported.v1&type=evidence_attached.v2"))["events"]!.AsArray();
        Assert.Equal(7, two.Count);
        Assert.Equal(5, two.Count(e => (string?)e!["event"]!["type"] == "progress_reported.v1"));

        var from = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));
        var to = new DateTimeOffset(2024, 12, 31, 23, 59, 59, TimeSpan.FromHours(8));
        var year = (await GetAsync($"/api/audit/commitments/{Corridor}/events?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}"))["events"]!.AsArray();
        var expected = whole.Where(e => Time(e!["event"]!["timestamp"]) >= from && Time(e!["event"]!["timestamp"]) <= to).Select(e => (long)e!["event"]!["sequence"]!).ToList();
        Assert.True(expected.Count >= 4, $"only {expected.Count} corridor events in 2024");
        Assert.True(expected.Count < whole.Count);
        Assert.Equal(expected, year.Select(e => (long)e!["event"]!["sequence"]!));

        var agreement = await GetAsync("/api/audit/agreements/xgb-2021-a03/events?type=party_signed.v1");
        Assert.Equal(8, (int)agreement["count"]!);
        var government = await GetAsync("/api/audit/governments/360827/events");
        Assert.Equal("government_registered.v1", (string?)Assert.Single(government["events"]!.AsArray())!["event"]!["type"]);
        Assert.Equal("government/360827", (string?)government["stream"]);
    }

    [Fact]
    public async Task A_provable_replay_carries_proofs_that_verify_against_the_signed_checkpoint()
    {
        await Host.Client("auditor").PostAsync("/api/integrity/checkpoints", null).Ok();

        var history = await GetAsync($"/api/audit/commitments/{Corridor}/events?proofs=true");

        var checkpoint = history["checkpoint"]!;
        var (signed, reason, parsed) = CheckpointVerifier.Verify((string)checkpoint["signedNote"]!, Host.Services.GetRequiredService<LedgerIntegrity>().VerifierKey);
        Assert.True(signed, reason);
        Assert.Equal(Convert.ToBase64String(parsed!.RootHash), (string?)checkpoint["root"]);
        Assert.Equal(parsed.TreeSize, (long)checkpoint["treeSize"]!);
        var events = history["events"]!.AsArray();
        Assert.True(events.Count >= 10);
        Assert.All(events, e =>
        {
            Assert.Equal("included", (string?)e!["proofStatus"]);
            var proof = e["proof"]!;
            Assert.Equal((long)e["event"]!["sequence"]!, (long)proof["sequence"]!);
            Assert.Equal($"commitment/{Corridor}", (string?)proof["stream"]);
            Assert.Equal(parsed.TreeSize, (long)proof["treeSize"]!);
            var verdict = MerkleVerify.Inclusion((long)proof["leafIdx"]!, parsed.TreeSize, Convert.FromBase64String((string)proof["leafHash"]!),
                [.. proof["proof"]!.AsArray().Select(h => Convert.FromBase64String((string)h!))], parsed.RootHash);
            Assert.True(verdict.Valid, verdict.Reason);
        });
        // A forged leaf hash does not verify: the check above can fail.
        var first = events[0]!["proof"]!;
        var forged = Convert.FromBase64String((string)first["leafHash"]!);
        forged[0] ^= 1;
        Assert.False(MerkleVerify.Inclusion((long)first["leafIdx"]!, parsed.TreeSize, forged,
            [.. first["proof"]!.AsArray().Select(h => Convert.FromBase64String((string)h!))], parsed.RootHash).Valid);
    }

    [Fact]
    public async Task An_event_recorded_after_the_latest_checkpoint_has_no_proof_yet_and_says_so()
    {
        await Host.Client("auditor").PostAsync("/api/integrity/checkpoints", null).Ok();
        await Host.Client("admin").PostJsonAsync("/api/governments", new
        {
            governmentId = "360824", nameZh = "新干县", nameEn = "Xingan", province = "Jiangxi", prefecture = "Ji'an", level = "County",
        }).Ok();

        var history = await GetAsync("/api/audit/governments/360824/events?proofs=true");

        var only = Assert.Single(history["events"]!.AsArray())!;
        Assert.Equal("not_yet_checkpointed", (string?)only["proofStatus"]);
        Assert.Null(only["proof"]);
        Assert.NotNull(history["checkpoint"]);
    }

    [Theory]
    [InlineData("/api/audit/commitments/no-such-commitment/events", 404, "commitment_not_found", null)]
    [InlineData("/api/audit/agreements/no-such-agreement/events", 404, "agreement_not_found", null)]
    [InlineData("/api/audit/governments/999999/events", 404, "government_not_found", null)]
    [InlineData("/api/audit/commitments/no-such-commitment/as-of?version=1", 404, "commitment_not_found", null)]
    [InlineData("/api/audit/commitments/no-such-commitment/diff?from=2023-01-01T00:00:00Z", 404, "commitment_not_found", null)]
    [InlineData("/api/audit/commitments/" + Corridor + "/events?from=2024-01-01T00:00:00Z&to=2023-01-01T00:00:00Z", 422, "range_inverted", "to")]
    [InlineData("/api/audit/commitments/" + Corridor + "/diff?from=2024-01-01T00:00:00Z&to=2023-01-01T00:00:00Z", 422, "range_inverted", "to")]
    [InlineData("/api/audit/commitments/" + Corridor + "/events?from=2030-01-01T00:00:00Z", 422, "time_in_future", "from")]
    [InlineData("/api/audit/commitments/" + Corridor + "/as-of?at=2030-01-01T00:00:00Z", 422, "time_in_future", "at")]
    [InlineData("/api/audit/commitments/" + Corridor + "/diff?from=2023-01-01T00:00:00Z&to=2030-01-01T00:00:00Z", 422, "time_in_future", "to")]
    [InlineData("/api/audit/commitments/" + Corridor + "/as-of?at=2023-06-30T00:00:00Z&version=3", 400, "at_or_version", "at")]
    [InlineData("/api/audit/commitments/" + Corridor + "/as-of", 400, "at_or_version", "at")]
    [InlineData("/api/audit/commitments/" + Corridor + "/as-of?at=last-june", 400, "invalid_time", "at")]
    [InlineData("/api/audit/commitments/" + Corridor + "/as-of?version=0", 400, "invalid_version", "version")]
    [InlineData("/api/audit/commitments/" + Corridor + "/as-of?version=9999", 422, "version_out_of_range", "version")]
    [InlineData("/api/audit/commitments/" + Corridor + "/as-of?at=2020-01-01T00:00:00Z", 404, "not_yet_recorded", "at")]
    [InlineData("/api/audit/commitments/" + Corridor + "/diff", 400, "field_required", "from")]
    [InlineData("/api/audit/commitments/" + Corridor + "/events?type=progress_reported", 400, "unknown_event_type", "type")]
    [InlineData("/api/audit/commitments/" + Corridor + "/events?proofs=maybe", 400, "invalid_flag", "proofs")]
    public async Task Bad_input_is_answered_with_a_problem_naming_the_field_and_code(string path, int status, string code, string? field)
    {
        using var response = await Host.Client("auditor").GetAsync(path);

        await response.AssertProblemAsync((System.Net.HttpStatusCode)status, code, field);
    }

    [Fact]
    public async Task Every_role_may_replay_and_nobody_without_a_token()
    {
        foreach (var (role, government) in new[] { ("auditor", (string?)null), ("supervisor", null), ("decision", null), ("government", "430181") })
            await Host.Client(role, government).GetAsync($"/api/audit/commitments/{Corridor}/as-of?version=1").Ok();

        using var anonymous = await Host.Anonymous().GetAsync($"/api/audit/commitments/{Corridor}/events");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private static JsonArray Actuals(JsonNode record, string indicatorId) =>
        record["indicators"]!.AsArray().Single(i => (string?)i!["definition"]!["indicatorId"] == indicatorId)!["actuals"]!.AsArray();

    private static JsonNode Milestone(JsonNode record, string milestoneId) =>
        record["milestones"]!.AsArray().Single(m => (string?)m!["definition"]!["milestoneId"] == milestoneId)!;

    private static DateTimeOffset Time(JsonNode? node) => DateTimeOffset.Parse((string)node!, CultureInfo.InvariantCulture);

    private Task<JsonNode> GetAsync(string path) => Host.GetJsonAsync(path);

    /// <summary>A value that must be a JSON number (a diff keeps each value's type), as a decimal.</summary>
    private static decimal Number(JsonNode? value)
    {
        Assert.NotNull(value);
        Assert.Equal(JsonValueKind.Number, value.GetValueKind());
        return value.GetValue<decimal>();
    }
}
