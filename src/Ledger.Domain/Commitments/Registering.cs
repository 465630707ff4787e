using System.Text.RegularExpressions;
using Ledger.Contracts;
using Ledger.Domain.Agreements;

namespace Ledger.Domain.Commitments;

public sealed record ContributorShare(string GovernmentId, decimal SharePercent);

public sealed record RegisterCommitment(
    string CommitmentId, string AgreementId, string LeadGovernmentId, string LeadDepartment, ResultType ResultType,
    string Title, string Description, DateOnly Deadline, IReadOnlyList<Indicator> Indicators,
    IReadOnlyList<Milestone> Milestones, IReadOnlyList<ContributorShare> Contributors, Actor Actor, DateTimeOffset Now);

public sealed record ActivateCommitment(string CommitmentId, Actor Actor, DateTimeOffset Now);

public sealed record SuspendCommitment(string CommitmentId, string Reason, Actor Actor, DateTimeOffset Now);

public sealed record ResumeCommitment(string CommitmentId, string Reason, Actor Actor, DateTimeOffset Now);

public sealed record WithdrawCommitment(string CommitmentId, string Reason, Actor Actor, DateTimeOffset Now);

public static partial class CommitmentDecider
{
    /// <summary>
    /// Invariants: a government registers commitments it leads; the agreement is active and both the
    /// lead and every contributor are its parties; contributors are distinct, not the lead, and their
    /// shares are positive and leave the lead a share; the deadline falls within the agreement's term;
    /// indicators and milestones are well formed and no milestone falls after the deadline.
    /// </summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, RegisterCommitment c, AgreementState? agreement)
    {
        if (c.Actor.Role != ActorRole.Government)
            throw DomainException.Forbidden("role_not_allowed", "Only a government registers commitments.");
        if (!c.Actor.IsGovernment(c.LeadGovernmentId))
            throw DomainException.Forbidden("not_your_commitment", "A government registers only commitments it leads.");
        if (!IdPattern().IsMatch(c.CommitmentId ?? ""))
            throw DomainException.Rule("invalid_commitment_id", "'commitmentId' must be 3-64 lower-case letters, digits or dashes.", "commitmentId");
        if (state is not null)
            throw DomainException.Conflict("commitment_exists", $"Commitment {c.CommitmentId} already exists.", "commitmentId");
        if (agreement is null)
            throw DomainException.NotFound("agreement_not_found", $"Agreement {c.AgreementId} does not exist.", "agreementId");
        if (agreement.Status != AgreementStatus.Active)
            throw DomainException.Conflict("agreement_not_active", $"Agreement {c.AgreementId} is not active.", "agreementId");
        if (!agreement.IsParty(c.LeadGovernmentId))
            throw DomainException.Rule("lead_not_a_party", $"Government {c.LeadGovernmentId} is not a party to {c.AgreementId}.", "leadGovernmentId");
        Require.Text(c.LeadDepartment, "leadDepartment", 200);
        Require.Text(c.Title, "title", 300);
        Require.Text(c.Description, "description", 4000);
        if (c.Deadline < agreement.TermStart || c.Deadline > agreement.TermEnd)
            throw DomainException.Rule("deadline_outside_term", "'deadline' must fall within the agreement's term.", "deadline");

        var contributors = c.Contributors ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < contributors.Count; i++)
        {
            var field = $"contributors[{i}]";
            var share = Require.Present(contributors[i], field);
            if (share.GovernmentId == c.LeadGovernmentId || !seen.Add(share.GovernmentId))
                throw DomainException.Rule("duplicate_contributor", "A contributor appears twice or is the lead.", field + ".governmentId");
            if (!agreement.IsParty(share.GovernmentId))
                throw DomainException.Rule("contributor_not_a_party", $"Government {share.GovernmentId} is not a party to {c.AgreementId}.", field + ".governmentId");
            if (share.SharePercent <= 0 || share.SharePercent >= 100)
                throw DomainException.Rule("invalid_share", "A contributor's share is a percentage above 0 and below 100.", field + ".sharePercent");
        }
        if (contributors.Sum(x => x.SharePercent) >= 100)
            throw DomainException.Rule("shares_exceed_total", "Contributors' shares must leave the lead a share (sum below 100).", "contributors");

        var indicators = c.Indicators ?? [];
        var indicatorIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < indicators.Count; i++)
        {
            ValidateIndicator(Require.Present(indicators[i], $"indicators[{i}]"), $"indicators[{i}]", c.Now);
            if (!indicatorIds.Add(indicators[i].IndicatorId))
                throw DomainException.Rule("duplicate_indicator", "Indicator ids must be unique.", $"indicators[{i}].indicatorId");
        }

        var milestones = c.Milestones ?? [];
        var milestoneIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < milestones.Count; i++)
        {
            var field = $"milestones[{i}]";
            Require.Present(milestones[i], field);
            if (!IdPattern().IsMatch(milestones[i].MilestoneId ?? ""))
                throw DomainException.Rule("invalid_milestone_id", "A milestone id is 3-64 lower-case letters, digits or dashes.", field + ".milestoneId");
            if (!milestoneIds.Add(milestones[i].MilestoneId!))
                throw DomainException.Rule("duplicate_milestone", "Milestone ids must be unique.", field + ".milestoneId");
            Require.Text(milestones[i].Title, field + ".title", 300);
            if (milestones[i].Due > c.Deadline)
                throw DomainException.Rule("milestone_after_deadline", "A milestone cannot fall after the commitment's deadline.", field + ".due");
        }

        var by = c.Actor.Id;
        var events = new List<object>
        {
            new CommitmentRegistered(c.CommitmentId!, c.AgreementId, c.LeadGovernmentId, c.LeadDepartment, c.ResultType,
                c.Title, c.Description, c.Deadline, by, c.Now),
        };
        events.AddRange(contributors.Select(x => new ContributorAssigned(c.CommitmentId!, x.GovernmentId, x.SharePercent, by, c.Now)));
        events.AddRange(indicators.Select(x => new IndicatorDefined(c.CommitmentId!, x with { Periods = [.. x.Periods ?? []] }, by, c.Now)));
        events.AddRange(milestones.Select(x => new MilestoneScheduled(c.CommitmentId!, x, by, c.Now)));
        return events;
    }

    /// <summary>Invariants: a supervisor accepts a draft into supervision, and only one that measures something.</summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, ActivateCommitment c)
    {
        var s = Existing(state, c.CommitmentId);
        Require.Role(c.Actor, ActorRole.Supervisor, "activate commitments");
        if (s.Status != CommitmentStatus.Draft)
            throw DomainException.Conflict("commitment_not_draft", "Only a draft commitment can be activated.");
        if (s.Indicators.IsEmpty && s.Milestones.IsEmpty)
            throw DomainException.Rule("nothing_to_measure", "A commitment needs an indicator or a milestone before it is activated.");
        return [new CommitmentActivated(s.CommitmentId, c.Actor.Id, c.Now)];
    }

    /// <summary>Invariants: a supervisor suspends an active or claimed commitment, with a reason.</summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, SuspendCommitment c)
    {
        var s = Existing(state, c.CommitmentId);
        Require.Role(c.Actor, ActorRole.Supervisor, "suspend commitments");
        if (s.Status is not (CommitmentStatus.Active or CommitmentStatus.FulfilmentClaimed))
            throw DomainException.Conflict("commitment_not_active", $"A {s.Status} commitment cannot be suspended.");
        Require.Text(c.Reason, "reason");
        return [new CommitmentSuspended(s.CommitmentId, c.Reason, c.Actor.Id, c.Now)];
    }

    /// <summary>Invariants: a supervisor resumes a suspended commitment, which returns to the status it had.</summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, ResumeCommitment c)
    {
        var s = Existing(state, c.CommitmentId);
        Require.Role(c.Actor, ActorRole.Supervisor, "resume commitments");
        if (s.Status != CommitmentStatus.Suspended)
            throw DomainException.Conflict("commitment_not_suspended", "Only a suspended commitment can be resumed.");
        Require.Text(c.Reason, "reason");
        return [new CommitmentResumed(s.CommitmentId, c.Reason, c.Actor.Id, c.Now)];
    }

    /// <summary>
    /// Invariants: the lead withdraws its own draft; once active only the decision level may withdraw it;
    /// a fulfilled or withdrawn commitment stays as it is.
    /// </summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, WithdrawCommitment c)
    {
        var s = Existing(state, c.CommitmentId);
        var allowed = c.Actor.Role == ActorRole.Decision || (s.Status == CommitmentStatus.Draft && c.Actor.IsGovernment(s.LeadGovernmentId));
        if (!allowed)
            throw DomainException.Forbidden("role_not_allowed", "The lead withdraws its own draft; after activation only the decision level may withdraw.");
        if (s.Status is CommitmentStatus.Fulfilled or CommitmentStatus.Withdrawn)
            throw DomainException.Conflict("commitment_closed", $"A {s.Status} commitment cannot be withdrawn.");
        Require.Text(c.Reason, "reason");
        return [new CommitmentWithdrawn(s.CommitmentId, c.Reason, c.Actor.Id, c.Now)];
    }

    private static CommitmentState Existing(CommitmentState? state, string id) =>
        state ?? throw DomainException.NotFound("commitment_not_found", $"Commitment {id} does not exist.", "commitmentId");

    private static void ValidateIndicator(Indicator x, string field, DateTimeOffset now)
    {
        if (!IdPattern().IsMatch(x.IndicatorId ?? ""))
            throw DomainException.Rule("invalid_indicator_id", "An indicator id is 3-64 lower-case letters, digits or dashes.", field + ".indicatorId");
        Require.Text(x.Name, field + ".name", 300);
        Require.Text(x.Unit, field + ".unit", 50);
        if (x.Baseline is { } b)
        {
            Require.NotInFuture(b.Date, now, field + ".baseline.date");
            Require.Text(b.Source, field + ".baseline.source", 500);
            CheckFits(x, b.Value, null, field + ".baseline.value", required: false);
        }
        var periods = x.Periods ?? [];
        var labels = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < periods.Count; i++)
        {
            var pf = $"{field}.periods[{i}]";
            var p = Require.Present(periods[i], pf);
            Require.Text(p.Period, pf + ".period", 20);
            if (!labels.Add(p.Period))
                throw DomainException.Rule("duplicate_period", "Period labels must be unique within an indicator.", pf + ".period");
            if (p.End < p.Start)
                throw DomainException.Rule("period_inverted", "A period must end on or after its start.", pf + ".end");
            if (x.Measure != Measure.Qualitative)
                CheckFits(x, p.Target, null, pf + ".target", required: false);
        }
    }

    /// <summary>A value fits its indicator's measure: counts are whole and not negative, percentages 0-100,
    /// booleans 0 or 1, water quality classes I-V or worse-than-V (1-6), qualitative indicators carry text.</summary>
    internal static void CheckFits(Indicator indicator, decimal? value, string? text, string field, bool required)
    {
        if (indicator.Measure == Measure.Qualitative)
        {
            if (value is not null)
                throw DomainException.Rule("value_not_allowed", "A qualitative indicator takes text, not a number.", field);
            if (required && string.IsNullOrWhiteSpace(text))
                throw DomainException.Rule("text_required", $"Indicator {indicator.IndicatorId} is qualitative and needs text.", field);
            return;
        }
        if (value is not { } v)
        {
            if (required)
                throw DomainException.Rule("value_required", $"Indicator {indicator.IndicatorId} needs a number.", field);
            return;
        }
        var (fits, allowed) = indicator.Measure switch
        {
            Measure.Count => (v >= 0 && v == decimal.Truncate(v), "a whole number, 0 or more"),
            Measure.Percent => (v is >= 0 and <= 100, "from 0 to 100"),
            Measure.Boolean => (v is 0 or 1, "0 (no) or 1 (yes)"),
            Measure.WaterQualityClass => (v is >= 1 and <= 6 && v == decimal.Truncate(v), "a whole number from 1 (Class I) to 6 (worse than Class V)"),
            _ => (true, ""),
        };
        if (!fits)
            throw DomainException.Rule("value_out_of_range",
                $"{v} does not fit indicator {indicator.IndicatorId} ({indicator.Measure}): it takes {allowed}.", field);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{2,63}$")]
    private static partial Regex IdPattern();
}
