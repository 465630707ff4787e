using JasperFx.Events;
using Ledger.Contracts;

namespace Ledger.Projections.Tests;

public sealed class ProgressReportRecordTests
{
    private static readonly DateTimeOffset At = new(2024, 7, 1, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_reports_current_values_take_each_indicator_from_the_latest_correction_that_names_it()
    {
        var report = new ProgressReportRecord
        {
            ReportId = "r-2024",
            Values = [new("months", 9m, null), new("class", 3m, null)],
        };
        report.Correct(new ProgressCorrected("c1", "fix-1", "r-2024", [new("months", 10m, null), new("class", 2m, null)], "re-sampled", "government:430181", At));
        report.Correct(new ProgressCorrected("c1", "fix-2", "r-2024", [new("months", 11m, null)], "December added", "government:430181", At));

        Assert.Equal([new IndicatorValue("months", 11m, null), new IndicatorValue("class", 2m, null)], report.CurrentValues);
        Assert.Equal(2, report.Corrections.Count);
        Assert.Equal(9m, report.Values[0].Value); // the report as made stays as made
    }
}

/// <summary>How the commitment record shows a correction, folded by its projection from events alone.</summary>
public sealed class RecordCorrectionTests
{
    private static readonly DateTimeOffset At = new(2024, 7, 1, 2, 0, 0, TimeSpan.Zero);
    private long _version;

    private IEvent<T> E<T>(T data) where T : notnull => new Event<T>(data) { Version = ++_version, Timestamp = At, StreamKey = "commitment/c1" };

    private static Indicator Count(string id) => new(id, id, Measure.Count, "n", Direction.Ascending, Aggregation.PerPeriod, null);

    [Fact]
    public void A_correction_stored_before_the_rule_that_names_an_indicator_its_report_never_gave_is_shown_where_nothing_else_is()
    {
        var projection = new CommitmentRecordProjection();
        var record = projection.Create(E(new CommitmentRegistered("c1", "a1", "430181", "bureau", ResultType.Output, "t", "d", new DateOnly(2025, 12, 31), "gov:430181", At)));
        projection.Apply(E(new IndicatorDefined("c1", Count("months"), "gov:430181", At)), record);
        projection.Apply(E(new IndicatorDefined("c1", Count("stations"), "gov:430181", At)), record);
        // Reports that push the corrected one out of the record's latest five.
        projection.Apply(E(new ProgressReported("c1", "r-2024", "2024", new DateOnly(2024, 6, 30), [new("months", 6m, null)], "n", "gov:430181", At)), record);
        for (var i = 1; i <= 6; i++)
            projection.Apply(E(new ProgressReported("c1", $"r-2025-{i}", "2025", new DateOnly(2025, 6, 30), [new("months", i, null)], "n", "gov:430181", At)), record);

        // Allowed by the decider before it refused a value the report never gave.
        projection.Apply(E(new ProgressCorrected("c1", "fix", "r-2024", [new("months", 7m, null), new("stations", 2m, null)], "r", "gov:430181", At)), record);

        Assert.DoesNotContain(record.RecentReports, r => r.ReportId == "r-2024");
        var months = record.Indicators.Single(i => i.Definition.IndicatorId == "months").Actuals.Single(a => a.Period == "2024");
        var stations = record.Indicators.Single(i => i.Definition.IndicatorId == "stations").Actuals.Single();
        Assert.Equal((7m, "r-2024", "fix"), (months.Value, months.ReportId, months.CorrectionId));
        Assert.Equal(("2024", 2m, "r-2024", "fix", new DateOnly(2024, 6, 30)), (stations.Period, stations.Value, stations.ReportId, stations.CorrectionId, stations.AsOf));
    }
}
