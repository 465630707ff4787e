using System.Globalization;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;

namespace Ledger.Api.Tests;

/// <summary>
/// The corridor commitment of the pilot-zone scenario as an OCDS record package: one release per event,
/// a compiled release equal to the commitment record's compiled view, and a versioned release carrying
/// each field's history (the 2023 figure: 35, then 55). Every commitment of the scenario answers a
/// record package that validates against the official OCDS 1.1.5 schemas.
/// </summary>
public sealed class OcdsTests(ScenarioTests.LoadedScenario scenario) : IClassFixture<ScenarioTests.LoadedScenario>
{
    private const string Corridor = "a03-suichuan-guidong-corridor";

    [Fact]
    public async Task The_compiled_release_equals_the_records_compiled_view()
    {
        var reader = scenario.Host.Client("auditor");
        var record = await reader.GetAsync($"/api/commitments/{Corridor}").ReadOkAsync();
        var package = await reader.GetAsync($"/api/commitments/{Corridor}/ocds").ReadOkAsync();

        var ocds = Assert.Single(package["records"]!.AsArray())!;
        Assert.Equal("ocds-xgb-" + Corridor, (string?)ocds["ocid"]);
        var compiled = ocds["compiledRelease"]!;
        Assert.Equal(["compiled"], compiled["tag"]!.AsArray().Select(t => (string?)t));
        var contract = Assert.Single(compiled["contracts"]!.AsArray())!;
        Assert.Equal(Corridor, (string?)contract["id"]);
        Assert.Equal((string?)record["title"], (string?)contract["title"]);
        Assert.Equal((string?)record["description"], (string?)contract["description"]);
        Assert.Equal((string?)record["deadline"], (string?)contract["period"]!["endDate"]);
        Assert.Equal(Ledger.Api.Commitments.OcdsEndpoints.ContractStatus((string?)record["status"]), (string?)contract["status"]);
        Assert.Equal((string?)record["leadGovernmentId"], (string?)compiled["ledger"]!["leadGovernmentId"]);
        Assert.Equal((string?)record["agreementId"], (string?)compiled["ledger"]!["agreementId"]);
        Assert.Equal(Camel((string?)record["confidence"]), (string?)compiled["ledger"]!["assessment"]!["confidence"]);

        var milestones = contract["milestones"]!.AsArray().ToDictionary(m => (string)m!["id"]!);
        Assert.Equal(record["milestones"]!.AsArray().Count, milestones.Count);
        foreach (var m in record["milestones"]!.AsArray())
        {
            var ocdsMilestone = milestones[(string)m!["definition"]!["milestoneId"]!]!;
            Assert.Equal(Camel((string?)m["status"]), (string?)ocdsMilestone["status"]);
            Assert.Equal((string?)m["definition"]!["due"], (string?)ocdsMilestone["dueDate"]);
            Assert.Equal((string?)m["definition"]!["title"], (string?)ocdsMilestone["title"]);
        }
        Assert.Equal("met", (string?)milestones["feasibility-approved"]!["status"]);

        var metrics = contract["implementation"]!["metrics"]!.AsArray().ToDictionary(m => (string)m!["id"]!);
        foreach (var indicator in record["indicators"]!.AsArray())
        {
            var observations = metrics[(string)indicator!["definition"]!["indicatorId"]!]!["observations"]!.AsArray()
                .ToDictionary(o => (string)o!["id"]!, o => (decimal?)o!["measure"]);
            foreach (var actual in indicator["actuals"]!.AsArray())
                Assert.Equal((decimal?)actual!["value"], observations[(string)actual["period"]!]);
        }
        Assert.Equal(55m, (decimal?)metrics["preparatory-work"]!["observations"]!.AsArray().Single(o => (string?)o!["id"] == "2023")!["measure"]);
    }

    [Fact]
    public async Task There_is_one_release_per_event_and_the_versioned_2023_figure_shows_35_then_55()
    {
        var reader = scenario.Host.Client("auditor");
        var events = (await reader.GetAsync($"/api/commitments/{Corridor}/events").ReadOkAsync()).AsArray();
        var ocds = (await reader.GetAsync($"/api/commitments/{Corridor}/ocds").ReadOkAsync())["records"]![0]!;

        var releases = ocds["releases"]!.AsArray();
        Assert.Equal(events.Count, releases.Count);
        Assert.Equal(events.Select(e => $"commitment/{Corridor}/{(long)e!["version"]!}"), releases.Select(r => (string?)r!["id"]));
        Assert.Equal(["planning"], releases[0]!["tag"]!.AsArray().Select(t => (string?)t));
        Assert.Contains(releases, r => (string?)r!["tag"]![0] == "contract");

        var contract = Assert.Single(ocds["versionedRelease"]!["contracts"]!.AsArray())!;
        var metric = contract["implementation"]!["metrics"]!.AsArray().Single(m => (string?)m!["id"] == "preparatory-work")!;
        var versions = metric["observations"]!.AsArray().Single(o => (string?)o!["id"] == "2023")!["measure"]!.AsArray();
        Assert.Equal([35m, 55m], versions.Select(v => (decimal)v!["value"]!));
        Assert.Equal(
            [new DateTimeOffset(2023, 6, 20, 6, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 1, 12, 6, 0, 0, TimeSpan.Zero)],
            versions.Select(v => DateTimeOffset.Parse((string)v!["releaseDate"]!, CultureInfo.InvariantCulture)));
        // The June 2023 report is the commitment's first implementation release; later ones update it.
        Assert.Equal(["implementation", "implementationUpdate"], versions.Select(v => (string?)v!["releaseTag"]![0]));
        // Each version names a release that exists and carries that value.
        foreach (var version in versions)
        {
            var release = releases.Single(r => (string?)r!["id"] == (string?)version!["releaseID"])!;
            var observation = release["contracts"]![0]!["implementation"]!["metrics"]!.AsArray().Single(m => (string?)m!["id"] == "preparatory-work")!
                ["observations"]!.AsArray().Single(o => (string?)o!["id"] == "2023")!;
            Assert.Equal((decimal)version!["value"]!, (decimal)observation["measure"]!);
        }

        var status = contract["milestones"]!.AsArray().Single(m => (string?)m!["id"] == "feasibility-approved")!["status"]!.AsArray();
        Assert.Equal("scheduled", (string?)status[0]!["value"]);
        Assert.Equal("met", (string?)status[^1]!["value"]);
    }

    [Fact]
    public async Task The_contract_names_its_award_whose_suppliers_are_the_lead_and_the_contributors_in_force_from_activation()
    {
        var reader = scenario.Host.Client("auditor");
        var record = await reader.GetAsync($"/api/commitments/{Corridor}").ReadOkAsync();
        var events = (await reader.GetAsync($"/api/commitments/{Corridor}/events").ReadOkAsync()).AsArray();
        var ocds = (await reader.GetAsync($"/api/commitments/{Corridor}/ocds").ReadOkAsync())["records"]![0]!;
        var governments = record["contributors"]!.AsArray().Select(c => (string?)c!["governmentId"]).Prepend((string?)record["leadGovernmentId"]).ToList();

        var compiled = ocds["compiledRelease"]!;
        var award = Assert.Single(compiled["awards"]!.AsArray())!;
        Assert.Equal((string?)award["id"], (string?)Assert.Single(compiled["contracts"]!.AsArray())!["awardID"]);
        Assert.Equal(governments, award["suppliers"]!.AsArray().Select(s => (string?)s!["id"]));
        Assert.Equal(governments, compiled["parties"]!.AsArray().Select(p => (string?)p!["id"]));
        Assert.Equal(Ledger.Api.Commitments.OcdsEndpoints.AwardStatus((string?)record["status"]), (string?)award["status"]);
        var activation = events.Single(e => (string?)e!["type"] == "commitment_activated.v1")!;
        Assert.Equal((DateTimeOffset)activation["data"]!["activatedAt"]!, (DateTimeOffset)award["date"]!);

        // Proposed (pending) when registered, in force (active) from the release that activated it.
        var versioned = ocds["versionedRelease"]!;
        var versionedAward = Assert.Single(versioned["awards"]!.AsArray())!;
        var status = versionedAward["status"]!.AsArray();
        Assert.Equal(["pending", "active"], status.Select(v => (string?)v!["value"]));
        Assert.Equal($"commitment/{Corridor}/{(long)activation["version"]!}", (string?)status[1]!["releaseID"]);
        Assert.Equal(governments, versionedAward["suppliers"]!.AsArray().Select(s => (string?)s!["id"]));

        // A party's details are versioned whole: one version holds the role and the share together.
        var contributor = versioned["parties"]!.AsArray().Single(p => (string?)p!["id"] == "431027")!;
        var details = Assert.Single(contributor["details"]!.AsArray())!["value"]!;
        Assert.Equal("contributor", (string?)details["ledgerRole"]);
        Assert.Equal((decimal?)record["contributors"]!.AsArray().Single(c => (string?)c!["governmentId"] == "431027")!["sharePercent"], (decimal?)details["sharePercent"]);
    }

    [Fact]
    public async Task Every_commitment_of_the_pilot_zone_scenario_is_a_valid_OCDS_1_1_5_record_package()
    {
        var reader = scenario.Host.Client("auditor");
        var commitments = scenario.File.Steps.Where(s => s.Post == "/api/commitments").Select(s => (string)s.Body!["commitmentId"]!).ToList();
        Assert.NotEmpty(commitments);

        var invalid = new List<string>();
        foreach (var commitment in commitments)
        {
            var package = await reader.GetAsync($"/api/commitments/{commitment}/ocds").ReadOkAsync();
            var errors = await OcdsSchemas.RecordPackageErrorsAsync(package);
            if (errors.Count > 0)
                invalid.Add($"{commitment}:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", errors)}");
        }

        Assert.True(invalid.Count == 0, $"{invalid.Count} of {commitments.Count} record packages break the OCDS 1.1.5 schema:{Environment.NewLine}{string.Join(Environment.NewLine, invalid)}");
    }

    /// <summary>Each break sits in a different file of the schema (record package, release, versioned release),
    /// so a ref left unresolved would show here as a break that goes unnoticed.</summary>
    [Theory]
    [InlineData("ocid", "#/records[0].ocid")]
    [InlineData("initiationType", "#/records[0].compiledRelease.initiationType")]
    [InlineData("awardID", "#/records[0].compiledRelease.contracts[0].awardID")]
    [InlineData("releaseTag", "#/records[0].releases[0].tag")]
    [InlineData("versionedRoles", "#/records[0].versionedRelease.parties[0].roles")]
    [InlineData("relativeUri", "#/uri")]
    public async Task A_record_package_broken_on_purpose_fails_validation_where_it_was_broken(string breakage, string path)
    {
        var package = await scenario.Host.Client("auditor").GetAsync($"/api/commitments/{Corridor}/ocds").ReadOkAsync();
        var record = package["records"]![0]!.AsObject();
        var compiled = record["compiledRelease"]!.AsObject();
        switch (breakage)
        {
            case "ocid": record.Remove("ocid"); break;
            case "initiationType": compiled["initiationType"] = "direct"; break;
            case "awardID": compiled["contracts"]![0]!.AsObject().Remove("awardID"); break;
            case "releaseTag": record["releases"]![0]!.AsObject().Remove("tag"); break;
            case "versionedRoles": record["versionedRelease"]!["parties"]![0]!["roles"] = new JsonArray("supplier"); break;
            case "relativeUri": package["uri"] = $"/api/commitments/{Corridor}/ocds"; break;
        }

        var errors = await OcdsSchemas.RecordPackageErrorsAsync(package);

        Assert.Contains(errors, e => IsAt(e.TrimStart(), path));
    }

    [Fact]
    public async Task An_unknown_commitment_is_a_404_problem()
    {
        using var response = await scenario.Host.Client("auditor").GetAsync("/api/commitments/no-such-commitment/ocds");

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("commitment_not_found", (string?)(await response.ReadAsync())["code"]);
    }

    /// <summary>An error line at this path or inside it (an array's error names the item that broke it).</summary>
    private static bool IsAt(string line, string path) =>
        line.StartsWith(path, StringComparison.Ordinal) && line.Length > path.Length && line[path.Length] is ':' or '.' or '[';

    private static string? Camel(string? value) => string.IsNullOrEmpty(value) ? value : char.ToLowerInvariant(value[0]) + value[1..];
}
