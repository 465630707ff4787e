using JasperFx.Events;
using Ledger.Contracts;
using Ledger.Domain.Commitments;
using Marten;

namespace Ledger.Projections.Supervision;

/// <summary>
/// Folds a batch of events, in sequence order, into the supervision documents held in memory, then
/// writes the documents that changed. The only I/O is loading a document the first time the batch
/// touches it, so the documents after a batch are the documents after the same events one by one:
/// the result does not depend on how events were grouped into batches.
/// </summary>
/// <remarks>
/// The daemon's fold reads missing documents from the store (<see cref="SupervisionFold(IQuerySession)"/>).
/// A fold made by <see cref="FromNothing"/> has no store behind it: it starts from no documents, so
/// replaying a prefix of the log into it yields the documents the daemon held after that prefix.
/// </remarks>
public sealed class SupervisionFold
{
    private readonly IQuerySession? _source;
    private readonly Dictionary<(Type Type, string Id), object?> _documents = [];
    private readonly List<(Type Type, string Id)> _changed = [];
    private readonly HashSet<(Type Type, string Id)> _changedSet = [];

    private static readonly Dictionary<Type, Action<IDocumentOperations, object>> Writers = new()
    {
        [typeof(CommitmentStanding)] = (o, d) => o.Store((CommitmentStanding)d),
        [typeof(GovernmentCompliance)] = (o, d) => o.Store((GovernmentCompliance)d),
        [typeof(AgreementProgress)] = (o, d) => o.Store((AgreementProgress)d),
        [typeof(AreaSummary)] = (o, d) => o.Store((AreaSummary)d),
        [typeof(OverdueItem)] = (o, d) => o.Store((OverdueItem)d),
        [typeof(RectificationTrack)] = (o, d) => o.Store((RectificationTrack)d),
        [typeof(Scorecard)] = (o, d) => o.Store((Scorecard)d),
        [typeof(EvaluationCycleEntry)] = (o, d) => o.Store((EvaluationCycleEntry)d),
        [typeof(TrendPoint)] = (o, d) => o.Store((TrendPoint)d),
    };

    private static readonly Dictionary<Type, Action<IDocumentOperations, string>> Deleters = new()
    {
        [typeof(OverdueItem)] = (o, id) => o.Delete<OverdueItem>(id),
    };

    /// <summary>A fold over the documents in <paramref name="source"/>, as the daemon runs it.</summary>
    public SupervisionFold(IQuerySession source) => _source = source;

    private SupervisionFold() => _source = null;

    /// <summary>A fold over no stored documents: every document it shows was made by the events applied to it.</summary>
    public static SupervisionFold FromNothing() => new();

    /// <summary>
    /// A fold over exactly <paramref name="documents"/> and nothing stored: the documents a fold held after
    /// some prefix of the log (a snapshot of it), to apply the events that follow.
    /// </summary>
    public static SupervisionFold FromDocuments(IEnumerable<object> documents)
    {
        var fold = new SupervisionFold();
        foreach (var document in documents) fold._documents[(document.GetType(), IdOf(document))] = document;
        return fold;
    }

    /// <summary>Every document the fold holds (none deleted), in no particular order.</summary>
    public IEnumerable<object> AllDocuments() => _documents.Values.OfType<object>();

    /// <summary>Every document type the projection writes: a rebuild deletes them all first.</summary>
    public static IReadOnlyCollection<Type> DocumentTypes => Writers.Keys;

    /// <summary>A document as the events applied so far left it (null when absent or deleted), without reading the store.</summary>
    public T? Held<T>(string id) where T : class =>
        _documents.TryGetValue((typeof(T), id), out var document) ? (T?)document : null;

    /// <summary>Every document of one type the fold holds, in no particular order.</summary>
    public IEnumerable<T> AllHeld<T>() where T : class =>
        _documents.Where(d => d.Key.Type == typeof(T) && d.Value is not null).Select(d => (T)d.Value!);

    public void WriteTo(IDocumentOperations operations)
    {
        foreach (var key in _changed)
        {
            if (_documents[key] is { } document) Writers[key.Type](operations, document);
            else Deleters[key.Type](operations, key.Id);
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
                    if (CommitmentOf(e.Data) is { } id) commitments.Add(id);
                    break;
            }
            if (RectificationOf(e.Data) is { } track) tracks.Add(track);
        }

        var standings = await PrefetchAsync<CommitmentStanding>(commitments, ct);
        foreach (var s in standings)
        {
            agreements.Add(s.AgreementId);
            governments.Add(s.LeadGovernmentId);
            foreach (var r in s.Lifecycle.OpenRectificationIds) tracks.Add(RectificationTrack.IdFor(s.CommitmentId, r));
        }
        var loadedTracks = await PrefetchAsync<RectificationTrack>(tracks, ct);
        foreach (var t in loadedTracks) governments.Add(t.GovernmentId);
        await PrefetchAsync<AgreementProgress>(agreements, ct);
        await PrefetchAsync<GovernmentCompliance>(governments, ct);
        await PrefetchAsync<Scorecard>(cards, ct);
        await PrefetchAsync<EvaluationCycleEntry>(cycles, ct);
        await PrefetchRollUpsAsync(events, ct);
    }

    /// <summary>
    /// The trend points and area summaries a batch is likely to touch, in two round trips instead of
    /// one per document (they were most of a rebuild's round trips: measured). The trend ids are a
    /// superset — each commitment event's quarter for the zone, its agreement and every participant —
    /// and anything still missed is loaded when first touched, so this changes no result.
    /// </summary>
    private async Task PrefetchRollUpsAsync(IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        if (_source is null) return;
        var points = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            var commitmentId = e.Data switch
            {
                CommitmentRegistered r => r.CommitmentId,
                ContributorAssigned c => c.CommitmentId,
                RectificationOrdered o => o.CommitmentId,
                _ => CommitmentOf(e.Data),
            };
            if (commitmentId is null || Held<CommitmentStanding>(commitmentId) is not { } s) continue;
            var period = SupervisionRules.Quarter(e.Timestamp);
            points.Add(TrendPoint.IdFor("zone", TrendPoint.ZoneKey, period));
            points.Add(TrendPoint.IdFor("agreement", s.AgreementId, period));
            foreach (var government in s.Participants) points.Add(TrendPoint.IdFor("government", government, period));
        }
        if (points.Count == 0) return;
        await PrefetchAsync<TrendPoint>(points, ct);
        // A handful of documents in all (task areas, provinces, prefectures): read them whole.
        foreach (var area in await _source.Query<AreaSummary>().ToListAsync(ct))
            _documents.TryAdd((typeof(AreaSummary), area.Id), area);
    }

    private async Task<IReadOnlyList<T>> PrefetchAsync<T>(HashSet<string> ids, CancellationToken ct) where T : class
    {
        ids.RemoveWhere(id => _documents.ContainsKey((typeof(T), id)));
        if (ids.Count == 0 || _source is null) return [];
        var loaded = await _source.LoadManyAsync<T>(ct, ids);
        foreach (var id in ids) _documents[(typeof(T), id)] = null;
        foreach (var document in loaded) _documents[(typeof(T), IdOf(document))] = document;
        return loaded;
    }

    private static string IdOf(object document) => document switch
    {
        CommitmentStanding d => d.Id,
        GovernmentCompliance d => d.Id,
        AgreementProgress d => d.Id,
        AreaSummary d => d.Id,
        OverdueItem d => d.Id,
        RectificationTrack d => d.Id,
        Scorecard d => d.Id,
        EvaluationCycleEntry d => d.Id,
        TrendPoint d => d.Id,
        _ => throw new ArgumentException($"not a supervision document: {document.GetType().Name}", nameof(document)),
    };

    private async Task<T?> FindAsync<T>(string id, CancellationToken ct) where T : class
    {
        if (_documents.TryGetValue((typeof(T), id), out var known)) return (T?)known;
        var loaded = _source is null ? null : await _source.LoadAsync<T>(id, ct);
        _documents[(typeof(T), id)] = loaded;
        return loaded;
    }

    private async Task<T> RequireAsync<T>(string id, IEvent e, CancellationToken ct) where T : class =>
        await FindAsync<T>(id, ct)
        ?? throw new InvalidOperationException(
            $"Event {e.Sequence} ({e.EventTypeName}) refers to {typeof(T).Name} '{id}', which no earlier event created.");

    private void Save<T>(string id, T document) where T : class
    {
        _documents[(typeof(T), id)] = document;
        if (_changedSet.Add((typeof(T), id))) _changed.Add((typeof(T), id));
    }

    private void Delete<T>(string id) where T : class
    {
        _documents[(typeof(T), id)] = null;
        if (_changedSet.Add((typeof(T), id))) _changed.Add((typeof(T), id));
    }

    public async Task ApplyAsync(IEvent e, CancellationToken ct)
    {
        switch (e.Data)
        {
            case GovernmentRegistered g:
            {
                var government = await FindAsync<GovernmentCompliance>(g.GovernmentId, ct) ?? new GovernmentCompliance { Id = g.GovernmentId, GovernmentId = g.GovernmentId };
                government.NameZh = g.NameZh;
                government.NameEn = g.NameEn;
                government.Province = g.Province;
                government.Prefecture = g.Prefecture;
                government.Level = g.Level;
                government.Refresh();
                Save(government.Id, government);
                break;
            }
            case AgreementDrafted a:
            {
                var agreement = await FindAsync<AgreementProgress>(a.AgreementId, ct) ?? new AgreementProgress { Id = a.AgreementId, AgreementId = a.AgreementId };
                agreement.Title = a.Title;
                agreement.TaskArea = a.TaskArea;
                Save(agreement.Id, agreement);
                break;
            }
            case AgreementActivated a:
                await SetAgreementStatusAsync(a.AgreementId, "Active", e, ct);
                break;
            case AgreementTerminated a:
                await SetAgreementStatusAsync(a.AgreementId, "Terminated", e, ct);
                break;
            case CommitmentRegistered r:
                await RegisterAsync(r, e, ct);
                break;
            case MilestoneScheduled m:
                await ChangeAsync(m.CommitmentId, e, ct);
                break;
            case MilestoneStatusChanged c:
                await ChangeAsync(c.CommitmentId, e, ct);
                break;
            case ContributorAssigned c:
                await ChangeAsync(c.CommitmentId, e, ct, async s =>
                {
                    if (s.Participants.Contains(c.GovernmentId)) return;
                    s.Participants.Add(c.GovernmentId);
                    var government = await RequireAsync<GovernmentCompliance>(c.GovernmentId, e, ct);
                    government.ParticipatesIn++;
                    Save(government.Id, government);
                });
                break;
            case CommitmentActivated c:
                await ChangeAsync(c.CommitmentId, e, ct);
                break;
            case CommitmentSuspended c:
                await ChangeAsync(c.CommitmentId, e, ct);
                break;
            case CommitmentResumed c:
                await ChangeAsync(c.CommitmentId, e, ct);
                break;
            case CommitmentWithdrawn c:
                await ChangeAsync(c.CommitmentId, e, ct);
                break;
            case ProgressReported p:
                await ChangeAsync(p.CommitmentId, e, ct, async s =>
                {
                    foreach (var v in p.Values) s.MissingReports.Remove(v.IndicatorId + "|" + p.Period);
                    await TrendAsync(p.ReportedAt, s.LeadGovernmentId, s.AgreementId, t => t.Reports++, ct);
                });
                break;
            case FulfilmentClaimed f:
                await ChangeAsync(f.CommitmentId, e, ct);
                break;
            case ClaimWithdrawn w:
                await ChangeAsync(w.CommitmentId, e, ct);
                break;
            case VerificationCompleted v:
                await ChangeAsync(v.CommitmentId, e, ct, async s =>
                {
                    await TrendAsync(v.VerifiedAt, s.LeadGovernmentId, s.AgreementId,
                        t => { if (v.Verdict == Verdict.Verified) t.VerificationsPassed++; else t.VerificationsFailed++; }, ct);
                });
                break;
            case CommitmentAssessed a:
                await ChangeAsync(a.CommitmentId, e, ct, async s =>
                {
                    s.AssessmentPeriod = a.Period;
                    s.Completion = a.Completion;
                    s.Confidence = a.Confidence;
                    s.Risk = a.Risk;
                    s.AssessedAt = a.AssessedAt;
                    var rag = CommitmentLifecycle.ColourOf(a.Confidence);
                    await TrendAsync(a.AssessedAt, s.LeadGovernmentId, s.AgreementId, t =>
                    {
                        if (rag == Rag.Green) t.AssessedGreen++;
                        else if (rag == Rag.Amber) t.AssessedAmber++;
                        else t.AssessedRed++;
                    }, ct);
                });
                break;
            case RectificationOrdered o:
                await ChangeAsync(o.CommitmentId, e, ct, s => OrderAsync(s, o, e, ct));
                break;
            case RectificationResponded r:
                await TrackAsync(r.CommitmentId, r.RectificationId, e, ct, (track, government) =>
                {
                    track.Status = RectificationStatus.Responded;
                    track.Responses.Add(new RectificationResponse(r.Response, [.. r.EvidenceIds], r.RespondedBy, r.RespondedAt));
                    track.LastResponseAt = r.RespondedAt;
                    SetOrder(government, track);
                });
                break;
            case RectificationRejected r:
                await TrackAsync(r.CommitmentId, r.RectificationId, e, ct, (track, government) =>
                {
                    track.Status = RectificationStatus.Rejected;
                    track.DueOn = r.NewDueOn ?? track.DueOn;
                    track.Reviews.Add(new RectificationReview(false, r.Findings, r.NewDueOn, r.RejectedBy, r.RejectedAt));
                    SetOrder(government, track);
                });
                break;
            case RectificationAccepted a:
                await ChangeAsync(a.CommitmentId, e, ct, async s =>
                {
                    await TrackAsync(a.CommitmentId, a.RectificationId, e, ct, (track, government) =>
                    {
                        track.Status = RectificationStatus.Accepted;
                        track.Open = false;
                        track.ClosedAt = a.AcceptedAt;
                        track.Reviews.Add(new RectificationReview(true, a.Findings, null, a.AcceptedBy, a.AcceptedAt));
                        SetOrder(government, track);
                    });
                    await SyncOverdueAsync(s, ct);
                    var closedFor = (await RequireAsync<RectificationTrack>(RectificationTrack.IdFor(a.CommitmentId, a.RectificationId), e, ct)).GovernmentId;
                    await TrendAsync(a.AcceptedAt, closedFor, s.AgreementId, t => t.RectificationsClosed++, ct);
                });
                break;
            case EscalationRaised x:
                await ChangeAsync(x.CommitmentId, e, ct, async s =>
                {
                    s.Escalations.RemoveAll(y => y.EscalationId == x.EscalationId);
                    s.Escalations.Add(new EscalationRef(x.EscalationId, x.RectificationId, x.To, null));
                    if (x.RectificationId is { } rectification)
                    {
                        await TrackAsync(x.CommitmentId, rectification, e, ct, (track, _) =>
                        {
                            track.EscalationId = x.EscalationId;
                            track.EscalationLevel = x.To;
                        });
                    }
                });
                break;
            case EscalationDecided d:
                await ChangeAsync(d.CommitmentId, e, ct, async s =>
                {
                    var index = s.Escalations.FindIndex(y => y.EscalationId == d.EscalationId);
                    if (index < 0) return;
                    var escalation = s.Escalations[index] with { DecisionReference = d.DecisionReference };
                    s.Escalations[index] = escalation;
                    if (escalation.RectificationId is { } rectification)
                        await TrackAsync(d.CommitmentId, rectification, e, ct, (track, _) => track.DecisionReference = d.DecisionReference);
                });
                break;
            case CommitmentRevised r:
                await ChangeAsync(r.CommitmentId, e, ct);
                break;
            case CommitmentOverdue o:
                await ChangeAsync(o.CommitmentId, e, ct, async s =>
                {
                    var key = CommitmentLifecycle.ItemKey(o.Kind, o.MilestoneId);
                    if (s.Lifecycle.Item(key) is { OverdueOpen: true })
                    {
                        var id = OverdueItem.IdFor(s.CommitmentId, key);
                        Save(id, new OverdueItem
                        {
                            Id = id,
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
                        });
                    }
                    await TrendAsync(o.NoticedAt, s.LeadGovernmentId, s.AgreementId, t => t.OverdueNotices++, ct);
                });
                break;
            case ReportMissing m:
                await ChangeAsync(m.CommitmentId, e, ct, s =>
                {
                    var key = m.IndicatorId + "|" + m.Period;
                    if (!s.MissingReports.Contains(key)) s.MissingReports.Add(key);
                    return Task.CompletedTask;
                });
                break;
            case EvaluationCycleOpened c:
                Save(c.CycleId, new EvaluationCycleEntry { Id = c.CycleId, Period = c.Period, MethodVersion = c.MethodVersion, Start = c.Start, End = c.End });
                break;
            case ScorecardPublished p:
            {
                var cycle = await RequireAsync<EvaluationCycleEntry>(p.CycleId, e, ct);
                var government = await RequireAsync<GovernmentCompliance>(p.GovernmentId, e, ct);
                var id = Scorecard.IdFor(p.CycleId, p.GovernmentId);
                var card = await FindAsync<Scorecard>(id, ct) ?? new Scorecard { Id = id, CycleId = p.CycleId, GovernmentId = p.GovernmentId };
                card.Period = cycle.Period;
                card.MethodVersion = cycle.MethodVersion;
                card.GovernmentNameZh = government.NameZh;
                card.GovernmentNameEn = government.NameEn;
                card.Province = government.Province;
                card.Prefecture = government.Prefecture;
                card.Total = p.Total;
                card.Band = p.Band;
                card.Rank = p.Rank;
                card.Of = p.Of;
                card.Components = [.. p.Components];
                card.PublishedAt = p.PublishedAt;
                Save(id, card);
                break;
            }
            case ScoreAppealed a:
            {
                var card = await RequireAsync<Scorecard>(Scorecard.IdFor(a.CycleId, a.GovernmentId), e, ct);
                card.Appeals.Add(new ScoreAppealEntry { AppealId = a.AppealId, Grounds = a.Grounds, AppealedAt = a.AppealedAt });
                card.OpenAppeals = card.Appeals.Count(x => !x.Decided);
                Save(card.Id, card);
                break;
            }
            case ScoreAppealDecided d:
            {
                var card = await RequireAsync<Scorecard>(Scorecard.IdFor(d.CycleId, d.GovernmentId), e, ct);
                if (card.Appeals.Find(x => x.AppealId == d.AppealId) is { } appeal)
                {
                    appeal.Decided = true;
                    appeal.Upheld = d.Upheld;
                    appeal.RevisedTotal = d.RevisedTotal;
                    appeal.Findings = d.Findings;
                    appeal.DecidedAt = d.DecidedAt;
                }
                if (d.Upheld && d.RevisedTotal is { } revised)
                {
                    card.RevisedTotal = revised;
                    card.RevisedBand = SupervisionRules.BandOf(revised);
                }
                card.OpenAppeals = card.Appeals.Count(x => !x.Decided);
                Save(card.Id, card);
                break;
            }
        }
    }

    private async Task SetAgreementStatusAsync(string agreementId, string status, IEvent e, CancellationToken ct)
    {
        var agreement = await RequireAsync<AgreementProgress>(agreementId, e, ct);
        agreement.Status = status;
        Save(agreement.Id, agreement);
    }

    private async Task RegisterAsync(CommitmentRegistered r, IEvent e, CancellationToken ct)
    {
        var agreement = await RequireAsync<AgreementProgress>(r.AgreementId, e, ct);
        var lead = await RequireAsync<GovernmentCompliance>(r.LeadGovernmentId, e, ct);
        var s = new CommitmentStanding
        {
            Id = r.CommitmentId,
            CommitmentId = r.CommitmentId,
            AgreementId = r.AgreementId,
            TaskArea = agreement.TaskArea,
            LeadGovernmentId = r.LeadGovernmentId,
            LeadProvince = lead.Province,
            LeadPrefecture = lead.Prefecture,
            Participants = [r.LeadGovernmentId],
            Title = r.Title,
            ResultType = r.ResultType,
            Deadline = r.Deadline,
            RegisteredAt = r.RegisteredAt,
            Lifecycle = CommitmentLifecycle.Registered(r.Deadline),
        };
        s.Refresh();
        Save(s.Id, s);
        if (!agreement.CommitmentIds.Contains(s.CommitmentId)) agreement.CommitmentIds.Add(s.CommitmentId);
        lead.ParticipatesIn++;
        Save(lead.Id, lead);
        await RollAsync(s, default, e, ct);
    }

    /// <summary>
    /// Moves one standing's lifecycle on by the event, closes the overdue entries it closed, applies the
    /// view's own change, then moves every roll-up the standing counts in by the difference.
    /// </summary>
    private async Task ChangeAsync(string commitmentId, IEvent e, CancellationToken ct, Func<CommitmentStanding, Task>? change = null)
    {
        var s = await RequireAsync<CommitmentStanding>(commitmentId, e, ct);
        var before = Contribution.Of(s);
        var wasOverdue = s.Lifecycle.Items.Where(i => i.OverdueOpen).Select(i => i.Key).ToList();
        s.Lifecycle = s.Lifecycle.Apply(e.Data);
        foreach (var key in wasOverdue.Where(k => s.Lifecycle.Item(k) is not { OverdueOpen: true }))
            Delete<OverdueItem>(OverdueItem.IdFor(s.CommitmentId, key));
        if (change is not null) await change(s);
        s.Refresh();
        Save(s.Id, s);
        await RollAsync(s, before, e, ct);
    }

    private async Task RollAsync(CommitmentStanding s, Contribution before, IEvent e, CancellationToken ct)
    {
        var after = Contribution.Of(s);
        if (after == before) return;
        var agreement = await RequireAsync<AgreementProgress>(s.AgreementId, e, ct);
        Move(agreement, before, after);
        Save(agreement.Id, agreement);
        foreach (var (scope, key) in new[] { ("taskArea", s.TaskArea.ToString()), ("province", s.LeadProvince.ToString()), ("prefecture", s.LeadPrefecture) })
        {
            var id = AreaSummary.IdFor(scope, key);
            var area = await FindAsync<AreaSummary>(id, ct) ?? new AreaSummary { Id = id, Scope = scope, Key = key };
            Move(area, before, after);
            Save(id, area);
        }
        var lead = await RequireAsync<GovernmentCompliance>(s.LeadGovernmentId, e, ct);
        lead.AddLed(before, -1);
        lead.AddLed(after, +1);
        Save(lead.Id, lead);
    }

    private static void Move(RollUpTotals totals, Contribution before, Contribution after)
    {
        totals.Add(before, -1);
        totals.Add(after, +1);
    }

    private async Task OrderAsync(CommitmentStanding s, RectificationOrdered o, IEvent e, CancellationToken ct)
    {
        var government = await RequireAsync<GovernmentCompliance>(o.GovernmentId, e, ct);
        var id = RectificationTrack.IdFor(o.CommitmentId, o.RectificationId);
        var track = new RectificationTrack
        {
            Id = id,
            CommitmentId = o.CommitmentId,
            RectificationId = o.RectificationId,
            AgreementId = s.AgreementId,
            TaskArea = s.TaskArea,
            GovernmentId = o.GovernmentId,
            Province = government.Province,
            Prefecture = government.Prefecture,
            Findings = o.Findings,
            RequiredActions = [.. o.RequiredActions],
            OrderedBy = o.OrderedBy,
            // A duplicated (indexed) timestamptz column takes UTC only; the instant is the same.
            OrderedAt = o.OrderedAt.ToUniversalTime(),
            DueOn = o.DueOn,
            OriginalDueOn = o.DueOn,
            Status = RectificationStatus.Ordered,
        };
        Save(id, track);
        SetOrder(government, track);
        Save(government.Id, government);
        await SyncOverdueAsync(s, ct);
        await TrendAsync(o.OrderedAt, o.GovernmentId, s.AgreementId, t => t.RectificationsOrdered++, ct);
    }

    /// <summary>Changes one rectification track and keeps the ordered government's list of open orders in step.</summary>
    private async Task TrackAsync(string commitmentId, string rectificationId, IEvent e, CancellationToken ct, Action<RectificationTrack, GovernmentCompliance> change)
    {
        var track = await RequireAsync<RectificationTrack>(RectificationTrack.IdFor(commitmentId, rectificationId), e, ct);
        var government = await RequireAsync<GovernmentCompliance>(track.GovernmentId, e, ct);
        change(track, government);
        Save(track.Id, track);
        Save(government.Id, government);
    }

    private static void SetOrder(GovernmentCompliance government, RectificationTrack track)
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

    private async Task SyncOverdueAsync(CommitmentStanding s, CancellationToken ct)
    {
        foreach (var item in s.Lifecycle.Items.Where(i => i.OverdueOpen))
        {
            var id = OverdueItem.IdFor(s.CommitmentId, item.Key);
            if (await FindAsync<OverdueItem>(id, ct) is not { } overdue) continue;
            overdue.OpenRectificationIds = [.. s.Lifecycle.OpenRectificationIds];
            Save(id, overdue);
        }
    }

    private async Task TrendAsync(DateTimeOffset at, string governmentId, string agreementId, Action<TrendPoint> count, CancellationToken ct)
    {
        var period = SupervisionRules.Quarter(at);
        foreach (var (scope, key) in new[] { ("zone", TrendPoint.ZoneKey), ("government", governmentId), ("agreement", agreementId) })
        {
            var id = TrendPoint.IdFor(scope, key, period);
            var point = await FindAsync<TrendPoint>(id, ct) ?? new TrendPoint { Id = id, Scope = scope, Key = key, Period = period };
            count(point);
            Save(id, point);
        }
    }

    private static string? CommitmentOf(object data) => data switch
    {
        IndicatorDefined x => x.CommitmentId,
        MilestoneScheduled x => x.CommitmentId,
        MilestoneStatusChanged x => x.CommitmentId,
        CommitmentActivated x => x.CommitmentId,
        CommitmentSuspended x => x.CommitmentId,
        CommitmentResumed x => x.CommitmentId,
        CommitmentWithdrawn x => x.CommitmentId,
        ProgressReported x => x.CommitmentId,
        FulfilmentClaimed x => x.CommitmentId,
        ClaimWithdrawn x => x.CommitmentId,
        VerificationCompleted x => x.CommitmentId,
        CommitmentAssessed x => x.CommitmentId,
        RectificationResponded x => x.CommitmentId,
        RectificationAccepted x => x.CommitmentId,
        RectificationRejected x => x.CommitmentId,
        EscalationRaised x => x.CommitmentId,
        EscalationDecided x => x.CommitmentId,
        CommitmentRevised x => x.CommitmentId,
        CommitmentOverdue x => x.CommitmentId,
        ReportMissing x => x.CommitmentId,
        _ => null,
    };

    private static string? RectificationOf(object data) => data switch
    {
        RectificationResponded x => RectificationTrack.IdFor(x.CommitmentId, x.RectificationId),
        RectificationAccepted x => RectificationTrack.IdFor(x.CommitmentId, x.RectificationId),
        RectificationRejected x => RectificationTrack.IdFor(x.CommitmentId, x.RectificationId),
        EscalationRaised { RectificationId: { } r } x => RectificationTrack.IdFor(x.CommitmentId, r),
        _ => null,
    };
}
