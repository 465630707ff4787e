using System.Globalization;
using Ledger.Contracts;
using Ledger.Domain.Commitments;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Commitments;

public class ReportingProgressTests
{
    private const string Narrative = "January to May all at Class II or III; May patrol found no discharges.";
    private static readonly DateOnly AsOf = new(2024, 5, 31);

    private static ReportProgress Report(params IndicatorValue[] values) =>
        new(C1, "rpt-2024-05", "2024", AsOf, values, Narrative, LiuyangGov, Now);

    private static IndicatorValue Months(decimal? value) => new(MonthsAtClassIII.IndicatorId, value, null);

    private static Outcome<CommitmentState> Reporting(ReportProgress command, params object[] given) =>
        Spec.Given(given.Length == 0 ? C1Active : given).When(state => CommitmentDecider.Decide(state, command));

    [Fact]
    public void The_lead_reports_actual_values_for_a_period() =>
        Reporting(Report(Months(5m), new IndicatorValue(RiverChiefMechanism.IndicatorId, null, "Monthly joint river-chief meetings held.")))
            .Then(new ProgressReported(C1, "rpt-2024-05", "2024", AsOf,
                [Months(5m), new IndicatorValue(RiverChiefMechanism.IndicatorId, null, "Monthly joint river-chief meetings held.")],
                Narrative, LiuyangGov.Id, Now))
            .AndState(s => Assert.Contains("rpt-2024-05", s.ReportIds));

    [Fact]
    public void A_contributing_government_reports_progress() =>
        Reporting(Report(Months(5m)) with { Actor = ShangliGov })
            .Then(new ProgressReported(C1, "rpt-2024-05", "2024", AsOf, [Months(5m)], Narrative, ShangliGov.Id, Now));

    [Fact]
    public void A_claimed_commitment_still_takes_reports() =>
        Reporting(Report(Months(5m)), C1In(CommitmentStatus.FulfilmentClaimed))
            .Then(new ProgressReported(C1, "rpt-2024-05", "2024", AsOf, [Months(5m)], Narrative, LiuyangGov.Id, Now));

    [Theory]
    [InlineData(ActorRole.Supervisor)]
    [InlineData(ActorRole.Decision)]
    [InlineData(ActorRole.Admin)]
    public void A_supervisor_never_writes_a_governments_progress(ActorRole role) =>
        Reporting(Report(Months(5m)) with { Actor = new Actor("joint-office", role, Liuyang) })
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Fact]
    public void A_government_outside_the_commitment_does_not_report() =>
        Reporting(Report(Months(5m)) with { Actor = LilingGov })
            .ThenFails(DomainErrorKind.Forbidden, "not_a_participant");

    [Theory]
    [InlineData(CommitmentStatus.Draft, "commitment_not_active")]
    [InlineData(CommitmentStatus.Suspended, "commitment_suspended")]
    [InlineData(CommitmentStatus.Withdrawn, "commitment_withdrawn")]
    [InlineData(CommitmentStatus.Fulfilled, "commitment_not_active")]
    public void Nobody_reports_on_a_commitment_that_is_not_active(CommitmentStatus status, string code) =>
        Reporting(Report(Months(5m)), C1In(status))
            .ThenFails(DomainErrorKind.Conflict, code);

    [Theory]
    [InlineData("RPT-2024-05")]
    [InlineData("r5")]
    [InlineData("")]
    public void A_report_id_is_lower_case_letters_digits_and_dashes(string reportId) =>
        Reporting(Report(Months(5m)) with { ReportId = reportId })
            .ThenFails(DomainErrorKind.Rule, "invalid_report_id", "reportId");

    [Fact]
    public void A_report_id_is_used_once() =>
        Reporting(Report(Months(5m)) with { ReportId = "rpt-2024-04" }, [.. C1Active, Reported("rpt-2024-04")])
            .ThenFails(DomainErrorKind.Conflict, "duplicate_report", "reportId");

    [Fact]
    public void A_report_id_is_not_one_already_used_by_a_correction() =>
        Reporting(Report(Months(5m)) with { ReportId = "cor-2024-04" },
            [.. C1Active, Reported("rpt-2024-04"),
             new ProgressCorrected(C1, "cor-2024-04", "rpt-2024-04", [Months(3m)], "April was Class IV", LiuyangGov.Id, Earlier)])
            .ThenFails(DomainErrorKind.Conflict, "duplicate_report", "reportId");

    [Fact]
    public void A_report_names_its_period() =>
        Reporting(Report(Months(5m)) with { Period = "" })
            .ThenFails(DomainErrorKind.Rule, "required", "period");

    [Fact]
    public void The_as_of_date_is_never_in_the_future() =>
        Reporting(Report(Months(5m)) with { AsOf = Tomorrow })
            .ThenFails(DomainErrorKind.Rule, "date_in_future", "asOf");

    [Fact]
    public void A_report_may_be_as_of_today() =>
        Reporting(Report(Months(5m)) with { AsOf = Today })
            .Then(new ProgressReported(C1, "rpt-2024-05", "2024", Today, [Months(5m)], Narrative, LiuyangGov.Id, Now));

    [Fact]
    public void Today_is_the_pilot_zones_date_not_utcs()
    {
        // 20:00 UTC on 1 June is 04:00 on 2 June in China Standard Time, where the counties report.
        var eveningUtc = new DateTimeOffset(2024, 6, 1, 20, 0, 0, TimeSpan.Zero);
        Reporting(Report(Months(5m)) with { AsOf = Tomorrow, Now = eveningUtc })
            .Then(new ProgressReported(C1, "rpt-2024-05", "2024", Tomorrow, [Months(5m)], Narrative, LiuyangGov.Id, eveningUtc));
    }

    [Fact]
    public void A_report_has_a_narrative() =>
        Reporting(Report(Months(5m)) with { Narrative = " " })
            .ThenFails(DomainErrorKind.Rule, "required", "narrative");

    [Fact]
    public void A_report_carries_at_least_one_value() =>
        Reporting(Report())
            .ThenFails(DomainErrorKind.Rule, "values_required", "values");

    [Fact]
    public void Every_value_names_a_defined_indicator() =>
        Reporting(Report(Months(5m), new IndicatorValue("joint-patrols", 2m, null)))
            .ThenFails(DomainErrorKind.Rule, "unknown_indicator", "values[1].indicatorId");

    [Fact]
    public void Every_indicator_appears_once_in_a_report() =>
        Reporting(Report(Months(5m), Months(4m)))
            .ThenFails(DomainErrorKind.Rule, "duplicate_value", "values[1].indicatorId");

    [Fact]
    public void The_period_is_one_the_indicator_defines() =>
        Reporting(Report(Months(5m)) with { Period = "2024-Q2" })
            .ThenFails(DomainErrorKind.Rule, "unknown_period", "period");

    [Fact]
    public void An_indicator_without_periods_takes_any_period_label() =>
        Reporting(Report(new IndicatorValue(MonthlyClass.IndicatorId, 2m, null)) with { Period = "2024-05" })
            .Then(new ProgressReported(C1, "rpt-2024-05", "2024-05", AsOf, [new IndicatorValue(MonthlyClass.IndicatorId, 2m, null)], Narrative, LiuyangGov.Id, Now));

    public static TheoryData<string, string> AcceptedValues => new()
    {
        { "months-class-iii", "0" },
        { "months-class-iii", "12" },
        { "auto-monitoring-coverage", "0" },
        { "auto-monitoring-coverage", "87.5" },
        { "auto-monitoring-coverage", "100" },
        { "monitoring-data-shared", "0" },
        { "monitoring-data-shared", "1" },
        { "jinyushi-monthly-class", "1" },
        { "jinyushi-monthly-class", "3" },
        { "jinyushi-monthly-class", "6" },
    };

    [Theory]
    [MemberData(nameof(AcceptedValues))]
    public void A_value_that_fits_its_measure_is_reported(string indicatorId, string value)
    {
        var actual = new IndicatorValue(indicatorId, decimal.Parse(value, CultureInfo.InvariantCulture), null);

        Reporting(Report(actual) with { Period = "2024" })
            .Then(new ProgressReported(C1, "rpt-2024-05", "2024", AsOf, [actual], Narrative, LiuyangGov.Id, Now));
    }

    public static TheoryData<string, string> RefusedValues => new()
    {
        { "months-class-iii", "-1" },       // a count is never negative
        { "months-class-iii", "4.5" },      // nor fractional
        { "auto-monitoring-coverage", "-0.1" },
        { "auto-monitoring-coverage", "100.5" },
        { "monitoring-data-shared", "2" },  // a boolean is 0 or 1
        { "monitoring-data-shared", "0.5" },
        { "jinyushi-monthly-class", "0" },  // classes run I-V, 6 meaning worse than V
        { "jinyushi-monthly-class", "7" },
        { "jinyushi-monthly-class", "2.5" },
    };

    [Theory]
    [MemberData(nameof(RefusedValues))]
    public void A_value_that_does_not_fit_its_measure_is_refused(string indicatorId, string value) =>
        Reporting(Report(new IndicatorValue(indicatorId, decimal.Parse(value, CultureInfo.InvariantCulture), null)))
            .ThenFails(DomainErrorKind.Rule, "value_out_of_range", "values[0].value");

    [Theory]
    [InlineData("months-class-iii")]
    [InlineData("auto-monitoring-coverage")]
    [InlineData("monitoring-data-shared")]
    [InlineData("jinyushi-monthly-class")]
    public void A_numeric_indicator_needs_a_number(string indicatorId) =>
        Reporting(Report(new IndicatorValue(indicatorId, null, "about ten")))
            .ThenFails(DomainErrorKind.Rule, "value_required", "values[0].value");

    [Fact]
    public void A_qualitative_indicator_takes_text_not_a_number() =>
        Reporting(Report(new IndicatorValue(RiverChiefMechanism.IndicatorId, 1m, "Meetings held")))
            .ThenFails(DomainErrorKind.Rule, "value_not_allowed", "values[0].text");

    [Fact]
    public void A_qualitative_indicator_needs_text() =>
        Reporting(Report(new IndicatorValue(RiverChiefMechanism.IndicatorId, null, " ")))
            .ThenFails(DomainErrorKind.Rule, "text_required", "values[0].text");

    [Fact]
    public void A_values_text_is_at_most_four_thousand_characters() =>
        Reporting(Report(new IndicatorValue(RiverChiefMechanism.IndicatorId, null, new string('x', 4001))))
            .ThenFails(DomainErrorKind.Rule, "too_long", "values[0].text");
}
