using JasperFx.Events;
using Ledger.Contracts;
using Ledger.Infrastructure.Writing;
using Ledger.Web.Localization;
using Ledger.Web.Resources;
using Microsoft.Extensions.Localization;

namespace Ledger.Web.Components.Commitments;

/// <summary>One recorded event in words: what happened, who did it (from the envelope), when, and what changed.</summary>
public sealed record TimelineEntry(long Version, string What, string Who, string Role, string? Government, DateTimeOffset At, IReadOnlyList<string> Changes);

/// <summary>
/// The commitment's stream told in words. Each event's kind comes from <see cref="EventText"/>; who
/// acted comes from the envelope the writer stored with it (account, role, government), not from the
/// event's own fields; what changed names the event's key fields in the page's language.
/// </summary>
public sealed class CommitmentTimeline(CommitmentWords words, IStringLocalizer<EventText> events)
{
    // Free text (findings, narratives) is shown in full in its own section; the timeline quotes its start.
    private const int Quote = 160;

    private IStringLocalizer<CommitmentText> L => words.L;
    private IStringLocalizer<SharedText> T => words.T;

    /// <summary>Newest first.</summary>
    public IReadOnlyList<TimelineEntry> Tell(CommitmentDossier dossier) =>
        [.. dossier.Events.Reverse().Select(e => Entry(dossier, e))];

    private TimelineEntry Entry(CommitmentDossier d, IEvent e)
    {
        var kind = events["Event." + e.Data.GetType().Name];
        var government = Header(e, EnvelopeHeaders.ActorGovernment);
        return new TimelineEntry(
            e.Version,
            kind.ResourceNotFound ? L["Timeline.OtherEvent"] : kind.Value,
            e.UserName ?? "",
            words.Role(Header(e, EnvelopeHeaders.ActorRole)),
            government is null ? null : d.GovernmentName(government),
            e.Timestamp,
            Changes(d, e.Data));
    }

    private static string? Header(IEvent e, string name) =>
        e.Headers is { } headers && headers.TryGetValue(name, out var value) ? value?.ToString() : null;

    private IReadOnlyList<string> Changes(CommitmentDossier d, object data) => data switch
    {
        CommitmentRegistered x =>
        [
            L["Change.Lead", d.GovernmentName(x.LeadGovernmentId)], L["Change.Department", x.LeadDepartment],
            L["Change.Deadline", ConsoleFormat.Date(x.Deadline)], L["Change.ResultType", T.Enum(x.ResultType)],
        ],
        ContributorAssigned x => [L["Change.Contributor", d.GovernmentName(x.GovernmentId), ConsoleFormat.Number(x.SharePercent)]],
        IndicatorDefined x =>
        [
            x.Indicator.Measure is Measure.Count or Measure.Percent
                ? L["Change.Indicator", x.Indicator.Name, T.Enum(x.Indicator.Measure), words.Unit(x.Indicator.Unit), T.Enum(x.Indicator.Direction)]
                : L["Change.IndicatorOf", x.Indicator.Name, T.Enum(x.Indicator.Measure), T.Enum(x.Indicator.Direction)],
            .. x.Indicator.Periods is { Count: > 0 } periods
                ? [L["Change.Targets", string.Join(L["List.Separator"], periods.Where(p => p.Target is not null)
                    .Select(p => L["Change.TargetOf", ConsoleFormat.Period(p.Period), words.Value(x.Indicator, p.Target)].Value))]]
                : Array.Empty<string>(),
        ],
        MilestoneScheduled x => [L["Change.Milestone", x.Milestone.Title, T.Enum(x.Milestone.Type), ConsoleFormat.Date(x.Milestone.Due)]],
        CommitmentActivated => [L["Change.Status", words.Status("Active")]],
        CommitmentSuspended x => [L["Change.Status", words.Status("Suspended")], L["Change.Reason", Cut(x.Reason)]],
        CommitmentResumed x => [L["Change.Reason", Cut(x.Reason)]],
        CommitmentWithdrawn x => [L["Change.Status", words.Status("Withdrawn")], L["Change.Reason", Cut(x.Reason)]],
        ProgressReported x =>
        [
            L["Change.Period", ConsoleFormat.Period(x.Period), ConsoleFormat.Date(x.AsOf)],
            .. Values(d, x.Values),
            L["Change.Narrative", Cut(x.Narrative)],
        ],
        ProgressCorrected x =>
        [
            L["Change.Corrects", ReportPeriod(d, x.CorrectsReportId)],
            .. Values(d, x.Values),
            L["Change.Reason", Cut(x.Reason)],
        ],
        EvidenceAttached x =>
        [
            L["Change.Evidence", T.Enum(x.DocumentType), x.Title, x.Issuer, ConsoleFormat.Date(x.IssuedOn)],
            L["Change.Sha256", x.Sha256],
        ],
        FulfilmentClaimed x => [L["Change.ClaimScope", ClaimSubject(d, x.Scope, x.Subject)], L["Change.Statement", Cut(x.Statement)]],
        ClaimWithdrawn x => [L["Change.Reason", Cut(x.Reason)]],
        VerificationCompleted x =>
        [
            L["Change.Verdict", T.Enum(x.Method), T.Enum(x.Verdict)],
            L["Change.Findings", Cut(x.Findings)],
        ],
        MilestoneStatusChanged x =>
        [
            x.MetOn is { } met
                ? L["Change.MilestoneStatusOn", d.MilestoneTitle(x.MilestoneId) ?? L["Milestone.Unknown"], T.Enum(x.Status), ConsoleFormat.Date(met)]
                : L["Change.MilestoneStatus", d.MilestoneTitle(x.MilestoneId) ?? L["Milestone.Unknown"], T.Enum(x.Status)],
        ],
        CommitmentAssessed x =>
        [
            L["Change.Assessment", ConsoleFormat.Period(x.Period), T.Enum(x.Completion), T.Enum(x.Confidence), T.Enum(x.Risk)],
            L["Change.Rationale", Cut(x.Rationale)],
        ],
        RectificationOrdered x =>
        [
            L["Change.Order", d.GovernmentName(x.GovernmentId), ConsoleFormat.Date(x.DueOn)],
            L["Change.Findings", Cut(x.Findings)],
        ],
        RectificationResponded x => [L["Change.Response", Cut(x.Response)]],
        RectificationAccepted x => [L["Change.Findings", Cut(x.Findings)]],
        RectificationRejected x =>
        [
            L["Change.Findings", Cut(x.Findings)],
            .. x.NewDueOn is { } due ? [L["Change.NewDue", ConsoleFormat.Date(due)].Value] : Array.Empty<string>(),
        ],
        EscalationRaised x =>
        [
            L["Change.Escalation", T.Enum(x.To), Cut(x.Subject)],
            L["Change.Options", x.Options.Count],
        ],
        EscalationDecided x => [L["Change.Decision", x.DecisionReference, Cut(x.Decision)]],
        CommitmentRevised x =>
        [
            L["Change.DecisionReference", x.DecisionReference],
            .. x.NewDeadline is { } deadline ? [L["Change.NewDeadline", ConsoleFormat.Date(deadline)].Value] : Array.Empty<string>(),
            .. x.RescheduledMilestones.Select(m => L["Change.Rescheduled", m.Title, ConsoleFormat.Date(m.Due)].Value),
            L["Change.Reason", Cut(x.Reason)],
        ],
        DeadlineApproaching x => [L["Change.Approaching", DueWhat(d, x.Kind, x.MilestoneId), ConsoleFormat.Date(x.DueOn), x.DaysLeft]],
        CommitmentOverdue x => [L["Change.Overdue", DueWhat(d, x.Kind, x.MilestoneId), ConsoleFormat.Date(x.DueOn)]],
        ReportMissing x =>
        [
            L["Change.Missing", d.Indicator(x.IndicatorId)?.Name ?? L["Indicator.Unknown"], ConsoleFormat.Period(x.Period), ConsoleFormat.Date(x.ReportDueOn)],
        ],
        _ => [],
    };

    private IEnumerable<string> Values(CommitmentDossier d, IEnumerable<IndicatorValue> values) =>
        values.Select(v => d.Indicator(v.IndicatorId) is { } indicator
            ? L["Change.Value", indicator.Name, words.Value(indicator, v.Value, v.Text)].Value
            : L["Change.Value", L["Indicator.Unknown"], v.Value is { } n ? ConsoleFormat.Number(n) : v.Text ?? ""].Value);

    private string ReportPeriod(CommitmentDossier d, string reportId) =>
        d.Events.Select(e => e.Data).OfType<ProgressReported>().FirstOrDefault(r => r.ReportId == reportId) is { } report
            ? ConsoleFormat.Period(report.Period)
            : L["Report.Unknown"];

    public string ClaimSubject(CommitmentDossier d, ClaimScope scope, string? subject) => scope switch
    {
        ClaimScope.Milestone => L["Claim.OfMilestone", d.MilestoneTitle(subject) ?? L["Milestone.Unknown"]],
        ClaimScope.Period => L["Claim.OfPeriod", ConsoleFormat.Period(subject ?? "")],
        _ => T.Enum(scope),
    };

    private string DueWhat(CommitmentDossier d, DueKind kind, string? milestoneId) =>
        kind == DueKind.Deadline ? T.Enum(kind) : L["Due.Milestone", d.MilestoneTitle(milestoneId) ?? L["Milestone.Unknown"]];

    private static string Cut(string text) => text.Length <= Quote ? text : text[..Quote].TrimEnd() + "…";
}
