using Ledger.Contracts;

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
    public string Status { get; set; } = StandingStatus.Draft;
    public string StatusBeforeSuspension { get; set; } = StandingStatus.Draft;
    public DateOnly Deadline { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
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

    public List<DueItem> DueItems { get; set; } = [];
    public List<string> OpenRectificationIds { get; set; } = [];
    public List<ClaimRef> OpenClaims { get; set; } = [];
    public List<EscalationRef> Escalations { get; set; } = [];
    /// <summary>"indicatorId|period" of every report the clock noticed missing and that has not arrived since.</summary>
    public List<string> MissingReports { get; set; } = [];

    public const string DeadlineKey = "deadline";

    public static string MilestoneKey(string milestoneId) => "milestone/" + milestoneId;

    public static string ItemKey(DueKind kind, string? milestoneId) => kind == DueKind.Deadline ? DeadlineKey : MilestoneKey(milestoneId ?? "");

    public DueItem? Item(string key) => DueItems.Find(i => i.Key == key);

    /// <summary>Recomputes every derived field from the working state; the same state always gives the same fields.</summary>
    public void Refresh()
    {
        var open = DueItems.Where(i => i.OverdueOpen).ToList();
        OverdueItems = open.Count;
        OverdueSince = open.Count == 0 ? null : open.Min(i => i.OverdueDueOn);
        OpenRectifications = OpenRectificationIds.Count;
        ProgressThirds = Status == StandingStatus.Fulfilled ? 3 : Completion is { } c ? SupervisionRules.Thirds(c) : 0;
        Progress = Math.Round(ProgressThirds / 3m, 4, MidpointRounding.ToEven);
        Weight = SupervisionRules.Weight(ResultType);
        Rag = OverdueItems > 0 ? Rag.Red
            : Status == StandingStatus.Fulfilled ? Rag.Green
            : Confidence is { } confidence ? SupervisionRules.FromConfidence(confidence)
            : Rag.NotAssessed;
        var milestones = DueItems.Where(i => i.Kind == DueKind.Milestone).ToList();
        MilestonesDue = milestones.Count(i => i.HasFallenDue);
        MilestonesMetOnTime = milestones.Count(i => i.MetOnTime);
        ItemsDue = DueItems.Count(i => i.HasFallenDue);
        ItemsOnTime = DueItems.Count(i => i.MetOnTime);
        ReportsMissing = MissingReports.Count;
    }
}

/// <summary>The deadline or one milestone: when it is due, whether and when it was met, whether the clock noticed it overdue.</summary>
public sealed class DueItem
{
    public string Key { get; set; } = "";
    public DueKind Kind { get; set; }
    public string? MilestoneId { get; set; }
    public DateOnly DueOn { get; set; }
    public MilestoneStatus Status { get; set; } = MilestoneStatus.Scheduled;
    public DateOnly? MetOn { get; set; }
    /// <summary>The clock's overdue notice is open (no meeting, fulfilment, withdrawal or revision has closed it).</summary>
    public bool OverdueOpen { get; set; }
    public DateOnly? OverdueDueOn { get; set; }
    /// <summary>The clock once noticed this item overdue; a later revision does not undo the slip.</summary>
    public bool OverdueNoticed { get; set; }

    public bool HasFallenDue => MetOn is not null || OverdueNoticed || Status == MilestoneStatus.NotMet;

    public bool MetOnTime => MetOn is { } met && met <= DueOn && !OverdueNoticed;
}

public sealed record ClaimRef(string ClaimId, ClaimScope Scope, string? Subject, DateOnly ClaimedOn);

public sealed record EscalationRef(string EscalationId, string? RectificationId, GovernanceLevel To, string? DecisionReference);
