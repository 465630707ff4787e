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
