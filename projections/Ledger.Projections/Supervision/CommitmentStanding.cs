using JasperFx.Events;
using Ledger.Contracts;
using Ledger.Domain.Commitments;

namespace Ledger.Projections.Supervision;

/// <summary>
/// Where one commitment stands for supervision: who leads it, its status and colour, its latest
/// assessment, what is overdue and what rectification is open. Id = the commitment id.
/// </summary>
public sealed class CommitmentStanding
{
    public string Id { get; set; } = "";
    public string CommitmentId { get; set; } = "";
    public string AgreementId { get; set; } = "";
    public TaskArea TaskArea { get; set; }
    public string LeadGovernmentId { get; set; } = "";
    public Province LeadProvince { get; set; }
    public string LeadPrefecture { get; set; } = "";
    /// <summary>The lead first, then contributors in the order they were assigned.</summary>
    public List<string> Participants { get; set; } = [];
    public string Title { get; set; } = "";
    public ResultType ResultType { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
    /// <summary>The commitment's lifecycle (status, due items, open claims and orders), folded by the domain's one set of rules.</summary>
    public CommitmentLifecycle Lifecycle { get; set; } = new();

    // Copied from the lifecycle by Refresh, as columns to filter, sort and roll up by.
    public string Status { get; set; } = StandingStatus.Draft;
    public DateOnly Deadline { get; set; }
    public DateOnly? FulfilledOn { get; set; }

    public string? AssessmentPeriod { get; set; }
    public Completion? Completion { get; set; }
    public DeliveryConfidence? Confidence { get; set; }
    public RiskCategory? Risk { get; set; }
    public DateTimeOffset? AssessedAt { get; set; }

    public Rag Rag { get; set; } = Rag.NotAssessed;
    public int OverdueItems { get; set; }
    /// <summary>The earliest due date among the open overdue items, null when nothing is overdue.</summary>
    public DateOnly? OverdueSince { get; set; }
    public int OpenRectifications { get; set; }
    public decimal Progress { get; set; }
    public int ProgressThirds { get; set; }
    public int Weight { get; set; }
    public int MilestonesDue { get; set; }
    public int MilestonesMetOnTime { get; set; }
    /// <summary>Milestones and the deadline that have fallen due (met, judged not met, or noticed overdue).</summary>
    public int ItemsDue { get; set; }
    public int ItemsOnTime { get; set; }
    public int ReportsMissing { get; set; }

    public List<EscalationRef> Escalations { get; set; } = [];
    /// <summary>"indicatorId|period" of every report the clock noticed missing and that has not arrived since.</summary>
    public List<string> MissingReports { get; set; } = [];

    /// <summary>Copies the lifecycle's answers into the columns; the same lifecycle always gives the same columns.</summary>
    public void Refresh()
    {
        var l = Lifecycle;
        Status = l.Status.ToString();
        Deadline = l.Deadline;
        FulfilledOn = l.FulfilledOn;
        Rag = l.Colour;
        OverdueItems = l.OverdueItems;
        OverdueSince = l.OverdueSince;
        OpenRectifications = l.OpenRectificationIds.Count;
        ProgressThirds = l.ProgressThirds;
        Progress = Math.Round(ProgressThirds / 3m, 4, MidpointRounding.ToEven);
        Weight = SupervisionRules.Weight(ResultType);
        MilestonesDue = l.MilestonesDue;
        MilestonesMetOnTime = l.MilestonesMetOnTime;
        ItemsDue = l.ItemsDue;
        ItemsOnTime = l.ItemsOnTime;
        ReportsMissing = MissingReports.Count;
    }
}

public sealed record EscalationRef(string EscalationId, string? RectificationId, GovernanceLevel To, string? DecisionReference);

/// <summary>
/// The first stage's view of a commitment: registered by <see cref="CommitmentRegistered"/>, moved on by
/// the commitment's own events through the domain's lifecycle, plus what only the views keep (the
/// participants, the latest assessment, escalations, missing reports).
/// </summary>
public sealed class CommitmentStandingProjection : IFirstStageProjection
{
    public async Task ApplyAsync(IEvent e, FoldDocuments documents, FirstStageChanges changes, CancellationToken ct)
    {
        if (e.Data is CommitmentRegistered r)
        {
            var standing = Create(r,
                await documents.RequireAsync<AgreementProgress>(r.AgreementId, e, ct),
                await documents.RequireAsync<GovernmentCompliance>(r.LeadGovernmentId, e, ct));
            documents.Save(standing.Id, standing);
            changes.Created(standing);
            return;
        }
        if (CommitmentOf(e.Data) is not { } commitmentId) return;
        var s = await documents.RequireAsync<CommitmentStanding>(commitmentId, e, ct);
        changes.Changing(s);
        s.Lifecycle = s.Lifecycle.Apply(e.Data);
        changes.ParticipantAdded = Apply(s, e.Data);
        s.Refresh();
        documents.Save(s.Id, s);
    }

    public static CommitmentStanding Create(CommitmentRegistered r, AgreementProgress agreement, GovernmentCompliance lead)
    {
        var s = new CommitmentStanding
        {
            Id = r.CommitmentId,
            CommitmentId = r.CommitmentId,
            AgreementId = r.AgreementId,
            TaskArea = agreement.TaskArea,
            LeadGovernmentId = r.LeadGovernmentId,
            LeadProvince = lead.Province,
            LeadPrefecture = lead.Prefecture,
            Participants = [r.LeadGovernmentId],
            Title = r.Title,
            ResultType = r.ResultType,
            Deadline = r.Deadline,
            RegisteredAt = r.RegisteredAt,
            Lifecycle = CommitmentLifecycle.Registered(r.Deadline),
        };
        s.Refresh();
        return s;
    }

    /// <summary>What the views keep beside the lifecycle; returns the government the event made a participant, if any.</summary>
    public static string? Apply(CommitmentStanding s, object data)
    {
        switch (data)
        {
            case ContributorAssigned c when !s.Participants.Contains(c.GovernmentId):
                s.Participants.Add(c.GovernmentId);
                return c.GovernmentId;
            case ProgressReported p:
                foreach (var v in p.Values) s.MissingReports.Remove(v.IndicatorId + "|" + p.Period);
                break;
            case CommitmentAssessed a:
                s.AssessmentPeriod = a.Period;
                s.Completion = a.Completion;
                s.Confidence = a.Confidence;
                s.Risk = a.Risk;
                s.AssessedAt = a.AssessedAt;
                break;
            case EscalationRaised x:
                s.Escalations.RemoveAll(y => y.EscalationId == x.EscalationId);
                s.Escalations.Add(new EscalationRef(x.EscalationId, x.RectificationId, x.To, null));
                break;
            case EscalationDecided d:
                var index = s.Escalations.FindIndex(y => y.EscalationId == d.EscalationId);
                if (index >= 0) s.Escalations[index] = s.Escalations[index] with { DecisionReference = d.DecisionReference };
                break;
            case ReportMissing m:
                var key = m.IndicatorId + "|" + m.Period;
                if (!s.MissingReports.Contains(key)) s.MissingReports.Add(key);
                break;
        }
        return null;
    }

    /// <summary>
    /// The commitment an event moves the standing of. Indicator definitions and rectification responses and
    /// rejections do not move it: they change neither the lifecycle's answers nor what the views keep.
    /// </summary>
    public static string? CommitmentOf(object data) => data switch
    {
        MilestoneScheduled x => x.CommitmentId,
        MilestoneStatusChanged x => x.CommitmentId,
        ContributorAssigned x => x.CommitmentId,
        CommitmentActivated x => x.CommitmentId,
        CommitmentSuspended x => x.CommitmentId,
        CommitmentResumed x => x.CommitmentId,
        CommitmentWithdrawn x => x.CommitmentId,
        ProgressReported x => x.CommitmentId,
        FulfilmentClaimed x => x.CommitmentId,
        ClaimWithdrawn x => x.CommitmentId,
        VerificationCompleted x => x.CommitmentId,
        CommitmentAssessed x => x.CommitmentId,
        RectificationOrdered x => x.CommitmentId,
        RectificationAccepted x => x.CommitmentId,
        EscalationRaised x => x.CommitmentId,
        EscalationDecided x => x.CommitmentId,
        CommitmentRevised x => x.CommitmentId,
        CommitmentOverdue x => x.CommitmentId,
        ReportMissing x => x.CommitmentId,
        _ => null,
    };
}
