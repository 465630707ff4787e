using JasperFx.Events;
using Ledger.Contracts;
using Marten.Events.Aggregation;

namespace Ledger.Projections;

/// <summary>An agreement with its parties, who has signed, and its amendments.</summary>
public sealed class AgreementView
{
    public string Id { get; set; } = "";
    public long Version { get; set; }
    public string AgreementId { get; set; } = "";
    public string Title { get; set; } = "";
    public TaskArea TaskArea { get; set; }
    public List<PartyEntry> Parties { get; set; } = [];
    public DateOnly TermStart { get; set; }
    public DateOnly TermEnd { get; set; }
    public List<string> LegalBasis { get; set; } = [];
    public string Status { get; set; } = "Drafted";
    public DateTimeOffset? ActivatedAt { get; set; }
    public List<AmendmentEntry> Amendments { get; set; } = [];
    public string? TerminationDecision { get; set; }
}

public sealed class PartyEntry
{
    public string GovernmentId { get; set; } = "";
    public PartyRole Role { get; set; }
    public DateOnly? SignedOn { get; set; }
}

public sealed record AmendmentEntry(string Summary, string DecisionReference, string AmendedBy, DateTimeOffset AmendedAt);

public partial class AgreementViewProjection : SingleStreamProjection<AgreementView, string>
{
    public AgreementView Create(IEvent<AgreementDrafted> e) => new()
    {
        Id = e.StreamKey!,
        AgreementId = e.Data.AgreementId,
        Title = e.Data.Title,
        TaskArea = e.Data.TaskArea,
        Parties = [.. e.Data.Parties.Select(p => new PartyEntry { GovernmentId = p.GovernmentId, Role = p.Role })],
        TermStart = e.Data.TermStart,
        TermEnd = e.Data.TermEnd,
        LegalBasis = [.. e.Data.LegalBasis],
    };

    public void Apply(PartySigned e, AgreementView view)
    {
        var party = view.Parties.Find(p => p.GovernmentId == e.GovernmentId);
        if (party is not null) party.SignedOn = e.SignedOn;
    }

    public void Apply(AgreementActivated e, AgreementView view)
    {
        view.Status = "Active";
        view.ActivatedAt = e.ActivatedAt;
    }

    public void Apply(AgreementAmended e, AgreementView view) =>
        view.Amendments.Add(new AmendmentEntry(e.Summary, e.DecisionReference, e.AmendedBy, e.AmendedAt));

    public void Apply(AgreementTerminated e, AgreementView view)
    {
        view.Status = "Terminated";
        view.TerminationDecision = e.DecisionReference;
    }
}
