using JasperFx.Events;
using Marten;

namespace Ledger.Projections.Supervision;

/// <summary>
/// A view of one thing (a commitment, a rectification order, a scorecard), changed by that thing's own
/// events: the first stage. It says what it changed in <see cref="FirstStageChanges"/>.
/// </summary>
public interface IFirstStageProjection
{
    Task ApplyAsync(IEvent e, FoldDocuments documents, FirstStageChanges changes, CancellationToken ct);
}

/// <summary>
/// A roll-up (government compliance, agreement progress, areas, the overdue queue, trends): the second
/// stage. It reads what the first stage changed for the same event, and may read the event itself for
/// what only the event says (a government's name, an agreement's title).
/// </summary>
public interface IRollUpProjection
{
    Task ApplyAsync(IEvent e, FoldDocuments documents, FirstStageChanges changes, CancellationToken ct);
}

/// <summary>What the first stage changed for one event: the roll-ups move by these and nothing else.</summary>
public sealed class FirstStageChanges
{
    /// <summary>The commitment's standing the event created or changed, as it is now; null when none.</summary>
    public CommitmentStanding? Standing { get; private set; }

    /// <summary>What the standing counted in the roll-ups before the event (nothing when the event created it).</summary>
    public Contribution Before { get; private set; }

    /// <summary>The keys of the standing's items that were open and overdue before the event.</summary>
    public IReadOnlyList<string> OverdueBefore { get; private set; } = [];

    /// <summary>True when the event registered the commitment.</summary>
    public bool Registered { get; private set; }

    /// <summary>A government the event made a participant of the commitment, when it did.</summary>
    public string? ParticipantAdded { get; set; }

    /// <summary>The rectification order the event created or changed, as it is now; null when none.</summary>
    public RectificationTrack? Track { get; set; }

    /// <summary>What the standing counts in the roll-ups now.</summary>
    public Contribution After => Contribution.Of(Standing);

    public void Created(CommitmentStanding standing)
    {
        Standing = standing;
        Before = default;
        OverdueBefore = [];
        Registered = true;
    }

    /// <summary>Called before the standing changes, to keep what the roll-ups must move away from.</summary>
    public void Changing(CommitmentStanding standing)
    {
        Standing = standing;
        Before = Contribution.Of(standing);
        OverdueBefore = standing.Lifecycle.OverdueKeys();
    }
}

/// <summary>
/// The supervision documents one fold holds in memory: loaded from the store the first time a batch
/// touches them (none for a fold from nothing), changed by the events in order, and written once.
/// </summary>
public sealed class FoldDocuments
{
    private readonly IQuerySession? _source;
    private readonly Dictionary<(Type Type, string Id), object?> _documents = [];
    private readonly List<(Type Type, string Id)> _changed = [];
    private readonly HashSet<(Type Type, string Id)> _changedSet = [];

    public FoldDocuments(IQuerySession? source) => _source = source;

    public bool HasStore => _source is not null;

    /// <summary>Holds <paramref name="document"/> as loaded, unchanged.</summary>
    public void Hold(object document) => _documents[(document.GetType(), SupervisionFold.IdOf(document))] = document;

    public bool IsHeld<T>(string id) => _documents.ContainsKey((typeof(T), id));

    public T? Held<T>(string id) where T : class =>
        _documents.TryGetValue((typeof(T), id), out var document) ? (T?)document : null;

    public IEnumerable<object> All() => _documents.Values.OfType<object>();

    public IEnumerable<T> AllHeld<T>() where T : class =>
        _documents.Where(d => d.Key.Type == typeof(T) && d.Value is not null).Select(d => (T)d.Value!);

    public async Task<T?> FindAsync<T>(string id, CancellationToken ct) where T : class
    {
        if (_documents.TryGetValue((typeof(T), id), out var known)) return (T?)known;
        var loaded = _source is null ? null : await _source.LoadAsync<T>(id, ct);
        _documents[(typeof(T), id)] = loaded;
        return loaded;
    }

    public async Task<T> RequireAsync<T>(string id, IEvent e, CancellationToken ct) where T : class =>
        await FindAsync<T>(id, ct)
        ?? throw new InvalidOperationException(
            $"Event {e.Sequence} ({e.EventTypeName}) refers to {typeof(T).Name} '{id}', which no earlier event created.");

    public void Save<T>(string id, T document) where T : class
    {
        _documents[(typeof(T), id)] = document;
        if (_changedSet.Add((typeof(T), id))) _changed.Add((typeof(T), id));
    }

    public void Delete<T>(string id) where T : class
    {
        _documents[(typeof(T), id)] = null;
        if (_changedSet.Add((typeof(T), id))) _changed.Add((typeof(T), id));
    }

    /// <summary>Loads, in one round trip, those of <paramref name="ids"/> not yet held; remembers the absent ones as absent.</summary>
    public async Task<IReadOnlyList<T>> PrefetchAsync<T>(HashSet<string> ids, CancellationToken ct) where T : class
    {
        ids.RemoveWhere(IsHeld<T>);
        if (ids.Count == 0 || _source is null) return [];
        var loaded = await _source.LoadManyAsync<T>(ct, ids);
        foreach (var id in ids) _documents[(typeof(T), id)] = null;
        foreach (var document in loaded) Hold(document);
        return loaded;
    }

    /// <summary>Every document of <typeparamref name="T"/> in the store, held unless already held (for the few area summaries).</summary>
    public async Task PrefetchAllAsync<T>(CancellationToken ct) where T : class
    {
        if (_source is null) return;
        foreach (var document in await _source.Query<T>().ToListAsync(ct))
            _documents.TryAdd((typeof(T), SupervisionFold.IdOf(document)), document);
    }

    /// <summary>The changed documents, in the order first changed, each as it is now (null when deleted).</summary>
    public IEnumerable<(Type Type, string Id, object? Document)> Changed() =>
        _changed.Select(key => (key.Type, key.Id, _documents[key]));
}
