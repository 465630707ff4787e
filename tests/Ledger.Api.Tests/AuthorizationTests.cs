using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests;

/// <summary>
/// Who may do what: a valid token from the ledger's key, the endpoint's role, and then the decider's own
/// check of who leads or contributes. Refusals append nothing.
/// </summary>
public sealed class AuthorizationTests(LedgerHost host) : IClassFixture<LedgerHost>, IAsyncLifetime
{
    private const string Water = "auth-water";

    public async Task InitializeAsync()
    {
        // The fixture is shared by the class: the pilot zone is set up by the first test only.
        if ((await host.Client("auditor").GetAsync($"/api/agreements/{PilotZone.Agreement}")).StatusCode == HttpStatusCode.NotFound)
        {
            await PilotZone.RegisterGovernmentsAsync(host);
            await PilotZone.ActivateAgreementAsync(host);
            await PilotZone.ActiveCommitmentAsync(host, Water);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_request_without_a_token_is_refused_with_401_problem_json()
    {
        var anonymous = host.Anonymous();

        await AssertRefusedAsync(() => anonymous.PostAsync($"/api/commitments/{Water}/progress", Report("anonymous")), HttpStatusCode.Unauthorized);
        var read = await anonymous.GetAsync($"/api/commitments/{Water}");
        Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        Assert.Equal("application/problem+json", read.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused_with_401()
    {
        var settings = new TokenSettings(TokenSettings.DefaultIssuer, TokenSettings.DefaultAudience, null, null, RandomNumberGenerator.GetBytes(32));
        var forged = new TokenIssuer(settings, TimeProvider.System).Issue("government", PilotZone.Liuyang, TimeSpan.FromHours(1));

        await AssertRefusedAsync(() => WithToken(forged).PostAsync($"/api/commitments/{Water}/progress", Report("forged")), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithToken(forged).GetAsync($"/api/commitments/{Water}")).StatusCode);
    }

    [Fact]
    public async Task An_expired_token_from_the_ledgers_own_key_is_refused_with_401()
    {
        var twoHoursAgo = new ManualClock(DateTimeOffset.UtcNow.AddHours(-2));
        var expired = new TokenIssuer(host.Services.GetRequiredService<TokenSettings>(), twoHoursAgo).Issue("government", PilotZone.Liuyang, TimeSpan.FromHours(1));

        await AssertRefusedAsync(() => WithToken(expired).PostAsync($"/api/commitments/{Water}/progress", Report("expired")), HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("auditor")]
    [InlineData("supervisor")]
    [InlineData("decision")]
    [InlineData("admin")]
    public async Task Only_a_government_reports_progress_and_any_other_role_is_refused_with_403(string role)
    {
        await AssertRefusedAsync(() => host.Client(role).PostAsync($"/api/commitments/{Water}/progress", Report($"by-{role}")), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_government_that_neither_leads_nor_contributes_is_refused_with_403_not_a_participant()
    {
        var liling = host.Client("government", PilotZone.Liling);

        var problem = await AssertRefusedAsync(() => liling.PostAsync($"/api/commitments/{Water}/progress", Report("by-liling")), HttpStatusCode.Forbidden);

        Assert.Equal("not_a_participant", (string?)problem["code"]);
    }

    [Fact]
    public async Task A_contributing_government_reports_progress_in_its_own_name()
    {
        var before = await PilotZone.StreamLengthAsync(host, $"commitment/{Water}");

        var response = await host.Client("government", PilotZone.Shangli).PostAsync($"/api/commitments/{Water}/progress", Report("by-shangli"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(before + 1, await PilotZone.StreamLengthAsync(host, $"commitment/{Water}"));
        var record = await (await host.Client("auditor").GetAsync($"/api/commitments/{Water}")).ReadAsync();
        var report = record["recentReports"]!.AsArray().Single(r => (string?)r!["reportId"] == "by-shangli")!;
        Assert.Equal($"government:{PilotZone.Shangli}", (string?)report["reportedBy"]);
    }

    [Fact]
    public async Task Only_a_supervisor_verifies_a_claim()
    {
        await PilotZone.ActiveCommitmentAsync(host, "auth-verify");
        var liuyang = host.Client("government", PilotZone.Liuyang);
        await liuyang.PostJsonAsync("/api/commitments/auth-verify/evidence", new
        {
            evidenceId = "station-acceptance",
            documentType = "InspectionReport",
            title = "Acceptance of the Jinyushi joint monitoring station",
            sha256 = new string('a', 64),
            storageUri = "https://evidence.example.org/auth-verify/station-acceptance.pdf",
            issuer = "Liuyang Ecology and Environment Bureau",
            issuedOn = "2024-06-20",
            confidentiality = "Public",
        }).Ok();
        await liuyang.PostJsonAsync("/api/commitments/auth-verify/claims", new
        {
            claimId = "station-claim",
            scope = "Milestone",
            subject = "joint-monitoring-station",
            evidenceIds = new[] { "station-acceptance" },
            statement = "The joint monitoring station has been in service since 20 June 2024.",
        }).Ok();
        var verification = new { method = "SiteInspection", verdict = "Verified", findings = "Station inspected on site; in service." };
        const string path = "/api/commitments/auth-verify/claims/station-claim/verification";

        await AssertRefusedAsync(() => liuyang.PostJsonAsync(path, verification), HttpStatusCode.Forbidden, "commitment/auth-verify");
        await AssertRefusedAsync(() => host.Client("decision").PostJsonAsync(path, verification), HttpStatusCode.Forbidden, "commitment/auth-verify");
        var verified = await host.Client("supervisor").PostJsonAsync(path, verification);

        Assert.Equal(HttpStatusCode.Created, verified.StatusCode);
        Assert.Equal(["verification_completed.v1", "milestone_status_changed.v1"], (await verified.ReadAsync())["events"]!.AsArray().Select(e => (string?)e));
    }

    [Theory]
    [InlineData("government", PilotZone.Liuyang)]
    [InlineData("government", PilotZone.Liling)]
    [InlineData("supervisor", null)]
    [InlineData("decision", null)]
    [InlineData("auditor", null)]
    [InlineData("admin", null)]
    public async Task Every_role_reads_commitments_their_history_agreements_and_governments(string role, string? government)
    {
        var client = host.Client(role, government);

        foreach (var path in new[]
                 {
                     $"/api/commitments/{Water}", $"/api/commitments/{Water}/events", $"/api/commitments?agreement={PilotZone.Agreement}",
                     $"/api/agreements/{PilotZone.Agreement}", $"/api/agreements/{PilotZone.Agreement}/events", "/api/agreements",
                     $"/api/governments/{PilotZone.Liuyang}", $"/api/governments/{PilotZone.Liuyang}/events", "/api/governments",
                 })
        {
            var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} as {role}: {(int)response.StatusCode}");
        }
        var record = await (await client.GetAsync($"/api/commitments/{Water}")).ReadAsync();
        Assert.Equal(Water, (string?)record["commitmentId"]);
        var events = (await (await client.GetAsync($"/api/commitments/{Water}/events")).ReadAsync()).AsArray();
        Assert.Equal("commitment_registered.v1", (string?)events[0]!["type"]);
    }

    private HttpClient WithToken(string token)
    {
        var client = host.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static StringContent Report(string reportId) => Json.Body(new
    {
        reportId,
        period = "2024",
        asOf = "2024-12-31",
        values = new[] { new { indicatorId = "months-class-iii", value = 11m } },
        narrative = "Eleven months at Class III or better.",
    });

    /// <summary>The refusal is problem+json and the commitment's stream is unchanged.</summary>
    private async Task<JsonNode> AssertRefusedAsync(Func<Task<HttpResponseMessage>> send, HttpStatusCode status, string streamKey = $"commitment/{Water}")
    {
        var before = await PilotZone.StreamLengthAsync(host, streamKey);

        var response = await send();
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await PilotZone.StreamLengthAsync(host, streamKey));
        return JsonNode.Parse(text)!;
    }
}
