using System.Net;
using Ledger.Api.Tests.Support;

namespace Ledger.Api.Tests;

/// <summary>
/// Evaluation cycles through the API on one 2024 ledger set up once (below, with dates): Liuyang leads
/// the water commitment that Shangli contributes to, Shangli leads a patrol commitment of its own,
/// Liling is registered with nothing to measure. Each test opens cycles of its own; none adds
/// commitments, so every cycle scores the same ledger, whose scorecards are computed by hand here.
/// </summary>
public sealed class EvaluationTests(LedgerHost host) : IClassFixture<LedgerHost>, IAsyncLifetime
{
    private const string Patrols = "a01-joint-patrols";

    private static DateTimeOffset At(int year, int month, int day) => new(year, month, day, 2, 0, 0, TimeSpan.Zero);

    /// <summary>After the ledger's last 2024 fact: a cycle for 2024 has ended, one for 2025 has not.</summary>
    private static readonly DateTimeOffset Spring2025 = At(2025, 3, 1);

    public async Task InitializeAsync()
    {
        // The fixture is shared by the class: the ledger is set up by the first test only.
        if ((await host.Client("auditor").GetAsync($"/api/agreements/{PilotZone.Agreement}")).StatusCode == HttpStatusCode.NotFound)
            await SetUpLedgerAsync();
        host.Clock.Set(Spring2025);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task SetUpLedgerAsync()
    {
        host.Clock.Set(At(2024, 1, 10));
        await PilotZone.RegisterGovernmentsAsync(host);
        await PilotZone.ActivateAgreementAsync(host);
        await PilotZone.ActiveCommitmentAsync(host);
        await Shangli().PostJsonAsync("/api/commitments", PatrolCommitment()).Ok();
        await Supervisor().PostAsync($"/api/commitments/{Patrols}/activation", null).Ok();

        // Shangli claims its patrol plan (due 2024-03-31) late and thinly: needs more evidence, never met.
        host.Clock.Set(At(2024, 4, 10));
        await Shangli().PostJsonAsync($"/api/commitments/{Patrols}/evidence", PilotRequests.Evidence("patrol-plan-draft", "2024-04-10")).Ok();
        await Shangli().PostJsonAsync($"/api/commitments/{Patrols}/claims", MilestoneClaim("patrol-plan-claim", "patrol-plan", "patrol-plan-draft")).Ok();
        host.Clock.Set(At(2024, 4, 15));
        await Supervisor().PostJsonAsync($"/api/commitments/{Patrols}/claims/patrol-plan-claim/verification",
            new { method = "DocumentReview", verdict = "NeedsMoreEvidence", findings = "A draft, not an approved plan." }).Ok();

        // Liuyang's monitoring station (due 2024-06-30) is claimed on 2024-06-20 and verified on site on
        // 2024-07-03: met on time by the claim's date (2.0), late by the verification's (1.0).
        host.Clock.Set(At(2024, 6, 20));
        await Liuyang().PostJsonAsync($"/api/commitments/{PilotZone.Commitment}/evidence", PilotRequests.Evidence("station-acceptance", "2024-06-20")).Ok();
        await Liuyang().PostJsonAsync($"/api/commitments/{PilotZone.Commitment}/claims",
            MilestoneClaim("station-claim", "joint-monitoring-station", "station-acceptance")).Ok();
        host.Clock.Set(At(2024, 7, 3));
        await Supervisor().PostJsonAsync($"/api/commitments/{PilotZone.Commitment}/claims/station-claim/verification",
            new { method = "SiteInspection", verdict = "Verified", findings = "Station inspected on site; in service." }).Ok();

        // The 2024 reports: the water figure within 30 days of the period's end, the patrol figure after it.
        host.Clock.Set(At(2025, 1, 15));
        await Liuyang().PostJsonAsync($"/api/commitments/{PilotZone.Commitment}/progress",
            Report("water-2024", "months-class-iii", 11)).Ok();
        host.Clock.Set(At(2025, 2, 20));
        await Shangli().PostJsonAsync($"/api/commitments/{Patrols}/progress", Report("patrols-2024", "joint-patrols", 3)).Ok();
    }

    // ---- the scorecards, computed by hand ----
    // Cycle 2024-01-01 to 2024-12-31, weights 40/20/10/15/10/5. No rectification was ordered: that component
    // has nothing to measure for anyone.
    //
    // Method 2.0 (the component with nothing to measure is left out; the total is over the weights measured):
    // Liuyang (leads the water commitment, Hunan + Jiangxi):
    //   indicators: months at Class III 11/12 = 0.91667 → 0.9167 × 40 = 36.668 → 36.67 (the monthly class has no period)
    //   milestones: station claimed 2024-06-20 ≤ due 2024-06-30 (verified 07-03): 1/1 → 20.00
    //   reporting:  the 2024 report arrived 2025-01-15 ≤ 2025-01-30: 1/1 → 10.00
    //   verification: its one claim verified in 2024: 1/1 → 15.00
    //   rectification: left out. joint actions: 1/1 → 5.00
    //   total (36.67 + 20 + 10 + 15 + 5) × 100 / 90 = 96.30 → 96.3, Excellent
    // Shangli (contributes to the water commitment, leads the patrols, Jiangxi only):
    //   indicators: water 0.91667, patrols 3/4 = 0.75; mean 0.83333 → 0.8333 × 40 = 33.332 → 33.33
    //   milestones: station yes, patrol plan (due 2024-03-31) never met: 1/2 → 10.00
    //   reporting: water on time, patrols 2025-02-20 > 2025-01-30: 1/2 → 5.00
    //   verification: its one claim needed more evidence: 0/1 → 0.00
    //   rectification: left out. joint actions: water yes, patrols no: 1/2 → 2.50
    //   total (33.33 + 10 + 5 + 0 + 2.5) × 100 / 90 = 56.48 → 56.5, Fail
    // Liling: nothing to measure: not scored. Ranks: Liuyang 1, Shangli 2, of 2.
    //
    // Method 1.0, as cycles published under it keep: nothing to measure scores the full weight, the station
    // counts as met on the verification's day (07-03 > 06-30, late), ranks follow the division code on a tie.
    //   Liuyang 36.67 + 0 + 10 + 15 + 10 + 5 = 76.67 → 76.7, Good
    //   Shangli 33.33 + 0 (0/2) + 5 + 0 + 10 + 2.5 = 50.83 → 50.8, Fail
    //   Liling 100.0, Excellent. Ranks: Liling 1, Liuyang 2, Shangli 3, of 3.

    [Fact]
    public async Task Published_scorecards_are_the_ones_computed_by_hand_from_the_ledger()
    {
        var opened = await Supervisor().PostJsonAsync("/api/evaluations", Cycle("2024"));
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        Assert.Equal("/api/evaluations/2024", opened.Headers.Location?.OriginalString);

        var preview = await (await Auditor().GetAsync("/api/evaluations/2024/preview").Ok()).ReadAsync();
        Assert.False((bool)preview["published"]!);
        Assert.Equal(1, await PilotZone.StreamLengthAsync(host, "evaluation/2024"));

        var published = await Supervisor().PostAsync("/api/evaluations/2024/scorecards", null);
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        Assert.Equal(["scorecard_published.v1", "scorecard_published.v1", "government_not_scored.v1"],
            (await published.ReadAsync())["events"]!.AsArray().Select(e => (string?)e));

        var cycle = await (await Liling().GetAsync("/api/evaluations/2024").Ok()).ReadAsync();
        Assert.Equal(("Published", "xgb-eval-2.0"), ((string?)cycle["status"], (string?)cycle["methodVersion"]));
        var cards = cycle["scorecards"]!.AsArray();
        Assert.Equal(
            [(PilotZone.Liuyang, 96.3m, "Excellent", 1), (PilotZone.Shangli, 56.5m, "Fail", 2)],
            cards.Select(c => ((string)c!["governmentId"]!, (decimal)c["total"]!, (string)c["band"]!, (int)c["rank"]!)));
        Assert.All(cards, c => Assert.Equal(2, (int)c!["of"]!));

        // Liling is published as not scored: no total, no band, no rank, each component with nothing expected.
        var liling = Assert.Single(cycle["notScored"]!.AsArray())!;
        Assert.Equal(PilotZone.Liling, (string?)liling["governmentId"]);
        Assert.Null(liling["total"]);
        Assert.All(liling["components"]!.AsArray(), c => Assert.Equal((0, 0m), ((int)c!["expected"]!, (decimal)c["points"]!)));

        var shangli = cards.Single(c => (string?)c!["governmentId"] == PilotZone.Shangli)!["components"]!.AsArray();
        Assert.Equal(
            [
                ("indicatorAchievement", 0.8333m, 0, 2, 33.33m),
                ("milestonesOnTime", 0.5m, 1, 2, 10m),
                ("reportingTimeliness", 0.5m, 1, 2, 5m),
                ("verificationPassRate", 0m, 0, 1, 0m),
                ("rectificationOnTime", 0m, 0, 0, 0m),
                ("jointActions", 0.5m, 1, 2, 2.5m),
            ],
            shangli.Select(c => ((string)c!["name"]!, (decimal)c["ratio"]!, (int)c["achieved"]!, (int)c["expected"]!, (decimal)c["points"]!)));
        var liuyang = cards.Single(c => (string?)c!["governmentId"] == PilotZone.Liuyang)!["components"]!.AsArray();
        Assert.Equal([36.67m, 20m, 10m, 15m, 0m, 5m], liuyang.Select(c => (decimal)c!["points"]!));

        // What was previewed is what was published.
        Assert.Equal(
            cards.Select(c => ((string)c!["governmentId"]!, (decimal)c["total"]!)),
            preview["scorecards"]!.AsArray().Select(c => ((string)c!["governmentId"]!, (decimal)c["total"]!)));
        Assert.Equal([PilotZone.Liling], preview["notScored"]!.AsArray().Select(c => (string?)c!["governmentId"]));
    }

    [Fact]
    public async Task A_cycle_opened_under_method_1_0_is_still_scored_by_it()
    {
        await Supervisor().PostJsonAsync("/api/evaluations", Cycle("2024-v1", method: "xgb-eval-1.0")).Ok();

        var published = await Supervisor().PostAsync("/api/evaluations/2024-v1/scorecards", null);

        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        var cycle = await (await Auditor().GetAsync("/api/evaluations/2024-v1").Ok()).ReadAsync();
        Assert.Equal(
            [(PilotZone.Liling, 100.0m, "Excellent", 1), (PilotZone.Liuyang, 76.7m, "Good", 2), (PilotZone.Shangli, 50.8m, "Fail", 3)],
            cycle["scorecards"]!.AsArray().Select(c => ((string)c!["governmentId"]!, (decimal)c["total"]!, (string)c["band"]!, (int)c["rank"]!)));
        Assert.Empty(cycle["notScored"]!.AsArray());
    }

    [Fact]
    public async Task A_method_version_the_method_does_not_know_is_refused_with_the_field_and_appends_nothing()
    {
        var refused = await Supervisor().PostJsonAsync("/api/evaluations", Cycle("2024-unknown-method", method: "xgb-scorecard-2024.1"));

        await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "unknown_method_version", "methodVersion");
        Assert.Equal(0, await PilotZone.StreamLengthAsync(host, "evaluation/2024-unknown-method"));
    }

    [Fact]
    public async Task A_government_not_scored_has_nothing_to_appeal()
    {
        await PublishedCycleAsync("2024-not-scored-appeal");

        var refused = await Liling().PostJsonAsync("/api/evaluations/2024-not-scored-appeal/appeals",
            new { appealId = "liling-nothing", grounds = "We should have been scored." });

        await refused.AssertProblemAsync(HttpStatusCode.Conflict, "not_scored", "governmentId");
        Assert.Equal(4, await PilotZone.StreamLengthAsync(host, "evaluation/2024-not-scored-appeal"));
    }

    [Fact]
    public async Task Publishing_before_the_cycle_has_ended_is_refused_and_appends_nothing()
    {
        await Supervisor().PostJsonAsync("/api/evaluations", Cycle("2025", start: "2025-01-01", end: "2025-12-31")).Ok();

        var refused = await Supervisor().PostAsync("/api/evaluations/2025/scorecards", null);

        await refused.AssertProblemAsync(HttpStatusCode.Conflict, "cycle_not_ended", null);
        Assert.Equal(1, await PilotZone.StreamLengthAsync(host, "evaluation/2025"));
    }

    [Fact]
    public async Task Scorecards_are_published_once()
    {
        await Supervisor().PostJsonAsync("/api/evaluations", Cycle("2024-once")).Ok();
        await Supervisor().PostAsync("/api/evaluations/2024-once/scorecards", null).Ok();

        var again = await Supervisor().PostAsync("/api/evaluations/2024-once/scorecards", null);

        await again.AssertProblemAsync(HttpStatusCode.Conflict, "scorecards_already_published", null);
        Assert.Equal(4, await PilotZone.StreamLengthAsync(host, "evaluation/2024-once"));
    }

    [Fact]
    public async Task Weights_that_do_not_sum_to_100_are_refused_with_the_field_and_append_nothing()
    {
        var refused = await Supervisor().PostJsonAsync("/api/evaluations",
            Cycle("2024-bad-weights", weights: new { indicatorAchievement = 40, milestonesOnTime = 20, reportingTimeliness = 10, verificationPassRate = 15, rectificationOnTime = 10, jointActions = 10 }));

        await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "weights_do_not_sum_to_100", "weights");
        Assert.Equal(0, await PilotZone.StreamLengthAsync(host, "evaluation/2024-bad-weights"));
    }

    [Fact]
    public async Task A_missing_weight_is_a_malformed_request_naming_it()
    {
        var refused = await Supervisor().PostJsonAsync("/api/evaluations",
            Cycle("2024-missing-weight", weights: new { indicatorAchievement = 40, milestonesOnTime = 20, reportingTimeliness = 10, verificationPassRate = 15, rectificationOnTime = 15 }));

        await refused.AssertProblemAsync(HttpStatusCode.BadRequest, "field_required", "weights.jointActions");
        Assert.Equal(0, await PilotZone.StreamLengthAsync(host, "evaluation/2024-missing-weight"));
    }

    [Fact]
    public async Task A_cycle_is_opened_once()
    {
        await Supervisor().PostJsonAsync("/api/evaluations", Cycle("2024-twice")).Ok();

        var again = await Supervisor().PostJsonAsync("/api/evaluations", Cycle("2024-twice"));

        await again.AssertProblemAsync(HttpStatusCode.Conflict, "cycle_exists", "cycleId");
        Assert.Equal(1, await PilotZone.StreamLengthAsync(host, "evaluation/2024-twice"));
    }

    [Fact]
    public async Task A_government_appeals_its_own_score_and_the_supervisor_upholds_it()
    {
        await PublishedCycleAsync("2024-appeal");

        var appealed = await Shangli().PostJsonAsync("/api/evaluations/2024-appeal/appeals",
            new { appealId = "shangli-patrol-plan", grounds = "The patrol plan was approved on 2024-03-28; the minutes were filed late." });
        Assert.Equal(HttpStatusCode.Created, appealed.StatusCode);
        host.Clock.Advance(TimeSpan.FromDays(10));
        var decided = await Supervisor().PostJsonAsync("/api/evaluations/2024-appeal/appeals/shangli-patrol-plan/decision",
            new { upheld = true, revisedTotal = 75.8m, findings = "Minutes of 2024-03-28 confirm the approval: milestone and verification credited." });
        Assert.Equal(HttpStatusCode.Created, decided.StatusCode);

        var cycle = await (await Auditor().GetAsync("/api/evaluations/2024-appeal").Ok()).ReadAsync();
        var appeal = cycle["appeals"]!.AsArray().Single()!;
        Assert.Equal(("shangli-patrol-plan", PilotZone.Shangli, "Upheld", 75.8m), ((string)appeal["appealId"]!, (string)appeal["governmentId"]!, (string)appeal["status"]!, (decimal)appeal["revisedTotal"]!));
        var card = cycle["scorecards"]!.AsArray().Single(c => (string?)c!["governmentId"] == PilotZone.Shangli)!;
        Assert.Equal((56.5m, 75.8m, "Good", 2), ((decimal)card["total"]!, (decimal)card["finalTotal"]!, (string)card["finalBand"]!, (int)card["rank"]!));
        Assert.Equal(
            ["evaluation_cycle_opened.v1", "scorecard_published.v1", "scorecard_published.v1", "government_not_scored.v1", "score_appealed.v1", "score_appeal_decided.v1"],
            (await (await Auditor().GetAsync("/api/evaluations/2024-appeal/events").Ok()).ReadAsync()).AsArray().Select(e => (string?)e!["type"]));
    }

    [Fact]
    public async Task A_government_cannot_appeal_another_governments_score()
    {
        await PublishedCycleAsync("2024-foreign-appeal");

        var refused = await Shangli().PostJsonAsync("/api/evaluations/2024-foreign-appeal/appeals",
            new { appealId = "shangli-on-liuyang", grounds = "Liuyang's station was late.", governmentId = PilotZone.Liuyang });

        await refused.AssertProblemAsync(HttpStatusCode.Forbidden, "not_your_scorecard", null);
        Assert.Equal(4, await PilotZone.StreamLengthAsync(host, "evaluation/2024-foreign-appeal"));
    }

    [Fact]
    public async Task An_appeal_more_than_30_days_after_publication_is_refused()
    {
        await PublishedCycleAsync("2024-late-appeal");
        host.Clock.Advance(TimeSpan.FromDays(31));

        var refused = await Liuyang().PostJsonAsync("/api/evaluations/2024-late-appeal/appeals",
            new { appealId = "liuyang-late", grounds = "The report was on time." });

        await refused.AssertProblemAsync(HttpStatusCode.Conflict, "appeal_window_closed", null);
        Assert.Equal(4, await PilotZone.StreamLengthAsync(host, "evaluation/2024-late-appeal"));
    }

    [Fact]
    public async Task An_upheld_appeal_without_a_revised_total_is_refused_with_the_field()
    {
        await PublishedCycleAsync("2024-no-total");
        await Liuyang().PostJsonAsync("/api/evaluations/2024-no-total/appeals", new { appealId = "liuyang-total", grounds = "Recount the report." }).Ok();

        var refused = await Supervisor().PostJsonAsync("/api/evaluations/2024-no-total/appeals/liuyang-total/decision",
            new { upheld = true, findings = "Recounted." });

        await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "revised_total_required", "revisedTotal");
        Assert.Equal(5, await PilotZone.StreamLengthAsync(host, "evaluation/2024-no-total"));
    }

    [Fact]
    public async Task Only_supervisors_and_auditors_preview_scorecards()
    {
        await Supervisor().PostJsonAsync("/api/evaluations", Cycle("2024-preview")).Ok();

        Assert.Equal(HttpStatusCode.OK, (await Supervisor().GetAsync("/api/evaluations/2024-preview/preview")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Auditor().GetAsync("/api/evaluations/2024-preview/preview")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Liuyang().GetAsync("/api/evaluations/2024-preview/preview")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Client("decision").GetAsync("/api/evaluations/2024-preview/preview")).StatusCode);
    }

    [Fact]
    public async Task An_unknown_cycle_is_not_found()
    {
        await (await Auditor().GetAsync("/api/evaluations/1999")).AssertProblemAsync(HttpStatusCode.NotFound, "cycle_not_found", null);
        await (await Auditor().GetAsync("/api/evaluations/1999/preview")).AssertProblemAsync(HttpStatusCode.NotFound, "cycle_not_found", null);
        await (await Auditor().GetAsync("/api/evaluations/1999/events")).AssertProblemAsync(HttpStatusCode.NotFound, "cycle_not_found", null);
        await (await Supervisor().PostAsync("/api/evaluations/1999/scorecards", null)).AssertProblemAsync(HttpStatusCode.NotFound, "cycle_not_found", "cycleId");
        Assert.Equal(0, await PilotZone.StreamLengthAsync(host, "evaluation/1999"));
    }

    [Fact]
    public async Task The_cycle_reads_with_its_version_as_etag()
    {
        await Supervisor().PostJsonAsync("/api/evaluations", Cycle("2024-etag")).Ok();

        var response = await Liling().GetAsync("/api/evaluations/2024-etag").Ok();
        var cycle = await response.ReadAsync();

        Assert.Equal("\"1\"", response.Headers.ETag?.ToString());
        Assert.Equal(("Open", 40, 5), ((string)cycle["status"]!, (int)cycle["weights"]!["indicatorAchievement"]!, (int)cycle["weights"]!["jointActions"]!));
        Assert.Empty(cycle["scorecards"]!.AsArray());
    }

    // ---- helpers ----

    private async Task PublishedCycleAsync(string cycleId)
    {
        await Supervisor().PostJsonAsync("/api/evaluations", Cycle(cycleId)).Ok();
        await Supervisor().PostAsync($"/api/evaluations/{cycleId}/scorecards", null).Ok();
    }

    private static object Cycle(string cycleId, string start = "2024-01-01", string end = "2024-12-31", object? weights = null, string method = "xgb-eval-2.0") => new
    {
        cycleId,
        period = start[..4],
        start,
        end,
        methodVersion = method,
        weights = weights ?? new { indicatorAchievement = 40, milestonesOnTime = 20, reportingTimeliness = 10, verificationPassRate = 15, rectificationOnTime = 10, jointActions = 5 },
    };

    private static object PatrolCommitment() => new
    {
        commitmentId = Patrols,
        agreementId = PilotZone.Agreement,
        leadGovernmentId = PilotZone.Shangli,
        leadDepartment = "Shangli Water Resources Bureau",
        resultType = "Output",
        title = "Joint river patrols on the Ping river",
        description = "At least four joint patrols of the Ping river border reach a year.",
        deadline = "2025-12-31",
        indicators = new[]
        {
            new
            {
                indicatorId = "joint-patrols",
                name = "Joint patrols",
                measure = "Count",
                unit = "patrols",
                direction = "Ascending",
                aggregation = "PerPeriod",
                baseline = (object?)null,
                periods = new[] { new { period = "2024", start = "2024-01-01", end = "2024-12-31", target = 4 } },
            },
        },
        milestones = new[] { new { milestoneId = "patrol-plan", title = "Joint patrol plan approved", type = "Approval", due = "2024-03-31" } },
    };

    private static object MilestoneClaim(string claimId, string milestoneId, string evidenceId) => new
    {
        claimId,
        scope = "Milestone",
        subject = milestoneId,
        evidenceIds = new[] { evidenceId },
        statement = "Delivered; see the cited evidence.",
    };

    private static object Report(string reportId, string indicatorId, decimal value) => new
    {
        reportId,
        period = "2024",
        asOf = "2024-12-31",
        values = new[] { new { indicatorId, value } },
        narrative = "Figures for 2024.",
    };

    private HttpClient Supervisor() => host.Client("supervisor");
    private HttpClient Auditor() => host.Client("auditor");
    private HttpClient Liuyang() => host.Client("government", PilotZone.Liuyang);
    private HttpClient Shangli() => host.Client("government", PilotZone.Shangli);
    private HttpClient Liling() => host.Client("government", PilotZone.Liling);
}
