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
