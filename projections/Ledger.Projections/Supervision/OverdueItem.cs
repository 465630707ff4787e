using JasperFx.Events;
using Ledger.Contracts;
using Ledger.Domain.Commitments;

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

/// <summary>
/// The overdue queue, read from the standings' lifecycles: an entry opens when the clock's notice finds
/// the item open and overdue, closes when the lifecycle no longer has it so, and follows the
/// commitment's open rectification orders.
/// </summary>
public sealed class OverdueItemProjection : IRollUpProjection
{
    public async Task ApplyAsync(IEvent e, FoldDocuments documents, FirstStageChanges changes, CancellationToken ct)
    {
        if (changes.Standing is not { } s) return;
        foreach (var key in changes.OverdueBefore.Where(k => s.Lifecycle.Item(k) is not { OverdueOpen: true }))
            documents.Delete<OverdueItem>(OverdueItem.IdFor(s.CommitmentId, key));
        switch (e.Data)
        {
            case CommitmentOverdue o when s.Lifecycle.Item(CommitmentLifecycle.ItemKey(o.Kind, o.MilestoneId)) is { OverdueOpen: true }:
            {
                var item = Create(s, o);
                documents.Save(item.Id, item);
                break;
            }
            case RectificationOrdered or RectificationAccepted:
                foreach (var key in s.Lifecycle.OverdueKeys())
                {
                    var id = OverdueItem.IdFor(s.CommitmentId, key);
                    if (await documents.FindAsync<OverdueItem>(id, ct) is not { } overdue) continue;
                    overdue.OpenRectificationIds = [.. s.Lifecycle.OpenRectificationIds];
                    documents.Save(id, overdue);
                }
                break;
        }
    }

    public static OverdueItem Create(CommitmentStanding s, CommitmentOverdue o) => new()
    {
        Id = OverdueItem.IdFor(s.CommitmentId, CommitmentLifecycle.ItemKey(o.Kind, o.MilestoneId)),
        CommitmentId = s.CommitmentId,
        CommitmentTitle = s.Title,
        AgreementId = s.AgreementId,
        TaskArea = s.TaskArea,
        LeadGovernmentId = s.LeadGovernmentId,
        LeadProvince = s.LeadProvince,
        LeadPrefecture = s.LeadPrefecture,
        Kind = o.Kind,
        MilestoneId = o.MilestoneId,
        DueOn = o.DueOn,
        NoticedAt = o.NoticedAt,
        OpenRectificationIds = [.. s.Lifecycle.OpenRectificationIds],
    };
}
