using Ledger.Contracts;

namespace Ledger.Domain.Commitments;

public sealed record ReportProgress(
    string CommitmentId, string ReportId, string Period, DateOnly AsOf, IReadOnlyList<IndicatorValue> Values,
    string Narrative, Actor Actor, DateTimeOffset Now);

public sealed record CorrectProgress(
    string CommitmentId, string CorrectionId, string CorrectsReportId, IReadOnlyList<IndicatorValue> Values,
    string Reason, Actor Actor, DateTimeOffset Now);

public static partial class CommitmentDecider
{
    /// <summary>
    /// Invariants: only the lead or a contributing government reports (never a supervisor); nobody
    /// reports on a commitment that is not active (draft, suspended, withdrawn, fulfilled); the as-of
    /// date is never in the future; every value names a defined indicator once and fits its measure;
    /// a period, where the indicator defines periods, is one of them.
    /// </summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, ReportProgress c)
    {
        var s = Existing(state, c.CommitmentId);
        RequireParticipant(s, c.Actor, "report progress");
        RequireReportable(s);
        if (!IdPattern().IsMatch(c.ReportId ?? ""))
            throw DomainException.Rule("invalid_report_id", "'reportId' must be 3-64 lower-case letters, digits or dashes.", "reportId");
        if (s.ReportIds.Contains(c.ReportId!) || s.CorrectionIds.Contains(c.ReportId!))
            throw DomainException.Conflict("duplicate_report", $"Report {c.ReportId} already exists.", "reportId");
        Require.Text(c.Period, "period", 20);
        Require.NotInFuture(c.AsOf, c.Now, "asOf");
        Require.Text(c.Narrative, "narrative", 4000);
        CheckValues(s, c.Values, c.Period);
        return [new ProgressReported(s.CommitmentId, c.ReportId!, c.Period, c.AsOf, [.. c.Values], c.Narrative, c.Actor.Id, c.Now)];
    }

    /// <summary>
    /// Invariants: a correction is a new, compensating event that names the report it corrects (as
    /// IATI's negative transactions do); the original stays in the ledger. Only participants correct,
    /// with a reason; the new values obey the same rules as a report and correct only indicators the
    /// report gave (a value it never gave is a new report, not a correction).
    /// </summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, CorrectProgress c)
    {
        var s = Existing(state, c.CommitmentId);
        RequireParticipant(s, c.Actor, "correct progress");
        if (s.Status == CommitmentStatus.Withdrawn)
            throw DomainException.Conflict("commitment_withdrawn", "Nobody reports on a withdrawn commitment.");
        if (!IdPattern().IsMatch(c.CorrectionId ?? ""))
            throw DomainException.Rule("invalid_correction_id", "'correctionId' must be 3-64 lower-case letters, digits or dashes.", "correctionId");
        if (s.ReportIds.Contains(c.CorrectionId!) || s.CorrectionIds.Contains(c.CorrectionId!))
            throw DomainException.Conflict("duplicate_report", $"Report {c.CorrectionId} already exists.", "correctionId");
        if (!s.ReportIds.Contains(c.CorrectsReportId ?? ""))
            throw DomainException.NotFound("report_not_found", $"Report {c.CorrectsReportId} does not exist on {s.CommitmentId}.", "correctsReportId");
        Require.Text(c.Reason, "reason", 2000);
        CheckValues(s, c.Values, period: null);
        var given = s.ReportedIndicators.GetValueOrDefault(c.CorrectsReportId!) ?? [];
        for (var i = 0; i < c.Values.Count; i++)
        {
            if (!given.Contains(c.Values[i].IndicatorId))
                throw DomainException.Rule("not_in_report", $"Report {c.CorrectsReportId} gave no value for {c.Values[i].IndicatorId}; a correction corrects the values a report gave.",
                    $"values[{i}].indicatorId");
        }
        return [new ProgressCorrected(s.CommitmentId, c.CorrectionId!, c.CorrectsReportId!, [.. c.Values], c.Reason, c.Actor.Id, c.Now)];
    }

    private static void RequireParticipant(CommitmentState s, Actor actor, string action)
    {
        if (actor.Role != ActorRole.Government)
            throw DomainException.Forbidden("role_not_allowed", $"Only a participating government may {action}; supervisors never write a government's progress.");
        if (!s.IsParticipant(actor.GovernmentId))
            throw DomainException.Forbidden("not_a_participant", $"Government {actor.GovernmentId} neither leads nor contributes to {s.CommitmentId}.");
    }

    private static void RequireReportable(CommitmentState s)
    {
        switch (s.Status)
        {
            case CommitmentStatus.Active or CommitmentStatus.FulfilmentClaimed:
                return;
            case CommitmentStatus.Withdrawn:
                throw DomainException.Conflict("commitment_withdrawn", "Nobody reports on a withdrawn commitment.");
            case CommitmentStatus.Suspended:
                throw DomainException.Conflict("commitment_suspended", "The commitment is suspended.");
            default:
                throw DomainException.Conflict("commitment_not_active", $"A {s.Status} commitment takes no reports.");
        }
    }

    private static void CheckValues(CommitmentState s, IReadOnlyList<IndicatorValue>? values, string? period)
    {
        if (values is null || values.Count == 0)
            throw DomainException.Rule("values_required", "At least one indicator value is required.", "values");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < values.Count; i++)
        {
            var field = $"values[{i}]";
            Require.Present(values[i], field);
            if (!s.Indicators.TryGetValue(values[i].IndicatorId ?? "", out var indicator))
                throw DomainException.Rule("unknown_indicator", $"Indicator {values[i].IndicatorId} is not defined on {s.CommitmentId}.", field + ".indicatorId");
            if (!seen.Add(indicator.IndicatorId))
                throw DomainException.Rule("duplicate_value", $"Indicator {indicator.IndicatorId} appears twice.", field + ".indicatorId");
            if (period is not null && indicator.Periods is { Count: > 0 } periods && !periods.Any(p => p.Period == period))
                throw DomainException.Rule("unknown_period", $"Indicator {indicator.IndicatorId} has no period '{period}'.", "period");
            if (values[i].Text is { Length: > 4000 })
                throw DomainException.Rule("too_long", "'text' is longer than 4000 characters.", field + ".text");
            CheckFits(indicator, values[i].Value, values[i].Text, field + (indicator.Measure == Measure.Qualitative ? ".text" : ".value"), required: true);
        }
    }
}
