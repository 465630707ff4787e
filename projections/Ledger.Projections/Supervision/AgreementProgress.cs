using JasperFx.Events;
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

/// <summary>
/// The roll-up per agreement: created by <see cref="AgreementDrafted"/>, its status from the agreement's own
/// events, its totals moved by each of its commitments' contribution before and after.
/// </summary>
public sealed class AgreementProgressProjection : IRollUpProjection
{
    public async Task ApplyAsync(IEvent e, FoldDocuments documents, FirstStageChanges changes, CancellationToken ct)
    {
        switch (e.Data)
        {
            case AgreementDrafted a:
            {
                var agreement = await documents.FindAsync<AgreementProgress>(a.AgreementId, ct) ?? new AgreementProgress { Id = a.AgreementId, AgreementId = a.AgreementId };
                agreement.Title = a.Title;
                agreement.TaskArea = a.TaskArea;
                documents.Save(agreement.Id, agreement);
                return;
            }
            case AgreementActivated a:
                await SetStatusAsync(a.AgreementId, "Active");
                return;
            case AgreementTerminated a:
                await SetStatusAsync(a.AgreementId, "Terminated");
                return;
        }
        if (changes.Standing is not { } s || (changes.After == changes.Before && !changes.Registered)) return;
        var progress = await documents.RequireAsync<AgreementProgress>(s.AgreementId, e, ct);
        if (changes.Registered && !progress.CommitmentIds.Contains(s.CommitmentId)) progress.CommitmentIds.Add(s.CommitmentId);
        progress.Add(changes.Before, -1);
        progress.Add(changes.After, +1);
        documents.Save(progress.Id, progress);

        async Task SetStatusAsync(string agreementId, string status)
        {
            var agreement = await documents.RequireAsync<AgreementProgress>(agreementId, e, ct);
            agreement.Status = status;
            documents.Save(agreement.Id, agreement);
        }
    }
}
