using System.Text.Json;
using System.Text.Json.Serialization;
using JasperFx.Events;
using Ledger.Contracts;
using Ledger.Domain.Commitments;
using Marten.Events.Aggregation;

namespace Ledger.Projections;

/// <summary>
/// One commitment as supervisors and auditors read it: the compiled view (latest value of every
/// field, as OCDS's compiled release). Inline, so a write is readable in the same request cycle, and
/// bounded, so an append costs the same however long the commitment has lived: it keeps the current
/// state and the latest <see cref="RecentReportCount"/> reports; every report is a document of its own
/// (<see cref="ProgressReportRecord"/>), and each field's versions (<see cref="History"/>, OCDS's
/// versioned release) are folded from the events when asked for, never stored.
/// </summary>
public sealed class CommitmentRecord
{
    /// <summary>How many of the latest reports the record keeps; all of them are at /api/commitments/{id}/reports.</summary>
    public const int RecentReportCount = 5;

    /// <summary>
    /// How many of the latest acts of each kind (evidence, claims, assessments, orders, escalations) the record
    /// keeps, besides every one still open; each is a document of its own (<see cref="CommitmentActRecord"/>).
    /// </summary>
    public const int RecentActCount = 5;

    public string Id { get; set; } = "";
    public long Version { get; set; }
    public string CommitmentId { get; set; } = "";
    public string AgreementId { get; set; } = "";
    public string LeadGovernmentId { get; set; } = "";
    public string LeadDepartment { get; set; } = "";
    public ResultType ResultType { get; set; }
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public DateOnly Deadline { get; set; }
    /// <summary>The commitment's lifecycle, folded by the domain's one set of rules; the fields below copy its answers.</summary>
    public CommitmentLifecycle Lifecycle { get; set; } = new();
    public string Status { get; set; } = "Draft";
    /// <summary>The status a resumption returns to; null unless the commitment is suspended.</summary>
    public string? ResumesTo { get; set; }
    /// <summary>The tracking colour: red while an item is overdue, green once fulfilled, else the latest assessment's.</summary>
    public Rag Rag { get; set; } = Rag.NotAssessed;
    /// <summary>The deadline and milestones the clock found passed unmet and still open.</summary>
    public int OverdueItems { get; set; }
    /// <summary>The earliest due date among the open overdue items; null when nothing is overdue.</summary>
    public DateOnly? OverdueSince { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
    public DateTimeOffset LastUpdatedAt { get; set; }
    public List<ContributorEntry> Contributors { get; set; } = [];
    public List<IndicatorEntry> Indicators { get; set; } = [];
    public List<MilestoneEntry> Milestones { get; set; } = [];
    /// <summary>How many progress reports the commitment has had.</summary>
    public int ReportCount { get; set; }
    /// <summary>The latest reports, oldest first, with their corrections (at most <see cref="RecentReportCount"/>).</summary>
    public List<ProgressReportRecord> RecentReports { get; set; } = [];
    /// <summary>How many documents have been attached as evidence.</summary>
    public int EvidenceCount { get; set; }
    /// <summary>The latest evidence, oldest first (at most <see cref="RecentActCount"/>); all of it is at /api/commitments/{id}/evidence.</summary>
    public List<EvidenceEntry> RecentEvidence { get; set; } = [];
    public int ClaimCount { get; set; }
    /// <summary>Every claim still open and the latest <see cref="RecentActCount"/>, oldest first; all of them are at /api/commitments/{id}/claims.</summary>
    public List<ClaimEntry> RecentClaims { get; set; } = [];
    /// <summary>The latest assessment's completion, delivery confidence and risk (null until the first assessment).</summary>
    public Completion? Completion { get; set; }
    public DeliveryConfidence? Confidence { get; set; }
    public RiskCategory? Risk { get; set; }
    public AssessmentEntry? LatestAssessment { get; set; }
    public int AssessmentCount { get; set; }
    /// <summary>The latest assessments, oldest first (at most <see cref="RecentActCount"/>); all of them are at /api/commitments/{id}/assessments.</summary>
    public List<AssessmentEntry> RecentAssessments { get; set; } = [];
    public int RectificationCount { get; set; }
    /// <summary>Every order not yet accepted and the latest <see cref="RecentActCount"/>, oldest first; all of them are at /api/commitments/{id}/rectifications.</summary>
    public List<RectificationEntry> RecentRectifications { get; set; } = [];
    public int EscalationCount { get; set; }
    /// <summary>Every escalation not yet decided and the latest <see cref="RecentActCount"/>, oldest first; all of them are at /api/commitments/{id}/escalations.</summary>
    public List<EscalationEntry> RecentEscalations { get; set; } = [];
    /// <summary>
    /// Every revision of the deadline and milestones. Kept whole: a revision carries out a decision of the
    /// zone's decision level (an escalation decided there), and records the dates it moved from, which only the
    /// commitment's own state knows.
    /// </summary>
    public List<RevisionEntry> Revisions { get; set; } = [];
    /// <summary>
    /// What the clock noticed: deadlines and milestones approaching or overdue, reports missing. Bounded by the
    /// commitment's own schedule: each due date is noticed approaching and overdue once, each period's report missing once.
    /// </summary>
    public List<ClockNoticeEntry> ClockNotices { get; set; } = [];

    /// <summary>
    /// Each field's successive values with the stream version and event that set them (a value repeated
    /// by a later event is not recorded again). Never stored: it is filled only when the record is folded
    /// from the stream's first event (<see cref="CommitmentRecordProjection.Create"/> starts it), as the
    /// history, as-of and OCDS reads do; a record loaded from storage has none, and folds on without one.
    /// </summary>
    [JsonIgnore]
    public Dictionary<string, List<FieldVersion>>? History { get; set; }

    internal void Set(string field, string? value, IEvent e)
    {
        if (History is not null) Set(field, value is null ? null : JsonSerializer.SerializeToElement(value), e);
    }

    internal void Set(string field, decimal? value, IEvent e)
    {
        if (History is not null) Set(field, value is null ? null : JsonSerializer.SerializeToElement(value.Value), e);
    }

    private void Set(string field, JsonElement? value, IEvent e)
    {
        History ??= [];
        if (!History.TryGetValue(field, out var versions))
            History[field] = versions = [];
        if (versions.Count > 0 && FieldVersion.Same(versions[^1].Value, value)) return;
        versions.Add(new FieldVersion(value, e.Version, e.Timestamp, e.EventTypeName));
    }

    internal void Touch(IEvent e) => LastUpdatedAt = e.Timestamp;

    /// <summary>Adds an act to its recent list and lets the oldest closed ones go, keeping every open one and the latest <see cref="RecentActCount"/>.</summary>
    internal static void Keep<T>(List<T> recent, T added, Func<T, bool> open)
    {
        recent.Add(added);
        Trim(recent, open);
    }

    internal static void Trim<T>(List<T> recent, Func<T, bool> open)
    {
        for (var i = 0; recent.Count > RecentActCount && i < recent.Count - RecentActCount;)
        {
            if (open(recent[i])) i++;
            else recent.RemoveAt(i);
        }
    }

    /// <summary>Moves the lifecycle on by the event and copies its answers, recording each field that changed.</summary>
    internal void Step(IEvent e)
    {
        Lifecycle = Lifecycle.Apply(e.Data);
        Status = Lifecycle.Status.ToString();
        ResumesTo = Lifecycle.ResumesTo?.ToString();
        Deadline = Lifecycle.Deadline;
        Rag = Lifecycle.Colour;
        OverdueItems = Lifecycle.OverdueItems;
        OverdueSince = Lifecycle.OverdueSince;
        Set("status", Status, e);
        foreach (var milestone in Milestones)
        {
            if (Lifecycle.Item(CommitmentLifecycle.MilestoneKey(milestone.Definition.MilestoneId)) is not { } item) continue;
            milestone.Status = item.Status;
            milestone.MetOn = item.MetOn;
            Set($"milestones.{milestone.Definition.MilestoneId}.status", item.Status.ToString(), e);
        }
        Touch(e);
    }
}

/// <summary>A field's value as of one stream version, with its JSON type (a number stays a number).</summary>
public sealed record FieldVersion(JsonElement? Value, long Version, DateTimeOffset At, string Event)
{
    public static bool Same(JsonElement? a, JsonElement? b) =>
        a is null || b is null ? a is null && b is null : JsonElement.DeepEquals(a.Value, b.Value);
}

public sealed record ContributorEntry(string GovernmentId, decimal SharePercent);

public sealed class IndicatorEntry
{
    public Indicator Definition { get; set; } = null!;
    /// <summary>The actual value per period: the latest report, or the correction that replaced it.</summary>
    public List<ActualEntry> Actuals { get; set; } = [];
}

public sealed record ActualEntry(string Period, DateOnly AsOf, decimal? Value, string? Text, string ReportId, string? CorrectionId);

public sealed class MilestoneEntry
{
    public Milestone Definition { get; set; } = null!;
    public MilestoneStatus Status { get; set; }
    public DateOnly? MetOn { get; set; }
}

public sealed record CorrectionEntry(string CorrectionId, List<IndicatorValue> Values, string Reason, string CorrectedBy, DateTimeOffset CorrectedAt);

/// <summary>A document attached as evidence; media type and size are null where the ledger does not keep the file.</summary>
public sealed record EvidenceEntry(
    string EvidenceId, DocumentType DocumentType, string Title, string Sha256, string StorageUri, string Issuer,
    DateOnly IssuedOn, Confidentiality Confidentiality, string AttachedBy, DateTimeOffset AttachedAt,
    string? MediaType = null, long? Length = null)
{
    public static EvidenceEntry Of(EvidenceAttached d) => new(d.EvidenceId, d.DocumentType, d.Title, d.Sha256, d.StorageUri, d.Issuer,
        d.IssuedOn, d.Confidentiality, d.AttachedBy, d.AttachedAt, d.MediaType, d.Length);
}

public sealed class ClaimEntry
{
    public string ClaimId { get; set; } = "";
    public ClaimScope Scope { get; set; }
    public string? Subject { get; set; }
    public List<string> EvidenceIds { get; set; } = [];
    public string Statement { get; set; } = "";
    public string ClaimedBy { get; set; } = "";
    public DateTimeOffset ClaimedAt { get; set; }
    /// <summary>open, withdrawn, or the verdict that closed it.</summary>
    public string State { get; set; } = "open";
    public VerificationMethod? Method { get; set; }
    public string? Findings { get; set; }
    public string? VerifiedBy { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }

    [JsonIgnore]
    public bool IsOpen => State == "open";

    public static ClaimEntry Of(FulfilmentClaimed d) => new()
    {
        ClaimId = d.ClaimId, Scope = d.Scope, Subject = d.Subject, EvidenceIds = [.. d.EvidenceIds], Statement = d.Statement,
        ClaimedBy = d.ClaimedBy, ClaimedAt = d.ClaimedAt,
    };

    public static string StateOf(Verdict verdict) => verdict switch
    {
        Verdict.Verified => "verified",
        Verdict.PartiallyVerified => "partiallyVerified",
        Verdict.Rejected => "rejected",
        _ => "needsMoreEvidence",
    };

    public void Close(string state, DateTimeOffset at, VerificationCompleted? verification)
    {
        State = state;
        ClosedAt = at;
        Method = verification?.Method;
        Findings = verification?.Findings;
        VerifiedBy = verification?.VerifiedBy;
    }
}

public sealed record AssessmentEntry(
    string AssessmentId, string Period, Completion Completion, DeliveryConfidence Confidence, RiskCategory Risk, string Rationale,
    string AssessedBy, DateTimeOffset AssessedAt)
{
    public static AssessmentEntry Of(CommitmentAssessed d) =>
        new(d.AssessmentId, d.Period, d.Completion, d.Confidence, d.Risk, d.Rationale, d.AssessedBy, d.AssessedAt);
}

public sealed class RectificationEntry
{
    public string RectificationId { get; set; } = "";
    public string GovernmentId { get; set; } = "";
    public string Findings { get; set; } = "";
    public List<string> RequiredActions { get; set; } = [];
    /// <summary>The due date now in force: a rejection may set a new one.</summary>
    public DateOnly DueOn { get; set; }
    public DateOnly OriginalDueOn { get; set; }
    /// <summary>Ordered, Responded, Rejected or Accepted.</summary>
    public string Status { get; set; } = "Ordered";
    public string OrderedBy { get; set; } = "";
    public DateTimeOffset OrderedAt { get; set; }
    public List<RectificationResponseEntry> Responses { get; set; } = [];
    /// <summary>The supervisor's reviews of the responses, in order: each rejection, and the acceptance that closed the order.</summary>
    public List<RectificationReviewEntry> Reviews { get; set; } = [];
    public DateTimeOffset? ClosedAt { get; set; }

    [JsonIgnore]
    public bool IsOpen => Status != "Accepted";

    public static RectificationEntry Of(RectificationOrdered d) => new()
    {
        RectificationId = d.RectificationId, GovernmentId = d.GovernmentId, Findings = d.Findings, RequiredActions = [.. d.RequiredActions],
        DueOn = d.DueOn, OriginalDueOn = d.DueOn, OrderedBy = d.OrderedBy, OrderedAt = d.OrderedAt,
    };

    public void Respond(RectificationResponded d)
    {
        Responses.Add(new RectificationResponseEntry(d.Response, [.. d.EvidenceIds], d.RespondedBy, d.RespondedAt));
        Status = "Responded";
    }

    public void Accept(RectificationAccepted d)
    {
        Reviews.Add(new RectificationReviewEntry("Accepted", d.Findings, null, d.AcceptedBy, d.AcceptedAt));
        Status = "Accepted";
        ClosedAt = d.AcceptedAt;
    }

    public void Reject(RectificationRejected d)
    {
        Reviews.Add(new RectificationReviewEntry("Rejected", d.Findings, d.NewDueOn, d.RejectedBy, d.RejectedAt));
        Status = "Rejected";
        if (d.NewDueOn is { } due) DueOn = due;
    }
}

public sealed record RectificationResponseEntry(string Response, List<string> EvidenceIds, string RespondedBy, DateTimeOffset RespondedAt);

/// <summary>A supervisor's review of a response: Outcome is Accepted or Rejected; a rejection may set a new due date.</summary>
public sealed record RectificationReviewEntry(string Outcome, string Findings, DateOnly? NewDueOn, string ReviewedBy, DateTimeOffset ReviewedAt);

public sealed class EscalationEntry
{
    public string EscalationId { get; set; } = "";
    public GovernanceLevel From { get; set; }
    public GovernanceLevel To { get; set; }
    public string Subject { get; set; } = "";
    public List<string> Options { get; set; } = [];
    public string? RectificationId { get; set; }
    public string RaisedBy { get; set; } = "";
    public DateTimeOffset RaisedAt { get; set; }
    /// <summary>open or decided.</summary>
    public string State { get; set; } = "open";
    public string? DecisionReference { get; set; }
    public string? Decision { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }

    [JsonIgnore]
    public bool IsOpen => State == "open";

    public static EscalationEntry Of(EscalationRaised d) => new()
    {
        EscalationId = d.EscalationId, From = d.From, To = d.To, Subject = d.Subject, Options = [.. d.Options],
        RectificationId = d.RectificationId, RaisedBy = d.RaisedBy, RaisedAt = d.RaisedAt,
    };

    public void Decide(EscalationDecided d)
    {
        State = "decided";
        DecisionReference = d.DecisionReference;
        Decision = d.Decision;
        DecidedBy = d.DecidedBy;
        DecidedAt = d.DecidedAt;
    }
}

public sealed record RevisionEntry(
    string RevisionId, string Reason, string DecisionReference, DateOnly? NewDeadline, DateOnly PreviousDeadline,
    List<RescheduledMilestoneEntry> RescheduledMilestones, string RevisedBy, DateTimeOffset RevisedAt);

public sealed record RescheduledMilestoneEntry(string MilestoneId, DateOnly PreviousDue, DateOnly Due);

/// <summary>
/// One clock notice. Type is approaching, overdue or missing; Kind is deadline, milestone or report; DueOn
/// is the date that fell due (the deadline, the milestone's due date, or the date the report was due).
/// </summary>
public sealed record ClockNoticeEntry(
    string Type, string Kind, string? MilestoneId, string? IndicatorId, string? Period, DateOnly DueOn, int? DaysLeft, DateTimeOffset At);

public partial class CommitmentRecordProjection : SingleStreamProjection<CommitmentRecord, string>
{
    public CommitmentRecord Create(IEvent<CommitmentRegistered> e)
    {
        var d = e.Data;
        var record = new CommitmentRecord
        {
            Id = e.StreamKey!,
            CommitmentId = d.CommitmentId,
            AgreementId = d.AgreementId,
            LeadGovernmentId = d.LeadGovernmentId,
            LeadDepartment = d.LeadDepartment,
            ResultType = d.ResultType,
            Title = d.Title,
            Description = d.Description,
            Deadline = d.Deadline,
            RegisteredAt = e.Timestamp,
            LastUpdatedAt = e.Timestamp,
            History = [],
        };
        record.Step(e);
        record.Set("leadGovernmentId", d.LeadGovernmentId, e);
        record.Set("leadDepartment", d.LeadDepartment, e);
        record.Set("title", d.Title, e);
        record.Set("description", d.Description, e);
        record.Set("deadline", d.Deadline.ToString("yyyy-MM-dd"), e);
        return record;
    }

    public void Apply(IEvent<ContributorAssigned> e, CommitmentRecord r)
    {
        r.Contributors.RemoveAll(x => x.GovernmentId == e.Data.GovernmentId);
        r.Contributors.Add(new ContributorEntry(e.Data.GovernmentId, e.Data.SharePercent));
        r.Set($"contributors.{e.Data.GovernmentId}.sharePercent", e.Data.SharePercent, e);
        r.Touch(e);
    }

    public void Apply(IEvent<IndicatorDefined> e, CommitmentRecord r)
    {
        r.Indicators.RemoveAll(x => x.Definition.IndicatorId == e.Data.Indicator.IndicatorId);
        r.Indicators.Add(new IndicatorEntry { Definition = e.Data.Indicator });
        r.Touch(e);
    }

    public void Apply(IEvent<MilestoneScheduled> e, CommitmentRecord r)
    {
        r.Milestones.Add(new MilestoneEntry { Definition = e.Data.Milestone });
        r.Set($"milestones.{e.Data.Milestone.MilestoneId}.due", Day(e.Data.Milestone.Due), e);
        r.Step(e);
    }

    public void Apply(IEvent<MilestoneStatusChanged> e, CommitmentRecord r) => r.Step(e);

    public void Apply(IEvent<CommitmentActivated> e, CommitmentRecord r) => r.Step(e);

    public void Apply(IEvent<CommitmentSuspended> e, CommitmentRecord r) => r.Step(e);

    public void Apply(IEvent<CommitmentResumed> e, CommitmentRecord r) => r.Step(e);

    public void Apply(IEvent<CommitmentWithdrawn> e, CommitmentRecord r) => r.Step(e);

    public void Apply(IEvent<ProgressReported> e, CommitmentRecord r)
    {
        var d = e.Data;
        r.ReportCount++;
        r.RecentReports.Add(ProgressReportRecord.From(e));
        if (r.RecentReports.Count > CommitmentRecord.RecentReportCount) r.RecentReports.RemoveAt(0);
        foreach (var value in d.Values)
            SetActual(r, value, d.Period, d.AsOf, d.ReportId, correctionId: null, e);
        r.Touch(e);
    }

    /// <summary>
    /// A correction replaces a value where the report it corrects is still the one shown for that indicator
    /// and period (a newer report for the period stays in front), or where nothing is shown for it. The
    /// record keeps no list of every report, so the corrected report's period and as-of date are those of
    /// a value of it still shown. The decider lets a correction name only indicators its report gave, so
    /// one is always shown unless newer reports replaced every one of them, and then the correction changes
    /// nothing shown (its report's document keeps it).
    /// </summary>
    public void Apply(IEvent<ProgressCorrected> e, CommitmentRecord r)
    {
        var d = e.Data;
        r.RecentReports.Find(x => x.ReportId == d.CorrectsReportId)?.Correct(d);
        if (r.Indicators.SelectMany(i => i.Actuals).FirstOrDefault(a => a.ReportId == d.CorrectsReportId) is { } shown)
        {
            foreach (var value in d.Values)
                SetActual(r, value, shown.Period, shown.AsOf, d.CorrectsReportId, d.CorrectionId, e);
        }
        r.Touch(e);
    }

    public void Apply(IEvent<EvidenceAttached> e, CommitmentRecord r)
    {
        r.EvidenceCount++;
        CommitmentRecord.Keep(r.RecentEvidence, EvidenceEntry.Of(e.Data), _ => false);
        r.Touch(e);
    }

    public void Apply(IEvent<FulfilmentClaimed> e, CommitmentRecord r)
    {
        var d = e.Data;
        r.ClaimCount++;
        CommitmentRecord.Keep(r.RecentClaims, ClaimEntry.Of(d), c => c.IsOpen);
        r.Set($"claims.{d.ClaimId}.state", "open", e);
        r.Step(e);
    }

    public void Apply(IEvent<ClaimWithdrawn> e, CommitmentRecord r) => CloseClaim(r, e.Data.ClaimId, "withdrawn", e, null);

    public void Apply(IEvent<VerificationCompleted> e, CommitmentRecord r) =>
        CloseClaim(r, e.Data.ClaimId, ClaimEntry.StateOf(e.Data.Verdict), e, e.Data);

    public void Apply(IEvent<CommitmentAssessed> e, CommitmentRecord r)
    {
        var d = e.Data;
        var entry = AssessmentEntry.Of(d);
        r.AssessmentCount++;
        CommitmentRecord.Keep(r.RecentAssessments, entry, _ => false);
        r.LatestAssessment = entry;
        r.Completion = d.Completion;
        r.Confidence = d.Confidence;
        r.Risk = d.Risk;
        r.Set("completion", d.Completion.ToString(), e);
        r.Set("confidence", d.Confidence.ToString(), e);
        r.Set("risk", d.Risk.ToString(), e);
        r.Step(e);
    }

    public void Apply(IEvent<RectificationOrdered> e, CommitmentRecord r)
    {
        var d = e.Data;
        r.RectificationCount++;
        CommitmentRecord.Keep(r.RecentRectifications, RectificationEntry.Of(d), x => x.IsOpen);
        r.Set($"rectifications.{d.RectificationId}.status", "Ordered", e);
        r.Set($"rectifications.{d.RectificationId}.dueOn", Day(d.DueOn), e);
        r.Step(e);
    }

    public void Apply(IEvent<RectificationResponded> e, CommitmentRecord r)
    {
        var d = e.Data;
        r.RecentRectifications.Find(x => x.RectificationId == d.RectificationId)?.Respond(d);
        r.Set($"rectifications.{d.RectificationId}.status", "Responded", e);
        r.Touch(e);
    }

    public void Apply(IEvent<RectificationAccepted> e, CommitmentRecord r)
    {
        var d = e.Data;
        r.RecentRectifications.Find(x => x.RectificationId == d.RectificationId)?.Accept(d);
        CommitmentRecord.Trim(r.RecentRectifications, x => x.IsOpen);
        r.Set($"rectifications.{d.RectificationId}.status", "Accepted", e);
        r.Step(e);
    }

    public void Apply(IEvent<RectificationRejected> e, CommitmentRecord r)
    {
        var d = e.Data;
        r.RecentRectifications.Find(x => x.RectificationId == d.RectificationId)?.Reject(d);
        r.Set($"rectifications.{d.RectificationId}.status", "Rejected", e);
        if (d.NewDueOn is { } newDue) r.Set($"rectifications.{d.RectificationId}.dueOn", Day(newDue), e);
        r.Touch(e);
    }

    public void Apply(IEvent<EscalationRaised> e, CommitmentRecord r)
    {
        var d = e.Data;
        r.EscalationCount++;
        CommitmentRecord.Keep(r.RecentEscalations, EscalationEntry.Of(d), x => x.IsOpen);
        r.Set($"escalations.{d.EscalationId}.state", "open", e);
        r.Touch(e);
    }

    public void Apply(IEvent<EscalationDecided> e, CommitmentRecord r)
    {
        var d = e.Data;
        r.RecentEscalations.Find(x => x.EscalationId == d.EscalationId)?.Decide(d);
        CommitmentRecord.Trim(r.RecentEscalations, x => x.IsOpen);
        r.Set($"escalations.{d.EscalationId}.state", "decided", e);
        r.Set($"escalations.{d.EscalationId}.decisionReference", d.DecisionReference, e);
        r.Touch(e);
    }

    public void Apply(IEvent<CommitmentRevised> e, CommitmentRecord r)
    {
        var d = e.Data;
        var moved = new List<RescheduledMilestoneEntry>();
        foreach (var m in d.RescheduledMilestones)
        {
            var milestone = r.Milestones.Find(x => x.Definition.MilestoneId == m.MilestoneId);
            if (milestone is null) continue;
            moved.Add(new RescheduledMilestoneEntry(m.MilestoneId, milestone.Definition.Due, m.Due));
            milestone.Definition = m;
            r.Set($"milestones.{m.MilestoneId}.due", Day(m.Due), e);
        }
        r.Revisions.Add(new RevisionEntry(d.RevisionId, d.Reason, d.DecisionReference, d.NewDeadline, r.Deadline, moved, d.RevisedBy, d.RevisedAt));
        if (d.NewDeadline is { } deadline) r.Set("deadline", Day(deadline), e);
        // The lifecycle re-dates the deadline and schedules again a milestone judged not met.
        r.Step(e);
    }

    public void Apply(IEvent<DeadlineApproaching> e, CommitmentRecord r)
    {
        var d = e.Data;
        r.ClockNotices.Add(new ClockNoticeEntry("approaching", KindOf(d.Kind), d.MilestoneId, null, null, d.DueOn, d.DaysLeft, d.NoticedAt));
        r.Touch(e);
    }

    public void Apply(IEvent<CommitmentOverdue> e, CommitmentRecord r)
    {
        var d = e.Data;
        r.ClockNotices.Add(new ClockNoticeEntry("overdue", KindOf(d.Kind), d.MilestoneId, null, null, d.DueOn, null, d.NoticedAt));
        r.Step(e);
    }

    public void Apply(IEvent<ReportMissing> e, CommitmentRecord r)
    {
        var d = e.Data;
        r.ClockNotices.Add(new ClockNoticeEntry("missing", "report", null, d.IndicatorId, d.Period, d.ReportDueOn, null, d.NoticedAt));
        r.Touch(e);
    }

    private static string KindOf(DueKind kind) => kind == DueKind.Deadline ? "deadline" : "milestone";

    private static string Day(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static void CloseClaim(CommitmentRecord r, string claimId, string state, IEvent e, VerificationCompleted? verification)
    {
        var claim = r.RecentClaims.Find(x => x.ClaimId == claimId);
        if (claim is null) return;
        claim.Close(state, e.Timestamp, verification);
        CommitmentRecord.Trim(r.RecentClaims, c => c.IsOpen);
        r.Set($"claims.{claimId}.state", state, e);
        r.Step(e);
    }

    private static void SetActual(CommitmentRecord r, IndicatorValue value, string period, DateOnly asOf, string reportId, string? correctionId, IEvent e)
    {
        var indicator = r.Indicators.Find(x => x.Definition.IndicatorId == value.IndicatorId);
        if (indicator is null) return;
        // A correction replaces the value only where the report it corrects is still the one shown for
        // that period; a newer report for the period stays in front.
        var shownNow = indicator.Actuals.Find(x => x.Period == period);
        if (correctionId is not null && shownNow is not null && shownNow.ReportId != reportId) return;
        indicator.Actuals.RemoveAll(x => x.Period == period);
        indicator.Actuals.Add(new ActualEntry(period, asOf, value.Value, value.Text, reportId, correctionId));
        indicator.Actuals.Sort((a, b) => string.CompareOrdinal(a.Period, b.Period));
        var field = $"indicators.{value.IndicatorId}.actual.{period}";
        if (value.Value is { } number) r.Set(field, number, e);
        else r.Set(field, value.Text, e);
    }
}
