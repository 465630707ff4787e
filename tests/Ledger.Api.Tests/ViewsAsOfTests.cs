using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Clock;
using Ledger.Infrastructure.Daemon;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Ledger.Api.Tests;

/// <summary>
/// The supervisors' views as they were: the live views are recorded at several moments while a
/// storyline unfolds (the clock moved between batches, the daemon waited for), and afterwards the
/// as-of endpoints, which replay the events into the projection's fold, must give the same documents
/// field by field, asked by time and by the daemon position the live answer reported. The host snapshots
/// the views' fold every three events, so the replays start from snapshots, as a node's do.
/// </summary>
public sealed class ViewsAsOfTests(ViewsAsOfTests.SnapshottingHost host, ITestOutputHelper output) : IClassFixture<ViewsAsOfTests.SnapshottingHost>
{
    private const long SnapshotEvery = 3;

    /// <summary>A host whose node snapshots the views after every <see cref="SnapshotEvery"/> events, looking five times a second.</summary>
    public sealed class SnapshottingHost : LedgerHost
    {
        protected override void Customize(IWebHostBuilder builder)
        {
            builder.UseSetting("ViewSnapshots:Every", SnapshotEvery.ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("ViewSnapshots:Interval", "00:00:00.200");
        }
    }

    private const string Water = "va-water";
    private const string Station = "joint-monitoring-station";
    private static readonly string[] Governments = [PilotZone.Liuyang, PilotZone.Shangli, PilotZone.Liling];

    [Fact]
    public async Task Every_view_asked_as_of_a_recorded_moment_equals_what_the_live_view_showed_then()
    {
        var supervisor = host.Client("supervisor");
        var liuyang = host.Client("government", PilotZone.Liuyang);
        var moments = new List<Moment>();

        // 2024-06-01: the zone, the agreement and the water commitment (its station milestone due 2024-06-30).
        host.Clock.Set(new DateTimeOffset(2024, 6, 1, 2, 0, 0, TimeSpan.Zero));
        await PilotZone.RegisterGovernmentsAsync(host);
        await PilotZone.ActivateAgreementAsync(host);
        await PilotZone.ActiveCommitmentAsync(host, Water);
        moments.Add(await RecordAsync("registered"));

        // 2024-07-15: the clock notices the milestone overdue; an AmberRed assessment.
        host.Clock.Set(new DateTimeOffset(2024, 7, 15, 2, 0, 0, TimeSpan.Zero));
        var pass = await host.Services.GetRequiredService<ClockPass>().RunAsync(host.Clock.GetUtcNow(), CancellationToken.None);
        Assert.True(pass.Overdue >= 1, $"the pass noticed nothing overdue: {pass}");
        await supervisor.PostJsonAsync(Path("assessments"), new
        {
            assessmentId = "as-2024-q2", period = "2024-Q2", completion = "Limited", confidence = "AmberRed", risk = "Moderate",
            rationale = "The joint monitoring station missed its 2024-06-30 milestone.",
        }).Ok();
        moments.Add(await RecordAsync("overdue and assessed"));

        // 2024-07-20: a rectification order to Liuyang, due 2024-08-31.
        host.Clock.Set(new DateTimeOffset(2024, 7, 20, 2, 0, 0, TimeSpan.Zero));
        await supervisor.PostJsonAsync(Path("rectifications"), new
        {
            rectificationId = "rect-station", governmentId = PilotZone.Liuyang,
            findings = "The joint monitoring station was not in service by 2024-06-30.",
            requiredActions = new[] { "Put the station in service", "Report the cause of the delay" },
            dueOn = "2024-08-31",
        }).Ok();
        moments.Add(await RecordAsync("ordered"));

        // 2024-09-05: Liuyang answers after the due date (the order is five days past due).
        host.Clock.Set(new DateTimeOffset(2024, 9, 5, 2, 0, 0, TimeSpan.Zero));
        await liuyang.PostJsonAsync(Path("rectifications/rect-station/response"), new { response = "The equipment contract is signed." }).Ok();
        moments.Add(await RecordAsync("responded late"));

        // 2024-09-10: the response is rejected with a new due date.
        host.Clock.Set(new DateTimeOffset(2024, 9, 10, 2, 0, 0, TimeSpan.Zero));
        await supervisor.PostJsonAsync(Path("rectifications/rect-station/rejection"), new
        {
            findings = "A contract is not a station in service.", newDueOn = "2024-09-30",
        }).Ok();
        moments.Add(await RecordAsync("rejected"));

        // 2024-09-28: a second response, accepted; the order closes (the milestone stays overdue: nobody reported it met).
        host.Clock.Set(new DateTimeOffset(2024, 9, 28, 2, 0, 0, TimeSpan.Zero));
        await liuyang.PostJsonAsync(Path("rectifications/rect-station/response"), new { response = "The station is in service." }).Ok();
        await supervisor.PostJsonAsync(Path("rectifications/rect-station/acceptance"), new { findings = "Seen in service on site." }).Ok();
        moments.Add(await RecordAsync("accepted"));

        host.Clock.Set(new DateTimeOffset(2024, 11, 1, 2, 0, 0, TimeSpan.Zero));
        var auditor = host.Client("auditor");
        var snapshotted = await SnapshotsUpToAsync(moments[^1].Position / SnapshotEvery * SnapshotEvery);
        Assert.Equal(moments[^1].Position / SnapshotEvery, snapshotted); // one at each multiple, none twice
        foreach (var moment in moments)
        {
            foreach (var point in new[] { "at=" + Uri.EscapeDataString(moment.At.ToString("O", CultureInfo.InvariantCulture)), "position=" + moment.Position })
            {
                var context = $"{moment.Name} ({point})";
                var asOf = (await GetAsync(auditor, $"/api/audit/views/agreements/{PilotZone.Agreement}?{point}"))["asOf"]!;
                Assert.Equal(moment.Position, (long)asOf["lastSequence"]!);
                Assert.Equal(0, (long)asOf["heldBack"]!);
                // Replayed from the nearest snapshot at or before the moment, not from the first event.
                Assert.Equal(moment.Position / SnapshotEvery * SnapshotEvery is var nearest and > 0 ? nearest : null, (long?)asOf["snapshot"]);

                foreach (var (id, live) in moment.Governments)
                    AssertSame(live, (await GetAsync(auditor, $"/api/audit/views/governments/{id}?{point}"))["view"]!, $"{context} government {id}");
                foreach (var (id, live) in moment.Commitments)
                    AssertSame(live, (await GetAsync(auditor, $"/api/audit/views/commitments/{id}?{point}"))["view"]!, $"{context} commitment {id}");
                AssertSame(moment.Agreement, (await GetAsync(auditor, $"/api/audit/views/agreements/{PilotZone.Agreement}?{point}"))["view"]!, $"{context} agreement");
                AssertSame(moment.Overdue, (await GetAsync(auditor, $"/api/audit/views/overdue?{point}&agreement={PilotZone.Agreement}"))["items"]!, $"{context} overdue");
                AssertSame(moment.Rectifications, (await GetAsync(auditor, $"/api/audit/views/rectifications?{point}"))["items"]!, $"{context} rectifications");
            }
        }

        // The storyline shows in what was recorded: the moments are not all alike.
        Assert.Empty(moments[0].Overdue.AsArray());
        Assert.Single(moments[1].Overdue.AsArray());
        Assert.Equal(5, (int)moments[3].Rectifications[0]!["daysPastDue"]!);
        Assert.Equal("Red", (string?)moments[4].Governments[PilotZone.Liuyang]["rag"]);
        Assert.Equal("Accepted", (string?)moments[5].Rectifications[0]!["rectification"]!["status"]);
    }

    /// <summary>Waits until the node has snapshotted the views up to <paramref name="position"/>; returns how many snapshots there are.</summary>
    private async Task<long> SnapshotsUpToAsync(long position)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var (count, highest) = (await TestDatabase.ScalarAsync<long>($"select count(*) from \"{host.Schema}\".ledger_view_snapshots"),
                await TestDatabase.ScalarAsync<long>($"select coalesce(max(position), 0) from \"{host.Schema}\".ledger_view_snapshots"));
            if (highest >= position) return count;
            Assert.True(DateTime.UtcNow < deadline, $"the node snapshotted the views up to {highest} only, not {position}");
            await Task.Delay(200);
        }
    }

    private async Task<Moment> RecordAsync(string name)
    {
        var freshness = await host.Services.GetRequiredService<ProjectionFreshness>().WaitUntilCurrentAsync(TimeSpan.FromSeconds(60));
        var supervisor = host.Client("supervisor");
        var governments = new Dictionary<string, JsonNode>();
        foreach (var id in Governments)
            governments[id] = (await GetAsync(supervisor, $"/api/supervision/governments?government={id}"))["items"]!.AsArray().Single()!.DeepClone();
        var commitments = (await GetAsync(supervisor, $"/api/supervision/commitments?agreement={PilotZone.Agreement}&limit=200"))["items"]!.AsArray()
            .ToDictionary(c => (string)c!["commitmentId"]!, c => c!.DeepClone());
        var agreement = (await GetAsync(supervisor, $"/api/supervision/agreements?agreement={PilotZone.Agreement}"))["items"]!.AsArray().Single()!.DeepClone();
        var overdue = (await GetAsync(supervisor, $"/api/supervision/overdue?agreement={PilotZone.Agreement}&limit=200"))["items"]!.DeepClone();
        var rectifications = (await GetAsync(supervisor, "/api/supervision/rectifications?limit=200"))["items"]!.DeepClone();
        Assert.True(commitments.ContainsKey(Water));
        output.WriteLine($"{name}: at {host.Clock.GetUtcNow():O}, position {freshness.Position}");
        return new Moment(name, host.Clock.GetUtcNow(), freshness.Position, governments, commitments, agreement, overdue, rectifications);
    }

    private sealed record Moment(
        string Name, DateTimeOffset At, long Position,
        Dictionary<string, JsonNode> Governments, Dictionary<string, JsonNode> Commitments,
        JsonNode Agreement, JsonNode Overdue, JsonNode Rectifications);

    private static string Path(string action) => $"/api/commitments/{Water}/{action}";

    internal static async Task<JsonNode> GetAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Field by field, naming the first field that differs; numbers by value (1.0 = 1).</summary>
    internal static void AssertSame(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected)
        {
            case null:
                Assert.True(actual is null, $"{path}: expected null, got {actual?.ToJsonString()}");
                break;
            case JsonObject e:
            {
                var a = Assert.IsType<JsonObject>(actual, exactMatch: true);
                Assert.True(e.Select(p => p.Key).Order(StringComparer.Ordinal).SequenceEqual(a.Select(p => p.Key).Order(StringComparer.Ordinal)),
                    $"{path}: fields differ: expected {string.Join(",", e.Select(p => p.Key))}, got {string.Join(",", a.Select(p => p.Key))}");
                foreach (var (key, value) in e) AssertSame(value, a[key], $"{path}.{key}");
                break;
            }
            case JsonArray e:
            {
                var a = Assert.IsType<JsonArray>(actual, exactMatch: true);
                Assert.True(e.Count == a.Count, $"{path}: expected {e.Count} items, got {a.Count}: {a.ToJsonString()}");
                for (var i = 0; i < e.Count; i++) AssertSame(e[i], a[i], $"{path}[{i}]");
                break;
            }
            default:
            {
                var e = expected.AsValue();
                Assert.True(actual is JsonValue, $"{path}: expected {e.ToJsonString()}, got {actual?.ToJsonString()}");
                var a = actual!.AsValue();
                if (e.GetValueKind() == JsonValueKind.Number && a.GetValueKind() == JsonValueKind.Number)
                    Assert.True(e.GetValue<decimal>() == a.GetValue<decimal>(), $"{path}: expected {e.ToJsonString()}, got {a.ToJsonString()}");
                else
                    Assert.True(e.ToJsonString() == a.ToJsonString(), $"{path}: expected {e.ToJsonString()}, got {a.ToJsonString()}");
                break;
            }
        }
    }
}

/// <summary>
/// The scenario's own question: what the compliance view said about Chaling (430224) on 2023-10-31,
/// in the middle of the Chaling section's rectification, against what it says today; and the refusals.
/// </summary>
public sealed class ViewsAsOfScenarioTests(ScenarioTests.LoadedScenario scenario) : ScenarioViewTests(scenario), IClassFixture<ScenarioTests.LoadedScenario>
{
    private const string Chaling = "430224";
    private const string EndOfOctober2023 = "2023-10-31T23%3A59%3A59%2B08%3A00";

    [Fact]
    public async Task On_31_October_2023_Chaling_had_one_open_rectification_rejected_and_an_overdue_milestone()
    {
        var then = await ViewsAsOfTests.GetAsync(Host.Client("auditor"), $"/api/audit/views/governments/{Chaling}?at={EndOfOctober2023}");
        var view = then["view"]!;

        // The Chaling section milestone (due 2023-06-30) was noticed overdue on 2023-07-10 and the order
        // rect-chaling-section made that day; Chaling answered on 2023-09-25 and the supervisor rejected
        // the answer on 2023-10-09 with a new due date of 2023-11-30. Escalation came on 2023-11-20, the
        // reschedule on 2023-12-20: both after the date asked.
        Assert.Equal(1, (int)view["openRectifications"]!);
        Assert.Equal(1, (int)view["rejectedRectifications"]!);
        var order = Assert.Single(view["openRectificationOrders"]!.AsArray())!;
        Assert.Equal("rect-chaling-section", (string?)order["rectificationId"]);
        Assert.Equal("Rejected", (string?)order["status"]);
        Assert.Equal("2023-11-30", (string?)order["dueOn"]);
        Assert.Equal("2023-11-30", (string?)view["nextRectificationDueOn"]);
        Assert.Equal(1, (int)view["overdueItems"]!);
        Assert.Equal("Red", (string?)view["rag"]);
        var asOf = then["asOf"]!;
        Assert.True(DateTimeOffset.Parse((string)asOf["lastTimestamp"]!, CultureInfo.InvariantCulture) <= new DateTimeOffset(2023, 10, 31, 23, 59, 59, TimeSpan.FromHours(8)));
        Assert.Equal(0, (long)asOf["heldBack"]!);

        var track = Assert.Single((await ViewsAsOfTests.GetAsync(Host.Client("supervisor"),
            $"/api/audit/views/rectifications?at={EndOfOctober2023}&government={Chaling}"))["items"]!.AsArray())!;
        Assert.Equal("Rejected", (string?)track["rectification"]!["status"]);
        Assert.Single(track["rectification"]!["responses"]!.AsArray());
        Assert.Null(track["rectification"]!["escalationId"]);
        Assert.False((bool)track["pastDue"]!);
    }

    [Fact]
    public async Task Today_Chaling_has_no_open_rectification_and_the_replay_equals_the_live_view()
    {
        var now = Uri.EscapeDataString(Host.Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        var replayed = await ViewsAsOfTests.GetAsync(Host.Client("decision"), $"/api/audit/views/governments/{Chaling}?at={now}");
        var live = (await ViewsAsOfTests.GetAsync(Host.Client("supervisor"), $"/api/supervision/governments?government={Chaling}"))["items"]!.AsArray().Single();

        // Accepted on 2024-07-10 after the rescheduled section was completed; the road was verified fulfilled on 2025-02-20.
        Assert.Equal(0, (int)replayed["view"]!["openRectifications"]!);
        Assert.Equal(0, (int)replayed["view"]!["rejectedRectifications"]!);
        ViewsAsOfTests.AssertSame(live, replayed["view"], "chaling today");
        var liveQueue = (await ViewsAsOfTests.GetAsync(Host.Client("supervisor"), "/api/supervision/overdue?limit=200"))["items"];
        ViewsAsOfTests.AssertSame(liveQueue, (await ViewsAsOfTests.GetAsync(Host.Client("auditor"), $"/api/audit/views/overdue?at={now}"))["items"], "overdue today");
        var liveTracker = (await ViewsAsOfTests.GetAsync(Host.Client("supervisor"), "/api/supervision/rectifications?limit=200"))["items"];
        ViewsAsOfTests.AssertSame(liveTracker, (await ViewsAsOfTests.GetAsync(Host.Client("auditor"), $"/api/audit/views/rectifications?at={now}"))["items"], "rectifications today");
    }

    [Theory]
    [InlineData("/api/audit/views/governments/999999?at=2024-01-01", HttpStatusCode.NotFound, "government_not_found", null)]
    [InlineData("/api/audit/views/governments/430224?at=2020-01-01", HttpStatusCode.NotFound, "not_yet_recorded", "at")]
    [InlineData("/api/audit/views/commitments/no-such-commitment?at=2024-01-01", HttpStatusCode.NotFound, "commitment_not_found", null)]
    [InlineData("/api/audit/views/agreements/xgb-2021-a03?at=2021-01-01", HttpStatusCode.NotFound, "not_yet_recorded", "at")]
    [InlineData("/api/audit/views/overdue?at=2024-01-01&agreement=xgb-1999-z9", HttpStatusCode.NotFound, "agreement_not_found", "agreement")]
    [InlineData("/api/audit/views/governments/430224?at=2999-01-01", HttpStatusCode.UnprocessableEntity, "time_in_future", "at")]
    [InlineData("/api/audit/views/governments/430224?at=last-tuesday", HttpStatusCode.BadRequest, "invalid_time", "at")]
    [InlineData("/api/audit/views/governments/430224", HttpStatusCode.BadRequest, "at_or_position", "at")]
    [InlineData("/api/audit/views/governments/430224?at=2024-01-01&position=5", HttpStatusCode.BadRequest, "at_or_position", "at")]
    [InlineData("/api/audit/views/governments/430224?position=0", HttpStatusCode.BadRequest, "invalid_position", "position")]
    [InlineData("/api/audit/views/governments/430224?position=99999999", HttpStatusCode.UnprocessableEntity, "position_out_of_range", "position")]
    [InlineData("/api/audit/views/overdue?at=2024-01-01&county=430224", HttpStatusCode.BadRequest, "unknown_filter", "county")]
    [InlineData("/api/audit/views/rectifications?at=2024-01-01&open=maybe", HttpStatusCode.BadRequest, "invalid_flag", "open")]
    public async Task Bad_questions_are_refused_naming_the_parameter(string path, HttpStatusCode status, string code, string? field)
    {
        var response = await Host.Client("auditor").GetAsync(path);

        await response.AssertProblemAsync(status, code, field);
    }

    [Fact]
    public async Task A_government_may_not_read_the_views_as_they_were()
    {
        var response = await Host.Client("government", Chaling).GetAsync($"/api/audit/views/governments/{Chaling}?at={EndOfOctober2023}");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
