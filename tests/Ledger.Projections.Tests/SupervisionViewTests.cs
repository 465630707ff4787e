using Ledger.Contracts;
using Ledger.Projections.Supervision;
using Ledger.Projections.Tests.Support;
using static Ledger.Projections.Tests.Support.BorderZone;

namespace Ledger.Projections.Tests;

/// <summary>The border-zone history once, projected by the real daemon; each view against numbers worked out by hand.</summary>
public sealed class BorderZoneViews : IAsyncLifetime
{
    public ViewsDatabase Database { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await ViewsDatabase.CreateAsync("views");
        await Database.AppendAsync(Grouped(Events(), seed: 7));
        await Database.CatchUpWithDaemonAsync();
    }

    public async Task DisposeAsync() => await Database.DisposeAsync();
}

public sealed class SupervisionViewTests(BorderZoneViews zone) : IClassFixture<BorderZoneViews>
{
    private Task<T?> Load<T>(string id) where T : class => zone.Database.LoadAsync<T>(id);

    [Fact]
    public async Task A_slipped_milestone_moved_by_a_revision_leaves_the_road_amber_with_its_rectification_open()
    {
        var road = (await Load<CommitmentStanding>(Road))!;
        Assert.Equal(Transport, road.AgreementId);
        Assert.Equal(TaskArea.Transport, road.TaskArea);
        Assert.Equal(Province.Hunan, road.LeadProvince);
        Assert.Equal("株洲市", road.LeadPrefecture);
        Assert.Equal([Liling, Xiangdong], road.Participants);
        Assert.Equal(StandingStatus.Active, road.Status);
        Assert.Equal(Rag.Amber, road.Rag); // AmberRed confidence, nothing overdue any more
        Assert.Equal(0, road.OverdueItems);
        Assert.Null(road.OverdueSince);
        Assert.Equal(1, road.OpenRectifications);
        Assert.Equal(0.3333m, road.Progress); // Limited = ⅓
        Assert.Equal(1, road.Weight);
        Assert.Equal((1, 0), (road.MilestonesDue, road.MilestonesMetOnTime)); // the slip still counts as late
        Assert.Equal("2024-Q3", road.AssessmentPeriod);
        Assert.Equal(DeliveryConfidence.AmberRed, road.Confidence);
        Assert.Equal(RiskCategory.High, road.Risk);
    }

    [Fact]
    public async Task Each_commitments_record_gives_its_views_answer_and_an_overdue_one_says_so_in_its_record()
    {
        var standings = await zone.Database.AllAsync<CommitmentStanding>();
        Assert.Equal(4, standings.Count);
        foreach (var s in standings)
        {
            var record = (await Load<CommitmentRecord>(StreamKeys.Commitment(s.CommitmentId)))!;
            Assert.Equal((s.Status, s.Rag, s.OverdueItems, s.OverdueSince), (record.Status, record.Rag, record.OverdueItems, record.OverdueSince));
            Assert.Null(record.ResumesTo); // none of them is suspended
        }

        var corridor = (await Load<CommitmentRecord>(StreamKeys.Commitment(Corridor)))!;
        Assert.Equal(("Active", Rag.Red, 1, new DateOnly(2024, 3, 31)), (corridor.Status, corridor.Rag, corridor.OverdueItems, corridor.OverdueSince));
        Assert.Equal(DeliveryConfidence.Green, corridor.Confidence); // the assessor's word stays what it was

        // The road's milestone read NotMet from the clock's notice until the revision scheduled it again:
        // its versions are folded from the events (the stored record keeps none).
        var road = (await Load<CommitmentRecord>(StreamKeys.Commitment(Road)))!;
        Assert.Null(road.History);
        await using var session = zone.Database.Store.QuerySession();
        var folded = (await session.Events.AggregateStreamAsync<CommitmentRecord>(StreamKeys.Commitment(Road)))!;
        Assert.Equal(["Scheduled", "NotMet", "Scheduled"], folded.History!["milestones.m1.status"].Select(v => v.Value!.Value.GetString()));
        Assert.Equal(MilestoneStatus.Scheduled, road.Milestones.Single().Status);
    }

    [Fact]
    public async Task An_overdue_deadline_makes_a_green_assessed_commitment_red()
    {
        var corridor = (await Load<CommitmentStanding>(Corridor))!;
        Assert.Equal(Rag.Red, corridor.Rag);
        Assert.Equal(1, corridor.OverdueItems);
        Assert.Equal(new DateOnly(2024, 3, 31), corridor.OverdueSince);
        Assert.Equal(0.6667m, corridor.Progress); // Substantial = ⅔
        Assert.Equal(2, corridor.Weight);
        Assert.Equal((1, 1), (corridor.MilestonesDue, corridor.MilestonesMetOnTime)); // met 20 Jan, due 31 Jan
        Assert.Equal((2, 1), (corridor.ItemsDue, corridor.ItemsOnTime));
        Assert.Equal(1, corridor.ReportsMissing);
        Assert.Equal(0, corridor.OpenRectifications);
    }

    [Fact]
    public async Task A_verified_claim_fulfils_on_the_day_it_was_claimed_and_a_draft_is_not_supervised()
    {
        var river = (await Load<CommitmentStanding>(River))!;
        Assert.Equal(StandingStatus.Fulfilled, river.Status);
        Assert.Equal(new DateOnly(2024, 5, 10), river.FulfilledOn);
        Assert.Equal((Rag.Green, 1m, 3), (river.Rag, river.Progress, river.Weight));
        Assert.Equal((1, 1), (river.ItemsDue, river.ItemsOnTime));
        Assert.Empty(river.Lifecycle.OpenClaims);

        var bus = (await Load<CommitmentStanding>(Bus))!;
        Assert.Equal((StandingStatus.Draft, Rag.NotAssessed, 0m), (bus.Status, bus.Rag, bus.Progress));
    }

    [Fact]
    public async Task The_transport_agreement_rolls_up_its_supervised_commitments_by_weight()
    {
        var transport = (await Load<AgreementProgress>(Transport))!;
        Assert.Equal(("Transport connectivity", TaskArea.Transport, "Active"), (transport.Title, transport.TaskArea, transport.Status));
        Assert.Equal([Road, Corridor, Bus], transport.CommitmentIds);
        Assert.Equal((3, 1, 2, 2), (transport.Commitments, transport.Draft, transport.Active, transport.Supervised));
        Assert.Equal((0, 1, 1, 0), (transport.Green, transport.Amber, transport.Red, transport.NotAssessed));
        // (1·⅓ + 2·⅔) / (1 + 2) = 5/9
        Assert.Equal(0.5556m, transport.Progress);
        Assert.Equal((1, 1, 1), (transport.OverdueItems, transport.OverdueCommitments, transport.OpenRectifications));
        Assert.Equal(0.3333m, transport.OnTimeRate); // 1 of 3 fallen-due items on time

        var water = (await Load<AgreementProgress>(Water))!;
        Assert.Equal((1m, 1, 1), (water.Progress, water.Fulfilled, water.Green));
    }

    [Fact]
    public async Task Areas_roll_up_by_task_area_and_by_the_lead_governments_province_and_prefecture()
    {
        var transport = (await Load<AreaSummary>("taskArea/Transport"))!;
        Assert.Equal((3, 0.5556m, 1), (transport.Commitments, transport.Progress, transport.OverdueItems));

        var hunan = (await Load<AreaSummary>("province/Hunan"))!;
        // Road (1·⅓) and River (3·1) supervised, Bus a draft: (⅓ + 3) / 4 = 10/12
        Assert.Equal((3, 2, 0.8333m), (hunan.Commitments, hunan.Supervised, hunan.Progress));
        Assert.Equal((1, 1, 0), (hunan.Green, hunan.Amber, hunan.Red));
        Assert.Equal(0.5m, hunan.OnTimeRate);

        var jiangxi = (await Load<AreaSummary>("province/Jiangxi"))!;
        Assert.Equal((1, 0.6667m, 1), (jiangxi.Commitments, jiangxi.Progress, jiangxi.Red));

        var zhuzhou = (await Load<AreaSummary>("prefecture/株洲市"))!;
        Assert.Equal(("prefecture", "株洲市", 2, 0.3333m), (zhuzhou.Scope, zhuzhou.Key, zhuzhou.Commitments, zhuzhou.Progress));
    }

    [Fact]
    public async Task Each_government_has_its_on_time_rate_overdue_count_open_orders_and_colour()
    {
        var liling = (await Load<GovernmentCompliance>(Liling))!;
        Assert.Equal(("醴陵市", Province.Hunan, "株洲市"), (liling.NameZh, liling.Province, liling.Prefecture));
        Assert.Equal((2, 1, 1, 2), (liling.Led, liling.LedActive, liling.LedDraft, liling.ParticipatesIn));
        Assert.Equal(0m, liling.OnTimeRate);
        Assert.Equal((0, 1, 1), (liling.OverdueItems, liling.OpenRectifications, liling.RejectedRectifications));
        Assert.Equal(new DateOnly(2024, 9, 30), liling.NextRectificationDueOn);
        Assert.Equal(Rag.Red, liling.Rag); // its response to r1 was rejected and r1 is still open

        var xiangdong = (await Load<GovernmentCompliance>(Xiangdong))!;
        Assert.Equal((1, 2, 0.5m), (xiangdong.Led, xiangdong.ParticipatesIn, xiangdong.OnTimeRate));
        Assert.Equal((1, 0, Rag.Red), (xiangdong.OverdueItems, xiangdong.OpenRectifications, xiangdong.Rag));

        var liuyang = (await Load<GovernmentCompliance>(Liuyang))!;
        Assert.Equal((1, 1, 1m, Rag.Green), (liuyang.Led, liuyang.LedFulfilled, liuyang.OnTimeRate, liuyang.Rag));
    }

    [Fact]
    public async Task The_overdue_queue_holds_only_what_is_still_overdue()
    {
        var queue = await zone.Database.AllAsync<OverdueItem>();
        var item = Assert.Single(queue);
        Assert.Equal(Corridor + "/deadline", item.Id);
        Assert.Equal((DueKind.Deadline, new DateOnly(2024, 3, 31)), (item.Kind, item.DueOn));
        Assert.Equal((Xiangdong, Province.Jiangxi, "萍乡市", TaskArea.Transport), (item.LeadGovernmentId, item.LeadProvince, item.LeadPrefecture, item.TaskArea));
        Assert.Empty(item.OpenRectificationIds); // r2 was accepted
        Assert.Null(await Load<OverdueItem>(Road + "/milestone/m1")); // moved by the revision
    }

    [Fact]
    public async Task The_rectification_tracker_follows_an_order_through_rejection_and_escalation()
    {
        var r1 = (await Load<RectificationTrack>(Road + "/r1"))!;
        Assert.Equal((Liling, Province.Hunan, "株洲市"), (r1.GovernmentId, r1.Province, r1.Prefecture));
        Assert.Equal((RectificationStatus.Rejected, true), (r1.Status, r1.Open));
        Assert.Equal((new DateOnly(2024, 9, 30), new DateOnly(2024, 8, 31)), (r1.DueOn, r1.OriginalDueOn));
        Assert.Single(r1.Responses);
        Assert.Equal(At(2024, 8, 20), r1.LastResponseAt);
        Assert.Equal(("e1", GovernanceLevel.Decision, "dec-2024-07"), (r1.EscalationId, r1.EscalationLevel, r1.DecisionReference));
        Assert.Equal(["approve the design", "report weekly"], r1.RequiredActions);

        var r2 = (await Load<RectificationTrack>(Corridor + "/r2"))!;
        Assert.Equal((RectificationStatus.Accepted, false, At(2024, 6, 10)), (r2.Status, r2.Open, r2.ClosedAt));
    }

    [Fact]
    public async Task A_scorecard_carries_the_cycle_period_and_the_total_an_upheld_appeal_revised()
    {
        var liling = (await Load<Scorecard>("2024/" + Liling))!;
        Assert.Equal(("2024", "m-1", Province.Hunan, "株洲市"), (liling.Period, liling.MethodVersion, liling.Province, liling.Prefecture));
        Assert.Equal((72.5m, Band.Pass, 2, 3), (liling.Total, liling.Band, liling.Rank, liling.Of));
        Assert.Equal((76m, Band.Good, 0), (liling.RevisedTotal, liling.RevisedBand, liling.OpenAppeals));
        Assert.True(Assert.Single(liling.Appeals).Upheld);

        var liuyang = (await Load<Scorecard>("2024/" + Liuyang))!;
        Assert.Equal((91m, Band.Excellent, 1, (decimal?)null), (liuyang.Total, liuyang.Band, liuyang.Rank, liuyang.RevisedTotal));
    }

    [Fact]
    public async Task Trends_count_each_quarter_at_utc_plus_8()
    {
        var q2 = (await Load<TrendPoint>("zone/all/2024-Q2"))!;
        Assert.Equal((0, 1, 1, 1), (q2.Reports, q2.OverdueNotices, q2.RectificationsOrdered, q2.RectificationsClosed));
        Assert.Equal((1, 1), (q2.VerificationsPassed, q2.VerificationsFailed));
        Assert.Equal((2, 0, 0), (q2.AssessedGreen, q2.AssessedAmber, q2.AssessedRed));
        Assert.Equal(1, (await Load<TrendPoint>("zone/all/2024-Q1"))!.Reports);

        // The road's overdue notice came at 00:30 on 1 July in the zone (30 June in UTC): Q3, not Q2.
        var lilingQ3 = (await Load<TrendPoint>("government/" + Liling + "/2024-Q3"))!;
        Assert.Equal((1, 1, 0, 1), (lilingQ3.OverdueNotices, lilingQ3.RectificationsOrdered, lilingQ3.RectificationsClosed, lilingQ3.AssessedAmber));
        Assert.Null(await Load<TrendPoint>("government/" + Liling + "/2024-Q2"));

        var transportQ2 = (await Load<TrendPoint>("agreement/" + Transport + "/2024-Q2"))!;
        Assert.Equal((1, 1, 1, 1), (transportQ2.OverdueNotices, transportQ2.RectificationsOrdered, transportQ2.RectificationsClosed, transportQ2.AssessedGreen));
    }

    [Fact]
    public async Task Freshness_reports_the_views_current_once_the_daemon_has_caught_up()
    {
        var freshness = await zone.Database.Freshness.CheckAsync();
        Assert.True(freshness.IsCurrent);
        Assert.Equal(Events().Count, freshness.StorePosition);
        Assert.Equal(freshness.StorePosition, freshness.Position);
        Assert.Equal((0L, 0d), (freshness.EventsBehind, freshness.SecondsBehind));
    }
}
