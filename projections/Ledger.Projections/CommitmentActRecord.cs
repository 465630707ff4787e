using JasperFx.Events;
using Ledger.Contracts;
using Marten.Events.Projections;
using Marten.Schema;

namespace Ledger.Projections;

/// <summary>The kinds of a commitment's acts that are documents of their own (<see cref="CommitmentActRecord"/>).</summary>
public static class ActKinds
{
    public const string Evidence = "evidence";
    public const string Claim = "claim";
    public const string Assessment = "assessment";
    public const string Rectification = "rectification";
    public const string Escalation = "escalation";

    public static readonly IReadOnlyList<string> All = [Evidence, Claim, Assessment, Rectification, Escalation];
}

/// <summary>
/// One act on a commitment, a document of its own: an evidence attachment, a fulfilment claim, an
/// assessment, a rectification order or an escalation, with what followed it (a claim's verdict, an order's
/// responses and reviews, an escalation's decision). A commitment may gather any number of them, so its
/// record keeps only a count, every one still open and the latest few
/// (<see cref="CommitmentRecord.RecentActCount"/>); all of them are read a page at a time
/// (GET /api/commitments/{id}/evidence, /claims, /assessments, /rectifications, /escalations). Inline,
/// written when the act is made and again when it changes. Exactly one of the entries is set, the one
/// <see cref="Kind"/> names.
/// </summary>
public sealed class CommitmentActRecord
{
    /// <summary>"{commitmentId}/{kind}/{actId}": an act's id is unique within its commitment and kind.</summary>
    public string Id { get; set; } = "";
    public string CommitmentId { get; set; } = "";
    /// <summary>One of <see cref="ActKinds"/>.</summary>
    public string Kind { get; set; } = "";
    public string ActId { get; set; } = "";
    /// <summary>The commitment stream's version at the act: the order acts were made in.</summary>
    public long StreamVersion { get; set; }
    /// <summary>A claim not yet closed, an order not yet accepted, an escalation not yet decided.</summary>
    public bool Open { get; set; }
    public EvidenceEntry? Evidence { get; set; }
    public ClaimEntry? Claim { get; set; }
    public AssessmentEntry? Assessment { get; set; }
    public RectificationEntry? Rectification { get; set; }
    public EscalationEntry? Escalation { get; set; }

    public static string IdOf(string commitmentId, string kind, string actId) => $"{commitmentId}/{kind}/{actId}";

    /// <summary>Marten calls this when it maps the document: the index a page of one commitment's acts of one kind is read by.</summary>
    public static void ConfigureMarten(DocumentMapping<CommitmentActRecord> mapping) => CommitmentActRecordQuery.Configure(mapping);

    /// <summary>The act an event makes, or null if it makes none (it may change one: <see cref="ChangedBy"/>).</summary>
    public static CommitmentActRecord? MadeBy(IEvent e) => e.Data switch
    {
        EvidenceAttached d => new CommitmentActRecord { Evidence = EvidenceEntry.Of(d) }.Of(e, d.CommitmentId, ActKinds.Evidence, d.EvidenceId),
        FulfilmentClaimed d => new CommitmentActRecord { Claim = ClaimEntry.Of(d) }.Of(e, d.CommitmentId, ActKinds.Claim, d.ClaimId),
        CommitmentAssessed d => new CommitmentActRecord { Assessment = AssessmentEntry.Of(d) }.Of(e, d.CommitmentId, ActKinds.Assessment, d.AssessmentId),
        RectificationOrdered d => new CommitmentActRecord { Rectification = RectificationEntry.Of(d) }.Of(e, d.CommitmentId, ActKinds.Rectification, d.RectificationId),
        EscalationRaised d => new CommitmentActRecord { Escalation = EscalationEntry.Of(d) }.Of(e, d.CommitmentId, ActKinds.Escalation, d.EscalationId),
        _ => null,
    };

    /// <summary>The id of the act an event changes (a claim closed, an order answered or reviewed, an escalation decided), or null.</summary>
    public static string? ChangedBy(object data) => data switch
    {
        ClaimWithdrawn d => IdOf(d.CommitmentId, ActKinds.Claim, d.ClaimId),
        VerificationCompleted d => IdOf(d.CommitmentId, ActKinds.Claim, d.ClaimId),
        RectificationResponded d => IdOf(d.CommitmentId, ActKinds.Rectification, d.RectificationId),
        RectificationAccepted d => IdOf(d.CommitmentId, ActKinds.Rectification, d.RectificationId),
        RectificationRejected d => IdOf(d.CommitmentId, ActKinds.Rectification, d.RectificationId),
        EscalationDecided d => IdOf(d.CommitmentId, ActKinds.Escalation, d.EscalationId),
        _ => null,
    };

    /// <summary>Moves the act on by an event that changes it (see <see cref="ChangedBy"/>), as the commitment's record does.</summary>
    public void Apply(IEvent e)
    {
        switch (e.Data)
        {
            case ClaimWithdrawn: Claim?.Close("withdrawn", e.Timestamp, null); break;
            case VerificationCompleted d: Claim?.Close(ClaimEntry.StateOf(d.Verdict), e.Timestamp, d); break;
            case RectificationResponded d: Rectification?.Respond(d); break;
            case RectificationAccepted d: Rectification?.Accept(d); break;
            case RectificationRejected d: Rectification?.Reject(d); break;
            case EscalationDecided d: Escalation?.Decide(d); break;
        }
        Open = IsOpen;
    }

    private bool IsOpen => Claim?.IsOpen ?? Rectification?.IsOpen ?? Escalation?.IsOpen ?? false;

    private CommitmentActRecord Of(IEvent e, string commitmentId, string kind, string actId)
    {
        Id = IdOf(commitmentId, kind, actId);
        CommitmentId = commitmentId;
        Kind = kind;
        ActId = actId;
        StreamVersion = e.Version;
        Open = IsOpen;
        return this;
    }

    /// <summary>
    /// One commitment's acts folded from its events without a database, in the order they were made: what the
    /// projection writes, for the import and for rewriting the documents of a ledger written before them.
    /// </summary>
    public static IReadOnlyList<CommitmentActRecord> Fold(IEnumerable<IEvent> events)
    {
        var acts = new Dictionary<string, CommitmentActRecord>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (MadeBy(e) is { } made) acts[made.Id] = made;
            else if (ChangedBy(e.Data) is { } id && acts.TryGetValue(id, out var act)) act.Apply(e);
        }
        return [.. acts.Values.OrderBy(a => a.StreamVersion)];
    }
}

/// <summary>The acts of every commitment, one document each, written inline with the events that make and change them.</summary>
public partial class CommitmentActRecordProjection : MultiStreamProjection<CommitmentActRecord, string>
{
    public CommitmentActRecordProjection()
    {
        Identity<EvidenceAttached>(d => CommitmentActRecord.IdOf(d.CommitmentId, ActKinds.Evidence, d.EvidenceId));
        Identity<FulfilmentClaimed>(d => CommitmentActRecord.IdOf(d.CommitmentId, ActKinds.Claim, d.ClaimId));
        Identity<CommitmentAssessed>(d => CommitmentActRecord.IdOf(d.CommitmentId, ActKinds.Assessment, d.AssessmentId));
        Identity<RectificationOrdered>(d => CommitmentActRecord.IdOf(d.CommitmentId, ActKinds.Rectification, d.RectificationId));
        Identity<EscalationRaised>(d => CommitmentActRecord.IdOf(d.CommitmentId, ActKinds.Escalation, d.EscalationId));
        Identity<ClaimWithdrawn>(d => CommitmentActRecord.ChangedBy(d)!);
        Identity<VerificationCompleted>(d => CommitmentActRecord.ChangedBy(d)!);
        Identity<RectificationResponded>(d => CommitmentActRecord.ChangedBy(d)!);
        Identity<RectificationAccepted>(d => CommitmentActRecord.ChangedBy(d)!);
        Identity<RectificationRejected>(d => CommitmentActRecord.ChangedBy(d)!);
        Identity<EscalationDecided>(d => CommitmentActRecord.ChangedBy(d)!);
    }

    public CommitmentActRecord Create(IEvent<EvidenceAttached> e) => CommitmentActRecord.MadeBy(e)!;
    public CommitmentActRecord Create(IEvent<FulfilmentClaimed> e) => CommitmentActRecord.MadeBy(e)!;
    public CommitmentActRecord Create(IEvent<CommitmentAssessed> e) => CommitmentActRecord.MadeBy(e)!;
    public CommitmentActRecord Create(IEvent<RectificationOrdered> e) => CommitmentActRecord.MadeBy(e)!;
    public CommitmentActRecord Create(IEvent<EscalationRaised> e) => CommitmentActRecord.MadeBy(e)!;

    public void Apply(IEvent<ClaimWithdrawn> e, CommitmentActRecord act) => act.Apply(e);
    public void Apply(IEvent<VerificationCompleted> e, CommitmentActRecord act) => act.Apply(e);
    public void Apply(IEvent<RectificationResponded> e, CommitmentActRecord act) => act.Apply(e);
    public void Apply(IEvent<RectificationAccepted> e, CommitmentActRecord act) => act.Apply(e);
    public void Apply(IEvent<RectificationRejected> e, CommitmentActRecord act) => act.Apply(e);
    public void Apply(IEvent<EscalationDecided> e, CommitmentActRecord act) => act.Apply(e);
}

/// <summary>Every act of one commitment by kind, each list in the order made: what an auditor's replay as of a point shows.</summary>
public sealed record CommitmentActs(
    IReadOnlyList<EvidenceEntry> Evidence, IReadOnlyList<ClaimEntry> Claims, IReadOnlyList<AssessmentEntry> Assessments,
    IReadOnlyList<RectificationEntry> Rectifications, IReadOnlyList<EscalationEntry> Escalations)
{
    public static CommitmentActs Of(IReadOnlyList<CommitmentActRecord> acts) => new(
        [.. acts.Where(a => a.Evidence is not null).Select(a => a.Evidence!)],
        [.. acts.Where(a => a.Claim is not null).Select(a => a.Claim!)],
        [.. acts.Where(a => a.Assessment is not null).Select(a => a.Assessment!)],
        [.. acts.Where(a => a.Rectification is not null).Select(a => a.Rectification!)],
        [.. acts.Where(a => a.Escalation is not null).Select(a => a.Escalation!)]);
}
