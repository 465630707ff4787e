using Ledger.Contracts;

namespace Ledger.Projections.Supervision;

/// <summary>
/// One entry in the overdue queue: a deadline or milestone the clock noticed passing unmet and that is
/// still open. Ids "{commitmentId}/deadline" and "{commitmentId}/milestone/{milestoneId}". Days overdue
/// is today − DueOn, computed when read, so the queue sorts by DueOn ascending.
/// </summary>
public sealed class OverdueItem
{
    public string Id { get; set; } = "";
    public string CommitmentId { get; set; } = "";
    public string CommitmentTitle { get; set; } = "";
    public string AgreementId { get; set; } = "";
    public TaskArea TaskArea { get; set; }
    public string LeadGovernmentId { get; set; } = "";
    public Province LeadProvince { get; set; }
    public string LeadPrefecture { get; set; } = "";
    public DueKind Kind { get; set; }
    public string? MilestoneId { get; set; }
    public DateOnly DueOn { get; set; }
    public DateTimeOffset NoticedAt { get; set; }
    /// <summary>The rectification orders open on the commitment.</summary>
    public List<string> OpenRectificationIds { get; set; } = [];

    public static string IdFor(string commitmentId, string itemKey) => commitmentId + "/" + itemKey;
}
