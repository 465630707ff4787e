using System.Net;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Clock;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests;

/// <summary>
/// Supervision through the API: the storyline from an overdue milestone through rectification and
/// escalation to a revised commitment, as the record and the raw history show it; supervisor actions
/// in the wrong state refused with their domain code; bad input refused with the field at fault. Every
/// refusal leaves the stream exactly as it was.
/// </summary>
public sealed class SupervisionTests(LedgerHost host) : IClassFixture<LedgerHost>, IAsyncLifetime
{
    // Two weeks after the water commitment's milestone (2024-06-30) fell due, long before its deadline (2025-12-31).
    private static readonly DateTimeOffset Now = new(2024, 7, 15, 2, 0, 0, TimeSpan.Zero);
    private const string Station = "joint-monitoring-station";
    private const string Reference = "xgb-ppc-2024-01";

    public async Task InitializeAsync()
    {
        host.Clock.Set(Now);
        // The fixture is shared by the class: the pilot zone is set up by the first test only.
        if ((await host.Client("auditor").GetAsync($"/api/agreements/{PilotZone.Agreement}")).StatusCode == HttpStatusCode.NotFound)
        {
            await PilotZone.RegisterGovernmentsAsync(host);
            await PilotZone.ActivateAgreementAsync(host);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_overdue_milestone_goes_through_rectification_and_escalation_to_a_revised_commitment()
    {
        const string id = "sup-storyline";
        await PilotZone.ActiveCommitmentAsync(host, id);
        var supervisor = Supervisor();
        var liuyang = Liuyang();
        var decision = host.Client("decision");

        // The clock notices the missed milestone as the system actor.
        var pass = await host.Services.GetRequiredService<ClockPass>().RunAsync(Now, CancellationToken.None);
        Assert.True(pass.Overdue >= 1, $"the pass noticed nothing overdue: {pass}");

        await supervisor.PostJsonAsync(Path(id, "assessments"), Assessment("as-2024-q2", "Green", "Substantial")).Ok();
        await supervisor.PostJsonAsync(Path(id, "assessments"), Assessment("as-2024-q3", "AmberRed", "Limited")).Ok();
        await supervisor.PostJsonAsync(Path(id, "rectifications"), Order("rect-station")).Ok();
        await liuyang.PostJsonAsync(Path(id, "evidence"), PilotRequests.Evidence("ev-station-contract")).Ok();
        await liuyang.PostJsonAsync(Path(id, "rectifications/rect-station/response"), new
        {
            response = "The equipment contract is signed; installation is scheduled.",
            evidenceIds = new[] { "ev-station-contract" },
        }).Ok();
        await supervisor.PostJsonAsync(Path(id, "rectifications/rect-station/rejection"), new
        {
            findings = "A contract is not a station in service.",
            newDueOn = "2024-09-30",
        }).Ok();
        await liuyang.PostJsonAsync(Path(id, "rectifications/rect-station/response"), new
        {
            response = "Jiangxi's power connection is still pending; Liuyang cannot finish alone.",
            evidenceIds = Array.Empty<string>(),
        }).Ok();
        await supervisor.PostJsonAsync(Path(id, "escalations"), new
        {
            escalationId = "esc-station",
            subject = "Joint monitoring station: overdue, two responses, power connection blocked across the border",
            options = new[] { "Reschedule the station to 2024-12-31", "Assign the power connection to Shangli" },
            rectificationId = "rect-station",
        }).Ok();
        await decision.PostJsonAsync(Path(id, "escalations/esc-station/decision"), new
        {
            decisionReference = Reference,
            decision = "Reschedule the station to 2024-12-31 and extend the commitment by six months.",
        }).Ok();
        var revised = await decision.PostJsonAsync(Path(id, "revision"), new
        {
            revisionId = "rev-2024-07",
            reason = "Decision of the promotion conference on the joint monitoring station.",
            decisionReference = Reference,
            newDeadline = "2026-06-30",
            rescheduledMilestones = new[] { new { milestoneId = Station, due = "2024-12-31" } },
        }).Ok();

        Assert.Equal(HttpStatusCode.Created, revised.StatusCode);
        Assert.Equal($"/api/commitments/{id}", revised.Headers.Location?.OriginalString);
        var types = (await (await Auditor().GetAsync($"/api/commitments/{id}/events")).ReadAsync()).AsArray().Select(e => (string?)e!["type"]).ToList();
        Assert.Equal(
            ["commitment_overdue.v1", "commitment_assessed.v1", "commitment_assessed.v1", "rectification_ordered.v1", "evidence_attached.v2",
             "rectification_responded.v1", "rectification_rejected.v1", "rectification_responded.v1", "escalation_raised.v1",
             "escalation_decided.v1", "commitment_revised.v1"],
            types.SkipWhile(t => t != "commitment_overdue.v1"));
        Assert.Equal($"\"{types.Count}\"", revised.Headers.ETag?.Tag);

        var record = await RecordAsync(id);
        Assert.Equal("2026-06-30", (string?)record["deadline"]);
        Assert.Equal("2024-12-31", (string?)record["milestones"]![0]!["definition"]!["due"]);
        Assert.Equal("Joint monitoring station in service", (string?)record["milestones"]![0]!["definition"]!["title"]);
        Assert.Equal(("AmberRed", "Limited", "Moderate"), ((string?)record["confidence"], (string?)record["completion"], (string?)record["risk"]));
        Assert.Equal("as-2024-q3", (string?)record["latestAssessment"]!["assessmentId"]);
        Assert.Equal(2, (int)record["assessmentCount"]!);
        Assert.Equal(["as-2024-q2", "as-2024-q3"], (await ItemsAsync(id, "assessments")).Select(a => (string?)a!["assessmentId"]));

        var notice = Assert.Single(record["clockNotices"]!.AsArray())!;
        Assert.Equal(("overdue", "milestone", Station, "2024-06-30"),
            ((string?)notice["type"], (string?)notice["kind"], (string?)notice["milestoneId"], (string?)notice["dueOn"]));

        var rectification = Assert.Single(record["recentRectifications"]!.AsArray())!;
        Assert.Equal(("Responded", PilotZone.Liuyang, "2024-09-30", "2024-08-31"),
            ((string?)rectification["status"], (string?)rectification["governmentId"], (string?)rectification["dueOn"], (string?)rectification["originalDueOn"]));
        Assert.Equal(2, rectification["responses"]!.AsArray().Count);
        Assert.Equal(["ev-station-contract"], rectification["responses"]![0]!["evidenceIds"]!.AsArray().Select(x => (string?)x));
        Assert.Equal("Rejected", (string?)Assert.Single(rectification["reviews"]!.AsArray())!["outcome"]);
        Assert.Equal(2, rectification["requiredActions"]!.AsArray().Count);

        var escalation = Assert.Single(record["recentEscalations"]!.AsArray())!;
        Assert.Equal(("Coordination", "Decision", "decided", Reference, "rect-station"),
            ((string?)escalation["from"], (string?)escalation["to"], (string?)escalation["state"], (string?)escalation["decisionReference"], (string?)escalation["rectificationId"]));
        Assert.Equal(2, escalation["options"]!.AsArray().Count);

        var revision = Assert.Single(record["revisions"]!.AsArray())!;
        Assert.Equal(("rev-2024-07", Reference, "2026-06-30", "2025-12-31"),
            ((string?)revision["revisionId"], (string?)revision["decisionReference"], (string?)revision["newDeadline"], (string?)revision["previousDeadline"]));
        var moved = Assert.Single(revision["rescheduledMilestones"]!.AsArray())!;
        Assert.Equal((Station, "2024-06-30", "2024-12-31"), ((string?)moved["milestoneId"], (string?)moved["previousDue"], (string?)moved["due"]));

        var history = await host.FieldHistoryAsync(id);
        Assert.Equal(["2025-12-31", "2026-06-30"], Values(history, "deadline"));
        Assert.Equal(["2024-06-30", "2024-12-31"], Values(history, $"milestones.{Station}.due"));
        Assert.Equal(["Ordered", "Responded", "Rejected", "Responded"], Values(history, "rectifications.rect-station.status"));
        Assert.Equal(["Green", "AmberRed"], Values(history, "confidence"));
        Assert.Equal(["Substantial", "Limited"], Values(history, "completion"));
        Assert.Equal("commitment_revised.v1", (string?)history["deadline"]!.AsArray()[^1]!["event"]);
    }

    [Fact]
    public async Task An_accepted_response_closes_the_rectification_in_the_record()
    {
        const string id = "sup-accepted";
        await PilotZone.ActiveCommitmentAsync(host, id);
        await Supervisor().PostJsonAsync(Path(id, "rectifications"), Order("rect-accept", PilotZone.Shangli)).Ok();
        await host.Client("government", PilotZone.Shangli).PostJsonAsync(Path(id, "rectifications/rect-accept/response"),
            new { response = "Shangli's power connection was completed on 2024-07-12." }).Ok();
        await Supervisor().PostJsonAsync(Path(id, "rectifications/rect-accept/acceptance"), new { findings = "Connection seen on site." }).Ok();

        // The record keeps an accepted order among its latest; the list of all of them has it too, closed.
        var rectification = Assert.Single((await RecordAsync(id))["recentRectifications"]!.AsArray())!;
        Assert.True(JsonNode.DeepEquals(rectification, Assert.Single(await ItemsAsync(id, "rectifications?open=false"))));
        Assert.Empty(await ItemsAsync(id, "rectifications?open=true"));
        Assert.Equal(("Accepted", PilotZone.Shangli), ((string?)rectification["status"], (string?)rectification["governmentId"]));
        Assert.NotNull((string?)rectification["closedAt"]);
        Assert.Equal(["Accepted"], rectification["reviews"]!.AsArray().Select(r => (string?)r!["outcome"]));
    }

    [Fact]
    public async Task A_government_escalates_to_coordination_and_a_supervisor_decides_it()
    {
        const string id = "sup-to-coordination";
        await PilotZone.ActiveCommitmentAsync(host, id);
        await host.Client("government", PilotZone.Shangli).PostJsonAsync(Path(id, "escalations"), new
        {
            escalationId = "esc-data-sharing",
            subject = "Liuyang's monitoring feed has not reached Pingxiang since May.",
            options = new[] { "Joint office convenes both bureaus" },
        }).Ok();

        // The decision level is not the level this went to.
        await AssertRefusedAsync(id, () => host.Client("decision").PostJsonAsync(Path(id, "escalations/esc-data-sharing/decision"),
            new { decisionReference = "xgb-jo-2024-05", decision = "Convene." }), HttpStatusCode.Forbidden, "not_the_escalation_level", null);
        await Supervisor().PostJsonAsync(Path(id, "escalations/esc-data-sharing/decision"),
            new { decisionReference = "xgb-jo-2024-05", decision = "The joint office convenes both bureaus on 2024-07-20." }).Ok();

        var escalation = Assert.Single((await RecordAsync(id))["recentEscalations"]!.AsArray())!;
        Assert.True(JsonNode.DeepEquals(escalation, Assert.Single(await ItemsAsync(id, "escalations"))));
        Assert.Equal(("Execution", "Coordination", "decided", "xgb-jo-2024-05"),
            ((string?)escalation["from"], (string?)escalation["to"], (string?)escalation["state"], (string?)escalation["decisionReference"]));
        // A coordination-level decision does not authorise a revision of the commitment.
        await AssertRefusedAsync(id, () => host.Client("decision").PostJsonAsync(Path(id, "revision"),
            Revision("xgb-jo-2024-05")), HttpStatusCode.UnprocessableEntity, "unknown_decision", "decisionReference");
    }

    // ---- supervisor actions in the wrong state: refused with the domain code, nothing appended ----

    [Fact]
    public async Task A_draft_commitment_is_not_assessed()
    {
        const string id = "sup-draft";
        await Liuyang().PostJsonAsync("/api/commitments", PilotZone.WaterCommitment(id)).Ok();
        await AssertRefusedAsync(id, () => Supervisor().PostJsonAsync(Path(id, "assessments"), Assessment("as-1", "Green", "Limited")),
            HttpStatusCode.Conflict, "commitment_not_active", null);
    }

    [Fact]
    public async Task A_suspended_commitment_is_not_assessed()
    {
        const string id = "sup-suspended";
        await PilotZone.ActiveCommitmentAsync(host, id);
        await Supervisor().PostJsonAsync(Path(id, "suspension"), new { reason = "Flood season." }).Ok();
        await AssertRefusedAsync(id, () => Supervisor().PostJsonAsync(Path(id, "assessments"), Assessment("as-1", "Green", "Limited")),
            HttpStatusCode.Conflict, "commitment_suspended", null);
    }

    [Fact]
    public async Task A_withdrawn_commitment_is_neither_ordered_to_rectify_nor_escalated()
    {
        const string id = "sup-withdrawn";
        await PilotZone.ActiveCommitmentAsync(host, id);
        await host.Client("decision").PostJsonAsync(Path(id, "withdrawal"), new { reason = "Merged into the basin-wide commitment." }).Ok();
        await AssertRefusedAsync(id, () => Supervisor().PostJsonAsync(Path(id, "rectifications"), Order("rect-1")),
            HttpStatusCode.Conflict, "commitment_withdrawn", null);
        await AssertRefusedAsync(id, () => Supervisor().PostJsonAsync(Path(id, "escalations"), Escalation("esc-1")),
            HttpStatusCode.Conflict, "commitment_withdrawn", null);
    }

    [Fact]
    public async Task Only_a_response_awaiting_review_is_accepted_or_rejected()
    {
        const string id = "sup-not-responded";
        await PilotZone.ActiveCommitmentAsync(host, id);
        await Supervisor().PostJsonAsync(Path(id, "rectifications"), Order("rect-1")).Ok();

        await AssertRefusedAsync(id, () => Supervisor().PostJsonAsync(Path(id, "rectifications/rect-1/acceptance"), new { findings = "Fine." }),
            HttpStatusCode.Conflict, "rectification_not_responded", "rectificationId");
        await AssertRefusedAsync(id, () => Supervisor().PostJsonAsync(Path(id, "rectifications/rect-1/rejection"), new { findings = "Not fine." }),
            HttpStatusCode.Conflict, "rectification_not_responded", "rectificationId");

        await Liuyang().PostJsonAsync(Path(id, "rectifications/rect-1/response"), new { response = "Done." }).Ok();
        await AssertRefusedAsync(id, () => Liuyang().PostJsonAsync(Path(id, "rectifications/rect-1/response"), new { response = "Done twice." }),
            HttpStatusCode.Conflict, "rectification_already_responded", "rectificationId");
        await Supervisor().PostJsonAsync(Path(id, "rectifications/rect-1/acceptance"), new { findings = "Fine." }).Ok();
        await AssertRefusedAsync(id, () => Supervisor().PostJsonAsync(Path(id, "rectifications/rect-1/rejection"), new { findings = "On second thought." }),
            HttpStatusCode.Conflict, "rectification_not_responded", "rectificationId");
        await AssertRefusedAsync(id, () => Supervisor().PostJsonAsync(Path(id, "escalations"), Escalation("esc-1", "rect-1")),
            HttpStatusCode.Conflict, "rectification_closed", "rectificationId");
    }

    [Fact]
    public async Task One_undecided_escalation_per_level_and_each_is_decided_once()
    {
        const string id = "sup-escalation-once";
        await PilotZone.ActiveCommitmentAsync(host, id);
        await Supervisor().PostJsonAsync(Path(id, "escalations"), Escalation("esc-1")).Ok();
        await AssertRefusedAsync(id, () => Supervisor().PostJsonAsync(Path(id, "escalations"), Escalation("esc-2")),
            HttpStatusCode.Conflict, "escalation_already_open", null);

        await host.Client("decision").PostJsonAsync(Path(id, "escalations/esc-1/decision"), new { decisionReference = Reference, decision = "Extend." }).Ok();
        await AssertRefusedAsync(id, () => host.Client("decision").PostJsonAsync(Path(id, "escalations/esc-1/decision"),
            new { decisionReference = "xgb-ppc-2024-02", decision = "Extend again." }), HttpStatusCode.Conflict, "escalation_already_decided", "escalationId");
        await AssertRefusedAsync(id, () => host.Client("decision").PostJsonAsync(Path(id, "escalations/esc-9/decision"),
            new { decisionReference = Reference, decision = "Extend." }), HttpStatusCode.NotFound, "escalation_not_found", "escalationId");
    }

    [Fact]
    public async Task A_fulfilled_commitment_is_not_revised()
    {
        var id = await DecidedAsync("sup-fulfilled");
        await Liuyang().PostJsonAsync(Path(id, "evidence"), PilotRequests.Evidence("ev-final")).Ok();
        await Liuyang().PostJsonAsync(Path(id, "claims"), new { claimId = "claim-all", scope = "Commitment", evidenceIds = new[] { "ev-final" }, statement = "Delivered." }).Ok();
        await Supervisor().PostJsonAsync(Path(id, "claims/claim-all/verification"), new { method = "SiteInspection", verdict = "Verified", findings = "Seen." }).Ok();

        await AssertRefusedAsync(id, () => host.Client("decision").PostJsonAsync(Path(id, "revision"), Revision(Reference)),
            HttpStatusCode.Conflict, "commitment_fulfilled", null);
    }

    // ---- bad input: problem+json naming the field, nothing appended ----

    [Theory]
    [InlineData("assessments", "rationale")]
    [InlineData("assessments", "confidence")]
    [InlineData("rectifications", "requiredActions")]
    [InlineData("rectifications", "dueOn")]
    [InlineData("escalations", "options")]
    public async Task A_missing_field_is_refused_with_400_field_required_naming_it(string action, string field)
    {
        var id = await ActiveAsync("sup-missing");
        var body = JsonNode.Parse(await Json.Body(BodyFor(action)).ReadAsStringAsync())!.AsObject();
        body.Remove(field);
        await AssertRefusedAsync(id, () => Supervisor().PostAsync(Path(id, action), Json.Raw(body.ToJsonString())),
            HttpStatusCode.BadRequest, "field_required", field);
    }

    [Theory]
    [InlineData("assessments", "rationale", "\"  \"", "required")]
    [InlineData("assessments", "period", "\"\"", "required")]
    [InlineData("rectifications", "findings", "\"\"", "required")]
    [InlineData("rectifications", "requiredActions", "[]", "required_actions_required")]
    [InlineData("rectifications", "dueOn", "\"2024-07-15\"", "date_not_in_future")]
    [InlineData("rectifications", "dueOn", "\"2024-06-30\"", "date_not_in_future")]
    [InlineData("rectifications", "governmentId", "\"430281\"", "not_a_participant")]
    [InlineData("escalations", "options", "[]", "options_required")]
    [InlineData("escalations", "rectificationId", "\"rect-nowhere\"", "unknown_rectification")]
    public async Task A_value_that_breaks_a_rule_is_refused_with_422_naming_the_field(string action, string field, string json, string code)
    {
        var id = await ActiveAsync("sup-rule");
        var body = JsonNode.Parse(await Json.Body(BodyFor(action)).ReadAsStringAsync())!.AsObject();
        body[field] = JsonNode.Parse(json);
        await AssertRefusedAsync(id, () => Supervisor().PostAsync(Path(id, action), Json.Raw(body.ToJsonString())),
            HttpStatusCode.UnprocessableEntity, code, field);
    }

    [Fact]
    public async Task A_blank_required_action_is_named_by_its_index()
    {
        var id = await ActiveAsync("sup-blank-action");
        var body = JsonNode.Parse(await Json.Body(Order("rect-1")).ReadAsStringAsync())!.AsObject();
        body["requiredActions"] = new JsonArray("File a plan", "");
        await AssertRefusedAsync(id, () => Supervisor().PostAsync(Path(id, "rectifications"), Json.Raw(body.ToJsonString())),
            HttpStatusCode.UnprocessableEntity, "required", "requiredActions[1]");
    }

    [Theory]
    [InlineData("confidence", "\"Purple\"")]
    [InlineData("completion", "2")]
    public async Task An_assessment_off_its_scale_is_refused_with_400_invalid_value(string field, string json)
    {
        var id = await ActiveAsync("sup-scale");
        var body = JsonNode.Parse(await Json.Body(Assessment("as-1", "Green", "Limited")).ReadAsStringAsync())!.AsObject();
        body[field] = JsonNode.Parse(json);
        await AssertRefusedAsync(id, () => Supervisor().PostAsync(Path(id, "assessments"), Json.Raw(body.ToJsonString())),
            HttpStatusCode.BadRequest, "invalid_value", field);
    }

    [Fact]
    public async Task A_response_citing_evidence_not_attached_is_refused_with_422_unknown_evidence()
    {
        var id = await ActiveAsync("sup-unknown-evidence");
        await Supervisor().PostJsonAsync(Path(id, "rectifications"), Order("rect-1")).Ok();
        await Liuyang().PostJsonAsync(Path(id, "evidence"), PilotRequests.Evidence("ev-real")).Ok();
        await AssertRefusedAsync(id, () => Liuyang().PostJsonAsync(Path(id, "rectifications/rect-1/response"),
                new { response = "See the attached.", evidenceIds = new[] { "ev-real", "ev-imagined" } }),
            HttpStatusCode.UnprocessableEntity, "unknown_evidence", "evidenceIds[1]");
    }

    [Fact]
    public async Task A_rejection_with_a_new_due_date_not_after_today_is_refused_with_422()
    {
        var id = await ActiveAsync("sup-past-new-due");
        await Supervisor().PostJsonAsync(Path(id, "rectifications"), Order("rect-1")).Ok();
        await Liuyang().PostJsonAsync(Path(id, "rectifications/rect-1/response"), new { response = "Done." }).Ok();
        await AssertRefusedAsync(id, () => Supervisor().PostJsonAsync(Path(id, "rectifications/rect-1/rejection"),
                new { findings = "Not done.", newDueOn = "2024-07-01" }),
            HttpStatusCode.UnprocessableEntity, "date_not_in_future", "newDueOn");
    }

    [Theory]
    [InlineData("decisionReference", "\"xgb-ppc-1999-01\"", "unknown_decision", "decisionReference")]
    [InlineData("newDeadline", "\"2024-07-15\"", "date_not_in_future", "newDeadline")]
    [InlineData("rescheduledMilestones", "[{\"milestoneId\":\"joint-monitoring-station\",\"due\":\"2026-01-31\"}]", "milestone_after_deadline", "rescheduledMilestones[0].due")]
    [InlineData("rescheduledMilestones", "[{\"milestoneId\":\"joint-monitoring-station\",\"due\":\"2024-10-31\"},{\"milestoneId\":\"no-such-step\",\"due\":\"2024-10-31\"}]", "unknown_milestone", "rescheduledMilestones[1].milestoneId")]
    public async Task A_revision_that_breaks_a_rule_is_refused_with_422_naming_the_field(string field, string json, string code, string at)
    {
        var id = await DecidedAsync("sup-bad-revision");
        var body = JsonNode.Parse(await Json.Body(Revision(Reference)).ReadAsStringAsync())!.AsObject();
        body[field] = JsonNode.Parse(json);
        if (field == "rescheduledMilestones") body.Remove("newDeadline");
        await AssertRefusedAsync(id, () => host.Client("decision").PostAsync(Path(id, "revision"), Json.Raw(body.ToJsonString())),
            HttpStatusCode.UnprocessableEntity, code, at);
    }

    [Fact]
    public async Task A_revision_with_a_null_rescheduled_milestone_is_refused_with_400_naming_it()
    {
        // A null where the request's schema allows none is malformed, in a list as in a field (NullElements).
        var id = await DecidedAsync("sup-null-milestone");
        var body = JsonNode.Parse(await Json.Body(Revision(Reference)).ReadAsStringAsync())!.AsObject();
        body["rescheduledMilestones"] = JsonNode.Parse("[null]");
        body.Remove("newDeadline");
        await AssertRefusedAsync(id, () => host.Client("decision").PostAsync(Path(id, "revision"), Json.Raw(body.ToJsonString())),
            HttpStatusCode.BadRequest, "invalid_value", "rescheduledMilestones[0]");
    }

    [Fact]
    public async Task A_revision_that_changes_nothing_is_refused_with_422_nothing_to_revise()
    {
        var id = await DecidedAsync("sup-empty-revision");
        await AssertRefusedAsync(id, () => host.Client("decision").PostJsonAsync(Path(id, "revision"),
                new { revisionId = "rev-1", reason = "Nothing really.", decisionReference = Reference }),
            HttpStatusCode.UnprocessableEntity, "nothing_to_revise", "newDeadline");
    }

    [Fact]
    public async Task An_unknown_field_in_a_supervision_body_is_refused_with_400_unknown_field()
    {
        var id = await ActiveAsync("sup-unknown-field");
        var body = JsonNode.Parse(await Json.Body(Order("rect-1")).ReadAsStringAsync())!.AsObject();
        body["severity"] = "high";
        await AssertRefusedAsync(id, () => Supervisor().PostAsync(Path(id, "rectifications"), Json.Raw(body.ToJsonString())),
            HttpStatusCode.BadRequest, "unknown_field", "severity");
    }

    // ---- helpers ----

    private static int _next;

    private async Task<string> ActiveAsync(string prefix)
    {
        var id = $"{prefix}-{Interlocked.Increment(ref _next)}";
        await PilotZone.ActiveCommitmentAsync(host, id);
        return id;
    }

    /// <summary>An active commitment with an escalation decided at the decision level under <see cref="Reference"/>.</summary>
    private async Task<string> DecidedAsync(string prefix)
    {
        var id = await ActiveAsync(prefix);
        await Supervisor().PostJsonAsync(Path(id, "escalations"), Escalation("esc-1")).Ok();
        await host.Client("decision").PostJsonAsync(Path(id, "escalations/esc-1/decision"), new { decisionReference = Reference, decision = "Extend." }).Ok();
        return id;
    }

    private async Task AssertRefusedAsync(string commitmentId, Func<Task<HttpResponseMessage>> send, HttpStatusCode status, string code, string? field)
    {
        var stream = "commitment/" + commitmentId;
        var before = await PilotZone.StreamLengthAsync(host, stream);
        var response = await send();

        await response.AssertProblemAsync(status, code, field);
        Assert.Equal(before, await PilotZone.StreamLengthAsync(host, stream));
    }

    private async Task<JsonNode> RecordAsync(string id) => await (await Auditor().GetAsync($"/api/commitments/{id}")).ReadAsync();

    private async Task<JsonArray> ItemsAsync(string id, string list) =>
        (await (await Auditor().GetAsync($"/api/commitments/{id}/{list}")).ReadAsync())["items"]!.AsArray();

    private static List<string?> Values(JsonNode history, string field) =>
        [.. history[field]!.AsArray().Select(v => (string?)v!["value"])];

    private HttpClient Supervisor() => host.Client("supervisor");
    private HttpClient Liuyang() => host.Client("government", PilotZone.Liuyang);
    private HttpClient Auditor() => host.Client("auditor");

    private static string Path(string id, string action) => $"/api/commitments/{id}/{action}";

    private static object BodyFor(string action) => action switch
    {
        "assessments" => Assessment("as-1", "Green", "Limited"),
        "rectifications" => Order("rect-1"),
        _ => Escalation("esc-1"),
    };

    private static object Assessment(string assessmentId, string confidence, string completion) => new
    {
        assessmentId,
        period = "2024-Q2",
        completion,
        confidence,
        risk = "Moderate",
        rationale = "The joint monitoring station missed its 2024-06-30 milestone.",
    };

    private static object Order(string rectificationId, string governmentId = PilotZone.Liuyang) => new
    {
        rectificationId,
        governmentId,
        findings = "The joint monitoring station was not in service by 2024-06-30.",
        requiredActions = new[] { "Put the station in service", "Report the cause of the delay" },
        dueOn = "2024-08-31",
    };

    private static object Escalation(string escalationId, string? rectificationId = null) => new
    {
        escalationId,
        subject = "The joint monitoring station is blocked across the border.",
        options = new[] { "Reschedule the station", "Suspend the commitment" },
        rectificationId,
    };

    private static object Revision(string decisionReference) => new
    {
        revisionId = "rev-1",
        reason = "Decision of the promotion conference.",
        decisionReference,
        newDeadline = "2026-06-30",
    };
}
