using JasperFx.Events;
using Ledger.Contracts;
using Ledger.Projections;
using Ledger.Projections.Supervision;
using Ledger.Web.Localization;
using RectificationEntry = Ledger.Projections.RectificationEntry;
using Marten;

namespace Ledger.Web.Components.Commitments;

/// <summary>
/// Everything the commitment page shows, read once per request through the same read models as the
/// API's <c>GET /api/commitments/{id}</c> (the inline <see cref="CommitmentRecord"/>), the supervision
/// view of the commitment (<see cref="CommitmentStanding"/>, for the tracking colour), the agreement,
/// the registry's names, and the commitment's own stream for the timeline.
/// </summary>
public sealed class CommitmentDossier
{
    private CommitmentDossier(
        CommitmentRecord record, AgreementView? agreement, CommitmentStanding? standing,
        IReadOnlyDictionary<string, GovernmentView> governments, IReadOnlyList<IEvent> events, DateOnly today)
    {
        Record = record;
        Agreement = agreement;
        Standing = standing;
        Governments = governments;
        Events = events;
        Today = today;
    }

    public CommitmentRecord Record { get; }
    public AgreementView? Agreement { get; }
    /// <summary>The asynchronous supervision view; null until the daemon has seen the commitment.</summary>
    public CommitmentStanding? Standing { get; }
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
        // One round trip for the documents; the stream and the registry follow.
        var batch = session.CreateBatchQuery();
        var record = batch.Load<CommitmentRecord>(key);
        var standing = batch.Load<CommitmentStanding>(commitmentId);
        await batch.Execute(ct);
        if (await record is not { } found) return null;
        var agreement = await session.LoadAsync<AgreementView>(StreamKeys.Agreement(found.AgreementId), ct);
        var events = await session.Events.FetchStreamAsync(key, token: ct);
        var governments = await names.AllAsync(ct);
        return new CommitmentDossier(found, agreement, await standing, governments, events,
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

    /// <summary>
    /// The tracking colour, by the supervision views' rule (ops/docs/supervision-views.md): red while an
    /// item is overdue, green once fulfilled, else the latest assessment's confidence. Overdue comes from
    /// the supervision view (it knows which clock notices are closed); the status and the assessment from
    /// the record, which is written with the event, so a new assessment shows at once.
    /// </summary>
    public Rag Colour =>
        Standing is { OverdueItems: > 0 } ? Rag.Red
        : Record.Status == StandingStatus.Fulfilled ? Rag.Green
        : Record.Confidence is { } confidence ? SupervisionRules.FromConfidence(confidence)
        : Rag.NotAssessed;

    public IEnumerable<ClaimEntry> OpenClaims => Record.Claims.Where(c => c.State == "open");

    /// <summary>Orders whose response awaits the supervisor's review.</summary>
    public IEnumerable<RectificationEntry> RespondedRectifications => Record.Rectifications.Where(r => r.Status == "Responded");

    /// <summary>Orders not yet accepted: they may still be escalated, and a government still answers those ordered or rejected.</summary>
    public IEnumerable<RectificationEntry> OpenRectifications => Record.Rectifications.Where(r => r.Status != "Accepted");
}
