using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Clock;
using Ledger.Infrastructure.Telemetry;
using Ledger.Integrity.Checkpoints;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ledger.Api.Tests;

/// <summary>
/// A host with the deadline clock on, looking every 50 ms. Hosts built with the same schema share
/// one ledger (and one checkpoint key), as the nodes of one deployment do.
/// </summary>
public sealed class ClockHost(string? sharedSchema = null, string? checkpointSeed = null) : LedgerHost
{
    public string SharedSchema => sharedSchema ?? Schema;

    public string CheckpointSeed { get; } = checkpointSeed ?? CheckpointKeys.NewSeed();

    public ClockLeadership Leadership => Services.GetRequiredService<ClockLeadership>();

    protected override void Customize(IWebHostBuilder builder)
    {
        builder.UseSetting("Ledger:Schema", SharedSchema);
        builder.UseSetting("Integrity:SigningKey", CheckpointSeed);
        builder.UseSetting("Integrity:Background", "false");
        builder.UseSetting("Clock:Enabled", "true");
        builder.UseSetting("Clock:Interval", "00:00:00.050");
        // A line per pass every 50 ms would bury the test output.
        builder.UseSetting("Logging:LogLevel:Ledger.Infrastructure.Clock", "Warning");
    }

    /// <summary>Another node on this host's schema, its clock set to the same instant.</summary>
    public async Task<ClockHost> PeerAsync()
    {
        var peer = new ClockHost(SharedSchema, CheckpointSeed);
        peer.Clock.Set(Clock.GetUtcNow());
        await peer.InitializeAsync();
        return peer;
    }
}

/// <summary>
/// The deadline clock on the real host and PostgreSQL, under a clock the tests move: it notices
/// approaching and passed dates and missing reports as the system actor, each occurrence once, across
/// repeated passes, a restart, and two nodes of which exactly one leads.
/// </summary>
public sealed partial class ClockTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_deadline_and_a_milestone_are_noticed_approaching_then_overdue_as_time_moves() =>
        await OnOneHostAsync(async host =>
    {
        await ActiveCommitmentAsync(host, "clock-moves", deadline: "2026-06-20", milestoneDue: "2026-06-10");

        var approaching = await WaitForNoticesAsync(host, "clock-moves", 2);
        Assert.Equal(
            ["deadline_approaching.v1 Deadline - 2026-06-20 19", "deadline_approaching.v1 Milestone joint-monitoring-station 2026-06-10 9"],
            approaching.Select(Describe));
        Assert.All(approaching, n =>
        {
            Assert.Equal("system", (string?)n["actor"]!["id"]);
            Assert.Equal("system", (string?)n["actor"]!["role"]);
            Assert.Equal("clock:2026-06-01", (string?)n["correlationId"]);
        });

        host.Clock.Set(ZoneMorning(2026, 6, 11));
        Assert.Equal("commitment_overdue.v1 Milestone joint-monitoring-station 2026-06-10", Describe((await WaitForNoticesAsync(host, "clock-moves", 3))[2]));

        host.Clock.Set(ZoneMorning(2026, 6, 21));
        var all = await WaitForNoticesAsync(host, "clock-moves", 4);
        Assert.Equal("commitment_overdue.v1 Deadline - 2026-06-20", Describe(all[3]));
        Assert.Equal("clock:2026-06-21", (string?)all[3]["correlationId"]);

        await MorePassesAsync(host, 5);
        Assert.Equal(4, (await NoticesAsync(host, "clock-moves")).Count);
    });

    [Fact]
    public async Task A_restarted_host_on_the_same_schema_appends_none_of_the_notices_again()
    {
        var first = await StartAsync(new ClockHost());
        var schema = first.SharedSchema;
        try
        {
            // Deadline and milestone passed, and neither indicator's 2025 report came: four notices at once.
            await ActiveCommitmentAsync(first, "clock-restart", deadline: "2026-05-31", milestoneDue: "2026-05-15", ("2025", "2025-01-01", "2025-12-31"));
            var noticed = await WaitForNoticesAsync(first, "clock-restart", 4);
            await MorePassesAsync(first, 3);
            await first.DisposeAsync();

            var second = await StartAsync(new ClockHost(schema, first.CheckpointSeed));
            try
            {
                second.Clock.Set(first.Clock.GetUtcNow().AddHours(1));
                await MorePassesAsync(second, 5);

                var after = await NoticesAsync(second, "clock-restart");
                Assert.Equal(noticed.Select(Describe), after.Select(Describe));
                Assert.Equal(
                    ["commitment_overdue.v1 Deadline - 2026-05-31", "commitment_overdue.v1 Milestone joint-monitoring-station 2026-05-15",
                     "report_missing.v1 monthly-class 2025 2026-01-30", "report_missing.v1 months-class-iii 2025 2026-01-30"],
                    after.Select(Describe));
            }
            finally
            {
                await second.StopAsync();
            }
        }
        finally
        {
            await first.StopAsync();
        }
    }

    [Fact]
    public async Task Of_two_nodes_on_one_schema_exactly_one_leads_each_notice_appears_once_and_the_other_takes_over_when_it_stops()
    {
        var a = await StartAsync(new ClockHost());
        ClockHost? b = null;
        try
        {
            b = await a.PeerAsync();
            var ids = new[] { "clock-two-1", "clock-two-2", "clock-two-3", "clock-two-4" };
            foreach (var id in ids)
                await ActiveCommitmentAsync(id.EndsWith('2') ? b : a, id, deadline: "2026-06-25", milestoneDue: "2026-05-20", ("2025", "2025-01-01", "2025-12-31"));

            // Approaching deadline, overdue milestone, both indicators' 2025 reports missing, on every commitment.
            foreach (var id in ids) await WaitForNoticesAsync(a, id, 4);
            var leader = await SoleLeaderAsync(a, b);
            var follower = leader == a ? b : a;
            await MorePassesAsync(leader, 10);
            Assert.Same(leader, await SoleLeaderAsync(a, b));
            Assert.Equal(0, follower.Leadership.Passes);
            Assert.NotEqual(a.Leadership.NodeId, b.Leadership.NodeId);
            Assert.StartsWith("this node leads the clock", await ReadyClockAsync(leader), StringComparison.Ordinal);
            Assert.Equal("another node leads the clock", await ReadyClockAsync(follower));
            foreach (var id in ids)
            {
                var notices = (await NoticesAsync(follower, id)).Select(Describe).ToList();
                Assert.Equal(
                    ["deadline_approaching.v1 Deadline - 2026-06-25 24", "commitment_overdue.v1 Milestone joint-monitoring-station 2026-05-20",
                     "report_missing.v1 monthly-class 2025 2026-01-30", "report_missing.v1 months-class-iii 2025 2026-01-30"],
                    notices);
            }

            await leader.DisposeAsync();
            var watch = Stopwatch.StartNew();
            while (!follower.Leadership.IsLeader && watch.Elapsed < Patience) await Task.Delay(50);
            Assert.True(follower.Leadership.IsLeader, $"{follower.Leadership.NodeId} did not take over within {Patience}: {follower.Leadership.LastError}");

            // The new leader's clock runs on: the deadline passes and is noticed, once, by it.
            follower.Clock.Set(ZoneMorning(2026, 6, 26));
            foreach (var id in ids)
                Assert.Equal("commitment_overdue.v1 Deadline - 2026-06-25", Describe((await WaitForNoticesAsync(follower, id, 5))[4]));
            await MorePassesAsync(follower, 5);
            foreach (var id in ids) Assert.Equal(5, (await NoticesAsync(follower, id)).Count);
        }
        finally
        {
            if (b is not null) await b.StopAsync();
            await a.StopAsync();
        }
    }

    [Fact]
    public async Task A_leader_whose_lock_session_is_killed_loses_leadership_and_takes_it_again_appending_nothing_twice() =>
        await OnOneHostAsync(async host =>
    {
        await ActiveCommitmentAsync(host, "clock-session", deadline: "2026-05-31", milestoneDue: "2026-05-15");
        await WaitForNoticesAsync(host, "clock-session", 2);
        var since = host.Leadership.LeaderSince;
        Assert.NotNull(since);

        // What a failover or a network cut does to the session: PostgreSQL ends it and frees the lock.
        var killed = await TestDatabase.ScalarAsync<long>(
            $"select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity where application_name = left('ledger-clock {host.Leadership.NodeId}', 63)) t");
        Assert.Equal(1, killed);
        host.Clock.Advance(TimeSpan.FromMinutes(5));

        var watch = Stopwatch.StartNew();
        // Deposed first (no leader), then elected again under a later time.
        while (!(host.Leadership.LeaderSince > since) && watch.Elapsed < Patience) await Task.Delay(20);
        Assert.True(host.Leadership.IsLeader, $"not leader again: {host.Leadership.LastError}");
        Assert.True(host.Leadership.LeaderSince > since);
        await MorePassesAsync(host, 5);
        Assert.Equal(2, (await NoticesAsync(host, "clock-session")).Count);
    });

    [Fact]
    public async Task A_period_left_unreported_past_the_grace_period_is_noticed_missing() =>
        await OnOneHostAsync(async host =>
    {
        await ActiveCommitmentAsync(host, "clock-report", deadline: "2026-12-31", milestoneDue: "2026-12-15", ("2026-h1", "2026-01-01", "2026-06-30"));
        // The water class was reported for the half year; the months at Class III were not.
        await host.Client("government", PilotZone.Liuyang).PostJsonAsync("/api/commitments/clock-report/progress", new
        {
            reportId = "h1-class",
            period = "2026-h1",
            asOf = "2026-05-31",
            values = new[] { new { indicatorId = "monthly-class", value = 3m } },
            narrative = "Class III at the latest monthly sampling.",
        }).Ok();

        host.Clock.Set(ZoneMorning(2026, 7, 30));
        await MorePassesAsync(host, 3);
        Assert.Empty(await NoticesAsync(host, "clock-report"));

        host.Clock.Set(ZoneMorning(2026, 7, 31));
        var missing = Assert.Single(await WaitForNoticesAsync(host, "clock-report", 1));
        Assert.Equal("report_missing.v1 months-class-iii 2026-h1 2026-07-30", Describe(missing));
        Assert.Equal("2026-06-30", (string?)missing["data"]!["periodEnd"]);
        await MorePassesAsync(host, 3);
        Assert.Single(await NoticesAsync(host, "clock-report"));
    });

    [Fact]
    public async Task A_revised_deadline_is_noticed_approaching_and_overdue_in_its_own_right() =>
        await OnOneHostAsync(async host =>
    {
        await ActiveCommitmentAsync(host, "clock-revised", deadline: "2026-06-20", milestoneDue: "2026-06-10");
        await WaitForNoticesAsync(host, "clock-revised", 2);
        host.Clock.Set(ZoneMorning(2026, 6, 21));
        await WaitForNoticesAsync(host, "clock-revised", 4);

        // Escalated to the decision level, decided, and the deadline moved by that decision.
        await host.Client("supervisor").PostJsonAsync("/api/commitments/clock-revised/escalations", new
        {
            escalationId = "esc-deadline",
            subject = "The station missed its date and the deadline has passed",
            options = new[] { "Extend the deadline to 2026-09-30", "Withdraw the commitment" },
        }).Ok();
        await host.Client("decision").PostJsonAsync("/api/commitments/clock-revised/escalations/esc-deadline/decision", new
        {
            decisionReference = "xgb-conf-2026-06",
            decision = "Extend the deadline to 2026-09-30",
        }).Ok();
        await host.Client("decision").PostJsonAsync("/api/commitments/clock-revised/revision", new
        {
            revisionId = "rev-2026-06",
            reason = "Flood season delayed the works",
            decisionReference = "xgb-conf-2026-06",
            newDeadline = "2026-09-30",
        }).Ok();
        await MorePassesAsync(host, 3);
        Assert.Equal(4, (await NoticesAsync(host, "clock-revised")).Count);

        host.Clock.Set(ZoneMorning(2026, 9, 1));
        Assert.Equal("deadline_approaching.v1 Deadline - 2026-09-30 29", Describe((await WaitForNoticesAsync(host, "clock-revised", 5))[4]));
        host.Clock.Set(ZoneMorning(2026, 10, 1));
        Assert.Equal("commitment_overdue.v1 Deadline - 2026-09-30", Describe((await WaitForNoticesAsync(host, "clock-revised", 6))[5]));
        await MorePassesAsync(host, 3);
        Assert.Equal(6, (await NoticesAsync(host, "clock-revised")).Count);
    });

    [Fact]
    public async Task A_host_with_the_clock_off_runs_no_clock_and_says_it_does_not_take_part()
    {
        var host = new LedgerHost();
        await host.InitializeAsync();
        try
        {
            var leadership = host.Services.GetRequiredService<ClockLeadership>();
            Assert.False(leadership.Enabled);
            Assert.False(leadership.IsLeader);
            Assert.Empty(host.Services.GetServices<IHostedService>().OfType<DeadlineClock>());
            Assert.Equal("the clock is off on this node (Clock:Enabled is false)", await ReadyClockAsync(host));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task A_pass_goes_on_past_a_stream_PostgreSQL_refuses_and_reports_that_stream_once()
    {
        var host = new LoggedHost();
        host.Clock.Set(ZoneMorning(2026, 6, 1));
        await host.InitializeAsync();
        try
        {
            await PilotZone.RegisterGovernmentsAsync(host);
            await PilotZone.ActivateAgreementAsync(host);
            string[] ids = ["clock-pass-a", "clock-pass-b", "clock-pass-c"];
            foreach (var id in ids) await PilotZone.ActiveCommitmentAsync(host, id);
            // The pass takes the streams by id: the middle one's notices are refused, and nothing else is.
            await TestDatabase.RefuseAppendsAsync(host.Schema, "commitment/clock-pass-b", "notices refused on this stream", Notices);
            host.Logs.Clear();
            // The meter is static; no other test makes a stream fail, so whatever it counts here is this pass's.
            long counted = 0;
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == LedgerMetrics.MeterName && instrument.Name == "ledger.clock.failures") l.EnableMeasurementEvents(instrument);
            };
            listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref counted, value));
            listener.Start();

            var pass = await host.Services.GetRequiredService<ClockPass>().RunAsync(host.Clock.GetUtcNow(), CancellationToken.None);

            var appended = new Dictionary<string, long>();
            foreach (var id in ids) appended[id] = await StoredNoticesAsync(host, id);
            Assert.True(appended["clock-pass-a"] > 0, "the stream before the refused one got no notice");
            Assert.Equal(appended["clock-pass-a"], appended["clock-pass-c"]);
            Assert.Equal(0, appended["clock-pass-b"]);
            Assert.Equal(3, pass.Commitments);
            Assert.Equal(appended["clock-pass-a"] + appended["clock-pass-c"], pass.Appended);
            Assert.Equal(["commitment/clock-pass-b"], pass.FailedStreams);
            Assert.Equal(1, pass.Failed);
            Assert.Equal(1, Interlocked.Read(ref counted));
            // Logged once at Error (the store's logger, with the statement) and once by the pass, naming the
            // stream; both carry the stream's trace id.
            var error = Assert.Single(host.Logs.Entries, e => e.Level >= LogLevel.Error);
            Assert.Contains("notices refused on this stream", error.Text, StringComparison.Ordinal);
            var line = Assert.Single(host.Logs.Entries, e => e.Category == typeof(ClockPass).FullName);
            Assert.Contains("commitment/clock-pass-b", line.Message, StringComparison.Ordinal);
            Assert.Contains("notices refused on this stream", line.Message, StringComparison.Ordinal);
            var trace = Assert.Single(TraceId().Matches(line.Message)).Value;
            Assert.Contains(trace, error.Message, StringComparison.Ordinal);

            // The refused stream is tried again at the next pass, and only it fails again.
            var again = await host.Services.GetRequiredService<ClockPass>().RunAsync(host.Clock.GetUtcNow(), CancellationToken.None);
            Assert.Equal(["commitment/clock-pass-b"], again.FailedStreams);
            Assert.Equal(0, again.Appended);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [GeneratedRegex("[0-9a-f]{32}")]
    private static partial Regex TraceId();

    private static readonly string[] Notices = ["deadline_approaching.v1", "commitment_overdue.v1", "report_missing.v1"];

    private static Task<long> StoredNoticesAsync(LedgerHost host, string id) => TestDatabase.ScalarAsync<long>(
        $"select count(*) from \"{host.Schema}\".mt_events where stream_id = 'commitment/{id}' and type = any(array['{string.Join("','", Notices)}'])");

    private static async Task OnOneHostAsync(Func<ClockHost, Task> test)
    {
        var host = await StartAsync(new ClockHost());
        try
        {
            await test(host);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>The clock entry of the node's readiness report, which must be healthy.</summary>
    private static async Task<string?> ReadyClockAsync(LedgerHost host)
    {
        var clock = (await (await host.Anonymous().GetAsync("/health/ready")).ReadAsync())["checks"]!["clock"]!;
        Assert.Equal("healthy", (string?)clock["status"]);
        return (string?)clock["detail"];
    }

    private static DateTimeOffset ZoneMorning(int year, int month, int day) => new(year, month, day, 2, 0, 0, TimeSpan.Zero);

    private static async Task<ClockHost> StartAsync(ClockHost host)
    {
        host.Clock.Set(ZoneMorning(2026, 6, 1));
        await host.InitializeAsync();
        if (host.SharedSchema == host.Schema)
        {
            await PilotZone.RegisterGovernmentsAsync(host);
            await PilotZone.ActivateAgreementAsync(host);
        }
        return host;
    }

    /// <summary>
    /// The pilot water commitment with the given dates, registered by Liuyang and activated; the
    /// periods, if any, are set on both its indicators.
    /// </summary>
    private static async Task ActiveCommitmentAsync(
        LedgerHost host, string id, string deadline, string milestoneDue, params (string Period, string Start, string End)[] periods)
    {
        var body = JsonSerializer.SerializeToNode(PilotZone.WaterCommitment(id), JsonSerializerOptions.Web)!;
        body["deadline"] = deadline;
        body["milestones"]![0]!["due"] = milestoneDue;
        foreach (var (indicator, target) in new[] { (0, 12), (1, 3) })
        {
            body["indicators"]![indicator]!["periods"] = new JsonArray([.. periods.Select(p => (JsonNode)new JsonObject
            {
                ["period"] = p.Period, ["start"] = p.Start, ["end"] = p.End, ["target"] = target,
            })]);
        }
        await host.Client("government", PilotZone.Liuyang).PostAsync("/api/commitments", Json.Raw(body.ToJsonString())).Ok();
        await host.Client("supervisor").PostAsync($"/api/commitments/{id}/activation", null).Ok();
    }

    /// <summary>The commitment's events appended by the system actor, in stream order.</summary>
    private static async Task<List<JsonNode>> NoticesAsync(LedgerHost host, string id)
    {
        var events = await host.Client("auditor").GetFromJsonAsync<JsonArray>($"/api/commitments/{id}/events");
        return [.. events!.Select(e => e!).Where(e => (string?)e["actor"]!["id"] == "system")];
    }

    private static async Task<List<JsonNode>> WaitForNoticesAsync(LedgerHost host, string id, int count)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var notices = await NoticesAsync(host, id);
            if (notices.Count >= count || watch.Elapsed > Patience)
            {
                Assert.True(notices.Count == count,
                    $"{id}: expected {count} notices, found {notices.Count}: {string.Join("; ", notices.Select(Describe))}");
                return notices;
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until the host's clock has completed this many more passes.</summary>
    private static async Task MorePassesAsync(ClockHost host, int more)
    {
        var target = host.Leadership.Passes + more;
        var watch = Stopwatch.StartNew();
        while (host.Leadership.Passes < target && watch.Elapsed < Patience) await Task.Delay(20);
        Assert.True(host.Leadership.Passes >= target,
            $"{host.Leadership.NodeId} completed {host.Leadership.Passes} of {target} passes (leader: {host.Leadership.IsLeader}; last error: {host.Leadership.LastError})");
    }

    /// <summary>Waits for a leader and checks, over a few intervals, that it is the only one.</summary>
    private static async Task<ClockHost> SoleLeaderAsync(ClockHost a, ClockHost b)
    {
        var watch = Stopwatch.StartNew();
        while (!a.Leadership.IsLeader && !b.Leadership.IsLeader && watch.Elapsed < Patience) await Task.Delay(20);
        for (var look = 0; look < 10; look++)
        {
            Assert.True(a.Leadership.IsLeader ^ b.Leadership.IsLeader,
                $"leaders: {a.Leadership.NodeId}={a.Leadership.IsLeader}, {b.Leadership.NodeId}={b.Leadership.IsLeader}");
            await Task.Delay(30);
        }
        return a.Leadership.IsLeader ? a : b;
    }

    /// <summary>Type, subject, due date and, for an approaching notice, the days left; for a missing report its due date.</summary>
    private static string Describe(JsonNode notice)
    {
        var type = (string)notice["type"]!;
        var data = notice["data"]!;
        return type switch
        {
            "report_missing.v1" => $"{type} {data["indicatorId"]} {data["period"]} {data["reportDueOn"]}",
            "deadline_approaching.v1" => $"{type} {data["kind"]} {(string?)data["milestoneId"] ?? "-"} {data["dueOn"]} {data["daysLeft"]}",
            _ => $"{type} {data["kind"]} {(string?)data["milestoneId"] ?? "-"} {data["dueOn"]}",
        };
    }
}
