using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests;

/// <summary>Who calls: the three governments as the pilot zone places them, the other roles, and three callers without a valid token.</summary>
public enum Caller
{
    /// <summary>Liuyang: the agreement's lead party and the commitments' lead government.</summary>
    Lead,
    /// <summary>Shangli: the agreement's other signatory and a contributor to the commitments.</summary>
    Contributor,
    /// <summary>Liling: registered, but neither a party nor a participant.</summary>
    Foreign,
    Supervisor,
    Decision,
    Auditor,
    Admin,
    /// <summary>The national overview's reader: writes nothing in any zone.</summary>
    National,
    NoToken,
    ExpiredToken,
    ForeignKeyToken,
}

/// <summary>The matrix sends a few hundred requests as a handful of principals, with integration on demand.</summary>
public sealed class MatrixHost : LedgerHost
{
    protected override void Customize(IWebHostBuilder builder) => builder.UseSetting("Integrity:Background", "false");
}

/// <summary>
/// Every write endpoint against every caller. Each cell starts from state of its own in which the
/// call would succeed for an allowed caller, so a refusal can only come from who is calling: an
/// allowed caller gets 201, anyone else 403 (or the one documented domain answer), a caller without a
/// valid token 401. A refused call appends nothing anywhere. A write endpoint the table does not
/// list fails <see cref="Every_write_endpoint_under_api_is_in_the_matrix"/>.
/// </summary>
public sealed class RoleMatrixTests(MatrixHost host) : IClassFixture<MatrixHost>, IAsyncLifetime
{
    private static int _next;

    private sealed record Call(string Path, object? Body, string? StreamKey);

    /// <param name="Pattern">The route as the app maps it.</param>
    /// <param name="Variant">What distinguishes a second row for the same route.</param>
    /// <param name="Allowed">Callers that succeed; every other caller with a valid token gets 403.</param>
    /// <param name="Arrange">Fresh state for one cell, and the call to make on it as the given caller.</param>
    /// <param name="DomainAnswers">Callers who pass authorization but whose call the decider answers with a domain 4xx.</param>
    private sealed record Row(
        string Pattern, string? Variant, Caller[] Allowed, Func<RoleMatrixTests, Caller, Task<Call>> Arrange,
        Dictionary<Caller, (HttpStatusCode Status, string Code)>? DomainAnswers = null)
    {
        public string Name => Variant is null ? $"POST {Pattern}" : $"POST {Pattern} ({Variant})";
    }

    private static readonly Caller[] Governments = [Caller.Lead, Caller.Contributor, Caller.Foreign];
    private static readonly Caller[] Authenticated = [.. Governments, Caller.Supervisor, Caller.Decision, Caller.Auditor, Caller.Admin, Caller.National];

    private static readonly Row[] Matrix =
    [
        new("/api/governments", null, [Caller.Admin], (_, _) => Task.FromResult(RegisterGovernment())),
        new("/api/agreements", null, [Caller.Supervisor], (_, _) => Task.FromResult(DraftAgreement())),
        new("/api/agreements/{agreementId}/signatures", "for itself", [Caller.Lead, Caller.Contributor],
            async (t, c) => Sign(await t.DraftedAgreementAsync(), GovernmentOf(c) ?? PilotZone.Liuyang),
            // The body names a government that is not a party: the decider answers it as a rule (not_a_party).
            new() { [Caller.Foreign] = (HttpStatusCode.UnprocessableEntity, "not_a_party") }),
        new("/api/agreements/{agreementId}/signatures", "for another party", [],
            async (t, c) => Sign(await t.DraftedAgreementAsync(), c == Caller.Lead ? PilotZone.Shangli : PilotZone.Liuyang)),
        new("/api/agreements/{agreementId}/activation", null, [Caller.Supervisor, Caller.Decision],
            async (t, _) => AgreementCall(await t.SignedAgreementAsync(), "activation", null)),
        new("/api/agreements/{agreementId}/amendments", null, [Caller.Decision],
            async (t, _) => AgreementCall(await t.ActiveAgreementAsync(), "amendments",
                new { summary = "Add the Lu river tributaries.", decisionReference = "HX-2026-07" })),
        new("/api/agreements/{agreementId}/termination", null, [Caller.Decision],
            async (t, _) => AgreementCall(await t.ActiveAgreementAsync(), "termination",
                new { reason = "Superseded by the 2026 framework.", decisionReference = "HX-2026-08" })),
        new("/api/commitments", null, [Caller.Lead], (_, _) => Task.FromResult(RegisterCommitment())),
        new("/api/commitments/{commitmentId}/activation", null, [Caller.Supervisor],
            async (t, _) => CommitmentCall(await t.DraftCommitmentAsync(), "activation", null)),
        new("/api/commitments/{commitmentId}/suspension", null, [Caller.Supervisor],
            async (t, _) => CommitmentCall(await t.ActiveCommitmentAsync(), "suspension", new { reason = "Monitoring data under review." })),
        new("/api/commitments/{commitmentId}/resumption", null, [Caller.Supervisor],
            async (t, _) => CommitmentCall(await t.SuspendedCommitmentAsync(), "resumption", new { reason = "Review closed." })),
        new("/api/commitments/{commitmentId}/withdrawal", "draft", [Caller.Lead, Caller.Decision],
            async (t, _) => CommitmentCall(await t.DraftCommitmentAsync(), "withdrawal", new { reason = "Registered in error." })),
        new("/api/commitments/{commitmentId}/withdrawal", "active", [Caller.Decision],
            async (t, _) => CommitmentCall(await t.ActiveCommitmentAsync(), "withdrawal", new { reason = "Merged into another commitment." })),
        new("/api/commitments/{commitmentId}/progress", null, [Caller.Lead, Caller.Contributor],
            async (t, _) => CommitmentCall(await t.ActiveCommitmentAsync(), "progress", Report("matrix-report"))),
        new("/api/commitments/{commitmentId}/corrections", null, [Caller.Lead, Caller.Contributor],
            async (t, _) => CommitmentCall(await t.ReportedCommitmentAsync(), "corrections", new
            {
                correctionId = "matrix-correction",
                correctsReportId = "matrix-first-report",
                values = new[] { new { indicatorId = "months-class-iii", value = 10m } },
                reason = "One month was misread.",
            })),
        new("/api/commitments/{commitmentId}/evidence", null, [Caller.Lead, Caller.Contributor],
            async (t, _) => CommitmentCall(await t.ActiveCommitmentAsync(), "evidence", PilotRequests.Evidence("matrix-evidence"))),
        new("/api/commitments/{commitmentId}/claims", null, [Caller.Lead],
            async (t, _) => CommitmentCall(await t.EvidencedCommitmentAsync(), "claims", Claim())),
        new("/api/commitments/{commitmentId}/claims/{claimId}/withdrawal", null, [Caller.Lead],
            async (t, _) => CommitmentCall(await t.ClaimedCommitmentAsync(), "claims/station-claim/withdrawal", new { reason = "Filed too early." })),
        new("/api/commitments/{commitmentId}/claims/{claimId}/verification", null, [Caller.Supervisor],
            async (t, _) => CommitmentCall(await t.ClaimedCommitmentAsync(), "claims/station-claim/verification",
                new { method = "SiteInspection", verdict = "Verified", findings = "Station inspected on site; in service." })),
        new("/api/commitments/{commitmentId}/assessments", null, [Caller.Supervisor],
            async (t, _) => CommitmentCall(await t.ActiveCommitmentAsync(), "assessments", Assessment())),
        new("/api/commitments/{commitmentId}/rectifications", null, [Caller.Supervisor],
            async (t, _) => CommitmentCall(await t.ActiveCommitmentAsync(), "rectifications", t.Rectification())),
        // Ordered to Liuyang: the contributor is a participant, but not the government the order binds (403).
        new("/api/commitments/{commitmentId}/rectifications/{rectificationId}/response", null, [Caller.Lead],
            async (t, _) => CommitmentCall(await t.OrderedCommitmentAsync(), "rectifications/matrix-rect/response", RectificationResponse())),
        new("/api/commitments/{commitmentId}/rectifications/{rectificationId}/acceptance", null, [Caller.Supervisor],
            async (t, _) => CommitmentCall(await t.RespondedCommitmentAsync(), "rectifications/matrix-rect/acceptance", new { findings = "Station in service." })),
        new("/api/commitments/{commitmentId}/rectifications/{rectificationId}/rejection", null, [Caller.Supervisor],
            async (t, _) => CommitmentCall(await t.RespondedCommitmentAsync(), "rectifications/matrix-rect/rejection",
                new { findings = "No acceptance report.", newDueOn = t.DaysAhead(120) })),
        // A participating government raises to coordination, a supervisor to decision; a foreign government is no participant (403).
        new("/api/commitments/{commitmentId}/escalations", null, [Caller.Lead, Caller.Contributor, Caller.Supervisor],
            async (t, _) => CommitmentCall(await t.ActiveCommitmentAsync(), "escalations", Escalation())),
        new("/api/commitments/{commitmentId}/escalations/{escalationId}/decision", "raised to coordination", [Caller.Supervisor],
            async (t, _) => CommitmentCall(await t.EscalatedCommitmentAsync("government"), "escalations/matrix-escalation/decision", EscalationDecision())),
        new("/api/commitments/{commitmentId}/escalations/{escalationId}/decision", "raised to decision", [Caller.Decision],
            async (t, _) => CommitmentCall(await t.EscalatedCommitmentAsync("supervisor"), "escalations/matrix-escalation/decision", EscalationDecision())),
        new("/api/commitments/{commitmentId}/revision", null, [Caller.Decision],
            async (t, _) => CommitmentCall(await t.DecidedCommitmentAsync(), "revision", new
            {
                revisionId = "matrix-revision",
                reason = "Decision of the promotion conference.",
                decisionReference = "matrix-decision",
                newDeadline = t.DaysAhead(365),
            })),
        new("/api/evaluations", null, [Caller.Supervisor], (_, _) => Task.FromResult(OpenCycle())),
        new("/api/evaluations/{cycleId}/scorecards", null, [Caller.Supervisor],
            async (t, _) => EvaluationCall(await t.OpenCycleAsync(), "scorecards", null)),
        // Every registered government has a scorecard of its own to appeal.
        new("/api/evaluations/{cycleId}/appeals", "its own score", Governments,
            async (t, _) => EvaluationCall(await t.PublishedCycleAsync(), "appeals", new { appealId = "matrix-appeal", grounds = "The station report was counted late." })),
        new("/api/evaluations/{cycleId}/appeals", "another government's score", [],
            async (t, c) => EvaluationCall(await t.PublishedCycleAsync(), "appeals",
                new { appealId = "matrix-appeal", grounds = "Their score is too high.", governmentId = c == Caller.Lead ? PilotZone.Shangli : PilotZone.Liuyang })),
        new("/api/evaluations/{cycleId}/appeals/{appealId}/decision", null, [Caller.Supervisor],
            async (t, _) => EvaluationCall(await t.AppealedCycleAsync(), "appeals/matrix-appeal/decision",
                new { upheld = false, findings = "The report was counted on the day it arrived." })),
        // Signs a checkpoint of the log: any role may, and it appends no event.
        new("/api/integrity/checkpoints", null, Authenticated, (_, _) => Task.FromResult(new Call("/api/integrity/checkpoints", null, null))),
    ];

    public static TheoryData<string, Caller> Cells()
    {
        var cells = new TheoryData<string, Caller>();
        foreach (var row in Matrix)
            foreach (var caller in Enum.GetValues<Caller>())
                cells.Add(row.Name, caller);
        return cells;
    }

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

    [Fact]
    public void Every_write_endpoint_under_api_is_in_the_matrix()
    {
        var writes = host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Where(m => m is not ("GET" or "HEAD" or "OPTIONS"))
                .Select(m => $"{m} {e.RoutePattern.RawText!.TrimEnd('/')}"))
            .ToHashSet();
        var listed = Matrix.Select(r => $"POST {r.Pattern}").ToHashSet();

        Assert.NotEmpty(writes);
        var missing = writes.Except(listed).Order().ToList();
        Assert.True(missing.Count == 0, "write endpoints missing from the role matrix: " + string.Join(", ", missing));
        var stale = listed.Except(writes).Order().ToList();
        Assert.True(stale.Count == 0, "matrix rows for endpoints the app no longer maps: " + string.Join(", ", stale));
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Each_write_endpoint_answers_each_caller_as_the_matrix_says(string row, Caller caller)
    {
        var cell = Matrix.Single(r => r.Name == row);
        // A caller without a valid token presents the identity that would be allowed, so only the token is at fault.
        var identity = caller is Caller.NoToken or Caller.ExpiredToken or Caller.ForeignKeyToken
            ? cell.Allowed.FirstOrDefault(Caller.Lead)
            : caller;
        var call = await cell.Arrange(this, identity);
        var eventsBefore = await EventCountAsync();
        var streamBefore = call.StreamKey is null ? 0 : await PilotZone.StreamLengthAsync(host, call.StreamKey);

        using var response = await ClientFor(caller, identity).PostAsync(call.Path, call.Body is null ? null : Json.Body(call.Body));
        var text = await response.Content.ReadAsStringAsync();

        var (status, code) = Expected(cell, caller);
        Assert.True(response.StatusCode == status, $"{row} as {caller}: expected {(int)status}, got {(int)response.StatusCode}: {text}");
        if (status == HttpStatusCode.Created)
        {
            if (call.StreamKey is null)
            {
                Assert.Equal(eventsBefore, await EventCountAsync());
                return;
            }
            var appended = JsonNode.Parse(text)!["events"]!.AsArray().Count;
            Assert.True(appended > 0, text);
            Assert.Equal(streamBefore + appended, await PilotZone.StreamLengthAsync(host, call.StreamKey));
            Assert.Equal(eventsBefore + appended, await EventCountAsync());
            return;
        }
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        if (code is not null) Assert.Equal(code, (string?)problem["code"]);
        Assert.False(string.IsNullOrEmpty((string?)problem["code"]), text);
        Assert.Equal(eventsBefore, await EventCountAsync());
        if (call.StreamKey is not null)
            Assert.Equal(streamBefore, await PilotZone.StreamLengthAsync(host, call.StreamKey));
    }

    private static (HttpStatusCode Status, string? Code) Expected(Row row, Caller caller) => caller switch
    {
        Caller.NoToken or Caller.ExpiredToken or Caller.ForeignKeyToken => (HttpStatusCode.Unauthorized, "unauthenticated"),
        _ when row.Allowed.Contains(caller) => (HttpStatusCode.Created, null),
        _ when row.DomainAnswers?.TryGetValue(caller, out var answer) == true => (answer.Status, answer.Code),
        _ => (HttpStatusCode.Forbidden, null),
    };

    private HttpClient ClientFor(Caller caller, Caller identity)
    {
        switch (caller)
        {
            case Caller.NoToken:
                return host.Anonymous();
            case Caller.ExpiredToken:
            {
                var twoHoursAgo = new ManualClock(DateTimeOffset.UtcNow.AddHours(-2));
                var issuer = new TokenIssuer(host.Services.GetRequiredService<TokenSettings>(), twoHoursAgo);
                return WithToken(issuer.Issue(RoleOf(identity), GovernmentOf(identity), TimeSpan.FromHours(1)));
            }
            case Caller.ForeignKeyToken:
            {
                var stranger = new TokenSettings(TokenSettings.DefaultIssuer, TokenSettings.DefaultAudience, null, null, RandomNumberGenerator.GetBytes(32));
                return WithToken(new TokenIssuer(stranger, TimeProvider.System).Issue(RoleOf(identity), GovernmentOf(identity), TimeSpan.FromHours(1)));
            }
            default:
                return host.Client(RoleOf(caller), GovernmentOf(caller));
        }
    }

    private HttpClient WithToken(string token)
    {
        var client = host.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static string RoleOf(Caller caller) => caller switch
    {
        Caller.Lead or Caller.Contributor or Caller.Foreign => "government",
        _ => caller.ToString().ToLowerInvariant(),
    };

    private static string? GovernmentOf(Caller caller) => caller switch
    {
        Caller.Lead => PilotZone.Liuyang,
        Caller.Contributor => PilotZone.Shangli,
        Caller.Foreign => PilotZone.Liling,
        _ => null,
    };

    private Task<long> EventCountAsync() => TestDatabase.ScalarAsync<long>($"select count(*) from \"{host.Schema}\".mt_events");

    private static int Next() => Interlocked.Increment(ref _next);

    // ---- the calls, each on state of its own ----

    private static Call RegisterGovernment()
    {
        var id = (710000 + Next()).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new Call("/api/governments",
            new { governmentId = id, nameZh = "测试县", nameEn = "Matrix " + id, province = "Hunan", prefecture = "Zhuzhou", level = "County" },
            $"government/{id}");
    }

    private static Call DraftAgreement()
    {
        var id = $"matrix-agreement-{Next()}";
        return new Call("/api/agreements", new
        {
            agreementId = id,
            title = "Matrix cooperation agreement",
            taskArea = "Ecology",
            parties = new[] { new { governmentId = PilotZone.Liuyang, role = "Lead" }, new { governmentId = PilotZone.Shangli, role = "Signatory" } },
            termStart = "2021-01-01",
            termEnd = "2030-12-31",
        }, $"agreement/{id}");
    }

    private static Call Sign(string agreementId, string governmentId) =>
        AgreementCall(agreementId, "signatures", new { governmentId, signedOn = "2021-03-01" });

    private static Call AgreementCall(string agreementId, string action, object? body) =>
        new($"/api/agreements/{agreementId}/{action}", body, $"agreement/{agreementId}");

    private static Call RegisterCommitment()
    {
        var id = $"matrix-commitment-{Next()}";
        return new Call("/api/commitments", PilotZone.WaterCommitment(id), $"commitment/{id}");
    }

    private static Call CommitmentCall(string commitmentId, string action, object? body) =>
        new($"/api/commitments/{commitmentId}/{action}", body, $"commitment/{commitmentId}");

    private static object Report(string reportId) => new
    {
        reportId,
        period = "2024",
        asOf = "2024-12-31",
        values = new[] { new { indicatorId = "months-class-iii", value = 11m } },
        narrative = "Eleven months at Class III or better.",
    };

    private static object Claim() => new
    {
        claimId = "station-claim",
        scope = "Milestone",
        subject = "joint-monitoring-station",
        evidenceIds = new[] { "station-acceptance" },
        statement = "The joint monitoring station has been in service since 20 June 2024.",
    };

    // Supervision: dates relative to the host's clock, so that "after today" holds wherever the clock stands.
    private string DaysAhead(int days) =>
        DateOnly.FromDateTime(host.Clock.GetUtcNow().UtcDateTime).AddDays(days).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static object Assessment() => new
    {
        assessmentId = "matrix-assessment",
        period = "2024",
        completion = "Substantial",
        confidence = "AmberGreen",
        risk = "Low",
        rationale = "Eleven months at Class III or better.",
    };

    private object Rectification() => new
    {
        rectificationId = "matrix-rect",
        governmentId = PilotZone.Liuyang,
        findings = "The joint monitoring station missed its due date.",
        requiredActions = new[] { "Put the station in service" },
        dueOn = DaysAhead(90),
    };

    private static object RectificationResponse() => new { response = "The station is in service.", evidenceIds = Array.Empty<string>() };

    private static object Escalation() => new
    {
        escalationId = "matrix-escalation",
        subject = "The station's power connection is blocked across the border.",
        options = new[] { "Reschedule the station" },
    };

    private static object EscalationDecision() => new { decisionReference = "matrix-decision", decision = "Reschedule the station." };

    private async Task<string> OrderedCommitmentAsync()
    {
        var id = await ActiveCommitmentAsync();
        await host.Client("supervisor").PostJsonAsync($"/api/commitments/{id}/rectifications", Rectification()).Ok();
        return id;
    }

    private async Task<string> RespondedCommitmentAsync()
    {
        var id = await OrderedCommitmentAsync();
        await host.Client("government", PilotZone.Liuyang).PostJsonAsync($"/api/commitments/{id}/rectifications/matrix-rect/response", RectificationResponse()).Ok();
        return id;
    }

    // By "government" (Liuyang) the escalation goes to coordination; by "supervisor", to decision.
    private async Task<string> EscalatedCommitmentAsync(string by)
    {
        var id = await ActiveCommitmentAsync();
        await host.Client(by, by == "government" ? PilotZone.Liuyang : null).PostJsonAsync($"/api/commitments/{id}/escalations", Escalation()).Ok();
        return id;
    }

    private async Task<string> DecidedCommitmentAsync()
    {
        var id = await EscalatedCommitmentAsync("supervisor");
        await host.Client("decision").PostJsonAsync($"/api/commitments/{id}/escalations/matrix-escalation/decision", EscalationDecision()).Ok();
        return id;
    }

    private async Task<string> DraftedAgreementAsync()
    {
        var draft = DraftAgreement();
        await host.Client("supervisor").PostJsonAsync(draft.Path, draft.Body!).Ok();
        return draft.StreamKey!["agreement/".Length..];
    }

    private async Task<string> SignedAgreementAsync()
    {
        var id = await DraftedAgreementAsync();
        foreach (var government in new[] { PilotZone.Liuyang, PilotZone.Shangli })
            await host.Client("government", government).PostJsonAsync($"/api/agreements/{id}/signatures", new { governmentId = government, signedOn = "2021-03-01" }).Ok();
        return id;
    }

    private async Task<string> ActiveAgreementAsync()
    {
        var id = await SignedAgreementAsync();
        await host.Client("supervisor").PostAsync($"/api/agreements/{id}/activation", null).Ok();
        return id;
    }

    private async Task<string> DraftCommitmentAsync()
    {
        var register = RegisterCommitment();
        await host.Client("government", PilotZone.Liuyang).PostJsonAsync(register.Path, register.Body!).Ok();
        return register.StreamKey!["commitment/".Length..];
    }

    private async Task<string> ActiveCommitmentAsync()
    {
        var id = await DraftCommitmentAsync();
        await host.Client("supervisor").PostAsync($"/api/commitments/{id}/activation", null).Ok();
        return id;
    }

    private async Task<string> SuspendedCommitmentAsync()
    {
        var id = await ActiveCommitmentAsync();
        await host.Client("supervisor").PostJsonAsync($"/api/commitments/{id}/suspension", new { reason = "Monitoring data under review." }).Ok();
        return id;
    }

    private async Task<string> ReportedCommitmentAsync()
    {
        var id = await ActiveCommitmentAsync();
        await host.Client("government", PilotZone.Liuyang).PostJsonAsync($"/api/commitments/{id}/progress", Report("matrix-first-report")).Ok();
        return id;
    }

    private async Task<string> EvidencedCommitmentAsync()
    {
        var id = await ActiveCommitmentAsync();
        await host.Client("government", PilotZone.Liuyang).PostJsonAsync($"/api/commitments/{id}/evidence", PilotRequests.Evidence("station-acceptance")).Ok();
        return id;
    }

    private static Call OpenCycle()
    {
        var id = $"matrix-cycle-{Next()}";
        return new Call("/api/evaluations", new
        {
            cycleId = id,
            period = "2024",
            start = "2024-01-01",
            end = "2024-12-31",
            // 1.0 gives every registered government a scorecard of its own, whatever the matrix's ledger
            // holds when the row runs: the rows are about who may call, not about scoring.
            methodVersion = "xgb-eval-1.0",
            weights = new { indicatorAchievement = 40, milestonesOnTime = 20, reportingTimeliness = 10, verificationPassRate = 15, rectificationOnTime = 10, jointActions = 5 },
        }, $"evaluation/{id}");
    }

    private static Call EvaluationCall(string cycleId, string action, object? body) =>
        new($"/api/evaluations/{cycleId}/{action}", body, $"evaluation/{cycleId}");

    private async Task<string> OpenCycleAsync()
    {
        var open = OpenCycle();
        await host.Client("supervisor").PostJsonAsync(open.Path, open.Body!).Ok();
        return open.StreamKey!["evaluation/".Length..];
    }

    private async Task<string> PublishedCycleAsync()
    {
        var id = await OpenCycleAsync();
        await host.Client("supervisor").PostAsync($"/api/evaluations/{id}/scorecards", null).Ok();
        return id;
    }

    private async Task<string> AppealedCycleAsync()
    {
        var id = await PublishedCycleAsync();
        await host.Client("government", PilotZone.Liuyang).PostJsonAsync($"/api/evaluations/{id}/appeals",
            new { appealId = "matrix-appeal", grounds = "The station report was counted late." }).Ok();
        return id;
    }

    private async Task<string> ClaimedCommitmentAsync()
    {
        var id = await EvidencedCommitmentAsync();
        await host.Client("government", PilotZone.Liuyang).PostJsonAsync($"/api/commitments/{id}/claims", Claim()).Ok();
        return id;
    }
}
