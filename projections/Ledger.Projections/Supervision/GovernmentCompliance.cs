using JasperFx.Events;
using Ledger.Contracts;

namespace Ledger.Projections.Supervision;

/// <summary>
/// How one government is keeping its commitments: what it leads by status and colour, what it takes
/// part in, its on-time rate, what is overdue and which rectification orders to it are open. Id = the
/// division code. Created by GovernmentRegistered, which also supplies the province and prefecture
/// every other view copies.
/// </summary>
public sealed class GovernmentCompliance
{
    public string Id { get; set; } = "";
    public string GovernmentId { get; set; } = "";
    public string NameZh { get; set; } = "";
    public string NameEn { get; set; } = "";
    public Province Province { get; set; }
    public string Prefecture { get; set; } = "";
    public GovernmentLevel Level { get; set; }

    public int Led { get; set; }
    public int LedDraft { get; set; }
    public int LedActive { get; set; }
    public int LedFulfilmentClaimed { get; set; }
    public int LedFulfilled { get; set; }
    public int LedSuspended { get; set; }
    public int LedWithdrawn { get; set; }
    public int LedGreen { get; set; }
    public int LedAmber { get; set; }
    public int LedRed { get; set; }
    public int LedNotAssessed { get; set; }
    /// <summary>Commitments it leads or contributes to.</summary>
    public int ParticipatesIn { get; set; }
    public int ItemsDue { get; set; }
    public int ItemsOnTime { get; set; }
    /// <summary>Milestones and deadlines of what it leads met on or before their due date ÷ those fallen due; null while none has.</summary>
    public decimal? OnTimeRate { get; set; }
    public int OverdueItems { get; set; }
    public int OverdueCommitments { get; set; }
    /// <summary>Open rectification orders addressed to this government (on any commitment).</summary>
    public int OpenRectifications { get; set; }
    /// <summary>Open orders whose latest response a supervisor rejected.</summary>
    public int RejectedRectifications { get; set; }
    /// <summary>The earliest due date among its open orders: past due when it is before today.</summary>
    public DateOnly? NextRectificationDueOn { get; set; }
    public List<RectificationRef> OpenRectificationOrders { get; set; } = [];
    public Rag Rag { get; set; } = Rag.Green;

    public void AddLed(Contribution c, int sign)
    {
        Led += sign * c.Commitments;
        LedDraft += sign * c.Draft;
        LedActive += sign * c.Active;
        LedFulfilmentClaimed += sign * c.FulfilmentClaimed;
        LedFulfilled += sign * c.Fulfilled;
        LedSuspended += sign * c.Suspended;
        LedWithdrawn += sign * c.Withdrawn;
        LedGreen += sign * c.Green;
        LedAmber += sign * c.Amber;
        LedRed += sign * c.Red;
        LedNotAssessed += sign * c.NotAssessed;
        ItemsDue += sign * c.ItemsDue;
        ItemsOnTime += sign * c.ItemsOnTime;
        OverdueItems += sign * c.OverdueItems;
        OverdueCommitments += sign * c.OverdueCommitments;
        Refresh();
    }

    /// <summary>
    /// Red: something it leads is overdue, or a supervisor rejected its response to an order still open.
    /// Amber: something it leads is amber or red, or an order to it is open. Green otherwise.
    /// </summary>
    public void Refresh()
    {
        OnTimeRate = ItemsDue == 0 ? null : SupervisionRules.Ratio(ItemsOnTime, ItemsDue);
        OpenRectifications = OpenRectificationOrders.Count;
        RejectedRectifications = OpenRectificationOrders.Count(r => r.Status == RectificationStatus.Rejected);
        NextRectificationDueOn = OpenRectificationOrders.Count == 0 ? null : OpenRectificationOrders.Min(r => r.DueOn);
        Rag = OverdueItems > 0 || RejectedRectifications > 0 ? Rag.Red
            : LedAmber + LedRed > 0 || OpenRectifications > 0 ? Rag.Amber
            : Rag.Green;
    }
}

public enum RectificationStatus { Ordered, Responded, Accepted, Rejected }

public sealed record RectificationRef(string CommitmentId, string RectificationId, DateOnly DueOn, RectificationStatus Status);

/// <summary>
/// The roll-up per government: created by <see cref="GovernmentRegistered"/>; moved by what the first stage
/// changed — the standings it leads (by their contribution before and after), the commitments it joins,
/// and the rectification orders addressed to it.
/// </summary>
public sealed class GovernmentComplianceProjection : IRollUpProjection
{
    public async Task ApplyAsync(IEvent e, FoldDocuments documents, FirstStageChanges changes, CancellationToken ct)
    {
        if (e.Data is GovernmentRegistered g)
        {
            var government = await documents.FindAsync<GovernmentCompliance>(g.GovernmentId, ct) ?? new GovernmentCompliance { Id = g.GovernmentId, GovernmentId = g.GovernmentId };
            government.NameZh = g.NameZh;
            government.NameEn = g.NameEn;
            government.Province = g.Province;
            government.Prefecture = g.Prefecture;
            government.Level = g.Level;
            government.Refresh();
            documents.Save(government.Id, government);
        }
        if (changes.Standing is { } s)
        {
            foreach (var joined in new[] { changes.Registered ? s.LeadGovernmentId : null, changes.ParticipantAdded })
            {
                if (joined is null) continue;
                var participant = await documents.RequireAsync<GovernmentCompliance>(joined, e, ct);
                participant.ParticipatesIn++;
                documents.Save(participant.Id, participant);
            }
            var (before, after) = (changes.Before, changes.After);
            if (after != before)
            {
                var lead = await documents.RequireAsync<GovernmentCompliance>(s.LeadGovernmentId, e, ct);
                lead.AddLed(before, -1);
                lead.AddLed(after, +1);
                documents.Save(lead.Id, lead);
            }
        }
        if (changes.Track is { } track)
        {
            var ordered = await documents.RequireAsync<GovernmentCompliance>(track.GovernmentId, e, ct);
            SetOrder(ordered, track);
            documents.Save(ordered.Id, ordered);
        }
    }

    /// <summary>Keeps the government's list of open orders in step with one order.</summary>
    public static void SetOrder(GovernmentCompliance government, RectificationTrack track)
    {
        var index = government.OpenRectificationOrders.FindIndex(r => r.CommitmentId == track.CommitmentId && r.RectificationId == track.RectificationId);
        var entry = new RectificationRef(track.CommitmentId, track.RectificationId, track.DueOn, track.Status);
        if (!track.Open)
        {
            if (index >= 0) government.OpenRectificationOrders.RemoveAt(index);
        }
        else if (index >= 0) government.OpenRectificationOrders[index] = entry;
        else government.OpenRectificationOrders.Add(entry);
        government.Refresh();
    }
}
