using System.Text.Json;
using System.Text.Json.Serialization;
using Ledger.Contracts;
using Ledger.Domain.Commitments;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Commitments;

/// <summary>The one set of lifecycle rules the decider, the commitment record and every view share.</summary>
public class LifecycleRulesTests
{
    private static readonly DateOnly PatrolPlanDue = new(2024, 3, 31);
    private static readonly DateTimeOffset NoticedAt = new(2024, 4, 1, 16, 5, 0, TimeSpan.Zero);

    private static CommitmentOverdue PatrolPlanOverdue => new(C1, DueKind.Milestone, PatrolPlan, PatrolPlanDue, Actor.System.Id, NoticedAt);

    private static CommitmentLifecycle After(params object[] events) => CommitmentLifecycle.Fold(events);

    [Fact]
    public void A_milestone_the_clock_finds_passed_unmet_reads_not_met_and_the_commitment_overdue_and_red()
    {
        var l = After([.. C1Active, PatrolPlanOverdue]);

        Assert.Equal(CommitmentStatus.Active, l.Status);
        Assert.Equal(MilestoneStatus.NotMet, l.MilestoneStatus(PatrolPlan));
        Assert.Equal(MilestoneStatus.Scheduled, l.MilestoneStatus(Station));
        Assert.Equal(1, l.OverdueItems);
        Assert.Equal(PatrolPlanDue, l.OverdueSince);
        Assert.Equal(Rag.Red, l.Colour);
        Assert.Equal(1, l.ItemsDue);
        Assert.Equal(0, l.ItemsOnTime);
    }

    [Fact]
    public void Overdue_outweighs_a_green_assessment_and_the_assessment_shows_again_once_the_item_is_met()
    {
        var assessed = new CommitmentAssessed(C1, "as-1", "2024-Q1", Completion.Substantial, DeliveryConfidence.Green, RiskCategory.Low,
            "On course.", JointOffice.Id, Earlier);
        var late = After([.. C1Active, assessed, PatrolPlanOverdue]);
        Assert.Equal(Rag.Red, late.Colour);

        var met = late
            .Apply(Claimed("claim-plan", ClaimScope.Milestone, PatrolPlan))
            .Apply(Verification("claim-plan", Verdict.Verified))
            .Apply(new MilestoneStatusChanged(C1, PatrolPlan, MilestoneStatus.Met, new DateOnly(2024, 5, 20), JointOffice.Id, Earlier));

        Assert.Equal(MilestoneStatus.Met, met.MilestoneStatus(PatrolPlan));
        Assert.Equal(0, met.OverdueItems);
        Assert.Null(met.OverdueSince);
        Assert.Equal(Rag.Green, met.Colour);
        Assert.Equal(2, met.ProgressThirds);
        // Met after the clock found it late: it fell due and was not met on time.
        Assert.Equal(1, met.MilestonesDue);
        Assert.Equal(0, met.MilestonesMetOnTime);
    }

    [Fact]
    public void A_revision_that_re_dates_an_overdue_milestone_closes_the_notice_and_schedules_it_again_but_keeps_the_slip()
    {
        var revised = After([.. C1Active, PatrolPlanOverdue,
            new CommitmentRevised(C1, "rev-1", "Flood season", "XGB-2024-07", null,
                [new Milestone(PatrolPlan, "Joint river patrol plan approved", MilestoneType.Approval, new DateOnly(2024, 9, 30))],
                Conference.Id, Earlier)]);

        Assert.Equal(MilestoneStatus.Scheduled, revised.MilestoneStatus(PatrolPlan));
        Assert.Equal(0, revised.OverdueItems);
        Assert.Equal(Rag.NotAssessed, revised.Colour);
        Assert.Equal(1, revised.ItemsDue);
        Assert.Equal(new DateOnly(2024, 9, 30), revised.Item(CommitmentLifecycle.MilestoneKey(PatrolPlan))!.DueOn);
    }

    [Fact]
    public void A_milestone_met_through_a_claim_is_met_on_the_day_the_claim_was_made_even_where_the_event_says_otherwise()
    {
        // An event written before the decider recorded the claim's day carries the verification's day (3 April):
        // the claim of 28 March, before the 31 March due date, makes it met on time all the same.
        var claimedAt = new DateTimeOffset(2024, 3, 28, 2, 0, 0, TimeSpan.Zero);
        var met = After([.. C1Active,
            new FulfilmentClaimed(C1, "claim-plan", ClaimScope.Milestone, PatrolPlan, [], "Approved.", LiuyangGov.Id, claimedAt),
            new VerificationCompleted(C1, "claim-plan", VerificationMethod.DocumentReview, Verdict.Verified, "Seen.", JointOffice.Id, claimedAt.AddDays(6)),
            new MilestoneStatusChanged(C1, PatrolPlan, MilestoneStatus.Met, new DateOnly(2024, 4, 3), JointOffice.Id, claimedAt.AddDays(6))]);

        Assert.Equal(new DateOnly(2024, 3, 28), met.Item(CommitmentLifecycle.MilestoneKey(PatrolPlan))!.MetOn);
        Assert.Equal((1, 1), (met.MilestonesDue, met.MilestonesMetOnTime));
    }

    [Fact]
    public void A_notice_for_an_item_already_met_changes_nothing()
    {
        var met = After([.. C1Active,
            new MilestoneStatusChanged(C1, PatrolPlan, MilestoneStatus.Met, new DateOnly(2024, 3, 30), JointOffice.Id, Earlier)]);

        var noticed = met.Apply(PatrolPlanOverdue);

        Assert.Equal(MilestoneStatus.Met, noticed.MilestoneStatus(PatrolPlan));
        Assert.Equal(0, noticed.OverdueItems);
        Assert.Equal(1, noticed.MilestonesMetOnTime);
    }

    [Fact]
    public void What_a_suspension_resumes_to_is_known_only_while_suspended()
    {
        Assert.Null(After(C1Draft).ResumesTo);
        Assert.Null(After(C1Active).ResumesTo);

        var claimed = C1In(CommitmentStatus.FulfilmentClaimed);
        var suspended = After([.. claimed, new CommitmentSuspended(C1, "Basin flood emergency", JointOffice.Id, Earlier)]);
        Assert.Equal(CommitmentStatus.Suspended, suspended.Status);
        Assert.Equal(CommitmentStatus.FulfilmentClaimed, suspended.ResumesTo);

        var resumed = suspended.Apply(new CommitmentResumed(C1, "Stations back online", JointOffice.Id, Earlier));
        Assert.Equal(CommitmentStatus.FulfilmentClaimed, resumed.Status);
        Assert.Null(resumed.ResumesTo);
    }

    [Fact]
    public void A_verified_whole_claim_fulfils_on_the_day_it_was_claimed_in_Beijing_closes_every_notice_and_is_green()
    {
        // Claimed at 20:00 UTC on 20 May: 21 May in the zone.
        var claimedAt = new DateTimeOffset(2024, 5, 20, 20, 0, 0, TimeSpan.Zero);
        var fulfilled = After([.. C1Active, PatrolPlanOverdue,
            new FulfilmentClaimed(C1, WholeClaim, ClaimScope.Commitment, null, [], "Delivered.", LiuyangGov.Id, claimedAt),
            new VerificationCompleted(C1, WholeClaim, VerificationMethod.SiteInspection, Verdict.Verified, "Seen.", JointOffice.Id, claimedAt.AddDays(30))]);

        Assert.Equal(CommitmentStatus.Fulfilled, fulfilled.Status);
        Assert.Equal(new DateOnly(2024, 5, 21), fulfilled.FulfilledOn);
        Assert.Equal(new DateOnly(2024, 5, 21), fulfilled.Item(CommitmentLifecycle.DeadlineKey)!.MetOn);
        Assert.Equal(0, fulfilled.OverdueItems);
        Assert.Equal(Rag.Green, fulfilled.Colour);
        Assert.Equal(3, fulfilled.ProgressThirds);
        Assert.Empty(fulfilled.OpenClaims);
    }

    [Fact]
    public void A_rejected_whole_claim_returns_the_commitment_to_active()
    {
        var rejected = After([.. C1In(CommitmentStatus.FulfilmentClaimed), Verification(WholeClaim, Verdict.Rejected)]);

        Assert.Equal(CommitmentStatus.Active, rejected.Status);
        Assert.Null(rejected.FulfilledOn);
        Assert.Empty(rejected.OpenClaims);
    }

    [Fact]
    public void A_withdrawal_closes_every_notice()
    {
        var withdrawn = After([.. C1Active, PatrolPlanOverdue,
            new CommitmentOverdue(C1, DueKind.Deadline, null, Deadline, Actor.System.Id, NoticedAt),
            new CommitmentWithdrawn(C1, "Merged into the basin-wide commitment", Conference.Id, Earlier)]);

        Assert.Equal(CommitmentStatus.Withdrawn, withdrawn.Status);
        Assert.Equal(0, withdrawn.OverdueItems);
        Assert.Equal(2, withdrawn.ItemsDue);
    }

    [Fact]
    public void The_earliest_open_due_date_is_when_the_commitment_became_overdue()
    {
        var both = After([.. C1Active,
            new CommitmentOverdue(C1, DueKind.Milestone, Station, new DateOnly(2024, 12, 31), Actor.System.Id, NoticedAt),
            PatrolPlanOverdue]);

        Assert.Equal(2, both.OverdueItems);
        Assert.Equal(PatrolPlanDue, both.OverdueSince);
    }

    [Fact]
    public void Open_orders_are_those_not_yet_accepted()
    {
        var ordered = After([.. C1Active,
            new RectificationOrdered(C1, "rect-1", Liuyang, "Station offline", ["Restore it"], new DateOnly(2024, 7, 1), JointOffice.Id, Earlier),
            new RectificationOrdered(C1, "rect-2", Shangli, "Data late", ["Send it"], new DateOnly(2024, 7, 1), JointOffice.Id, Earlier),
            new RectificationAccepted(C1, "rect-1", "Restored.", JointOffice.Id, Earlier)]);

        Assert.Equal(["rect-2"], ordered.OpenRectificationIds);
    }

    [Fact]
    public void The_decider_reads_the_same_lifecycle()
    {
        object[] events = [.. C1Active, PatrolPlanOverdue];
        var state = events.Aggregate((CommitmentState?)null, CommitmentState.Evolve)!;

        Assert.Equal(MilestoneStatus.NotMet, state.Milestones[PatrolPlan]);
        Assert.Equal(CommitmentLifecycle.Fold(events).Colour, state.Lifecycle.Colour);
        Assert.Equal(1, state.Lifecycle.OverdueItems);
    }

    [Fact]
    public void A_stored_lifecycle_reads_back_as_it_was_written()
    {
        // As the documents store it: camelCase members, enums by name.
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
        var l = After([.. C1Active, PatrolPlanOverdue, Claimed("claim-plan", ClaimScope.Milestone, PatrolPlan),
            new CommitmentSuspended(C1, "Basin flood emergency", JointOffice.Id, Earlier)]);

        var text = JsonSerializer.Serialize(l, json);
        var back = JsonSerializer.Deserialize<CommitmentLifecycle>(text, json)!;

        Assert.DoesNotContain("colour", text, StringComparison.Ordinal);
        Assert.Equal(text, JsonSerializer.Serialize(back, json));
        Assert.Equal(l.Colour, back.Colour);
        Assert.Equal(l.ResumesTo, back.ResumesTo);
        Assert.Equal(l.OverdueSince, back.OverdueSince);
    }
}
