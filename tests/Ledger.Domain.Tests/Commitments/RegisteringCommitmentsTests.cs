using Ledger.Contracts;
using Ledger.Domain.Agreements;
using Ledger.Domain.Commitments;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Commitments;

public class RegisteringCommitmentsTests
{
    private static readonly AgreementState ActiveA1 = AgreementAfter(A1Active);

    private static Outcome<CommitmentState> Registering(RegisterCommitment command, params object[] given) =>
        Spec.Given(given).When(state => CommitmentDecider.Decide(state, command, ActiveA1));

    private static RegisterCommitment WithIndicator(Indicator indicator) => RegisterC1 with { Indicators = [indicator] };

    private static RegisterCommitment WithMilestones(params Milestone[] milestones) => RegisterC1 with { Milestones = milestones };

    [Fact]
    public void A_lead_government_registers_a_draft_commitment_with_contributors_indicators_and_milestones() =>
        Registering(RegisterC1)
            .Then(
            [
                new CommitmentRegistered(C1, A1, Liuyang, C1Department, ResultType.Outcome, C1Title, C1Description, Deadline, LiuyangGov.Id, Now),
                new ContributorAssigned(C1, Shangli, 40m, LiuyangGov.Id, Now),
                .. C1Indicators.Select(x => new IndicatorDefined(C1, x, LiuyangGov.Id, Now)),
                .. C1Milestones.Select(x => new MilestoneScheduled(C1, x, LiuyangGov.Id, Now)),
            ])
            .AndState(s =>
            {
                Assert.Equal(CommitmentStatus.Draft, s.Status);
                Assert.True(s.IsParticipant(Shangli));
                Assert.False(s.IsParticipant(Liling));
                Assert.Equal(C1Indicators.Length, s.Indicators.Count);
                Assert.All(s.Milestones.Values, m => Assert.Equal(MilestoneStatus.Scheduled, m));
            });

    [Fact]
    public void A_commitment_may_start_with_nothing_but_its_description() =>
        Registering(RegisterC1 with { Indicators = null!, Milestones = null!, Contributors = null! })
            .Then(new CommitmentRegistered(C1, A1, Liuyang, C1Department, ResultType.Outcome, C1Title, C1Description, Deadline, LiuyangGov.Id, Now));

    [Fact]
    public void Only_a_government_registers_commitments() =>
        Registering(RegisterC1 with { Actor = JointOffice })
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Fact]
    public void A_government_registers_only_commitments_it_leads() =>
        Registering(RegisterC1 with { Actor = ShangliGov })
            .ThenFails(DomainErrorKind.Forbidden, "not_your_commitment");

    [Theory]
    [InlineData("A01-Jinyushi")]
    [InlineData("c1")]
    [InlineData("a01_jinyushi")]
    [InlineData("")]
    public void A_commitment_id_is_lower_case_letters_digits_and_dashes(string commitmentId) =>
        Registering(RegisterC1 with { CommitmentId = commitmentId })
            .ThenFails(DomainErrorKind.Rule, "invalid_commitment_id", "commitmentId");

    [Fact]
    public void A_commitment_id_is_used_once() =>
        Registering(RegisterC1, C1Draft)
            .ThenFails(DomainErrorKind.Conflict, "commitment_exists", "commitmentId");

    [Fact]
    public void The_agreement_exists() =>
        Spec.Given()
            .When(state => CommitmentDecider.Decide(state, RegisterC1, agreement: null))
            .ThenFails(DomainErrorKind.NotFound, "agreement_not_found", "agreementId");

    [Theory]
    [InlineData(AgreementStatus.Drafted)]
    [InlineData(AgreementStatus.Terminated)]
    public void The_agreement_is_active(AgreementStatus status)
    {
        var agreement = AgreementAfter(status == AgreementStatus.Drafted ? A1FullySigned : A1Terminated);
        Assert.Equal(status, agreement.Status);

        Spec.Given()
            .When(state => CommitmentDecider.Decide(state, RegisterC1, agreement))
            .ThenFails(DomainErrorKind.Conflict, "agreement_not_active", "agreementId");
    }

    [Fact]
    public void The_lead_is_a_party_to_the_agreement() =>
        Registering(RegisterC1 with { LeadGovernmentId = Pingjiang, Actor = PingjiangGov })
            .ThenFails(DomainErrorKind.Rule, "lead_not_a_party", "leadGovernmentId");

    [Theory]
    [InlineData("leadDepartment")]
    [InlineData("title")]
    [InlineData("description")]
    public void Department_title_and_description_are_required(string field) =>
        Registering(field switch
        {
            "leadDepartment" => RegisterC1 with { LeadDepartment = "" },
            "title" => RegisterC1 with { Title = " " },
            _ => RegisterC1 with { Description = "" },
        })
            .ThenFails(DomainErrorKind.Rule, "required", field);

    [Theory]
    [InlineData("2020-12-31")]
    [InlineData("2026-01-01")]
    public void The_deadline_falls_within_the_agreements_term(string deadline) =>
        Registering(RegisterC1 with { Deadline = DateOnly.Parse(deadline), Milestones = [] })
            .ThenFails(DomainErrorKind.Rule, "deadline_outside_term", "deadline");

    [Fact]
    public void A_deadline_on_the_last_day_of_the_term_is_within_it() =>
        Registering(RegisterC1 with { Deadline = TermEnd, Contributors = [], Indicators = [], Milestones = [] })
            .Then(new CommitmentRegistered(C1, A1, Liuyang, C1Department, ResultType.Outcome, C1Title, C1Description, TermEnd, LiuyangGov.Id, Now));

    [Fact]
    public void A_contributor_appears_once() =>
        Registering(RegisterC1 with { Contributors = [new(Shangli, 20m), new(Shangli, 10m)] })
            .ThenFails(DomainErrorKind.Rule, "duplicate_contributor", "contributors[1].governmentId");

    [Fact]
    public void The_lead_is_not_its_own_contributor() =>
        Registering(RegisterC1 with { Contributors = [new(Liuyang, 20m)] })
            .ThenFails(DomainErrorKind.Rule, "duplicate_contributor", "contributors[0].governmentId");

    [Fact]
    public void Every_contributor_is_a_party_to_the_agreement() =>
        Registering(RegisterC1 with { Contributors = [new(Shangli, 20m), new(Xiangdong, 10m)] })
            .ThenFails(DomainErrorKind.Rule, "contributor_not_a_party", "contributors[1].governmentId");

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("100")]
    public void A_contributors_share_is_above_zero_and_below_a_hundred(string share) =>
        Registering(RegisterC1 with { Contributors = [new(Shangli, decimal.Parse(share))] })
            .ThenFails(DomainErrorKind.Rule, "invalid_share", "contributors[0].sharePercent");

    [Fact]
    public void Contributors_shares_leave_the_lead_a_share() =>
        Registering(RegisterC1 with { Contributors = [new(Shangli, 60m), new(Liling, 40m)] })
            .ThenFails(DomainErrorKind.Rule, "shares_exceed_total", "contributors");

    [Fact]
    public void Contributors_may_share_just_under_the_whole() =>
        Registering(RegisterC1 with { Contributors = [new(Shangli, 60m), new(Liling, 39.5m)], Indicators = [], Milestones = [] })
            .Then(
                new CommitmentRegistered(C1, A1, Liuyang, C1Department, ResultType.Outcome, C1Title, C1Description, Deadline, LiuyangGov.Id, Now),
                new ContributorAssigned(C1, Shangli, 60m, LiuyangGov.Id, Now),
                new ContributorAssigned(C1, Liling, 39.5m, LiuyangGov.Id, Now));

    [Theory]
    [InlineData("Months-Class-III")]
    [InlineData("m3")]
    [InlineData("")]
    public void An_indicator_id_is_lower_case_letters_digits_and_dashes(string indicatorId) =>
        Registering(WithIndicator(MonthsAtClassIII with { IndicatorId = indicatorId }))
            .ThenFails(DomainErrorKind.Rule, "invalid_indicator_id", "indicators[0].indicatorId");

    [Fact]
    public void Indicator_ids_are_unique_within_a_commitment() =>
        Registering(RegisterC1 with { Indicators = [MonthsAtClassIII, MonitoringCoverage, MonthsAtClassIII with { Name = "Again" }] })
            .ThenFails(DomainErrorKind.Rule, "duplicate_indicator", "indicators[2].indicatorId");

    [Fact]
    public void An_indicator_has_a_name() =>
        Registering(RegisterC1 with { Indicators = [MonthsAtClassIII, MonitoringCoverage with { Name = "" }] })
            .ThenFails(DomainErrorKind.Rule, "required", "indicators[1].name");

    [Fact]
    public void An_indicator_has_a_unit() =>
        Registering(WithIndicator(MonthsAtClassIII with { Unit = "" }))
            .ThenFails(DomainErrorKind.Rule, "required", "indicators[0].unit");

    [Fact]
    public void A_baseline_is_never_dated_in_the_future() =>
        Registering(WithIndicator(MonthsAtClassIII with { Baseline = MonthsAtClassIII.Baseline! with { Date = Tomorrow } }))
            .ThenFails(DomainErrorKind.Rule, "date_in_future", "indicators[0].baseline.date");

    [Fact]
    public void A_baseline_names_its_source() =>
        Registering(WithIndicator(MonthsAtClassIII with { Baseline = MonthsAtClassIII.Baseline! with { Source = "" } }))
            .ThenFails(DomainErrorKind.Rule, "required", "indicators[0].baseline.source");

    [Fact]
    public void A_baseline_value_fits_the_measure() =>
        Registering(WithIndicator(MonitoringCoverage with { Baseline = MonitoringCoverage.Baseline! with { Value = 120m } }))
            .ThenFails(DomainErrorKind.Rule, "value_out_of_range", "indicators[0].baseline.value");

    [Fact]
    public void A_qualitative_baseline_carries_no_number() =>
        Registering(WithIndicator(RiverChiefMechanism with { Baseline = new Baseline(1m, new DateOnly(2023, 12, 31), "Joint office") }))
            .ThenFails(DomainErrorKind.Rule, "value_not_allowed", "indicators[0].baseline.value");

    [Fact]
    public void A_baseline_without_a_value_is_accepted() =>
        Registering(RegisterC1 with
        {
            Contributors = [],
            Indicators = [MonitoringCoverage with { Baseline = MonitoringCoverage.Baseline! with { Value = null } }],
            Milestones = [],
        })
            .Then(
                new CommitmentRegistered(C1, A1, Liuyang, C1Department, ResultType.Outcome, C1Title, C1Description, Deadline, LiuyangGov.Id, Now),
                new IndicatorDefined(C1, MonitoringCoverage with { Baseline = MonitoringCoverage.Baseline! with { Value = null } }, LiuyangGov.Id, Now));

    [Fact]
    public void A_period_has_a_label() =>
        Registering(WithIndicator(MonthsAtClassIII with { Periods = [MonthsAtClassIII.Periods![0] with { Period = "" }] }))
            .ThenFails(DomainErrorKind.Rule, "required", "indicators[0].periods[0].period");

    [Fact]
    public void Period_labels_are_unique_within_an_indicator() =>
        Registering(WithIndicator(MonthsAtClassIII with { Periods = [MonthsAtClassIII.Periods![0], MonthsAtClassIII.Periods![1] with { Period = "2024" }] }))
            .ThenFails(DomainErrorKind.Rule, "duplicate_period", "indicators[0].periods[1].period");

    [Fact]
    public void A_period_ends_on_or_after_its_start() =>
        Registering(WithIndicator(MonthsAtClassIII with
        {
            Periods = [new PeriodTarget("2024", new DateOnly(2024, 12, 31), new DateOnly(2024, 1, 1), 12m)],
        }))
            .ThenFails(DomainErrorKind.Rule, "period_inverted", "indicators[0].periods[0].end");

    [Fact]
    public void A_period_target_fits_the_measure() =>
        Registering(WithIndicator(MonthsAtClassIII with { Periods = [MonthsAtClassIII.Periods![0] with { Target = 12.5m }] }))
            .ThenFails(DomainErrorKind.Rule, "value_out_of_range", "indicators[0].periods[0].target");

    [Theory]
    [InlineData("Patrol-Plan")]
    [InlineData("p1")]
    [InlineData("")]
    public void A_milestone_id_is_lower_case_letters_digits_and_dashes(string milestoneId) =>
        Registering(WithMilestones(C1Milestones[0] with { MilestoneId = milestoneId }))
            .ThenFails(DomainErrorKind.Rule, "invalid_milestone_id", "milestones[0].milestoneId");

    [Fact]
    public void Milestone_ids_are_unique_within_a_commitment() =>
        Registering(WithMilestones(C1Milestones[0], C1Milestones[1] with { MilestoneId = PatrolPlan }))
            .ThenFails(DomainErrorKind.Rule, "duplicate_milestone", "milestones[1].milestoneId");

    [Fact]
    public void A_milestone_has_a_title() =>
        Registering(WithMilestones(C1Milestones[0] with { Title = "" }))
            .ThenFails(DomainErrorKind.Rule, "required", "milestones[0].title");

    [Fact]
    public void No_milestone_falls_after_the_deadline() =>
        Registering(WithMilestones(C1Milestones[0], C1Milestones[1] with { Due = Deadline.AddDays(1) }))
            .ThenFails(DomainErrorKind.Rule, "milestone_after_deadline", "milestones[1].due");

    [Fact]
    public void A_milestone_due_on_the_deadline_is_accepted() =>
        Registering(RegisterC1 with { Contributors = [], Indicators = [], Milestones = [C1Milestones[1] with { Due = Deadline }] })
            .Then(
                new CommitmentRegistered(C1, A1, Liuyang, C1Department, ResultType.Outcome, C1Title, C1Description, Deadline, LiuyangGov.Id, Now),
                new MilestoneScheduled(C1, C1Milestones[1] with { Due = Deadline }, LiuyangGov.Id, Now));
}
