using System.Text.RegularExpressions;
using Ledger.Contracts;

namespace Ledger.Domain.Commitments;

/// <summary>Attach a document; its media type and size are given when the ledger keeps the file itself.</summary>
public sealed record AttachEvidence(
    string CommitmentId, string EvidenceId, DocumentType DocumentType, string Title, string Sha256, string StorageUri,
    string Issuer, DateOnly IssuedOn, Confidentiality Confidentiality, Actor Actor, DateTimeOffset Now,
    string? MediaType = null, long? Length = null);

public sealed record ClaimFulfilment(
    string CommitmentId, string ClaimId, ClaimScope Scope, string? Subject, IReadOnlyList<string> EvidenceIds,
    string Statement, Actor Actor, DateTimeOffset Now);

public sealed record WithdrawClaim(string CommitmentId, string ClaimId, string Reason, Actor Actor, DateTimeOffset Now);

public sealed record VerifyClaim(
    string CommitmentId, string ClaimId, VerificationMethod Method, Verdict Verdict, string Findings,
    Actor Actor, DateTimeOffset Now);

public static partial class CommitmentDecider
{
    /// <summary>
    /// Invariants: participants attach evidence to a commitment that is not withdrawn; the file is
    /// named by the SHA-256 of its bytes (64 hex digits, stored lower-case); its location is an
    /// absolute URI; it was issued on a date that is not in the future; an evidence id is used once.
    /// </summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, AttachEvidence c)
    {
        var s = Existing(state, c.CommitmentId);
        RequireParticipant(s, c.Actor, "attach evidence");
        if (s.Status == CommitmentStatus.Withdrawn)
            throw DomainException.Conflict("commitment_withdrawn", "Nothing is attached to a withdrawn commitment.");
        if (!IdPattern().IsMatch(c.EvidenceId ?? ""))
            throw DomainException.Rule("invalid_evidence_id", "'evidenceId' must be 3-64 lower-case letters, digits or dashes.", "evidenceId");
        if (s.EvidenceIds.Contains(c.EvidenceId!))
            throw DomainException.Conflict("duplicate_evidence", $"Evidence {c.EvidenceId} already exists.", "evidenceId");
        Require.Text(c.Title, "title", 300);
        if (!Sha256Pattern().IsMatch(c.Sha256 ?? ""))
            throw DomainException.Rule("invalid_sha256", "'sha256' must be 64 hexadecimal digits.", "sha256");
        // "scheme://…" explicitly: on Linux a bare path would otherwise parse as a file URI.
        if (!Uri.TryCreate(c.StorageUri, UriKind.Absolute, out _) || !c.StorageUri.Contains("://", StringComparison.Ordinal) || c.StorageUri.Length > 2000)
            throw DomainException.Rule("invalid_uri", "'storageUri' must be an absolute URI.", "storageUri");
        Require.Text(c.Issuer, "issuer", 200);
        Require.NotInFuture(c.IssuedOn, c.Now, "issuedOn");
        if (c.MediaType is not null && !MediaTypePattern().IsMatch(c.MediaType))
            throw DomainException.Rule("invalid_media_type", "'mediaType' must be a media type such as application/pdf.", "mediaType");
        if (c.Length is < 0)
            throw DomainException.Rule("invalid_length", "'length' must be a number of bytes, zero or more.", "length");
        return [new EvidenceAttached(s.CommitmentId, c.EvidenceId!, c.DocumentType, c.Title, c.Sha256!.ToLowerInvariant(),
            c.StorageUri, c.Issuer, c.IssuedOn, c.Confidentiality, c.MediaType?.ToLowerInvariant(), c.Length, c.Actor.Id, c.Now)];
    }

    /// <summary>
    /// Invariants: only the lead government claims; the commitment is active; the claim cites at least
    /// one attached piece of evidence; a milestone claim names a milestone not yet met, a period claim a
    /// defined period, a whole-commitment claim nothing; one open claim per subject at a time.
    /// </summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, ClaimFulfilment c)
    {
        var s = Existing(state, c.CommitmentId);
        if (!c.Actor.IsGovernment(s.LeadGovernmentId))
            throw DomainException.Forbidden("only_lead_claims", "Only the lead government claims fulfilment.");
        if (s.Status != CommitmentStatus.Active)
            throw DomainException.Conflict("commitment_not_active", $"A {s.Status} commitment takes no claims.");
        if (!IdPattern().IsMatch(c.ClaimId ?? ""))
            throw DomainException.Rule("invalid_claim_id", "'claimId' must be 3-64 lower-case letters, digits or dashes.", "claimId");
        if (s.ClaimIds.Contains(c.ClaimId!))
            throw DomainException.Conflict("duplicate_claim", $"Claim {c.ClaimId} already exists.", "claimId");
        Require.Text(c.Statement, "statement", 4000);
        var evidence = c.EvidenceIds ?? [];
        if (evidence.Count == 0)
            throw DomainException.Rule("evidence_required", "A claim cites at least one piece of attached evidence.", "evidenceIds");
        for (var i = 0; i < evidence.Count; i++)
        {
            if (!s.EvidenceIds.Contains(evidence[i] ?? ""))
                throw DomainException.Rule("unknown_evidence", $"Evidence {evidence[i]} is not attached to {s.CommitmentId}.", $"evidenceIds[{i}]");
        }
        switch (c.Scope)
        {
            case ClaimScope.Milestone:
                if (!s.Milestones.TryGetValue(c.Subject ?? "", out var status))
                    throw DomainException.Rule("unknown_milestone", $"Milestone {c.Subject} is not scheduled on {s.CommitmentId}.", "subject");
                if (status == MilestoneStatus.Met)
                    throw DomainException.Conflict("milestone_already_met", $"Milestone {c.Subject} is already met.", "subject");
                break;
            case ClaimScope.Period:
                if (!s.Indicators.Values.Any(x => (x.Periods ?? []).Any(p => p.Period == c.Subject)))
                    throw DomainException.Rule("unknown_period", $"No indicator on {s.CommitmentId} has a period '{c.Subject}'.", "subject");
                break;
            default:
                if (c.Subject is not null)
                    throw DomainException.Rule("subject_not_allowed", "A whole-commitment claim names no subject.", "subject");
                break;
        }
        if (s.OpenClaims.Values.Any(x => x.Scope == c.Scope && x.Subject == c.Subject))
            throw DomainException.Conflict("claim_already_open", "A claim on the same subject is still open.", "subject");
        return [new FulfilmentClaimed(s.CommitmentId, c.ClaimId!, c.Scope, c.Subject, [.. evidence], c.Statement, c.Actor.Id, c.Now)];
    }

    /// <summary>Invariants: the lead withdraws its own open claim, with a reason.</summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, WithdrawClaim c)
    {
        var s = Existing(state, c.CommitmentId);
        if (!c.Actor.IsGovernment(s.LeadGovernmentId))
            throw DomainException.Forbidden("only_lead_claims", "Only the lead government withdraws its claims.");
        RequireClaimsOpenToDecision(s);
        OpenClaimOf(s, c.ClaimId);
        Require.Text(c.Reason, "reason");
        return [new ClaimWithdrawn(s.CommitmentId, c.ClaimId, c.Reason, c.Actor.Id, c.Now)];
    }

    /// <summary>
    /// Invariants: only a supervisor verifies, only an open claim, always with findings. A verified
    /// whole-commitment claim fulfils the commitment; any other verdict returns it to Active. A
    /// verified milestone claim marks the milestone met, a partly verified one partially met.
    /// </summary>
    public static IReadOnlyList<object> Decide(CommitmentState? state, VerifyClaim c)
    {
        var s = Existing(state, c.CommitmentId);
        Require.Role(c.Actor, ActorRole.Supervisor, "verify claims");
        RequireClaimsOpenToDecision(s);
        var claim = OpenClaimOf(s, c.ClaimId);
        Require.Text(c.Findings, "findings", 4000);
        var events = new List<object> { new VerificationCompleted(s.CommitmentId, claim.ClaimId, c.Method, c.Verdict, c.Findings, c.Actor.Id, c.Now) };
        if (claim.Scope == ClaimScope.Milestone && c.Verdict is Verdict.Verified or Verdict.PartiallyVerified)
        {
            var status = c.Verdict == Verdict.Verified ? MilestoneStatus.Met : MilestoneStatus.PartiallyMet;
            // The event records the day of the judgement, as it always has (method 1.0 scores by it); the
            // lifecycle takes the milestone as met on the day of the claim this verification confirms.
            events.Add(new MilestoneStatusChanged(s.CommitmentId, claim.Subject!, status, Require.Today(c.Now), c.Actor.Id, c.Now));
        }
        return events;
    }

    // A suspended or withdrawn commitment's claims wait: closing one then would leave a resumed
    // commitment in FulfilmentClaimed with no claim open, or mark a withdrawn commitment's milestone met.
    private static void RequireClaimsOpenToDecision(CommitmentState s)
    {
        if (s.Status == CommitmentStatus.Suspended)
            throw DomainException.Conflict("commitment_suspended", "The commitment is suspended; its claims wait until it is resumed.");
        if (s.Status == CommitmentStatus.Withdrawn)
            throw DomainException.Conflict("commitment_withdrawn", "The commitment is withdrawn.");
    }

    private static OpenClaim OpenClaimOf(CommitmentState s, string claimId)
    {
        if (s.OpenClaims.TryGetValue(claimId ?? "", out var claim)) return claim;
        if (s.ClaimIds.Contains(claimId ?? ""))
            throw DomainException.Conflict("claim_not_open", $"Claim {claimId} is already closed.", "claimId");
        throw DomainException.NotFound("claim_not_found", $"Claim {claimId} does not exist on {s.CommitmentId}.", "claimId");
    }

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Pattern();

    /// <summary>Whether a text is a media type (type/subtype, no parameters), as evidence records it.</summary>
    public static bool IsMediaType(string value) => MediaTypePattern().IsMatch(value);

    // type/subtype as RFC 6838 allows their names (127 characters each at most), without parameters.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$")]
    private static partial Regex MediaTypePattern();
}
