using Ledger.Contracts;

namespace Ledger.Domain.Commitments;

public sealed record AssessCommitment(
    string CommitmentId, string AssessmentId, string Period, Completion Completion, DeliveryConfidence Confidence,
    RiskCategory Risk, string Rationale, Actor Actor, DateTimeOffset Now);

public sealed record OrderRectification(
    string CommitmentId, string RectificationId, string GovernmentId, string Findings, IReadOnlyList<string> RequiredActions,
    DateOnly DueOn, Actor Actor, DateTimeOffset Now);

public sealed record RespondToRectification(
    string CommitmentId, string RectificationId, string Response, IReadOnlyList<string> EvidenceIds, Actor Actor, DateTimeOffset Now);

public sealed record AcceptRectification(string CommitmentId, string RectificationId, string Findings, Actor Actor, DateTimeOffset Now);

public sealed record RejectRectification(
    string CommitmentId, string RectificationId, string Findings, DateOnly? NewDueOn, Actor Actor, DateTimeOffset Now);

public sealed record RaiseEscalation(
    string CommitmentId, string EscalationId, string Subject, IReadOnlyList<string> Options, string? RectificationId,
    Actor Actor, DateTimeOffset Now);

public sealed record DecideEscalation(
    string CommitmentId, string EscalationId, string DecisionReference, string Decision, Actor Actor, DateTimeOffset Now);

/// <summary>A milestone moved to a new due date; a title or type, where given, replaces the one it had.</summary>
public sealed record MilestoneReschedule(string MilestoneId, DateOnly Due, string? Title = null, MilestoneType? Type = null);

public sealed record ReviseCommitment(
    string CommitmentId, string RevisionId, string Reason, string DecisionReference, DateOnly? NewDeadline,
    IReadOnlyList<MilestoneReschedule> RescheduledMilestones, Actor Actor, DateTimeOffset Now);

/// <summary>
/// Supervision across the three levels: the coordination level (supervisor) assesses and orders
/// rectification (整改); the ordered government answers; a matter that cannot be settled goes one
/// level up (execution → coordination → decision) and only the level it reached decides it; a
/// decision at the top level is what allows a commitment's terms to be revised.
/// </summary>
public static partial class CommitmentDecider
{
    /// <summary>
    /// Invariants: only a supervisor assesses, and only a commitment under supervision (active or
    /// claimed; not a draft, suspended, fulfilled or withdrawn one); an assessment id is used once; the
    /// scales are the defined ones; a rationale is always given.
    /// </summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, AssessCommitment c)
    {
        var s = Existing(state, c.CommitmentId);
        Require.Role(c.Actor, ActorRole.Supervisor, "assess commitments");
        RequireUnderSupervision(s, allowSuspended: false, "assessed");
        RequireNewId(c.AssessmentId, "assessmentId", "Assessment", s.AssessmentIds.Contains);
        Require.Text(c.Period, "period", 20);
        RequireDefined(c.Completion, "completion");
        RequireDefined(c.Confidence, "confidence");
        RequireDefined(c.Risk, "risk");
        Require.Text(c.Rationale, "rationale", 4000);
        return [new CommitmentAssessed(s.CommitmentId, c.AssessmentId, c.Period, c.Completion, c.Confidence, c.Risk, c.Rationale, c.Actor.Id, c.Now)];
    }

    /// <summary>
    /// Invariants: only a supervisor orders rectification, on a commitment that is active, claimed or
    /// suspended; the government ordered is a participant (lead or contributor); there are findings and
    /// at least one required action; the due date is after today; a rectification id is used once.
    /// </summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, OrderRectification c)
    {
        var s = Existing(state, c.CommitmentId);
        Require.Role(c.Actor, ActorRole.Supervisor, "order rectification");
        RequireUnderSupervision(s, allowSuspended: true, "ordered to rectify");
        RequireNewId(c.RectificationId, "rectificationId", "Rectification", s.Rectifications.ContainsKey);
        if (!s.IsParticipant(c.GovernmentId))
            throw DomainException.Rule("not_a_participant", $"Government {c.GovernmentId} neither leads nor contributes to {s.CommitmentId}.", "governmentId");
        Require.Text(c.Findings, "findings", 4000);
        var actions = RequireItems(c.RequiredActions, "requiredActions", "required_actions_required", "At least one required action is named.", 1000);
        RequireAfterToday(c.DueOn, c.Now, "dueOn");
        return [new RectificationOrdered(s.CommitmentId, c.RectificationId, c.GovernmentId, c.Findings, actions, c.DueOn, c.Actor.Id, c.Now)];
    }

    /// <summary>
    /// Invariants: only the government the order binds responds; an order is answered while it is
    /// ordered or after a rejection, never while a response awaits review nor once accepted; any
    /// evidence cited is attached to the commitment; the commitment is not withdrawn.
    /// </summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, RespondToRectification c)
    {
        var s = Existing(state, c.CommitmentId);
        if (c.Actor.Role != ActorRole.Government)
            throw DomainException.Forbidden("role_not_allowed", "Only the government a rectification order binds responds to it.");
        RequireNotWithdrawn(s);
        var r = RectificationOf(s, c.RectificationId);
        if (!c.Actor.IsGovernment(r.GovernmentId))
            throw DomainException.Forbidden("not_the_ordered_government", $"Rectification {r.RectificationId} binds government {r.GovernmentId}, not {c.Actor.GovernmentId}.");
        switch (r.Status)
        {
            case RectificationStatus.Responded:
                throw DomainException.Conflict("rectification_already_responded", $"The response to {r.RectificationId} awaits the supervisor's review.", "rectificationId");
            case RectificationStatus.Accepted:
                throw DomainException.Conflict("rectification_closed", $"Rectification {r.RectificationId} is accepted and closed.", "rectificationId");
        }
        Require.Text(c.Response, "response", 4000);
        var evidence = c.EvidenceIds ?? [];
        for (var i = 0; i < evidence.Count; i++)
        {
            if (!s.EvidenceIds.Contains(evidence[i] ?? ""))
                throw DomainException.Rule("unknown_evidence", $"Evidence {evidence[i]} is not attached to {s.CommitmentId}.", $"evidenceIds[{i}]");
        }
        return [new RectificationResponded(s.CommitmentId, r.RectificationId, c.Response, [.. evidence], c.Actor.Id, c.Now)];
    }

    /// <summary>Invariants: only a supervisor accepts, only a response awaiting review, with findings; acceptance closes the order.</summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, AcceptRectification c)
    {
        var (s, r) = ReviewedResponse(state, c.CommitmentId, c.RectificationId, c.Findings, c.Actor, "accept rectification");
        return [new RectificationAccepted(s.CommitmentId, r.RectificationId, c.Findings, c.Actor.Id, c.Now)];
    }

    /// <summary>
    /// Invariants: only a supervisor rejects, only a response awaiting review, with findings; a new due
    /// date, where given, is after today. The order stays open for another response.
    /// </summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, RejectRectification c)
    {
        var (s, r) = ReviewedResponse(state, c.CommitmentId, c.RectificationId, c.Findings, c.Actor, "reject rectification");
        if (c.NewDueOn is { } due)
            RequireAfterToday(due, c.Now, "newDueOn");
        return [new RectificationRejected(s.CommitmentId, r.RectificationId, c.Findings, c.NewDueOn, c.Actor.Id, c.Now)];
    }

    /// <summary>
    /// Invariants: a matter goes exactly one level up from the actor's own: a participating government
    /// (execution) raises to coordination, a supervisor (coordination) to decision; no other role
    /// escalates. A rectification named is on this commitment and not yet accepted. One undecided
    /// escalation per target level at a time. At least one option is put to that level.
    /// </summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, RaiseEscalation c)
    {
        var s = Existing(state, c.CommitmentId);
        var (from, to) = c.Actor.Role switch
        {
            ActorRole.Government => (GovernanceLevel.Execution, GovernanceLevel.Coordination),
            ActorRole.Supervisor => (GovernanceLevel.Coordination, GovernanceLevel.Decision),
            _ => throw DomainException.Forbidden("role_not_allowed", "A participating government or a supervisor escalates; the decision level decides."),
        };
        if (from == GovernanceLevel.Execution && !s.IsParticipant(c.Actor.GovernmentId))
            throw DomainException.Forbidden("not_a_participant", $"Government {c.Actor.GovernmentId} neither leads nor contributes to {s.CommitmentId}.");
        RequireUnderSupervision(s, allowSuspended: true, "escalated");
        RequireNewId(c.EscalationId, "escalationId", "Escalation", s.Escalations.ContainsKey);
        Require.Text(c.Subject, "subject", 2000);
        var options = RequireItems(c.Options, "options", "options_required", "At least one option is put to the level above.", 2000);
        if (c.RectificationId is not null)
        {
            if (!s.Rectifications.TryGetValue(c.RectificationId, out var r))
                throw DomainException.Rule("unknown_rectification", $"Rectification {c.RectificationId} does not exist on {s.CommitmentId}.", "rectificationId");
            if (r.Status == RectificationStatus.Accepted)
                throw DomainException.Conflict("rectification_closed", $"Rectification {r.RectificationId} is accepted and closed.", "rectificationId");
        }
        if (s.Escalations.Values.FirstOrDefault(x => x.To == to && x.DecisionReference is null) is { } open)
            throw DomainException.Conflict("escalation_already_open", $"Escalation {open.EscalationId} to the {to} level is still undecided.");
        return [new EscalationRaised(s.CommitmentId, c.EscalationId, from, to, c.Subject, options, c.RectificationId, c.Actor.Id, c.Now)];
    }

    /// <summary>
    /// Invariants: only the level an escalation was raised to decides it (coordination: a supervisor;
    /// decision: the decision role), once, naming the decision document.
    /// </summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, DecideEscalation c)
    {
        var s = Existing(state, c.CommitmentId);
        if (c.Actor.Role is not (ActorRole.Supervisor or ActorRole.Decision))
            throw DomainException.Forbidden("role_not_allowed", "Only the level an escalation was raised to decides it.");
        RequireNotWithdrawn(s);
        if (!s.Escalations.TryGetValue(c.EscalationId ?? "", out var x))
            throw DomainException.NotFound("escalation_not_found", $"Escalation {c.EscalationId} does not exist on {s.CommitmentId}.", "escalationId");
        var decider = x.To == GovernanceLevel.Decision ? ActorRole.Decision : ActorRole.Supervisor;
        if (c.Actor.Role != decider)
            throw DomainException.Forbidden("not_the_escalation_level", $"Escalation {x.EscalationId} went to the {x.To} level; only the {decider.ToString().ToLowerInvariant()} role decides it.");
        if (x.DecisionReference is not null)
            throw DomainException.Conflict("escalation_already_decided", $"Escalation {x.EscalationId} was decided under {x.DecisionReference}.", "escalationId");
        Require.Text(c.DecisionReference, "decisionReference", 200);
        Require.Text(c.Decision, "decision", 4000);
        return [new EscalationDecided(s.CommitmentId, x.EscalationId, c.DecisionReference, c.Decision, c.Actor.Id, c.Now)];
    }

    /// <summary>
    /// Invariants: only the decision level revises, under the reference of an escalation on this
    /// commitment it decided; the commitment is active, claimed or suspended; something changes; a new
    /// deadline is after today; a rescheduled milestone exists, is not met, appears once, falls after
    /// today and not after the (new) deadline; no milestone left where it was falls after a new deadline.
    /// </summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, ReviseCommitment c)
    {
        var s = Existing(state, c.CommitmentId);
        Require.Role(c.Actor, ActorRole.Decision, "revise commitments");
        RequireUnderSupervision(s, allowSuspended: true, "revised");
        RequireNewId(c.RevisionId, "revisionId", "Revision", s.RevisionIds.Contains);
        Require.Text(c.Reason, "reason", 4000);
        Require.Text(c.DecisionReference, "decisionReference", 200);
        if (!s.Escalations.Values.Any(x => x.To == GovernanceLevel.Decision && x.DecisionReference == c.DecisionReference))
            throw DomainException.Rule("unknown_decision",
                $"No escalation on {s.CommitmentId} was decided at the decision level under '{c.DecisionReference}'.", "decisionReference");

        var moves = c.RescheduledMilestones ?? [];
        if (c.NewDeadline is null && moves.Count == 0)
            throw DomainException.Rule("nothing_to_revise", "A revision sets a new deadline or reschedules at least one milestone.", "newDeadline");
        if (c.NewDeadline is { } newDeadline)
            RequireAfterToday(newDeadline, c.Now, "newDeadline");
        var deadline = c.NewDeadline ?? s.Deadline;

        var rescheduled = new List<Milestone>(moves.Count);
        for (var i = 0; i < moves.Count; i++)
        {
            var field = $"rescheduledMilestones[{i}]";
            var move = Require.Present(moves[i], field);
            if (!s.MilestoneDefinitions.TryGetValue(move.MilestoneId ?? "", out var milestone))
                throw DomainException.Rule("unknown_milestone", $"Milestone {move.MilestoneId} is not scheduled on {s.CommitmentId}.", field + ".milestoneId");
            if (rescheduled.Any(x => x.MilestoneId == milestone.MilestoneId))
                throw DomainException.Rule("duplicate_milestone", $"Milestone {milestone.MilestoneId} is rescheduled twice.", field + ".milestoneId");
            if (s.Lifecycle.MilestoneStatus(milestone.MilestoneId) == MilestoneStatus.Met)
                throw DomainException.Conflict("milestone_already_met", $"Milestone {milestone.MilestoneId} is met; a met milestone is not rescheduled.", field + ".milestoneId");
            RequireAfterToday(move.Due, c.Now, field + ".due");
            if (move.Due > deadline)
                throw DomainException.Rule("milestone_after_deadline", "A milestone cannot fall after the commitment's deadline.", field + ".due");
            if (move.Title is not null)
                Require.Text(move.Title, field + ".title", 300);
            if (move.Type is { } type)
                RequireDefined(type, field + ".type");
            rescheduled.Add(milestone with { Due = move.Due, Title = move.Title ?? milestone.Title, Type = move.Type ?? milestone.Type });
        }
        if (c.NewDeadline is not null)
        {
            var stranded = s.MilestoneDefinitions.Values
                .Where(m => m.Due > deadline && s.Lifecycle.MilestoneStatus(m.MilestoneId) != MilestoneStatus.Met)
                .FirstOrDefault(m => rescheduled.All(x => x.MilestoneId != m.MilestoneId));
            if (stranded is not null)
                throw DomainException.Rule("milestone_after_deadline",
                    $"Milestone {stranded.MilestoneId} (due {stranded.Due:yyyy-MM-dd}) would fall after the new deadline; reschedule it too.", "newDeadline");
        }
        return [new CommitmentRevised(s.CommitmentId, c.RevisionId, c.Reason, c.DecisionReference, c.NewDeadline, rescheduled, c.Actor.Id, c.Now)];
    }

    /// <summary>
    /// A draft is not yet under supervision; a fulfilled or withdrawn commitment no longer is. Whether a
    /// suspended one may be acted on depends on the action: orders and escalations yes, assessments no.
    /// </summary>
    private static void RequireUnderSupervision(CommitmentState s, bool allowSuspended, string action)
    {
        switch (s.Status)
        {
            case CommitmentStatus.Active or CommitmentStatus.FulfilmentClaimed:
                return;
            case CommitmentStatus.Suspended when allowSuspended:
                return;
            case CommitmentStatus.Suspended:
                throw DomainException.Conflict("commitment_suspended", $"A suspended commitment is not {action}.");
            case CommitmentStatus.Withdrawn:
                throw DomainException.Conflict("commitment_withdrawn", $"A withdrawn commitment is not {action}.");
            case CommitmentStatus.Fulfilled:
                throw DomainException.Conflict("commitment_fulfilled", $"A fulfilled commitment is not {action}.");
            default:
                throw DomainException.Conflict("commitment_not_active", $"A {s.Status} commitment is not {action}.");
        }
    }

    private static void RequireNotWithdrawn(CommitmentState s)
    {
        if (s.Status == CommitmentStatus.Withdrawn)
            throw DomainException.Conflict("commitment_withdrawn", "The commitment is withdrawn.");
    }

    private static RectificationState RectificationOf(CommitmentState s, string rectificationId) =>
        s.Rectifications.TryGetValue(rectificationId ?? "", out var r)
            ? r
            : throw DomainException.NotFound("rectification_not_found", $"Rectification {rectificationId} does not exist on {s.CommitmentId}.", "rectificationId");

    /// <summary>Accepting and rejecting are one review: a supervisor's, of a response awaiting it, with findings.</summary>
    private static (CommitmentState State, RectificationState Rectification) ReviewedResponse(
        CommitmentState? state, string commitmentId, string rectificationId, string findings, Actor actor, string action)
    {
        var s = Existing(state, commitmentId);
        Require.Role(actor, ActorRole.Supervisor, action);
        RequireNotWithdrawn(s);
        var r = RespondedRectification(s, rectificationId);
        Require.Text(findings, "findings", 4000);
        return (s, r);
    }

    private static RectificationState RespondedRectification(CommitmentState s, string rectificationId)
    {
        var r = RectificationOf(s, rectificationId);
        if (r.Status != RectificationStatus.Responded)
            throw DomainException.Conflict("rectification_not_responded", $"Rectification {r.RectificationId} is {r.Status}: only a response awaiting review is accepted or rejected.", "rectificationId");
        return r;
    }

    private static void RequireId(string? id, string field)
    {
        if (!IdPattern().IsMatch(id ?? ""))
            throw DomainException.Rule("invalid_" + ToSnake(field), $"'{field}' must be 3-64 lower-case letters, digits or dashes.", field);
    }

    /// <summary>An id the caller chose for something new on the commitment: well-formed and used once.</summary>
    private static void RequireNewId(string id, string field, string noun, Func<string, bool> used)
    {
        RequireId(id, field);
        if (used(id))
            throw DomainException.Conflict("duplicate_" + noun.ToLowerInvariant(), $"{noun} {id} already exists.", field);
    }

    // "assessmentId" → "assessment_id", so the code reads like the other deciders' invalid_*_id codes.
    private static string ToSnake(string field) =>
        string.Concat(field.Select(ch => char.IsUpper(ch) ? "_" + char.ToLowerInvariant(ch) : ch.ToString()));

    private static void RequireDefined<TEnum>(TEnum value, string field) where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
            throw DomainException.Rule("invalid_value", $"'{field}' is not one of {string.Join(", ", Enum.GetNames<TEnum>())}.", field);
    }

    private static void RequireAfterToday(DateOnly date, DateTimeOffset now, string field)
    {
        if (date <= Require.Today(now))
            throw DomainException.Rule("date_not_in_future", $"'{field}' ({date:yyyy-MM-dd}) must be after today ({Require.Today(now):yyyy-MM-dd}).", field);
    }

    private static string[] RequireItems(IReadOnlyList<string>? items, string field, string emptyCode, string emptyMessage, int maxLength)
    {
        if (items is null || items.Count == 0)
            throw DomainException.Rule(emptyCode, emptyMessage, field);
        for (var i = 0; i < items.Count; i++)
            Require.Text(items[i], $"{field}[{i}]", maxLength);
        return [.. items];
    }
}
