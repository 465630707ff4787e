using Ledger.Contracts;
using Ledger.Domain.Commitments;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Commitments;

public class CorrectingProgressTests
{
    private const string Reason = "April was Class IV after the station was recalibrated.";
    private static readonly IndicatorValue ThreeMonths = new(MonthsAtClassIII.IndicatorId, 3m, null);

    private static object[] Reported => [.. C1Active, Pilot.Reported("rpt-2024-04")];

    private static CorrectProgress Correct(params IndicatorValue[] values) =>
        new(C1, "cor-2024-04", "rpt-2024-04", values, Reason, LiuyangGov, Now);

    private static Outcome<CommitmentState> Correcting(CorrectProgress command, params object[] given) =>
        Spec.Given(given.Length == 0 ? Reported : given).When(state => CommitmentDecider.Decide(state, command));

    [Fact]
    public void A_participant_corrects_a_report_with_a_compensating_event_that_names_it() =>
        Correcting(Correct(ThreeMonths))
            .Then(new ProgressCorrected(C1, "cor-2024-04", "rpt-2024-04", [ThreeMonths], Reason, LiuyangGov.Id, Now))
            .AndState(s =>
            {
                Assert.Contains("rpt-2024-04", s.ReportIds);
                Assert.Contains("cor-2024-04", s.CorrectionIds);
            });

    [Fact]
    public void A_contributor_corrects_a_report() =>
        Correcting(Correct(ThreeMonths) with { Actor = ShangliGov })
            .Then(new ProgressCorrected(C1, "cor-2024-04", "rpt-2024-04", [ThreeMonths], Reason, ShangliGov.Id, Now));

    [Fact]
    public void A_report_may_be_corrected_more_than_once() =>
        Correcting(Correct(ThreeMonths) with { CorrectionId = "cor-2024-04-b" },
            [.. Reported, new ProgressCorrected(C1, "cor-2024-04", "rpt-2024-04", [ThreeMonths], Reason, LiuyangGov.Id, Earlier)])
            .Then(new ProgressCorrected(C1, "cor-2024-04-b", "rpt-2024-04", [ThreeMonths], Reason, LiuyangGov.Id, Now));

    [Fact]
    public void A_supervisor_never_corrects_a_governments_progress() =>
        Correcting(Correct(ThreeMonths) with { Actor = JointOffice })
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Fact]
    public void A_government_outside_the_commitment_does_not_correct() =>
        Correcting(Correct(ThreeMonths) with { Actor = LilingGov })
            .ThenFails(DomainErrorKind.Forbidden, "not_a_participant");

    [Fact]
    public void Nobody_corrects_progress_on_a_withdrawn_commitment() =>
        Correcting(Correct(ThreeMonths),
            [.. Reported, new CommitmentWithdrawn(C1, "Merged into the basin compact", Conference.Id, Earlier)])
            .ThenFails(DomainErrorKind.Conflict, "commitment_withdrawn");

    [Theory]
    [InlineData("COR-2024-04")]
    [InlineData("c4")]
    [InlineData("")]
    public void A_correction_id_is_lower_case_letters_digits_and_dashes(string correctionId) =>
        Correcting(Correct(ThreeMonths) with { CorrectionId = correctionId })
            .ThenFails(DomainErrorKind.Rule, "invalid_correction_id", "correctionId");

    [Theory]
    [InlineData("rpt-2024-04")]
    [InlineData("cor-2024-04")]
    public void A_correction_id_is_not_one_already_used(string correctionId) =>
        Correcting(Correct(ThreeMonths) with { CorrectionId = correctionId },
            [.. Reported, new ProgressCorrected(C1, "cor-2024-04", "rpt-2024-04", [ThreeMonths], Reason, LiuyangGov.Id, Earlier)])
            .ThenFails(DomainErrorKind.Conflict, "duplicate_report", "correctionId");

    [Fact]
    public void The_corrected_report_exists() =>
        Correcting(Correct(ThreeMonths) with { CorrectsReportId = "rpt-2024-03" })
            .ThenFails(DomainErrorKind.NotFound, "report_not_found", "correctsReportId");

    [Fact]
    public void A_correction_names_a_report_not_another_correction() =>
        Correcting(Correct(ThreeMonths) with { CorrectionId = "cor-2024-04-b", CorrectsReportId = "cor-2024-04" },
            [.. Reported, new ProgressCorrected(C1, "cor-2024-04", "rpt-2024-04", [ThreeMonths], Reason, LiuyangGov.Id, Earlier)])
            .ThenFails(DomainErrorKind.NotFound, "report_not_found", "correctsReportId");

    [Fact]
    public void A_correction_gives_a_reason() =>
        Correcting(Correct(ThreeMonths) with { Reason = "" })
            .ThenFails(DomainErrorKind.Rule, "required", "reason");

    [Fact]
    public void A_correction_carries_at_least_one_value() =>
        Correcting(Correct())
            .ThenFails(DomainErrorKind.Rule, "values_required", "values");

    [Fact]
    public void Corrected_values_name_defined_indicators() =>
        Correcting(Correct(new IndicatorValue("joint-patrols", 2m, null)))
            .ThenFails(DomainErrorKind.Rule, "unknown_indicator", "values[0].indicatorId");

    [Fact]
    public void Corrected_values_fit_their_measure() =>
        Correcting(Correct(ThreeMonths, new IndicatorValue(MonitoringCoverage.IndicatorId, 101m, null)))
            .ThenFails(DomainErrorKind.Rule, "value_out_of_range", "values[1].value");

    [Fact]
    public void A_correction_corrects_only_the_values_the_report_gave() =>
        Correcting(Correct(ThreeMonths, new IndicatorValue(MonitoringCoverage.IndicatorId, 80m, null)))
            .ThenFails(DomainErrorKind.Rule, "not_in_report", "values[1].indicatorId");
}
