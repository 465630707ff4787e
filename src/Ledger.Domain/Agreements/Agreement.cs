using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Ledger.Contracts;

namespace Ledger.Domain.Agreements;

public enum AgreementStatus { Drafted, Active, Terminated }

public sealed record AgreementState(
    string AgreementId,
    string Title,
    TaskArea TaskArea,
    ImmutableArray<AgreementParty> Parties,
    DateOnly TermStart,
    DateOnly TermEnd,
    AgreementStatus Status,
    ImmutableHashSet<string> SignedBy,
    int Amendments)
{
    public bool IsParty(string governmentId) => Parties.Any(p => p.GovernmentId == governmentId);

    public static AgreementState? Evolve(AgreementState? state, object @event) => (state, @event) switch
    {
        (null, AgreementDrafted e) => new AgreementState(e.AgreementId, e.Title, e.TaskArea, [.. e.Parties], e.TermStart,
            e.TermEnd, AgreementStatus.Drafted, [], 0),
        ({ } s, PartySigned e) => s with { SignedBy = s.SignedBy.Add(e.GovernmentId) },
        ({ } s, AgreementActivated) => s with { Status = AgreementStatus.Active },
        ({ } s, AgreementAmended) => s with { Amendments = s.Amendments + 1 },
        ({ } s, AgreementTerminated) => s with { Status = AgreementStatus.Terminated },
        _ => state,
    };
}

public sealed record DraftAgreement(
    string AgreementId, string Title, TaskArea TaskArea, IReadOnlyList<AgreementParty> Parties,
    DateOnly TermStart, DateOnly TermEnd, IReadOnlyList<string> LegalBasis, Actor Actor, DateTimeOffset Now);

public sealed record SignAgreement(string AgreementId, string GovernmentId, DateOnly SignedOn, Actor Actor, DateTimeOffset Now);

public sealed record ActivateAgreement(string AgreementId, Actor Actor, DateTimeOffset Now);

public sealed record AmendAgreement(string AgreementId, string Summary, string DecisionReference, Actor Actor, DateTimeOffset Now);

public sealed record TerminateAgreement(string AgreementId, string Reason, string DecisionReference, Actor Actor, DateTimeOffset Now);

public static partial class AgreementDecider
{
    /// <summary>
    /// Invariants: the coordination level (supervisor) drafts; an agreement has at least two distinct
    /// registered parties, one of them a lead or signatory; its term ends after it starts; an id is used once.
    /// </summary>
    public static IReadOnlyList<object> Decide(AgreementState? state, DraftAgreement c, IReadOnlySet<string> registeredGovernments)
    {
        Require.Role(c.Actor, ActorRole.Supervisor, "draft agreements");
        if (!AgreementIdPattern().IsMatch(c.AgreementId ?? ""))
            throw DomainException.Rule("invalid_agreement_id", "'agreementId' must be 3-64 lower-case letters, digits or dashes.", "agreementId");
        if (state is not null)
            throw DomainException.Conflict("agreement_exists", $"Agreement {c.AgreementId} already exists.", "agreementId");
        Require.Text(c.Title, "title", 300);
        var parties = c.Parties ?? [];
        for (var i = 0; i < parties.Count; i++)
            Require.Present(parties[i], $"parties[{i}]");
        if (parties.Count < 2)
            throw DomainException.Rule("too_few_parties", "An agreement needs at least two parties.", "parties");
        if (parties.Select(p => p.GovernmentId).Distinct().Count() != parties.Count)
            throw DomainException.Rule("duplicate_party", "A government appears twice among the parties.", "parties");
        if (!parties.Any(p => p.Role is PartyRole.Lead or PartyRole.Signatory))
            throw DomainException.Rule("no_signatory", "At least one party must be a lead or a signatory.", "parties");
        for (var i = 0; i < parties.Count; i++)
        {
            if (!registeredGovernments.Contains(parties[i].GovernmentId))
                throw DomainException.Rule("unknown_government", $"Government {parties[i].GovernmentId} is not registered.", $"parties[{i}].governmentId");
        }
        if (c.TermEnd <= c.TermStart)
            throw DomainException.Rule("term_inverted", "'termEnd' must come after 'termStart'.", "termEnd");
        return [new AgreementDrafted(c.AgreementId!, c.Title, c.TaskArea, [.. parties], c.TermStart, c.TermEnd,
            [.. c.LegalBasis ?? []], c.Actor.Id, c.Now)];
    }

    /// <summary>Invariants: a party signs for itself, once, while the agreement is a draft, never with a future date.</summary>
    public static IReadOnlyList<object> Decide(AgreementState? state, SignAgreement c)
    {
        var s = Existing(state, c.AgreementId);
        if (!c.Actor.IsGovernment(c.GovernmentId))
            throw DomainException.Forbidden("not_your_signature", "A government signs only for itself.");
        if (!s.IsParty(c.GovernmentId))
            throw DomainException.Rule("not_a_party", $"Government {c.GovernmentId} is not a party to {s.AgreementId}.", "governmentId");
        if (s.Status != AgreementStatus.Drafted)
            throw DomainException.Conflict("agreement_not_draft", "Only a draft agreement can be signed.");
        if (s.SignedBy.Contains(c.GovernmentId))
            throw DomainException.Conflict("already_signed", $"Government {c.GovernmentId} has already signed.");
        Require.NotInFuture(c.SignedOn, c.Now, "signedOn");
        return [new PartySigned(s.AgreementId, c.GovernmentId, c.SignedOn, c.Actor.Id, c.Now)];
    }

    /// <summary>Invariants: the coordination or decision level activates a draft once every party has signed.</summary>
    public static IReadOnlyList<object> Decide(AgreementState? state, ActivateAgreement c)
    {
        var s = Existing(state, c.AgreementId);
        if (c.Actor.Role is not (ActorRole.Supervisor or ActorRole.Decision))
            throw DomainException.Forbidden("role_not_allowed", "Only a supervisor or the decision level may activate an agreement.");
        if (s.Status != AgreementStatus.Drafted)
            throw DomainException.Conflict("agreement_not_draft", "Only a draft agreement can be activated.");
        var unsigned = s.Parties.Select(p => p.GovernmentId).Where(g => !s.SignedBy.Contains(g)).ToList();
        if (unsigned.Count > 0)
            throw DomainException.Conflict("unsigned_parties", $"Not every party has signed: {string.Join(", ", unsigned)}.");
        return [new AgreementActivated(s.AgreementId, c.Actor.Id, c.Now)];
    }

    /// <summary>Invariants: only the decision level amends, only an active agreement, always naming its decision.</summary>
    public static IReadOnlyList<object> Decide(AgreementState? state, AmendAgreement c)
    {
        var s = Existing(state, c.AgreementId);
        Require.Role(c.Actor, ActorRole.Decision, "amend agreements");
        if (s.Status != AgreementStatus.Active)
            throw DomainException.Conflict("agreement_not_active", "Only an active agreement can be amended.");
        Require.Text(c.Summary, "summary");
        Require.Text(c.DecisionReference, "decisionReference", 200);
        return [new AgreementAmended(s.AgreementId, c.Summary, c.DecisionReference, c.Actor.Id, c.Now)];
    }

    /// <summary>Invariants: only the decision level terminates, only an active agreement, naming its decision.</summary>
    public static IReadOnlyList<object> Decide(AgreementState? state, TerminateAgreement c)
    {
        var s = Existing(state, c.AgreementId);
        Require.Role(c.Actor, ActorRole.Decision, "terminate agreements");
        if (s.Status != AgreementStatus.Active)
            throw DomainException.Conflict("agreement_not_active", "Only an active agreement can be terminated.");
        Require.Text(c.Reason, "reason");
        Require.Text(c.DecisionReference, "decisionReference", 200);
        return [new AgreementTerminated(s.AgreementId, c.Reason, c.DecisionReference, c.Actor.Id, c.Now)];
    }

    private static AgreementState Existing(AgreementState? state, string id) =>
        state ?? throw DomainException.NotFound("agreement_not_found", $"Agreement {id} does not exist.", "agreementId");

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{2,63}$")]
    private static partial Regex AgreementIdPattern();
}
