using JasperFx.Events;
using Ledger.Contracts;
using Ledger.Projections;
using Ledger.Web.Localization;
using RectificationEntry = Ledger.Projections.RectificationEntry;
using Marten;

namespace Ledger.Web.Components.Commitments;

/// <summary>
/// Everything the commitment page shows, read once per request through the same read models as the
/// API's <c>GET /api/commitments/{id}</c> (the inline <see cref="CommitmentRecord"/>, written with each
/// event, colour and overdue items included), the agreement, the registry's names, and the commitment's
/// own stream for the timeline.
/// </summary>
public sealed class CommitmentDossier
{
    private CommitmentDossier(
        CommitmentRecord record, AgreementView? agreement,
        IReadOnlyDictionary<string, GovernmentView> governments, IReadOnlyList<IEvent> events, DateOnly today)
    {
        Record = record;
        Agreement = agreement;
        Governments = governments;
        Events = events;
        Today = today;
    }

    public CommitmentRecord Record { get; }
    public AgreementView? Agreement { get; }
    public IReadOnlyDictionary<string, GovernmentView> Governments { get; }
    /// <summary>The commitment's stream, oldest first, with each event's envelope.</summary>
    public IReadOnlyList<IEvent> Events { get; }
    /// <summary>Today in the zone (Beijing time), as the deciders count it.</summary>
    public DateOnly Today { get; }

    public string CommitmentId => Record.CommitmentId;

    public static async Task<CommitmentDossier?> LoadAsync(
        IQuerySession session, GovernmentNames names, string commitmentId, DateTimeOffset now, CancellationToken ct)
    {
        var key = StreamKeys.Commitment(commitmentId);
        if (await session.LoadAsync<CommitmentRecord>(key, ct) is not { } found) return null;
        var agreement = await session.LoadAsync<AgreementView>(StreamKeys.Agreement(found.AgreementId), ct);
        var events = await session.Events.FetchStreamAsync(key, token: ct);
        var governments = await names.AllAsync(ct);
        return new CommitmentDossier(found, agreement, governments, events,
            DateOnly.FromDateTime(now.ToOffset(ConsoleFormat.BeijingOffset).DateTime));
    }

    /// <summary>Whether a government leads or contributes: only those may open a commitment's page as a government.</summary>
    public bool IsParticipant(string? governmentId) =>
        governmentId is not null && (Record.LeadGovernmentId == governmentId || Record.Contributors.Any(c => c.GovernmentId == governmentId));

    /// <summary>A government's name in the page's language; the division code where the registry has no entry.</summary>
    public string GovernmentName(string? governmentId) =>
        governmentId is not null && Governments.TryGetValue(governmentId, out var g) ? GovernmentNames.Name(g) : governmentId ?? "";

    public string? MilestoneTitle(string? milestoneId) =>
        Record.Milestones.Find(m => m.Definition.MilestoneId == milestoneId)?.Definition.Title;

    public Indicator? Indicator(string? indicatorId) =>
        Record.Indicators.Find(i => i.Definition.IndicatorId == indicatorId)?.Definition;

    public EvidenceEntry? Evidence(string evidenceId) => Record.Evidence.Find(e => e.EvidenceId == evidenceId);

    public RectificationEntry? Rectification(string? rectificationId) =>
        Record.Rectifications.Find(r => r.RectificationId == rectificationId);

    /// <summary>The tracking colour, as the record holds it (the commitment's lifecycle, the same rule every view uses).</summary>
    public Rag Colour => Record.Rag;

    public IEnumerable<ClaimEntry> OpenClaims => Record.Claims.Where(c => c.State == "open");

    /// <summary>Orders whose response awaits the supervisor's review.</summary>
    public IEnumerable<RectificationEntry> RespondedRectifications => Record.Rectifications.Where(r => r.Status == "Responded");

    /// <summary>Orders not yet accepted: they may still be escalated, and a government still answers those ordered or rejected.</summary>
    public IEnumerable<RectificationEntry> OpenRectifications => Record.Rectifications.Where(r => r.Status != "Accepted");
}
