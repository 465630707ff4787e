namespace Ledger.Contracts;

public enum TaskArea { Ecology, RedTourism, Transport, Industry, PublicServices }

public enum PartyRole { Signatory, Lead, Guarantor, Supervisor }

/// <summary>A government's place in an agreement.</summary>
public sealed record AgreementParty(string GovernmentId, PartyRole Role);

/// <summary>The coordination level drafted a cooperation agreement between several governments.</summary>
public sealed record AgreementDrafted(
    string AgreementId,
    string Title,
    TaskArea TaskArea,
    IReadOnlyList<AgreementParty> Parties,
    DateOnly TermStart,
    DateOnly TermEnd,
    IReadOnlyList<string> LegalBasis,
    string DraftedBy,
    DateTimeOffset DraftedAt);

/// <summary>One party signed the agreement.</summary>
public sealed record PartySigned(
    string AgreementId,
    string GovernmentId,
    DateOnly SignedOn,
    string SignedBy,
    DateTimeOffset SignedAt);

/// <summary>Every party had signed and the agreement took effect.</summary>
public sealed record AgreementActivated(string AgreementId, string ActivatedBy, DateTimeOffset ActivatedAt);

/// <summary>The decision level amended an active agreement; the decision is named.</summary>
public sealed record AgreementAmended(
    string AgreementId,
    string Summary,
    string DecisionReference,
    string AmendedBy,
    DateTimeOffset AmendedAt);

/// <summary>The decision level ended the agreement.</summary>
public sealed record AgreementTerminated(
    string AgreementId,
    string Reason,
    string DecisionReference,
    string TerminatedBy,
    DateTimeOffset TerminatedAt);
