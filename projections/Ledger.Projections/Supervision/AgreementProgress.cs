using Ledger.Contracts;

namespace Ledger.Projections.Supervision;

/// <summary>
/// How far an agreement's commitments have got, weighted by result type, with counts by status and
/// colour, what is overdue and what rectification is open. Id = the agreement id.
/// </summary>
public sealed class AgreementProgress : RollUpTotals
{
    public string Id { get; set; } = "";
    public string AgreementId { get; set; } = "";
    public string Title { get; set; } = "";
    public TaskArea TaskArea { get; set; }
    public string Status { get; set; } = "Drafted";
    public List<string> CommitmentIds { get; set; } = [];
}
