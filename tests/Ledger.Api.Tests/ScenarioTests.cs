using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;
using Ledger.Cli.Scenario;
using Ledger.Domain.Clock;
using Ledger.Domain.Commitments;
using Ledger.Infrastructure.Writing;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests;

/// <summary>
/// The pilot-zone scenario (ops/scenario/pilot-zone.json) loads through the real API into the
/// fixture's database and schema, and the ledger then tells its storylines: the Class IV month on
/// the Lu/Ping river, the Suichuan–Guidong corridor's milestone and its changed 2023 figure, the
/// hospitals claim rejected and then verified, and a corrected report. It is laid out for the day the
/// host's clock shows, as `up` lays it out for today; loading it again on a later day appends nothing.
/// </summary>
public sealed class ScenarioTests(ScenarioTests.LoadedScenario scenario) : IClassFixture<ScenarioTests.LoadedScenario>
{
    private const int Governments = 12;
    private const int Agreements = 5;
    private const int Commitments = 20;
    // The notices the loader's clock passes append (see ScenarioLoader) for the fixture's load day,
    // 2026-06-01: deadlines and milestones within 30 days at a step on a new day, dates passed unmet,
    // and periods unreported 30 days after they closed. The last approaching notice is the co-built
    // park's deadline of 2026-06-30, noticed at the river's May report (30 days left). Overdue: the
    // deadlines of the three commitments claimed after them (the routes, the hospitals, the border
    // road), the bus lines', and the Chaling section's first due date. Missing: the eco-compensation
    // settlement's and the emergency drills' 2023 and 2024 reports.
    private const int Approaching = 18;
    private const int Overdue = 5;
    private const int Missing = 4;

    private static readonly string[] DeadlinesPassedUnclaimed =
        ["a02-red-tourism-routes", "a03-border-road-upgrade", "a03-cross-province-bus-lines", "a05-hospital-direct-settlement"];

    private LedgerHost Host => scenario.Host;

    [Fact]
    public void Every_step_is_appended_on_the_first_load()
    {
        Assert.Equal(scenario.Layout.Steps.Count, scenario.FirstLoad.Appended);
        Assert.Equal(0, scenario.FirstLoad.AlreadyLoaded);
        Assert.Equal(scenario.LoadDay, scenario.FirstLoad.LoadDay);
        Assert.Equal(0, scenario.FirstLoad.Years);
        Assert.Equal(Approaching + Overdue + Missing, scenario.FirstLoad.Notices);
    }

    [Fact]
    public async Task Loading_the_scenario_again_on_a_later_day_appends_nothing_and_keeps_the_first_load_day()
    {
        var before = await CountsAsync();
        var events = await PilotZone.StreamLengthAsync(Host, "commitment/a05-hospital-direct-settlement");

        // As `up` does on a later day: the later day is asked for, the ledger's own is kept.
        var outcome = await scenario.LoadAsync(scenario.LoadDay.AddMonths(4));

        Assert.Equal(0, outcome.Appended);
        Assert.Equal(scenario.Layout.Steps.Count, outcome.AlreadyLoaded);
        Assert.Equal(0, outcome.Notices);
        Assert.Equal(scenario.LoadDay, outcome.LoadDay);
        Assert.Equal(before, await CountsAsync());
        Assert.Equal(events, await PilotZone.StreamLengthAsync(Host, "commitment/a05-hospital-direct-settlement"));
    }

    [Fact]
    public async Task The_twelve_pilot_zone_governments_are_registered()
    {
        var governments = await Host.ListAllAsync("/api/governments");

        Assert.Equal(Governments, governments.Count);
        Assert.Equal(6, governments.Count(g => (string?)g!["province"] == "Hunan"));
        Assert.Equal(6, governments.Count(g => (string?)g!["province"] == "Jiangxi"));
        var liuyang = governments.Single(g => (string?)g!["governmentId"] == "430181")!;
        Assert.Equal("Liuyang", (string?)liuyang["nameEn"]);
        Assert.Equal("Changsha", (string?)liuyang["prefecture"]);
        var suichuan = governments.Single(g => (string?)g!["governmentId"] == "360827")!;
        Assert.Equal("Suichuan", (string?)suichuan["nameEn"]);
        Assert.Equal("Ji'an", (string?)suichuan["prefecture"]);
    }

    [Fact]
    public async Task The_five_agreements_are_signed_by_every_party_and_active()
    {
        var agreements = await Host.ListAllAsync("/api/agreements");

        Assert.Equal(Agreements, agreements.Count);
        Assert.Equal(["xgb-2021-a01", "xgb-2021-a02", "xgb-2021-a03", "xgb-2021-a04", "xgb-2021-a05"],
            agreements.Select(a => (string?)a!["agreementId"]));
        Assert.All(agreements, a =>
        {
            Assert.Equal("Active", (string?)a!["status"]);
            var parties = a["parties"]!.AsArray();
            Assert.True(parties.Count >= 4, $"{a["agreementId"]} has {parties.Count} parties");
            Assert.All(parties, p => Assert.StartsWith("2021-", (string?)p!["signedOn"]));
        });
    }

    [Fact]
    public async Task Twenty_commitments_are_registered_and_taken_into_supervision()
    {
        var commitments = await Host.ListAllAsync("/api/commitments");

        Assert.Equal(Commitments, commitments.Count);
        Assert.DoesNotContain(commitments, c => (string?)c!["status"] == "Draft");
        Assert.Equal(Agreements, commitments.Select(c => (string?)c!["agreementId"]).Distinct().Count());
        Assert.Equal(Governments, commitments.Select(c => (string?)c!["leadGovernmentId"]).Distinct().Count());
        Assert.Contains(commitments, c => (string?)c!["commitmentId"] == "a03-suichuan-guidong-corridor" && (string?)c["leadGovernmentId"] == "360827");
    }

    [Fact]
    public async Task The_hospitals_claim_is_rejected_for_thin_evidence_then_verified_after_a_site_inspection()
    {
        var record = await GetAsync("/api/commitments/a05-hospital-direct-settlement");

        Assert.Equal("Fulfilled", (string?)record["status"]);
        Assert.Equal(2, (int)record["claimCount"]!);
        var claims = (await GetAsync("/api/commitments/a05-hospital-direct-settlement/claims"))["items"]!.AsArray();
        Assert.Equal(2, claims.Count);
        Assert.Equal("Commitment", (string?)claims[0]!["scope"]);
        Assert.Contains((string?)claims[0]!["state"], new[] { "rejected", "needsMoreEvidence" });
        Assert.Equal("DocumentReview", (string?)claims[0]!["method"]);
        Assert.Equal("verified", (string?)claims[1]!["state"]);
        Assert.Equal("SiteInspection", (string?)claims[1]!["method"]);
        var evidence = await Host.ListAllAsync("/api/commitments/a05-hospital-direct-settlement/evidence");
        var cited = claims[1]!["evidenceIds"]!.AsArray().Select(x => (string?)x).ToList();
        Assert.Contains(evidence, e => (string?)e!["documentType"] == "InspectionReport" && cited.Contains((string?)e["evidenceId"]));

        var history = (await GetArrayAsync("/api/commitments/a05-hospital-direct-settlement/events")).Select(e => (string?)e!["type"]).ToList();
        Assert.Equal(2, history.Count(t => t == "fulfilment_claimed.v1"));
        Assert.Equal(2, history.Count(t => t == "verification_completed.v1"));
        Assert.Equal("verification_completed.v1", history[^1]);
        var statuses = (await Host.FieldHistoryAsync("a05-hospital-direct-settlement"))["status"]!.AsArray().Select(v => (string?)v!["value"]).ToList();
        Assert.Equal(["Draft", "Active", "FulfilmentClaimed", "Active", "FulfilmentClaimed", "Fulfilled"], statuses);
    }

    [Fact]
    public async Task A_corrected_report_carries_its_correction_and_the_corrected_value_is_shown()
    {
        var record = await GetAsync("/api/commitments/a05-government-service-items");

        var reports = await Host.ListAllAsync("/api/commitments/a05-government-service-items/reports");
        var corrected = reports.Single(r => r!["corrections"]!.AsArray().Count > 0)!;
        Assert.Equal("y-2022", (string?)corrected["reportId"]);
        Assert.Equal(86m, (decimal?)corrected["values"]![0]!["value"]);
        var correction = corrected["corrections"]![0]!;
        Assert.Equal("c-y-2022", (string?)correction["correctionId"]);
        Assert.Equal(68m, (decimal?)correction["values"]![0]!["value"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)correction["reason"]));

        var actual = Actuals(record, "service-items").Single(a => (string?)a!["period"] == "2022")!;
        Assert.Equal(68m, (decimal?)actual["value"]);
        Assert.Equal("c-y-2022", (string?)actual["correctionId"]);

        var events = await GetArrayAsync("/api/commitments/a05-government-service-items/events");
        var compensating = events.Single(e => (string?)e!["type"] == "progress_corrected.v1")!;
        Assert.Equal("y-2022", (string?)compensating["data"]!["correctsReportId"]);
        Assert.Contains(events, e => (string?)e!["type"] == "progress_reported.v1" && (string?)e["data"]!["reportId"] == "y-2022");
    }

    [Fact]
    public async Task The_water_commitment_records_the_class_iv_month()
    {
        var record = await GetAsync("/api/commitments/a01-water-class-iii");

        Assert.Equal("430181", (string?)record["leadGovernmentId"]);
        Assert.Contains(record["contributors"]!.AsArray(), c => (string?)c!["governmentId"] == "360322");
        var monthly = record["indicators"]!.AsArray().Single(i => (string?)i!["definition"]!["indicatorId"] == "monthly-class")!;
        Assert.Equal("WaterQualityClass", (string?)monthly["definition"]!["measure"]);
        var july = monthly["actuals"]!.AsArray().Single(a => (string?)a!["period"] == "2022-07")!;
        Assert.Equal(4m, (decimal?)july["value"]);
        Assert.Equal(11m, (decimal?)Actuals(record, "months-class-iii").Single(a => (string?)a!["period"] == "2022")!["value"]);

        var events = await GetArrayAsync("/api/commitments/a01-water-class-iii/events");
        Assert.Contains(events, e => (string?)e!["type"] == "progress_reported.v1" && (string?)e["data"]!["period"] == "2022-07"
            && (decimal?)e["data"]!["values"]![0]!["value"] == 4m);
    }

    [Fact]
    public async Task The_corridor_meets_its_feasibility_milestone_and_its_2023_figure_changed_after_mid_2023()
    {
        var record = await GetAsync("/api/commitments/a03-suichuan-guidong-corridor");

        Assert.Equal("360827", (string?)record["leadGovernmentId"]);
        Assert.Contains(record["contributors"]!.AsArray(), c => (string?)c!["governmentId"] == "431027");
        var milestones = record["milestones"]!.AsArray();
        var feasibility = milestones.Single(m => (string?)m!["definition"]!["milestoneId"] == "feasibility-approved")!;
        Assert.Equal("Met", (string?)feasibility["status"]);
        Assert.StartsWith("2024-", (string?)feasibility["metOn"]);
        var construction = milestones.Single(m => (string?)m!["definition"]!["milestoneId"] == "construction-started")!;
        Assert.Equal("2025-12-31", (string?)construction["definition"]!["due"]);

        // On 2023-06-30 the ledger held the June report; a report made later changed the 2023 figure.
        var midYear = new DateTimeOffset(2023, 6, 30, 23, 59, 59, TimeSpan.FromHours(8));
        var versions = (await Host.FieldHistoryAsync("a03-suichuan-guidong-corridor"))["indicators.preparatory-work.actual.2023"]!.AsArray();
        var then = versions.Last(v => DateTimeOffset.Parse((string)v!["at"]!, System.Globalization.CultureInfo.InvariantCulture) <= midYear)!;
        var now = versions[^1]!;
        Assert.NotEqual((decimal?)then["value"], (decimal?)now["value"]);
        Assert.True(DateTimeOffset.Parse((string)now["at"]!, System.Globalization.CultureInfo.InvariantCulture) > midYear);
        Assert.Contains(await Host.ListAllAsync("/api/commitments/a03-suichuan-guidong-corridor/reports"), r => (string?)r!["asOf"] == "2023-06-15" && ((string?)r["reportedAt"])!.StartsWith("2023-06-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_clock_notices_are_in_the_ledger_as_the_system_actor_stamped_when_the_scenario_reached_them()
    {
        var byType = new Dictionary<string, long>();
        foreach (var type in new[] { "deadline_approaching.v1", "commitment_overdue.v1", "report_missing.v1" })
            byType[type] = await TestDatabase.ScalarAsync<long>($"select count(*) from \"{Host.Schema}\".mt_events where type = '{type}' and user_name = 'system'");
        Assert.Equal(Approaching, byType["deadline_approaching.v1"]);
        Assert.Equal(Overdue, byType["commitment_overdue.v1"]);
        Assert.Equal(Missing, byType["report_missing.v1"]);
        var deadlines = await TestDatabase.ScalarAsync<string>(
            $"select string_agg(substr(stream_id, 12), ',' order by stream_id) from \"{Host.Schema}\".mt_events " +
            "where type = 'commitment_overdue.v1' and data ->> 'kind' = 'Deadline'");
        Assert.Equal(DeadlinesPassedUnclaimed, deadlines.Split(','));

        // The Chaling section: noticed approaching, then overdue on the morning the rectification was
        // ordered (just before it), then approaching again under the date the revision gave it, and met in time.
        var events = await GetArrayAsync("/api/commitments/a03-border-road-upgrade/events");
        var section = events.Where(e => (string?)e!["data"]!["milestoneId"] == "chaling-section-complete" && (string?)e["actor"]!["id"] == "system")
            .Select(e => $"{e!["type"]} {e["data"]!["dueOn"]} {e["correlationId"]}").ToList();
        Assert.Equal(
            ["deadline_approaching.v1 2023-06-30 clock:2023-06-20", "commitment_overdue.v1 2023-06-30 clock:2023-07-10",
             "deadline_approaching.v1 2024-06-30 clock:2024-06-20"],
            section);
        var types = events.Select(e => (string?)e!["type"]).ToList();
        Assert.Equal(types.IndexOf("rectification_ordered.v1") - 1, types.IndexOf("commitment_overdue.v1"));
        var overdue = events.First(e => (string?)e!["type"] == "commitment_overdue.v1")!;
        Assert.Equal("system", (string?)overdue["actor"]!["role"]);
        Assert.Equal(new DateTimeOffset(2023, 7, 10, 2, 0, 0, TimeSpan.Zero), (DateTimeOffset)overdue["timestamp"]!);
    }

    [Fact]
    public async Task On_its_load_day_the_clock_has_nothing_left_to_say_and_the_river_was_last_reported_for_last_month()
    {
        // The fixture loads the scenario for the day its host's clock shows, as `up` does for today.
        var now = Host.Clock.GetUtcNow();
        var loadDay = ClockTick.At(now).Today;

        // What a live clock would append on the load day: nothing, the loader's passes said it all.
        var writer = Host.Services.GetRequiredService<LedgerWriter>();
        var unsaid = new List<string>();
        foreach (var id in (await Host.ListAllAsync("/api/commitments")).Select(c => (string)c!["commitmentId"]!))
        {
            var state = await writer.LoadAsync<CommitmentState>("commitment/" + id, CommitmentState.Evolve, CancellationToken.None);
            unsaid.AddRange(ClockDecider.Decide(state, ClockTick.At(now)).Select(e => $"{id}: {e}"));
        }
        Assert.Empty(unsaid);

        // No report is missing for a period that closed in the year before the load day.
        var recent = await TestDatabase.ScalarAsync<string>(
            $"select coalesce(string_agg(stream_id || ' ' || (data ->> 'period'), ', '), '') from \"{Host.Schema}\".mt_events " +
            $"where type = 'report_missing.v1' and (data ->> 'periodEnd')::date >= '{loadDay.AddYears(-1):yyyy-MM-dd}'");
        Assert.Equal("", recent);

        // The monitoring section is reported every month: the latest month reported is last month.
        var record = await GetAsync("/api/commitments/a01-water-class-iii");
        var monthly = record["indicators"]!.AsArray().Single(i => (string?)i!["definition"]!["indicatorId"] == "monthly-class")!;
        Assert.Equal(loadDay.AddMonths(-1).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
            monthly["actuals"]!.AsArray().Select(a => (string)a!["period"]!).Max(StringComparer.Ordinal));
    }

    private static JsonArray Actuals(JsonNode record, string indicatorId) =>
        record["indicators"]!.AsArray().Single(i => (string?)i!["definition"]!["indicatorId"] == indicatorId)!["actuals"]!.AsArray();

    private async Task<(int Governments, int Agreements, int Commitments, long Events)> CountsAsync() =>
        ((await Host.ListAllAsync("/api/governments")).Count,
         (await Host.ListAllAsync("/api/agreements")).Count,
         (await Host.ListAllAsync("/api/commitments")).Count,
         await TestDatabase.ScalarAsync<long>($"select count(*) from \"{Host.Schema}\".mt_events"));

    private Task<JsonNode> GetAsync(string path) => Host.GetJsonAsync(path);

    private async Task<JsonArray> GetArrayAsync(string path) => (await GetAsync(path)).AsArray();

    /// <summary>The fixture's host with the scenario loaded once into its database and schema.</summary>
    public class LoadedScenario : IAsyncLifetime
    {
        public LoadedScenario() : this(new LedgerHost())
        {
        }

        /// <summary>For a fixture whose host is configured otherwise (xunit takes one public constructor).</summary>
        protected LoadedScenario(LedgerHost host) => Host = host;

        public LedgerHost Host { get; }

        public ScenarioFile File { get; } = ScenarioFile.Load(Repository.ScenarioPath);

        public ScenarioLoader.Outcome FirstLoad { get; private set; } = null!;

        /// <summary>The day the host's clock shows, as `up` lays the scenario out for today: fixed, so the tests are too.</summary>
        public virtual DateOnly LoadDay => ScenarioLayout.ZoneDate(Host.Clock.GetUtcNow());

        public ScenarioLayout Layout => File.LayOut(LoadDay);

        public virtual async Task InitializeAsync()
        {
            await Host.InitializeAsync();
            FirstLoad = await LoadAsync();
        }

        public virtual async Task DisposeAsync() => await ((IAsyncLifetime)Host).DisposeAsync();

        /// <summary>Loads through the loader's own in-process API on the fixture's database and schema, for
        /// <paramref name="loadDay"/> (default the fixture's); the loader mints its tokens with a key of its own.</summary>
        public async Task<ScenarioLoader.Outcome> LoadAsync(DateOnly? loadDay = null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var loader = new ScenarioLoader(
            [
                $"--ConnectionStrings:Ledger={TestDatabase.ConnectionString}",
                $"--Ledger:Schema={Host.Schema}",
                $"--Auth:SigningKey={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
            ]);
            return await loader.LoadAsync(File, loadDay ?? LoadDay, null, timeout.Token);
        }
    }
}
