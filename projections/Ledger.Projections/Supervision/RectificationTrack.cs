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
