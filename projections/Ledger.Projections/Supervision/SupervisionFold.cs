using JasperFx.Events;
using Ledger.Contracts;
using Marten;

namespace Ledger.Projections.Supervision;

/// <summary>
/// Runs the supervision views' projections over a batch of events, one event at a time in sequence
/// order: first the views of single things (<see cref="FirstStage"/>), then the roll-ups, which read
/// what the first stage changed for that event (<see cref="SecondStage"/>). Documents are held in
/// memory and written once at the end, so the only I/O is loading a document the first time the batch
/// touches it, and the documents after a batch are the documents after the same events one by one:
/// the result does not depend on how events were grouped into batches.
/// </summary>
/// <remarks>
/// The daemon's fold reads missing documents from the store (<see cref="SupervisionFold(IQuerySession)"/>).
/// A fold made by <see cref="FromNothing"/> has no store behind it: it starts from no documents, so
/// replaying a prefix of the log into it yields the documents the daemon held after that prefix.
/// </remarks>
public sealed class SupervisionFold
{
    /// <summary>The views of one thing each; the standing comes first, as the orders and scorecards read it.</summary>
    public static readonly IReadOnlyList<IFirstStageProjection> FirstStage =
        [new CommitmentStandingProjection(), new RectificationTrackProjection(), new ScorecardProjection()];

    /// <summary>The roll-ups. Each moves by what the first stage changed, so their order does not matter.</summary>
    public static readonly IReadOnlyList<IRollUpProjection> SecondStage =
        [new GovernmentComplianceProjection(), new AgreementProgressProjection(), new AreaSummaryProjection(), new OverdueItemProjection(), new TrendPointProjection()];

    private sealed record DocumentKind(Func<object, string> Id, Action<IDocumentOperations, object> Store, Action<IDocumentOperations, string>? Delete);

    private static KeyValuePair<Type, DocumentKind> Kind<T>(Func<T, string> id, bool deletable = false) where T : class =>
        new(typeof(T), new DocumentKind(d => id((T)d), (o, d) => o.Store((T)d), deletable ? (o, key) => o.Delete<T>(key) : null));

    /// <summary>Every document the views write, its id, and how it is stored; only closed overdue items are deleted.</summary>
    private static readonly Dictionary<Type, DocumentKind> Documents = new(
    [
        Kind<CommitmentStanding>(d => d.Id),
        Kind<RectificationTrack>(d => d.Id),
        Kind<Scorecard>(d => d.Id),
        Kind<EvaluationCycleEntry>(d => d.Id),
        Kind<GovernmentCompliance>(d => d.Id),
        Kind<AgreementProgress>(d => d.Id),
        Kind<AreaSummary>(d => d.Id),
        Kind<OverdueItem>(d => d.Id, deletable: true),
        Kind<TrendPoint>(d => d.Id),
    ]);

    private readonly FoldDocuments _documents;

    /// <summary>A fold over the documents in <paramref name="source"/>, as the daemon runs it.</summary>
    public SupervisionFold(IQuerySession source) => _documents = new FoldDocuments(source);

    private SupervisionFold() => _documents = new FoldDocuments(null);

    /// <summary>A fold over no stored documents: every document it shows was made by the events applied to it.</summary>
    public static SupervisionFold FromNothing() => new();

    /// <summary>
    /// A fold over exactly <paramref name="documents"/> and nothing stored: the documents a fold held after
    /// some prefix of the log (a snapshot of it), to apply the events that follow.
    /// </summary>
    public static SupervisionFold FromDocuments(IEnumerable<object> documents)
    {
        var fold = new SupervisionFold();
        foreach (var document in documents) fold._documents.Hold(document);
        return fold;
    }

    /// <summary>Every document the fold holds (none deleted), in no particular order.</summary>
    public IEnumerable<object> AllDocuments() => _documents.All();

    /// <summary>Every document type the views write: a rebuild deletes them all first.</summary>
    public static IReadOnlyCollection<Type> DocumentTypes => Documents.Keys;

    /// <summary>A document as the events applied so far left it (null when absent or deleted), without reading the store.</summary>
    public T? Held<T>(string id) where T : class => _documents.Held<T>(id);

    /// <summary>Every document of one type the fold holds, in no particular order.</summary>
    public IEnumerable<T> AllHeld<T>() where T : class => _documents.AllHeld<T>();

    internal static string IdOf(object document) =>
        Documents.TryGetValue(document.GetType(), out var kind)
            ? kind.Id(document)
            : throw new ArgumentException($"not a supervision document: {document.GetType().Name}", nameof(document));

    public async Task ApplyAsync(IEvent e, CancellationToken ct)
    {
        var changes = new FirstStageChanges();
        foreach (var projection in FirstStage) await projection.ApplyAsync(e, _documents, changes, ct);
        foreach (var projection in SecondStage) await projection.ApplyAsync(e, _documents, changes, ct);
    }

    public void WriteTo(IDocumentOperations operations)
    {
        foreach (var (type, id, document) in _documents.Changed())
        {
            var kind = Documents[type];
            if (document is not null) kind.Store(operations, document);
            else kind.Delete!(operations, id);
        }
    }

    /// <summary>
    /// Loads, in a few round trips, the documents a batch will touch: first those the events name,
    /// then those the commitments' standings lead to. Anything missed is loaded when first touched.
    /// </summary>
    public async Task PrefetchAsync(IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        var commitments = new HashSet<string>(StringComparer.Ordinal);
        var governments = new HashSet<string>(StringComparer.Ordinal);
        var agreements = new HashSet<string>(StringComparer.Ordinal);
        var tracks = new HashSet<string>(StringComparer.Ordinal);
        var cards = new HashSet<string>(StringComparer.Ordinal);
        var cycles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case GovernmentRegistered g: governments.Add(g.GovernmentId); break;
                case AgreementDrafted a: agreements.Add(a.AgreementId); break;
                case AgreementActivated a: agreements.Add(a.AgreementId); break;
                case AgreementTerminated a: agreements.Add(a.AgreementId); break;
                case CommitmentRegistered r:
                    agreements.Add(r.AgreementId);
                    governments.Add(r.LeadGovernmentId);
                    break;
                case ContributorAssigned c:
                    commitments.Add(c.CommitmentId);
                    governments.Add(c.GovernmentId);
                    break;
                case RectificationOrdered o:
                    commitments.Add(o.CommitmentId);
                    governments.Add(o.GovernmentId);
                    break;
                case EvaluationCycleOpened c: cycles.Add(c.CycleId); break;
                case ScorecardPublished p:
                    cycles.Add(p.CycleId);
                    governments.Add(p.GovernmentId);
                    cards.Add(Scorecard.IdFor(p.CycleId, p.GovernmentId));
                    break;
                case ScoreAppealed a: cards.Add(Scorecard.IdFor(a.CycleId, a.GovernmentId)); break;
                case ScoreAppealDecided d: cards.Add(Scorecard.IdFor(d.CycleId, d.GovernmentId)); break;
                default:
                    if (CommitmentStandingProjection.CommitmentOf(e.Data) is { } id) commitments.Add(id);
                    break;
            }
            if (RectificationTrackProjection.TrackOf(e.Data) is { } track) tracks.Add(track);
        }

        var standings = await _documents.PrefetchAsync<CommitmentStanding>(commitments, ct);
        foreach (var s in standings)
        {
            agreements.Add(s.AgreementId);
            governments.Add(s.LeadGovernmentId);
            foreach (var r in s.Lifecycle.OpenRectificationIds) tracks.Add(RectificationTrack.IdFor(s.CommitmentId, r));
        }
        var loadedTracks = await _documents.PrefetchAsync<RectificationTrack>(tracks, ct);
        foreach (var t in loadedTracks) governments.Add(t.GovernmentId);
        await _documents.PrefetchAsync<AgreementProgress>(agreements, ct);
        await _documents.PrefetchAsync<GovernmentCompliance>(governments, ct);
        await _documents.PrefetchAsync<Scorecard>(cards, ct);
        await _documents.PrefetchAsync<EvaluationCycleEntry>(cycles, ct);
        await PrefetchRollUpsAsync(events, ct);
    }

    /// <summary>
    /// The trend points and area summaries a batch is likely to touch, in two round trips instead of
    /// one per document (they were most of a rebuild's round trips: measured). The trend ids are a
    /// superset — each commitment event's quarter for the zone, its agreement, every participant and the
    /// government an order binds — over the standings held and those the batch itself registers, and
    /// anything still missed is loaded when first touched, so this changes no result.
    /// </summary>
    private async Task PrefetchRollUpsAsync(IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        if (!_documents.HasStore) return;
        // Commitments registered in this batch are held by no standing yet: follow their events instead.
        var registered = new Dictionary<string, (string Agreement, List<string> Participants)>(StringComparer.Ordinal);
        var points = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case CommitmentRegistered r:
                    registered[r.CommitmentId] = (r.AgreementId, [r.LeadGovernmentId]);
                    break;
                case ContributorAssigned c when registered.TryGetValue(c.CommitmentId, out var joined):
                    joined.Participants.Add(c.GovernmentId);
                    break;
            }
            var commitmentId = e.Data switch
            {
                CommitmentRegistered r => r.CommitmentId,
                _ => CommitmentStandingProjection.CommitmentOf(e.Data),
            };
            if (commitmentId is null) continue;
            (string Agreement, IEnumerable<string> Participants) commitment;
            if (Held<CommitmentStanding>(commitmentId) is { } s) commitment = (s.AgreementId, s.Participants);
            else if (registered.TryGetValue(commitmentId, out var fresh)) commitment = (fresh.Agreement, fresh.Participants);
            else continue;
            var period = SupervisionRules.Quarter(e.Timestamp);
            points.Add(TrendPoint.IdFor("zone", TrendPoint.ZoneKey, period));
            points.Add(TrendPoint.IdFor("agreement", commitment.Agreement, period));
            foreach (var government in commitment.Participants) points.Add(TrendPoint.IdFor("government", government, period));
            if (e.Data is RectificationOrdered o) points.Add(TrendPoint.IdFor("government", o.GovernmentId, period));
        }
        if (points.Count == 0) return;
        await _documents.PrefetchAsync<TrendPoint>(points, ct);
        // A handful of documents in all (task areas, provinces, prefectures): read them whole.
        await _documents.PrefetchAllAsync<AreaSummary>(ct);
    }
}
