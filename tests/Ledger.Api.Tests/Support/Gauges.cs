using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Ledger.Api.Tests.Support;

public static class Gauges
{
    /// <summary>
    /// A gauge's value at a collection forced now, or null when it reported nothing. What was recorded
    /// before is cleared first, so the value read is the current one.
    /// </summary>
    public static double? Read(IServiceProvider services, Recorded<MetricSnapshot> metrics, string name)
    {
        metrics.Clear();
        services.GetRequiredService<MeterProvider>().ForceFlush();
        var metric = metrics.Snapshot().LastOrDefault(m => m.Name == name);
        if (metric is null || metric.MetricPoints.Count == 0) return null;
        var point = Assert.Single(metric.MetricPoints);
        return metric.MetricType == MetricType.LongGauge ? point.GetGaugeLastValueLong() : point.GetGaugeLastValueDouble();
    }
}
