using JasperFx.Events;
using Ledger.Contracts;

namespace Ledger.Projections.Supervision;

/// <summary>
/// One rectification order (整改) from order to close: whom it binds, what it requires, its responses,
/// whether it was escalated and how that was decided. Id "{commitmentId}/{rectificationId}".
/// </summary>
public sealed class RectificationTrack
{
    public string Id { get; set; } = "";
    public string CommitmentId { get; set; } = "";
    public string RectificationId { get; set; } = "";
    public string AgreementId { get; set; } = "";
    public TaskArea TaskArea { get; set; }
    public string GovernmentId { get; set; } = "";
    public Province Province { get; set; }
    public string Prefecture { get; set; } = "";
    public string Findings { get; set; } = "";
    public List<string> RequiredActions { get; set; } = [];
    public string OrderedBy { get; set; } = "";
    public DateTimeOffset OrderedAt { get; set; }
    /// <summary>The due date in force: a rejection may set a new one.</summary>
    public DateOnly DueOn { get; set; }
    public DateOnly OriginalDueOn { get; set; }
    public RectificationStatus Status { get; set; }
    public bool Open { get; set; } = true;
    public List<RectificationResponse> Responses { get; set; } = [];
    public List<RectificationReview> Reviews { get; set; } = [];
    public DateTimeOffset? LastResponseAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public string? EscalationId { get; set; }
    public GovernanceLevel? EscalationLevel { get; set; }
    public string? DecisionReference { get; set; }

    public static string IdFor(string commitmentId, string rectificationId) => commitmentId + "/" + rectificationId;
}

public sealed record RectificationResponse(string Response, IReadOnlyList<string> EvidenceIds, string RespondedBy, DateTimeOffset RespondedAt);

/// <summary>A supervisor's review of a response: accepted, or rejected with a new due date or none.</summary>
public sealed record RectificationReview(bool Accepted, string Findings, DateOnly? NewDueOn, string ReviewedBy, DateTimeOffset ReviewedAt);

/// <summary>
/// The first stage's view of a rectification order: created by <see cref="RectificationOrdered"/> (with
/// the commitment's agreement and area from its standing, which the standing's projection has already
/// moved for the same event), then moved by the order's responses, reviews and escalation.
/// </summary>
public sealed class RectificationTrackProjection : IFirstStageProjection
{
    public async Task ApplyAsync(IEvent e, FoldDocuments documents, FirstStageChanges changes, CancellationToken ct)
    {
        switch (e.Data)
        {
            case RectificationOrdered o:
            {
                var standing = changes.Standing ?? await documents.RequireAsync<CommitmentStanding>(o.CommitmentId, e, ct);
                var track = Create(o, standing, await documents.RequireAsync<GovernmentCompliance>(o.GovernmentId, e, ct));
                documents.Save(track.Id, track);
                changes.Track = track;
                break;
            }
            case RectificationResponded r:
                await ChangeAsync(r.CommitmentId, r.RectificationId, t =>
                {
                    t.Status = RectificationStatus.Responded;
                    t.Responses.Add(new RectificationResponse(r.Response, [.. r.EvidenceIds], r.RespondedBy, r.RespondedAt));
                    t.LastResponseAt = r.RespondedAt;
                });
                break;
            case RectificationRejected r:
                await ChangeAsync(r.CommitmentId, r.RectificationId, t =>
                {
                    t.Status = RectificationStatus.Rejected;
                    t.DueOn = r.NewDueOn ?? t.DueOn;
                    t.Reviews.Add(new RectificationReview(false, r.Findings, r.NewDueOn, r.RejectedBy, r.RejectedAt));
                });
                break;
            case RectificationAccepted a:
                await ChangeAsync(a.CommitmentId, a.RectificationId, t =>
                {
                    t.Status = RectificationStatus.Accepted;
                    t.Open = false;
                    t.ClosedAt = a.AcceptedAt;
                    t.Reviews.Add(new RectificationReview(true, a.Findings, null, a.AcceptedBy, a.AcceptedAt));
                });
                break;
            case EscalationRaised { RectificationId: { } rectification } x:
                await ChangeAsync(x.CommitmentId, rectification, t =>
                {
                    t.EscalationId = x.EscalationId;
                    t.EscalationLevel = x.To;
                });
                break;
            case EscalationDecided d:
                // The decision names the escalation; the standing knows which order, if any, it escalated.
                if (changes.Standing?.Escalations.Find(y => y.EscalationId == d.EscalationId) is { RectificationId: { } escalated })
                    await ChangeAsync(d.CommitmentId, escalated, t => t.DecisionReference = d.DecisionReference);
                break;
        }

        async Task ChangeAsync(string commitmentId, string rectificationId, Action<RectificationTrack> change)
        {
            var track = await documents.RequireAsync<RectificationTrack>(RectificationTrack.IdFor(commitmentId, rectificationId), e, ct);
            change(track);
            documents.Save(track.Id, track);
            changes.Track = track;
        }
    }

    public static RectificationTrack Create(RectificationOrdered o, CommitmentStanding standing, GovernmentCompliance government) => new()
    {
        Id = RectificationTrack.IdFor(o.CommitmentId, o.RectificationId),
        CommitmentId = o.CommitmentId,
        RectificationId = o.RectificationId,
        AgreementId = standing.AgreementId,
        TaskArea = standing.TaskArea,
        GovernmentId = o.GovernmentId,
        Province = government.Province,
        Prefecture = government.Prefecture,
        Findings = o.Findings,
        RequiredActions = [.. o.RequiredActions],
        OrderedBy = o.OrderedBy,
        // A duplicated (indexed) timestamptz column takes UTC only; the instant is the same.
        OrderedAt = o.OrderedAt.ToUniversalTime(),
        DueOn = o.DueOn,
        OriginalDueOn = o.DueOn,
        Status = RectificationStatus.Ordered,
    };

    /// <summary>The order an event names, for loading ahead.</summary>
    public static string? TrackOf(object data) => data switch
    {
        RectificationResponded x => RectificationTrack.IdFor(x.CommitmentId, x.RectificationId),
        RectificationAccepted x => RectificationTrack.IdFor(x.CommitmentId, x.RectificationId),
        RectificationRejected x => RectificationTrack.IdFor(x.CommitmentId, x.RectificationId),
        EscalationRaised { RectificationId: { } r } x => RectificationTrack.IdFor(x.CommitmentId, r),
        _ => null,
    };
}
