using System.Collections;
using System.Diagnostics;
using System.Net;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Clock;
using Ledger.Infrastructure.Daemon;
using Marten;
using Ledger.Infrastructure.Telemetry;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Ledger.Api.Tests;

/// <summary>
/// The ledger's meter is static, so counts from other hosts in this process would mix into these;
/// this collection runs alone, after the parallel ones.
/// </summary>
[CollectionDefinition(nameof(TelemetryTests), DisableParallelization = true)]
public sealed class TelemetryCollection;

/// <summary>A host whose spans, metrics and logs are also kept in memory for the test to read.</summary>
public sealed class ObservedHost : LedgerHost
{
    public Recorded<Activity> Spans { get; } = new();
    public Recorded<MetricSnapshot> Metrics { get; } = new();
    public Recorded<LogRecord> Logs { get; } = new();

    protected override void Customize(IWebHostBuilder builder)
    {
        // "Request starting …" is logged inside the request's span; appsettings keeps it quiet.
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics", "Information");
        builder.ConfigureTestServices(services =>
        {
            services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(Spans));
            services.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(Metrics));
            services.ConfigureOpenTelemetryLoggerProvider(l => l.AddInMemoryExporter(Logs));
        });
    }

    /// <summary>The counter's running total now, for points whose tag matches (all points when no tag is given).</summary>
    public long Total(string metric, string? eventType = null)
    {
        Metrics.Clear();
        Services.GetRequiredService<MeterProvider>().ForceFlush();
        var snapshot = Metrics.Snapshot().LastOrDefault(m => m.Name == metric);
        if (snapshot is null) return 0;
        long total = 0;
        foreach (var point in snapshot.MetricPoints)
        {
            string? type = null;
            foreach (var tag in point.Tags)
                if (tag.Key == LedgerMetrics.EventTypeTag) type = tag.Value as string;
            if (eventType is null || type == eventType) total += point.GetSumLong();
        }
        return total;
    }

    /// <summary>A request's spans end after its response is sent: wait for them.</summary>
    public async Task<IReadOnlyList<Activity>> TraceAsync(ActivityTraceId trace, Func<IReadOnlyList<Activity>, bool> complete)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var spans = Spans.Snapshot().Where(a => a.TraceId == trace).ToList();
            if (complete(spans) || deadline.Elapsed > TimeSpan.FromSeconds(10)) return spans;
            await Task.Delay(25);
        }
    }
}

/// <summary>The exporters add from whatever thread ends a span; reads take a copy under the same lock.</summary>
public sealed class Recorded<T> : ICollection<T>
{
    private readonly List<T> _items = [];

    public int Count { get { lock (_items) return _items.Count; } }
    public bool IsReadOnly => false;
    public void Add(T item) { lock (_items) _items.Add(item); }
    public void Clear() { lock (_items) _items.Clear(); }
    public bool Contains(T item) { lock (_items) return _items.Contains(item); }
    public void CopyTo(T[] array, int arrayIndex) { lock (_items) _items.CopyTo(array, arrayIndex); }
    public bool Remove(T item) { lock (_items) return _items.Remove(item); }
    public List<T> Snapshot() { lock (_items) return [.. _items]; }
    public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// A write is traced from the HTTP request through decide and append down to PostgreSQL; the ledger's
/// counters count appended events by type, 412 conflicts and idempotent replays; logs carry the trace.
/// </summary>
[Collection(nameof(TelemetryTests))]
public sealed class TelemetryTests(ObservedHost host) : IClassFixture<ObservedHost>
{
    private const string Registered = "government_registered.v1";

    [Fact]
    public async Task A_write_is_traced_from_the_request_through_decide_and_append_to_PostgreSQL()
    {
        var trace = ActivityTraceId.CreateRandom();

        var response = await SendAsync(Register("800001"), trace);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var spans = await host.TraceAsync(trace, s => s.Any(a => a.Kind == ActivityKind.Server) && s.Any(a => a.Source.Name == "Npgsql"));
        var request = Assert.Single(spans, a => a.Kind == ActivityKind.Server && a.Source.Name == "Microsoft.AspNetCore");
        Assert.Equal("/api/governments", request.GetTagItem("url.path"));
        var decide = Assert.Single(spans, a => a.Source.Name == "Ledger" && a.OperationName == "ledger.decide");
        var append = Assert.Single(spans, a => a.Source.Name == "Ledger" && a.OperationName == "ledger.append");
        Assert.Equal("government/800001", append.GetTagItem("ledger.stream"));
        Assert.Equal(request.SpanId, decide.ParentSpanId);
        Assert.Equal(request.SpanId, append.ParentSpanId);
        // The commit runs under the append span (group commit: the batch's span hangs from its first
        // append and links the others), and its SQL is a child of the commit.
        var commit = Assert.Single(spans, a => a.Source.Name == "Ledger" && a.OperationName == "ledger.commit");
        Assert.Equal(append.SpanId, commit.ParentSpanId);
        Assert.Equal(1, commit.GetTagItem("ledger.batch"));
        Assert.Contains(spans, a => a.Source.Name == "Npgsql" && a.ParentSpanId == commit.SpanId);
    }

    [Fact]
    public async Task The_appended_counter_counts_the_appended_events_by_type()
    {
        var before = host.Total("ledger.events.appended", Registered);
        var otherTypes = host.Total("ledger.events.appended") - before;

        Assert.Equal(HttpStatusCode.Created, (await SendAsync(Register("800002"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(Register("800003"))).StatusCode);

        Assert.Equal(before + 2, host.Total("ledger.events.appended", Registered));
        Assert.Equal(otherTypes, host.Total("ledger.events.appended") - (before + 2));
    }

    [Fact]
    public async Task A_stale_If_Match_answered_412_counts_a_conflict_and_appends_nothing()
    {
        var conflicts = host.Total("ledger.appends.conflicts");
        var appended = host.Total("ledger.events.appended");

        var request = Register("800004");
        request.Headers.TryAddWithoutValidation("If-Match", "\"7\"");
        var response = await SendAsync(request);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal(conflicts + 1, host.Total("ledger.appends.conflicts"));
        Assert.Equal(appended, host.Total("ledger.events.appended"));
    }

    [Fact]
    public async Task An_idempotent_replay_counts_a_replay_and_appends_nothing_more()
    {
        var first = Register("800005");
        first.Headers.Add("Idempotency-Key", "t-replay-1");
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(first)).StatusCode);
        var replays = host.Total("ledger.appends.idempotent_replays");
        var appended = host.Total("ledger.events.appended");

        var again = Register("800005");
        again.Headers.Add("Idempotency-Key", "t-replay-1");
        var response = await SendAsync(again);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("true", response.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(replays + 1, host.Total("ledger.appends.idempotent_replays"));
        Assert.Equal(appended, host.Total("ledger.events.appended"));
    }

    [Fact]
    public async Task Logs_written_during_a_request_carry_its_trace_id()
    {
        var trace = ActivityTraceId.CreateRandom();

        await SendAsync(Register("800006"), trace);

        var deadline = Stopwatch.StartNew();
        while (!host.Logs.Snapshot().Any(l => l.TraceId == trace) && deadline.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(25);
        Assert.Contains(host.Logs.Snapshot(), l => l.TraceId == trace && l.CategoryName == "Microsoft.AspNetCore.Hosting.Diagnostics");
    }

    [Fact]
    public async Task A_clock_pass_counts_the_notices_it_appended_by_type()
    {
        string[] notices = ["deadline_approaching.v1", "commitment_overdue.v1", "report_missing.v1"];
        await PilotZone.RegisterGovernmentsAsync(host);
        await PilotZone.ActivateAgreementAsync(host);
        await PilotZone.ActiveCommitmentAsync(host, "t-clock-water");
        var before = notices.ToDictionary(n => n, n => host.Total("ledger.clock.notices", n));

        // The host's clock stands in 2026, after the commitment's first periods and dates: the pass has notices to append.
        var pass = await host.Services.GetRequiredService<ClockPass>().RunAsync(host.Clock.GetUtcNow(), CancellationToken.None);

        Assert.True(pass.Appended > 0, "the pass appended no notice");
        var stored = await TestDatabase.ScalarAsync<long>(
            $"select count(*) from \"{host.Schema}\".mt_events where stream_id = 'commitment/t-clock-water' and type = any(array['{string.Join("','", notices)}'])");
        Assert.Equal(pass.Appended, stored);
        Assert.Equal(before["deadline_approaching.v1"] + pass.Approaching, host.Total("ledger.clock.notices", "deadline_approaching.v1"));
        Assert.Equal(before["commitment_overdue.v1"] + pass.Overdue, host.Total("ledger.clock.notices", "commitment_overdue.v1"));
        Assert.Equal(before["report_missing.v1"] + pass.Missing, host.Total("ledger.clock.notices", "report_missing.v1"));
    }

    private static HttpRequestMessage Register(string id) => new(HttpMethod.Post, "/api/governments")
    {
        Content = Json.Body(new { governmentId = id, nameZh = "测试", nameEn = "Test " + id, province = "Hunan", prefecture = "Changsha", level = "County" }),
    };

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, ActivityTraceId? trace = null)
    {
        if (trace is { } id)
            request.Headers.Add("traceparent", $"00-{id}-{ActivitySpanId.CreateRandom()}-01");
        return await host.Client("admin").SendAsync(request);
    }
}

/// <summary>
/// A host whose daemon is off (<c>Ledger:Daemon</c> Disabled), so the supervision views stand still
/// until the test runs a daemon itself; its projection status is cached for two seconds of real time,
/// and its metrics are kept in memory.
/// </summary>
public sealed class StillViewsHost : LedgerHost
{
    public static readonly TimeSpan StatusMaxAge = TimeSpan.FromSeconds(2);

    public Recorded<MetricSnapshot> Metrics { get; } = new();

    protected override void Customize(IWebHostBuilder builder)
    {
        builder.UseSetting("Ledger:Daemon", "Disabled");
        builder.UseSetting("Projections:StatusMaxAge", "00:00:02");
        builder.ConfigureTestServices(services => services.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(Metrics)));
    }

    /// <summary>The gauge's value at a collection made now, or null when it reported nothing.</summary>
    public double? Gauge(string name) => Gauges.Read(Services, Metrics, name);

    /// <summary>Runs Marten's daemon until the views reflect every committed event, then stops it, as a serving node would have.</summary>
    public async Task CatchUpAsync()
    {
        var store = Services.GetRequiredService<IDocumentStore>();
        using var daemon = await store.BuildProjectionDaemonAsync();
        await daemon.StartAllAsync();
        try
        {
            await Services.GetRequiredService<ProjectionFreshness>().WaitUntilCurrentAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            await daemon.StopAllAsync();
        }
    }

    /// <summary>Past the status cache's age in real time: the next reading goes to PostgreSQL.</summary>
    public static Task PastStatusAgeAsync() => Task.Delay(StatusMaxAge + TimeSpan.FromMilliseconds(300));

    public async Task RegisterAsync(params string[] ids)
    {
        var admin = Client("admin");
        foreach (var id in ids)
            await admin.PostJsonAsync("/api/governments", new { governmentId = id, nameZh = "测试", nameEn = "Test " + id, province = "Hunan", prefecture = "Zhuzhou", level = "County" }).Ok();
    }
}

/// <summary>
/// How far the supervision views lag, in numbers: <c>ledger.projection.lag_events</c> and
/// <c>ledger.projection.lag_seconds</c>, read from a status cached for a few seconds; and readiness on
/// a node whose daemon is off, which depends on whether any node keeps the views current.
/// </summary>
[Collection(nameof(TelemetryTests))]
public sealed class ProjectionLagTelemetryTests(StillViewsHost host) : IClassFixture<StillViewsHost>
{
    [Fact]
    public async Task The_lag_gauges_count_the_events_the_views_have_not_processed_and_the_age_of_the_oldest()
    {
        await host.CatchUpAsync();
        await StillViewsHost.PastStatusAgeAsync();
        Assert.Equal(0, host.Gauge("ledger.projection.lag_events"));
        Assert.Equal(0, host.Gauge("ledger.projection.lag_seconds"));

        await host.RegisterAsync("840001", "840002");
        host.Clock.Advance(TimeSpan.FromSeconds(90));
        // Within the cache's age a collection does not read PostgreSQL again.
        Assert.Equal(0, host.Gauge("ledger.projection.lag_events"));

        await StillViewsHost.PastStatusAgeAsync();
        Assert.Equal(2, host.Gauge("ledger.projection.lag_events"));
        Assert.Equal(90, host.Gauge("ledger.projection.lag_seconds"));

        await host.RegisterAsync("840003");
        host.Clock.Advance(TimeSpan.FromSeconds(30));
        await StillViewsHost.PastStatusAgeAsync();
        Assert.Equal(3, host.Gauge("ledger.projection.lag_events"));
        Assert.Equal(120, host.Gauge("ledger.projection.lag_seconds"));

        await host.CatchUpAsync();
        await StillViewsHost.PastStatusAgeAsync();
        Assert.Equal(0, host.Gauge("ledger.projection.lag_events"));
        Assert.Equal(0, host.Gauge("ledger.projection.lag_seconds"));
    }

    [Fact]
    public async Task With_no_node_running_the_views_readiness_turns_degraded_past_the_limit_and_healthy_once_they_catch_up()
    {
        await host.CatchUpAsync();
        await StillViewsHost.PastStatusAgeAsync();
        var current = await ProjectionsAsync();
        Assert.Equal("healthy", current.Status);
        Assert.Equal("the supervision views are 0 events and 0 s behind the ledger (limit 60 s); the daemon is off on this node and no node runs the supervision projection", current.Detail);

        await host.RegisterAsync("850001");
        host.Clock.Advance(TimeSpan.FromSeconds(61));
        await StillViewsHost.PastStatusAgeAsync();
        var behind = await ProjectionsAsync();
        Assert.Equal("degraded", behind.Status);
        Assert.StartsWith("the supervision views are 1 events and 61 s behind the ledger (limit 60 s)", behind.Detail, StringComparison.Ordinal);

        await host.CatchUpAsync();
        await StillViewsHost.PastStatusAgeAsync();
        Assert.Equal("healthy", (await ProjectionsAsync()).Status);
    }

    private async Task<(string? Status, string Detail)> ProjectionsAsync()
    {
        var response = await host.Anonymous().GetAsync("/health/ready");
        // Degraded keeps the node in service: readiness still answers 200.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var projections = (await response.ReadAsync())["checks"]!["projections"]!;
        return ((string?)projections["status"], (string?)projections["detail"] ?? "");
    }
}
