using System.Globalization;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;
using Ledger.Cli.Scenario;
using Ledger.Domain.Clock;
using Ledger.Domain.Commitments;
using Ledger.Infrastructure.Writing;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests;

/// <summary>
/// The scenario laid out for a load day other than the twelve months its file is written for: every
/// year moves by the same whole number, the steps dated on or after the load day are left out, and
/// the storylines are all there, as many years earlier or later. The fixture loads it for 2024-09-15,
/// two years before the file's twelve months (2026-02-01 to 2027-01-31).
/// </summary>
public sealed class ScenarioLayoutTests(ScenarioLayoutTests.LoadedEarlier scenario) : IClassFixture<ScenarioLayoutTests.LoadedEarlier>
{
    private static readonly DateOnly LoadDay = new(2024, 9, 15);

    private LedgerHost Host => scenario.Host;

    [Theory]
    [InlineData("2026-02-01", 0)]
    [InlineData("2027-01-31", 0)]
    [InlineData("2027-02-01", 1)]
    [InlineData("2026-01-31", -1)]
    [InlineData("2024-09-15", -2)]
    [InlineData("2031-12-02", 5)]
    public void Dates_move_by_the_whole_years_that_bring_the_load_day_into_the_files_twelve_months(string loadDay, int years)
    {
        var day = DateOnly.Parse(loadDay, CultureInfo.InvariantCulture);

        var layout = scenario.File.LayOut(day);

        Assert.Equal(years, layout.Years);
        Assert.Equal(day, layout.LoadDay);
        Assert.Equal(scenario.File.Steps[0].At.AddYears(years), layout.Steps[0].Step.At);
    }

    [Fact]
    public void A_load_takes_the_steps_dated_before_its_load_day_and_none_after()
    {
        var day = new DateOnly(2026, 12, 2);

        var layout = scenario.File.LayOut(day);

        Assert.All(layout.Steps, s => Assert.True(ScenarioLayout.ZoneDate(s.Step.At) < day, $"step {s.Index + 1} is dated {s.Step.At:O}"));
        Assert.Equal(Enumerable.Range(0, layout.Steps.Count), layout.Steps.Select(s => s.Index));
        Assert.True(ScenarioLayout.ZoneDate(scenario.File.Steps[layout.Steps.Count].At) >= day);
        // On the twelve months' last day a load takes every step but that day's; the next day starts
        // the next twelve months, a year later, with the steps of their first day.
        var from = scenario.File.LoadYearFrom;
        Assert.Equal(scenario.File.Steps.Count - 1, scenario.File.LayOut(from.AddYears(1).AddDays(-1)).Steps.Count);
        Assert.Equal(scenario.File.LayOut(from).Steps.Count, scenario.File.LayOut(from.AddYears(1)).Steps.Count);
        Assert.True(scenario.File.LayOut(from).Steps.Count < scenario.File.LayOut(from.AddMonths(1)).Steps.Count);
    }

    [Theory]
    [InlineData("2024-06-30", 1, "2025-06-30")]
    [InlineData("2024-02-29", 1, "2025-02-28")]
    [InlineData("2024-Q2", -2, "2022-Q2")]
    [InlineData("2024-06", 3, "2027-06")]
    [InlineData("2025-12-31T07:00:00Z", 1, "2026-12-31T07:00:00Z")]
    [InlineData("xgb-2021-a03", 2, "xgb-2023-a03")]
    [InlineData("/api/evaluations/2024/appeals/appeal-liling-2024/decision", 1, "/api/evaluations/2025/appeals/appeal-liling-2025/decision")]
    [InlineData("Class III (GB 3838-2002) under the 2019 deal", 1, "Class III (GB 3838-2002) under the 2020 deal")]
    [InlineData("division 362021, digest 2024abcd, a2024, 20245, 12024", 3, "division 362021, digest 2024abcd, a2024, 20245, 12024")]
    public void Years_move_in_dates_periods_ids_and_prose_and_nowhere_else(string text, int years, string moved) =>
        Assert.Equal(moved, ScenarioLayout.MoveText(text, years));

    [Fact]
    public void The_fixture_laid_the_scenario_out_two_years_earlier()
    {
        Assert.Equal(LoadDay, scenario.FirstLoad.LoadDay);
        Assert.Equal(-2, scenario.FirstLoad.Years);
        Assert.Equal(scenario.File.LayOut(LoadDay).Steps.Count, scenario.FirstLoad.Appended);
    }

    [Fact]
    public async Task Two_years_earlier_the_storylines_are_all_there_two_years_earlier()
    {
        // Ids move with their years: the agreements of 2021 are those of 2019.
        Assert.Equal(["xgb-2019-a01", "xgb-2019-a02", "xgb-2019-a03", "xgb-2019-a04", "xgb-2019-a05"],
            (await Host.ListAllAsync("/api/agreements")).Select(a => (string?)a!["agreementId"]));

        // The Chaling section: due, missed, ordered, rejected, escalated, decided, rescheduled and met.
        var road = await GetAsync("/api/commitments/a03-border-road-upgrade");
        var section = road["milestones"]!.AsArray().Single(m => (string?)m!["definition"]!["milestoneId"] == "chaling-section-complete")!;
        Assert.Equal("2022-06-30", (string?)section["definition"]!["due"]);
        Assert.Equal("Met", (string?)section["status"]);
        var types = (await GetArrayAsync("/api/commitments/a03-border-road-upgrade/events")).Select(e => (string?)e!["type"]).ToList();
        Assert.Equal(
            ["commitment_overdue.v1", "rectification_ordered.v1", "rectification_responded.v1", "rectification_rejected.v1", "escalation_raised.v1",
             "escalation_decided.v1", "commitment_revised.v1"],
            types.SkipWhile(t => t != "commitment_overdue.v1").Where(t => t is not ("deadline_approaching.v1" or "progress_reported.v1")).Take(7));

        // The bus lines: past their deadline, never claimed, the order unanswered.
        var bus = await GetAsync("/api/commitments/a03-cross-province-bus-lines");
        Assert.Equal("2021-12-31", (string?)bus["deadline"]);
        Assert.Equal("Active", (string?)bus["status"]);

        // The hospitals: rejected on documents, verified after a site inspection.
        var hospitals = await GetAsync("/api/commitments/a05-hospital-direct-settlement");
        Assert.Equal("Fulfilled", (string?)hospitals["status"]);
        Assert.Equal(["SiteInspection"], (await GetAsync("/api/commitments/a05-hospital-direct-settlement/claims"))["items"]!.AsArray().Where(c => (string?)c!["state"] == "verified").Select(c => (string?)c!["method"]));

        // The scorecards of what the file calls 2024, published for all twelve counties, and Liling's appeal.
        Assert.Equal(12, await CountAsync("scorecard_published.v1", "cycleId", "2022"));
        Assert.Equal(1, await CountAsync("score_appealed.v1", "appealId", "appeal-liling-2022"));

        // The river's Class IV month, and its monthly report for the month before the load day.
        var water = await GetAsync("/api/commitments/a01-water-class-iii");
        var monthly = water["indicators"]!.AsArray().Single(i => (string?)i!["definition"]!["indicatorId"] == "monthly-class")!["actuals"]!.AsArray();
        Assert.Equal(4m, (decimal?)monthly.Single(a => (string?)a!["period"] == "2020-07")!["value"]);
        Assert.Equal("2024-08", monthly.Select(a => (string)a!["period"]!).Max(StringComparer.Ordinal));
    }

    [Fact]
    public async Task On_its_load_day_only_the_bus_lines_are_past_due_and_the_clock_has_nothing_left_to_say()
    {
        var now = ScenarioLayout.ZoneStart(LoadDay).AddHours(10);
        var writer = Host.Services.GetRequiredService<LedgerWriter>();
        var pastDue = new List<string>();
        var unsaid = new List<string>();
        foreach (var id in (await Host.ListAllAsync("/api/commitments")).Select(c => (string)c!["commitmentId"]!))
        {
            var state = await writer.LoadAsync<CommitmentState>("commitment/" + id, CommitmentState.Evolve, CancellationToken.None);
            if (state!.Status == CommitmentStatus.Active && state.Deadline < LoadDay) pastDue.Add(id);
            unsaid.AddRange(ClockDecider.Decide(state, ClockTick.At(now)).Select(e => $"{id}: {e}"));
        }

        Assert.Equal(["a03-cross-province-bus-lines"], pastDue);
        Assert.Empty(unsaid);
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(
            $"select count(*) from \"{Host.Schema}\".mt_events where type = 'report_missing.v1' " +
            $"and (data ->> 'periodEnd')::date >= '{LoadDay.AddYears(-1):yyyy-MM-dd}'"));
    }

    private async Task<long> CountAsync(string type, string field, string value) =>
        await TestDatabase.ScalarAsync<long>(
            $"select count(*) from \"{Host.Schema}\".mt_events where type = '{type}' and data ->> '{field}' = '{value}'");

    private Task<JsonNode> GetAsync(string path) => Host.GetJsonAsync(path);

    private async Task<JsonArray> GetArrayAsync(string path) => (await GetAsync(path)).AsArray();

    /// <summary>A host whose schema holds the scenario laid out for <see cref="LoadDay"/>, two years before the host's day.</summary>
    public sealed class LoadedEarlier : ScenarioTests.LoadedScenario
    {
        public override DateOnly LoadDay => ScenarioLayoutTests.LoadDay;
    }
}

/// <summary>A load day the tool cannot use is refused in one line, before anything is read or written.</summary>
[Collection(AuditCliCollection.Name)]
public sealed class ScenarioLoadDayOptionTests
{
    [Theory]
    [InlineData("setup", "2026-13-01", "--load-day must be a date as yyyy-MM-dd, not '2026-13-01'")]
    [InlineData("seed", "last-june", "--load-day must be a date as yyyy-MM-dd, not 'last-june'")]
    [InlineData("seed", "2999-01-01", "--load-day 2999-01-01 is after today")]
    public async Task A_bad_load_day_is_refused_in_one_line(string verb, string loadDay, string message)
    {
        var (exit, output, error) = await LedgerTool.RunAsync(null, verb, "--load-day", loadDay);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.StartsWith("ledger: " + message, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }
}
