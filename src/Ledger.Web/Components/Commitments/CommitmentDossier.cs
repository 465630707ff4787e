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
/// event, colour and overdue items included), the latest acts of each kind (<see cref="CommitmentActRecord"/>:
/// the record keeps only the open ones and the latest few), the agreement, the registry's names, and the
/// commitment's own stream for the timeline.
/// </summary>
public sealed class CommitmentDossier
{
    /// <summary>How many of the latest acts of each kind the page shows (the count of all is in the record).</summary>
    public const int ShownActs = 50;

    private CommitmentDossier(
        CommitmentRecord record, AgreementView? agreement, IReadOnlyList<CommitmentActRecord> acts,
        IReadOnlyDictionary<string, GovernmentView> governments, IReadOnlyList<IEvent> events, DateOnly today)
    {
        Record = record;
        var shown = acts.OrderBy(a => a.StreamVersion).ToList();
        // Evidence older than the latest that a claim or response names is looked up, not listed.
        Evidence = [.. shown.Where(a => a.Kind == ActKinds.Evidence).Select(a => a.Evidence!).TakeLast(ShownActs)];
        Claims = [.. shown.Where(a => a.Kind == ActKinds.Claim).Select(a => a.Claim!)];
        Assessments = [.. shown.Where(a => a.Kind == ActKinds.Assessment).Select(a => a.Assessment!)];
        Rectifications = [.. shown.Where(a => a.Kind == ActKinds.Rectification).Select(a => a.Rectification!)];
        Escalations = [.. shown.Where(a => a.Kind == ActKinds.Escalation).Select(a => a.Escalation!)];
        _evidence = shown.Where(a => a.Kind == ActKinds.Evidence).ToDictionary(a => a.ActId, a => a.Evidence!, StringComparer.Ordinal);
        Agreement = agreement;
        Governments = governments;
        Events = events;
        Today = today;
    }

    public CommitmentRecord Record { get; }

    /// <summary>The latest <see cref="ShownActs"/> of each kind, oldest first; the record's counts say how many there are in all.</summary>
    public IReadOnlyList<EvidenceEntry> Evidence { get; }
    public IReadOnlyList<ClaimEntry> Claims { get; }
    public IReadOnlyList<AssessmentEntry> Assessments { get; }
    public IReadOnlyList<RectificationEntry> Rectifications { get; }
    public IReadOnlyList<EscalationEntry> Escalations { get; }

    // Every evidence the page shows or names (a claim's or a response's), by id.
    private readonly Dictionary<string, EvidenceEntry> _evidence;
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
        var acts = await LatestActsAsync(session, commitmentId, ct);
        var events = await session.Events.FetchStreamAsync(key, token: ct);
        var governments = await names.AllAsync(ct);
        return new CommitmentDossier(found, agreement, acts, governments, events,
            DateOnly.FromDateTime(now.ToOffset(ConsoleFormat.BeijingOffset).DateTime));
    }

    /// <summary>The latest <see cref="ShownActs"/> documents attached as evidence, oldest first: those a county picks from.</summary>
    public static async Task<IReadOnlyList<EvidenceEntry>> LatestEvidenceAsync(IQuerySession session, string commitmentId, CancellationToken ct)
    {
        var latest = await session.Query<CommitmentActRecord>()
            .Where(x => x.CommitmentId == commitmentId && x.Kind == ActKinds.Evidence).OrderByDescending(x => x.StreamVersion).Take(ShownActs).ToListAsync(ct);
        return [.. latest.Select(x => x.Evidence!).Reverse()];
    }

    /// <summary>
    /// The latest <see cref="ShownActs"/> acts of each kind and every one still open, in one round trip, and the
    /// evidence their claims and responses name that is older than those.
    /// </summary>
    public static async Task<IReadOnlyList<CommitmentActRecord>> LatestActsAsync(IQuerySession session, string commitmentId, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var pending = ActKinds.All.Select(kind => batch.Query<CommitmentActRecord>()
            .Where(x => x.CommitmentId == commitmentId && x.Kind == kind).OrderByDescending(x => x.StreamVersion).Take(ShownActs).ToList()).ToList();
        var open = batch.Query<CommitmentActRecord>().Where(x => x.CommitmentId == commitmentId && x.Open).ToList();
        await batch.Execute(ct);
        var acts = new Dictionary<string, CommitmentActRecord>(StringComparer.Ordinal);
        foreach (var act in (await Task.WhenAll(pending)).SelectMany(x => x).Concat(await open)) acts[act.Id] = act;
        var named = acts.Values.SelectMany(a => (a.Claim?.EvidenceIds ?? []).Concat(a.Rectification?.Responses.SelectMany(r => r.EvidenceIds) ?? []))
            .Distinct(StringComparer.Ordinal).Select(id => CommitmentActRecord.IdOf(commitmentId, ActKinds.Evidence, id))
            .Where(id => !acts.ContainsKey(id)).ToList();
        if (named.Count > 0)
        {
            foreach (var act in await session.LoadManyAsync<CommitmentActRecord>(ct, named)) acts[act.Id] = act;
        }
        return [.. acts.Values];
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

    /// <summary>An evidence the page shows or a claim or response names.</summary>
    public EvidenceEntry? EvidenceById(string evidenceId) => _evidence.GetValueOrDefault(evidenceId);

    public RectificationEntry? Rectification(string? rectificationId) =>
        Rectifications.FirstOrDefault(r => r.RectificationId == rectificationId);

    /// <summary>The tracking colour, as the record holds it (the commitment's lifecycle, the same rule every view uses).</summary>
    public Rag Colour => Record.Rag;

    public IEnumerable<ClaimEntry> OpenClaims => Record.RecentClaims.Where(c => c.IsOpen);

    /// <summary>Orders whose response awaits the supervisor's review.</summary>
    public IEnumerable<RectificationEntry> RespondedRectifications => Record.RecentRectifications.Where(r => r.Status == "Responded");

    /// <summary>Orders not yet accepted: they may still be escalated, and a government still answers those ordered or rejected.</summary>
    public IEnumerable<RectificationEntry> OpenRectifications => Record.RecentRectifications.Where(r => r.IsOpen);
}
