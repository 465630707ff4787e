using System.Globalization;
using System.Net;
using Ledger.Api.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using OpenTelemetry.Metrics;

namespace Ledger.Api.Tests;

/// <summary>
/// A host whose Merkle worker stays idle (the tests integrate by signing a checkpoint), whose
/// readiness allows a lag of three events, and whose metrics are kept in memory.
/// </summary>
public sealed class MonitoredHost : LedgerHost
{
    public const int MaxLag = 3;

    public Recorded<MetricSnapshot> Metrics { get; } = new();

    protected override void Customize(IWebHostBuilder builder)
    {
        builder.UseSetting("Integrity:Background", "false");
        builder.UseSetting("Integrity:MaxLagEvents", MaxLag.ToString(CultureInfo.InvariantCulture));
        builder.ConfigureTestServices(services => services.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(Metrics)));
    }

    /// <summary>The gauge's value at a collection made now, or null when it reported nothing.</summary>
    public double? Gauge(string name) => Gauges.Read(Services, Metrics, name);

    /// <summary>Brings the log up to date (and signs a checkpoint) through the API, as an auditor would.</summary>
    public async Task IntegrateAsync()
    {
        var response = await Client("auditor").PostAsync("/api/integrity/checkpoints", null);
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, await response.Content.ReadAsStringAsync());
    }

    public Task<long> EventCountAsync() => TestDatabase.ScalarAsync<long>($"select count(*) from \"{Schema}\".mt_events");

    public async Task RegisterGovernmentsAsync(int first, int count)
    {
        var admin = Client("admin");
        for (var id = first; id < first + count; id++)
        {
            await admin.PostJsonAsync("/api/governments", new
            {
                governmentId = id.ToString(CultureInfo.InvariantCulture), nameZh = "测试", nameEn = $"Test {id}", province = "Jiangxi", prefecture = "Pingxiang", level = "County",
            }).Ok();
        }
    }
}

/// <summary>
/// The Merkle log's health in numbers: gauges for its size, the events not yet in it and the age of
/// its latest checkpoint, read from a status cached for a few seconds; and an integrity entry in
/// readiness that turns degraded when the log falls too far behind.
/// </summary>
[Collection(nameof(TelemetryTests))]
public sealed class IntegrityMonitoringTests(MonitoredHost host) : IClassFixture<MonitoredHost>
{
    // Past Integrity:StatusMaxAge (5 s by default, on the ledger's clock): the next read goes to PostgreSQL.
    private static readonly TimeSpan PastCacheAge = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task The_gauges_report_tree_size_lag_and_checkpoint_age_from_a_status_cached_for_a_few_seconds()
    {
        await host.RegisterGovernmentsAsync(820001, 1);
        await host.IntegrateAsync();
        var integrated = await host.EventCountAsync();
        host.Clock.Advance(PastCacheAge);
        Assert.Equal(integrated, host.Gauge("ledger.merkle.tree_size"));
        Assert.Equal(0, host.Gauge("ledger.merkle.lag_events"));

        await host.RegisterGovernmentsAsync(820002, 2);

        // Within the cache's age a scrape does not read the database again.
        Assert.Equal(0, host.Gauge("ledger.merkle.lag_events"));
        host.Clock.Advance(PastCacheAge);
        Assert.Equal(2, host.Gauge("ledger.merkle.lag_events"));
        Assert.Equal(integrated, host.Gauge("ledger.merkle.tree_size"));

        await host.IntegrateAsync();
        host.Clock.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(integrated + 2, host.Gauge("ledger.merkle.tree_size"));
        Assert.Equal(0, host.Gauge("ledger.merkle.lag_events"));
        Assert.Equal(90, host.Gauge("ledger.checkpoint.age_seconds"));
        host.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(120, host.Gauge("ledger.checkpoint.age_seconds"));
    }

    [Fact]
    public async Task Readiness_reports_the_integrity_lag_healthy_within_the_limit_and_degraded_beyond_it()
    {
        await host.RegisterGovernmentsAsync(830001, 1);
        await host.IntegrateAsync();
        host.Clock.Advance(PastCacheAge);

        var healthy = await ReadyAsync();
        Assert.Equal(HttpStatusCode.OK, healthy.Status);
        Assert.Equal("healthy", healthy.Overall);
        Assert.Equal("healthy", healthy.Integrity.Status);
        Assert.StartsWith("the Merkle log is 0 events behind the ledger (limit 3)", healthy.Integrity.Detail, StringComparison.Ordinal);

        await host.RegisterGovernmentsAsync(830002, MonitoredHost.MaxLag + 1);
        host.Clock.Advance(PastCacheAge);

        // Degraded, not unhealthy: the node keeps serving while the log catches up.
        var behind = await ReadyAsync();
        Assert.Equal(HttpStatusCode.OK, behind.Status);
        Assert.Equal("degraded", behind.Overall);
        Assert.Equal("degraded", behind.Integrity.Status);
        Assert.StartsWith("the Merkle log is 4 events behind the ledger (limit 3)", behind.Integrity.Detail, StringComparison.Ordinal);

        await host.IntegrateAsync();
        host.Clock.Advance(PastCacheAge);
        Assert.Equal("healthy", (await ReadyAsync()).Integrity.Status);
    }

    private async Task<(HttpStatusCode Status, string? Overall, (string? Status, string Detail) Integrity)> ReadyAsync()
    {
        var response = await host.Anonymous().GetAsync("/health/ready");
        var body = await response.ReadAsync();
        Assert.Equal("healthy", (string?)body["checks"]!["postgres"]!["status"]);
        var integrity = body["checks"]!["integrity"]!;
        return (response.StatusCode, (string?)body["status"], ((string?)integrity["status"], (string?)integrity["detail"] ?? ""));
    }
}
